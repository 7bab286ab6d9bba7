/**
 * A thin driver for the approval API, over real HTTP: create applications,
 * find a user's task for an application in their inbox, act, read the
 * timeline. Every call goes through the harness's running API.
 */
import { hashPassword } from '../../api/passwords';
import { DEMO_PASSWORD } from '../../db/demo-seed';
import { expect } from 'vitest';
import { eventually, type Harness } from './harness';
import { unique, type ChainBody } from './factories';

export interface TimelineEntry {
  at: string;
  actor: string;
  action: string;
  comment: string | null;
  step: string | null;
  stepIndex: number | null;
  data: Record<string, any> | null;
}

export interface TaskItem {
  id: string;
  applicationId: string;
  kind: string;
  step: string;
  stepIndex: number;
  status: string;
  decision: string | null;
  assignee: string | null;
  owner: string | null;
  role: string | null;
  org: string | null;
  candidates: string[];
}

/** A test's own org and users (see {@link Approvals.sandbox}). */
export interface Sandbox {
  org: string;
  /** The org's staff member: the applicant. */
  staff: string;
  admin?: string;
}

export type Reply<T = any> = { status: number; body: T; headers: Headers };

export class Approvals {
  constructor(readonly h: Harness) {}

  async token(username: string | null): Promise<string | undefined> {
    return username ? this.h.login(username) : undefined;
  }

  /**
   * POST /api/applications as `username` (null: the public, without a token). A membership application without an
   * account carries the SMS code of its phone, read from the development outbox, unless the body names one (or its
   * phone is not a mobile number, for tests of bad input).
   */
  async create(username: string | null, body: unknown, headers?: Record<string, string>): Promise<Reply> {
    return this.h.call('POST', '/api/applications', { token: await this.token(username), body: await withSmsCode(this.h, username, body), headers });
  }

  /** Creates an application and returns its id; fails the test on anything but 201. */
  async start(username: string | null, body: unknown): Promise<string> {
    const r = await this.create(username, body);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.id as string;
  }

  /**
   * A fresh org of its own for one test (a 乡镇 township under 新华区), with a
   * staff user and, when asked, an admin. A chain installed for it applies to
   * its applications only, so tests running in parallel on the shared database
   * never meet each other's chains. Users sign in with the demo password.
   */
  async sandbox(opts: { parent?: string; admin?: boolean; kind?: string } = {}): Promise<Sandbox> {
    const parent = await this.h
      .db('orgs')
      .where({ id: opts.parent ?? 'pds-xinhua' })
      .first('id', 'path');
    const id = unique('t-');
    await this.h
      .db('orgs')
      .insert({ id, name: `测试乡镇 ${id}`, kind: opts.kind ?? 'township', parent_id: parent.id, path: `${parent.path}${id}/`, groups: [] });
    // Each user gets a hash of their own (a salt of its own), as the product stores them.
    const user = async (role: string) => ({
      username: `${id}.${role}`,
      name: `测试${role} ${id}`,
      org_id: id,
      roles: [role],
      password_hash: await hashPassword(DEMO_PASSWORD),
    });
    await this.h.db('users').insert(await Promise.all(['staff', ...(opts.admin ? ['admin'] : [])].map(user)));
    return { org: id, staff: `${id}.staff`, admin: opts.admin ? `${id}.admin` : undefined };
  }

  /**
   * Puts a chain in force for `owner` the way an admin does: city.admin
   * proposes it (202), prov.admin approves the chain change (an admin above,
   * through the bulk-approve override), and the activated version is returned.
   */
  async installChain(def: ChainBody, owner: string): Promise<ChainBody & { version: number; owner: string }> {
    const proposed = await this.h.call('POST', '/api/chains', { token: await this.h.login('city.admin'), body: { ...def, owner } });
    expect(proposed.status, JSON.stringify(proposed.body)).toBe(202);
    const changeId = proposed.body.id as string;
    const task = await eventually<{ id: string }>(async () =>
      this.h.db('tasks').where({ application_id: changeId, status: 'pending', kind: 'approval' }).first('id'),
    );
    const approved = await runBulkJob(this.h, await this.h.login('prov.admin'), '/api/tasks/bulk-approve', { taskIds: [task.id] });
    expect(approved, JSON.stringify(approved)).toMatchObject({ succeeded: 1 });
    await this.status(changeId, 'approved', 'prov.admin');
    const r = await this.h.call('GET', `/api/chains/${def.key}?owner=${owner}`, { token: await this.h.login('city.admin') });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body;
  }

  /**
   * A sandbox org with `def` in force for it: the sandbox's staff member is
   * the applicant whose applications climb that chain.
   */
  async saveChain(def: ChainBody, opts: { admin?: boolean; parent?: string; kind?: string } = {}): Promise<ChainBody & { version: number } & Sandbox> {
    const sb = await this.sandbox(opts);
    return { ...(await this.installChain(def, sb.org)), ...sb };
  }

