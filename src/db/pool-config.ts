import type { PoolConfig } from 'pg';

/**
 * Discrete fields instead of a connection string: adapter-pg builds its shadow database pool by overriding
 * `database`, which a connectionString would silently win over.
 */
export function poolConfigFromUrl(databaseUrl: string, max?: number): PoolConfig {
  const url = new URL(databaseUrl);
  const schema = url.searchParams.get('schema');
  return {
    host: decodeURIComponent(url.hostname) || '127.0.0.1',
    port: url.port ? Number(url.port) : 5432,
    user: decodeURIComponent(url.username) || 'postgres',
    password: url.password ? decodeURIComponent(url.password) : undefined,
    database: decodeURIComponent(url.pathname.slice(1)) || 'postgres',
    ...(max ? { max } : {}),
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  };
}
