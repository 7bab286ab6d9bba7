/**
 * The chain designer's model (审批流程设计器): pure conversions between what
 * the designer shows — cards, condition rows, form fields, a time limit in
 * working days or hours — and the chain definition the API takes
 * (domain/chain.ts): steps and branch groups, `when` as JSON Logic,
 * `form.schema` (JSON Schema 2020-12) with `form.ui` (rjsf uiSchema), an SLA
 * as an ISO 8601 duration. No React here, so the rules read in one place.
 */
import type { ChainDefinition, Condition, FieldAccess, FormDefinition, HumanStep, ParallelGroup, Sla, Step } from '../../../../domain/chain';

/** One item of the vertical flow: a step, or a group of parallel branches (并行分支). */
export type FlowItem = Step | ParallelGroup;

/** What the designer edits: a chain whose flow may hold branch groups and whose form is a field list. */
export interface Draft {
  key: string;
  name: string;
  type: ChainDefinition['type'];
  owner?: string;
  steps: FlowItem[];
  fields: FormField[];
}

export const isGroup = (i: FlowItem): i is ParallelGroup => i.type === 'parallel';

/* ───────────── ids ───────────── */

/** Every step and group id in the flow, branches included. */
export function allIds(items: FlowItem[]): string[] {
  return items.flatMap((i) => (isGroup(i) ? [i.id, ...i.branches.flatMap((b) => allIds(b))] : [i.id]));
}

/** A fresh id `prefix1`, `prefix2`… not used anywhere in the flow. */
export function freshId(items: FlowItem[], prefix: string): string {
  const taken = new Set(allIds(items));
  for (let n = 1; ; n++) if (!taken.has(`${prefix}${n}`)) return `${prefix}${n}`;
}

export function newHumanStep(items: FlowItem[]): HumanStep {
  return {
    id: freshId(items, 'step'),
    name: '审批人',
    type: 'human',
    who: { kind: 'role', role: 'reviewer', level: 'parent' },
    mode: 'single',
    onNoApprover: 'admin',
  };
}

export function newGroup(items: FlowItem[]): ParallelGroup {
  const id = freshId(items, 'parallel');
  const a: HumanStep = { ...newHumanStep(items), id: `${id}a`, name: '分支审批 A' };
  const b: HumanStep = { ...newHumanStep(items), id: `${id}b`, name: '分支审批 B' };
  return { type: 'parallel', id, name: '并行审批', mode: 'all', branches: [[a], [b]] };
}

/* ───────────── paths into the flow ───────────── */

/** Where a step sits: top level `[i]`, or `[group, branch, i]` inside a group. */
export type StepPath = [number] | [number, number, number];

export function itemAt(items: FlowItem[], path: StepPath): FlowItem | undefined {
  if (path.length === 1) return items[path[0]];
  const g = items[path[0]];
  return g && isGroup(g) ? g.branches[path[1]]?.[path[2]] : undefined;
}

/** The list holding the item at `path` and the item's index in it, in a copy of the flow. */
function listOf(items: FlowItem[], path: StepPath): { root: FlowItem[]; list: FlowItem[]; index: number } {
  const root = structuredClone(items);
  if (path.length === 1) return { root, list: root, index: path[0] };
  const g = root[path[0]] as ParallelGroup;
  return { root, list: g.branches[path[1]] as FlowItem[], index: path[2] };
}

export function replaceAt(items: FlowItem[], path: StepPath, item: FlowItem): FlowItem[] {
  const { root, list, index } = listOf(items, path);
  list[index] = item;
  return root;
}

/** Removes the item; a branch left empty is removed, and a group left with one branch keeps it (two are needed to save). */
export function removeAt(items: FlowItem[], path: StepPath): FlowItem[] {
  const { root, list, index } = listOf(items, path);
  list.splice(index, 1);
  if (path.length === 3) {
    const g = root[path[0]] as ParallelGroup;
    g.branches = g.branches.filter((b) => b.length > 0);
    if (g.branches.length === 0) root.splice(path[0], 1);
  }
  return root;
}

export function moveAt(items: FlowItem[], path: StepPath, by: -1 | 1): FlowItem[] {
  const { root, list, index } = listOf(items, path);
  const to = index + by;
  if (to < 0 || to >= list.length) return items;
  [list[index], list[to]] = [list[to]!, list[index]!];
  return root;
}

