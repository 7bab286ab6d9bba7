/**
 * What a worker without an account reaches (扫码入会): the unions, target
 * groups and areas for the join form, the status look-up of their own
 * applications (reference or ID number, with the phone verified by SMS), and
 * — for union staff — the QR poster that leads workers to the join form with
 * their union preselected.
 *
 * Abuse limits: the public membership POST (no Authorization header) and the
 * public reads are rate-limited per client address (problem+json 429 with
 * Retry-After). The counters live in Postgres (api/rate-limits.ts), so every
 * API process of a deployment shares them.
 */
import express, { type Request, type Router } from 'express';
import QRCode from 'qrcode';
import { z } from 'zod';
import type { Db } from '../db/knex';
import { memberCardCodeForApplication, recordIdLookups } from '../db/member-repository';
import { getOrg, listOrgs, listTargetGroups, type OrgRow } from '../db/org-repository';
import { findPublicApplications, type PublicApplicationRow } from '../db/public-repository';
import { validateIdNumber } from '../domain/id-number';
import { JOIN_AREA_KINDS } from '../domain/join-areas';
import type { PiiCipher } from '../runtime/pii';
import { callerOf, requireAuth } from './auth';
import { DEFAULT_LIMITS, perAddressLimit } from './rate-limits';
import { badRequest, enforce, notFound, parseOr400 } from './errors';
import { downloadPoster } from '../domain/policy';
import { registerRoutes } from './openapi';
import {
  captchaField,
  issueViewerToken,
  mobile,
  readViewerToken,
  smsCodeField,
  VIEWER_TOKEN_SECONDS,
  type PhoneVerification,
  type ViewerClaims,
} from './verification';

registerRoutes({
  '/api/public/unions': {
    get: { summary: '扫码入会表单选项：基层工会、重点群体、地区（无需登录，限流）/ join-form choices (public, rate-limited)', auth: false },
  },
  '/api/public/status': {
    post: {
      summary:
        '入会进度查询：申请编号（或身份证号）＋手机号＋短信验证码，或 30 分钟内的查询凭证 viewerToken；只返回本人的申请、固定措辞的进度和本系统保存的本人信息（脱敏）/ status look-up: reference (or ID number) + phone + SMS code, or the 30-minute viewerToken; only the person’s own applications, progress in fixed words, and what is held about them (masked)',
      body: z.lazy(() => statusLookupSchema),
      auth: false,
    },
  },
  '/api/orgs/{id}/join-poster.svg': { get: { summary: '基层工会扫码入会海报（SVG，可打印）/ the union’s QR join poster', query: ['download'] } },
  '/api/orgs/{id}/join-poster.png': { get: { summary: '基层工会入会二维码（PNG，1200 像素）/ the union’s join QR code', query: ['download'] } },
});

export interface PublicDeps {
  db: Db;
  pii: PiiCipher;
  jwtSecret: string;
  publicJoin: boolean;
  /** Public membership applications per client address per hour (default 20). */
  publicJoinLimit?: number;
  /** Public reads (unions, status look-ups) per client address per 15 minutes (default 120). */
  publicLookupLimit?: number;
  /** The deployment's key space in the shared limit counters (see ApiDeps.limitScope). */
  limitScope?: string;
  /** PUBLIC_BASE_URL: the address printed on join posters; unset: the request's own. */
  publicBaseUrl?: string;
  /** SMS codes and the CAPTCHA (api/sms.ts). */
  verification: PhoneVerification;
}

/** The grassroots union a QR code names, as the join form needs it. */
export interface PublicUnion {
  id: string;
  name: string;
  groups: string[];
  /** The org the union covers (its county, or the whole city for one under a city industry union): the form's `area`. */
  area: string;
  areaName: string;
}

