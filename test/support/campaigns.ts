/**
 * Campaign test helpers: a launch body with phase windows of seconds, survey
 * CSV rows, and a driver that finds an approver's task and acts on it.
 */
import { expect } from 'vitest';
import { eventually, type Harness } from './harness';
import { unique, uniqueIdNumber } from './factories';

export const REGIONS = ['pds-xinhua', 'pds-weidong', 'pds-zhanhe'] as const;
export const STAFF: Record<string, string> = { 'pds-xinhua': 'xinhua.staff', 'pds-weidong': 'weidong.staff', 'pds-zhanhe': 'zhanhe.staff' };

/** Phases back to back from `start`, each `seconds` long (or hours, for campaigns driven by advance). */
export function phaseWindows(start: Date, lengthMs: number) {
  const at = (i: number) => new Date(start.getTime() + i * lengthMs).toISOString();
  return {
    survey: { start: at(0), end: at(1) },
    listing: { start: at(1), end: at(2) },
    implementation: { start: at(2), end: at(3) },
    assessment: { start: at(3), end: at(4) },
  };
}

export function buildLaunch(overrides: Record<string, unknown> = {}) {
  return {
    id: unique('c-'),
    name: `2026年平顶山市新就业形态劳动者建会入会集中行动 ${unique()}`,
    year: 2026,
    cityOrg: 'pds',
    regions: [...REGIONS],
    groups: ['courier', 'food_delivery', 'truck_driver', 'mall_staff'],
    targets: { newMembers: 30, newUnions: 3, perRegion: { 'pds-xinhua': { newMembers: 10, newUnions: 1 } } },
    phases: phaseWindows(new Date(Date.now() - 1000), 3_600_000),
    reportEvery: 'P60D',
    ...overrides,
  };
}

/** Survey CSV: header plus `n` enterprises of the region (credit codes omitted, names unique). */
export function surveyCsv(region: string, rows: { name: string; employees: number; hasUnion?: boolean; region?: string }[]): string {
  const header = 'name,region,employees,hasUnion,groupCounts,employerAttitude,operatingSince,reasonNoUnion';
  const lines = rows.map((r) =>
    [r.name, r.region ?? region, r.employees, r.hasUnion ? '是' : '否', `courier:${Math.min(r.employees, 5)}`, 'neutral', '2020-03-01', '职工流动性大'].join(
      ',',
    ),
  );
  return [header, ...lines].join('\n');
}

export class CampaignDriver {
  constructor(readonly h: Harness) {}

  async as(username: string) {
    return this.h.login(username);
  }

  async launch(body: Record<string, unknown>) {
    const r = await this.h.call('POST', '/api/campaigns', { token: await this.as('city.admin'), body });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body as { id: string; workflowId: string };
  }

  async view(id: string, username = 'city.admin') {
    const r = await this.h.call('GET', `/api/campaigns/${id}`, { token: await this.as(username) });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body;
  }

  async waitForPhase(id: string, phase: string, timeoutMs = 30_000) {
    return eventually(async () => {
      const v = await this.view(id);
      return v.phase === phase ? v : undefined;
    }, timeoutMs);
  }