/** Inserts `item` at position `at` of the top level (`branch` undefined) or of a group's branch. */
export function insertAt(items: FlowItem[], at: number, item: FlowItem, group?: number, branch?: number): FlowItem[] {
  const root = structuredClone(items);
  if (group === undefined || branch === undefined) root.splice(at, 0, item);
  else ((root[group] as ParallelGroup).branches[branch] as FlowItem[]).splice(at, 0, item);
  return root;
}

/* ───────────── who approves ───────────── */

export const LEVELS: [HumanStep['who'] extends infer W ? (W extends { level: infer L } ? L : never) : never, string][] = [
  ['self', '本级'],
  ['parent', '上级'],
  ['region', '县区'],
  ['city', '市'],
  ['province', '省'],
  ['target', '分拣工会'],
];
export const APPROVER_ROLES: [string, string][] = [
  ['reviewer', '审核员'],
  ['admin', '管理员'],
  ['staff', '工作人员'],
  ['supervisor', '督办'],
];
export const MODES: [HumanStep['mode'], string, string][] = [
  ['single', '依次', '一人审批'],
  ['all', '会签', '须所有人同意'],
  ['any', '或签', '一人同意即可'],
];
export const TIMEOUTS: [Sla['onTimeout'], string][] = [
  ['escalate', '催办升级'],
  ['autoApprove', '自动通过'],
  ['autoReject', '自动驳回'],
];
export const STEP_ACTIONS: [string, string][] = [
  ['approve', '同意'],
  ['reject', '驳回'],
  ['return', '退回'],
  ['transfer', '转办'],
  ['delegate', '委派'],
  ['addSigner', '加签'],
  ['removeSigner', '减签'],
  ['comment', '评论'],
  ['cc', '抄送'],
  ['assign', '人工分拣'],
];

const zh = (pairs: [string, string, ...string[]][], v: string | undefined) => pairs.find((p) => p[0] === v)?.[1] ?? '';

/** Who approves, in words: "上级 · 审核员", or the people's names. */
export function whoText(step: HumanStep, names: Map<string, string> = new Map()): string {
  if (step.who.kind === 'users') return step.who.usernames.map((u) => names.get(u) ?? '指定人员').join('、');
  return `${zh(LEVELS, step.who.level)} · ${zh(APPROVER_ROLES, step.who.role)}`;
}
export const modeText = (m: HumanStep['mode']) => zh(MODES, m);

/* ───────────── time limits ───────────── */

export type LimitUnit = 'days' | 'hours';
export interface Limit {
  amount: number;
  unit: LimitUnit;
}

/** An SLA duration as the designer shows it: P5D → 5 working days, PT4H → 4 hours, ms → hours. */
export function toLimit(d: string | number | undefined): Limit | undefined {
  if (d === undefined) return undefined;
  if (typeof d === 'number') return { amount: Math.max(1, Math.round(d / 3_600_000)), unit: 'hours' };
  const days = /^P(\d+)D$/.exec(d);
  if (days) return { amount: Number(days[1]), unit: 'days' };
  const hours = /^PT(\d+)H$/.exec(d);
  if (hours) return { amount: Number(hours[1]), unit: 'hours' };
  const weeks = /^P(\d+)W$/.exec(d);
  if (weeks) return { amount: Number(weeks[1]) * 5, unit: 'days' };
  return undefined;
}
export const fromLimit = (l: Limit): string => (l.unit === 'days' ? `P${l.amount}D` : `PT${l.amount}H`);
export const limitText = (l: Limit | undefined) => (l ? `${l.amount} ${l.unit === 'days' ? '个工作日' : '小时'}` : '');

/* ───────────── conditions (条件) ───────────── */

export type FactKind = 'number' | 'choice' | 'text' | 'boolean' | 'date';
export interface Fact {
  /** The JSON Logic variable: `amount`, `form.headcount` … */
  var: string;
  label: string;
  kind: FactKind;
  options?: { value: string | number | boolean; label: string }[];
}

