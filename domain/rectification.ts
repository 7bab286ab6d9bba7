/**
 * Inspections that matter (不定期检查 → 整改事项) and the self-assessment
 * review that compares claims with records. Pure: no clock (callers pass
 * today's Beijing date), no I/O.
 */

export const SEVERITIES = ['minor', 'major', 'serious'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const SEVERITY_LABELS: Record<Severity, string> = {
  minor: '一般 / minor',
  major: '较重 / major',
  serious: '严重 / serious',
};

export const RECTIFICATION_STATUSES = ['open', 'reported', 'returned', 'closed', 'lapsed'] as const;
export type RectificationStatus = (typeof RECTIFICATION_STATUSES)[number];

export const RECTIFICATION_STATUS_LABELS: Record<RectificationStatus, string> = {
  open: '待整改 / open',
  reported: '已报整改完成，待验收 / reported done, awaiting acceptance',
  returned: '验收退回，继续整改 / sent back',
  closed: '已验收销号 / accepted and closed',
  lapsed: '行动结束未完成 / lapsed at campaign close',
};

/** Still the region's or the city's to act on. */
export const ACTIVE_RECTIFICATION: readonly RectificationStatus[] = ['open', 'reported', 'returned'];

/** One finding of an inspection: what was found, how serious, and — when it must be put right — by when. */
export interface Finding {
  text: string;
  severity: Severity;
  /** YYYY-MM-DD: a finding with a deadline opens a rectification item on the region. */
  deadline?: string;
}

/**
 * Overdue (逾期): the region still owes the work (open or sent back) and the
 * deadline day has passed in Beijing. A reported item awaits the city's
 * acceptance and is not the region's delay.
 */
export function isRectificationOverdue(r: { status: string; deadline: string }, todayBeijing: string): boolean {
  return (r.status === 'open' || r.status === 'returned') && r.deadline < todayBeijing;
}

/** Which transition a region's report or the city's decision makes, or why it cannot. */
export function rectificationTransition(
  status: string,
  action: 'report' | 'accept' | 'return',
): { ok: true; to: RectificationStatus } | { ok: false; reason: string } {
  if (action === 'report') {
    if (status === 'open' || status === 'returned') return { ok: true, to: 'reported' };
    return { ok: false, reason: `整改事项当前为“${label(status)}”，不能再报完成 / the item is ${status}: nothing to report` };
  }
  if (status !== 'reported')
    return { ok: false, reason: `整改事项当前为“${label(status)}”，尚无可验收的整改报告 / the item is ${status}: nothing to accept or send back` };
  return { ok: true, to: action === 'accept' ? 'closed' : 'returned' };
}

function label(status: string): string {
  return (RECTIFICATION_STATUS_LABELS[status as RectificationStatus] ?? status).split(' / ')[0]!;
}

/** The figures a self-assessment claims and the ones the records count (projects.members_recruited etc.). */
export interface ClaimFigures {
  members: number;
  unions: number;
  coverage?: number | null;
}

export interface Discrepancy {
  field: 'members' | 'unions' | 'coverage';
  claimed: number;
  counted: number;
  /** over: more claimed than recorded (the one that inflates a bulletin); under: fewer. */
  kind: 'over' | 'under';
  message: string;
}

const FIELD_NAMES: Record<Discrepancy['field'], string> = {
  members: '新增会员 / new members',
  unions: '新建工会 / unions established',
  coverage: '服务覆盖人数 / workers covered',
};

/** Claims beside records: every figure that differs is flagged, over-claims first. */
export function compareClaims(claimed: ClaimFigures, counted: ClaimFigures): Discrepancy[] {
  const out: Discrepancy[] = [];
  const check = (field: Discrepancy['field'], c: number | null | undefined, r: number | null | undefined) => {
    if (c === undefined || c === null) return;
    const rec = r ?? 0;
    if (c === rec) return;
    const kind = c > rec ? 'over' : 'under';
    const [zh, en] = FIELD_NAMES[field].split(' / ');
    out.push({
      field,
      claimed: c,
      counted: rec,
      kind,
      message:
        kind === 'over'
          ? `${zh}自报 ${c}，实名/台账记录 ${rec}，多报 ${c - rec} / ${en}: ${c} claimed, ${rec} on record (${c - rec} over)`
          : `${zh}自报 ${c}，实名/台账记录 ${rec}，少报 ${rec - c} / ${en}: ${c} claimed, ${rec} on record (${rec - c} under)`,
    });
  };
  check('members', claimed.members, counted.members);
  check('unions', claimed.unions, counted.unions);
  check('coverage', claimed.coverage, counted.coverage);
  return out.sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'over' ? -1 : 1));
}
