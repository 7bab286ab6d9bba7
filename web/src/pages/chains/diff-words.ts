/**
 * The change a save proposes, in Chinese words for the confirmation: the
 * structured diff of domain/chain-diff.ts (the one the server records with
 * the chain change) with each value shown as the designer names it — 上级 ·
 * 审核员, 5 个工作日, 催办升级, the condition in words — never a raw code.
 */
import { diffChains, type FieldChange } from '../../../../domain/chain-diff';
import type { ChainDefinition, HumanStep, Step } from '../../../../domain/chain';
import {
  ACCESS,
  APPROVER_ROLES,
  conditionText,
  isGroup,
  LEVELS,
  limitText,
  modeText,
  STEP_ACTIONS,
  TIMEOUTS,
  toLimit,
  whoText,
  type Fact,
  type FlowItem,
} from './model';

interface Shape {
  name: string;
  type: ChainDefinition['type'];
  steps: FlowItem[];
  form?: unknown;
  version?: number;
}

const FIELD_ZH: Record<string, string> = {
  name: '名称',
  who: '审批人',
  'who.kind': '审批人方式',
  'who.role': '角色',
  'who.level': '层级',
  'who.usernames': '指定人员',
  mode: '审批方式',
  sla: '时限',
  'sla.limit': '时限',
  'sla.remindBefore': '到期前提醒',
  'sla.onTimeout': '到期处理',
  onNoApprover: '找不到审批人时',
  onSelfApproval: '审批人是申请人本人时',
  dedupConsecutive: '同一人连续审批',
  actions: '允许的操作',
  showsPersonalData: '显示完整个人信息',
  activity: '自动步骤',
  when: '条件',
  mode_group: '汇合方式',
  branches: '分支',
};

const lookup = (pairs: [string | number, string][], v: unknown) => pairs.find((p) => p[0] === v)?.[1];

function valueWords(field: string, v: unknown, facts: Fact[], names: Map<string, string>): string {
  if (v === undefined || v === null) return field === 'when' ? '（无条件）' : '（未设置）';
  switch (field) {
    case 'who.level':
      return lookup(LEVELS, v) ?? '其他层级';
    case 'who.role':
      return lookup(APPROVER_ROLES, v) ?? '其他角色';
    case 'who.kind':
      return v === 'users' ? '指定人员' : '按角色和层级';
    case 'who.usernames':
      return Array.isArray(v) ? v.map((u) => names.get(String(u)) ?? '指定人员').join('、') : '';
    case 'mode':
      return modeText(v as HumanStep['mode']) || (v === 'all' ? '全部通过' : '任一通过');
    case 'mode_group':
      return v === 'all' ? '全部通过' : '任一通过';
    case 'sla.limit':
    case 'sla.remindBefore':
      return limitText(toLimit(v as string | number)) || '其他时长';
    case 'sla.onTimeout':
      return lookup(TIMEOUTS, v) ?? '';
    case 'sla':
      return typeof v === 'object'
        ? `${limitText(toLimit((v as { limit: string }).limit))}，到期${lookup(TIMEOUTS, (v as { onTimeout: string }).onTimeout) ?? ''}`
        : '';
    case 'onNoApprover':
      return v === 'skip' ? '自动跳过' : '交该单位管理员';
    case 'onSelfApproval':
      return v === 'skip' ? '跳过本人' : '本人不得审批';
    case 'actions':
      return Array.isArray(v) ? v.map((a) => lookup(STEP_ACTIONS, a) ?? '其他').join('、') : '';
    case 'when':
      return conditionText(v as never, facts) || '（无条件）';
    default:
      if (field.startsWith('fields.')) return lookup(ACCESS, v) ?? '';
      if (typeof v === 'boolean') return v ? '是' : '否';
      if (typeof v === 'string' || typeof v === 'number') return String(v);
      return '已修改';
  }
}

function fieldName(field: string, facts: Fact[]): string {
  if (field.startsWith('fields.')) {
    const f = facts.find((x) => x.var === `form.${field.slice(7)}`);
    return `字段“${f?.label ?? '已删除的字段'}”的权限`;
  }
  return FIELD_ZH[field] ?? '其他设置';
}

