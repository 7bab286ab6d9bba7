/**
 * 建会程序: `POST /api/projects/:id/unions` starts establishing one union of
 * an organizing project (`{ name, enterpriseId?, kind }`); its status and
 * steps appear under `GET /api/projects/:id` as `unions` (api/union-establishment-view.ts).
 * One establishment per enterprise and per name in a campaign: a second start
 * answers 409 naming the existing one. Who may start it is the policy's
 * (`startUnionEstablishment`); the steps are tasks (待办) acted on through
 * /api/tasks, their documents attachments of the establishment's application.
 */
import express, { type Router } from 'express';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { z } from 'zod';
import type { Db } from '../db/knex';
import { getCampaign } from '../db/campaign-repository';
import { getProject } from '../db/project-repository';
import { establishmentView } from './union-establishment-view';
import { insertEstablishment, ledgerEnterprise, type EstablishmentRow } from '../db/union-establishment-repository';
import { seeProject, startUnionEstablishment } from '../domain/policy';
import { ESTABLISHMENT_STATUS_LABELS, UNION_KIND_LABELS, UNION_KINDS, type EstablishmentStatus } from '../domain/union-establishment';
import { MAX_NAME } from '../domain/org-tree';
import { unionEstablishmentWorkflow } from '../workflows';
import { projectWorkflowId } from '../workflows/region-campaign';
import { callerOf } from './auth';
import { campaignFacts, requireOpen } from './campaign-access';
import { badRequest, enforce, HttpError, notFound, parseOr400 } from './errors';
import { idempotent } from './idempotency';
import { admitTemporalWork } from './admission';
import { lookupNames } from './names';
import { registerRoutes } from './openapi';
import { rowId } from './validation';
import { withTemporalDeadline } from '../runtime/temporal-client';
import { mapTemporalError } from './temporal-errors';

export const unionEstablishmentSchema = z
  .object({
    name: z
      .string({ error: '请填写工会名称 / name required' })
      .trim()
      .min(1, '请填写工会名称 / name required')
      .max(MAX_NAME, `最多 ${MAX_NAME} 字 / at most ${MAX_NAME} characters`),
    enterpriseId: rowId.optional(),
    kind: z.enum(UNION_KINDS, {
      error: `工会类型须为 ${UNION_KINDS.map((k) => UNION_KIND_LABELS[k].split(' / ')[0]).join('、')} 之一 / kind must be one of ${UNION_KINDS.join(', ')}`,
    }),
  })
  .strict();

registerRoutes({
  '/api/projects/{id}/unions': {
    post: {
      summary:
        '发起建会（企业工会、联合工会、行业或区域工会联合会）：筹备批复 → 成立筹备组 → 发展会员 → 会员大会选举 → 上级工会批复，批准后计入建会数并销号；同一企业或同名工会已在建会时 409 / start establishing a union; counted and crossed off only when the higher union approves its election; the same enterprise or name again → 409',
      body: unionEstablishmentSchema,
      ok: 201,
    },
  },
});

export interface UnionEstablishmentDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
}

export function unionEstablishmentRoutes(deps: UnionEstablishmentDeps): Router {
  const router = express.Router();
  const { db, temporal } = deps;

  router.post('/api/projects/:id/unions', admitTemporalWork, idempotent(db), async (req, res) => {
    const caller = callerOf(req);
    const p = await getProject(db, req.params.id as string);
    if (!p) throw notFound('项目不存在 / project not found');
    const campaign = await getCampaign(db, p.campaignId);
    enforce(seeProject(caller, p, campaign && campaignFacts(campaign)));
    enforce(startUnionEstablishment(caller, p));
    const body = parseOr400(unionEstablishmentSchema, req.body);
    if (p.kind !== 'organizing') throw new HttpError(409, '服务项目不建会，请在组建项目下发起 / a service project establishes no union');
    requireOpen(campaign!, 'progress');
    let enterpriseName: string | null = null;
    if (body.enterpriseId !== undefined) {
      const e = await ledgerEnterprise(db, { enterpriseId: body.enterpriseId, campaignId: p.campaignId, regionOrg: p.regionOrg });
      if (!e)
        throw badRequest('建会信息有误 / invalid union', [
          { path: 'enterpriseId', message: '不是本地区台账上的企业 / not an enterprise of the region’s ledger' },
        ]);
      if (e.hasUnion)
        throw badRequest('建会信息有误 / invalid union', [{ path: 'enterpriseId', message: '该企业已有工会 / the enterprise already has a union' }]);
      enterpriseName = e.name;
    }
    const { created, row } = await insertEstablishment(db, {
      campaignId: p.campaignId,
      projectId: p.id,
      regionOrg: p.regionOrg,
      enterpriseId: body.enterpriseId ?? null,
      name: body.name,
      kind: body.kind,
      startedBy: caller.username,
      source: 'request',
    });
    if (!created) throw await alreadyEstablishing(db, row, body.enterpriseId !== undefined && row.enterpriseId === body.enterpriseId);
    try {
      await withTemporalDeadline(temporal, () =>
        temporal.workflow.start(unionEstablishmentWorkflow, {
          workflowId: row.workflowId!,
          taskQueue: deps.taskQueue,
          args: [
            {
              establishmentId: row.id,
              campaignId: p.campaignId,
              projectId: p.id,
              regionOrg: p.regionOrg,
              name: row.name,
              kind: row.kind,
              enterpriseName,
              projectWorkflowId: projectWorkflowId(p.id),
            },
          ],
        }),
      );
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) {
        // Not started: the establishment is not left half-made (a retry starts it afresh).
        await db('union_establishments').where({ id: row.id, status: 'in_progress' }).delete();
        throw mapTemporalError(err);
      }
    }
    res.status(201).json(await establishmentView(db, row, p));
  });

  return router;
}

/** 409 naming the establishment already under way (or done) for that enterprise or name, and its project. */
async function alreadyEstablishing(db: Db, row: EstablishmentRow, sameEnterprise: boolean): Promise<HttpError> {
  const names = await lookupNames(db, { projects: [row.projectId] });
  const project = names.projects.get(row.projectId) ?? '—';
  const state = ESTABLISHMENT_STATUS_LABELS[row.status as EstablishmentStatus]?.split(' / ')[0] ?? row.status;
  return new HttpError(
    409,
    `“${row.name}”已在本次行动中建会（${state}，项目“${project}”），不重复建会或计数 / “${row.name}” is already being established in this campaign (${row.status}); it is not started or counted twice`,
    [
      {
        path: sameEnterprise ? 'enterpriseId' : 'name',
        message: `已有建会：${row.name}（${state}，项目“${project}”）/ already being established`,
      },
    ],
  );
}
