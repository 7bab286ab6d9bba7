/**
 * The readable difference between two versions of a chain (审批链变更对比),
 * computed when a change is proposed and kept in the chain_change
 * application's payload, so the approving admin sees exactly what would
 * change: steps added, removed, moved, and each changed field with its old
 * and new value, in Chinese and English.
 *
 * Pure and deterministic.
 */
import type { ChainDefinition, FormDefinition, Step } from './chain';
import { describeCondition } from './conditions';
import { canonicalJson, formFields, withExplicitOrder } from './form';

export interface FieldChange {
  /** Dotted field path within the step (or the chain), e.g. `sla.limit`, `who.role`. */
  field: string;
  before: unknown;
  after: unknown;
}

export type StepChange =
  | { kind: 'added'; stepId: string; index: number; name: string; text: string }
  | { kind: 'removed'; stepId: string; index: number; name: string; text: string }
  | { kind: 'changed'; stepId: string; index: number; name: string; fields: FieldChange[]; text: string };

export interface ChainDiff {
  /** The version compared with (the one in force); null when none was. */
  baseVersion: number | null;
  /** Chain-level fields that change (name, type). */
  chain: FieldChange[];
  steps: StepChange[];
  /** Changes to the form (申请表单): fields added, removed, redefined, relabelled, made required or optional, reordered. */
  form: FormChange[];
  /** One line per change, "中文 / English", in chain order. */
  lines: string[];
}

export interface FormChange {
  kind: 'formAdded' | 'formRemoved' | 'fieldAdded' | 'fieldRemoved' | 'fieldChanged' | 'fieldDisplay' | 'required' | 'optional' | 'order';
  field?: string;
  text: string;
}

type ChainShape = Pick<ChainDefinition, 'name' | 'type' | 'steps' | 'form'> & { version?: number };

const BUILTIN_LABELS: Record<string, string> = { title: '标题', amount: '金额', reason: '事由' };
const ACCESS_NAMES: Record<string, string> = { read: '只读', edit: '可编辑', hidden: '隐藏' };

/** A field's label as the chain owner wrote it (its Chinese `ui:title` or schema title), else the built-in's name. */
function labelOf(field: string, ...forms: (FormDefinition | undefined)[]): string {
  for (const form of forms) {
    const ui = form?.ui?.[field] as Record<string, unknown> | undefined;
    const prop = (form?.schema.properties as Record<string, Record<string, unknown>> | undefined)?.[field];
    const label = ui?.['ui:title'] ?? prop?.title;
    if (typeof label === 'string' && label) return label;
  }
  return BUILTIN_LABELS[field] ?? field;
}

/** The form's changes, in words. */
function formChanges(before: FormDefinition | undefined, after: FormDefinition | undefined): FormChange[] {
  if (!before && !after) return [];
  if (!before) return [{ kind: 'formAdded', text: `新增申请表单（${formFields(after).length} 个字段）/ form added` }];
  if (!after) return [{ kind: 'formRemoved', text: '删除申请表单 / form removed' }];
  const out: FormChange[] = [];
  const oldF = formFields(before);
  const newF = formFields(after);
  const props = (f: FormDefinition) => (f.schema.properties ?? {}) as Record<string, unknown>;
  const required = (f: FormDefinition) => (Array.isArray(f.schema.required) ? (f.schema.required as string[]) : []);
  // Stored chains come back from jsonb with their keys reordered: compare values, not key order.
  const same = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);
  for (const f of oldF)
    if (!newF.includes(f)) out.push({ kind: 'fieldRemoved', field: f, text: `删除表单字段“${labelOf(f, before)}” / form field removed: ${f}` });
  for (const f of newF) {
    const label = labelOf(f, after, before);
    if (!oldF.includes(f)) {
      out.push({ kind: 'fieldAdded', field: f, text: `新增表单字段“${label}” / form field added: ${f}` });
      continue;
    }
    if (!same(props(before)[f], props(after)[f]))
      out.push({ kind: 'fieldChanged', field: f, text: `修改表单字段“${label}”的定义 / form field redefined: ${f}` });
    if (!same(before.ui?.[f], after.ui?.[f]))
      out.push({ kind: 'fieldDisplay', field: f, text: `修改表单字段“${label}”的显示设置 / form field display changed: ${f}` });
    const was = required(before).includes(f);
    const is = required(after).includes(f);
    if (was !== is)
      out.push(
        is
          ? { kind: 'required', field: f, text: `表单字段“${label}”改为必填 / form field now required: ${f}` }
          : { kind: 'optional', field: f, text: `表单字段“${label}”改为选填 / form field now optional: ${f}` },
      );
  }
  // The order is the explicit `ui:order` (the stored schema's properties do not keep theirs); among the fields both keep.
  const order = (f: FormDefinition) => withExplicitOrder(f).ui!['ui:order'] as string[];
  const kept = (list: string[], other: string[]) => list.filter((f) => other.includes(f));
  if (!same(kept(order(before), newF), kept(order(after), oldF))) out.push({ kind: 'order', text: '调整表单字段顺序 / form field order changed' });
  return out;
}

const FIELD_NAMES: Record<string, string> = {
  name: '名称',
  type: '类型',
  who: '审批人',
  'who.kind': '审批人类型',
  'who.role': '角色',
  'who.level': '层级',
  'who.usernames': '指定人员',
  mode: '审批方式',
  sla: '时限',
  'sla.limit': '时限',
  'sla.remindBefore': '提前提醒',
  'sla.onTimeout': '超时处理',
  onNoApprover: '无人匹配时',
  onSelfApproval: '申请人本人审批时',
  dedupConsecutive: '同一审批人连续审批',
  actions: '允许的操作',
  showsPersonalData: '显示完整个人信息',
  activity: '自动步骤',
  when: '条件',
  branches: '并行分支',
  fields: '字段权限',
};

