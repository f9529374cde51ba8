// The `shipyard` command line as people use it: the real binary as a subprocess against the real API, a real worker
// process and the scripted model. Exit codes: 0 ok, 1 run ended badly, 2 usage, 3 auth, 4 unreachable.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, until } from './helpers/processes.js';
import { bash, say, type ScriptTurn } from './helpers/scripted-anthropic.js';
import { useScriptedModel } from './helpers/scripted-model.js';
import { FEATURES, codingSession, initializerSession } from './helpers/quickstart-script.js';
import { useStack } from './helpers/stack.js';
import { runCli, startCli } from './helpers/cli.js';

const home = mkdtempSync(join(tmpdir(), 'shipyard-cli-home-'));
const model = useScriptedModel();
const stack = useStack({ workers: { kind: 'real', settings: () => model.env() } });
let env: Record<string, string>;

beforeAll(() => {
  env = { SHIPYARD_URL: stack.api.url, XDG_CONFIG_HOME: home, SHIPYARD_TOKEN: '', NO_COLOR: '' };
});

afterAll(() => {
  rmSync(home, { recursive: true, force: true });
});

const json = (stdout: string) => JSON.parse(stdout.trim().split('\n')[0]!);
const paced = (turns: ScriptTurn[]) => turns.map((t) => ({ ...t, delayMs: 3 }));

async function createProject(name: string, spec = 'A greeter, an adder and a string reverser.'): Promise<{ id: string; slug: string }> {
  const file = join(home, `${name}.txt`);
  writeFileSync(file, spec);
  const created = await runCli(['project', 'create', '--name', name, '--spec', file, '--json'], env);
  expect(created.code, created.stderr).toBe(0);
  return json(created.stdout);
}

