/** Payload types of the province bulletin workflow (plain data; imported by workflow, activity and API code). */
import type { ProvinceBulletinKind } from '../domain/province';

export interface ProvinceBulletinInput {
  provinceOrg: string;
  kind: ProvinceBulletinKind;
  /** Scheduled: the province's period in months (P3M → 3); the period reported is the one ended when the run was meant. */
  everyMonths?: number;
  /** On demand: who asked, and the request's key (one bulletin per request). */
  issuedBy?: string;
  requestKey?: string;
  /** On demand: the campaign year to report (default: the Beijing year now). */
  year?: number;
}

export interface IssueProvinceBulletinInput {
  provinceOrg: string;
  kind: ProvinceBulletinKind;
  /** Scheduled bulletins: the period that ended. */
  period?: { key: string; year: number; label: string; start: string; end: string };
  /** On demand: the campaign year (Beijing) at the moment of the request. */
  year: number;
  issuedBy: string;
  requestKey?: string;
  workflowId: string;
}

export interface ProvinceBulletinResult {
  outcome: 'created' | 'existing';
  bulletinId: string;
  seq: number;
  recipients: number;
}
