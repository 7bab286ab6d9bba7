/**
 * 建会程序: establishing one union (an enterprise union, a joint union or a
 * federation) of an organizing project, as the business reads it:
 *
 *   the region starts it (a request, or a progress report naming the union)
 *   → its steps on the union_establishment chain (configurable like every
 *     chain): 筹备批复 the higher union's approval to prepare → 成立筹备组 →
 *     发展会员 → 会员大会选举 (its date and the elected chair) → 上级工会批复
 *     the higher union's approval of the election; each a task, with its
 *     documents attached to it
 *   → approved: the union joins the org tree, its enterprise is crossed off
 *     the ledger (销号) and only then does the project count it;
 *     rejected or withdrawn: nothing is counted.
 *
 * The steps run in the approval machinery (approvalWorkflow, a child): the
 * approvals land in the higher union's reviewers' 待办, the region's steps in
 * its staff's. The application is the region's own (no personal applicant).
 */
import { executeChild, getExternalWorkflowHandle } from '@temporalio/workflow';
import { proxyDbWrites } from './activity-options';
import { approvalWorkflow } from './approval-chain';
import { unionEstablishedSignal } from './signals';
import { UNION_KIND_LABELS, type UnionKind } from '../domain/union-establishment';

const act = proxyDbWrites();

export interface UnionEstablishmentInput {
  establishmentId: string;
  campaignId: string;
  projectId: string;
  regionOrg: string;
  name: string;
  kind: UnionKind;
  enterpriseName?: string | null;
  /** The project's workflow, told when the union is established (its first-union milestone). */
  projectWorkflowId?: string;
}

export interface UnionEstablishmentResult {
  establishmentId: string;
  status: 'established' | 'rejected' | 'withdrawn';
  orgId?: string;
}

export function unionApplicationId(establishmentId: string): string {
  return `union-${establishmentId}`;
}

export async function unionEstablishmentWorkflow(input: UnionEstablishmentInput): Promise<UnionEstablishmentResult> {
  const { establishmentId, campaignId, projectId, regionOrg } = input;
  const applicationId = unionApplicationId(establishmentId);
  const title = `建会：${input.name}`;
  const payload = {
    campaignId,
    projectId,
    establishmentId,
    unionName: input.name,
    kind: input.kind,
    kindName: UNION_KIND_LABELS[input.kind],
    ...(input.enterpriseName ? { enterpriseName: input.enterpriseName } : {}),
    form: {},
  };

  // The steps, on the chain that applies to the region.
  const chain = await act.createApplicationRecord({
    id: applicationId,
    type: 'union_establishment',
    chainKey: 'union_establishment',
    applicant: null,
    applicantOrg: regionOrg,
    title,
    payload,
    campaignId,
    projectId,
  });
  const outcome = await executeChild(approvalWorkflow, {
    workflowId: `application-${applicationId}`,
    args: [{ applicationId, type: 'union_establishment', chain, applicant: null, applicantOrg: regionOrg, title, payload }],
  });

  if (outcome.status !== 'approved') {
    const status = outcome.status === 'withdrawn' ? 'withdrawn' : 'rejected';
    await act.endUnionEstablishment({ id: establishmentId, status });
    return { establishmentId, status };
  }

  // 上级工会批复: the union joins the org tree, the enterprise is crossed off, and it is counted — once.
  const done = await act.completeUnionEstablishment({ id: establishmentId, applicationId });
  if (input.projectWorkflowId && !done.alreadyDone) {
    try {
      await getExternalWorkflowHandle(input.projectWorkflowId).signal(unionEstablishedSignal, { establishmentId, name: input.name });
    } catch {
      // The project is closed: its counts are in the database already; only the milestone is not added.
    }
  }
  return { establishmentId, status: 'established', orgId: done.orgId };
}