describe('shipyard CLI', () => {
  it('without a token exits 3 naming the fix; unreachable server exits 4; bad usage exits 2', async () => {
    // Independent invocations, run side by side.
    const [none, badToken, down, missingArg, badNumber] = await Promise.all([
      runCli(['projects'], env),
      runCli(['projects'], { ...env, SHIPYARD_TOKEN: 'shy_ses_revoked' }),
      freePort().then((port) => runCli(['projects', '--server', `http://127.0.0.1:${port}`], { ...env, SHIPYARD_TOKEN: 'x' })),
      runCli(['run', 'start'], env),
      runCli(['run', 'start', 'x', '--max-sessions', 'zero'], { ...env, SHIPYARD_TOKEN: 'x' }),
    ]);
    expect(none.code).toBe(3);
    expect(none.stderr).toContain('shipyard login');
    expect(none.stderr.trim().split('\n')).toHaveLength(1);
    expect(badToken.code).toBe(3);
    expect(down.code).toBe(4);
    expect(down.stderr).toMatch(/Cannot reach the Shipyard server/);
    expect(missingArg.code).toBe(2);
    expect(badNumber.code).toBe(2);
  }, 60_000);

  it('signs up, stores the token 0600, and knows who is signed in', async () => {
    const email = `cli-${randomBytes(4).toString('hex')}@example.com`;
    const signup = await runCli(['signup', '--email', email, '--password', 'correct horse battery', '--name', 'Ada'], env);
    expect(signup.code, signup.stderr).toBe(0);
    const file = join(home, 'shipyard', 'credentials.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const whoami = await runCli(['whoami', '--json'], env);
    expect(json(whoami.stdout).user).toMatchObject({ email, name: 'Ada' });
    expect((await runCli(['logout'], env)).code).toBe(0);
    expect((await runCli(['whoami'], env)).code).toBe(3);
    const wrong = await runCli(['login', '--email', email, '--password', 'wrong password!'], env);
    expect(wrong.code).toBe(3);
    expect((await runCli(['login', '--email', email], { ...env, SHIPYARD_PASSWORD: 'correct horse battery' })).code).toBe(0);
    expect((await runCli(['whoami'], env)).stdout).toContain(email);
    expect((await runCli(['login', '--email', email], env)).code).toBe(2); // no password and no terminal to ask on

    // On a terminal the password is asked for, and not echoed.
    const prompted = startCli(['login', '--email', email], env, { tty: true, input: true });
    await until(() => prompted.stdout().includes('Password:'), 30_000, 'the password prompt');
    prompted.write('correct horse battery\r');
    const loggedIn = await prompted.result;
    expect(loggedIn.code, loggedIn.stdout).toBe(0);
    expect(loggedIn.stdout).toContain(`Signed in as ${email}`);
    expect(loggedIn.stdout).not.toContain('correct horse');
  }, 90_000);

  it('creates a project from app_spec.txt and runs it to SUCCEEDED with --follow (on a TTY: a progress line redrawn in place)', async () => {
    const specFile = join(home, 'app_spec.txt');
    writeFileSync(specFile, '<project_specification>\n  <project_name>Greeter Suite</project_name>\n  <overview>A greeter, an adder and a reverser.</overview>\n</project_specification>\n');
    const created = await runCli(['project', 'create', '--spec', specFile], env);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain('Created project Greeter Suite');
    const projects = json((await runCli(['projects', '--json'], env)).stdout);
    const project = projects.find((p: any) => p.name === 'Greeter Suite');
    expect(project).toBeDefined();

    model.enqueue(...paced(initializerSession()), ...[0, 1, 2].flatMap((k) => paced(codingSession(k))));
    const follow = await runCli(['run', 'start', 'Greeter Suite', '--follow'], env, { tty: true });
    expect(follow.code, follow.stdout).toBe(0);
    expect(follow.stdout).toContain('run SUCCEEDED');
    expect(follow.stdout).toContain('\x1b['); // colours
    // The status line is rewritten in place (carriage return + erase line), and its counts change as features pass.
    const redraws = follow.stdout.split('\r\x1b[2K').filter((segment) => segment.startsWith('['));
    const counts = new Set(redraws.map((s) => /(\d+\/\d+) features/.exec(s)?.[1]).filter(Boolean));
    expect(redraws.length).toBeGreaterThan(5);
    expect(counts).toContain('3/3');
    expect(counts.size).toBeGreaterThan(1);

    const runId = /Started run (\S+)/.exec(follow.stdout)![1]!;
    const [plain, tailJson, listed, featureTable, workItems] = await Promise.all([
      runCli(['run', 'tail', runId], env),
      runCli(['run', 'tail', runId, '--json', '--after-seq', '3'], env),
      runCli(['features', project.slug, '--json'], env),
      runCli(['features', project.slug], env),
      runCli(['work-items', project.id, '--json'], env),
    ]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).not.toContain('\x1b[');
    expect(plain.stdout).toMatch(/#1 ● status /);
    expect(plain.stdout).toContain('→ bash: node --test');
    expect(plain.stdout).toMatch(/↳ ok · \d+ lines?/);
    expect(plain.stdout).toContain('■ run SUCCEEDED (all_features_passing)');

    const events = tailJson.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(events[0].seq).toBe(4);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 4));
    expect(events.at(-1)).toMatchObject({ type: 'COMPLETE', payload: { status: 'SUCCEEDED' } });

    expect(listed.code, listed.stderr).toBe(0);
    const features = json(listed.stdout);
    expect(features).toMatchObject({ total: 3, passing: 3 });
    expect(features.features.map((f: any) => f.description)).toEqual(FEATURES);
    expect(featureTable.stdout).toContain('3/3 passing');
    expect(workItems.code, workItems.stderr).toBe(0);
    expect(json(workItems.stdout)).toEqual([]);
  }, 120_000);

  it('exits 1 when the followed run FAILS', async () => {
    const project = await createProject('Doomed');
    model.enqueue({ error: { status: 400, type: 'invalid_request_error', message: 'scripted refusal' } });
    const follow = await runCli(['run', 'start', project.slug, '--follow', '--max-sessions', '2'], env);
    expect(follow.code, follow.stdout + follow.stderr).toBe(1);
    expect(follow.stdout).toContain('run FAILED');
    model.clear();
  }, 60_000);

  it('stops a run from another process; the tail exits 1 with CANCELLED', async () => {
    const project = await createProject('Stoppable');
    model.enqueue(...initializerSession(), bash(`sleep ${61 + (process.pid % 17)}.25`, 'Waiting.'), say('unreachable'));
    const started = json((await runCli(['run', 'start', project.slug, '--json'], env)).stdout);
    expect(started.status).toBe('QUEUED');
    const tail = startCli(['run', 'tail', started.id], env);
    await until(() => tail.stdout().includes('→ bash: sleep'), 60_000, 'the agent to start sleeping');
    const stop = await runCli(['run', 'stop', started.id, '--json'], env);
    expect(stop.code, stop.stderr).toBe(0);
    const tailed = await tail.result;
    expect(tailed.code).toBe(1);
    expect(tailed.stdout).toContain('run CANCELLED');
    expect((await runCli(['run', 'stop', started.id], env)).code).toBe(1); // already finished: the server's CONFLICT
    model.clear();
  }, 90_000);
});
