/**
 * Kill -9 of the worker in the middle of twenty subsidy chains and a running
 * campaign. The worker runs as its own OS process (`runtime/worker-main.ts`);
 * the API runs in this process. A reference run of the same work goes
 * through undisturbed first; after the crash and a restart every chain and
 * the campaign must end exactly as the reference did — same audit trail,
 * tasks, notifications, notices (下拨补助资金), projects and members — with
 * nothing recorded twice. Clients behave as real ones do: every mutating call
 * carries an Idempotency-Key and is retried with the same key on a 503.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLaunch, memberRecords, organizingProject, serviceProject, surveyCsv, verifyReported } from '../support/campaigns';
import { buildSubsidy, unique } from '../support/factories';
import { eventually, startHarness, type Harness } from '../support/harness';
import { header, startSmtpSink } from '../support/reports';
import { sleep, spawnWorker, type WorkerProcess } from './support';

let h: Harness;
let worker: WorkerProcess | undefined;
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
/** The worker emails bulletins (通报) to the city's supervisors through a real SMTP server on loopback. */
const workerEnv = () => ({ SMTP_URL: smtp.url });
/** Every retry a client needed, as `status method path`, for the report. */
const retries: string[] = [];
const t0 = Date.now();
const timeline: string[] = [];
const mark = (what: string) => timeline.push(`${((Date.now() - t0) / 1000).toFixed(1)}s ${what}`);

beforeAll(async () => {
  smtp = await startSmtpSink();
  h = await startHarness({ withWorker: false });
  worker = await spawnWorker({ taskQueue: h.taskQueue, env: workerEnv() });
}, 180_000);
afterAll(async () => {
  await worker?.stop();
  await h?.close();
  await smtp?.close();
});

type Reply = { status: number; body: any };

/**
 * A client call that survives a worker restart: on 503 (the API's deadline on
 * Temporal passed) or a dropped connection it retries with the same
 * Idempotency-Key until it gets a real answer.
 */
async function send(method: string, path: string, user: string, body?: unknown, key = method === 'GET' ? undefined : unique('k-')): Promise<Reply> {
  const deadline = Date.now() + 240_000;
  for (;;) {
    let r: Reply;
    try {
      r = await h.call(method, path, { token: await h.login(user), body, headers: key ? { 'Idempotency-Key': key } : {} });
    } catch (e) {
      r = { status: 0, body: String(e) };
    }
    if (r.status !== 503 && r.status !== 0) {
      if (r.status >= 500) throw new Error(`${method} ${path} as ${user}: ${r.status} ${JSON.stringify(r.body)}`);
      return r;
    }
    retries.push(`${r.status} ${method} ${path}`);
    if (Date.now() > deadline) throw new Error(`${method} ${path} still ${r.status} after 240 s`);
    await sleep(300);
  }
}

async function ok(method: string, path: string, user: string, body?: unknown, expected = 200): Promise<any> {
  const r = await send(method, path, user, body);
  expect(r.status, `${method} ${path} as ${user}: ${JSON.stringify(r.body)}`).toBe(expected);
  return r.body;
}

/** The user's pending approval task on the application (waits for it to open). */
async function taskOf(user: string, applicationId: string, timeoutMs = 180_000): Promise<{ id: string; stepIndex: number }> {
  return eventually(
    async () => {
      const r = await send('GET', `/api/tasks?status=pending&limit=200`, user);
      return (r.body.items as { id: string; applicationId: string; stepIndex: number }[]).find((t) => t.applicationId === applicationId);
    },
    timeoutMs,
    250,
  );
}

async function approve(user: string, applicationId: string): Promise<any> {
  const t = await taskOf(user, applicationId);
  return ok('POST', `/api/tasks/${t.id}/actions`, user, { action: 'approve', comment: '同意 / approved' });
}

async function statusOf(applicationId: string, status: string, timeoutMs = 180_000) {
  return eventually(
    async () => {
      const r = await send('GET', `/api/applications/${applicationId}`, 'city.admin');
      return r.body.status === status ? r.body : undefined;
    },
    timeoutMs,
    250,
  );
}

// ---------------------------------------------------------------------------
// What a finished piece of work looks like, without ids and times
// ---------------------------------------------------------------------------