export const statusLookupSchema = z
  .object({
    reference: z
      .string()
      .trim()
      .min(1, '不能为空 / required')
      .max(100)
      .regex(/^[\w-]+$/, '申请编号格式不正确 / not a reference')
      .optional(),
    idNumber: z.string().trim().min(1, '不能为空 / required').max(18, '身份证号为 18 位 / 18 characters').optional(),
    phone: mobile.optional(),
    smsCode: smsCodeField.optional(),
    viewerToken: z.string().trim().min(1).max(2000).optional(),
    captcha: captchaField.optional(),
  })
  .superRefine((b, ctx) => {
    // With the viewer token nothing else is needed; without it, the phone, its code and one of reference or ID number.
    if (b.viewerToken !== undefined) return;
    if (b.phone === undefined) ctx.addIssue({ code: 'custom', path: ['phone'], message: '请填写申请时的手机号 / the phone given with the application' });
    if (b.smsCode === undefined) ctx.addIssue({ code: 'custom', path: ['smsCode'], message: '请输入短信中的 6 位验证码 / the 6-digit code from the SMS' });
    if ((b.reference === undefined) === (b.idNumber === undefined))
      ctx.addIssue({
        code: 'custom',
        path: [b.reference === undefined ? 'reference' : 'idNumber'],
        message: '请填写申请编号或身份证号（二选一）/ give the reference or the ID number, one of them',
      });
  });

/** The progress a worker sees: fixed words per status, whatever steps the application's chain has. */
const PROGRESS: Record<string, { code: string; label: string }> = {
  pending: { code: 'reviewing', label: '审核中 / under review' },
  returned: { code: 'returned', label: '退回补充材料 / returned for more information' },
  approved: { code: 'admitted', label: '已入会 / admitted' },
  rejected: { code: 'rejected', label: '未通过 / not admitted' },
  withdrawn: { code: 'withdrawn', label: '已撤回 / withdrawn' },
};

const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v : null);

/** One application as its applicant sees it on the public status page. */
export function publicStatus(a: PublicApplicationRow, groups: Map<string, string>) {
  const progress = PROGRESS[a.status] ?? PROGRESS.pending!;
  const final = a.status === 'approved' || a.status === 'rejected' || a.status === 'withdrawn';
  // The union: where they applied, until admitted; then the union that admitted them.
  const union = a.status === 'approved' && a.targetOrgName ? a.targetOrgName : a.applicantOrgName;
  const p = a.payload;
  const group = text(p.group);
  return {
    reference: a.publicRef ?? a.id,
    id: a.id,
    progress,
    steps: [
      { label: '已提交 / submitted', state: 'done' },
      { label: '审核中 / under review', state: final ? 'done' : 'current' },
      { label: final ? progress.label : '办理结果 / result', state: final ? 'done' : 'waiting' },
    ],
    submittedAt: a.createdAt,
    updatedAt: a.updatedAt,
    // 本系统保存的您的信息: what is held about the person (their right to see it), masked.
    held: {
      name: text(p.name),
      idNumber: text(p.idNumberMasked),
      phone: text(p.phoneMasked),
      group: group ? (groups.get(group) ?? group) : null,
      employer: text(p.employer),
      union,
    },
    correction: `如信息有误需要更正，请联系${a.applicantOrgName}（本系统不能自行修改已提交的信息）/ to correct any of it, contact ${a.applicantOrgName} (submitted details cannot be changed here)`,
  };
}

/** The union a grassroots org covers: its county, or its city when it sits under a city industry union. */
function coverageOf(union: OrgRow, byId: Map<string, OrgRow>): OrgRow | undefined {
  const parent = union.parentId ? byId.get(union.parentId) : undefined;
  if (!parent) return undefined;
  if (parent.kind === 'industry') return parent.parentId ? byId.get(parent.parentId) : undefined;
  return parent;
}

