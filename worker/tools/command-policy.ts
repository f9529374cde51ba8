// Parses a bash command line with a small, strict tokenizer and checks it against an agent's allowlist and the
// workspace boundary. Anything this parser cannot reason about (substitutions, subshells, variables, here-docs…) is
// refused rather than guessed at. A guardrail for a cooperative agent, not a sandbox.
import { existsSync, lstatSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, resolve, sep } from 'node:path';
import { ParseRefusal, simpleCommands, tokenize, type SimpleCommand } from './command-parser.js';

export type PolicyDecision = { ok: true; commands: string[][] } | { ok: false; reason: string };

/** Absolute paths every command may name: the null device and friends. */
const SAFE_ABSOLUTE = new Set(['/dev/null', '/dev/stdout', '/dev/stderr', '/dev/stdin', '/dev/zero', '/dev/urandom', '/dev/random']);
const SHELLS = new Set(['bash', 'sh', 'zsh', 'dash', 'ksh', 'fish', 'csh', 'tcsh']);
const NEVER = new Map([
  ['eval', 'eval runs arbitrary text as a command'],
  ['exec', 'exec replaces the shell'],
  ['source', 'source runs a script in the shell'],
  ['.', '. runs a script in the shell'],
  ['sudo', 'sudo is never available'],
  ['su', 'su is never available'],
  ['xargs', 'xargs runs commands the policy cannot see'],
  ['env', 'env can run commands the policy cannot see'],
  ['nohup', 'nohup runs commands the policy cannot see'],
  ['timeout', 'timeout runs commands the policy cannot see'],
  ['command', 'command runs commands the policy cannot see'],
  ['builtin', 'builtin runs commands the policy cannot see'],
]);
/** Variables that change what programs load or which config/scripts they run. */
const DANGEROUS_VARIABLES = /^(GIT_.*|LD_.*|NODE_OPTIONS|NODE_PATH|BASH_ENV|ENV|PATH|SHELLOPTS|BASHOPTS|PS4|PROMPT_COMMAND|IFS|HOME|npm_config_.*|NPM_CONFIG_.*|PYTHONSTARTUP|PERL5OPT)$/i;
/** git config keys an agent may set: identity and plain behaviour, nothing that names a program or another file. */
const GIT_CONFIG_WRITABLE = /^(user\.(name|email)|init\.defaultbranch|commit\.gpgsign|color\.ui|pull\.rebase|advice\.[a-z]+)$/i;
/** pkill -f patterns that could match the platform's own command lines. */
const PLATFORM_PROCESS_PATTERN = /server\.ts|worker|shipyard|tsx|vitest|postgres|redis|bullmq|node_modules|spawner|sandbox|bwrap|^node$|^\.|^\*/i;
/** Process names pkill may never target: they would match the worker itself or its siblings. */
const PROTECTED_PROCESS_NAMES = new Set(['node', 'tsx', 'bash', 'sh', 'npm', 'postgres', 'redis-server', 'git']);


const isInside = (root: string, target: string) => target === root || target.startsWith(root + sep);

/** Checks a path-like word: absolute paths must be inside the workspace, relative ones may not climb out of it. */
function checkPath(word: string, root: string, realRoot: string): string | null {
  if (word.startsWith('-')) {
    // Options glued to a value: --prefix=/x, -o/x, -t/x. The value is checked as a path.
    const eq = word.indexOf('=');
    const values = [eq >= 0 ? word.slice(eq + 1) : '', word.replace(/^-[A-Za-z]+/, '')].filter((v) => v && v !== word && /^[/.~]/.test(v));
    for (const value of values) {
      if (value.startsWith('~')) return `${word} names a home directory`;
      const problem = checkPath(value, root, realRoot);
      if (problem) return problem.replace(value, word);
    }
    return null;
  }
  const value = word.includes('=') && !word.startsWith('/') && !word.startsWith('.') ? word.slice(word.indexOf('=') + 1) : word;
  if (!value) return null;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return null; // URLs are not paths
  const looksLikePath = value.includes('/') || value === '..' || value.startsWith('..');
  if (!looksLikePath) {
    // A plain name can still be a symlink in the workspace pointing elsewhere.
    if (value.startsWith('-')) return null;
    let isLink = false;
    try {
      isLink = lstatSync(resolve(root, value)).isSymbolicLink();
    } catch {
      return null;
    }
    if (!isLink) return null;
  }
  if (SAFE_ABSOLUTE.has(value)) return null;
  const target = isAbsolute(value) ? resolve(value) : resolve(root, value);
  if (!isInside(resolve(root), target) && !isInside(realRoot, target)) return `${word} points outside the project workspace`;
  // Follow symlinks on the deepest existing ancestor.
  let probe = target;
  while (!existsSync(probe) && dirname(probe) !== probe) probe = dirname(probe);
  try {
    const real = realpathSync(probe);
    if (!isInside(realRoot, real)) return `${word} resolves through a symlink to outside the project workspace`;
  } catch {
    /* a dangling symlink is harmless to name */
  }
  return null;
}

function matchesAllowlist(name: string, allowed: readonly string[]): boolean {
  if (allowed.includes(name)) return true;
  // `init.sh` given as ./init.sh or init.sh means the same file.
  if (name.startsWith('./') && allowed.includes(name.slice(2))) return true;
  if (!name.startsWith('./') && allowed.includes(`./${name}`) && name.includes('.')) return false;
  return false;
}

