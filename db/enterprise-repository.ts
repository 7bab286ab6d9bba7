/**
 * The enterprise registry of a campaign (调查摸底 output): one file per
 * enterprise (一企一档) per campaign and region, classified by the 25/100
 * rules, and the 挂号销号 ledger — targets are registered (挂号) and crossed
 * off (销号) when their union is established.
 */
import { allowLongStatements, type Db } from './knex';
import {
  CLASSIFICATIONS,
  classifyEnterprise,
  ledgerStatusFor,
  type Classification,
  type EmployerAttitude,
  type LedgerStatus,
  type ValidatedRow,
} from '../domain/enterprise';

/** Rows per INSERT statement: big enough to amortize round trips, small enough for modest statements. */
export const IMPORT_CHUNK_ROWS = 1_000;

export interface EnterpriseRow {
  id: string;
  campaignId: string;
  regionOrg: string;
  name: string;
  creditCode: string | null;
  address: string | null;
  employees: number;
  groupCounts: Record<string, number>;
  hasUnion: boolean;
  reasonNoUnion: string | null;
  employerAttitude: EmployerAttitude | null;
  /** YYYY-MM-DD (read as text, so no time zone can shift it). */
  operatingSince: string | null;
  classification: Classification;
  ledgerStatus: LedgerStatus;
  crossedOffAt: Date | null;
  uploadBatch: string;
  rowNo: number;
  createdAt: Date;
  updatedAt: Date;
}

const columns = {
  id: 'id',
  campaignId: 'campaign_id',
  regionOrg: 'region_org',
  name: 'name',
  creditCode: 'credit_code',
  address: 'address',
  employees: 'employees',
  groupCounts: 'group_counts',
  hasUnion: 'has_union',
  reasonNoUnion: 'reason_no_union',
  employerAttitude: 'employer_attitude',
  classification: 'classification',
  ledgerStatus: 'ledger_status',
  crossedOffAt: 'crossed_off_at',
  uploadBatch: 'upload_batch',
  rowNo: 'row_no',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
};
const selectEnterprise = (db: Db) => [columns, db.raw(`to_char(operating_since, 'YYYY-MM-DD') as "operatingSince"`)] as const;

export interface ImportEnterprisesInput {
  campaignId: string;
  regionOrg: string;
  /** The upload's id (upload_batches.id); stamped on every row it writes. */
  batchId: string;
  uploadedBy: string;
  /** Validated rows, at most one per enterprise identity (validation rejects duplicates). */
  rows: readonly ValidatedRow[];
  /** How many rows validation refused (stored in the batch's counts); 0 when absent. */
  rejectedCount?: number;
  /** The upload's report (rejected rows, counts), stored as upload_batches.result. */
  result: unknown;
  /** The day the 25/100 rules are applied on, YYYY-MM-DD; defaults to today in China. */
  asOf?: string;
}

export interface ImportedEnterprise {
  id: string;
  row: number;
  name: string;
  creditCode: string | null;
  classification: Classification;
  ledgerStatus: LedgerStatus;
  /** False when the upload updated an enterprise already on file. */
  inserted: boolean;
}

export interface ImportEnterprisesResult {
  batchId: string;
  accepted: number;
  inserted: number;
  updated: number;
  classified: Record<Classification, number>;
  /** Every accepted row with its enterprise id, in upload order. */
  items: ImportedEnterprise[];
}

const emptyClassCounts = (): Record<Classification, number> => ({ own_union_mandatory: 0, own_union: 0, joint_coverage: 0, has_union: 0 });

const chinaToday = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);

