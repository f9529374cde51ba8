// A long rate limit during the independent verifier session parks the run like one during a coding session
// (PAUSED, rate_limited, resumeAt) and the timer job resumes it by itself. The claim is neither lost nor accepted
// unverified: decisions made before the limit stand, the parked claim is verified again by a fresh verifier on
// resume, and the next session is told about every refusal. Real worker, queue, SDK and scripted Messages API.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunQueue, type RunQueue } from '../src/queue/run-queue.js';
import { startRun } from '../src/runs/start.js';
import { agentRuntime } from '../worker/agent/runtime.js';
import { startWorker, type StartedWorker } from '../worker/start-worker.js';
import { untilValue as until } from './helpers/processes.js';
import { bash, editor, say, tool, type RecordedRequest } from './helpers/scripted-anthropic.js';
import { eventsOf, featureListText, seedInitialized, seedProject, useRuntimeHarness } from './helpers/runtime-fixtures.js';
import { withEnv } from './helpers/process-settings.js';

const NAMES = ['Alpha', 'Beta'];
const flip = (i: number) =>
  editor({ command: 'str_replace', path: 'feature_list.json', old_str: `"check ${NAMES[i]}"], "passes": false`, new_str: `"check ${NAMES[i]}"], "passes": true` });
const verdict = (v: 'pass' | 'fail', output: string, commands: string[]) => tool('submit_verdict', { verdict: v, commands, output });
const firstMessage = (request: RecordedRequest) => JSON.stringify(request.body.messages[0].content);

describe('a rate limit during verification', () => {
  const h = useRuntimeHarness();
  let runQueue: RunQueue;
  let worker: StartedWorker | undefined;
  const queueName = `verifier-rate-limit-${randomBytes(4).toString('hex')}`;
  const runRow = (runId: string) => h.db.agentRun.findUniqueOrThrow({ where: { id: runId } });

  beforeAll(async () => {
    runQueue = createRunQueue({ connection: h.redis, name: queueName });
    worker = await startWorker({ agentRuntime, queueName, db: h.db, workerId: 'verifier-worker', concurrency: 1, reapIntervalMs: 60_000, drainTimeoutMs: 2_000 });
  });
  afterAll(async () => {
    await worker?.close({ force: true });
    await runQueue.close();
  });

  it('parks the run, resumes it by itself and verifies the pending claim again; earlier decisions and notes survive', async () => {
    await withEnv({ SHIPYARD_RATE_LIMIT_MAX_WAIT_MS: '200' }, async () => {
      const { project, user } = await seedProject(h);
      await seedInitialized(h, project.workspacePath, project.id, NAMES);
      const before = h.model.requests.length;
      h.model.enqueue(
        // Session 1 (coder): implements Beta, claims both.
        editor({ command: 'create', path: 'src/beta.js', file_text: 'exports.value = 2;\n' }),
        flip(0),
        flip(1),
        bash('git add -A && git commit -q -m "Alpha and Beta"'),
        say('Both done.'),
        // Verifier for Alpha: refuses it.
        verdict('fail', 'src/alpha.js does not exist', ['ls src']),
        // Verifier for Beta: a rate limit far longer than the wait budget.
        { error: { status: 429, type: 'rate_limit_error', message: 'Number of request tokens has exceeded your per-minute rate limit', retryAfter: 1 } },
        // After the automatic resume: a fresh verifier for Beta.
        bash('cat src/beta.js'),
        verdict('pass', 'exports.value = 2;', ['cat src/beta.js']),
        // Session 2 (coder): told about the refusal of Alpha.
        say('Looking at Alpha again.'),
      );
      const runId = await startRun(h.db, runQueue, { projectId: project.id, startedById: user.id, maxSessions: 2 });

      const parked = await until('the rate-limit park', () => runRow(runId), (r) => r.status !== 'RUNNING' && r.status !== 'QUEUED', 30_000);
      expect(parked).toMatchObject({ status: 'PAUSED', pausedReason: 'rate_limited', sessionsCompleted: 0 });
      expect(parked.resumeAt!.getTime()).toBeGreaterThan(Date.now() - 5_000);
      expect(h.model.requests.length - before).toBe(7); // the 429 was not retried in place
      // While parked: Alpha's refusal stands, Beta's claim is still pending (in the file, not in the rows).
      const whileParked = await h.db.feature.findMany({ where: { projectId: project.id }, orderBy: { index: 'asc' } });
      expect(whileParked.map((f) => f.passes)).toEqual([false, false]);
      expect(readFileSync(join(project.workspacePath, 'feature_list.json'), 'utf8')).toContain('"description": "Beta",\n    "steps": [\n      "open the app",\n      "check Beta"\n    ],\n    "passes": true');
      expect(await h.db.featureVerification.count({ where: { runId } })).toBe(1);

      const done = await until('the automatic resume', () => runRow(runId), (r) => r.status === 'STOPPED' || r.status === 'FAILED' || r.status === 'SUCCEEDED', 30_000);
      expect(done).toMatchObject({ status: 'STOPPED', stopReason: 'max_sessions', sessionsCompleted: 2, pausedReason: null, resumeAt: null });
      const requests = h.model.requests.slice(before);
      expect(requests).toHaveLength(10); // the coder did not run again: the verification continued
      // The resumed verifier is a fresh context for Beta, with nothing of the coder's conversation.
      expect(firstMessage(requests[7])).toContain('Feature #1 (functional): Beta');
      expect(requests[7].body.messages).toHaveLength(1);
      // The next session is told about Alpha's refusal, decided before the park.
      expect(firstMessage(requests[9])).toMatch(/did not accept the claim that feature #0 passes/);

      const features = await h.db.feature.findMany({ where: { projectId: project.id }, orderBy: { index: 'asc' }, include: { verifications: { orderBy: { createdAt: 'asc' } } } });
      expect(features.map((f) => f.passes)).toEqual([false, true]);
      expect(features[1].verifiedAt).not.toBeNull();
      expect(features[0].verifications).toEqual([expect.objectContaining({ accepted: false, verdict: 'fail', verdictOutput: 'src/alpha.js does not exist' })]);
      expect(features[1].verifications).toEqual([expect.objectContaining({ accepted: true, verdict: 'pass', verdictCommands: ['cat src/beta.js'], verdictOutput: 'exports.value = 2;' })]);
      expect(readFileSync(join(project.workspacePath, 'feature_list.json'), 'utf8')).toBe(`${JSON.stringify(JSON.parse(featureListText(NAMES, [false, true])), null, 2)}\n`);
      const sessions = await h.db.agentSession.findMany({ where: { runId }, orderBy: { number: 'asc' } });
      expect(sessions.map((s) => [s.number, s.newlyPassing, s.checkpoint])).toEqual([[1, 1, null], [2, 0, null]]);

      const events = await eventsOf(h.db, runId);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      const pausedStatus = events.find((e) => e.type === 'STATUS' && (e.payload as { status: string }).status === 'PAUSED')!;
      expect(pausedStatus.payload).toMatchObject({ reason: 'rate_limited', resumeAt: parked.resumeAt!.toISOString() });
      const verifierTests = events.filter((e) => e.type === 'TEST' && (e.payload as { kind?: string }).kind === 'VERIFIER').map((e) => (e.payload as { passed: boolean }).passed);
      expect(verifierTests).toEqual([false, true]);
    });
  });
});
