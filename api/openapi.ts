/**
 * GET /api/openapi.json: the OpenAPI 3.1 document of the HTTP API. Request
 * bodies come from the same zod schemas the routes validate with, so the
 * document cannot drift from what the server accepts.
 */
import express, { type Router } from 'express';
import { z } from 'zod';
import { applicationActionSchema, createSchema, routeViewSchema } from './applications';
import { loginSchema, passwordChangeSchema } from './auth';
import { bulkApproveSchema, reassignSchema } from './bulk-jobs';
import { inspectionSchema, launchSchema, planSchema, progressSchema, projectListSchema, selfAssessmentSchema } from './campaigns';
import { calendarOverrideSchema } from './calendar';
import { chainSchema, routePreviewSchema } from './chains';
import { actionSchema } from './tasks';

type Op = {
  summary: string;
  body?: z.ZodType;
  bodyType?: 'json' | 'csv-or-json' | 'xlsx' | 'multipart';
  ok?: number;
  auth?: boolean;
  query?: string[];
  /** The success answer's shape, where documented. */
  response?: z.ZodType;
};

const schema = (s: z.ZodType) => z.toJSONSchema(s, { unrepresentable: 'any', io: 'input' });

const problem = {
  description: '错误 / problem details (RFC 9457)',
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
};