/**
 * Writes a survey upload in ONE transaction — the batch record and every
 * accepted row, or nothing at all. Rows are upserted in chunks of
 * {@link IMPORT_CHUNK_ROWS} per statement (no per-row queries) on the
 * registry's identity (campaign, region, credit code or else name), so
 * re-uploading an enterprise updates its file instead of adding a second one.
 *
 * Each row is classified by {@link classifyEnterprise} as of `asOf` and put on
 * the ledger by {@link ledgerStatusFor}, except that an enterprise already
 * crossed off (销号) stays crossed off and keeps its target classification
 * (a re-survey then reports the union it now has).
 *
 * An enterprise first filed by name alone is adopted by a later row that has
 * the same name and a credit code (the code is added to the existing file),
 * unless the upload also names it without a code.
 *
 * Idempotency: `batchId` is the batch's primary key, so a second import with
 * the same id fails on the key and writes nothing (callers derive it from
 * the Idempotency-Key). Rows are written in identity order so concurrent
 * uploads of overlapping enterprises lock in the same order (no deadlock).
 *
 * @throws the database error (unique violation on upload_batches_pkey for a reused batch id); nothing is written then
 */
export async function importEnterprises(db: Db, input: ImportEnterprisesInput): Promise<ImportEnterprisesResult> {
  const asOf = input.asOf ?? chinaToday();
  const identity = (r: ValidatedRow) => r.creditCode ?? r.name;
  const ordered = [...input.rows].sort((a, b) => (identity(a) < identity(b) ? -1 : identity(a) > identity(b) ? 1 : 0));

  // Adoption candidates: a coded row whose name is filed without a code, unambiguous within the upload.
  const codeless = new Set(ordered.filter((r) => r.creditCode === null).map((r) => r.name));
  const codedNames = new Map<string, number>();
  for (const r of ordered) if (r.creditCode !== null) codedNames.set(r.name, (codedNames.get(r.name) ?? 0) + 1);
  const adopt = ordered.filter((r) => r.creditCode !== null && !codeless.has(r.name) && codedNames.get(r.name) === 1);

  const byRow = new Map<number, ImportedEnterprise>();
  let inserted = 0;
  await db.transaction(async (trx) => {
    // 50,000 rows in one transaction: the import's own, longer statement timeout.
    await allowLongStatements(db, trx);
    await trx('upload_batches').insert({
      id: input.batchId,
      campaign_id: input.campaignId,
      region_org: input.regionOrg,
      uploaded_by: input.uploadedBy,
      accepted: input.rows.length,
      rejected: input.rejectedCount ?? 0,
      result: JSON.stringify(input.result ?? {}),
    });

    for (let i = 0; i < adopt.length; i += IMPORT_CHUNK_ROWS) {
      const chunk = adopt.slice(i, i + IMPORT_CHUNK_ROWS).map((r) => ({ name: r.name, credit_code: r.creditCode }));
      await trx.raw(
        `update enterprises e set credit_code = x.credit_code, updated_at = now()
           from jsonb_to_recordset(?::jsonb) as x(name text, credit_code text)
          where e.campaign_id = ? and e.region_org = ? and e.credit_code is null and e.name = x.name
            and not exists (select 1 from enterprises o
                             where o.campaign_id = e.campaign_id and o.region_org = e.region_org
                               and coalesce(o.credit_code, o.name) = x.credit_code)`,
        [JSON.stringify(chunk), input.campaignId, input.regionOrg],
      );
    }

    for (let i = 0; i < ordered.length; i += IMPORT_CHUNK_ROWS) {
      const chunk = ordered.slice(i, i + IMPORT_CHUNK_ROWS).map((r) => {
        const classification = classifyEnterprise(r, asOf);
        return {
          name: r.name,
          credit_code: r.creditCode,
          address: r.address,
          employees: r.employees,
          group_counts: r.groupCounts,
          has_union: r.hasUnion,
          reason_no_union: r.reasonNoUnion,
          employer_attitude: r.employerAttitude,
          operating_since: r.operatingSince,
          classification,
          ledger_status: ledgerStatusFor(classification),
          row_no: r.row,
        };
      });
      const result = await trx.raw<{ rows: unknown[] }>(
        `insert into enterprises (campaign_id, region_org, name, credit_code, address, employees, group_counts, has_union,
                                  reason_no_union, employer_attitude, operating_since, classification, ledger_status, upload_batch, row_no)
         select ?, ?, x.name, x.credit_code, x.address, x.employees, coalesce(x.group_counts, '{}'::jsonb), x.has_union,
                x.reason_no_union, x.employer_attitude, x.operating_since, x.classification, x.ledger_status, ?, x.row_no
           from jsonb_to_recordset(?::jsonb) as x(name text, credit_code text, address text, employees int, group_counts jsonb,
                has_union boolean, reason_no_union text, employer_attitude text, operating_since date, classification text,
                ledger_status text, row_no int)
         on conflict (campaign_id, region_org, (coalesce(credit_code, name))) do update set
           name = excluded.name,
           credit_code = excluded.credit_code,
           address = excluded.address,
           employees = excluded.employees,
           group_counts = excluded.group_counts,
           has_union = excluded.has_union,
           reason_no_union = excluded.reason_no_union,
           employer_attitude = excluded.employer_attitude,
           operating_since = excluded.operating_since,
           -- 销号 is final: a crossed-off enterprise keeps its target class when it now reports its union.
           classification = case when enterprises.ledger_status = 'crossed_off' and excluded.classification = 'has_union'
                                 then enterprises.classification else excluded.classification end,
           ledger_status = case when enterprises.ledger_status = 'crossed_off' then 'crossed_off' else excluded.ledger_status end,
           upload_batch = excluded.upload_batch,
           row_no = excluded.row_no,
           updated_at = now()
         returning id, row_no, name, credit_code, classification, ledger_status, (xmax = 0) as inserted`,
        [input.campaignId, input.regionOrg, input.batchId, JSON.stringify(chunk)],
      );
      for (const r of result.rows as {
        id: string;
        row_no: number;
        name: string;
        credit_code: string | null;
        classification: Classification;
        ledger_status: LedgerStatus;
        inserted: boolean;
      }[]) {
        if (r.inserted) inserted += 1;
        byRow.set(r.row_no, {
          id: String(r.id),
          row: r.row_no,
          name: r.name,
          creditCode: r.credit_code,
          classification: r.classification,
          ledgerStatus: r.ledger_status,
          inserted: r.inserted,
        });
      }
    }
  });

  const items = input.rows.map((r) => byRow.get(r.row)).filter((x): x is ImportedEnterprise => !!x);
  const classified = emptyClassCounts();
  for (const it of items) classified[it.classification] += 1;
  return { batchId: input.batchId, accepted: items.length, inserted, updated: items.length - inserted, classified, items };
}