const show = (v: unknown): string => (v === undefined ? '（未设置 / unset）' : JSON.stringify(v));

/** Field-by-field differences of two plain values; nested objects are compared by their own fields. */
function fieldChanges(before: unknown, after: unknown, prefix = ''): FieldChange[] {
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  // 字段权限 set or cleared: each field's permission is its own change.
  if (prefix === 'fields' && (isObj(before) || isObj(after))) {
    const b = isObj(before) ? before : {};
    const a = isObj(after) ? after : {};
    return [...new Set([...Object.keys(b), ...Object.keys(a)])]
      .sort()
      .flatMap((k) => (b[k] === a[k] ? [] : [{ field: `fields.${k}`, before: b[k], after: a[k] }]));
  }
  if (isObj(before) && isObj(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => fieldChanges(before[k], after[k], prefix ? `${prefix}.${k}` : k));
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  return [{ field: prefix, before, after }];
}

function fieldLine(f: FieldChange, forms: (FormDefinition | undefined)[] = []): string {
  // 字段权限 of one field: its label and the access in words.
  if (f.field.startsWith('fields.')) {
    const field = f.field.slice('fields.'.length);
    const word = (v: unknown) => (typeof v === 'string' ? (ACCESS_NAMES[v] ?? v) : '只读（默认）');
    return `字段权限“${labelOf(field, ...forms)}”（${f.field}）：${word(f.before)} → ${word(f.after)}`;
  }
  const zh = FIELD_NAMES[f.field] ?? f.field;
  return `${zh}（${f.field}）：${show(f.before)} → ${show(f.after)}`;
}

/**
 * What changes from `before` (the version in force; undefined when there is
 * none) to `after` (the proposed one). Steps are matched by id; a step kept
 * in another order among the kept steps is reported as changed with `index`.
 */
export function diffChains(before: ChainShape | undefined, after: ChainShape): ChainDiff {
  const oldSteps = before?.steps ?? [];
  const chain = before ? fieldChanges({ name: before.name, type: before.type }, { name: after.name, type: after.type }) : [];
  const steps: StepChange[] = [];
  const oldById = new Map(oldSteps.map((s, i) => [s.id, { s, i }]));
  const newIds = new Set(after.steps.map((s) => s.id));
  // A step counts as moved when its order among the steps both versions keep changes,
  // not when a step added or removed before it shifts its number.
  const keptOld = oldSteps.filter((s) => newIds.has(s.id)).map((s) => s.id);
  const keptNew = after.steps.filter((s) => oldById.has(s.id)).map((s) => s.id);

  oldSteps.forEach((s, i) => {
    if (!newIds.has(s.id)) steps.push({ kind: 'removed', stepId: s.id, index: i, name: s.name, text: `删除步骤 ${i + 1}“${s.name}” / step removed: ${s.id}` });
  });
  after.steps.forEach((s: Step, i) => {
    const old = oldById.get(s.id);
    if (!old) {
      steps.push({ kind: 'added', stepId: s.id, index: i, name: s.name, text: `新增步骤 ${i + 1}“${s.name}”：${describe(s)} / step added: ${s.id}` });
      return;
    }
    const fields = fieldChanges(old.s, s);
    if (keptOld.indexOf(s.id) !== keptNew.indexOf(s.id)) fields.unshift({ field: 'index', before: old.i, after: i });
    if (fields.length === 0) return;
    const parts = fields.map((f) => (f.field === 'index' ? `位置（index）：第 ${old.i + 1} 步 → 第 ${i + 1} 步` : fieldLine(f, [after.form, before?.form])));
    steps.push({ kind: 'changed', stepId: s.id, index: i, name: s.name, fields, text: `修改步骤“${s.name}”：${parts.join('；')} / step changed: ${s.id}` });
  });

  const form = formChanges(before?.form, after.form);
  const lines = [
    ...(before ? [] : ['新建审批链，此前无适用版本 / a new chain: none was in force']),
    ...chain.map((f) => `修改审批链${fieldLine(f)} / chain ${f.field} changed`),
    ...form.map((c) => c.text),
    ...steps.map((c) => c.text),
  ];
  if (before && lines.length === 0) lines.push('与现行版本相同 / no change from the version in force');
  return { baseVersion: before?.version ?? null, chain, steps, form, lines };
}

/** A one-line description of a step, for added steps. */
export function describe(s: Step): string {
  if (s.type === 'auto') return `自动步骤 ${s.activity}`;
  if (s.type === 'parallel') {
    const branches = s.branches.map((b, i) => `分支 ${i + 1}：${b.map((st) => `“${st.name}”（${describe(st)}）`).join(' → ')}`);
    const when = s.when !== undefined ? `，条件：${describeCondition(s.when).zh}` : '';
    return `并行分支（${s.mode === 'all' ? '全部完成' : '任一完成'}）${when}；${branches.join('；')}`;
  }
  const who = s.who.kind === 'users' ? `指定人员 ${s.who.usernames.join('、')}` : `${s.who.level} 级 ${s.who.role}`;
  const sla = s.sla ? `，时限 ${s.sla.limit}，超时 ${s.sla.onTimeout}` : '';
  const when = s.when !== undefined ? `，条件：${describeCondition(s.when).zh}` : '';
  return `${who}，${s.mode}${sla}${s.onNoApprover ? `，无人时 ${s.onNoApprover}` : ''}${s.onSelfApproval ? `，本人时 ${s.onSelfApproval}` : ''}${when}`;
}
