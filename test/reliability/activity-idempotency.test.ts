/**
 * Every activity that writes to Postgres is keyed, so Temporal's retries —
 * an attempt whose completion was lost and that runs again, or a timed-out
 * attempt still running while its retry starts — never write anything twice.
 *
 * A property over the whole business: one scenario of activity calls (an
 * approval chain's transitions and its notice, a membership's member record,
 * verification and transfer, a campaign from launch to ranking with plan,
 * project list, progress, inspection, self-assessment, escalation, reminders
 * and a bulletin) is run once as Temporal ideally would, and again with each
 * call retried 1–3 times, sequentially or concurrently, as fast-check
 * chooses. Both runs must leave the same rows behind.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { insertApplication } from '../../db/approval-repository';
import { insertCampaign } from '../../db/campaign-repository';
import { maskIdNumber } from '../../domain/id-number';
import { phaseWindows } from '../support/campaigns';
import { unique, uniqueIdNumber } from '../support/factories';
import { startHarness, type Harness } from '../support/harness';
import { header, startSmtpSink } from '../support/reports';

let h: Harness;
let act: ReturnType<typeof createActivities>;
beforeAll(async () => {
  h = await startHarness({ withWorker: false });
  act = createActivities({ db: h.db, pii: h.pii, temporal: h.temporal, taskQueue: h.taskQueue });
});
afterAll(async () => {
  await h?.close();
});

type Call = () => Promise<unknown>;
type Plan = { attempts: number; concurrent: boolean };

/** Runs one activity the way Temporal may: `attempts` times, one after another or overlapping, until one succeeds. */
async function retried(call: Call, plan: Plan): Promise<void> {
  let succeeded = false;
  if (plan.concurrent) {
    const results = await Promise.allSettled(Array.from({ length: plan.attempts }, () => call()));
    succeeded = results.some((r) => r.status === 'fulfilled');
  } else {
    for (let i = 0; i < plan.attempts; i++)
      succeeded =
        (await call().then(
          () => true,
          () => false,
        )) || succeeded;
  }
  // An attempt that lost a race (e.g. to a unique key) failed as a whole; Temporal retries until one succeeds.
  for (let i = 0; !succeeded; i++) {
    if (i === 5) await call(); // surface the error
    succeeded = await call().then(
      () => true,
      () => false,
    );
  }
}

const PHASES = phaseWindows(new Date('2026-04-01T00:00:00+08:00'), 30 * 86_400_000);

