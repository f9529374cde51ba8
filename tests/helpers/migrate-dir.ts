// A migrator process for tests: applies the migrations of one folder (argv: database URL, folder) and exits.
import { applyMigrations } from '../../src/db/migrations.js';

const [url, dir] = process.argv.slice(2);
const applied = await applyMigrations(url!, { dir: dir!, log: (message) => console.log(message) });
console.log(`APPLIED ${JSON.stringify(applied)}`);