/** Every route, by path and method. Keep in step with the routers (a test checks each route is listed). */
export const ROUTES: Record<string, Record<string, Op>> = {
  '/api/auth/login': {
    post: {
      summary: '登录；mustChangePassword 为真时须先改密码 / sign in; with mustChangePassword, change the password first',
      body: loginSchema,
      auth: false,
    },
  },
  '/api/auth/logout': { post: { summary: '退出登录：令牌立即失效 / sign out: the token stops working at once', ok: 204 } },
  '/api/auth/password': {
    post: { summary: '修改密码：其他令牌全部失效，返回新令牌 / change the password: every other token ends; answers a fresh one', body: passwordChangeSchema },
  },
  '/api/applications': {
    post: { summary: '提交申请（补助、网上入会、会籍转移）/ start an application', body: createSchema, ok: 201 },
    get: { summary: '申请列表 / applications in scope', query: ['type', 'status', 'mine', 'limit', 'cursor'] },
  },
  '/api/applications/{id}': { get: { summary: '申请详情与审批记录 / an application with its timeline' } },
  '/api/applications/{id}/route': {
    get: {
      summary:
        '审批路线图：每一步（含并行分支）的状态（已完成、当前、待办、将跳过、已跳过、未到达）、办理人（姓名与岗位）、意见与时间（北京时间）、跳过原因与条件（文字说明），剩余步骤谁来审批及原因 / the route as a diagram: each step and branch step with its state, who acted (name and post), decision and time, why it was skipped, its condition in words, and for the remaining ones who would act and why',
      response: routeViewSchema,
    },
  },
  '/api/applications/{id}/actions': {
    post: { summary: '申请人操作：重新提交、撤回、撤销、催办、评论、抄送 / applicant actions', body: applicationActionSchema },
  },
  '/api/tasks': {
    get: {
      summary: '我的待办；view=todo|done|started|cc 为待办 / 已办 / 我发起的 / 抄送我的 / the caller’s tasks; with view, one of the four workbench views',
      query: ['view', 'status', 'kind', 'q', 'type', 'campaign', 'org', 'from', 'to', 'overdue', 'limit', 'cursor', 'format'],
    },
  },
  '/api/tasks/{id}': {
    get: {
      summary:
        '任务详情；?reveal=personal 向身份审核办理人显示完整证件号（留痕）/ a task with its subject and timeline; ?reveal=personal shows the full ID and phone to the identity-review task holder (audited)',
      query: ['reveal'],
    },
  },
  '/api/tasks/{id}/actions': { post: { summary: '审批操作 / act on a task', body: actionSchema } },
  '/api/tasks/bulk-approve': {
    post: { summary: '批量同意：启动批次，返回 202 与批次编号 / approve several tasks: starts a job, 202 with its id', body: bulkApproveSchema, ok: 202 },
  },
  '/api/tasks/reassign': {
    post: {
      summary: '批量转办（管理员）：启动批次，返回 202 / move the pending tasks of one user to another: starts a job, 202',
      body: reassignSchema,
      ok: 202,
    },
  },
  '/api/jobs/{id}': { get: { summary: '批次进度与每个任务的结果（仅发起人）/ a job’s progress and per-task results (its starter only)' } },
  '/api/chains': {
    get: {
      summary:
        '可见的审批链（最新版本，含所属组织；applies 标出适用于本人所在组织的）/ chains the caller may read, newest versions with their owner org; `applies` marks those in force for the caller',
    },
    post: {
      summary:
        '提出审批链变更（本级或上级管理员；owner 默认本人所在组织）：校验并拒绝不安全的审批链，作为 chain_change 申请待另一位管理员批准，返回 202 { id } / propose a new version of an org’s chain (an admin of the owner or above; owner defaults to the caller’s org): validated, unsafe chains refused, then a chain_change application awaiting a second admin; 202 { id }',
      body: chainSchema,
      ok: 202,
    },
  },
  '/api/chains/route-preview': {
    post: {
      summary:
        '审批链草稿的路径预览：按示例申请（金额、群体、申请单位、表单）逐步给出条件是否满足、谁来审批及原因（可提出该审批链的管理员）/ the route a draft chain takes for a sample application: per step and branch, whether its condition holds, who would act and why (whoever may propose the chain)',
      body: routePreviewSchema,
      response: routeViewSchema,
    },
  },
  '/api/chains/{key}': {
    get: {
      summary:
        '适用于本人所在组织的审批链及其版本；?owner= 查看范围内某组织的 / the chain in force for the caller’s org with its versions; ?owner= one owner’s within reach',
      query: ['owner'],
    },
  },
  '/api/calendar': {
    get: {
      summary:
        '某组织某年的工作日历：国务院节假日与调休（chinese-days）及本级、上级的特别安排 / an org’s working calendar for a year: the official days and the overrides that apply',
      query: ['year', 'org'],
    },
  },
  '/api/calendar/{date}': {
    put: { summary: '设置本组织（或下级 ?org）某日为节假日或调休上班（市总、省总管理员）/ set an org’s override of a day', body: calendarOverrideSchema },
    delete: { summary: '删除某组织某日的特别安排（?org=）/ remove an org’s override of a day', ok: 204, query: ['org'] },
  },
  '/api/campaigns': {
    post: { summary: '发起集中行动（市总管理员）/ launch a campaign', body: launchSchema, ok: 201 },
    get: {
      summary:
        '行动列表：按名称搜索 q，按年度 year、阶段 phase、市总 city 筛选，分页 limit/cursor；format=csv|xlsx 导出（中文表头、北京时间）/ campaigns in scope: search, filters, pages; format=csv|xlsx exports them',
      query: ['q', 'year', 'phase', 'city', 'limit', 'cursor', 'format'],
    },
  },
  '/api/campaigns/{id}': { get: { summary: '行动总览：阶段、各地区进度与合计 / the campaign view' } },
  '/api/campaigns/{id}/advance': { post: { summary: '提前结束当前阶段 / close the current phase early' } },
  '/api/campaigns/{id}/regions/{org}/enterprises': {
    post: {
      summary:
        '上传摸底企业（JSON、CSV 或 xlsx，单元格可填中文名称；Prefer: respond-async 时立即返回 202 与进度地址）/ survey upload (202 and a status URL with Prefer: respond-async)',
      bodyType: 'csv-or-json',
    },
  },
  '/api/campaigns/{id}/regions/{org}/imports/{importId}': {
    get: { summary: '异步上传的进度与结果（仅上传人）/ progress and result of an async upload (its uploader)' },
  },
  '/api/campaigns/{id}/regions/{org}/survey-template': {
    get: { summary: '摸底企业上传模板（中文表头、示例行；xlsx 含可填写的值）/ the survey upload template, xlsx or csv', query: ['format'] },
  },
  '/api/campaigns/{id}/regions/{org}/gaps': { get: { summary: '建会空白点清单 / the region’s gap list', query: ['format', 'limit', 'cursor'] } },
  '/api/campaigns/{id}/regions/{org}/plan': { post: { summary: '提交实施方案 / the region’s implementation plan', body: planSchema } },
  '/api/campaigns/{id}/regions/{org}/projects': { post: { summary: '提交项目清单 / the region’s project list', body: projectListSchema, ok: 201 } },
  '/api/campaigns/{id}/projects': { get: { summary: '项目列表 / the campaign’s projects', query: ['region', 'status', 'limit', 'cursor'] } },
  '/api/projects/{id}': { get: { summary: '项目详情、里程碑与历史 / a project' } },
  '/api/projects/{id}/progress': { post: { summary: '报送进展 / report progress', body: progressSchema } },
  '/api/projects/{id}/inspections': { post: { summary: '记录检查（市总）/ record an inspection', body: inspectionSchema, ok: 201 } },
  '/api/projects/{id}/self-assessment': { post: { summary: '提交绩效自评 / submit the self-assessment', body: selfAssessmentSchema, ok: 201 } },
  '/api/openapi.json': { get: { summary: '本文档 / this document', auth: false } },
  '/healthz': { get: { summary: '存活检查 / liveness', auth: false } },
  '/readyz': { get: { summary: '就绪检查（数据库、Temporal、事件循环；503 时列出不可用项）/ readiness: database, Temporal, event loop', auth: false } },
  '/metrics': { get: { summary: 'Prometheus 指标 / metrics', auth: false } },
};

