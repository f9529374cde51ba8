// The scripted model's side of a quickstart run: an initializer session that plans three features, then one coding
// session per feature (create a file and its test, run the tests, flip the feature, commit), each followed by the
// verifier's verdict on the claimed feature.
import { bash, editor, say, tool, type ScriptTurn, type ScriptUsage } from './scripted-anthropic.js';
import { featureListText } from './runtime-fixtures.js';

export const USAGE: ScriptUsage = { input_tokens: 1200, output_tokens: 300, cache_read_input_tokens: 800, cache_creation_input_tokens: 150 };
export const FEATURES = ['Greets the user', 'Adds two numbers', 'Reverses a string'];

export function initializerSession(): ScriptTurn[] {
  return [
    {
      content: [
        { type: 'text', text: 'I will write the feature list, init.sh and the progress notes.' },
        { type: 'tool_use', name: 'str_replace_based_edit_tool', input: { command: 'create', path: 'feature_list.json', file_text: featureListText(FEATURES) } },
        { type: 'tool_use', name: 'str_replace_based_edit_tool', input: { command: 'create', path: 'init.sh', file_text: '#!/bin/sh\necho ready\n' } },
        { type: 'tool_use', name: 'str_replace_based_edit_tool', input: { command: 'create', path: 'claude-progress.txt', file_text: 'Session 1: planned 3 features.\n' } },
      ],
      usage: USAGE,
    },
    bash('chmod +x init.sh && git add -A && git commit -q -m "Initial plan: feature list and init.sh"', undefined, USAGE),
    say('The project is initialized.', USAGE),
  ];
}

export function codingSession(k: number): ScriptTurn[] {
  const name = FEATURES[k];
  return [
    {
      content: [
        { type: 'tool_use', name: 'str_replace_based_edit_tool', input: { command: 'create', path: `src/feature${k}.js`, file_text: `exports.value = ${k};\n` } },
        {
          type: 'tool_use',
          name: 'str_replace_based_edit_tool',
          input: { command: 'create', path: `test/feature${k}.test.js`, file_text: `const test = require('node:test');\nconst assert = require('node:assert');\ntest('feature ${k}', () => assert.equal(require('../src/feature${k}.js').value, ${k}));\n` },
        },
      ],
      usage: USAGE,
    },
    bash('node --test', 'Running the tests.', USAGE),
    editor({ command: 'str_replace', path: 'feature_list.json', old_str: `"${name}", "steps": ["open the app", "check ${name}"], "passes": false`, new_str: `"${name}", "steps": ["open the app", "check ${name}"], "passes": true` }, USAGE),
    bash(`git add -A && git commit -q -m "Implement: ${name}"`, undefined, USAGE),
    say(`Feature ${k} is done.`, USAGE),
    // The platform's independent verifier checks the claimed feature when the session ends.
    tool('submit_verdict', { verdict: 'pass', commands: ['node --test'], output: `ok - feature ${k}` }, USAGE),
  ];
}