export type TargetClassification = Exclude<Classification, 'has_union'>;

export interface GapItem {
  id: string;
  name: string;
  creditCode: string | null;
  address: string | null;
  employees: number;
  groupCounts: Record<string, number>;
  reasonNoUnion: string | null;
  employerAttitude: EmployerAttitude | null;
  operatingSince: string | null;
  classification: TargetClassification;
}

export interface GapList {
  /** Registered targets by classification, their total, and targets already crossed off. */
  counts: Record<TargetClassification, number> & { total: number; crossedOff: number };
  /** Headcount of the registered targets: all employees, and per target group. */
  headcount: { employees: number; byGroup: Record<string, number> };
  items: GapItem[];
  /** Present when `limit` cut the list: pass it as `after` for the next page. */
  next: GapCursor | null;
}

/** Keyset position in the gap list's order (classification rank, employees desc, id). */
export interface GapCursor {
  rank: number;
  employees: number;
  id: string;
}

const RANK_SQL = `array_position(array['${CLASSIFICATIONS.join("','")}']::text[], classification)`;

/** The gap list's query in its order (单建 first, larger first, then id), after a cursor. */
function gapItemsQuery(db: Db, campaignId: string, regionOrg: string, after?: GapCursor) {
  const q = db('enterprises')
    .select({
      id: 'id',
      name: 'name',
      creditCode: 'credit_code',
      address: 'address',
      employees: 'employees',
      groupCounts: 'group_counts',
      reasonNoUnion: 'reason_no_union',
      employerAttitude: 'employer_attitude',
      classification: 'classification',
    })
    .select(db.raw(`to_char(operating_since, 'YYYY-MM-DD') as "operatingSince"`), db.raw(`${RANK_SQL} as rank`))
    .where({ campaign_id: campaignId, region_org: regionOrg, ledger_status: 'registered' })
    .orderByRaw(`${RANK_SQL}, employees desc, id`);
  if (after) q.whereRaw(`(${RANK_SQL}, -employees, id) > (?, ?, ?)`, [after.rank, -after.employees, after.id]);
  return q;
}

