// Prisma's own schema engine, published as WebAssembly, so migrations run without the native binary the CLI downloads.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import { PrismaPg } from '@prisma/adapter-pg';
import { randomUUID } from 'node:crypto';
import pg, { type PoolConfig } from 'pg';
import * as glue from '@prisma/schema-engine-wasm/schema_engine_bg';
import type { SchemaEngine as SchemaEngineType } from '@prisma/schema-engine-wasm/schema_engine_bg';
import { poolConfigFromUrl } from './pool-config.js';

const PG_CHAR_OID = 18;
const PG_BPCHAR_OID = 1042;

/**
 * The engine introspects pg_catalog columns of type "char", which adapter-pg cannot map; report them as bpchar
 * (text) so describing a schema (diff, drift checks) works.
 */
class IntrospectionSafePool extends pg.Pool {
  override query(...args: unknown[]): any {
    const result = (super.query as (...a: unknown[]) => Promise<pg.QueryResult>)(...args);
    return result.then((res) => {
      for (const field of res.fields ?? []) if (field.dataTypeID === PG_CHAR_OID) field.dataTypeID = PG_BPCHAR_OID;
      return res;
    });
  }
}

/** adapter-pg drops its shadow database before closing the pool that still uses it; close first, then drop. */
class ShadowSafePrismaPg extends PrismaPg {
  constructor(private readonly poolConfig: PoolConfig) {
    const pool = new IntrospectionSafePool(poolConfig);
    super(pool);
    this.pool = pool;
  }

  private readonly pool: pg.Pool;

  async close() {
    await this.pool.end();
  }

  override async connectToShadowDb() {
    const admin = await new PrismaPg(this.poolConfig).connect();
    const database = `prisma_shadow_${randomUUID().replaceAll('-', '')}`;
    await admin.executeScript(`CREATE DATABASE "${database}"`);
    const shadowPool = new IntrospectionSafePool({ ...this.poolConfig, database, max: 1 });
    const shadow = await new PrismaPg(shadowPool).connect();
    shadow.dispose = async () => {
      await shadowPool.end();
      await admin.executeScript(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      await admin.dispose();
    };
    return shadow;
  }
}

let loaded: Promise<typeof glue> | undefined;

/** Instantiates the wasm module once per process (Node 20 cannot import .wasm as ESM). */
function loadEngineModule(): Promise<typeof glue> {
  loaded ??= (async () => {
    (globalThis as Record<string, unknown>).PRISMA_WASM_PANIC_REGISTRY ??= { set_message: () => {} };
    const require = createRequire(import.meta.url);
    const gluePath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const wasmPath = join(dirname(gluePath), 'schema_engine_bg.wasm');
    const bytes = await readFile(wasmPath);
    // A plain copy of the glue module: its namespace object has no index signature, so it is not ModuleImports.
    const { instance } = await WebAssembly.instantiate(bytes, { './schema_engine_bg.js': { ...glue } });
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports as { __wbindgen_start: () => void }).__wbindgen_start();
    return glue;
  })();
  return loaded;
}

/** Opens the engine on a database and always frees it (its pg pool would otherwise keep the process alive). */
export async function withSchemaEngine<T>(
  databaseUrl: string,
  work: (engine: SchemaEngineType) => Promise<T>,
  log: (message: string) => void = () => {},
): Promise<T> {
  const mod = await loadEngineModule();
  const factory = new ShadowSafePrismaPg(poolConfigFromUrl(databaseUrl));
  const engine = await mod.SchemaEngine.new({ datamodels: undefined }, log, bindMigrationAwareSqlAdapterFactory(factory));
  try {
    return await work(engine);
  } finally {
    engine.free();
    await factory.close();
  }
}
