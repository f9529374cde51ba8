// Where the CLI talks to and with which token: --server, SHIPYARD_URL or http://localhost:4000; SHIPYARD_TOKEN, else the
// token `shipyard login` stored (0600) under $XDG_CONFIG_HOME/shipyard/ (default ~/.config/shipyard/), per server.
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

const DEFAULT_SERVER = 'http://localhost:4000';

export const serverUrl = (flag: string | undefined) => (flag ?? process.env.SHIPYARD_URL ?? DEFAULT_SERVER).replace(/\/+$/, '');

const configDir = () => join(process.env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'shipyard');
export const credentialsFile = () => join(configDir(), 'credentials.json');

interface Credentials {
  servers: Record<string, { token: string; email?: string }>;
}

async function readCredentials(): Promise<Credentials> {
  try {
    const parsed = JSON.parse(await readFile(credentialsFile(), 'utf8')) as Partial<Credentials>;
    return { servers: parsed.servers ?? {} };
  } catch {
    return { servers: {} };
  }
}

export async function storedToken(server: string): Promise<string | undefined> {
  if (process.env.SHIPYARD_TOKEN) return process.env.SHIPYARD_TOKEN;
  return savedToken(server);
}

/** The token `shipyard login` saved for this server (SHIPYARD_TOKEN aside). */
export async function savedToken(server: string): Promise<string | undefined> {
  return (await readCredentials()).servers[server]?.token;
}

export async function saveToken(server: string, token: string, email: string): Promise<string> {
  const credentials = await readCredentials();
  credentials.servers[server] = { token, email };
  await mkdir(configDir(), { recursive: true, mode: 0o700 });
  const file = credentialsFile();
  await writeFile(file, JSON.stringify(credentials, null, 2) + '\n', { mode: 0o600 });
  await chmod(file, 0o600); // also when the file already existed with wider permissions
  return file;
}

export async function forgetToken(server: string): Promise<boolean> {
  const credentials = await readCredentials();
  if (!credentials.servers[server]) return false;
  delete credentials.servers[server];
  if (Object.keys(credentials.servers).length) await writeFile(credentialsFile(), JSON.stringify(credentials, null, 2) + '\n', { mode: 0o600 });
  else await rm(credentialsFile(), { force: true });
  return true;
}