/** The scenario's activity calls, in the order the workflows make them; every id carries `p`. */
function scenario(p: string): Call[] {
  const sub = `${p}-sub`;
  const mem = `${p}-mem`;
  const tr = `${p}-tr`;
  const c = `${p}-c`;
  const region = 'pds-xinhua';
  const list = `list-${c}-${region}`;
  const project = `${c}-${region}-r1-001`;
  const service = `${c}-${region}-r1-002`;
  const idNumber = uniqueIdNumber();
  const memberIds = [uniqueIdNumber(), uniqueIdNumber()];
  const subsidyPayload = { amount: 12_000, reason: '服务站建设' };
  const memberPayload = {
    name: '王五',
    group: 'courier',
    area: region,
    employer: null,
    idNumberEnc: h.pii.encrypt(idNumber),
    idNumberHash: h.pii.hash(idNumber),
    idNumberMasked: maskIdNumber(idNumber),
    phoneEnc: h.pii.encrypt('13800001111'),
    phoneMasked: '138****1111',
  };
  const task = (id: string, status: 'pending' | 'completed', decision: string | null) => ({
    id,
    applicationId: sub,
    kind: 'approval' as const,
    stepIndex: 0,
    stepName: '市总初审 / city initial review',
    assignee: null,
    role: 'reviewer',
    orgId: 'pds',
    candidates: ['city.reviewer', 'city.reviewer2'],
    status,
    decision,
    subject: '服务站补助',
  });
  const application = (status: 'pending' | 'approved', currentStep: string | null) => ({
    status,
    currentStep,
    type: 'subsidy' as const,
    title: '服务站补助',
    payload: subsidyPayload,
    targetOrg: null,
  });
  const member = (i: number) => ({
    name: `骑手${i}`,
    group: 'courier',
    employer: '某快递网点',
    idNumberEnc: h.pii.encrypt(memberIds[i]!),
    idNumberHash: h.pii.hash(memberIds[i]!),
    idNumberMasked: maskIdNumber(memberIds[i]!),
  });
  const auto = (
    applicationId: string,
    activity: 'issueSubsidyNotice' | 'collectMemberInfo' | 'verifyRealName' | 'transferMembership',
    type: 'subsidy' | 'membership' | 'transfer',
    payload: Record<string, unknown>,
    targetOrg?: string,
  ) =>
    act.runAutoStep({
      applicationId,
      activity,
      type,
      applicant: type === 'subsidy' ? 'xinhua.staff' : null,
      applicantOrg: region,
      title: 'T',
      payload,
      targetOrg,
    });

  return [
    // ---- a subsidy chain: submitted, approved, notice and disbursement ----
    () =>
      act.recordTransition({
        applicationId: sub,
        audit: [
          { key: `${sub}-audit-1`, applicationId: sub, actor: 'xinhua.staff', action: 'submitted', stepIndex: null, step: null, data: { type: 'subsidy' } },
          { key: `${sub}-audit-3`, applicationId: sub, actor: 'system', action: 'stepStarted', stepIndex: 0, step: '市总初审 / city initial review' },
        ],
        tasks: [task(`${sub}-task-2`, 'pending', null)],
        notifications: [],
        application: application('pending', '市总初审 / city initial review'),
      }),
    () =>
      act.recordTransition({
        applicationId: sub,
        audit: [
          {
            key: `${sub}-audit-4`,
            applicationId: sub,
            actor: 'city.reviewer',
            action: 'approve',
            stepIndex: 0,
            step: '市总初审 / city initial review',
            comment: '同意',
          },
          { key: `${sub}-audit-6`, applicationId: sub, actor: 'system', action: 'approved', stepIndex: null, step: null },
        ],
        tasks: [task(`${sub}-task-2`, 'completed', 'approve')],
        notifications: [{ key: `${sub}-note-5`, username: 'xinhua.staff', applicationId: sub, kind: 'decided', message: '申请已通过' }],
        application: application('approved', null),
      }),
    () => auto(sub, 'issueSubsidyNotice', 'subsidy', subsidyPayload),
    // ---- a membership: member record, real-name check, then a transfer ----
    () => auto(mem, 'collectMemberInfo', 'membership', memberPayload, 'pds-xinhua-express'),
    () => auto(mem, 'verifyRealName', 'membership', memberPayload, 'pds-xinhua-express'),
    () => auto(tr, 'transferMembership', 'transfer', { idNumberHash: memberPayload.idNumberHash }, 'pds-weidong-mall'),
    // ---- a campaign ----
    () => act.recordCampaignEvent({ campaignId: c, key: `${c}:launched`, actor: 'city.admin', action: 'launched', data: { regions: [region] } }),
    () => act.setCampaignPhase({ campaignId: c, phase: 'survey', endsAt: PHASES.survey.end }),
    () =>
      act.saveRegionPlan({
        campaignId: c,
        regionOrg: region,
        plan: { summary: '拉网式排查', measures: ['一企一档'] },
        actor: 'xinhua.staff',
        key: `${c}:plan`,
      }),
    () => act.closePhase({ campaignId: c, phase: 'survey', closedBy: 'city.admin', reason: '摸底完成', early: true }),
    () => act.setCampaignPhase({ campaignId: c, phase: 'listing', endsAt: PHASES.listing.end }),
    () =>
      act.saveProjectList({
        campaignId: c,
        regionOrg: region,
        applicationId: list,
        revision: 1,
        actor: 'xinhua.staff',
        projects: [
          {
            kind: 'organizing',
            type: 'industry_federation',
            name: '快递行业工会联合会',
            location: '新华区',
            plannedMembers: 2,
            groups: ['courier'],
            responsibleUnit: '区总工会',
            dueDate: '2026-10-31',
            subsidyAmount: 20_000,
          },
          { kind: 'service', type: 'service_station', name: '户外劳动者服务站', responsibleUnit: '区总工会', date: '2026-09-30', plannedCoverage: 100 },
        ],
      }),
    () =>
      act.createApplicationRecord({
        id: list,
        type: 'project_list',
        chainKey: 'project_list',
        applicant: 'xinhua.staff',
        applicantOrg: region,
        title: '新华区项目清单',
        payload: { projectCount: 2 },
        campaignId: c,
      }),
    () => act.setRegionListStatus({ campaignId: c, regionOrg: region, applicationId: list, status: 'pending' }),
    () => act.setRegionListStatus({ campaignId: c, regionOrg: region, applicationId: list, status: 'approved' }),
    () => act.approveProjectList({ campaignId: c, regionOrg: region, applicationId: list }),
    () =>
      act.createApplicationRecord({
        id: `subsidy-${project}`,
        type: 'subsidy',
        chainKey: 'subsidy',
        applicant: 'xinhua.staff',
        applicantOrg: region,
        title: '项目补助',
        payload: { amount: 20_000, projectId: project },
        campaignId: c,
        projectId: project,
      }),
    () => act.closePhase({ campaignId: c, phase: 'listing', closedBy: 'system', reason: '阶段到期', early: false }),
    () => act.setCampaignPhase({ campaignId: c, phase: 'implementation', endsAt: PHASES.implementation.end }),
    () =>
      act.setProjectStatus({
        projectId: project,
        status: 'in_progress',
        note: '推进实施',
        data: {},
        rectifyDeadline: null,
        key: `project-${project}:status:in_progress`,
      }),
    () =>
      act.recordProgress({
        projectId: project,
        campaignId: c,
        regionOrg: region,
        key: `project-${project}:progress-1`,
        actor: 'xinhua.staff',
        report: { members: [member(0), member(1)], unionsEstablished: [{ name: '快递行业工会联合会', establishedOn: '2026-07-01' }], note: '首批' },
      }),
    () =>
      act.recordProgress({
        projectId: service,
        campaignId: c,
        regionOrg: region,
        key: `project-${service}:progress-1`,
        actor: 'xinhua.staff',
        report: { serviceDone: { coverage: 80 } },
      }),
    () =>
      act.recordProjectEvent({
        projectId: project,
        key: `project-${project}:inspection-1`,
        actor: 'city.staff',
        kind: 'inspection',
        data: { findings: '台账齐全', result: 'good' },
      }),
    () =>
      act.openRectifications({
        key: `project-${project}:inspection-2`,
        projectId: project,
        campaignId: c,
        regionOrg: region,
        actor: 'city.staff',
        inspectedOn: '2026-08-01',
        findings: [
          { text: '花名册缺身份证号', severity: 'major', deadline: '2026-09-01' },
          { text: '未挂牌', severity: 'minor' },
          { text: '台账未更新', severity: 'serious', deadline: '2026-08-20' },
        ],
      }),
    () => act.issueBulletin({ campaignId: c, kind: 'on_demand', issuedBy: 'city.admin', requestKey: `${c}:bulletin-1`, workflowId: `bulletin-${c}-1` }),
    () =>
      act.escalateOverdue({
        campaignId: c,
        regionOrg: region,
        phase: 'implementation',
        item: 'progress',
        level: 'supervision',
        detail: '进展未按期报送',
        key: `${c}:overdue:implementation:supervision`,
      }),
    () => act.notifyRegion({ campaignId: c, regionOrg: region, key: `${c}:remind:implementation`, message: '提醒：请按时报送进展' }),
    () => act.closePhase({ campaignId: c, phase: 'implementation', closedBy: 'system', reason: '阶段到期', early: false }),
    () => act.setCampaignPhase({ campaignId: c, phase: 'assessment', endsAt: PHASES.assessment.end }),
    () =>
      act.saveSelfAssessment({
        projectId: project,
        report: { summary: '完成', membersRecruited: 2, unionsEstablished: 1 },
        actor: 'xinhua.staff',
        key: `project-${project}:assessment-1`,
      }),
    () => act.lapseRectifications({ projectId: project, key: `project-${project}:lapse`, note: '行动结束时整改未完成' }),
    () =>
      act.setProjectStatus({
        projectId: project,
        status: 'qualified',
        note: '考核合格',
        data: {},
        rectifyDeadline: null,
        key: `project-${project}:status:qualified`,
      }),
    () => act.closePhase({ campaignId: c, phase: 'assessment', closedBy: 'city.admin', reason: '考核结束', early: true }),
    () => act.finalizeCampaign({ campaignId: c }),
  ];
}

