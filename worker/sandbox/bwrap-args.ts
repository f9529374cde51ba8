// The bubblewrap command line of one session sandbox: a read-only minimal root for the toolchain, the workspace as
// the only writable place (at the same absolute path as outside, so paths in prompts and outputs agree), a private
// /tmp and HOME, new user/pid/net/ipc/uts/mount namespaces, an unprivileged uid, and an environment built from nothing.
import { existsSync, lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const SANDBOX_UID = 65532;
export const SANDBOX_HOME = '/home/agent';
/** Where the command server script is mounted inside. */
export const SERVER_PATH = '/opt/shipyard/sandbox-server.mjs';
/** The modules the command server imports, mounted next to it. */
const SERVER_MODULES = ['command-process.mjs'];

export interface BwrapPlan {
  workspace: string;
  /** Host files made at worker start: passwd, group, hosts (see runtime-files.ts). */
  etcFiles: { passwd: string; group: string; hosts: string };
  serverScript: string;
  /** Extra variables for the agent's environment (the proxy variables in ALLOWLIST mode). */
  extraEnv?: Record<string, string>;
  tmpBytes: number;
  /** ALLOWLIST network: a host directory holding the egress proxy's unix socket, bound at PROXY_DIR inside. */
  proxySocketDir?: string;
}

const PROXY_DIR = '/run/shipyard';
export const PROXY_SOCKET = `${PROXY_DIR}/proxy.sock`;
/** The port the command server forwards to the proxy socket, on the sandbox's own loopback. */
export const PROXY_PORT = 3128;

/** What programs inside read to find the proxy (curl, npm, node's undici with NODE_USE_ENV_PROXY, git). */
function proxyEnvironment(): Record<string, string> {
  const url = `http://127.0.0.1:${PROXY_PORT}`;
  return {
    HTTP_PROXY: url,
    HTTPS_PROXY: url,
    http_proxy: url,
    https_proxy: url,
    NO_PROXY: 'localhost,127.0.0.1,::1',
    no_proxy: 'localhost,127.0.0.1,::1',
    npm_config_proxy: url,
    npm_config_https_proxy: url,
  };
}

/** Top-level directories of the toolchain: symlinks on merged-/usr systems, real directories elsewhere. */
const ROOT_LINKS = ['/bin', '/sbin', '/lib', '/lib64', '/lib32', '/libx32'];
/** Read-only pieces of /etc that programs need (TLS roots, alternatives symlinks, loader cache, time zone). */
const ETC_PIECES = ['/etc/alternatives', '/etc/ssl', '/etc/ca-certificates', '/etc/ld.so.cache', '/etc/localtime', '/etc/nsswitch.conf'];

function agentEnvironment(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: [...new Set([nodeBinDir(), '/usr/local/bin', '/usr/bin', '/bin'])].join(':'),
    HOME: SANDBOX_HOME,
    USER: 'agent',
    LOGNAME: 'agent',
    SHELL: '/bin/bash',
    LANG: 'C.UTF-8',
    TERM: 'dumb',
    TMPDIR: '/tmp',
    CI: '1',
    PAGER: 'cat',
    GIT_PAGER: 'cat',
    GIT_TERMINAL_PROMPT: '0',
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    ...extra,
  };
}

/** The directory of the node binary the worker runs on (npm and npx sit next to it). */
function nodeBinDir(): string {
  return dirname(realpathSync(process.execPath));
}

export function bwrapArgs(plan: BwrapPlan): string[] {
  const args = ['--unshare-all', '--unshare-user', '--uid', String(SANDBOX_UID), '--gid', String(SANDBOX_UID), '--die-with-parent', '--new-session', '--clearenv'];
  args.push('--ro-bind', '/usr', '/usr');
  for (const dir of ROOT_LINKS) {
    if (!existsSync(dir)) continue;
    if (lstatSync(dir).isSymbolicLink()) args.push('--symlink', readlinkSync(dir), dir);
    else args.push('--ro-bind', dir, dir);
  }
  // A node installed outside /usr (nvm, /opt/node…): its whole prefix, read-only.
  const prefix = dirname(nodeBinDir());
  if (!prefix.startsWith('/usr/') && prefix !== '/usr') args.push('--ro-bind', prefix, prefix);
  for (const piece of ETC_PIECES) args.push('--ro-bind-try', piece, piece);
  args.push('--ro-bind', plan.etcFiles.passwd, '/etc/passwd', '--ro-bind', plan.etcFiles.group, '/etc/group', '--ro-bind', plan.etcFiles.hosts, '/etc/hosts');
  args.push('--proc', '/proc', '--dev', '/dev');
  args.push('--size', String(plan.tmpBytes), '--tmpfs', '/tmp');
  args.push('--tmpfs', '/home', '--dir', SANDBOX_HOME);
  args.push('--ro-bind', plan.serverScript, SERVER_PATH);
  for (const module of SERVER_MODULES) args.push('--ro-bind', join(dirname(plan.serverScript), module), join(dirname(SERVER_PATH), module));
  args.push('--bind', plan.workspace, plan.workspace, '--chdir', plan.workspace);
  if (plan.proxySocketDir) args.push('--bind', plan.proxySocketDir, PROXY_DIR);
  const env = agentEnvironment({ ...(plan.proxySocketDir ? proxyEnvironment() : {}), ...plan.extraEnv });
  for (const [key, value] of Object.entries(env)) args.push('--setenv', key, value);
  return args;
}
