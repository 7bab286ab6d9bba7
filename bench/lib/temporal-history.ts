/**
 * Where a workflow's time goes, from its Temporal history: how long its
 * workflow tasks waited in the task queue (schedule → start: the worker was
 * busy or polling too little) and how long the worker took on them (start →
 * complete, local activities included), the same for activities, and any
 * timeouts or failures.
 */
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { Counter, Recorder } from './stats';

type HistoryEvent = proto.temporal.api.history.v1.IHistoryEvent;

const typeName = (e: HistoryEvent) => (proto.temporal.api.enums.v1.EventType[e.eventType ?? 0] ?? String(e.eventType)).replace(/^EVENT_TYPE_/, '');
const msOf = (e: HistoryEvent) => (e.eventTime ? Number(e.eventTime.seconds ?? 0) * 1000 + (e.eventTime.nanos ?? 0) / 1e6 : 0);

export class HistoryStats {
  readonly wftQueue = new Recorder();
  readonly wftRun = new Recorder();
  readonly activityQueue = new Recorder();
  readonly activityRun = new Recorder();
  readonly updateAcceptToComplete = new Recorder();
  /** StartChildWorkflowExecutionInitiated → ChildWorkflowExecutionStarted. */
  readonly childStart = new Recorder();
  /** SignalExternalWorkflowExecutionInitiated → ExternalWorkflowExecutionSignaled. */
  readonly externalSignal = new Recorder();
  /** First event → last event: how long the histories seen so far span (for workflows that ended: their run time). */
  readonly span = new Recorder();
  readonly unusual = new Counter();
  workflows = 0;
  events = 0;
  failed = 0;

  add(events: HistoryEvent[]): void {
    this.workflows += 1;
    this.events += events.length;
    if (events.length) this.span.add(msOf(events[events.length - 1]!) - msOf(events[0]!));
    const byId = new Map<string, HistoryEvent>();
    for (const e of events) byId.set(String(e.eventId), e);
    for (const e of events) {
      const t = typeName(e);
      if (t === 'WORKFLOW_TASK_STARTED') {
        const s = byId.get(String(e.workflowTaskStartedEventAttributes?.scheduledEventId ?? ''));
        if (s) this.wftQueue.add(msOf(e) - msOf(s));
      } else if (t === 'WORKFLOW_TASK_COMPLETED' || t === 'WORKFLOW_TASK_FAILED' || t === 'WORKFLOW_TASK_TIMED_OUT') {
        const a = e.workflowTaskCompletedEventAttributes ?? e.workflowTaskFailedEventAttributes ?? e.workflowTaskTimedOutEventAttributes;
        const started = byId.get(String(a?.startedEventId ?? ''));
        if (started) this.wftRun.add(msOf(e) - msOf(started));
        if (t !== 'WORKFLOW_TASK_COMPLETED') this.unusual.inc(t);
      } else if (t === 'ACTIVITY_TASK_STARTED') {
        const s = byId.get(String(e.activityTaskStartedEventAttributes?.scheduledEventId ?? ''));
        if (s) this.activityQueue.add(msOf(e) - msOf(s));
      } else if (t === 'ACTIVITY_TASK_COMPLETED' || t === 'ACTIVITY_TASK_FAILED' || t === 'ACTIVITY_TASK_TIMED_OUT') {
        const a = e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes ?? e.activityTaskTimedOutEventAttributes;
        const started = byId.get(String(a?.startedEventId ?? ''));
        if (started) this.activityRun.add(msOf(e) - msOf(started));
        if (t !== 'ACTIVITY_TASK_COMPLETED') this.unusual.inc(t);
      } else if (t === 'CHILD_WORKFLOW_EXECUTION_STARTED') {
        const init = byId.get(String(e.childWorkflowExecutionStartedEventAttributes?.initiatedEventId ?? ''));
        if (init) this.childStart.add(msOf(e) - msOf(init));
      } else if (t === 'EXTERNAL_WORKFLOW_EXECUTION_SIGNALED') {
        const init = byId.get(String(e.externalWorkflowExecutionSignaledEventAttributes?.initiatedEventId ?? ''));
        if (init) this.externalSignal.add(msOf(e) - msOf(init));
      } else if (t === 'WORKFLOW_EXECUTION_UPDATE_COMPLETED') {
        const accepted = byId.get(String(e.workflowExecutionUpdateCompletedEventAttributes?.acceptedEventId ?? ''));
        if (accepted) this.updateAcceptToComplete.add(msOf(e) - msOf(accepted));
      } else if (/TIMED_OUT|FAILED|TERMINATED|CANCELED$/.test(t) && t !== 'TIMER_CANCELED') {
        this.unusual.inc(t);
      }
    }
  }
}

/** The recorders that have data, as report lines. */
export function historyLines(h: HistoryStats, latencyLine: (label: string, r: Recorder) => string): string[] {
  const out: string[] = [];
  const add = (label: string, r: Recorder) => r.count && out.push(latencyLine(`  ${label}`, r));
  add('workflow task queue wait', h.wftQueue);
  add('workflow task on the worker', h.wftRun);
  add('activity queue wait', h.activityQueue);
  add('activity run', h.activityRun);
  add('update accepted → completed', h.updateAcceptToComplete);
  add('child start (initiated → started)', h.childStart);
  add('signal to another workflow', h.externalSignal);
  add('first → last event', h.span);
  out.push(`  timeouts/failures: ${h.unusual.toString()}`);
  return out;
}

/** Fetches the histories of `workflowIds` (a few at a time) into one HistoryStats. */
export async function collectHistories(client: Client, workflowIds: string[], concurrency = 4): Promise<HistoryStats> {
  const stats = new HistoryStats();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < workflowIds.length) {
        const id = workflowIds[next++]!;
        try {
          const h = await client.workflow.getHandle(id).fetchHistory();
          stats.add(h.events ?? []);
        } catch {
          stats.failed += 1;
        }
      }
    }),
  );
  return stats;
}

/** Event counts and a compact timeline (ms since the first event) of one workflow's history. */
export async function historyTimeline(client: Client, workflowId: string, label: string): Promise<string[]> {
  try {
    const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    const counts = new Map<string, number>();
    for (const e of events) counts.set(typeName(e), (counts.get(typeName(e)) ?? 0) + 1);
    const start = msOf(events[0] ?? {});
    const out = [`  ${label} (${workflowId}): ${events.length} events — ${[...counts.entries()].map(([k, v]) => `${k} ${v}`).join(', ')}`];
    const line = events.map((e) => `+${Math.round(msOf(e) - start)} ${typeName(e)}`);
    for (let i = 0; i < line.length; i += 6) out.push(`    ${line.slice(i, i + 6).join(', ')}`);
    return out;
  } catch (e) {
    return [`  ${label} (${workflowId}): unavailable (${String(e)})`];
  }
}
