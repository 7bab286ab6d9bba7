/**
 * Where a worker may apply to join (网上入会 `area`): the place of work, as
 * a city federation, a county (市、区) federation or a city industry union.
 * Not the province (too broad: it would change who sees the application and
 * where it is counted), not a grassroots union (the sorting step chooses
 * it), not anything else. The one rule: the API's create route and the join
 * form's choices both ask it.
 */
export const JOIN_AREA_KINDS: readonly string[] = ['city', 'county', 'industry'];

/** Null when the org may be a join `area`; else why not (Chinese, then English). */
export function joinAreaProblem(org: { kind: string } | undefined): string | null {
  if (!org) return '未知地区 / unknown area org id';
  if (!JOIN_AREA_KINDS.includes(org.kind)) return '只能选择市总工会、县（市、区）总工会或产业工会 / choose a city or county federation or an industry union';
  return null;
}
