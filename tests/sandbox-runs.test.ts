// Agent runs through the real runtime (agentRuntime, real SDK against the scripted Messages API, Postgres, Redis) with
// the real bubblewrap sandbox: a session does real work (npm, node, git, a dev server in the background reached with
// curl), and hostile commands never put a platform secret into any stored event.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ALLOWED_COMMANDS } from '../src/agent-config/defaults.js';
import { sandboxProvider } from '../worker/sandbox/provider.js';
import { bash, editor, say, tool } from './helpers/scripted-anthropic.js';
import { eventsOf, seedInitialized, seedProject, startRun, useRuntimeHarness } from './helpers/runtime-fixtures.js';
import { withEnv } from './helpers/process-settings.js';

const toolResultsOf = async (h: ReturnType<typeof useRuntimeHarness>, runId: string) =>
  (await eventsOf(h.db, runId)).filter((e) => e.type === 'TOOL_RESULT').map((e) => e.payload as { name: string; output: string; isError: boolean });

describe('agent runs in the sandbox', () => {
  const h = useRuntimeHarness();

  it('the worker runs agents sandboxed here', () => {
    expect(sandboxProvider().availability().kind).toBe('bwrap');
  });

  it('does real work in one session: npm init and test, node, git add/commit/log/diff, a background dev server reached with curl', async () => {
    const { project } = await seedProject(h, { agentOverrides: { allowedCommands: [...DEFAULT_ALLOWED_COMMANDS, 'curl'], maxSessions: 1 } });
    await seedInitialized(h, project.workspacePath, project.id, ['Serves a greeting']);
    h.model.enqueue(
      bash('npm init -y > /dev/null && npm pkg set scripts.test="node --test" && npm pkg get scripts'),
      editor({ command: 'create', path: 'test/greet.test.js', file_text: "const test = require('node:test');\nconst assert = require('node:assert');\ntest('greets', () => assert.equal(require('../greet.js')('Ada'), 'Hello, Ada'));\n" }),
      editor({ command: 'create', path: 'greet.js', file_text: "module.exports = (name) => `Hello, ${name}`;\n" }),
      bash('npm test 2>&1 | tail -8'),
      bash(`node -e "console.log(require('./greet.js')('node'))"`),
      editor({ command: 'create', path: 'server.js', file_text: "require('http').createServer((req, res) => res.end(require('./greet.js')('dev server'))).listen(4173, '127.0.0.1');\n" }),
      bash('node server.js > server.log 2>&1 &'),
      bash('sleep 1 && curl -s http://127.0.0.1:4173/'),
      bash('git add -A && git commit -q -m "Greeter with a dev server" && git log --oneline -n 1 && git show --stat HEAD | tail -1'),
      say('Done for now.'),
    );
    const { runId, outcome } = await startRun(h, project.id);
    expect(outcome.status).toBe('STOPPED');
    const results = await toolResultsOf(h, runId);
    const outputs = results.filter((r) => r.name === 'bash').map((r) => r.output);
    expect(results.filter((r) => r.isError)).toEqual([]);
    expect(outputs[0]).toContain('"test": "node --test"');
    expect(outputs[1]).toMatch(/pass 1/);
    expect(outputs[2]).toBe('Hello, node');
    expect(outputs[4]).toBe('Hello, dev server');
    expect(outputs[5]).toMatch(/Greeter with a dev server[\s\S]*files? changed/);
    const commits = await h.db.commit.findMany({ where: { runId } });
    expect(commits.map((c) => c.message)).toEqual(['Greeter with a dev server']);
    const tests = await h.db.testResult.findMany({ where: { runId } });
    expect(tests.map((t) => [t.command, t.passed])).toEqual([['npm test 2>&1 | tail -8', true]]);
  });

  it("an agent's network setting reaches its sandbox: ALLOWLIST goes through the egress proxy, which refuses other hosts", async () => {
    const { project } = await seedProject(h, { agentOverrides: { allowedCommands: [...DEFAULT_ALLOWED_COMMANDS, 'curl'], maxSessions: 1, network: 'ALLOWLIST', allowedHosts: ['registry.npmjs.org'] } });
    await seedInitialized(h, project.workspacePath, project.id, ['Anything']);
    h.model.enqueue(bash('curl -sS -m 5 http://example.com/ 2>&1; curl -sS -m 5 http://127.0.0.1:5432/ 2>&1; echo'), say('Done.'));
    const { runId } = await startRun(h, project.id);
    const [result] = await toolResultsOf(h, runId);
    expect(result.output).toContain("example.com is not in this agent's network allowlist");
    expect(result.output).toMatch(/Failed to connect to 127\.0\.0\.1 port 5432/);
  });

  it('hostile commands never write a platform secret into any stored event', async () => {
    const canary = `canary-${randomBytes(12).toString('hex')}`;
    const secrets = [canary, process.env.ANTHROPIC_API_KEY!, ...(process.env.DATABASE_URL ? [process.env.DATABASE_URL] : [])];
    await withEnv({ SHIPYARD_CANARY_SECRET_TOKEN: canary }, async () => {
      const { project } = await seedProject(h, { agentOverrides: { allowedCommands: [...DEFAULT_ALLOWED_COMMANDS, 'env', 'printenv', 'bash', 'tr', 'ln', 'strings'], maxSessions: 1 } });
      await seedInitialized(h, project.workspacePath, project.id, ['Anything']);
      h.model.enqueue(
        bash('printenv'),
        bash('ps axeww'),
        bash('cat /proc/1/environ /proc/self/environ'),
        bash(`cat /proc/${process.pid}/environ`),
        bash('node -e "console.log(JSON.stringify(process.env))"'),
        bash("node -e \"const fs=require('fs');for(const p of fs.readdirSync('/proc')){try{console.log(fs.readFileSync('/proc/'+p+'/environ','utf8'))}catch{}}\""),
        bash(`ln -s /proc/${process.pid}/environ worker-env && ln -s /proc/self/environ self-env && ln -s /proc/${process.pid}/cwd worker-cwd`),
        editor({ command: 'view', path: 'worker-env' }),
        editor({ command: 'view', path: 'self-env' }),
        editor({ command: 'view', path: `/proc/${process.pid}/environ` }),
        editor({ command: 'view', path: 'worker-cwd/.env' }),
        tool('grep', { pattern: 'canary|sk-ant', path: 'worker-cwd' }),
        tool('grep', { pattern: 'canary|sk-ant', path: '/proc/self' }),
        tool('glob', { pattern: '**/environ', path: '/proc' }),
        say('Nothing found.'),
      );
      const { runId, outcome } = await startRun(h, project.id);
      // Output full of NUL bytes (environ files) is stored, not a reason for the run to fail.
      expect(outcome.status).toBe('STOPPED');
      const stored = JSON.stringify((await eventsOf(h.db, runId)).map((e) => e.payload));
      for (const secret of secrets) expect(stored).not.toContain(secret);
      // The attempts did run (and were answered), so the absence above means something.
      const results = await toolResultsOf(h, runId);
      expect(results).toHaveLength(14);
      expect(results[4].output).toContain('"HOME":"/home/agent"');
    });
  });
});