/**
 * One keyset page of the gap list without its counts, for the CSV export:
 * the export reads page after page, so a region of any size is streamed,
 * never held in memory at once.
 */
export async function listGapPage(
  db: Db,
  campaignId: string,
  regionOrg: string,
  page: { limit: number; after?: GapCursor },
): Promise<{ items: GapItem[]; next: GapCursor | null }> {
  const rows = (await gapItemsQuery(db, campaignId, regionOrg, page.after).limit(page.limit)) as (GapItem & { rank: number })[];
  const last = rows[rows.length - 1];
  return {
    items: rows.map(({ rank: _rank, ...item }) => ({ ...item, id: String(item.id) })),
    next: rows.length === page.limit && last ? { rank: Number(last.rank), employees: last.employees, id: String(last.id) } : null,
  };
}

/**
 * 建会空白点: a region's gap list — the enterprises registered as targets and
 * not yet crossed off, 单建 targets first (100+ mandatory, then 25+), then
 * those to be covered by joint unions (联建); larger enterprises first within
 * each class. With the counts by classification and the target groups'
 * headcount over the whole list (not just the page).
 *
 * @param opts.limit page size (all when absent); `opts.after` continues from a page's `next`
 */
export async function listGapList(db: Db, campaignId: string, regionOrg: string, opts: { limit?: number; after?: GapCursor } = {}): Promise<GapList> {
  const scope = { campaign_id: campaignId, region_org: regionOrg };
  const itemsQuery = gapItemsQuery(db, campaignId, regionOrg, opts.after);
  if (opts.limit !== undefined) itemsQuery.limit(opts.limit + 1);

  const [rows, byClass, byGroup] = await Promise.all([
    itemsQuery as Promise<(GapItem & { rank: number })[]>,
    db('enterprises')
      .select('ledger_status', 'classification')
      .count({ n: '*' })
      .sum({ employees: 'employees' })
      .where(scope)
      .whereIn('ledger_status', ['registered', 'crossed_off'])
      .groupBy('ledger_status', 'classification') as Promise<
      { ledger_status: LedgerStatus; classification: Classification; n: string; employees: string | null }[]
    >,
    db.raw(
      `select g.key as group, sum(g.value::numeric)::bigint as n
         from enterprises e cross join lateral jsonb_each_text(e.group_counts) g
        where e.campaign_id = ? and e.region_org = ? and e.ledger_status = 'registered'
        group by g.key order by g.key`,
      [campaignId, regionOrg],
    ) as Promise<{ rows: { group: string; n: string }[] }>,
  ]);

  const counts = { own_union_mandatory: 0, own_union: 0, joint_coverage: 0, total: 0, crossedOff: 0 };
  let employees = 0;
  for (const r of byClass) {
    const n = Number(r.n);
    if (r.ledger_status === 'crossed_off') counts.crossedOff += n;
    else if (r.classification !== 'has_union') {
      counts[r.classification] += n;
      counts.total += n;
      employees += Number(r.employees ?? 0);
    }
  }
  const more = opts.limit !== undefined && rows.length > opts.limit;
  const page = more ? rows.slice(0, opts.limit) : rows;
  const last = page[page.length - 1];
  return {
    counts,
    headcount: { employees, byGroup: Object.fromEntries(byGroup.rows.map((r) => [r.group, Number(r.n)])) },
    items: page.map(({ rank: _rank, ...item }) => ({ ...item, id: String(item.id) })),
    next: more && last ? { rank: Number(last.rank), employees: last.employees, id: String(last.id) } : null,
  };
}

