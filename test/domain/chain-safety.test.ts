import { describe, expect, it } from 'vitest';
import { BUILTIN_CHAINS } from '../../domain/builtin-chains';
import type { HumanStep, Step } from '../../domain/chain';
import { chainSafetyIssues } from '../../domain/chain-safety';

const review = (over: Partial<HumanStep> = {}): HumanStep => ({
  id: 'review',
  name: '审核 / review',
  type: 'human',
  who: { kind: 'role', role: 'reviewer', level: 'city' },
  mode: 'single',
  ...over,
});
const notice: Step = { id: 'notice', name: '补助下拨 / disbursement', type: 'auto', activity: 'issueSubsidyNotice' };
const paths = (steps: Step[]) => chainSafetyIssues(steps).map((i) => i.path);

describe('chain safety: a step that moves money or members needs a human decision before it', () => {
  it('every built-in chain is safe', () => {
    for (const c of BUILTIN_CHAINS) expect(chainSafetyIssues(c.steps), c.key).toEqual([]);
  });

  it('a city review that cannot be skipped before the disbursement is safe', () => {
    expect(paths([review(), notice])).toEqual([]);
  });

  it('a disbursement with no human step before it is refused at the disbursement step', () => {
    expect(paths([notice, review()])).toEqual(['steps.0.activity']);
  });

  it('a human step that is skipped when nobody matches does not count: both the step rule and the disbursement are named', () => {
    expect(paths([review({ onNoApprover: 'skip' }), notice])).toEqual(['steps.1.activity', 'steps.0.onNoApprover']);
  });

  it('several skippable steps are each named, and one sound step among them makes the chain safe', () => {
    const skippable = (id: string) => review({ id, onNoApprover: 'skip' });
    expect(paths([skippable('a'), skippable('b'), notice])).toEqual(['steps.2.activity', 'steps.0.onNoApprover', 'steps.1.onNoApprover']);
    expect(paths([skippable('a'), review({ id: 'b' }), notice])).toEqual([]);
  });

  it('a step naming one user who is left out when they are the applicant (onSelfApproval skip, the default) does not count', () => {
    const one = review({ who: { kind: 'users', usernames: ['city.admin'] } });
    expect(paths([one, notice])).toEqual(['steps.1.activity', 'steps.0.onSelfApproval']);
    expect(paths([review({ who: { kind: 'users', usernames: ['city.admin'] }, onSelfApproval: 'skip' }), notice])).toEqual([
      'steps.1.activity',
      'steps.0.onSelfApproval',
    ]);
    // Forbidding the applicant, or naming a second person, keeps a decision by someone else.
    expect(paths([review({ who: { kind: 'users', usernames: ['city.admin'] }, onSelfApproval: 'forbid' }), notice])).toEqual([]);
    expect(paths([review({ who: { kind: 'users', usernames: ['city.admin', 'city.reviewer'] } }), notice])).toEqual([]);
  });

  it('an automatic approval needs a time limit of at least one working day (P1D, 86,400,000 ms)', () => {
    const auto = (limit: string | number) => review({ sla: { limit, onTimeout: 'autoApprove' } });
    expect(paths([auto(1), notice])).toEqual(['steps.1.activity', 'steps.0.sla.limit']);
    expect(paths([auto('PT23H'), notice])).toEqual(['steps.1.activity', 'steps.0.sla.limit']);
    expect(paths([auto(86_399_999), notice])).toEqual(['steps.1.activity', 'steps.0.sla.limit']);
    expect(paths([auto(86_400_000), notice])).toEqual([]);
    expect(paths([auto('P1D'), notice])).toEqual([]);
    // Escalating or rejecting at a short limit decides nothing in the applicant's favour.
    expect(paths([review({ sla: { limit: 1, onTimeout: 'escalate' } }), notice])).toEqual([]);
    expect(paths([review({ sla: { limit: 1, onTimeout: 'autoReject' } }), notice])).toEqual([]);
  });

  it('every member-moving step and the chain activation are guarded; sorting and chains without such steps are not', () => {
    for (const activity of ['assignToUnion', 'collectMemberInfo', 'verifyRealName', 'transferMembership', 'activateChainVersion'] as const)
      expect(paths([{ id: 'x', name: 'x', type: 'auto', activity }]), activity).toEqual(['steps.0.activity']);
    expect(paths([{ id: 'sort', name: 'sort', type: 'auto', activity: 'sortMembership' }, review({ onNoApprover: 'skip' })])).toEqual([]);
    // A lenient step after the guarded one is no way around it.
    expect(paths([review(), notice, review({ id: 'later', onNoApprover: 'skip' })])).toEqual([]);
  });
});