/** One application's outcome: status, audit trail (in order), tasks, notifications and notice. */
async function chainSignature(applicationId: string) {
  const app = await h.db('applications').where({ id: applicationId }).first('status', 'current_step', 'type');
  const audit = await h.db('audit_log').where({ application_id: applicationId }).orderBy('id').select('actor', 'action', 'step_index');
  const tasks = await h.db('tasks').where({ application_id: applicationId }).select('kind', 'step_index', 'status', 'decision', 'assignee', 'role', 'org_id');
  const notes = await h.db('notifications').where({ application_id: applicationId }).select('username', 'kind');
  const notices = await h.db('subsidy_notices').where({ application_id: applicationId }).select('amount', 'org_id');
  return {
    app,
    audit: audit.map((a: { actor: string; action: string; step_index: number | null }) => `${a.actor} ${a.action} @${a.step_index}`),
    tasks: tasks.map((t: Record<string, unknown>) => Object.values(t).join('|')).sort(),
    notifications: notes.map((n: { username: string; kind: string }) => `${n.username}:${n.kind}`).sort(),
    notices: notices.map((n: { amount: string; org_id: string }) => `${n.org_id}:${Number(n.amount)}`),
  };
}

/** A campaign's outcome: its audit trail by action, its applications, projects, members, regions' ranks. */
async function campaignSignature(campaignId: string) {
  // At close the campaign withdraws a 建会 still in progress; its workflow records that a moment after the campaign ends.
  await eventually(async () => ((await h.db('union_establishments').where({ campaign_id: campaignId, status: 'in_progress' }).first('id')) ? undefined : true));
  const audit = await h
    .db('audit_log')
    .where({ application_id: campaignId })
    .groupBy('action')
    .select('action', h.db.raw('count(*)::int as n'))
    .orderBy('action');
  const apps = await h.db('applications').where({ campaign_id: campaignId }).orderBy('id').select('id', 'type');
  const projects = await h
    .db('projects')
    .where({ campaign_id: campaignId })
    .select('region_org', 'kind', 'type', 'name', 'status', 'members_recruited', 'unions_established', 'coverage_done', 'subsidy_amount');
  const events = await h
    .db('project_events as e')
    .join('projects as p', 'p.id', 'e.project_id')
    .where('p.campaign_id', campaignId)
    .groupBy('e.kind')
    .select('e.kind', h.db.raw('count(*)::int as n'))
    .orderBy('e.kind');
  const members = await h.db('members').where({ campaign_id: campaignId }).count<{ n: string }[]>({ n: '*' }).first();
  const regions = await h
    .db('campaign_regions')
    .where({ campaign_id: campaignId })
    .orderBy('org_id')
    .select('org_id', 'status', 'list_status', 'rank', 'score');
  const campaign = await h.db('campaigns').where({ id: campaignId }).first('phase');
  const enterprises = await h
    .db('enterprises')
    .where({ campaign_id: campaignId })
    .groupBy('ledger_status')
    .select('ledger_status', h.db.raw('count(*)::int as n'))
    .orderBy('ledger_status');
  const chains = [];
  for (const a of apps) chains.push({ type: a.type, ...(await chainSignature(a.id)) });
  const reports = await h.db('reports').where({ campaign_id: campaignId }).orderBy('seq').pluck('id');
  const deliveries = await h.db('report_deliveries').whereIn('report_id', reports).select('username', 'channel', 'status', 'attempts');
  const mails = smtp.received.filter((m) => reports.includes(header(m.raw, 'X-Union-Drive-Bulletin') ?? ''));
  return {
    phase: campaign.phase,
    audit: Object.fromEntries(audit.map((a: { action: string; n: number }) => [a.action, a.n])),
    chains: chains.sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y))),
    projects: projects.map((p: Record<string, unknown>) => Object.values(p).join('|')).sort(),
    projectEvents: Object.fromEntries(events.map((e: { kind: string; n: number }) => [e.kind, e.n])),
    members: Number(members?.n ?? 0),
    regions: regions.map((r: Record<string, unknown>) => Object.values(r).join('|')),
    enterprises: Object.fromEntries(enterprises.map((e: { ledger_status: string; n: number }) => [e.ledger_status, e.n])),
    bulletins: reports.length,
    // (attempts may differ after a crash; the outcome may not)
    deliveries: deliveries.map((d: { username: string; channel: string; status: string }) => `${d.username}:${d.channel}:${d.status}`).sort(),
    emails: mails.map((m) => m.to.join(',')).sort(),
  };
}