export type Op = '>' | '>=' | '<' | '<=' | '==' | '!=' | 'in' | 'contains';
export const OPS: Record<FactKind, [Op, string][]> = {
  number: [
    ['>', '大于'],
    ['>=', '大于等于'],
    ['<', '小于'],
    ['<=', '小于等于'],
    ['==', '等于'],
    ['!=', '不等于'],
  ],
  date: [
    ['>', '晚于'],
    ['<', '早于'],
    ['==', '等于'],
  ],
  choice: [
    ['==', '是'],
    ['!=', '不是'],
    ['in', '属于其中之一'],
  ],
  text: [
    ['==', '等于'],
    ['!=', '不等于'],
    ['contains', '包含'],
  ],
  boolean: [['==', '是']],
};

export interface CondRow {
  var: string;
  op: Op;
  value: unknown;
}
export interface CondRows {
  join: 'and' | 'or';
  rows: CondRow[];
}

function rowLogic(r: CondRow): Record<string, unknown> {
  const v = { var: r.var };
  if (r.op === 'contains') return { in: [r.value, v] };
  if (r.op === 'in') return { in: [v, Array.isArray(r.value) ? r.value : [r.value]] };
  return { [r.op]: [v, r.value] };
}

/** The rows as JSON Logic (undefined: no condition, the step is always reached). */
export function toLogic(c: CondRows): Condition | undefined {
  const rows = c.rows.filter((r) => r.var && r.value !== undefined && r.value !== '' && !(Array.isArray(r.value) && r.value.length === 0));
  if (rows.length === 0) return undefined;
  if (rows.length === 1) return rowLogic(rows[0]!);
  return { [c.join]: rows.map(rowLogic) };
}

const isVar = (x: unknown): x is { var: string } => typeof x === 'object' && x !== null && typeof (x as { var?: unknown }).var === 'string';

function parseRow(expr: unknown): CondRow | null {
  if (typeof expr !== 'object' || expr === null || Array.isArray(expr)) return null;
  const [op, args] = Object.entries(expr)[0] ?? [];
  if (!Array.isArray(args) || args.length !== 2) return null;
  const [a, b] = args as [unknown, unknown];
  if (op === 'in' && isVar(b)) return { var: b.var, op: 'contains', value: a };
  if (op === 'in' && isVar(a) && Array.isArray(b)) return { var: a.var, op: 'in', value: b };
  if (['>', '>=', '<', '<=', '==', '!=', '===', '!=='].includes(op!) && isVar(a))
    return { var: a.var, op: (op === '===' ? '==' : op === '!==' ? '!=' : op) as Op, value: b };
  return null;
}

/** A condition back as rows; null when it is not one the builder writes (then the designer shows it read-only). */
export function fromLogic(c: Condition | undefined): CondRows | null {
  if (c === undefined) return { join: 'and', rows: [] };
  if (typeof c !== 'object' || c === null) return null;
  const [op, args] = Object.entries(c)[0] ?? [];
  if ((op === 'and' || op === 'or') && Array.isArray(args)) {
    const rows = args.map(parseRow);
    return rows.every((r): r is CondRow => r !== null) ? { join: op, rows } : null;
  }
  const row = parseRow(c);
  return row ? { join: 'and', rows: [row] } : null;
}

function valueText(fact: Fact | undefined, v: unknown): string {
  const one = (x: unknown) => fact?.options?.find((o) => o.value === x)?.label ?? (typeof x === 'boolean' ? (x ? '是' : '否') : String(x));
  return Array.isArray(v) ? v.map(one).join('、') : one(v);
}

/** A condition in words: "金额 大于 50000 且 群体 是 快递员". */
export function conditionText(c: Condition | undefined, facts: Fact[]): string {
  if (c === undefined) return '';
  const parsed = fromLogic(c);
  if (!parsed) return '自定义条件';
  return parsed.rows
    .map((r) => {
      const f = facts.find((x) => x.var === r.var);
      const opName = OPS[f?.kind ?? 'number'].find((o) => o[0] === r.op)?.[1] ?? OPS.text.find((o) => o[0] === r.op)?.[1] ?? r.op;
      return `${f?.label ?? '未知字段'} ${opName} ${valueText(f, r.value)}`;
    })
    .join(parsed.join === 'and' ? ' 且 ' : ' 或 ');
}

