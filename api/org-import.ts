/**
 * Importing the org tree from a workbook (组织机构导入): every row checked
 * (the one-org rules of domain/org-tree.ts, its place in the tree, the
 * caller's scope), every bad row reported with its Excel row number and the
 * Chinese header of each bad field, and nothing written when any row is bad.
 * Import = upsert: a new id is created; an existing id within the caller's
 * part of the tree is updated (name, target groups, area, subkind) — an import
 * never moves an org or changes its kind (the tree page does that).
 */
import crypto from 'node:crypto';
import type { Db } from '../db/knex';
import { getOrgsByIds, listTargetGroups, upsertImportedOrgs, type NewOrg } from '../db/org-repository';
import { recordAdminChange } from '../db/admin-audit-repository';
import { childPath, newOrgId, parentKindError, parseKind, parseSubkind, validateOrgDraft, type OrgField } from '../domain/org-tree';
import { manageOrg, placeOrgUnder, type Principal } from '../domain/policy';
import { HEADER_OF, type WorkbookRow } from './org-workbook';

export interface RejectedRow {
  row: number;
  errors: { field: string; message: string }[];
}

export type ImportOutcome = { ok: true; imported: number; created: number; updated: number } | { ok: false; rejected: RejectedRow[] };

const splitGroups = (s: string) =>
  s
    .split(/[,，;；、\s]+/)
    .map((g) => g.trim())
    .filter(Boolean);

/**
 * Checks every row and, when all are good, writes them in one transaction
 * with one administration record for the whole import.
 */
export async function importOrgRows(
  db: Db,
  caller: Principal,
  rows: readonly WorkbookRow[],
  onProgress?: (phase: 'validating' | 'writing', done: number, total: number) => void,
): Promise<ImportOutcome> {
  const knownGroups = new Set((await listTargetGroups(db)).map((g) => g.id));
  const errorsOf = new Map<number, RejectedRow['errors']>();
  const fail = (row: number, field: OrgField, message: string) => {
    const list = errorsOf.get(row) ?? [];
    list.push({ field: HEADER_OF[field], message });
    errorsOf.set(row, list);
  };

  // Ids given (or generated), and duplicates within the file.
  const seenAt = new Map<string, number>();
  const ids = rows.map((r) => r.cells.id || newOrgId(() => crypto.randomBytes(6).toString('hex')));
  rows.forEach((r, i) => {
    const id = ids[i]!;
    const first = seenAt.get(id);
    if (first !== undefined) fail(r.row, 'id', `与第 ${first} 行的编码重复 / the same id as row ${first}`);
    else seenAt.set(id, r.row);
  });
  const fileIndex = new Map<string, number>();
  ids.forEach((id, i) => {
    if (!fileIndex.has(id)) fileIndex.set(id, i);
  });

  const existing = await getOrgsByIds(db, [...new Set([...ids, ...rows.map((r) => r.cells.parent).filter(Boolean)])]);

  // Each row on its own, then against what exists.
  rows.forEach((r, i) => {
    const c = r.cells;
    const draft = {
      id: c.id || undefined,
      name: c.name,
      kind: c.kind,
      parent: c.parent,
      groups: splitGroups(c.groups),
      area: c.area || null,
      subkind: c.subkind || null,
    };
    for (const e of validateOrgDraft(draft, knownGroups)) fail(r.row, e.field, e.message);
    const old = existing.get(ids[i]!);
    if (old) {
      if (!manageOrg(caller, old).allow) fail(r.row, 'id', '编码已被占用或不在您的管理范围内 / the id is taken, or outside your part of the tree');
      else {
        if (c.parent && c.parent !== old.parentId)
          fail(r.row, 'parent', '导入不移动已有机构，请在组织树中移动 / an import does not move an existing org; move it in the tree');
        const kind = parseKind(c.kind);
        if (kind && kind !== old.kind) fail(r.row, 'kind', '导入不修改已有机构的类型 / an import does not change an existing org’s kind');
      }
    }
    if (i % 5000 === 0) onProgress?.('validating', i, rows.length);
  });

  // Paths: parents from the file (in any order) or existing orgs in the caller's scope; kinds as the rules allow.
  const paths = new Map<string, string | null>();
  const pathOf = (i: number, trail: Set<number>): string | null => {
    const id = ids[i]!;
    if (paths.has(id)) return paths.get(id)!;
    const r = rows[i]!;
    const parentId = r.cells.parent;
    let parentPath: string | null = null;
    let parentKind: string | null = null;
    const inFile = fileIndex.get(parentId);
    if (!parentId) return null;
    if (inFile !== undefined) {
      if (trail.has(inFile)) {
        fail(r.row, 'parent', '上级关系成环 / the parents form a cycle');
        paths.set(id, null);
        return null;
      }
      trail.add(i);
      parentPath = pathOf(inFile, trail);
      parentKind = parseKind(rows[inFile]!.cells.kind) ?? null;
    } else {
      const p = existing.get(parentId);
      if (!p || !placeOrgUnder(caller, p).allow) fail(r.row, 'parent', '上级机构不存在或不在您的管理范围内 / no such parent within your part of the tree');
      else {
        parentPath = p.path;
        parentKind = p.kind;
      }
    }
    const kind = parseKind(r.cells.kind);
    if (kind && parentKind) {
      const e = parentKindError(kind, parentKind);
      if (e) fail(r.row, 'parent', e);
    }
    const path = parentPath ? childPath(parentPath, id) : null;
    paths.set(id, path);
    return path;
  };
  rows.forEach((_, i) => {
    if (!paths.has(ids[i]!)) pathOf(i, new Set([i]));
  });

  if (errorsOf.size) {
    return { ok: false, rejected: [...errorsOf.entries()].sort((a, b) => a[0] - b[0]).map(([row, errors]) => ({ row, errors })) };
  }

  const out: NewOrg[] = rows.map((r, i) => {
    const kind = parseKind(r.cells.kind)!;
    return {
      id: ids[i]!,
      name: r.cells.name.trim(),
      kind,
      parentId: r.cells.parent,
      path: paths.get(ids[i]!)!,
      groups: splitGroups(r.cells.groups),
      area: r.cells.area || null,
      subkind: r.cells.subkind ? (parseSubkind(r.cells.subkind) ?? null) : null,
    };
  });
  out.sort((a, b) => a.path.length - b.path.length || (a.path < b.path ? -1 : 1));
  const updated = out.filter((o) => existing.has(o.id)).length;
  await db.transaction(async (trx) => {
    await trx.raw('LOCK TABLE orgs IN SHARE ROW EXCLUSIVE MODE');
    await upsertImportedOrgs(trx, out, (done) => onProgress?.('writing', done, out.length));
    await recordAdminChange(trx, {
      actor: caller.username,
      action: 'org.import',
      subjectKind: 'org',
      subjectId: caller.orgId,
      orgPath: caller.orgPath,
      data: { rows: out.length, created: out.length - updated, updated },
    });
  });
  return { ok: true, imported: out.length, created: out.length - updated, updated };
}
