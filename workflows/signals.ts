/**
 * Signals between the campaign, region, project and approval workflows.
 * Kept in one module so the workflows can message each other without import cycles.
 */
import { defineSignal } from '@temporalio/workflow';
import type { PhaseChange, SubjectStatus } from './campaign-types';

/** Campaign → region → project: a phase opened, or the campaign closed. */
export const phaseChangedSignal = defineSignal<[PhaseChange]>('phaseChanged');

/** Approval → the workflow that started it (region, project): the application's status changed. */
export const subjectStatusSignal = defineSignal<[SubjectStatus]>('subjectStatus');

/** Campaign → approval: its phase ended; pending tasks escalate to the city (not silently dropped). */
export const escalateSignal = defineSignal<[{ reason: string; toOrg: string }]>('escalate');

/** Region/project → approval: the subject was revised after a return; resubmit it on the submitter's behalf. */
export const reviseSignal = defineSignal<[{ actor: string; title?: string; payload: Record<string, unknown>; key: string }]>('revise');

/** Project → approval: the subject is closed (e.g. its rectification deadline passed); withdraw the application. */
export const cancelSignal = defineSignal<[{ reason: string }]>('cancel');

/** Union establishment → project: the higher union approved a union's election; it is counted (first-union milestone). */
export const unionEstablishedSignal = defineSignal<[{ establishmentId: string; name: string }]>('unionEstablished');