/** Rows the scenario wrote (the set-up rows too), with ids, times and ciphertexts left out, `p` written as P. */
async function snapshot(p: string): Promise<Record<string, string[]>> {
  const like = `%${p}%`;
  const db = h.db;
  const omit = (rows: Record<string, unknown>[], ...cols: string[]) =>
    rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !cols.includes(k) && !/(?:_at|^at|^id)$/.test(k))));
  const sorted = (rows: Record<string, unknown>[]) => rows.map((r) => JSON.stringify(r)).sort();
  const reports = await db('reports').where('campaign_id', 'like', like).select('id', 'seq', 'period', 'kind', 'issued_by');
  const tables = {
    applications: sorted(omit(await db('applications').where('id', 'like', like).select('*'))),
    tasks: sorted(omit(await db('tasks').where('application_id', 'like', like).select('*'))),
    audit: sorted(
      omit(await db('audit_log').where('application_id', 'like', like).select('*')).map((r) => {
        // The phase summaries count campaign-wide rows; the overdue list keeps when it began.
        const data = r.data as Record<string, unknown> | null;
        return { ...r, data: data ? { ...data, since: undefined } : null };
      }),
    ),
    // (a bulletin's notice quotes city-wide figures, which other tests' members move: only its shape counts here)
    notifications: sorted(
      omit(await db('notifications').where('event_key', 'like', like).orWhere('application_id', 'like', like).select('*'), 'read_at').map((n) =>
        n.kind === 'bulletin'
          ? { ...n, message: String(n.message).replace(/\d+/g, '#') }
          : // (an escalation says since when, in Beijing minutes: two runs a minute apart differ there only)
            n.kind === 'escalation'
            ? { ...n, message: String(n.message).replace(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}/g, '#') }
            : n,
      ),
    ),
    notices: sorted(omit(await db('subsidy_notices').where('application_id', 'like', like).select('*'), 'notice_no')),
    members: sorted(
      omit(
        await db('members').where('source_application', 'like', like).orWhere('campaign_id', 'like', like).select('*'),
        'id_number_hash',
        'id_number_enc',
        'id_number_masked',
        'phone_enc',
        'phone_masked',
        // A member card's random code and the number derived from the row's id differ between runs by design.
        'card_code',
        'member_no',
      ),
    ),
    campaigns: sorted(omit(await db('campaigns').where('id', 'like', like).select('id', 'phase', 'name'))),
    regions: sorted(
      omit(await db('campaign_regions').where('campaign_id', 'like', like).select('*')).map((r) => ({
        ...r,
        overdue: ((r.overdue ?? []) as { since?: string }[]).map((o) => ({ ...o, since: undefined })),
      })),
    ),
    projects: sorted(omit(await db('projects').where('campaign_id', 'like', like).select('*'))),
    // A progress report's members wait for real-name verification (实名核验) here, not in members.
    memberReports: sorted(
      omit(
        await db('member_reports').where('campaign_id', 'like', like).select('*'),
        'id_number_hash',
        'id_number_enc',
        'id_number_masked',
        'phone_enc',
        'phone_hash',
        'phone_masked',
        'reported_at',
      ),
    ),
    // (a rectification's timeline entries name its serial id, which differs between runs; a progress report's
    // members show masked ID numbers, drawn afresh for each run)
    projectEvents: sorted(
      omit(await db('project_events').where('project_id', 'like', like).select('*')).map((r) => {
        const data = r.data as Record<string, unknown>;
        const members = Array.isArray(data.members) ? (data.members as Record<string, unknown>[]).map((m) => ({ ...m, idNumberMasked: undefined })) : undefined;
        return { ...r, data: { ...data, rectificationId: undefined, ...(members ? { members } : {}) } };
      }),
    ),
    // 建会程序: the union a progress report names is started once, its claims counted once.
    unionEstablishments: sorted(omit(await db('union_establishments').where('campaign_id', 'like', like).select('*'))),
    // 报送留痕: each plan version and list revision sent is kept once.
    planVersions: sorted(omit(await db('region_plan_versions').where('campaign_id', 'like', like).select('*'))),
    listRevisions: sorted(omit(await db('project_list_revisions').where('campaign_id', 'like', like).select('*'))),
    planSubmissions: sorted(omit(await db('campaign_plan_submissions').where('campaign_id', 'like', like).select('*'))),
    rectifications: sorted(omit(await db('rectifications').where('project_id', 'like', like).select('*'))),
    phaseSummaries: sorted(omit(await db('phase_summaries').where('campaign_id', 'like', like).select('campaign_id', 'phase', 'closed_by', 'reason'))),
    reports: sorted(omit(reports.map((r: Record<string, unknown>) => ({ ...r, ref: r.id })))),
    deliveries: sorted(
      omit(
        await db('report_deliveries')
          .whereIn(
            'report_id',
            reports.map((r: { id: string }) => r.id),
          )
          .select('report_id', 'username', 'channel', 'status'),
      ),
    ),
  };
  // A union establishment's id (and the application and workflow named after it) is a random UUID by design.
  const text = JSON.stringify(tables)
    .split(p)
    .join('P')
    .replace(/ue-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'ue-#');
  return JSON.parse(text) as Record<string, string[]>;
}