/** Issues a bulletin now (city admin); its email copies go out in the background. */
async function issueBulletin(campaignId: string): Promise<Reply> {
  const r = await send('POST', `/api/campaigns/${campaignId}/reports`, 'city.admin');
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r;
}

/** Waits until every email copy of the campaign's bulletins is sent (a crash mid-send holds a copy for its lease). */
async function emailsSent(campaignId: string) {
  await eventually(
    async () => {
      const rows = await h
        .db('report_deliveries as d')
        .join('reports as r', 'r.id', 'd.report_id')
        .where({ 'r.campaign_id': campaignId, 'd.channel': 'email' })
        .select('d.status');
      return rows.length > 0 && rows.every((x: { status: string }) => x.status === 'sent');
    },
    240_000,
    500,
  );
}

// ---------------------------------------------------------------------------
// The work: subsidy chains, and a two-region campaign from launch to ranking
// ---------------------------------------------------------------------------

const REGIONS = ['pds-xinhua', 'pds-weidong'] as const;
const STAFF = { 'pds-xinhua': 'xinhua.staff', 'pds-weidong': 'weidong.staff' } as const;

async function startChains(n: number, tag: string): Promise<string[]> {
  return Promise.all(
    Array.from(
      { length: n },
      async (_, i) =>
        (await ok('POST', '/api/applications', 'xinhua.staff', buildSubsidy({ title: `${tag} 服务站补助 ${i}`, amount: 10_000 }), 201)).id as string,
    ),
  );
}

