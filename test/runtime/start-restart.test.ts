/**
 * `npm start` on embedded defaults: it comes up ready with the Temporal UI,
 * stops cleanly on SIGTERM (nothing left listening), and a restart keeps a
 * running approval workflow, which then finishes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, inject } from 'vitest';
import { canConnect, freePort, PROJECT_ROOT } from '../../runtime/temporal-server';
import { sendRetrying } from '../../web/src/retry';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'union-drive-start-'));
fs.chmodSync(dataDir, 0o755);
let child: ChildProcess | undefined;

afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function ports() {
  return { api: await freePort(), pg: await freePort(), temporal: await freePort(), ui: await freePort() };
}

function startSystem(p: Awaited<ReturnType<typeof ports>>): { proc: ChildProcess; output: () => string } {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    PORT: String(p.api),
    EMBEDDED_PG_PORT: String(p.pg),
    TEMPORAL_PORT: String(p.temporal),
    TEMPORAL_UI_PORT: String(p.ui),
    TEMPORAL_CLI_PATH: inject('temporalCliPath'),
    LOG_LEVEL: 'warn',
    NODE_ENV: 'development',
  };
  delete env.DATABASE_URL;
  delete env.TEMPORAL_ADDRESS;
  let out = '';
  const proc = spawn(path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/start.ts'], {
    cwd: PROJECT_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout.on('data', (d) => (out += String(d)));
  proc.stderr.on('data', (d) => (out += String(d)));
  return { proc, output: () => out };
}

async function waitFor(url: string, timeoutMs: number, output: () => string) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const r = await fetch(url);
      if (r.ok) return r;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`${url} not ready; output:\n${output()}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

async function api(base: string, method: string, p: string, token?: string, body?: unknown) {
  const r = await fetch(base + p, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, body: (await r.json()) as any };
}

/**
 * An approver's action as the web client sends it (web/src/retry.ts): with an Idempotency-Key, and a 503 (Temporal
 * still replaying the chain on a just-started worker of a loaded machine) sent again with the same key after Retry-After.
 */
async function act(base: string, taskId: string, token: string, body: unknown) {
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'idempotency-key': `start-restart-${taskId}` };
  const send = () => fetch(`${base}/api/tasks/${taskId}/actions`, { method: 'POST', headers, body: JSON.stringify(body) });
  const r = await sendRetrying(send, { retryable: true });
  return { status: r.status, body: (await r.json()) as any };
}

async function login(base: string, username: string) {
  return (await api(base, 'POST', '/api/auth/login', undefined, { username, password: 'demo-password' })).body.token as string;
}

function stop(proc: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    proc.once('exit', (code) => resolve(code));
    proc.kill('SIGTERM');
  });
}

describe('npm start on embedded Temporal and Postgres', () => {
  it('starts ready with the Temporal UI, stops cleanly, and a restart keeps a running approval chain', async () => {
    const p = await ports();
    const base = `http://127.0.0.1:${p.api}`;
    const first = startSystem(p);
    child = first.proc;
    const ready = await waitFor(`${base}/readyz`, 180_000, first.output);
    expect(await ready.json()).toMatchObject({ status: 'ready' });
    expect((await waitFor(`http://127.0.0.1:${p.ui}/`, 30_000, first.output)).status).toBe(200);
    expect(first.output()).toContain(`Temporal Web UI: http://127.0.0.1:${p.ui}`);

    const staff = await login(base, 'xinhua.staff');
    const created = await api(base, 'POST', '/api/applications', staff, {
      type: 'subsidy',
      title: '重启测试：司机之家',
      amount: 12000,
      reason: '重启后继续审批',
    });
    expect(created.status).toBe(201);
    const city = await login(base, 'city.reviewer');
    const task = await (async () => {
      // A freshly started worker under a loaded machine may take a while for its first workflow task.
      for (let i = 0; i < 300; i++) {
        const inbox = await api(base, 'GET', '/api/tasks?status=pending&limit=200', city);
        const t = inbox.body.items.find((x: { applicationId: string }) => x.applicationId === created.body.id);
        if (t) return t;
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error('no city task');
    })();
    expect((await act(base, task.id, city, { action: 'approve', comment: '同意' })).status).toBe(200);

    expect(await stop(first.proc)).toBe(0);
    expect(first.output()).toContain('已全部停止 / all stopped');
    for (const port of [p.api, p.pg, p.temporal]) expect(await canConnect('127.0.0.1', port)).toBe(false);

    const second = startSystem(p);
    child = second.proc;
    await waitFor(`${base}/readyz`, 180_000, second.output);
    const prov = await login(base, 'prov.reviewer');
    const app = await api(base, 'GET', `/api/applications/${created.body.id}`, staff);
    expect(app.body).toMatchObject({ status: 'pending', currentStep: '省总审核 / province review' });
    const inbox = await api(base, 'GET', '/api/tasks?status=pending&limit=200', prov);
    const provTask = inbox.body.items.find((x: { applicationId: string }) => x.applicationId === created.body.id);
    expect((await act(base, provTask.id, prov, { action: 'approve' })).body.status).toBe('approved');
    const done = await api(base, 'GET', `/api/applications/${created.body.id}`, staff);
    expect(done.body.notice).toMatchObject({ amount: 12000 });
    expect(await stop(second.proc)).toBe(0);
  }, 480_000);
});
