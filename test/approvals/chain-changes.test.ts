/**
 * Chains belong to an org, and a change to one is itself an application
 * (审批链变更): proposed by an admin of the owner or above, refused when
 * unsafe, in force only once a second admin approves it, and applying to the
 * owner's subtree only. Applicants never choose a chain.
 *
 * The chain this file puts in force for 平顶山 (pds) behaves exactly like the
 * built-in subsidy chain (other files apply for subsidies in pds at the same
 * time); only its name and one explicit default differ, so its diff is real.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUBSIDY_CHAIN } from '../../domain/builtin-chains';
import type { Step } from '../../domain/chain';
import { Approvals, runBulkJob } from '../support/approvals';
import { buildChain, buildMember, buildSubsidy, humanStep, unique, uniqueIdNumber } from '../support/factories';
import { startHarness, type Harness } from '../support/harness';

let h: Harness;
let api: Approvals;
beforeAll(async () => {
  h = await startHarness();
  api = new Approvals(h);
});
afterAll(async () => {
  await h?.close();
});

const paths = (body: { errors?: { path: string }[] }) => (body.errors ?? []).map((e) => e.path).sort();
const propose = async (username: string, body: unknown) => h.call('POST', '/api/chains', { token: await h.login(username), body });
const steps = (): Step[] => JSON.parse(JSON.stringify(SUBSIDY_CHAIN.steps)) as Step[];
/** chain_change applications proposing chain `key` (what a refused proposal must not have written). */
const changesOf = async (key: string) => h.db('applications').where({ type: 'chain_change' }).whereRaw("payload->'definition'->>'key' = ?", [key]);
const notice: Step = { id: 'notice', name: '立项通知与补助下拨 / notice', type: 'auto', activity: 'issueSubsidyNotice' };

describe('unsafe chains are refused', () => {
  it("city.admin's lenient subsidy chains for pds — a skippable step, a 1 ms automatic approval, one named user left out as applicant — are refused with 400 naming each step path, and nothing is written", async () => {
    const key = unique('lenient-');
    const lenient = [
      {
        steps: [humanStep({ id: 'glance', who: { kind: 'role', role: 'reviewer', level: 'city' }, onNoApprover: 'skip' }), notice],
        expect: ['steps.0.onNoApprover', 'steps.1.activity'],
      },
      {
        steps: [humanStep({ id: 'glance', who: { kind: 'role', role: 'reviewer', level: 'city' }, sla: { limit: 1, onTimeout: 'autoApprove' } }), notice],
        expect: ['steps.0.sla.limit', 'steps.1.activity'],
      },
      {
        steps: [humanStep({ id: 'glance', who: { kind: 'users', usernames: ['xinhua.staff'] } }), notice],
        expect: ['steps.0.onSelfApproval', 'steps.1.activity'],
      },
      { steps: [notice, humanStep({ id: 'after' })], expect: ['steps.0.activity'] },
    ];
    for (const l of lenient) {
      const r = await propose('city.admin', { key, name: '快速补助 / fast subsidy', type: 'subsidy', owner: 'pds', steps: l.steps });
      expect(r.status, JSON.stringify(r.body)).toBe(400);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      expect(paths(r.body)).toEqual(l.expect);
    }
    // The activation step and the chain_change type belong to the built-in chain only.
    const own = await propose('city.admin', { key, name: 'x', type: 'chain_change', steps: [humanStep({ id: 'a' })] });
    expect(own.status).toBe(400);
    expect(paths(own.body)).toEqual(['type']);
    const activate = await propose('city.admin', {
      key,
      name: 'x',
      type: 'subsidy',
      steps: [humanStep({ id: 'a', onSelfApproval: 'forbid' }), { id: 'b', name: 'b', type: 'auto', activity: 'activateChainVersion' }],
    });
    expect(activate.status).toBe(400);
    expect(paths(activate.body)).toEqual(['steps.1.activity']);

    expect(await changesOf(key)).toHaveLength(0);
    expect(await h.db('chain_definitions').where({ key })).toHaveLength(0);
  });
});

