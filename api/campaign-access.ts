/**
 * Who may touch a campaign and its regions, and the phase gate every
 * submission passes: out of phase, 409 naming the current phase.
 */
import { PHASE_LABELS, type Phase } from '../domain/campaign';
import type { Db } from '../db/knex';
import { getCampaign, type CampaignRow } from '../db/campaign-repository';
import { getOrg, type OrgRow } from '../db/org-repository';
import type { Caller } from './auth';
import { forbidden, HttpError, notFound } from './errors';

/** The campaign, if the caller's org scope covers its city or one of its regions; else 404. */
export async function loadVisibleCampaign(db: Db, caller: Caller, id: string): Promise<CampaignRow> {
  const c = await getCampaign(db, id);
  if (!c) throw notFound('行动不存在 / campaign not found');
  if (c.cityOrgPath.startsWith(caller.orgPath) || caller.orgPath.startsWith(c.cityOrgPath)) {
    // The city and above see it all; a region sees it only if it takes part.
    if (caller.orgPath.startsWith(c.cityOrgPath) && caller.orgId !== c.cityOrg) {
      const regionOfCaller = c.config.regions.find((r) => caller.orgPath.includes(`/${r}/`));
      if (!regionOfCaller) throw notFound('行动不存在 / campaign not found');
    }
    return c;
  }
  throw notFound('行动不存在 / campaign not found');
}

/**
 * A region's submission: the caller must be the region's staff/admin (or the
 * city's), the region must take part, and the campaign must be in `phase`.
 */
export async function loadCampaignForRegion(
  db: Db,
  caller: Caller,
  campaignId: string,
  regionOrg: string,
  opts: { phase?: string | string[]; roles?: string[] } = {},
): Promise<{ campaign: CampaignRow; region: OrgRow }> {
  const campaign = await loadVisibleCampaign(db, caller, campaignId);
  if (!campaign.config.regions.includes(regionOrg)) throw notFound('该地区未参加此行动 / region does not take part');
  const region = await getOrg(db, regionOrg);
  if (!region) throw notFound('地区不存在 / region not found');
  if (!region.path.startsWith(caller.orgPath)) throw notFound('地区不存在 / region not found');
  const roles = opts.roles ?? ['staff', 'admin'];
  if (!roles.some((r) => caller.roles.includes(r))) throw forbidden('只有工会干事或管理员可以提交 / only staff or admins submit');
  requirePhase(campaign, opts.phase);
  return { campaign, region };
}

const phaseName = (p: string) => PHASE_LABELS[p as Phase] ?? p;

export function requirePhase(campaign: CampaignRow, phase: string | string[] | undefined): void {
  if (!phase) return;
  const phases = Array.isArray(phase) ? phase : [phase];
  if (!phases.includes(campaign.phase)) {
    throw new HttpError(
      409,
      `当前阶段为“${phaseName(campaign.phase)}”，此项只在“${phases.map(phaseName).join('、')}”阶段受理 / the campaign is in its ${campaign.phase} phase; this is accepted in ${phases.join(', ')}`,
    );
  }
}