  async advance(id: string, reason = '各地进度良好，提前进入下一阶段') {
    const r = await this.h.call('POST', `/api/campaigns/${id}/advance`, { token: await this.as('city.admin'), body: { reason } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body;
  }

  async upload(id: string, region: string, csv: string, username = STAFF[region]!) {
    return this.h.call('POST', `/api/campaigns/${id}/regions/${region}/enterprises`, {
      token: await this.as(username),
      raw: csv,
      headers: { 'content-type': 'text/csv' },
    });
  }

  async plan(id: string, region: string) {
    return this.h.call('POST', `/api/campaigns/${id}/regions/${region}/plan`, {
      token: await this.as(STAFF[region]!),
      body: {
        summary: '以快递、外卖平台为重点，拉网式排查，倒排工期',
        measures: ['召开动员会', '建立一企一档', '每周调度'],
        dueDates: { 动员部署: '2026-04-10' },
      },
    });
  }

  async projects(id: string, region: string, projects: unknown[]) {
    return this.h.call('POST', `/api/campaigns/${id}/regions/${region}/projects`, { token: await this.as(STAFF[region]!), body: { projects } });
  }

  /** Waits for `username`'s pending task on the application and acts on it. */
  async act(username: string, applicationId: string, body: Record<string, unknown>) {
    const token = await this.as(username);
    const task = await eventually(async () => {
      const r = await this.h.call('GET', '/api/tasks?status=pending&limit=200', { token });
      return r.body.items.find((t: { applicationId: string }) => t.applicationId === applicationId);
    });
    const r = await this.h.call('POST', `/api/tasks/${task.id}/actions`, { token, body });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body;
  }

  /**
   * 建会程序: walks the project's union establishment (the one named `name`, or its first in progress) through
   * its five steps — `users` in step order: 筹备批复, 成立筹备组, 发展会员, 会员大会选举, 上级工会批复 — and waits
   * until it is established (counted, its enterprise crossed off). Answers the establishment as the project shows it.
   */
  async establish(projectId: string, users: readonly string[], name?: string) {
    const pick = (v: { unions?: { name: string; status: string; applicationId: string }[] }) =>
      v.unions?.find((u) => (name ? u.name === name : u.status === 'in_progress'));
    const appId = await eventually(async () => pick(await this.project(projectId))?.applicationId);
    const forms: (Record<string, unknown> | undefined)[] = [
      undefined,
      { prepGroupLead: '张伟' },
      { memberCount: 20 },
      { electionDate: '2026-07-01', chair: '刘芳' },
      undefined,
    ];
    for (const [i, user] of users.entries()) await this.act(user, appId, { action: 'approve', ...(forms[i] ? { form: forms[i] } : {}) });
    return eventually(async () => {
      const u = (await this.project(projectId)).unions?.find((x: { applicationId: string }) => x.applicationId === appId);
      return u?.status === 'established' ? u : undefined;
    });
  }

  async projectsOf(id: string, region?: string) {
    const r = await this.h.call('GET', `/api/campaigns/${id}/projects${region ? `?region=${region}` : ''}`, { token: await this.as('city.admin') });
    expect(r.status).toBe(200);
    return r.body.items as any[];
  }

  async project(projectId: string, username = 'city.admin') {
    return (await this.h.call('GET', `/api/projects/${projectId}`, { token: await this.as(username) })).body;
  }
}

export function organizingProject(overrides: Record<string, unknown> = {}) {
  return {
    kind: 'organizing',
    type: 'industry_federation',
    name: `快递行业工会联合会 ${unique()}`,
    location: '新华区',
    plannedMembers: 5,
    groups: ['courier'],
    responsibleUnit: '区总工会',
    dueDate: '2026-10-31',
    ...overrides,
  };
}

export function serviceProject(overrides: Record<string, unknown> = {}) {
  return {
    kind: 'service',
    type: 'service_station',
    name: `户外劳动者服务站 ${unique()}`,
    responsibleUnit: '区总工会',
    date: '2026-09-30',
    plannedCoverage: 200,
    ...overrides,
  };
}

export function memberRecords(n: number, group = 'courier') {
  return Array.from({ length: n }, (_, i) => ({
    name: `骑手${i + 1}`,
    idNumber: uniqueIdNumber(),
    phone: `1380000${String(1000 + i).slice(-4)}`,
    group,
    employer: '某快递网点',
  }));
}

/**
 * 实名核验: `verifier` (a reviewer of the project's region or city) verifies every member `projectId` reported and
 * still pending; they count from then on. Answers the decisions' result (or the empty list's).
 */
export async function verifyReported(h: Harness, projectId: string, verifier = 'city.reviewer') {
  const token = await h.login(verifier);
  const list = await h.call('GET', `/api/projects/${projectId}/members-reported?status=pending&limit=500`, { token });
  expect(list.status, JSON.stringify(list.body)).toBe(200);
  const items = list.body.items as { id: string }[];
  if (!items.length) return { results: [], progress: list.body.progress };
  const r = await h.call('POST', `/api/projects/${projectId}/members-reported/decisions`, {
    token,
    body: { decisions: items.map((i) => ({ id: i.id, action: 'verify' })) },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}