export async function listPublicUnions(db: Db): Promise<{ unions: PublicUnion[]; areas: { id: string; name: string; kind: string; parent: string | null }[] }> {
  const orgs = await listOrgs(db);
  const byId = new Map(orgs.map((o) => [o.id, o]));
  const unions: PublicUnion[] = [];
  for (const o of orgs) {
    if (o.kind !== 'grassroots') continue;
    const cov = coverageOf(o, byId);
    if (!cov) continue;
    unions.push({ id: o.id, name: o.name, groups: o.groups, area: cov.id, areaName: cov.name });
  }
  // The orgs a worker may apply at (domain/join-areas.ts), and nothing else.
  const areas = orgs.filter((o) => JOIN_AREA_KINDS.includes(o.kind)).map((o) => ({ id: o.id, name: o.name, kind: o.kind, parent: o.parentId }));
  return { unions, areas };
}

/**
 * The public origin printed on posters: PUBLIC_BASE_URL where configured (behind a TLS proxy the request's own
 * host and scheme are the internal ones); else the address the request came in on, for a local demo.
 */
export function originOf(req: Request, publicBaseUrl: string | undefined): string {
  if (publicBaseUrl) return publicBaseUrl.endsWith('/') ? publicBaseUrl.slice(0, -1) : publicBaseUrl;
  return `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}

const xml = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

/** The QR code's dark modules as one SVG path, one unit per module. */
function qrPath(text: string): { size: number; d: string } {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const { size } = qr.modules;
  let d = '';
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      // Runs of dark modules in a row become one rectangle.
      if (!qr.modules.get(y, x)) continue;
      let run = 1;
      while (x + run < size && qr.modules.get(y, x + run)) run++;
      d += `M${x} ${y}h${run}v1h-${run}z`;
      x += run - 1;
    }
  }
  return { size, d };
}

/**
 * An A4-proportioned poster (1240×1754 units, 150 dpi) naming the union: the
 * title, the union's name, the QR code and what the worker will be asked for.
 */
export function posterSvg(opts: { unionName: string; parentName?: string; url: string; groups?: string[] }): string {
  const { size, d } = qrPath(opts.url);
  const W = 1240;
  const qrBox = 760;
  const qrX = (W - qrBox) / 2;
  const qrY = 560;
  const quiet = 4; // modules of white border the QR standard asks for
  const scale = qrBox / (size + 2 * quiet);
  const font = `'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei','WenQuanYi Micro Hei',sans-serif`;
  const name = opts.unionName.length > 18 ? { size: 48 } : { size: 60 };
  return `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="1240" height="1754" viewBox="0 0 1240 1754" font-family="${xml(font)}">
  <title>${xml(`扫码入会 · ${opts.unionName}`)}</title>
  <rect width="1240" height="1754" fill="#ffffff"/>
  <rect width="1240" height="330" fill="#c8102e"/>
  <text x="620" y="170" text-anchor="middle" font-size="120" font-weight="700" fill="#ffffff" letter-spacing="24">扫码入会</text>
  <text x="620" y="260" text-anchor="middle" font-size="40" fill="#ffe7a3">工会是职工之家 · 欢迎您加入工会组织</text>
  <text x="620" y="440" text-anchor="middle" font-size="${name.size}" font-weight="700" fill="#1f1f1f">${xml(opts.unionName)}</text>
  ${opts.parentName ? `<text x="620" y="505" text-anchor="middle" font-size="32" fill="#595959">${xml(opts.parentName)}</text>` : ''}
  <rect x="${qrX - 12}" y="${qrY - 12}" width="${qrBox + 24}" height="${qrBox + 24}" rx="16" fill="#ffffff" stroke="#c8102e" stroke-width="6"/>
  <g transform="translate(${qrX} ${qrY}) scale(${scale.toFixed(5)})" shape-rendering="crispEdges">
    <rect width="${size + 2 * quiet}" height="${size + 2 * quiet}" fill="#ffffff"/>
    <path transform="translate(${quiet} ${quiet})" d="${d}" fill="#000000"/>
  </g>
  <text x="620" y="1420" text-anchor="middle" font-size="40" fill="#1f1f1f">微信或手机浏览器扫一扫，在线申请入会</text>
  <text x="620" y="1480" text-anchor="middle" font-size="32" fill="#595959">需填写：姓名、身份证号、手机号、所属群体、工作单位</text>
  <text x="620" y="1535" text-anchor="middle" font-size="32" fill="#595959">提交后凭申请编号和手机号查询办理进度</text>
  <rect y="1620" width="1240" height="134" fill="#f5f5f5"/>
  <text x="620" y="1680" text-anchor="middle" font-size="26" fill="#8c8c8c">${xml(opts.groups?.length ? `本会面向：${opts.groups.join(' · ')}` : '货车司机 · 快递员 · 网约送餐员 · 护工护理员 · 家政服务员 · 商场信息员 · 房产中介员 · 保安员')}</text>
  <text x="620" y="1725" text-anchor="middle" font-size="22" fill="#8c8c8c" font-family="monospace">${xml(opts.url)}</text>
</svg>
`;
}

const contentDisposition = (ascii: string, utf8: string) => `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(utf8)}`;

export function publicRoutes(deps: PublicDeps): Router {
  const router = express.Router();
  const { db } = deps;

  // Only workers without an account are limited here; a signed-in caller's POST passes straight on.
  // The counters live in Postgres, so every API process of the deployment shares them.
  const scope = deps.limitScope ?? '';
  router.post(
    '/api/applications',
    perAddressLimit(
      db,
      scope,
      'public-join',
      deps.publicJoinLimit ?? DEFAULT_LIMITS.publicJoinPerAddress,
      60 * 60,
      '提交过于频繁，请一小时后再试 / too many applications from this address, try again in an hour',
      (req) => !req.headers.authorization,
    ),
  );
  router.use(
    '/api/public',
    perAddressLimit(
      db,
      scope,
      'public-lookup',
      deps.publicLookupLimit ?? DEFAULT_LIMITS.publicLookupPerAddress,
      15 * 60,
      '查询过于频繁，请稍后再试 / too many look-ups, try again later',
      // Code requests have their own limits per address and per phone (api/sms.ts).
      (req) => req.path !== '/sms-codes',
    ),
  );

  /** The join form's choices: grassroots unions (with the area they cover), target groups and areas. */
  router.get('/api/public/unions', async (_req, res) => {
    if (!deps.publicJoin) throw notFound('本系统未开放网上入会 / online joining is not enabled here');
    const [{ unions, areas }, groups] = await Promise.all([listPublicUnions(db), listTargetGroups(db)]);
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json({ unions, groups: groups.map((g) => ({ id: g.id, name: g.name })), areas });
  });

  /**
   * A worker's status look-up (入会进度查询): by reference (the short one, or
   * the long id) or by ID number, with the phone given on the application
   * verified by an SMS code — or with the viewer token a verified look-up (or
   * the join itself) answered, for 30 minutes. Only the person's own
   * applications are found: those carrying the phone's hash. Nothing found and
   * "someone else's phone" answer alike (404); the answer is the applicant's
   * own progress in fixed words and what is held about them, never notes of
   * automated steps, reviewers' comments or anyone's membership.
   */
  router.post('/api/public/status', async (req, res) => {
    if (!deps.publicJoin) throw notFound('本系统未开放网上入会 / online joining is not enabled here');
    const body = parseOr400(statusLookupSchema, req.body);
    let query: ViewerClaims;
    let codeId: string | undefined;
    if (body.viewerToken) {
      query = readViewerToken(deps.jwtSecret, body.viewerToken);
    } else {
      let idHash: string | undefined;
      if (body.idNumber !== undefined) {
        const check = validateIdNumber(body.idNumber);
        if (!check.ok) throw badRequest('请求内容有误，请检查标出的字段 / invalid fields', [{ path: 'idNumber', message: check.reason }]);
        idHash = deps.pii.hash(check.normalized);
      }
      await deps.verification.requireCaptcha(req, body.captcha);
      codeId = await deps.verification.check(req, body.phone!, 'status', body.smsCode!);
      const ph = deps.pii.hash(body.phone!);
      query = body.reference ? { ph, ref: body.reference } : { ph, ih: idHash! };
      // A look-up by ID number is audited like every other (id_lookups), found or not; the actor is the verified
      // phone's keyed hash. It is limited by the phone's SMS code and the per-address limits above.
      if (idHash) await recordIdLookups(db, { actor: `public:${ph}`, idNumberHashes: [idHash], reason: 'publicStatus', subject: null });
    }
    const rows = await findPublicApplications(
      db,
      query.ref !== undefined ? { phoneHash: query.ph, reference: query.ref } : { phoneHash: query.ph, idNumberHash: query.ih! },
    );
    if (!rows.length)
      throw notFound(
        query.ref !== undefined
          ? '未找到该申请，请核对申请编号和手机号 / no application with this reference and phone'
          : '未找到申请，请核对身份证号和手机号 / no application with this ID number and phone',
      );
    // The code did its work: it is spent (a look-up that found nothing leaves it for a corrected one).
    if (codeId) await deps.verification.consume(codeId);
    const groups = new Map((await listTargetGroups(db)).map((g) => [g.id, g.name]));
    res.setHeader('Cache-Control', 'no-store');
    res.json({
      viewerToken: issueViewerToken(deps.jwtSecret, query),
      expiresInSeconds: VIEWER_TOKEN_SECONDS,
      // An admitted member's electronic card (电子会员卡), reached from here by its unguessable code.
      applications: await Promise.all(
        rows.map(async (a) => {
          const memberCard = a.status === 'approved' ? await memberCardCodeForApplication(db, a.id) : undefined;
          return { ...publicStatus(a, groups), ...(memberCard ? { memberCard } : {}) };
        }),
      ),
    });
  });

  /**
   * The QR poster of a grassroots union, for its own people and for staff and
   * admins above it: `.svg` is the print-ready vector poster naming the
   * union; `.png` is the QR code itself at print resolution (the server has
   * no font rasterizer; the web app renders the SVG poster to PNG).
   */
  const auth = requireAuth({ db, secret: deps.jwtSecret });
  const poster =
    (format: 'svg' | 'png'): express.RequestHandler =>
    async (req, res) => {
      const caller = callerOf(req);
      const found = await getOrg(db, req.params.id as string);
      enforce(downloadPoster(caller, found));
      const union = found!;
      const url = `${originOf(req, deps.publicBaseUrl)}/join?union=${encodeURIComponent(union.id)}`;
      const [parent, groups] = await Promise.all([union.parentId ? getOrg(db, union.parentId) : undefined, listTargetGroups(db)]);
      const groupNames = union.groups.map((g) => groups.find((x) => x.id === g)?.name ?? g);
      const safeId = union.id.replace(/[^\w.-]/g, '_');
      res.setHeader('Cache-Control', 'private, no-cache');
      res.setHeader('X-Join-Url', url);
      if (format === 'svg') {
        res.type('image/svg+xml; charset=utf-8');
        if (req.query.download !== undefined)
          res.setHeader('Content-Disposition', contentDisposition(`join-poster-${safeId}.svg`, `扫码入会海报-${union.name}.svg`));
        res.send(posterSvg({ unionName: union.name, parentName: parent?.name, url, groups: groupNames }));
        return;
      }
      const png = await QRCode.toBuffer(url, { type: 'png', errorCorrectionLevel: 'M', width: 1200, margin: 4 });
      res.type('image/png');
      if (req.query.download !== undefined)
        res.setHeader('Content-Disposition', contentDisposition(`join-qr-${safeId}.png`, `扫码入会二维码-${union.name}.png`));
      res.send(png);
    };
  router.get('/api/orgs/:id/join-poster.svg', auth, poster('svg'));
  router.get('/api/orgs/:id/join-poster.png', auth, poster('png'));

  return router;
}