async function run(p: string, plans: Plan[]): Promise<Record<string, string[]>> {
  const c = `${p}-c`;
  const config = {
    name: '幂等性测试行动',
    year: 2026,
    cityOrg: 'pds',
    regions: ['pds-xinhua'],
    groups: ['courier'],
    targets: { newMembers: 10, newUnions: 1 },
    phases: PHASES,
  };
  await insertCampaign(h.db, {
    id: c,
    config,
    workflowId: `campaign-${c}`,
    createdBy: 'city.admin',
    regionTargets: { 'pds-xinhua': { newMembers: 10, newUnions: 1 } },
  });
  for (const [id, type, applicant, payload] of [
    [`${p}-sub`, 'subsidy', 'xinhua.staff', { amount: 12_000, reason: '服务站建设' }],
    [`${p}-mem`, 'membership', null, {}],
    [`${p}-tr`, 'transfer', 'xinhua.staff', {}],
  ] as const) {
    await insertApplication(h.db, {
      id,
      type,
      chainKey: type,
      chainVersion: 1,
      applicant,
      applicantOrg: 'pds-xinhua',
      title: 'T',
      payload,
      workflowId: `application-${id}`,
    });
  }
  const calls = scenario(p);
  for (const [i, call] of calls.entries()) await retried(call, plans[i] ?? { attempts: 1, concurrent: false });
  return snapshot(p);
}

