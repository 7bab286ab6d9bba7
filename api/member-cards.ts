/**
 * 电子会员卡: the electronic member card of an admitted member, public and
 * named by the card's unguessable code (no account: the member reaches it
 * from their status page, a union from the card's QR code).
 *
 * - GET /api/public/member-cards/:code — the card: name, union, member
 *   number, date joined, and a QR code (SVG data URL) of the verify page's
 *   address (PUBLIC_BASE_URL where configured, like the join posters);
 * - GET /api/public/member-cards/:code/verify — what a scanning union sees:
 *   valid or not, the union, the member number and the name masked (张*),
 *   no other personal data.
 *
 * The union shown is the member row's current one (a transfer moves it); a
 * removed member record makes its card invalid. Both routes are limited per
 * client address (Postgres counters, shared by every API process).
 */
import { beijingDate } from '../domain/beijing-time';
import express, { type Router } from 'express';
import QRCode from 'qrcode';
import type { Db } from '../db/knex';
import { findMemberCard, findRevokedMemberCard, type MemberCardRow } from '../db/member-repository';
import { CARD_CODE, isValidCard, maskName, memberCardStatus, memberCardUrls } from '../domain/member-card';
import { verifyMemberCard, viewMemberCard, type MemberCardFacts } from '../domain/policy';
import { enforce } from './errors';
import { registerRoutes } from './openapi';
import { originOf } from './public';
import { perAddressLimit } from './rate-limits';

registerRoutes({
  '/api/public/member-cards/{code}': {
    get: { summary: '电子会员卡：姓名、工会、会员编号、入会日期、验证二维码（无需登录，凭卡号，限流）/ the electronic member card', auth: false },
  },
  '/api/public/member-cards/{code}/verify': {
    get: {
      summary: '扫码验证会员卡：是否有效、所在工会、会员编号、隐去的姓名（无需登录，限流）/ verify a member card (masked name only)',
      auth: false,
    },
  },
});

/** Card look-ups per client address per 15 minutes. */
export const MEMBER_CARD_LOOKUPS_PER_ADDRESS = 100;

export interface MemberCardDeps {
  db: Db;
  /** The deployment's key space in the shared limit counters (see ApiDeps.limitScope). */
  limitScope?: string;
  /** PUBLIC_BASE_URL: the address the card's QR code points at; unset: the request's own. */
  publicBaseUrl?: string;
  memberCardLimit?: number;
}

/** Beijing date of joining, YYYY-MM-DD. */

async function lookUp(db: Db, code: string): Promise<{ facts: MemberCardFacts; card?: MemberCardRow; revokedNo?: string }> {
  // Only codes of the database's shape reach it.
  if (!CARD_CODE.test(code)) return { facts: { state: 'unknown' } };
  const card = await findMemberCard(db, code);
  if (card) return { facts: { state: 'member' }, card };
  const revoked = await findRevokedMemberCard(db, code);
  return revoked ? { facts: { state: 'revoked' }, revokedNo: revoked.memberNo } : { facts: { state: 'unknown' } };
}

export function memberCardRoutes(deps: MemberCardDeps): Router {
  const router = express.Router();
  const { db } = deps;
  router.use(
    '/api/public/member-cards',
    perAddressLimit(
      db,
      deps.limitScope ?? '',
      'member-card',
      deps.memberCardLimit ?? MEMBER_CARD_LOOKUPS_PER_ADDRESS,
      15 * 60,
      '查询过于频繁，请稍后再试 / too many look-ups, try again later',
    ),
  );

  router.get('/api/public/member-cards/:code', async (req, res) => {
    const code = String(req.params.code);
    const { facts, card } = await lookUp(db, code);
    enforce(viewMemberCard(facts));
    const c = card!;
    const urls = memberCardUrls(originOf(req, deps.publicBaseUrl), c.cardCode);
    const svg = await QRCode.toString(urls.verify, { type: 'svg', errorCorrectionLevel: 'M', margin: 2, color: { dark: '#000000', light: '#ffffff' } });
    const status = memberCardStatus(c);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Robots-Tag', 'noindex');
    res.json({
      name: c.name,
      union: { id: c.unionId, name: c.unionName },
      memberNo: c.memberNo,
      joinedOn: beijingDate(new Date(c.joinedAt)),
      status,
      valid: isValidCard(status),
      verifyUrl: urls.verify,
      qr: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`,
    });
  });

  router.get('/api/public/member-cards/:code/verify', async (req, res) => {
    const { facts, card, revokedNo } = await lookUp(db, String(req.params.code));
    enforce(verifyMemberCard(facts));
    const status = memberCardStatus(card);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Robots-Tag', 'noindex');
    res.json({
      valid: isValidCard(status),
      status,
      unionName: card?.unionName ?? null,
      nameMasked: card ? maskName(card.name) : null,
      memberNo: card?.memberNo ?? revokedNo ?? null,
      checkedAt: new Date().toISOString(),
    });
  });

  return router;
}
