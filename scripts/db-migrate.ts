// npm run db:migrate — applies prisma/migrations to DATABASE_URL (or the embedded database) without network.
import { loadConfigOrExit } from '../src/config/index.js';

loadConfigOrExit();
const { applyMigrations } = await import('../src/db/migrations.js');
const { resolveDatabaseUrl } = await import('../src/db/database-url.js');

const { url, close } = await resolveDatabaseUrl();
try {
  const applied = await applyMigrations(url, { log: (message) => console.log(message) });
  console.log(applied.length ? `Applied ${applied.length} migration(s): ${applied.join(', ')}` : 'Database is up to date.');
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
} finally {
  await close();
}
process.exit(process.exitCode ?? 0);