export function checkCommand(command: string, allowed: readonly string[], workspaceRoot: string): PolicyDecision {
  if (typeof command !== 'string' || !command.trim()) return { ok: false, reason: 'The command is empty.' };
  if (command.length > 20_000) return { ok: false, reason: 'The command is longer than 20000 characters.' };
  if (command.includes('\0')) return { ok: false, reason: 'The command contains a NUL byte.' };
  let commands: SimpleCommand[];
  try {
    commands = simpleCommands(tokenize(command));
  } catch (error) {
    if (error instanceof ParseRefusal) return { ok: false, reason: `Refused, the command cannot be checked safely: it uses ${error.message}.` };
    throw error;
  }
  if (!commands.length) return { ok: false, reason: 'The command is empty.' };
  const realRoot = realpathSync(workspaceRoot);
  const checked: string[][] = [];
  for (const cmd of commands) {
    const words = cmd.words.map((w) => w.value);
    let start = 0;
    // Leading NAME=value assignments only set the environment of this command.
    while (start < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[start])) start++;
    if (start === words.length) return { ok: false, reason: 'Refused: shell variable assignments without a command are not run.' };
    const name = words[start];
    const args = words.slice(start + 1);
    if (cmd.words[start].glob) return { ok: false, reason: `Refused: the command name "${name}" contains a wildcard.` };
    if (NEVER.has(name)) return { ok: false, reason: `Refused: "${name}" is not allowed (${NEVER.get(name)}).` };
    if (SHELLS.has(name) && args.includes('-c')) return { ok: false, reason: `Refused: "${name} -c" runs a command string the policy cannot check; run the commands directly.` };
    if (!matchesAllowlist(name, allowed)) {
      return { ok: false, reason: `Refused: "${name}" is not in this agent's allowed commands (${allowed.join(', ')}).` };
    }
    for (const assignment of words.slice(0, start)) {
      const variable = assignment.slice(0, assignment.indexOf('='));
      if (DANGEROUS_VARIABLES.test(variable)) return { ok: false, reason: `Refused: setting ${variable} changes what programs load or run (git config, preload, shell startup, npm scripts).` };
    }
    if (name === 'cd' && (args.length === 0 || args[0] === '-' || args[0] === '~')) return { ok: false, reason: 'Refused: a bare cd (or cd -) leaves the workspace; cd into a directory inside it.' };
    if ((name === 'npx' && args.some((a) => a === '-c' || a === '--call' || a.startsWith('--call=')))
      || (name === 'npm' && ['exec', 'x'].includes(args.find((a) => !a.startsWith('-')) ?? '') && args.some((a) => a === '-c' || a === '--call' || a.startsWith('--call=')))) {
      return { ok: false, reason: `Refused: "${name} -c" runs a command string the policy cannot check.` };
    }
    if (name === 'git') {
      const sub = args.find((a) => !a.startsWith('-'));
      if (sub === 'config') {
        const key = args.slice(args.indexOf('config') + 1).find((a) => !a.startsWith('-'));
        const reading = args.some((a) => ['--get', '--get-all', '--list', '-l', '--get-regexp'].includes(a));
        if (!reading && key && !GIT_CONFIG_WRITABLE.test(key)) return { ok: false, reason: `Refused: git config ${key} could make git run programs; agents may set only user.name, user.email and similar plain settings.` };
      }
    }
    if (name === 'find' && args.some((a) => /^-(exec|execdir|ok|okdir|delete|fprint|fprintf|fls)$/.test(a))) {
      return { ok: false, reason: 'Refused: find with -exec/-delete/-fprint runs or writes things the policy cannot check.' };
    }
    if (name === 'pkill' || name === 'killall') {
      const pattern = args.filter((a) => !a.startsWith('-')).at(-1);
      if (!pattern) return { ok: false, reason: `Refused: ${name} needs a process pattern.` };
      if (pattern.length < 4 || PLATFORM_PROCESS_PATTERN.test(pattern)) {
        return { ok: false, reason: `Refused: "${name} ${pattern}" could match the platform's own processes; name your own process more specifically (e.g. pkill -f "node server.js").` };
      }
      if (PROTECTED_PROCESS_NAMES.has(pattern)) {
        return { ok: false, reason: `Refused: "${name} ${pattern}" would also kill the platform's own processes; use a specific pattern with -f (e.g. pkill -f "node server.js").` };
      }
    }
    if (name === 'git' && args.some((a) => a === '--exec-path' || a.startsWith('--exec-path=') || a === '-c' || a.startsWith('--config-env'))) {
      return { ok: false, reason: 'Refused: git -c / --exec-path / --config-env can run arbitrary programs.' };
    }
    for (const word of [...words.slice(0, start), ...args]) {
      const problem = checkPath(word, workspaceRoot, realRoot);
      if (problem) return { ok: false, reason: `Refused: ${problem}. Commands may only touch files inside the workspace.` };
    }
    for (const target of cmd.redirects) {
      const problem = checkPath(target.value.includes('/') ? target.value : `./${target.value}`, workspaceRoot, realRoot);
      if (problem) return { ok: false, reason: `Refused: redirection target ${problem.replace('./', '')}.` };
    }
    checked.push(words.slice(start));
  }
  return { ok: true, commands: checked };
}
