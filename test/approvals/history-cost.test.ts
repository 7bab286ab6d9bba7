/**
 * What one approval costs Temporal: the three-step subsidy chain (city review
 * → province review → the automated subsidy notice), driven through the API
 * to approved, and its workflow history counted. Each event is stored,
 * replicated to the visibility store and replayed when a worker rebuilds the
 * workflow, so the count is the product's per-chain cost on the engine.
 *
 * The failure message lists the history, event by event (markers named by
 * their local activity or patch id), so a regression shows where it came from.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import proto from '@temporalio/proto';
import { applicationWorkflowId } from '../../api/approvals-service';
import { Approvals } from '../support/approvals';
import { buildSubsidy } from '../support/factories';
import { startHarness, type Harness } from '../support/harness';

type HistoryEvent = proto.temporal.api.history.v1.IHistoryEvent;

let h: Harness;
let api: Approvals;
beforeAll(async () => {
  h = await startHarness();
  api = new Approvals(h);
});
afterAll(async () => {
  await h?.close();
});

const typeName = (e: HistoryEvent) => (proto.temporal.api.enums.v1.EventType[e.eventType ?? 0] ?? String(e.eventType)).replace(/^EVENT_TYPE_/, '');

/** A marker's payload, decoded (the SDK writes JSON payloads). */
function markerDetail(e: HistoryEvent, key: string): Record<string, unknown> | undefined {
  const data = e.markerRecordedEventAttributes?.details?.[key]?.payloads?.[0]?.data;
  return data ? (JSON.parse(Buffer.from(data).toString('utf8')) as Record<string, unknown>) : undefined;
}

/** One line per event: its type, and for markers, searches and activities what they were. */
function describeEvent(e: HistoryEvent): string {
  const t = typeName(e);
  if (t === 'MARKER_RECORDED') {
    const name = e.markerRecordedEventAttributes?.markerName;
    if (name === 'core_patch') return `${t} patch ${String(markerDetail(e, 'patch-data')?.id)}`;
    if (name === 'core_local_activity') return `${t} local activity ${String(markerDetail(e, 'data')?.activity_type)}`;
    return `${t} ${name}`;
  }
  if (t === 'ACTIVITY_TASK_SCHEDULED') return `${t} ${e.activityTaskScheduledEventAttributes?.activityType?.name}`;
  if (t === 'UPSERT_WORKFLOW_SEARCH_ATTRIBUTES')
    return `${t} ${Object.keys(e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {}).join(',')}`;
  return t;
}

describe('the cost of one approval on Temporal', () => {
  it('a three-step subsidy chain (city review, province review, the automated notice) takes 19 history events in 3 workflow tasks, one local activity each', async () => {
    const id = await api.start('xinhua.staff', buildSubsidy({ amount: 18_000 }));
    await api.approve('city.reviewer', id, '同意 / approved');
    await api.approve('prov.reviewer', id, '同意 / approved');
    const done = await api.status(id, 'approved', 'xinhua.staff');
    expect(done.notice).toMatchObject({ amount: 18_000 });

    const handle = h.temporal.workflow.getHandle(applicationWorkflowId(id));
    await handle.result();
    const events = (await handle.fetchHistory()).events ?? [];
    const lines = events.map(describeEvent);
    const breakdown = `${events.length} events:\n${lines.map((l, i) => `${String(i + 1).padStart(2)} ${l}`).join('\n')}`;
    console.log(`history of a three-step subsidy chain: ${breakdown}`);
    const count = (line: string) => lines.filter((l) => l === line).length;

    // One workflow task for the start, one per approval (the notice runs inside the last): 3 × 3 events; the start,
    // two Updates (accepted, completed) and the completion: 6 more.
    expect(count('WORKFLOW_TASK_COMPLETED'), breakdown).toBe(3);
    expect(count('WORKFLOW_EXECUTION_UPDATE_COMPLETED'), breakdown).toBe(2);
    // One local activity per transition, the notice folded into the last; no regular activity.
    expect(count('MARKER_RECORDED local activity commitTransition'), breakdown).toBe(3);
    expect(
      lines.filter((l) => l.startsWith('ACTIVITY_TASK')),
      breakdown,
    ).toEqual([]);
    // The API starts it on the one-write path outright (input.path): no patch marker, and so no TemporalChangeVersion
    // upsert the SDK adds to one; no BusinessStatus upsert.
    expect(
      lines.filter((l) => l.startsWith('MARKER_RECORDED patch')),
      breakdown,
    ).toEqual([]);
    expect(
      lines.filter((l) => l.startsWith('UPSERT_WORKFLOW_SEARCH_ATTRIBUTES')),
      breakdown,
    ).toEqual([]);
    // The SLA timer of the first review is armed once and neither re-armed nor cancelled (the chain ended first).
    expect(
      lines.filter((l) => l.startsWith('TIMER_')),
      breakdown,
    ).toEqual(['TIMER_STARTED']);
    expect(lines.at(-1), breakdown).toBe('WORKFLOW_EXECUTION_COMPLETED');
    // Was 40 before the one-write-per-transition path; the aim is 20 at most. (A run that asks the patch instead —
    // one started by a campaign, region or project workflow — has 21: the marker and its upsert.)
    expect(events.length, breakdown).toBe(19);
  });
});