/** The facts a condition may name: the application's own, then each form field by its Chinese label. */
export function conditionFacts(fields: FormField[], ctx: { types: Fact['options']; groups: Fact['options']; orgKinds: Fact['options'] }): Fact[] {
  return [
    { var: 'amount', label: '金额', kind: 'number' },
    { var: 'type', label: '申请类型', kind: 'choice', options: ctx.types },
    { var: 'group', label: '群体', kind: 'choice', options: ctx.groups },
    { var: 'applicantOrgKind', label: '申请单位类型', kind: 'choice', options: ctx.orgKinds },
    {
      var: 'applicantOrgLevel',
      label: '申请单位层级',
      kind: 'choice',
      options: ORG_LEVELS.map(([value, label]) => ({ value, label })),
    },
    ...fields
      .filter((f) => f.key)
      .map((f): Fact => {
        const kind: FactKind =
          f.kind === 'number' || f.kind === 'money'
            ? 'number'
            : f.kind === 'select'
              ? 'choice'
              : f.kind === 'boolean'
                ? 'boolean'
                : f.kind === 'date'
                  ? 'date'
                  : 'text';
        return {
          var: `form.${f.key}`,
          label: f.label || '未命名字段',
          kind,
          options:
            f.kind === 'select'
              ? f.options.map((o) => ({ value: o, label: o }))
              : f.kind === 'boolean'
                ? [
                    { value: true, label: '是' },
                    { value: false, label: '否' },
                  ]
                : undefined,
        };
      }),
  ];
}

/** Levels of the applicant's org, top down: its depth in the org tree (the province is 1). */
export const ORG_LEVELS: [number, string][] = [
  [1, '省级'],
  [2, '市级'],
  [3, '县区级'],
  [4, '乡镇街道级'],
  [5, '社区或基层'],
  [6, '基层（社区以下）'],
];

/* ───────────── the form (申请表单) ───────────── */

export type FieldKind = 'text' | 'textarea' | 'number' | 'money' | 'date' | 'select' | 'boolean';
export const FIELD_KINDS: [FieldKind, string][] = [
  ['text', '文本'],
  ['textarea', '多行文本'],
  ['number', '数字'],
  ['money', '金额'],
  ['date', '日期'],
  ['select', '下拉'],
  ['boolean', '是否'],
];

export interface FormField {
  key: string;
  label: string;
  labelEn: string;
  kind: FieldKind;
  required: boolean;
  options: string[];
  min?: number;
  max?: number;
  help?: string;
}

/** A field key from its label: its English label in camelCase, else `field1`, `field2`… */
export function keyFromLabel(labelEn: string, taken: string[]): string {
  const words = labelEn
    .toLowerCase()
    .replace(/[^a-z0-9 ]+/g, ' ')
    .trim()
    .split(/\s+/)
    .filter(Boolean);
  let base = words.map((w, i) => (i === 0 ? w : w[0]!.toUpperCase() + w.slice(1))).join('');
  if (!/^[a-z]/.test(base)) base = 'field';
  base = base.slice(0, 40);
  if (!taken.includes(base) && base !== 'field') return base;
  for (let n = 1; ; n++) if (!taken.includes(`${base}${n}`)) return `${base}${n}`;
}

export const validKey = (k: string) => /^[a-z]\w{0,49}$/.test(k);

/** The fields as `form.schema` (JSON Schema 2020-12) and `form.ui` (rjsf uiSchema); undefined when there are none. */
export function toForm(fields: FormField[]): FormDefinition | undefined {
  if (fields.length === 0) return undefined;
  const properties: Record<string, Record<string, unknown>> = {};
  const ui: Record<string, unknown> = { 'ui:order': fields.map((f) => f.key) };
  for (const f of fields) {
    const title = f.labelEn ? `${f.label} / ${f.labelEn}` : f.label;
    const p: Record<string, unknown> = { title };
    const u: Record<string, unknown> = {};
    switch (f.kind) {
      case 'text':
        Object.assign(p, { type: 'string', maxLength: 200 });
        break;
      case 'textarea':
        Object.assign(p, { type: 'string', maxLength: 5000 });
        u['ui:widget'] = 'textarea';
        break;
      case 'number':
      case 'money':
        p.type = 'number';
        if (f.min !== undefined) p.minimum = f.min;
        else if (f.kind === 'money') p.minimum = 0;
        if (f.max !== undefined) p.maximum = f.max;
        if (f.kind === 'money') u['ui:options'] = { kind: 'money' };
        break;
      case 'date':
        Object.assign(p, { type: 'string', format: 'date' });
        break;
      case 'select':
        Object.assign(p, { type: 'string', enum: f.options.length ? f.options : [''] });
        break;
      case 'boolean':
        p.type = 'boolean';
        u['ui:widget'] = 'radio';
        break;
    }
    if (f.help) u['ui:help'] = f.help;
    properties[f.key] = p;
    if (Object.keys(u).length) ui[f.key] = u;
  }
  const required = fields.filter((f) => f.required).map((f) => f.key);
  return { schema: { type: 'object', properties, ...(required.length ? { required } : {}), additionalProperties: false }, ui };
}

