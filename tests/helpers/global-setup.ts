import { applyMigrations } from '../../src/db/migrations.js';
import { adminQuery, databaseUrl, templateName } from './postgres.js';

/** Builds the migrated template database once per test run; test files clone it and drop their clone. */
export default async function setup() {
  const template = templateName();
  const exists = await adminQuery('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
  if (exists.rowCount === 0) {
    const building = `${template}_building`;
    await adminQuery(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`);
    await adminQuery(`CREATE DATABASE "${building}"`);
    await applyMigrations(databaseUrl(building));
    await adminQuery(`ALTER DATABASE "${building}" RENAME TO "${template}"`);
  }
}
