/**
 * GET /api/tasks/:id/allowed and GET /api/applications/:id/allowed (办理条件):
 * for the applicant, the approver, an admin over the org and a stranger, every
 * action the pages could show is allowed or refused with its reason — the
 * policy's for who may act, domain/action-availability.ts's for the state —
 * and what the answer offers works: the removable signer is removed, the
 * retractable approval is retracted. On a sandbox org of its own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../api/passwords';
import { DEMO_PASSWORD } from '../../db/demo-seed';
import { REASONS, stepRefuses } from '../../domain/action-availability';
import { Approvals, type Sandbox } from '../support/approvals';
import { buildChain, buildSubsidy, humanStep, unique } from '../support/factories';
import { eventually, startHarness, type Harness } from '../support/harness';

let h: Harness;
let api: Approvals;
let sb: Sandbox & { admin: string };
let stranger: Sandbox;
let first: string;
let second: string;
let signer: string;

const NOT_YOURS = '此任务未分配给您 / this task is not assigned to you';
const ONLY_APPLICANT = '只有申请人（或申请单位的干事）可以办理 / only the applicant (or the applicant org’s staff) may do this';
const ONLY_URGER = '只有申请人或管理员可以催办 / only the applicant or an admin can urge';

beforeAll(async () => {
  h = await startHarness();
  api = new Approvals(h);
  sb = (await api.sandbox({ admin: true })) as Sandbox & { admin: string };
  [first, second, signer] = ['first', 'second', 'signer'].map((r) => `${sb.org}.${r}`) as [string, string, string];
  for (const [username, name] of [
    [first, `初审人 ${sb.org}`],
    [second, `复审人 ${sb.org}`],
    [signer, `加签人 ${sb.org}`],
  ] as const)
    await h.db('users').insert({ username, name, org_id: sb.org, roles: ['reviewer'], password_hash: await hashPassword(DEMO_PASSWORD) });
  await api.installChain(
    buildChain({
      steps: [
        humanStep({ id: 'first', name: '初审 / first review', who: { kind: 'users', usernames: [first] } }),
        // The second step takes no added signer, no hand-off.
        humanStep({
          id: 'second',
          name: '复审 / second review',
          who: { kind: 'users', usernames: [second] },
          actions: ['approve', 'reject', 'return', 'comment'],
        }),
      ],
    }),
    sb.org,
  );
  stranger = await api.sandbox();
});
afterAll(async () => {
  await h?.close();
});

async function allowed(username: string, path: string) {
  return h.call('GET', path, { token: await h.login(username) });
}
async function taskAllowed(username: string, taskId: string) {
  const r = await allowed(username, `/api/tasks/${taskId}/allowed`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body as {
    mine: boolean;
    override: boolean;
    actions: string[];
    refused: { action: string; reason: string }[];
    returnTargets: { value: string | number; label: string }[];
    removeSigners: { username: string; name: string; taskId: string }[];
  };
}
async function appAllowed(username: string, id: string) {
  const r = await allowed(username, `/api/applications/${id}/allowed`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body as { actions: string[]; refused: { action: string; reason: string }[] };
}
const reasons = (b: { refused: { action: string; reason: string }[] }) => Object.fromEntries(b.refused.map((x) => [x.action, x.reason]));

describe('a pending first step', () => {
  let id: string;
  let task: string;
  beforeAll(async () => {
    id = await api.start(sb.staff, buildSubsidy({ title: `办理条件 ${unique()}` }));
    task = (await api.task(first, id)).id;
  });

  it('the approver may do everything the step takes; 减签 is refused while they added nobody', async () => {
    const b = await taskAllowed(first, task);
    expect(b).toMatchObject({ mine: true, override: false });
    expect(b.actions).toEqual(['approve', 'reject', 'return', 'transfer', 'addSigner', 'delegate', 'comment', 'cc']);
    expect(reasons(b)).toEqual({ removeSigner: REASONS.noAddedSigner });
    expect(b.returnTargets).toEqual([{ value: 'applicant', label: '申请人 / the applicant' }]);
    expect(b.removeSigners).toEqual([]);
  });

  it('the applicant sees the task: every decision is refused as not theirs, a comment is allowed', async () => {
    const b = await taskAllowed(sb.staff, task);
    expect(b).toMatchObject({ mine: false, override: false, actions: ['comment'] });
    expect(reasons(b)).toEqual(
      Object.fromEntries(['approve', 'reject', 'return', 'transfer', 'addSigner', 'removeSigner', 'delegate', 'cc'].map((a) => [a, NOT_YOURS])),
    );
  });

  it('an admin over the task’s org may act in the holder’s place (an override)', async () => {
    const b = await taskAllowed(sb.admin, task);
    expect(b).toMatchObject({ mine: false, override: true });
    expect(b.actions).toEqual(['approve', 'reject', 'return', 'transfer', 'addSigner', 'delegate', 'comment', 'cc']);
  });

  it('a stranger learns nothing: 404 on the task and on the application', async () => {
    expect((await allowed(stranger.staff, `/api/tasks/${task}/allowed`)).status).toBe(404);
    expect((await allowed(stranger.staff, `/api/applications/${id}/allowed`)).status).toBe(404);
  });

  it('on the application: the applicant withdraws, urges, comments and copies; resubmit and retract are refused with reasons', async () => {
    const b = await appAllowed(sb.staff, id);
    expect(b.actions).toEqual(['withdraw', 'urge', 'comment', 'cc']);
    expect(reasons(b)).toEqual({ resubmit: REASONS.onlyReturned, retract: REASONS.nothingToRetract });
  });

  it('on the application: the approver comments and copies; the applicant’s actions are refused by the policy', async () => {
    const b = await appAllowed(first, id);
    expect(b.actions).toEqual(['comment', 'cc']);
    expect(reasons(b)).toEqual({ withdraw: ONLY_APPLICANT, resubmit: REASONS.onlyReturned, retract: REASONS.nothingToRetract, urge: ONLY_URGER });
  });

  it('on the application: the org’s admin acts for the applicant and urges (policy actForApplicant, urgeApplication)', async () => {
    const b = await appAllowed(sb.admin, id);
    expect(b.actions).toEqual(['withdraw', 'urge', 'comment', 'cc']);
    expect(reasons(b)).toEqual({ resubmit: REASONS.onlyReturned, retract: REASONS.nothingToRetract });
  });
});

describe('加签 then 减签, approve then retract, and the end', () => {
  let id: string;
  let task: string;
  beforeAll(async () => {
    id = await api.start(sb.staff, buildSubsidy({ title: `办理条件 ${unique()}` }));
    task = (await api.task(first, id)).id;
  });

  it('an added signer is offered for 减签 by name, and removing them works', async () => {
    await api.ok(first, task, { action: 'addSigner', to: [signer], position: 'after' });
    const b = await taskAllowed(first, task);
    expect(b.actions).toContain('removeSigner');
    expect(b.removeSigners).toEqual([{ username: signer, name: `加签人 ${sb.org}`, taskId: task }]);
    expect(reasons(b).removeSigner).toBeUndefined();
    await api.ok(first, b.removeSigners[0]!.taskId, { action: 'removeSigner', to: [signer] });
    const after = await taskAllowed(first, task);
    expect(after.removeSigners).toEqual([]);
    expect(reasons(after).removeSigner).toBe(REASONS.noAddedSigner);
  });

  it('after approving, the approver’s done task offers 撤回审批 and nothing else; the next step refuses what it does not take', async () => {
    await api.ok(first, task, { action: 'approve', comment: '同意' });
    const next = (await api.task(second, id)).id;
    const mineDone = await taskAllowed(first, task);
    expect(mineDone.actions).toEqual(['comment', 'retract']);
    expect(reasons(mineDone)).toMatchObject({ approve: REASONS.handled, addSigner: REASONS.handled });
    expect((await appAllowed(first, id)).actions).toEqual(['retract', 'comment', 'cc']);

    const b = await taskAllowed(second, next);
    expect(b.actions).toEqual(['approve', 'reject', 'return', 'comment']);
    expect(reasons(b)).toMatchObject({ addSigner: stepRefuses('addSigner'), transfer: stepRefuses('transfer'), cc: stepRefuses('cc') });
    expect(stepRefuses('addSigner')).toBe('此步骤不允许加签 / this step does not allow adding signers');
    expect(b.returnTargets.map((r) => r.value)).toEqual(['applicant', 0]);

    // The retract the answer offers: the task is the approver's again; the next step's is cancelled.
    const r = await api.appAct(first, id, { action: 'retract', comment: '撤回重审' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    await eventually(async () => (await h.db('tasks').where({ id: task }).first('status'))?.status === 'pending');
    expect((await taskAllowed(first, task)).actions).toContain('approve');
    const gone = await eventually(async () => {
      const x = await taskAllowed(second, next);
      return reasons(x).approve === REASONS.cancelled ? x : undefined;
    });
    expect(gone.actions).toEqual(['comment']);
    expect(reasons(await appAllowed(first, id)).retract).toBe(REASONS.nothingToRetract);
  });

  it('once withdrawn, every action is refused as ended (its workflow has finished), for everyone', async () => {
    const w = await api.appAct(sb.staff, id, { action: 'withdraw' });
    expect(w.status, JSON.stringify(w.body)).toBe(200);
    await api.status(id, 'withdrawn', sb.admin);
    const b = await taskAllowed(first, task);
    expect(b.actions).toEqual([]);
    expect(new Set(Object.values(reasons(b)))).toEqual(new Set([REASONS.ended]));
    for (const who of [sb.staff, first, sb.admin]) {
      const a = await appAllowed(who, id);
      expect(a.actions).toEqual([]);
      expect(reasons(a)).toEqual(Object.fromEntries(['withdraw', 'resubmit', 'retract', 'urge', 'comment', 'cc'].map((x) => [x, REASONS.ended])));
    }
  });
});
