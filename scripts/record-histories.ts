/**
 * `npx tsx scripts/record-histories.ts`: records the workflow histories that
 * the replay test (test/replay/replay.test.ts) replays against the current
 * workflow code, so a change that breaks determinism fails the suite.
 *
 * Starts a throwaway Temporal dev server and Postgres (DATABASE_URL's
 * server, else an embedded one) with the demo org tree, a worker and the API
 * in-process; runs a few representative applications through the HTTP API
 * to completion; and writes each history as JSON to test/replay/histories/.
 *
 * Re-record only on purpose: after a deliberate change that is safe for
 * running workflows (behind `patched()`), keep the old files and add new ones
 * (HISTORY_SUFFIX=-v2 npx tsx scripts/record-histories.ts). HISTORY_ONLY=name,… records only those
 * scenarios (a new scenario, without touching the recordings of the others).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { historyToJSON } from '../test/support/history-json';
import { readOutboxCode } from '../test/support/sms-outbox';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { startApi } from '../api/server';
import { hashPassword } from '../api/passwords';
import { loadDemoData } from '../db/demo-seed';
import { createDb, migrateLatest } from '../db/knex';
import { makeIdNumber } from '../domain/id-number';
import { createPiiCipher } from '../runtime/pii';
import { createScratchDatabase, startEmbeddedPostgres } from '../runtime/postgres-server';
import { connectTemporal } from '../runtime/temporal-client';
import { ensureTemporalCli, freePort, PROJECT_ROOT, startTemporalDevServer } from '../runtime/temporal-server';
import { createWorker } from '../runtime/worker';

const OUT_DIR = path.join(PROJECT_ROOT, 'test', 'replay', 'histories');
/** HISTORY_SUFFIX=-v2 writes `<scenario>-v2.json` next to the older recordings instead of over them. */
const SUFFIX = process.env.HISTORY_SUFFIX ?? '';
/** HISTORY_ONLY=a,b records only the scenarios named. */
const ONLY = process.env.HISTORY_ONLY ? new Set(process.env.HISTORY_ONLY.split(',')) : undefined;
const log = (msg: string) => console.log(`[record] ${msg}`);

type Call = (username: string | null, method: string, route: string, body?: unknown) => Promise<any>;
type WaitFor = (id: string, pred: (a: any) => boolean) => Promise<any>;
/** Asks for a join SMS code for the phone and reads it from the development outbox (anonymous applications need one). */
type SmsCode = (phone: string) => Promise<string>;

