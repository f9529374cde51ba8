// Recognises test commands in a checked command list, so their runs become TestResult rows and TEST events.
const TEST_PATTERNS: Array<(words: string[]) => boolean> = [
  (w) => w[0] === 'npm' && (w[1] === 'test' || w[1] === 't' || (w[1] === 'run' && /^test/.test(w[2] ?? ''))),
  (w) => w[0] === 'npm' && w[1] === 'run-script' && /^test/.test(w[2] ?? ''),
  (w) => w[0] === 'node' && w.includes('--test'),
  (w) => w[0] === 'npx' && ['vitest', 'jest', 'mocha', 'playwright', 'ava', 'tap'].includes(w.find((x, i) => i > 0 && !x.startsWith('-')) ?? ''),
  (w) => /^(\.\/)?(test|tests|run[-_]tests?)\.sh$/.test(w[0]),
  (w) => ['pytest', 'vitest', 'jest', 'mocha'].includes(w[0]),
];

export function isTestCommand(commands: string[][]): boolean {
  return commands.some((words) => TEST_PATTERNS.some((matches) => matches(words)));
}
