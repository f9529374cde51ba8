// Private Postgres and Redis servers for fault tests and bench:recovery: their own data directories and random
// ports, so stopping and restarting them never disturbs the shared servers other tests use.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { queryDatabase } from './postgres.js';
import { migrationsDir } from '../../src/db/migrations.js';
import { freePort } from './processes.js';

const PG_BIN = process.env.TEST_PG_BIN ?? findPgBin();

function findPgBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  return join(root, versions[0]!, 'bin');
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface OwnPostgres {
  url: string;
  port: number;
  /** Stops the server (fast shutdown: sessions are cut, as in a crash or a restart). */
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

/** postgres refuses to run as root: as root, the cluster belongs to the `postgres` user and its tools run as that user. */
function asPgUser(file: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args];
}

function run(file: string, args: string[]): void {
  const [f, a] = asPgUser(file, args);
  execFileSync(f, a, { stdio: 'pipe' });
}

/** A fresh cluster (initdb, trust auth) with one database holding the schema of prisma/migrations. */
export async function startOwnPostgres(): Promise<OwnPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'shipyard-faults-pg-'));
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  const port = await freePort();
  run(join(PG_BIN, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60`;
  const ctl = (args: string[]) => run(join(PG_BIN, 'pg_ctl'), ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', '-t', '30', ...args]);
  ctl(['start']);
  const adminUrl = `postgresql://postgres@127.0.0.1:${port}/postgres`;
  await queryDatabase(adminUrl, 'CREATE DATABASE shipyard');
  const url = `postgresql://postgres@127.0.0.1:${port}/shipyard`;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const name of readdirSync(migrationsDir).filter((d) => !d.endsWith('.toml')).sort()) {
      await client.query(readFileSync(join(migrationsDir, name, 'migration.sql'), 'utf8'));
    }
  } finally {
    await client.end();
  }
  let running = true;
  return {
    url,
    port,
    async stop() {
      if (!running) return;
      ctl(['stop', '-m', 'fast']);
      running = false;
    },
    async start() {
      if (running) return;
      ctl(['start']);
      running = true;
    },
    async destroy() {
      if (running) ctl(['stop', '-m', 'immediate']);
      running = false;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}


export interface OwnRedis {
  url: string;
  port: number;
  aof: boolean;
  /** Shuts the server down (SIGTERM: with AOF its data survives, without it the data is gone). */
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

export async function startOwnRedis(opts: { aof: boolean }): Promise<OwnRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'shipyard-faults-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', opts.aof ? 'yes' : 'no'];
    if (opts.aof) args.push('--appendfsync', 'always');
    child = spawn('redis-server', args, { stdio: 'ignore' });
    for (let i = 0; i < 200; i++) {
      try {
        execFileSync('redis-cli', ['-p', String(port), 'ping'], { stdio: 'pipe' });
        return;
      } catch {
        await wait(25);
      }
    }
    throw new Error(`redis-server on port ${port} did not start`);
  };
  const stop = async () => {
    const current = child;
    if (!current || current.exitCode !== null) return;
    const exited = new Promise((resolve) => current.once('exit', resolve));
    current.kill('SIGTERM');
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    aof: opts.aof,
    stop,
    start,
    async destroy() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