/** The representative applications: each runs to a final status and names its history file. */
const SCENARIOS: { name: string; run: (call: Call, waitFor: WaitFor, smsCode: SmsCode) => Promise<string> }[] = [
  {
    // Return to the applicant, a revised resubmission, then city and province approve and the notice is issued.
    name: 'subsidy-returned-resubmitted-approved',
    async run(call, waitFor) {
      const { id } = await call('xinhua.staff', 'POST', '/api/applications', {
        type: 'subsidy',
        title: '快递员服务站补助',
        amount: 20000,
        reason: '新建服务站',
      });
      const t1 = await taskOf(call, waitFor, 'city.reviewer', id, 0);
      await call('city.reviewer', 'POST', `/api/tasks/${t1}/actions`, { action: 'return', returnTo: 'applicant', comment: '请补充报价单' });
      await call('xinhua.staff', 'POST', `/api/applications/${id}/actions`, { action: 'resubmit', changes: { amount: 18000 } });
      const t2 = await taskOf(call, waitFor, 'city.reviewer', id, 0);
      await call('city.reviewer', 'POST', `/api/tasks/${t2}/actions`, { action: 'approve' });
      const t3 = await taskOf(call, waitFor, 'prov.reviewer', id, 1);
      await call('prov.reviewer', 'POST', `/api/tasks/${t3}/actions`, { action: 'approve' });
      await waitFor(id, (a) => a.status === 'approved');
      return id;
    },
  },
  {
    // The eight-step loop: sorting, initial review, assignment, identity review, admission approved once, collection, verification.
    name: 'membership-approve-once',
    async run(call, waitFor, smsCode) {
      const { id } = await call(null, 'POST', '/api/applications', {
        type: 'membership',
        name: '王师傅',
        idNumber: makeIdNumber('41040219900101123'),
        phone: '13812345678',
        group: 'courier',
        area: 'pds-xinhua',
        smsCode: await smsCode('13812345678'),
      });
      for (const step of [1, 3]) {
        const t = await taskOf(call, waitFor, 'xinhua-express.reviewer', id, step);
        await call('xinhua-express.reviewer', 'POST', `/api/tasks/${t}/actions`, { action: 'approve' });
      }
      await waitFor(id, (a) => a.status === 'approved');
      return id;
    },
  },
  {
    // 加签 before the city review; the review then comes back to the city (not approved once).
    name: 'subsidy-add-signer',
    async run(call, waitFor) {
      const { id } = await call('xinhua.staff', 'POST', '/api/applications', { type: 'subsidy', title: '送清凉补助', amount: 5000, reason: '夏季送清凉' });
      const t1 = await taskOf(call, waitFor, 'city.reviewer', id, 0);
      await call('city.reviewer', 'POST', `/api/tasks/${t1}/actions`, { action: 'addSigner', to: ['city.reviewer2'], position: 'before' });
      const signer = await taskOf(call, waitFor, 'city.reviewer2', id, 0);
      await call('city.reviewer2', 'POST', `/api/tasks/${signer}/actions`, { action: 'approve' });
      const t2 = await taskOf(call, waitFor, 'city.reviewer', id, 1);
      await call('city.reviewer', 'POST', `/api/tasks/${t2}/actions`, { action: 'approve' });
      const t3 = await taskOf(call, waitFor, 'prov.reviewer', id, 2);
      await call('prov.reviewer', 'POST', `/api/tasks/${t3}/actions`, { action: 'approve' });
      await waitFor(id, (a) => a.status === 'approved');
      return id;
    },
  },
  {
    // The province returns it; the amount changes, so the city's approval is void and the review restarts at the city
    // (patched 'changed-resubmit-restarts'), where the city admin overrides the reviewers' task.
    name: 'subsidy-changed-resubmit-restarts',
    async run(call, waitFor) {
      const { id } = (await call('xinhua.staff', 'POST', '/api/applications', {
        type: 'subsidy',
        title: '暖心驿站补助',
        amount: 9000,
        reason: '驿站改造',
      })) as {
        id: string;
      };
      const t1 = await taskOf(call, waitFor, 'city.reviewer', id, 0);
      await call('city.reviewer', 'POST', `/api/tasks/${t1}/actions`, { action: 'approve' });
      const t2 = await taskOf(call, waitFor, 'prov.reviewer', id, 1);
      await call('prov.reviewer', 'POST', `/api/tasks/${t2}/actions`, { action: 'return', returnTo: 'applicant', comment: '金额偏高' });
      await call('xinhua.staff', 'POST', `/api/applications/${id}/actions`, { action: 'resubmit', changes: { amount: 7000 } });
      const t3 = await taskOf(call, waitFor, 'city.reviewer', id, 0);
      await call('city.admin', 'POST', `/api/tasks/${t3}/actions`, { action: 'approve' });
      const t4 = await taskOf(call, waitFor, 'prov.reviewer', id, 1);
      await call('prov.reviewer', 'POST', `/api/tasks/${t4}/actions`, { action: 'approve' });
      await waitFor(id, (a: { status: string }) => a.status === 'approved');
      return id;
    },
  },
  {
    name: 'subsidy-withdrawn',
    async run(call, waitFor) {
      const { id } = await call('xinhua.staff', 'POST', '/api/applications', { type: 'subsidy', title: '培训补助', amount: 3000, reason: '技能培训' });
      await taskOf(call, waitFor, 'city.reviewer', id, 0);
      await call('xinhua.staff', 'POST', `/api/applications/${id}/actions`, { action: 'withdraw', comment: '项目取消' });
      await waitFor(id, (a) => a.status === 'withdrawn');
      return id;
    },
  },
  {
    // A time limit on a step opened by an approval: reminder, escalation to the supervisor, who approves.
    name: 'subsidy-sla-escalated',
    async run(call, waitFor) {
      // The chain is put in force for 卫东区 (no admin or supervisor of its own, so the overdue task goes up to the
      // city's supervisor): city.admin proposes it, and the nearest other admin (the province's) approves the change.
      await putInForce(call, waitFor, {
        owner: 'pds-weidong',
        key: 'record-sla',
        name: '时限测试 / time limits',
        type: 'subsidy',
        steps: [
          { id: 'first', name: '初审', type: 'human', who: { kind: 'users', usernames: ['city.reviewer'] }, mode: 'single' },
          {
            id: 'second',
            name: '复审',
            type: 'human',
            who: { kind: 'users', usernames: ['city.reviewer2'] },
            mode: 'single',
            sla: { limit: 2000, remindBefore: 1000, onTimeout: 'escalate' },
          },
        ],
      });
      const { id } = (await call('weidong.staff', 'POST', '/api/applications', {
        type: 'subsidy',
        title: '四季送补助',
        amount: 8000,
        reason: '冬季送温暖',
      })) as { id: string };
      const t1 = await taskOf(call, waitFor, 'city.reviewer', id, 0);
      await call('city.reviewer', 'POST', `/api/tasks/${t1}/actions`, { action: 'approve' });
      await waitFor(id, (a) => a.timeline.some((e: { action: string }) => e.action === 'escalated'));
      const t2 = await taskOf(call, waitFor, 'city.lead', id, 1);
      await call('city.lead', 'POST', `/api/tasks/${t2}/actions`, { action: 'approve' });
      await waitFor(id, (a) => a.status === 'approved');
      return id;
    },
  },
  {
    // 在办申请迁移: waiting at the second step of version 1 when version 2 comes into force, the application is moved
    // (second → check) by the migrate Update, then decided at the two remaining steps of version 2.
    name: 'subsidy-migrated',
    async run(call, waitFor) {
      const propose = async (steps: unknown[]) => {
        await putInForce(call, waitFor, {
          owner: 'pds-zhanhe',
          key: 'record-migrate',
          name: '迁移测试 / migration',
          type: 'subsidy',
          steps,
        });
      };
      const named = (id: string, name: string, user: string) => ({ id, name, type: 'human', who: { kind: 'users', usernames: [user] }, mode: 'single' });
      await propose([named('first', '初审', 'city.reviewer'), named('second', '复审', 'city.reviewer2')]);
      const { id } = (await call('zhanhe.staff', 'POST', '/api/applications', {
        type: 'subsidy',
        title: '司机之家补助',
        amount: 6000,
        reason: '司机之家建设',
      })) as { id: string };
      const t1 = await taskOf(call, waitFor, 'city.reviewer', id, 0);
      await call('city.reviewer', 'POST', `/api/tasks/${t1}/actions`, { action: 'approve' });
      await taskOf(call, waitFor, 'city.reviewer2', id, 1);
      await propose([named('first', '初审', 'city.reviewer'), named('check', '省级复核', 'prov.reviewer'), named('final', '终审', 'city.reviewer2')]);
      const job = (await call('city.admin', 'POST', '/api/chains/record-migrate/migrations?owner=pds-zhanhe', {
        fromVersion: 1,
        toVersion: 2,
        stepMap: { second: 'check' },
      })) as { jobId: string };
      for (let i = 0; i < 200; i++) {
        const progress = await call('city.admin', 'GET', `/api/jobs/${job.jobId}`);
        if (progress.state === 'done') {
          if (progress.succeeded !== 1) throw new Error(`migration: ${JSON.stringify(progress)}`);
          break;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      const t2 = await taskOf(call, waitFor, 'prov.reviewer', id, 1);
      await call('prov.reviewer', 'POST', `/api/tasks/${t2}/actions`, { action: 'approve' });
      const t3 = await taskOf(call, waitFor, 'city.reviewer2', id, 2);
      await call('city.reviewer2', 'POST', `/api/tasks/${t3}/actions`, { action: 'approve' });
      await waitFor(id, (a) => a.status === 'approved' && a.chain.version === 2);
      return id;
    },
  },
  {
    // 申请表单 and 字段权限: a chain with a form for 湛河区; the city reviewer corrects the amount and a form field with the
    // approval (formEdited on the timeline), the province approves.
    name: 'subsidy-form-corrected',
    async run(call, waitFor) {
      await putInForce(call, waitFor, {
        owner: 'pds-zhanhe',
        key: 'record-form',
        name: '表单测试 / form',
        type: 'subsidy',
        form: {
          schema: {
            type: 'object',
            required: ['project', 'workers'],
            properties: {
              project: { type: 'string', title: '项目名称 / project', maxLength: 100 },
              workers: { type: 'integer', title: '覆盖职工人数 / workers covered', minimum: 1 },
            },
          },
        },
        steps: [
          {
            id: 'cityReview',
            name: '市总初审',
            type: 'human',
            who: { kind: 'users', usernames: ['city.reviewer'] },
            mode: 'single',
            onSelfApproval: 'forbid',
            fields: { amount: 'edit', workers: 'edit' },
          },
          { id: 'provReview', name: '省总审核', type: 'human', who: { kind: 'users', usernames: ['prov.reviewer'] }, mode: 'single', onSelfApproval: 'forbid' },
        ],
      });
      const { id } = (await call('zhanhe.staff', 'POST', '/api/applications', {
        type: 'subsidy',
        title: '骑手驿站补助',
        amount: 50000,
        reason: '新建骑手驿站',
        form: { project: '湛河区外卖骑手驿站', workers: 80 },
      })) as { id: string };
      const t1 = await taskOf(call, waitFor, 'city.reviewer', id, 0);
      await call('city.reviewer', 'POST', `/api/tasks/${t1}/actions`, { action: 'approve', comment: '核减', form: { amount: 40000, workers: 120 } });
      const t2 = await taskOf(call, waitFor, 'prov.reviewer', id, 1);
      await call('prov.reviewer', 'POST', `/api/tasks/${t2}/actions`, { action: 'approve' });
      await waitFor(id, (a) => a.status === 'approved');
      return id;
    },
  },
  {
    // Conditions and a parallel group (issue 14): the group's condition holds (20,000 > 10,000) and its two branches
    // (工交工会 and the city reviewer) both approve; the province step's condition (> 50,000) does not: it is skipped.
    name: 'subsidy-conditions-parallel',
    async run(call, waitFor) {
      await putInForce(call, waitFor, {
        owner: 'pds-weidong',
        key: 'record-parallel',
        name: '条件与并行 / conditions and branches',
        type: 'subsidy',
        steps: [
          {
            id: 'industries',
            name: '产业工会会审',
            type: 'parallel',
            mode: 'all',
            when: { '>': [{ var: 'amount' }, 10000] },
            branches: [
              [{ id: 'gongjiao', name: '工交工会审核', type: 'human', who: { kind: 'users', usernames: ['gongjiao.reviewer'] }, mode: 'single' }],
              [{ id: 'caimao', name: '财贸工会审核', type: 'human', who: { kind: 'users', usernames: ['city.reviewer'] }, mode: 'single' }],
            ],
          },
          {
            id: 'provinceReview',
            name: '省总审核',
            type: 'human',
            who: { kind: 'role', role: 'reviewer', level: 'province' },
            mode: 'single',
            when: { '>': [{ var: 'amount' }, 50000] },
          },
          { id: 'final', name: '市总复核', type: 'human', who: { kind: 'users', usernames: ['city.reviewer2'] }, mode: 'single' },
        ],
      });
      const { id } = (await call('weidong.staff', 'POST', '/api/applications', {
        type: 'subsidy',
        title: '跨行业职工服务站',
        amount: 20000,
        reason: '工交与财贸共建',
      })) as { id: string };
      const gj = await taskOf(call, waitFor, 'gongjiao.reviewer', id, 0);
      const cm = await taskOf(call, waitFor, 'city.reviewer', id, 0);
      await call('gongjiao.reviewer', 'POST', `/api/tasks/${gj}/actions`, { action: 'approve' });
      await call('city.reviewer', 'POST', `/api/tasks/${cm}/actions`, { action: 'approve' });
      const last = await taskOf(call, waitFor, 'city.reviewer2', id, 2);
      await call('city.reviewer2', 'POST', `/api/tasks/${last}/actions`, { action: 'approve' });
      await waitFor(id, (a) => a.status === 'approved');
      return id;
    },
  },
];

/** Puts a chain in force: city.admin proposes it, and the nearest other admin (the province's) approves the change. */
async function putInForce(call: Call, waitFor: WaitFor, chain: Record<string, unknown>): Promise<void> {
  const change = (await call('city.admin', 'POST', '/api/chains', chain)) as { id: string };
  const approval = await taskOf(call, waitFor, 'prov.admin', change.id, 0);
  await call('prov.admin', 'POST', `/api/tasks/${approval}/actions`, { action: 'approve' });
  await waitFor(change.id, (a: { status: string }) => a.status === 'approved');
}

async function taskOf(call: Call, _waitFor: unknown, username: string, applicationId: string, stepIndex: number): Promise<string> {
  let found: string | undefined;
  for (let i = 0; i < 100 && !found; i++) {
    const inbox = await call(username, 'GET', '/api/tasks?status=pending&limit=200');
    found = inbox.items.find((t: { applicationId: string; stepIndex: number }) => t.applicationId === applicationId && t.stepIndex === stepIndex)?.id;
    if (!found) await new Promise((r) => setTimeout(r, 100));
  }
  if (!found) throw new Error(`no task for ${username} at step ${stepIndex} of ${applicationId}`);
  return found;
}

async function main() {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'union-drive-record-'));
  fs.chmodSync(dir, 0o755);
  const cleanups: (() => Promise<unknown>)[] = [() => fs.promises.rm(dir, { recursive: true, force: true })];
  const cleanup = async () => {
    for (const fn of cleanups.reverse()) await fn().catch((e) => console.error(e));
  };
  try {
    const temporal = await startTemporalDevServer({
      cliPath: await ensureTemporalCli({ log, explicitPath: process.env.TEMPORAL_CLI_PATH || undefined }),
      port: await freePort(),
      dbFile: path.join(dir, 'temporal.db'),
      fastUnsafe: true,
    });
    cleanups.push(() => temporal.stop());
    let adminUrl = process.env.DATABASE_URL;
    if (!adminUrl) {
      const embedded = await startEmbeddedPostgres({ dataDir: path.join(dir, 'postgres'), port: await freePort(), ephemeral: true });
      cleanups.push(() => embedded.stop());
      adminUrl = embedded.url('postgres');
    }
    const dbName = `ud_record_${crypto.randomBytes(4).toString('hex')}`;
    const scratch = await createScratchDatabase(adminUrl, dbName);
    cleanups.push(scratch.drop);
    const db = createDb(scratch.url);
    cleanups.push(() => db.destroy());
    await migrateLatest(db);
    await loadDemoData(db, hashPassword);

    const pii = createPiiCipher(crypto.randomBytes(32).toString('base64'));
    const taskQueue = 'record-histories';
    log('bundling the workflows and starting a worker');
    const { client, connection } = await connectTemporal(temporal.address, 'default');
    cleanups.push(() => connection.close());
    const { worker, connection: workerConn } = await createWorker({
      address: temporal.address,
      namespace: 'default',
      taskQueue,
      deps: { db, pii, temporal: client, taskQueue },
    });
    const running = worker.run();
    cleanups.push(async () => {
      worker.shutdown();
      await running;
      await workerConn.close();
    });
    const api = await startApi(
      { db, temporal: client, taskQueue, jwtSecret: crypto.randomBytes(32).toString('hex'), jwtTtl: '1h', pii, publicJoin: true, loginLimit: 10_000 },
      0,
    );
    cleanups.push(() => api.close());

    const tokens = new Map<string, string>();
    const call: Call = async (username, method, route, body) => {
      const headers: Record<string, string> = {};
      if (username) {
        if (!tokens.has(username)) {
          const r = await fetch(`${api.url}/api/auth/login`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ username, password: 'demo-password' }),
          });
          tokens.set(username, ((await r.json()) as { token: string }).token);
        }
        headers.authorization = `Bearer ${tokens.get(username)}`;
      }
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(api.url + route, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const json = await res.json();
      if (res.status >= 300) throw new Error(`${method} ${route} as ${username}: ${res.status} ${JSON.stringify(json)}`);
      return json;
    };
    const waitFor = async (id: string, pred: (a: any) => boolean) => {
      for (let i = 0; i < 200; i++) {
        const a = await call('city.admin', 'GET', `/api/applications/${id}`);
        if (pred(a)) return a;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`application ${id} did not reach the expected state`);
    };

    const smsCode: SmsCode = async (phone) => {
      await call(null, 'POST', '/api/public/sms-codes', { phone, purpose: 'join' });
      return readOutboxCode(db, pii, phone);
    };

    fs.mkdirSync(OUT_DIR, { recursive: true });
    for (const s of SCENARIOS) {
      if (ONLY && !ONLY.has(s.name)) continue;
      const id = await s.run(call, waitFor, smsCode);
      const handle = client.workflow.getHandle(`application-${id}`);
      await handle.result();
      const history = await handle.fetchHistory();
      const file = path.join(OUT_DIR, `${s.name}${SUFFIX}.json`);
      fs.writeFileSync(file, JSON.stringify(JSON.parse(historyToJSON(history))) + '\n');
      log(`${s.name}: ${history.events?.length ?? 0} events, ${Math.round(fs.statSync(file).size / 1024)} KiB → ${path.relative(PROJECT_ROOT, file)}`);
    }
  } finally {
    await cleanup();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