export interface RegionEnterpriseCounts {
  /** Enterprises surveyed (摸底) in the region. */
  screened: number;
  /** Targets ever registered (挂号): still registered plus crossed off. */
  targets: number;
  /** Targets crossed off (销号): their union is established. */
  crossedOff: number;
  byClassification: Record<Classification, number>;
}

/**
 * Survey and ledger counts per region of a campaign, for the campaign view
 * and the bimonthly bulletin (通报). Regions with no enterprise yet are absent.
 */
export async function countEnterprisesByRegion(db: Db, campaignId: string): Promise<Record<string, RegionEnterpriseCounts>> {
  const rows: {
    region_org: string;
    classification: Classification;
    ledger_status: LedgerStatus;
    n: string;
  }[] = await db('enterprises')
    .select('region_org', 'classification', 'ledger_status')
    .count({ n: '*' })
    .where({ campaign_id: campaignId })
    .groupBy('region_org', 'classification', 'ledger_status');
  const out: Record<string, RegionEnterpriseCounts> = {};
  for (const r of rows) {
    const c = (out[r.region_org] ??= { screened: 0, targets: 0, crossedOff: 0, byClassification: emptyClassCounts() });
    const n = Number(r.n);
    c.screened += n;
    c.byClassification[r.classification] += n;
    if (r.ledger_status !== 'not_target') c.targets += n;
    if (r.ledger_status === 'crossed_off') c.crossedOff += n;
  }
  return out;
}

export type CrossOffOutcome = 'crossed_off' | 'already_crossed_off' | 'not_target';

/**
 * 销号: cross a registered target off the ledger because its union is
 * established, at `at`. Idempotent: crossing off an enterprise already
 * crossed off changes nothing (its first date stays) and reports
 * `already_crossed_off`; an enterprise that is no target (it had a union at
 * the survey) is left alone and reported `not_target`.
 *
 * @returns the outcome and the enterprise as it now stands, or undefined when the id is not in this campaign
 */
export async function crossOffEnterprise(
  db: Db,
  campaignId: string,
  enterpriseId: string,
  at: Date,
): Promise<{ outcome: CrossOffOutcome; enterprise: EnterpriseRow } | undefined> {
  if (!isBigintId(enterpriseId)) return undefined;
  const updated = await db('enterprises')
    .where({ id: enterpriseId, campaign_id: campaignId, ledger_status: 'registered' })
    .update({ ledger_status: 'crossed_off', crossed_off_at: at, updated_at: db.fn.now() }, ['id']);
  const enterprise = await getEnterprise(db, enterpriseId);
  if (!enterprise || enterprise.campaignId !== campaignId) return undefined;
  if (updated.length) return { outcome: 'crossed_off', enterprise };
  return { outcome: enterprise.ledgerStatus === 'crossed_off' ? 'already_crossed_off' : 'not_target', enterprise };
}

/** One enterprise file (一企一档) by id; undefined for an unknown or malformed id. */
export async function getEnterprise(db: Db, id: string): Promise<EnterpriseRow | undefined> {
  if (!isBigintId(id)) return undefined;
  const row = (await db('enterprises')
    .select(...selectEnterprise(db))
    .where({ id })
    .first()) as EnterpriseRow | undefined;
  return row ? { ...row, id: String(row.id) } : undefined;
}

/** Ids are bigserial: anything else would make Postgres fail on the cast, so it is simply not found. */
function isBigintId(id: string): boolean {
  return /^[1-9]\d{0,17}$/.test(id);
}