  async get(username: string, id: string): Promise<Reply> {
    return this.h.call('GET', `/api/applications/${id}`, { token: await this.h.login(username) });
  }

  /** GET /api/applications/:id, expecting 200. */
  async app(username: string, id: string): Promise<any> {
    const r = await this.get(username, id);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body;
  }

  async timeline(id: string, username = 'city.admin'): Promise<TimelineEntry[]> {
    return (await this.app(username, id)).timeline as TimelineEntry[];
  }

  async actions(id: string, username = 'city.admin'): Promise<string[]> {
    return (await this.timeline(id, username)).map((e) => e.action);
  }

  /** Pages through the user's inbox for tasks of one application. */
  async inbox(username: string, applicationId: string, query = 'status=pending'): Promise<TaskItem[]> {
    const token = await this.h.login(username);
    const found: TaskItem[] = [];
    let cursor: string | null = null;
    do {
      const r: Reply = await this.h.call('GET', `/api/tasks?${query}&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      found.push(...(r.body.items as TaskItem[]).filter((t) => t.applicationId === applicationId));
      cursor = r.body.nextCursor;
    } while (cursor);
    return found;
  }

  /** Waits until the user has a pending approval task on the application (at `step` when given). */
  async task(username: string, applicationId: string, step?: number | RegExp): Promise<TaskItem> {
    return eventually(async () => {
      const tasks = await this.inbox(username, applicationId);
      return tasks.find((t) => step === undefined || (typeof step === 'number' ? t.stepIndex === step : step.test(t.step)));
    });
  }

  /** POST /api/tasks/:id/actions. */
  async act(username: string, taskId: string, body: unknown, headers?: Record<string, string>): Promise<Reply> {
    return this.h.call('POST', `/api/tasks/${taskId}/actions`, { token: await this.h.login(username), body, headers });
  }

  /** Acts and expects 200; returns the application's new state. */
  async ok(username: string, taskId: string, body: unknown): Promise<any> {
    const r = await this.act(username, taskId, body);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body;
  }

  /** Finds the user's task on the application and approves it. */
  async approve(username: string, applicationId: string, comment = '同意 / approved'): Promise<any> {
    const t = await this.task(username, applicationId);
    return this.ok(username, t.id, { action: 'approve', comment });
  }

  /** POST /api/applications/:id/actions (resubmit, withdraw, retract, comment, urge, cc). */
  async appAct(username: string, applicationId: string, body: unknown, headers?: Record<string, string>): Promise<Reply> {
    return this.h.call('POST', `/api/applications/${applicationId}/actions`, { token: await this.h.login(username), body, headers });
  }

  /** Waits for the application's status (read through the API). */
  async status(applicationId: string, status: string, username = 'city.admin'): Promise<any> {
    return eventually(async () => {
      const a = await this.app(username, applicationId);
      return a.status === status ? a : undefined;
    });
  }

  /** Rows of a table for one application (for checks the API does not expose, e.g. notifications). */
  async rows(table: 'audit_log' | 'tasks' | 'notifications' | 'subsidy_notices', applicationId: string, where: Record<string, unknown> = {}) {
    return this.h
      .db(table)
      .where({ application_id: applicationId, ...where })
      .orderBy(table === 'subsidy_notices' ? 'application_id' : 'id');
  }
}

/**
 * Starts a bulk job (bulk approve, reassign): expects 202 with a job id, then
 * follows GET /api/jobs/:id until the job is done and returns its progress.
 */
export async function runBulkJob(h: Harness, token: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  const started = await h.call('POST', path, { token, body, headers });
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  const jobId = started.body.jobId as string;
  return eventually(async () => {
    const r = await h.call('GET', `/api/jobs/${jobId}`, { token });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body.state === 'done' ? (r.body as BulkJobView) : undefined;
  }, 60_000);
}

export interface BulkJobView {
  jobId: string;
  kind: 'approve' | 'reassign';
  state: 'running' | 'done';
  total: number;
  done: number;
  succeeded: number;
  failed: number;
  truncated: boolean;
  results: { taskId: string; ok: boolean; applicationId?: string; status?: string; error?: { status: number; detail: string } }[];
}

/** An anonymous membership body with the SMS code of its phone added (see {@link Approvals.create}). */
export async function withSmsCode(h: Harness, username: string | null, body: unknown): Promise<unknown> {
  const b = body as { type?: unknown; phone?: unknown; smsCode?: unknown } | null;
  if (username || !b || b.type !== 'membership' || 'smsCode' in b || typeof b.phone !== 'string' || !/^1[3-9]\d{9}$/.test(b.phone)) return body;
  return { ...b, smsCode: await h.smsCode(b.phone) };
}