describe('activities under retries', () => {
  it('each activity run again (after a lost completion) or twice at once (a timed-out attempt still running) writes nothing more than one run', async () => {
    const CALLS = scenario('count-only').length;
    const reference = await run(unique('once'), []);
    // Sanity: the scenario did write what it should.
    expect(reference.audit!.filter((r) => r.includes('"action":"approved"'))).toHaveLength(1);
    expect(reference.campaigns).toEqual([expect.stringContaining('"phase":"closed"')]);
    expect(reference.notices).toHaveLength(1);
    // The online member; the progress report's two wait for verification, once each.
    expect(reference.members).toHaveLength(1);
    expect(reference.memberReports).toHaveLength(2);
    expect(reference.memberReports!.every((r) => r.includes('"status":"pending"'))).toBe(true);
    expect(reference.projects!.find((r) => r.includes('r1-001'))).toMatch(
      /"members_recruited":0,.*"members_pending":2|"members_pending":2,.*"members_recruited":0/,
    );
    // The union the report names: one establishment under way, claimed by one report.
    expect(reference.unionEstablishments).toEqual([expect.stringMatching(/"status":"in_progress".*"reports":1/)]);
    expect(reference.planVersions).toEqual([expect.stringContaining('"version":1')]);
    expect(reference.listRevisions).toEqual([expect.stringContaining('"revision":1')]);
    expect(reference.reports).toHaveLength(1);
    expect(reference.deliveries!.length).toBeGreaterThan(0);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ attempts: fc.integer({ min: 1, max: 3 }), concurrent: fc.boolean() }), { minLength: CALLS, maxLength: CALLS }),
        async (plans) => {
          const got = await run(unique('retry'), plans);
          expect(got).toEqual(reference);
        },
      ),
      { numRuns: 8 },
    );
  }, 120_000);
});

