// The strict tokenizer behind command-policy.ts: a bash command line into simple commands (words and redirection
// targets). It throws ParseRefusal on anything it cannot reason about (substitutions, subshells, variables, here-docs…).

type Token = { kind: 'word'; value: string; glob: boolean } | { kind: 'op'; value: string };

export class ParseRefusal extends Error {}

const LIST_OPS = new Set(['&&', '||', ';', '|', '&', '|&']);
const REDIRECT_OPS = new Set(['>', '>>', '<', '>|', '&>', '&>>', '<>']);

export function tokenize(line: string): Token[] {
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
export type SimpleCommand = { words: Word[]; redirects: Word[] };

export function simpleCommands(tokens: Token[]): SimpleCommand[] {
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
