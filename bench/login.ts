// npm run bench:login — no timing oracle in logIn: wrong passwords for a known email against logIns for emails with no
// account, interleaved, at the production password cost (scrypt N=2^17 unless SHIPYARD_SCRYPT_COST says otherwise).
// Prints both medians and their ratio (goal: ~1.0; a missing dummy hash shows as a ratio far from 1), and the cost of a
// successful logIn as the baseline of what one hash costs on this machine.
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../src/config/index.js';
import { startApi } from '../src/start-api.js';
import { gql, signUp } from '../tests/helpers/api.js';
import { LogInDocument } from '../tests/generated/graphql.js';
import { createBenchDatabase, fmt, percentile } from './support.js';

const ROUNDS = Number(process.env.BENCH_LOGINS ?? 15);
process.env.LOG_LEVEL ??= 'warn';

const database = await createBenchDatabase();
// This API's settings go to it directly, as the test kit's do (tests/helpers/api.ts).
const config = loadConfig({
  ...process.env,
  DATABASE_URL: database.url,
  SHIPYARD_QUEUE: `bench-login-${randomBytes(3).toString('hex')}`,
  SHIPYARD_MIGRATE_ON_START: 'false',
  SHIPYARD_LOGIN_MAX_PER_ACCOUNT: '1000000',
  SHIPYARD_LOGIN_MAX_PER_ADDRESS: '1000000',
});
const api = await startApi({ port: 0, config, database: { url: database.url, embedded: false, poolMax: undefined, close: async () => {} } });
try {
  const { email } = await signUp(api, 'bench');
  const timed = async (address: string, password: string) => {
    const t0 = performance.now();
    await gql(api, LogInDocument, { input: { email: address, password } });
    return performance.now() - t0;
  };
  await timed(`warm-${randomBytes(3).toString('hex')}@example.com`, 'x'); // the dummy hash and connections are ready
  const known: number[] = [];
  const unknown: number[] = [];
  const success: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    known.push(await timed(email, 'wrong password'));
    unknown.push(await timed(`nobody-${i}-${randomBytes(3).toString('hex')}@example.com`, 'wrong password'));
    success.push(await timed(email, 'correct horse battery'));
  }
  const median = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 50);
  console.log(`${ROUNDS} rounds, interleaved:`);
  console.log(`  wrong password, known email:  p50 ${fmt(median(known))} ms`);
  console.log(`  any password, unknown email:  p50 ${fmt(median(unknown))} ms`);
  console.log(`  baseline, successful logIn:   p50 ${fmt(median(success))} ms`);
  console.log(`unknown / known = ${fmt(median(unknown) / median(known), 3)} (goal ~1.0)`);
} finally {
  await api.stop();
  await database.drop();
}
process.exit(0);