describe('a bulletin’s email copies under retries', () => {
  it('however often and however overlapping the send is attempted, each supervisor gets one email (a real SMTP server counts them)', async () => {
    const smtp = await startSmtpSink();
    try {
      const mailing = createActivities({
        db: h.db,
        pii: h.pii,
        temporal: h.temporal,
        taskQueue: h.taskQueue,
        mail: { url: smtp.url, from: '平顶山市总工会 <noreply@union-drive.local>', fallbackDomain: 'demo.union-drive.local' },
      });
      const c = `${unique('mail')}-c`;
      await insertCampaign(h.db, {
        id: c,
        config: { name: '邮件幂等测试', year: 2026, cityOrg: 'pds', regions: ['pds-xinhua'], groups: ['courier'], targets: { newMembers: 10 }, phases: PHASES },
        workflowId: `campaign-${c}`,
        createdBy: 'city.admin',
        regionTargets: { 'pds-xinhua': { newMembers: 10, newUnions: 0 } },
      });
      await h.db('campaigns').where({ id: c }).update({ phase: 'implementation' });
      // The bulletin itself, issued twice at once and once more: stored once.
      const issue = () =>
        mailing.issueBulletin({ campaignId: c, kind: 'on_demand', issuedBy: 'city.admin', requestKey: `${c}:1`, workflowId: `bulletin-${c}` });
      const issued = await Promise.allSettled([issue(), issue()]);
      await issue();
      expect(issued.some((r) => r.status === 'fulfilled')).toBe(true);
      const [report] = await h.db('reports').where({ campaign_id: c }).pluck('id');
      expect(await h.db('reports').where({ campaign_id: c })).toHaveLength(1);
      const recipients = await mailing.listUnsentBulletinEmails({ reportId: report });
      expect(recipients.length).toBeGreaterThan(0);
      // Each copy: three attempts at once (a retry overlapping a timed-out attempt), then two more.
      const send = (p: { reportId: string; username: string }) => mailing.sendBulletinEmail(p);
      const attempt = (username: string, n: number) =>
        new MockActivityEnvironment({ attempt: n }, { logger: new DefaultLogger('ERROR') }).run<
          Parameters<typeof send>,
          Awaited<ReturnType<typeof send>>,
          typeof send
        >(send, { reportId: report, username });
      for (const username of recipients) {
        const results = await Promise.allSettled([attempt(username, 1), attempt(username, 2), attempt(username, 3)]);
        expect(results.filter((r) => r.status === 'fulfilled' && r.value.status === 'sent')).toHaveLength(1);
        expect((await attempt(username, 4)).status).toBe('already_sent');
        expect((await attempt(username, 5)).status).toBe('already_sent');
      }
      const mails = smtp.received.filter((m) => header(m.raw, 'X-Union-Drive-Bulletin') === report);
      expect(mails.map((m) => m.to.join(',')).sort()).toEqual(recipients.map((u) => `${u}@demo.union-drive.local`).sort());
      const rows = await h.db('report_deliveries').where({ report_id: report, channel: 'email' }).select('status', 'message_id');
      expect(rows.every((r: { status: string; message_id: string | null }) => r.status === 'sent' && !!r.message_id)).toBe(true);
      expect(await mailing.listUnsentBulletinEmails({ reportId: report })).toEqual([]);
    } finally {
      await smtp.close();
    }
  }, 60_000);
});
