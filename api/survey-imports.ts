/**
 * Uploads answered at once with 202 (`Prefer: respond-async`) — survey
 * uploads (api/survey.ts) and org tree imports (api/orgs.ts) — and followed by their uploader with GET …/imports/:importId: the phase, the rows
 * validated so far, and at the end the same body the synchronous upload gives.
 *
 * Kept in the API process's memory for an hour: the status is worth following
 * only while the upload runs and shortly after (the filed rows are in the
 * registry for good). Behind several API processes the status URL must reach
 * the process that took the upload (sticky routing), as compose's one API does.
 */
import crypto from 'node:crypto';
import type { ParsePhase } from './survey-parse';

/** How long a finished import's status is kept. */
const KEEP_MS = 60 * 60 * 1000;

export type ImportState = ParsePhase | 'writing' | 'done' | 'failed';

export interface SurveyImport {
  importId: string;
  /** Which upload: a region's survey, or an org tree workbook (campaignId '' then; regionOrg is the uploader's org). */
  kind: 'survey' | 'orgs';
  campaignId: string;
  regionOrg: string;
  uploadedBy: string;
  status: ImportState;
  /** Rows validated so far, of `total` (0 while the file is still being parsed). */
  done: number;
  total: number;
  startedAt: string;
  finishedAt: string | null;
  /** When done or failed: the HTTP status and body the synchronous upload would have answered. */
  result: { status: number; body: unknown } | null;
}

const imports = new Map<string, SurveyImport>();

function sweep(now: number): void {
  for (const [id, job] of imports) {
    if (job.finishedAt && now - Date.parse(job.finishedAt) > KEEP_MS) imports.delete(id);
  }
}

/** Registers a new import, queued. */
export function createSurveyImport(campaignId: string, regionOrg: string, uploadedBy: string, kind: SurveyImport['kind'] = 'survey'): SurveyImport {
  sweep(Date.now());
  const job: SurveyImport = {
    importId: `import-${crypto.randomUUID()}`,
    kind,
    campaignId,
    regionOrg,
    uploadedBy,
    status: 'queued',
    done: 0,
    total: 0,
    startedAt: new Date().toISOString(),
    finishedAt: null,
    result: null,
  };
  imports.set(job.importId, job);
  return job;
}

export function getSurveyImport(importId: string): SurveyImport | undefined {
  return imports.get(importId);
}

/** Records progress; a finished import no longer changes. */
export function updateSurveyImport(job: SurveyImport, status: ImportState, done = job.done, total = job.total): void {
  if (job.finishedAt) return;
  job.status = status;
  job.done = done;
  job.total = total;
}

export function finishSurveyImport(job: SurveyImport, result: { status: number; body: unknown }): void {
  if (job.finishedAt) return;
  job.status = result.status < 300 ? 'done' : 'failed';
  job.done = job.total;
  job.result = result;
  job.finishedAt = new Date().toISOString();
}

/** The public view of an import (GET …/imports/:importId). */
export function surveyImportView(job: SurveyImport) {
  return {
    importId: job.importId,
    status: job.status,
    done: job.done,
    total: job.total,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
    ...(job.result ? { httpStatus: job.result.status, result: job.result.body } : {}),
  };
}