describe('a chain change is an application a second admin approves', () => {
  it("city.admin's safe subsidy chain for pds waits for prov.admin (city.admin may not approve it); once approved it applies to new subsidies from pds's subtree and not to 许昌's; a rejected change keeps the version in force", async () => {
    const proposed = steps();
    (proposed[0] as Extract<Step, { type: 'human' }>).dedupConsecutive = true; // the default, stated: no change in behaviour
    const r = await propose('city.admin', { key: 'subsidy', name: '平顶山经费补助 / pds subsidy', type: 'subsidy', steps: proposed });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    const changeId = r.body.id as string;

    // The change is an application on the built-in chain_change chain, with its diff against the version in force.
    const change = await api.app('city.admin', changeId);
    expect(change).toMatchObject({
      type: 'chain_change',
      applicant: 'city.admin',
      applicantOrg: 'pds',
      chain: { key: 'chain_change', version: 1, owner: null },
    });
    expect(change.payload).toMatchObject({ owner: 'pds', baseVersion: null, comparedWith: { key: 'subsidy', version: 1, owner: null } });
    expect(change.payload.diff.lines).toEqual([
      `修改审批链名称（name）："${SUBSIDY_CHAIN.name}" → "平顶山经费补助 / pds subsidy" / chain name changed`,
      '修改步骤“市总初审 / city initial review”：同一审批人连续审批（dedupConsecutive）：（未设置 / unset） → true / step changed: cityReview',
    ]);
    // Not yet in force.
    expect((await h.call('GET', '/api/chains/subsidy?owner=pds', { token: await h.login('city.admin') })).status).toBe(404);

    // city.admin is pds's only admin and the proposer: the decision goes up to the province's admin.
    const task = await api.task('prov.admin', changeId);
    expect(task).toMatchObject({ role: 'admin', org: 'henan' });
    const shown = await h.call('GET', `/api/tasks/${task.id}`, { token: await h.login('prov.admin') });
    expect(shown.status).toBe(200);
    expect(shown.body.subjectDetail.payload.diff.lines).toEqual(change.payload.diff.lines);

    const auditBefore = await api.rows('audit_log', changeId);
    const own = await api.act('city.admin', task.id, { action: 'approve' });
    expect(own.status).toBe(403);
    expect(own.body.detail).toContain('proposer');
    const bulk = await runBulkJob(h, await h.login('city.admin'), '/api/tasks/bulk-approve', { taskIds: [task.id] });
    expect(bulk).toMatchObject({ succeeded: 0, failed: 1, results: [{ error: { status: 403 } }] });
    expect(await api.rows('audit_log', changeId)).toHaveLength(auditBefore.length);
    expect(await h.db('chain_definitions').where({ owner_org: 'pds' })).toHaveLength(0);
    expect(await api.inbox('prov.admin', changeId)).toHaveLength(1);

    await api.ok('prov.admin', task.id, { action: 'approve', comment: '同意 / approved' });
    const done = await api.status(changeId, 'approved', 'prov.admin');
    expect(done.timeline.find((e: { action: string }) => e.action === 'auto:activateChainVersion')).toMatchObject({
      data: { outcome: 'done', owner: 'pds', key: 'subsidy', version: 1 },
    });

    // In force for pds's subtree, not for 许昌.
    const forXinhua = await h.call('GET', '/api/chains/subsidy', { token: await h.login('xinhua.staff') });
    expect(forXinhua.body).toMatchObject({ owner: 'pds', version: 1, name: '平顶山经费补助 / pds subsidy', sourceApplication: changeId });
    const forXc = await h.call('GET', '/api/chains/subsidy', { token: await h.login('xc.staff') });
    expect(forXc.body).toMatchObject({ owner: null, version: 1, name: SUBSIDY_CHAIN.name });
    const listed = await h.call('GET', '/api/chains', { token: await h.login('xinhua.staff') });
    const subsidies = listed.body.items.filter((c: { type: string }) => c.type === 'subsidy');
    expect(subsidies.find((c: { owner: string | null }) => c.owner === 'pds')).toMatchObject({ applies: true, ownerName: '平顶山市总工会' });
    expect(subsidies.find((c: { owner: string | null }) => c.owner === null)).toMatchObject({ applies: false });

    const pdsApp = await api.start('xinhua.staff', buildSubsidy());
    const xcApp = await api.start('xc.staff', buildSubsidy());
    expect((await api.app('xinhua.staff', pdsApp)).chain).toEqual({ key: 'subsidy', version: 1, owner: 'pds' });
    expect((await api.app('xc.staff', xcApp)).chain).toEqual({ key: 'subsidy', version: 1, owner: null });

    // A second change, rejected by prov.admin: pds keeps version 1.
    const v2 = await propose('city.admin', {
      key: 'subsidy',
      name: '平顶山经费补助 / pds subsidy',
      type: 'subsidy',
      steps: [...proposed.slice(0, 2), humanStep({ id: 'lead', who: { kind: 'users', usernames: ['city.lead'] } }), proposed[2]!],
    });
    expect(v2.status).toBe(202);
    const v2App = await api.app('city.admin', v2.body.id);
    expect(v2App.payload).toMatchObject({ baseVersion: 1, comparedWith: { owner: 'pds', version: 1 } });
    expect(v2App.payload.diff.steps).toMatchObject([{ kind: 'added', stepId: 'lead', index: 2 }]);
    await api.ok('prov.admin', (await api.task('prov.admin', v2.body.id)).id, { action: 'reject', comment: '不必增加 / not needed' });
    await api.status(v2.body.id, 'rejected', 'prov.admin');
    const after = await h.call('GET', '/api/chains/subsidy?owner=pds', { token: await h.login('city.admin') });
    expect(after.body).toMatchObject({ owner: 'pds', version: 1 });
    expect(after.body.versions.map((v: { version: number }) => v.version)).toEqual([1]);
  });

  it('a county admin cannot propose for the city but can for their county, where the city admin decides; 许昌 can neither see nor propose 平顶山 chains', async () => {
    const key = unique('county-');
    const def = buildChain({ key, steps: [humanStep({ id: 'review', onSelfApproval: 'forbid' }), notice] });

    const forCity = await propose('xinhua.admin', { ...def, owner: 'pds' });
    expect(forCity.status).toBe(403);
    expect(await changesOf(key)).toHaveLength(0);

    const forCounty = await propose('xinhua.admin', { ...def, owner: 'pds-xinhua' });
    expect(forCounty.status, JSON.stringify(forCounty.body)).toBe(202);
    // xinhua.admin is the county's only admin: the city's admin decides; rejecting leaves nothing in force.
    const t = await api.task('city.admin', forCounty.body.id);
    expect(t).toMatchObject({ role: 'admin', org: 'pds' });
    expect((await api.act('xinhua.admin', t.id, { action: 'approve' })).status).toBe(403);
    await api.ok('city.admin', t.id, { action: 'reject', comment: '退回 / no' });
    await api.status(forCounty.body.id, 'rejected', 'city.admin');
    expect((await h.call('GET', `/api/chains/${key}?owner=pds-xinhua`, { token: await h.login('xinhua.admin') })).status).toBe(404);
    expect(await h.db('chain_definitions').where({ key })).toHaveLength(0);

    // 许昌: pds's chains are out of sight (404) and out of reach (403); a non-admin may not propose at all.
    expect((await h.call('GET', '/api/chains/subsidy?owner=pds', { token: await h.login('xc.admin') })).status).toBe(404);
    const listed = await h.call('GET', '/api/chains', { token: await h.login('xc.admin') });
    expect(listed.body.items.filter((c: { owner: string | null }) => c.owner !== null && c.owner !== 'xc' && !c.owner.startsWith('xc-'))).toEqual([]);
    expect((await propose('xc.admin', { ...def, owner: 'pds' })).status).toBe(403);
    expect((await propose('city.reviewer', { ...def, owner: 'pds' })).status).toBe(403);
    expect(await changesOf(key)).toHaveLength(1);
  });
});

describe('applicants never choose a chain', () => {
  it('a create body naming `chain` — subsidy, membership without an account, transfer — is refused with 400 naming chain, and no application is written', async () => {
    const sb = await api.sandbox();
    const member = buildMember();
    const bodies: [string | null, Record<string, unknown>][] = [
      [sb.staff, { ...buildSubsidy(), chain: 'subsidy' }],
      [sb.staff, { ...buildSubsidy(), chain: 'no-such-chain' }],
      [null, { ...member, chain: 'membership' }],
      [sb.staff, { type: 'transfer', idNumber: uniqueIdNumber(), toUnion: 'pds-freight', chain: 'transfer' }],
    ];
    for (const [who, body] of bodies) {
      const r = await api.create(who, body);
      expect(r.status, JSON.stringify(r.body)).toBe(400);
      expect(paths(r.body)).toEqual(['chain']);
    }
    expect(await h.db('applications').where({ applicant: sb.staff })).toHaveLength(0);
    expect(await h.db('applications').where({ title: `${member.name} 入会申请` })).toHaveLength(0);
  });
});