/** Launch, survey (an uploaded ledger and a plan per region), then the project lists (listing phase). */
async function campaignToListing(): Promise<{ id: string; lists: string[]; ledger: Record<string, number> }> {
  const launch = buildLaunch({ regions: [...REGIONS], groups: ['courier'], targets: { newMembers: 6, newUnions: 2 } });
  const { id } = await ok('POST', '/api/campaigns', 'city.admin', launch, 201);
  await eventually(async () => (await send('GET', `/api/campaigns/${id}`, 'city.admin')).body.phase === 'survey', 60_000);
  const ledger: Record<string, number> = {};
  for (const region of REGIONS) {
    const csv = surveyCsv(region, [{ name: `${region}某物流公司`, employees: 60 }]);
    const r = await h.call('POST', `/api/campaigns/${id}/regions/${region}/enterprises`, {
      token: await h.login(STAFF[region]),
      raw: csv,
      headers: { 'content-type': 'text/csv' },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    ledger[region] = Number(r.body.items[0].id);
    await ok('POST', `/api/campaigns/${id}/regions/${region}/plan`, STAFF[region], { summary: '拉网式排查，倒排工期', measures: ['建立一企一档'] });
  }
  await ok('POST', `/api/campaigns/${id}/advance`, 'city.admin', { reason: '摸底完成' });
  await eventually(async () => (await send('GET', `/api/campaigns/${id}`, 'city.admin')).body.phase === 'listing', 60_000);
  const lists: string[] = [];
  for (const region of REGIONS) {
    const projects = [
      organizingProject({
        name: `${region}物流公司工会`,
        type: 'enterprise_union',
        enterprises: [ledger[region]],
        plannedMembers: 2,
        subsidyAmount: region === 'pds-xinhua' ? 20_000 : undefined,
      }),
      serviceProject({ name: `${region}户外劳动者服务站`, plannedCoverage: 100 }),
    ];
    const r = await ok('POST', `/api/campaigns/${id}/regions/${region}/projects`, STAFF[region], { projects }, 201);
    lists.push(r.applicationId);
  }
  return { id, lists, ledger };
}

/** From the lists' province review to the closed, ranked campaign. */
async function campaignFinish(c: { id: string; lists: string[]; ledger: Record<string, number> }): Promise<void> {
  await Promise.all(c.lists.map((list) => approve('prov.reviewer', list)));
  const projects = await eventually(async () => {
    const r = await send('GET', `/api/campaigns/${c.id}/projects`, 'city.admin');
    return r.body.items.length === 4 && r.body.items.every((p: { status: string }) => p.status === 'approved') ? r.body.items : undefined;
  }, 180_000);
  const subsidised = projects.find((p: { subsidyAmount: number | null }) => p.subsidyAmount === 20_000);
  const subsidyApp = await eventually(async () => (await send('GET', `/api/projects/${subsidised.id}`, 'city.admin')).body.subsidyApplicationId, 120_000);
  await approve('city.reviewer', subsidyApp);
  await approve('prov.reviewer', subsidyApp);
  await statusOf(subsidyApp, 'approved');

  await ok('POST', `/api/campaigns/${c.id}/advance`, 'city.admin', { reason: '项目清单已批复' });
  await Promise.all(
    REGIONS.map(async (region) => {
      const p = await eventually(
        async () =>
          (await send('GET', `/api/campaigns/${c.id}/projects?region=${region}`, 'city.admin')).body.items.find(
            (x: { kind: string; status: string }) => x.kind === 'organizing' && x.status === 'in_progress',
          ),
        120_000,
      );
      await ok('POST', `/api/projects/${p.id}/progress`, STAFF[region], {
        unionsEstablished: [{ enterpriseId: c.ledger[region], name: `${region}物流公司工会`, establishedOn: '2026-07-01' }],
        members: memberRecords(2),
      });
      // 实名核验: the city's reviewer verifies the two (an API decision, no workflow).
      await verifyReported(h, p.id);
    }),
  );
  await ok('POST', `/api/campaigns/${c.id}/advance`, 'city.admin', { reason: '进入考核' });
  await eventually(async () => (await send('GET', `/api/campaigns/${c.id}`, 'city.admin')).body.phase === 'assessment', 60_000);
  const assessments = await Promise.all(
    (await send('GET', `/api/campaigns/${c.id}/projects`, 'city.admin')).body.items.map(
      async (p: { id: string; region: (typeof REGIONS)[number]; progress: { membersRecruited: number; unionsEstablished: number } }) => {
        const r = await ok(
          'POST',
          `/api/projects/${p.id}/self-assessment`,
          STAFF[p.region],
          { summary: '按期完成', membersRecruited: p.progress.membersRecruited, unionsEstablished: p.progress.unionsEstablished },
          201,
        );
        return r.assessmentApplicationId as string;
      },
    ),
  );
  await Promise.all(assessments.map((a) => approve('city.reviewer', a)));
  await eventually(
    async () => (await send('GET', `/api/campaigns/${c.id}/projects`, 'city.admin')).body.items.every((p: { status: string }) => p.status === 'qualified'),
    120_000,
  );
  await ok('POST', `/api/campaigns/${c.id}/advance`, 'city.admin', { reason: '考核结束' });
  await eventually(async () => (await send('GET', `/api/campaigns/${c.id}`, 'city.admin')).body.phase === 'closed', 60_000);
}

/** Decisions and one-off events may appear once per application and step, whatever the retries. */
const ONCE = ['submitted', 'approve', 'reject', 'return', 'approved', 'stepStarted', 'auto:issueSubsidyNotice', 'resubmit'];

describe('a worker killed with SIGKILL in the middle of approval chains and a campaign', () => {
  it('after a restart every chain and the campaign end as an undisturbed run did, with nothing recorded twice', async () => {
    // ---- the reference: the same work, undisturbed ----
    const [[refChain], refCampaign] = await Promise.all([startChains(1, 'reference'), campaignToListing()]);
    await Promise.all([refChain!, ...refCampaign.lists].map((id) => approve('city.reviewer', id)));
    await issueBulletin(refCampaign.id);
    await approve('prov.reviewer', refChain!);
    await statusOf(refChain!, 'approved');
    await campaignFinish(refCampaign);
    await emailsSent(refCampaign.id);
    mark('reference run done');
    const expectedChain = await chainSignature(refChain!);
    const expectedCampaign = await campaignSignature(refCampaign.id);
    expect(expectedChain.app.status).toBe('approved');
    expect(expectedChain.notices).toHaveLength(1);
    expect(expectedCampaign.phase).toBe('closed');
    expect(expectedCampaign.emails.length).toBeGreaterThan(0);

    // ---- the same work, with a crash in the middle ----
    const [chains, campaign] = await Promise.all([startChains(20, 'crash'), campaignToListing()]);
    // The bulletin goes out before the crash: its emails' exactly-once sending under retries and overlapping
    // attempts is proven in activity-idempotency.test.ts; a crash in the middle of a send would only hold
    // that copy for its activity timeout and claim lease (minutes), which this test does not wait for.
    await issueBulletin(campaign.id);
    await emailsSent(campaign.id);
    const cityTasks = await Promise.all([...chains, ...campaign.lists].map(async (id) => ({ id, task: await taskOf('city.reviewer', id) })));
    // Twenty-two approvals at once (the chains' and the campaign's project lists'); the worker dies
    // as soon as the first approval is answered, the rest in flight.
    let answered = 0;
    const burst = cityTasks.map(async ({ task }) => {
      const r = await ok('POST', `/api/tasks/${task.id}/actions`, 'city.reviewer', { action: 'approve', comment: '同意 / approved' });
      answered += 1;
      return r;
    });
    while (answered < 1) await sleep(2);
    const crashedPid = worker!.pid;
    process.kill(crashedPid, 'SIGKILL');
    mark(`worker killed (${answered} answered)`);
    const inFlight = cityTasks.length - answered;
    await worker!.kill9();
    expect(() => process.kill(crashedPid, 0)).toThrow(); // really gone
    worker = await spawnWorker({ taskQueue: h.taskQueue, env: workerEnv() });
    expect(worker.pid).not.toBe(crashedPid);
    mark('worker restarted');
    const results = await Promise.all(burst);
    mark('all approvals of the burst answered');
    expect(results.map((r) => r.status)).toEqual(cityTasks.map(() => 'pending'));
    expect(inFlight).toBeGreaterThan(0);

    // The chains go on to the province and the notice; the campaign to its end.
    await Promise.all(chains.map((id) => approve('prov.reviewer', id)));
    await Promise.all(chains.map((id) => statusOf(id, 'approved')));
    mark('chains approved');
    await campaignFinish(campaign);
    mark('campaign closed');

    // ---- same result as the undisturbed run ----
    for (const id of chains) expect(await chainSignature(id), `chain ${id}`).toEqual(expectedChain);
    expect(await campaignSignature(campaign.id)).toEqual(expectedCampaign);

    // ---- and nothing twice: decisions, notices, tasks, members, project events ----
    const allApps = [...chains, ...(await h.db('applications').where({ campaign_id: campaign.id }).pluck('id'))];
    const repeated = await h
      .db('audit_log')
      .whereIn('application_id', allApps)
      .whereIn('action', ONCE)
      .groupBy('application_id', 'action', 'step_index', 'actor')
      .havingRaw('count(*) > 1')
      .select('application_id', 'action', 'step_index', 'actor', h.db.raw('count(*)::int as n'));
    expect(repeated).toEqual([]);
    const notices = await h.db('subsidy_notices').whereIn('application_id', allApps).select('application_id');
    expect(notices).toHaveLength(21); // twenty chains and the campaign's one subsidised project
    const taskDupes = await h
      .db('tasks')
      .whereIn('application_id', allApps)
      .where({ kind: 'approval', status: 'completed' })
      .groupBy('application_id', 'step_index')
      .havingRaw('count(*) > 1')
      .select('application_id', 'step_index');
    expect(taskDupes).toEqual([]);
    const memberDupes = await h.db('members').where({ campaign_id: campaign.id }).groupBy('id_number_hash').havingRaw('count(*) > 1').select('id_number_hash');
    expect(memberDupes).toEqual([]);
    const progress = await h
      .db('project_events as e')
      .join('projects as p', 'p.id', 'e.project_id')
      .where({ 'p.campaign_id': campaign.id, 'e.kind': 'progress' })
      .count<{ n: string }[]>({ n: '*' })
      .first();
    expect(Number(progress?.n)).toBe(2);
    // One email per supervisor and bulletin, however often the sending was retried.
    const reportIds = await h.db('reports').where({ campaign_id: campaign.id }).pluck('id');
    const mails = smtp.received.filter((m) => reportIds.includes(header(m.raw, 'X-Union-Drive-Bulletin') ?? ''));
    const perCopy = new Map<string, number>();
    for (const m of mails)
      perCopy.set(
        `${header(m.raw, 'X-Union-Drive-Bulletin')} ${m.to.join(',')}`,
        (perCopy.get(`${header(m.raw, 'X-Union-Drive-Bulletin')} ${m.to.join(',')}`) ?? 0) + 1,
      );
    expect([...perCopy.values()].every((n) => n === 1)).toBe(true);
    expect(perCopy.size).toBe(expectedCampaign.emails.length);
    console.log(
      `[worker-crash] killed pid ${crashedPid} with ${inFlight} of ${cityTasks.length} approvals in flight; clients retried ${retries.length} times after 503\n  ${timeline.join('\n  ')}`,
    );
  }, 420_000);
});
