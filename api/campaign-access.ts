/**
 * Who may touch a campaign and its regions, and the phase gate every
 * submission passes: out of phase, 409 naming the current phase.
 */
import { PHASE_LABELS, type Phase } from '../domain/campaign';
import type { Db } from '../db/knex';
import { getCampaign, type CampaignRow } from '../db/campaign-repository';
import { getOrg, type OrgRow } from '../db/org-repository';
import type { Caller } from './auth';
import { enforce, HttpError, notFound } from './errors';
import { seeCampaign, submitForRegion, type CampaignFacts, type Role } from '../domain/policy';

/** The policy's view of a campaign row. */
export function campaignFacts(c: CampaignRow): CampaignFacts {
  return { cityOrg: c.cityOrg, cityOrgPath: c.cityOrgPath, regions: c.config.regions };
}

/** The campaign, if the policy lets the caller see it (`seeCampaign`: the city and above, or a region taking part); else 404. */
export async function loadVisibleCampaign(db: Db, caller: Caller, id: string): Promise<CampaignRow> {
  const c = await getCampaign(db, id);
  if (!c) throw notFound('行动不存在 / campaign not found');
  enforce(seeCampaign(caller, campaignFacts(c)));
  return c;
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
  opts: { phase?: string | string[]; roles?: Role[] } = {},
): Promise<{ campaign: CampaignRow; region: OrgRow }> {
  const campaign = await loadVisibleCampaign(db, caller, campaignId);
  if (!campaign.config.regions.includes(regionOrg)) throw notFound('该地区未参加此行动 / region does not take part');
  const region = await getOrg(db, regionOrg);
  if (!region) throw notFound('地区不存在 / region not found');
  enforce(submitForRegion(caller, region.path, opts.roles));
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
