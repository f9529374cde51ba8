// What the platform adds to an agent's own system prompt, and the first user message of each session.
export function platformNotes(root: string, allowedCommands: readonly string[]): string {
  return [
    '## Platform notes',
    `- Your working directory is ${root}. Every path you use must stay inside it; prefer paths relative to it.`,
    '- Each bash command runs in a fresh shell in that directory (a `cd` does not carry over), with a timeout and an output limit.',
    '- Test commands (npm test, node --test, the run_tests tool) are recorded as test results; commits are recorded too.',
    `- Allowed commands: ${allowedCommands.join(', ')}. Variables ($VAR), command substitution, subshells, here-documents and \`bash -c\` are refused; write files with the editor tool instead.`,
    '- Long-running servers you start in the background are stopped when the session ends.',
    '- feature_list.json is enforced by the platform: after it exists, only changing "passes" from false to true is accepted.',
  ].join('\n');
}

export function kickoffMessage(kind: 'INITIALIZER' | 'CODING' | 'CUSTOM', sessionNumber: number, restarted: boolean, leftovers: string[], notes: string[] = []): string {
  const lines: string[] = [];
  if (kind === 'INITIALIZER') lines.push(`Session ${sessionNumber}: set up the project from app_spec.txt as your instructions describe.`);
  else lines.push(`Session ${sessionNumber}: continue the project. Start by getting your bearings, then work on the first feature in feature_list.json that is not passing yet.`);
  if (restarted) lines.push('An earlier attempt at this session was interrupted before it finished; check the state of the workspace before you continue.');
  if (leftovers.length) {
    lines.push(`The workspace has uncommitted changes left from before (kept as they were):\n${leftovers.slice(0, 30).join('\n')}${leftovers.length > 30 ? `\n… and ${leftovers.length - 30} more` : ''}`);
  }
  lines.push(...notes);
  return lines.join('\n\n');
}
