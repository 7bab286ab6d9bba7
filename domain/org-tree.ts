/**
 * The org tree's rules (组织机构规则): which kinds of org there are, which
 * kind may sit under which, what an org id looks like, and the check of one
 * org as an admin enters it (a form, or a row of an import workbook). Pure:
 * the API routes and the xlsx import both use these, so the rules live here
 * and nowhere else.
 */

/** Kinds of org, top down (as in orgs.kind and db/seeds/demo-org.json). */
export const ORG_KINDS = ['province', 'city', 'county', 'industry', 'township', 'community', 'grassroots'] as const;
export type OrgKind = (typeof ORG_KINDS)[number];

export const ORG_KIND_LABELS: Record<OrgKind, string> = {
  province: '省总工会 / province federation',
  city: '市总工会 / city federation',
  county: '县（市、区）总工会 / county federation',
  industry: '产业工会 / industry union',
  township: '乡镇（街道）工会 / township or street union',
  community: '社区（村）工会 / community union',
  grassroots: '基层工会 / grassroots union',
};

/** The short Chinese name of each kind, as written in the import workbook's 类型 column. */
export const ORG_KIND_NAMES: Record<OrgKind, string> = {
  province: '省总工会',
  city: '市总工会',
  county: '县区总工会',
  industry: '产业工会',
  township: '乡镇街道工会',
  community: '社区工会',
  grassroots: '基层工会',
};

/** Kinds of grassroots union (基层工会的类型). */
export const GRASSROOTS_SUBKINDS = ['enterprise', 'joint', 'industry_federation', 'regional_federation'] as const;
export type GrassrootsSubkind = (typeof GRASSROOTS_SUBKINDS)[number];

export const SUBKIND_NAMES: Record<GrassrootsSubkind, string> = {
  enterprise: '企业工会',
  joint: '联合工会',
  industry_federation: '行业工会联合会',
  regional_federation: '区域工会联合会',
};

/** Which kinds may be the parent of each kind (null: the root of the tree). */
export const ALLOWED_PARENT_KINDS: Record<OrgKind, readonly (OrgKind | null)[]> = {
  province: [null],
  city: ['province'],
  county: ['city'],
  industry: ['city', 'county'],
  township: ['county'],
  community: ['township'],
  grassroots: ['city', 'county', 'industry', 'township', 'community'],
};

/** An org id: letters, digits, '-' and '_', at most 64 (it is a segment of every descendant's path, so no '/'). */
export const ORG_ID_PATTERN = /^[a-z0-9][\w-]{0,63}$/i;

export const MAX_NAME = 100;
export const MAX_AREA = 200;

/**
 * Whether a grassroots union takes a target group's workers of its whole area when nothing names their employer's
 * union (平台分拣): an industry or regional federation does (so does a union whose kind was never recorded); an
 * enterprise union or a joint union takes the workers of its own firms only, found by the employer's name.
 */
export function takesAreaWorkers(subkind: string | null | undefined): boolean {
  return subkind !== 'enterprise' && subkind !== 'joint';
}

/** Reads a kind given as its code ('county') or its Chinese name ('县区总工会'). */
export function parseKind(value: string): OrgKind | undefined {
  const v = value.trim();
  if ((ORG_KINDS as readonly string[]).includes(v)) return v as OrgKind;
  return ORG_KINDS.find((k) => ORG_KIND_NAMES[k] === v);
}

/** Reads a grassroots subkind given as its code or its Chinese name. */
export function parseSubkind(value: string): GrassrootsSubkind | undefined {
  const v = value.trim();
  if ((GRASSROOTS_SUBKINDS as readonly string[]).includes(v)) return v as GrassrootsSubkind;
  return GRASSROOTS_SUBKINDS.find((k) => SUBKIND_NAMES[k] === v);
}

/** Why an org of `kind` may not sit under `parentKind`, or undefined when it may. */
export function parentKindError(kind: OrgKind, parentKind: string | null): string | undefined {
  if (ALLOWED_PARENT_KINDS[kind].includes(parentKind as OrgKind | null)) return undefined;
  const allowed = ALLOWED_PARENT_KINDS[kind].map((k) => (k ? ORG_KIND_NAMES[k] : '（无）')).join('、');
  return `${ORG_KIND_NAMES[kind]}的上级只能是${allowed} / a ${kind} org may sit only under ${ALLOWED_PARENT_KINDS[kind].join(', ')}`;
}

/** One org as entered: the fields of the form or of one workbook row. */
export interface OrgDraft {
  id?: string;
  name: string;
  kind: string;
  parent: string;
  groups?: readonly string[];
  area?: string | null;
  subkind?: string | null;
}

export type OrgField = 'id' | 'name' | 'kind' | 'parent' | 'groups' | 'area' | 'subkind';

/**
 * The errors of one org taken on its own (not its place in the tree): id
 * format, name, kind, subkind (grassroots only), known target groups, area.
 */
export function validateOrgDraft(d: OrgDraft, knownGroups: ReadonlySet<string>): { field: OrgField; message: string }[] {
  const errors: { field: OrgField; message: string }[] = [];
  if (d.id !== undefined && !ORG_ID_PATTERN.test(d.id))
    errors.push({ field: 'id', message: '编码只能包含字母、数字、- 和 _，不超过 64 位 / letters, digits, - and _, at most 64' });
  const name = d.name.trim();
  if (!name) errors.push({ field: 'name', message: '必填 / required' });
  else if (name.length > MAX_NAME) errors.push({ field: 'name', message: `不超过 ${MAX_NAME} 字 / at most ${MAX_NAME} characters` });
  const kind = parseKind(d.kind);
  if (!kind) errors.push({ field: 'kind', message: `须为 ${ORG_KINDS.map((k) => ORG_KIND_NAMES[k]).join('、')} 之一 / one of ${ORG_KINDS.join(', ')}` });
  if (!d.parent.trim()) errors.push({ field: 'parent', message: '必填 / required' });
  if (d.subkind) {
    if (kind && kind !== 'grassroots') errors.push({ field: 'subkind', message: '只有基层工会有此项 / only for grassroots unions' });
    else if (!parseSubkind(d.subkind))
      errors.push({
        field: 'subkind',
        message: `须为 ${GRASSROOTS_SUBKINDS.map((k) => SUBKIND_NAMES[k]).join('、')} 之一 / one of ${GRASSROOTS_SUBKINDS.join(', ')}`,
      });
  }
  const unknown = (d.groups ?? []).filter((g) => !knownGroups.has(g));
  if (unknown.length) errors.push({ field: 'groups', message: `未知的重点群体 ${unknown.join(', ')} / unknown target groups` });
  if (d.groups?.length && kind && kind !== 'grassroots')
    errors.push({ field: 'groups', message: '只有基层工会组织重点群体 / only grassroots unions organize target groups' });
  if (d.area && d.area.length > MAX_AREA) errors.push({ field: 'area', message: `不超过 ${MAX_AREA} 字 / at most ${MAX_AREA} characters` });
  return errors;
}

/** An id for a new org when none is given: unique enough, short, and a valid path segment. */
export function newOrgId(random: () => string): string {
  return `org-${random()}`;
}

/** The path of an org under a parent whose path is `parentPath`. */
export function childPath(parentPath: string, id: string): string {
  return `${parentPath}${id}/`;
}