/** A stored form back as the designer's field list. */
export function fromForm(form: FormDefinition | undefined): FormField[] {
  if (!form) return [];
  const props = (form.schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  const ui = (form.ui ?? {}) as Record<string, Record<string, unknown> | string[]>;
  const order = Array.isArray(ui['ui:order']) ? ui['ui:order'].filter((k) => k in props) : [];
  const keys = [...order, ...Object.keys(props).filter((k) => !order.includes(k))];
  const required = Array.isArray(form.schema.required) ? (form.schema.required as string[]) : [];
  return keys.map((key) => {
    const p = props[key] ?? {};
    const u = (ui[key] ?? {}) as Record<string, unknown>;
    const opts = (u['ui:options'] ?? {}) as { kind?: string };
    const [label = key, labelEn = ''] = (typeof p.title === 'string' ? p.title : key).split(' / ');
    let kind: FieldKind = 'text';
    if (p.type === 'number' || p.type === 'integer') kind = opts.kind === 'money' ? 'money' : 'number';
    else if (p.type === 'boolean') kind = 'boolean';
    else if (Array.isArray(p.enum)) kind = 'select';
    else if (p.format === 'date') kind = 'date';
    else if (u['ui:widget'] === 'textarea') kind = 'textarea';
    return {
      key,
      label,
      labelEn,
      kind,
      required: required.includes(key),
      options: Array.isArray(p.enum) ? (p.enum as unknown[]).map(String).filter(Boolean) : [],
      min: typeof p.minimum === 'number' && !(kind === 'money' && p.minimum === 0) ? p.minimum : undefined,
      max: typeof p.maximum === 'number' ? p.maximum : undefined,
      help: typeof u['ui:help'] === 'string' ? u['ui:help'] : undefined,
    };
  });
}

/* ───────────── field permissions per step ───────────── */

export const ACCESS: [FieldAccess, string][] = [
  ['read', '可见'],
  ['edit', '可编辑'],
  ['hidden', '隐藏'],
];

/** Drops permissions of fields no longer on the form, and conditions never touch removed fields silently: see `danglingVars`. */
export function pruneFieldAccess(steps: FlowItem[], keys: string[]): FlowItem[] {
  const fix = (i: FlowItem): FlowItem => {
    if (isGroup(i)) return { ...i, branches: i.branches.map((b) => b.map((s) => fix(s) as HumanStep)) };
    if (i.type !== 'human' || !i.fields) return i;
    const fields = Object.fromEntries(Object.entries(i.fields).filter(([k]) => keys.includes(k)));
    const { fields: _old, ...rest } = i;
    return Object.keys(fields).length ? { ...rest, fields } : rest;
  };
  return steps.map(fix);
}

/* ───────────── the definition sent to the API ───────────── */

/** The body of POST /api/chains. */
export function toDefinition(d: Draft): Record<string, unknown> {
  const form = toForm(d.fields);
  return { key: d.key, name: d.name, type: d.type, ...(d.owner ? { owner: d.owner } : {}), steps: d.steps, ...(form ? { form } : {}) };
}

/**
 * Maps an API error path (`steps.2.branches.0.1.sla.limit`, `form.schema…`)
 * to the card it belongs to, so the designer can mark it.
 */
export function pathOfError(errorPath: string): StepPath | null {
  const m = /^steps\.(\d+)(?:\.branches\.(\d+)\.(\d+))?/.exec(errorPath);
  if (!m) return null;
  return m[2] !== undefined ? [Number(m[1]), Number(m[2]), Number(m[3])] : [Number(m[1])];
}