function stepWords(s: FlowItem, facts: Fact[], names: Map<string, string>): string {
  if (isGroup(s)) return `并行分支 ${s.branches.length} 路，${s.mode === 'all' ? '全部通过' : '任一通过'}`;
  if (s.type === 'auto') return '自动办理';
  const parts = [whoText(s, names), modeText(s.mode)];
  if (s.sla) parts.push(`时限 ${limitText(toLimit(s.sla.limit))}，到期${lookup(TIMEOUTS, s.sla.onTimeout) ?? ''}`);
  if (s.when !== undefined) parts.push(`条件：${conditionText(s.when, facts)}`);
  return parts.join('，');
}

/** Folds the changes under `when.` into one (a condition reads as a whole), keeping the rest. */
function fold(fields: FieldChange[], before: FlowItem | undefined, after: FlowItem): FieldChange[] {
  const out = fields
    // Permissions set where there were none (or all removed) compare as a whole: say them field by field.
    .flatMap((f) => {
      if (f.field !== 'fields') return [f];
      const b = (f.before ?? {}) as Record<string, unknown>;
      const a = (f.after ?? {}) as Record<string, unknown>;
      return [...new Set([...Object.keys(b), ...Object.keys(a)])].sort().map((k) => ({ field: `fields.${k}`, before: b[k], after: a[k] }));
    })
    .filter((f) => !f.field.startsWith('when') && !f.field.startsWith('branches'))
    .map((f) => (isGroup(after) && f.field === 'mode' ? { ...f, field: 'mode_group' } : f));
  if (fields.some((f) => f.field.startsWith('when')))
    out.push({ field: 'when', before: (before as HumanStep | undefined)?.when, after: (after as HumanStep).when });
  if (fields.some((f) => f.field.startsWith('branches'))) out.push({ field: 'branches', before: '…', after: '…' });
  return out;
}

/** One line per change, in chain order. */
export function diffWords(before: Shape | undefined, after: Shape, facts: Fact[], names: Map<string, string>): string[] {
  // Branch groups are compared by the same id-matching diff; its one-line description knows only steps, so a
  // group goes in dressed as one (the lines it writes are not used: these are).
  const safe = <T extends Shape | undefined>(c: T): T =>
    c && { ...c, steps: c.steps.map((s) => (isGroup(s) ? ({ ...s, type: 'auto', activity: 'parallel' } as unknown as Step) : s)) };
  const d = diffChains(safe(before) as never, safe(after) as never);
  const oldById = new Map((before?.steps ?? []).map((s) => [s.id, s]));
  const newById = new Map(after.steps.map((s) => [s.id, s]));
  const lines: string[] = [];
  if (!before) lines.push('新建审批流程：此前没有适用的版本');
  for (const c of d.chain) if (c.field === 'name') lines.push(`流程名称：${String(c.before)} → ${String(c.after)}`);
  for (const c of d.steps) {
    const name = c.name.split(' / ')[0];
    if (c.kind === 'added') lines.push(`新增第 ${c.index + 1} 步“${name}”：${stepWords(newById.get(c.stepId)!, facts, names)}`);
    else if (c.kind === 'removed') lines.push(`删除第 ${c.index + 1} 步“${name}”`);
    else {
      const parts = fold(c.fields, oldById.get(c.stepId), newById.get(c.stepId)!).map((f) =>
        f.field === 'index'
          ? `位置：第 ${Number(f.before) + 1} 步 → 第 ${Number(f.after) + 1} 步`
          : f.field === 'branches'
            ? '分支内的步骤有修改'
            : `${fieldName(f.field, facts)}：${valueWords(f.field, f.before, facts, names)} → ${valueWords(f.field, f.after, facts, names)}`,
      );
      lines.push(`修改“${name}”：${parts.join('；')}`);
    }
  }
  if (JSON.stringify(before?.form ?? null) !== JSON.stringify(after.form ?? null)) lines.push('申请表单有修改（见“表单”页）');
  if (lines.length === 0) lines.push('与现行版本相同，没有修改');
  return lines;
}

export type { Step };
