/**
 * Determinism guard: the histories in ./histories (recorded by
 * scripts/record-histories.ts from real runs) are replayed against this
 * run's workflow bundle. A code change that would break running workflows
 * without a `patched()` guard fails here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { describe, expect, inject, it } from 'vitest';
import { historyFromJSON } from '../support/history-json';

Runtime.install({ logger: new DefaultLogger('WARN') });

const DIR = path.join(import.meta.dirname, 'histories');
const files = fs
  .readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();
const load = (file: string) => JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8')) as { events: Record<string, any>[] };
const options = () => ({ workflowBundle: { codePath: inject('workflowBundlePath') } });

describe('replaying stored workflow histories', () => {
  it('the stored histories cover the representative applications', () => {
    const scenarios = ['membership-approve-once', 'subsidy-add-signer', 'subsidy-returned-resubmitted-approved', 'subsidy-withdrawn', 'subsidy-sla-escalated'];
    expect(files).toEqual(
      // Each scenario as recorded before the business-status-on-change patch, after it (-v2), and after the approval
      // engine and the changed-resubmit-restarts patch (-v3, with a scenario of its own); an application moved to a new
      // chain version by the migrate Update (-v4); a form corrected with an approval (字段权限, -v4); conditions and
      // parallel branches (-v4: a group's condition, two branches, a step skipped by its condition behind step-conditions);
      // and each again on the one-write-per-transition path (-v5: one local activity per transition, the automated step
      // inside it, no older patch markers, the SLA timer left running); and four started by the API on that path outright
      // (-v6: input.path, no patch marker at all).
      expect.arrayContaining([
        ...scenarios.flatMap((n) => [`${n}.json`, `${n}-v2.json`, `${n}-v3.json`, `${n}-v5.json`]),
        'subsidy-changed-resubmit-restarts-v3.json',
        'subsidy-migrated-v4.json',
        'subsidy-form-corrected-v4.json',
        'subsidy-conditions-parallel-v4.json',
        ...['subsidy-changed-resubmit-restarts', 'subsidy-migrated', 'subsidy-conditions-parallel'].map((n) => `${n}-v5.json`),
        ...['membership-approve-once', 'subsidy-add-signer', 'subsidy-returned-resubmitted-approved', 'subsidy-sla-escalated'].map((n) => `${n}-v6.json`),
      ]),
    );
    for (const f of files) {
      const events = load(f).events;
      expect(events[0]!.eventType, f).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_STARTED');
      expect(events[events.length - 1]!.eventType, f).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED');
      // The -v5 recordings ran on the new path: its patch marker is there, and no regular activity; the -v6 ones were
      // started on it (input.path): no patch marker at all.
      if (f.endsWith('-v5.json') || f.endsWith('-v6.json')) {
        const patches = events.flatMap((e) => {
          const data = e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0]?.data as string | undefined;
          return data ? [(JSON.parse(Buffer.from(data, 'base64').toString('utf8')) as { id: string }).id] : [];
        });
        expect(patches, f).toEqual(f.endsWith('-v5.json') ? ['one-write-per-transition'] : []);
        if (f.endsWith('-v6.json')) {
          const input = events[0]!.workflowExecutionStartedEventAttributes.input.payloads[0].data as string;
          expect((JSON.parse(Buffer.from(input, 'base64').toString('utf8')) as { path?: string }).path, f).toBe('one-write');
        }
        expect(
          events.filter((e) => e.activityTaskScheduledEventAttributes),
          f,
        ).toEqual([]);
      }
    }
  });

  it('every stored history replays against the current workflow code without a determinism error', async () => {
    const histories = files.map((f) => ({ workflowId: path.basename(f, '.json'), history: historyFromJSON(load(f)) }));
    const results: { workflowId: string; error?: unknown }[] = [];
    for await (const r of Worker.runReplayHistories(options(), histories)) results.push(r);
    expect(results.map((r) => r.workflowId).sort()).toEqual(histories.map((x) => x.workflowId).sort());
    for (const r of results) expect(r.error, `${r.workflowId}: ${String(r.error)}`).toBeUndefined();
  });

  it('a history whose recorded commands differ from what the code does fails with a determinism error', async () => {
    // Pretend the recorded run scheduled a different activity than the code does (as a careless edit would).
    const tampered = load('membership-approve-once.json');
    const scheduled = tampered.events.find((e) => e.activityTaskScheduledEventAttributes);
    expect(scheduled?.activityTaskScheduledEventAttributes.activityType.name).toBe('runAutoStep');
    scheduled!.activityTaskScheduledEventAttributes.activityType.name = 'sendFax';
    await expect(Worker.runReplayHistory(options(), historyFromJSON(tampered), 'tampered')).rejects.toBeInstanceOf(DeterminismViolationError);
  });
});
