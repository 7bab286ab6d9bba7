/**
 * Who may touch a campaign and its regions, and the phase gate every
 * submission passes: out of phase, 409 naming the current phase.
 */
import { submissionState, type Submission } from '../domain/campaign';
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
  opts: { submission?: Submission; roles?: Role[] } = {},
): Promise<{ campaign: CampaignRow; region: OrgRow }> {
  const campaign = await loadVisibleCampaign(db, caller, campaignId);
  if (!campaign.config.regions.includes(regionOrg)) throw notFound('该地区未参加此行动 / region does not take part');
  const region = await getOrg(db, regionOrg);
  if (!region) throw notFound('地区不存在 / region not found');
  enforce(submitForRegion(caller, region.path, opts.roles));
  if (opts.submission) requireOpen(campaign, opts.submission);
  return { campaign, region };
}

/** A submission out of its phase (domain/campaign.ts `submissionState`): 409 saying why, nothing changed. */
export function requireOpen(campaign: CampaignRow, submission: Submission): void {
  const state = submissionState(campaign.phase, submission);
  if (!state.open) throw new HttpError(409, state.reason);
}
