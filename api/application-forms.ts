/**
 * 发起申请 (the application form): what the web app needs to draw the form of
 * an application type for the caller — the chain that the caller's
 * application would run on (the same one POST /api/applications resolves:
 * the type's chain owned nearest above the caller's org) with its form
 * (JSON Schema and display hints), and whether the policy lets the caller
 * apply at all (the menu offers 发起申请 only then).
 *
 * Mounted before the application routes: `/api/applications/form` would
 * otherwise be taken for an application id.
 */
import express, { type Router } from 'express';
import { z } from 'zod';
import { resolveChain } from '../db/chain-repository';
import type { Db } from '../db/knex';
import { applyForSubsidy } from '../domain/policy';
import { callerOf, requireAuth } from './auth';
import { HttpError, parseOr400 } from './errors';
import { registerRoutes } from './openapi';

registerRoutes({
  '/api/applications/form': {
    get: {
      summary:
        '发起申请的表单：本人所在组织适用的审批链及其表单（JSON Schema 与显示设置），以及本人能否发起（canApply）/ the form of an application type for the caller: the chain in force for their org with its form, and whether they may apply',
      query: ['type'],
    },
  },
});

/** The types applied for through 发起申请 in the staff app (membership has the public join page, transfer its own request). */
export const FORM_TYPES = ['subsidy'] as const;

export const applicationFormQuery = z.object({
  type: z.enum(FORM_TYPES, { error: '申请类型须为 subsidy / type must be subsidy' }),
});

export function applicationFormRoutes(deps: { db: Db; jwtSecret: string }): Router {
  const router = express.Router();
  const auth = requireAuth({ db: deps.db, secret: deps.jwtSecret });

  router.get('/api/applications/form', auth, async (req, res) => {
    const caller = callerOf(req);
    const q = parseOr400(applicationFormQuery, req.query);
    // The policy decides who may apply; the answer says so instead of refusing, so the menu can ask it.
    const decision = applyForSubsidy(caller);
    const chain = await resolveChain(deps.db, q.type, caller.orgId);
    if (!chain) throw new HttpError(500, `审批链 ${q.type} 未配置 / chain not configured`);
    res.json({
      type: q.type,
      canApply: decision.allow,
      ...(decision.allow ? {} : { reason: decision.reason }),
      chain: { key: chain.key, name: chain.name, version: chain.version, owner: chain.owner, ownerName: chain.ownerName },
      form: chain.form ?? null,
    });
  });

  return router;
}