/** Other routers (bulletins, public pages) add their routes here when they mount. */
export function registerRoutes(more: Record<string, Record<string, Op>>): void {
  for (const [p, ops] of Object.entries(more)) ROUTES[p] = { ...(ROUTES[p] ?? {}), ...ops };
}

export function openApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [p, ops] of Object.entries(ROUTES)) {
    paths[p] = {};
    for (const [method, op] of Object.entries(ops)) {
      const params = [...p.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
      for (const q of op.query ?? []) params.push({ name: q, in: 'query', required: false, schema: { type: 'string' } });
      const mutating = method !== 'get';
      if (mutating && op.auth !== false) params.push({ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string' } });
      paths[p][method] = {
        summary: op.summary,
        ...(params.length ? { parameters: params } : {}),
        ...(op.body
          ? { requestBody: { required: true, content: { 'application/json': { schema: schema(op.body) } } } }
          : op.bodyType === 'csv-or-json'
            ? {
                requestBody: {
                  required: true,
                  content: {
                    'application/json': { schema: { type: 'array', items: { type: 'object' } } },
                    'text/csv': { schema: { type: 'string' } },
                    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: { type: 'string', format: 'binary' } },
                  },
                },
              }
            : op.bodyType === 'multipart'
              ? {
                  requestBody: {
                    required: true,
                    content: {
                      'multipart/form-data': {
                        schema: {
                          type: 'object',
                          required: ['file'],
                          properties: {
                            file: { type: 'string', format: 'binary' },
                            comment: { type: 'string', maxLength: 2000 },
                            taskId: { type: 'string' },
                          },
                        },
                      },
                    },
                  },
                }
              : op.bodyType === 'xlsx'
                ? {
                    requestBody: {
                      required: true,
                      content: { 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: { type: 'string', format: 'binary' } } },
                    },
                  }
                : {}),
        responses: {
          [String(op.ok ?? 200)]: {
            description: '成功 / success',
            ...(op.response ? { content: { 'application/json': { schema: z.toJSONSchema(op.response, { unrepresentable: 'any', io: 'output' }) } } } : {}),
          },
          ...(mutating ? { '400': problem, '409': problem } : {}),
          ...(op.auth === false ? {} : { '401': problem, '403': problem, '404': problem }),
        },
        ...(op.auth === false ? { security: [] } : {}),
      };
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: '建会入会集中行动工作流引擎 API / Union organizing-drive workflow engine API',
      version: '1.0.0',
      description:
        '所有 /api 路由（登录除外）需 Bearer 令牌；错误为 application/problem+json。/ All /api routes except login need a bearer token; errors are problem+json.',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: {
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status', 'detail'],
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            errors: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
          },
        },
      },
    },
    paths,
  };
}

export function openApiRoutes(): Router {
  const router = express.Router();
  let cached: unknown;
  router.get('/api/openapi.json', (_req, res) => {
    cached ??= openApiDocument();
    res.json(cached);
  });
  return router;
}
