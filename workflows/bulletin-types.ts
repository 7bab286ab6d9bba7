/** Payload types of the bulletin workflows (plain data; imported by workflow, activity and API code). */
import type { BulletinKind, ReportEvery } from '../domain/bulletin';

/** How a campaign's bulletin schedule counts its periods. */
export interface BulletinScheduleSpec {
  /** The implementation phase opened here (to the second): period k ends at anchor + k·every. */
  anchor: string;
  everyMs: number;
  /** Calendar periods (每月 1, 每两个月 2, 每季度 3): period k ends k·n months after the anchor, in Beijing time; `everyMs` is then nominal. */
  everyMonths?: number;
  /** The implementation phase's planned end; no period ends after it. */
  endAt: string;
}

/** How the spec's periods are counted (domain/bulletin.ts ReportEvery). */
export const scheduleEvery = (s: BulletinScheduleSpec): ReportEvery => (s.everyMonths ? { months: s.everyMonths } : s.everyMs);

export interface BulletinInput {
  campaignId: string;
  kind: BulletinKind;
  /** Scheduled bulletins: the schedule's spec (the period comes from the scheduled start time). */
  schedule?: BulletinScheduleSpec;
  /** On-demand bulletins: who asked, and the request's key (one bulletin per request). */
  issuedBy?: string;
  requestKey?: string;
}

export interface IssueBulletinInput {
  campaignId: string;
  kind: BulletinKind;
  period?: { index: number; start: string; end: string };
  schedule?: BulletinScheduleSpec;
  issuedBy: string;
  requestKey?: string;
  workflowId: string;
  /** When Temporal started the run: a run started a period or more late is a catch-up. */
  startedAt?: string;
}

export interface BulletinResult {
  outcome: 'created' | 'existing' | 'skipped';
  reportId?: string;
  seq?: number;
  period?: string;
  reason?: string;
  /** Email copies waiting to go out (created bulletins only). */
  emails: number;
}

export interface BulletinDeliveryInput {
  reportId: string;
}

export interface BulletinDeliveryResult {
  sent: string[];
  failed: string[];
}
