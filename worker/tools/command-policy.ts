// Parses a bash command line with a small, strict tokenizer and checks it against an agent's allowlist and the
// workspace boundary. Anything this parser cannot reason about (substitutions, subshells, variables, here-docs…) is
// refused rather than guessed at. A guardrail for a cooperative agent, not a sandbox.
import { existsSync, lstatSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, resolve, sep } from 'node:path';

export type PolicyDecision = { ok: true; commands: string[][] } | { ok: false; reason: string };

type Token = { kind: 'word'; value: string; glob: boolean } | { kind: 'op'; value: string };

class ParseRefusal extends Error {}

const LIST_OPS = new Set(['&&', '||', ';', '|', '&', '|&']);
const REDIRECT_OPS = new Set(['>', '>>', '<', '>|', '&>', '&>>', '<>']);
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

function tokenize(line: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let word: string | null = null;
  let glob = false;
  const push = () => {
    if (word !== null) tokens.push({ kind: 'word', value: word, glob });
    word = null;
    glob = false;
  };
  function refuse(what: string): never {
    throw new ParseRefusal(what);
  }
  while (i < line.length) {
    const c = line[i];
    if (c === ' ' || c === '\t') {
      push();
      i++;
    } else if (c === '\n') {
      push();
      tokens.push({ kind: 'op', value: ';' });
      i++;
    } else if (c === '#' && word === null) {
      while (i < line.length && line[i] !== '\n') i++;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) refuse('an unterminated single quote');
      word = (word ?? '') + line.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      let j = i + 1;
      let text = '';
      for (;;) {
        if (j >= line.length) refuse('an unterminated double quote');
        const d = line[j];
        if (d === '"') break;
        if (d === '$' || d === '`') refuse('a variable or command substitution inside double quotes ($ or `); use single quotes for literal text');
        if (d === '\\' && j + 1 < line.length && '"\\$`\n'.includes(line[j + 1])) {
          text += line[j + 1];
          j += 2;
          continue;
        }
        text += d;
        j++;
      }
      word = (word ?? '') + text;
      i = j + 1;
    } else if (c === '\\') {
      if (i + 1 >= line.length) refuse('a trailing backslash');
      if (line[i + 1] !== '\n') word = (word ?? '') + line[i + 1];
      i += 2;
    } else if (c === '$') {
      refuse('variable expansion or command substitution ($…); write values literally');
    } else if (c === '`') {
      refuse('command substitution with backticks');
    } else if (c === '(' || c === ')') {
      refuse('subshells or grouping with ( ); run the commands directly');
    } else if (c === '{' && word === null && (line[i + 1] === ' ' || line[i + 1] === '\n')) {
      refuse('command grouping with { }');
    } else if (c === '{' && isBraceExpansion(line, i)) {
      refuse('brace expansion ({a,b} or {1..3}); write each word out');
    } else if (c === '~' && word === null) {
      refuse('~ (home directory) paths; use paths inside the workspace');
    } else if (c === '|' || c === '&' || c === ';' || c === '<' || c === '>') {
      // A bare number right before a redirection is its file descriptor (2>, 1>>, 2>&1).
      const fd = word !== null && /^\d+$/.test(word) && (c === '<' || c === '>') ? word : null;
      if (fd !== null) word = null;
      else push();
      const three = line.slice(i, i + 3);
      const two = line.slice(i, i + 2);
      let op: string;
      if (three === '&>>') op = three;
      else if (['&&', '||', '>>', '|&', '&>', '>&', '<&', '>|', '<>'].includes(two)) op = two;
      else if (two === '<<') refuse('here-documents (<<); write the file with the editor tool instead');
      else if (two === ';;') refuse('case syntax');
      else op = c;
      if (op === '<<') refuse('here-documents');
      i += op.length;
      if (op === '>&' || op === '<&') {
        // Descriptor duplication (2>&1, >&2) is harmless; anything else after it is a file target.
        const m = /^\s*(\d+|-)/.exec(line.slice(i));
        if (m) {
          i += m[0].length;
          tokens.push({ kind: 'op', value: 'dup' });
          continue;
        }
        op = '>';
      }
      tokens.push({ kind: 'op', value: op });
    } else {
      if (c === '*' || c === '?' || c === '[') glob = true;
      word = (word ?? '') + c;
      i++;
    }
  }
  push();
  return tokens;
}

/** `{a,b}` or `{1..3}` up to the next unquoted space: bash would expand it into words the policy never saw. */
function isBraceExpansion(line: string, open: number): boolean {
  for (let j = open + 1; j < line.length; j++) {
    const d = line[j];
    if (d === '}') return /,|\.\./.test(line.slice(open + 1, j));
    if (d === ' ' || d === '\t' || d === '\n' || d === ';' || d === '|' || d === '&') return false;
  }
  return false;
}

/** Splits the tokens into simple commands: each is its words and its redirection targets. */
type Word = Extract<Token, { kind: 'word' }>;
type SimpleCommand = { words: Word[]; redirects: Word[] };

function simpleCommands(tokens: Token[]): SimpleCommand[] {
  const commands: SimpleCommand[] = [];
  let current: SimpleCommand = { words: [], redirects: [] };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === 'op' && LIST_OPS.has(t.value)) {
      if (current.words.length === 0) {
        if (current.redirects.length || t.value !== ';') throw new ParseRefusal(`an empty command before "${t.value}"`);
        continue;
      }
      commands.push(current);
      current = { words: [], redirects: [] };
    } else if (t.kind === 'op' && REDIRECT_OPS.has(t.value)) {
      const target = tokens[i + 1];
      if (!target || target.kind !== 'word') throw new ParseRefusal(`a redirection "${t.value}" without a file`);
      current.redirects.push(target);
      i++;
    } else if (t.kind === 'op' && t.value === 'dup') {
      continue;
    } else if (t.kind === 'op') {
      throw new ParseRefusal(`the operator "${t.value}"`);
    } else {
      current.words.push(t);
    }
  }
  if (current.words.length) commands.push(current);
  else if (current.redirects.length) throw new ParseRefusal('a redirection without a command');
  return commands;
}

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
