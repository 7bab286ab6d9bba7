/**
 * Step conditions (条件路由): the one place that knows what a condition may
 * name, checks a condition before a chain is saved, evaluates it (with the
 * maintained JSON Logic evaluator `json-logic-js`, never a parser of our own)
 * and says it in words for the timeline and the route preview.
 *
 * A condition is a JSON Logic expression (jsonlogic.com) over the facts of an
 * application: `amount`, `type`, `group`, `applicantOrgKind`,
 * `applicantOrgLevel` (the depth of the applicant's org in the tree: 1 the
 * province, 2 a city, 3 a county or city industry union, 4 a township …) and
 * `form.<field>` for the fields of the chain's form. Example: a province step
 * that only large subsidies reach: `{ ">": [{ "var": "amount" }, 50000] }`.
 *
 * Not imported by workflow code (it imports an npm package): the workflow asks
 * its step-resolution activity, which evaluates here.
 */
import jsonLogic from 'json-logic-js';
import { CONDITION_FACTS, type Condition, type FormDefinition } from './chain';
export { formLabels } from './chain';
import { ORG_KIND_NAMES } from './org-tree';

export type ConditionFact = (typeof CONDITION_FACTS)[number];

/** What each fact is called, in Chinese and English. */
export const FACT_LABELS: Record<ConditionFact, { zh: string; en: string }> = {
  amount: { zh: '金额', en: 'amount' },
  type: { zh: '申请类型', en: 'type' },
  group: { zh: '群体', en: 'group' },
  applicantOrgKind: { zh: '申请单位类别', en: 'applicant org kind' },
  applicantOrgLevel: { zh: '申请单位层级', en: 'applicant org level' },
};

/**
 * The JSON Logic operators a condition may use. Left out: the array
 * operators that change what `var` names (map, filter, reduce, all, some,
 * none), `method` (calls into the runtime) and `log`.
 */
export const CONDITION_OPERATORS = [
  '==',
  '===',
  '!=',
  '!==',
  '>',
  '>=',
  '<',
  '<=',
  '!',
  '!!',
  'and',
  'or',
  'if',
  '?:',
  'in',
  'cat',
  'substr',
  '+',
  '-',
  '*',
  '/',
  '%',
  'max',
  'min',
  'var',
  'missing',
  'missing_some',
] as const;
const OPERATORS: ReadonlySet<string> = new Set(CONDITION_OPERATORS);
const BINARY = new Set(['==', '===', '!=', '!==', '>', '>=', '%']);
const MAX_DEPTH = 12;
const MAX_SIZE = 4000;

/** The facts of one application a condition is evaluated over. */
export interface ConditionFacts {
  amount: number | null;
  type: string;
  group: string | null;
  applicantOrgKind: string | null;
  applicantOrgLevel: number | null;
  form: Record<string, unknown>;
}

/** An application's facts: its type, its payload (amount, group, form) and its applicant org. */
export function conditionFacts(type: string, payload: Record<string, unknown>, org?: { kind: string; path: string } | null): ConditionFacts {
  const form = payload.form && typeof payload.form === 'object' && !Array.isArray(payload.form) ? (payload.form as Record<string, unknown>) : {};
  const amount = typeof payload.amount === 'number' ? payload.amount : typeof form.amount === 'number' ? form.amount : null;
  const group = typeof payload.group === 'string' ? payload.group : typeof form.group === 'string' ? form.group : null;
  return {
    amount,
    type,
    group,
    applicantOrgKind: org?.kind ?? null,
    applicantOrgLevel: org ? org.path.split('/').filter(Boolean).length : null,
    form,
  };
}

/** The form's field names (the properties of its JSON Schema). */
export function formFields(form?: FormDefinition | null): string[] {
  const props = form?.schema?.properties;
  return props && typeof props === 'object' && !Array.isArray(props) ? Object.keys(props) : [];
}

/** The names a condition may use for a chain with these form fields. */
export function knownNames(fields: readonly string[]): string[] {
  return [...CONDITION_FACTS, ...fields.map((f) => `form.${f}`)];
}

export interface ConditionIssue {
  /** Path inside the condition, e.g. ['and', 0, '>', 0, 'var']. */
  path: (string | number)[];
  message: string;
}

/**
 * Why a condition cannot be saved: unknown operators, names that are
 * neither a fact nor a field of the form, malformed groups (an `and`/`or`
 * without conditions, an object with more than one operator, a comparison
 * without two sides). Empty when it is well formed.
 */
export function conditionIssues(when: unknown, fields: readonly string[]): ConditionIssue[] {
  const issues: ConditionIssue[] = [];
  if (typeof when === 'boolean') return issues;
  if (!when || typeof when !== 'object' || Array.isArray(when)) {
    return [{ path: [], message: '条件须为 JSON Logic 对象，如 {">": [{"var": "amount"}, 50000]} / a condition is a JSON Logic object' }];
  }
  if (JSON.stringify(when).length > MAX_SIZE) return [{ path: [], message: `条件过长（最多 ${MAX_SIZE} 字符）/ condition too long` }];
  const names = knownNames(fields);
  const checkName = (name: unknown, path: (string | number)[]) => {
    if (typeof name !== 'string' || !names.includes(name))
      issues.push({
        path,
        message: `未知字段“${String(name)}”，可用：${names.join('、')} / unknown field ${JSON.stringify(name)}; known: ${names.join(', ')}`,
      });
  };
  const walk = (node: unknown, path: (string | number)[], depth: number): void => {
    if (depth > MAX_DEPTH) {
      issues.push({ path, message: `条件嵌套过深（最多 ${MAX_DEPTH} 层）/ nested too deep` });
      return;
    }
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      node.forEach((x, i) => walk(x, [...path, i], depth + 1));
      return;
    }
    const keys = Object.keys(node);
    if (keys.length !== 1) {
      issues.push({ path, message: '每个条件对象只能有一个运算符 / each condition object has exactly one operator' });
      return;
    }
    const op = keys[0]!;
    const at = [...path, op];
    if (!OPERATORS.has(op)) {
      issues.push({ path: at, message: `未知运算符“${op}”/ unknown operator ${JSON.stringify(op)}` });
      return;
    }
    const args: unknown = (node as Record<string, unknown>)[op];
    const list = Array.isArray(args) ? args : [args];
    switch (op) {
      case 'var':
        checkName(list[0], at);
        if (list.length > 2) issues.push({ path: at, message: 'var 只取字段名和默认值 / var takes a name and a default' });
        walk(list[1], [...at, 1], depth + 1);
        return;
      case 'missing':
        list.forEach((n, i) => checkName(n, [...at, i]));
        return;
      case 'missing_some':
        if (!Array.isArray(args) || args.length !== 2 || typeof args[0] !== 'number' || !Array.isArray(args[1])) {
          issues.push({ path: at, message: 'missing_some 须为 [数量, [字段…]] / missing_some takes [count, [names]]' });
          return;
        }
        (args[1] as unknown[]).forEach((n, i) => checkName(n, [...at, 1, i]));
        return;
      case 'and':
      case 'or':
        if (!Array.isArray(args) || args.length === 0) {
          issues.push({ path: at, message: `“${op}”须为非空的条件列表 / ${op} takes a non-empty list of conditions` });
          return;
        }
        break;
      case '<':
      case '<=':
        if (!Array.isArray(args) || args.length < 2 || args.length > 3)
          issues.push({ path: at, message: `“${op}”须比较两个（或三个）值 / ${op} compares two (or three) values` });
        break;
      case '!':
      case '!!':
        if (Array.isArray(args) && args.length !== 1) issues.push({ path: at, message: `“${op}”只取一个值 / ${op} takes one value` });
        break;
      case 'if':
      case '?:':
        if (!Array.isArray(args) || args.length < 2) issues.push({ path: at, message: `“${op}”须为 [条件, 则, 否则] / ${op} takes [condition, then, else]` });
        break;
      case 'in':
        if (!Array.isArray(args) || args.length !== 2) issues.push({ path: at, message: '“in”须比较两个值 / in takes two values' });
        break;
      default:
        if (BINARY.has(op) && (!Array.isArray(args) || args.length !== 2))
          issues.push({ path: at, message: `“${op}”须比较两个值 / ${op} compares two values` });
    }
    list.forEach((x, i) => walk(x, Array.isArray(args) ? [...at, i] : at, depth + 1));
  };
  walk(when, [], 0);
  return issues;
}

/** Whether the condition holds for these facts (absent: always). */
export function evaluateCondition(when: Condition | undefined, facts: ConditionFacts): boolean {
  if (when === undefined) return true;
  if (typeof when === 'boolean') return when;
  try {
    return jsonLogic.truthy(jsonLogic.apply(when, facts));
  } catch {
    // Validation keeps out what could throw; should a stored condition still fail, it does not hold (the step is
    // skipped and says which condition) rather than retrying for ever. A step with a condition never guards money.
    return false;
  }
}

/** Labels that make a condition readable: the form's field titles, and names for values (group ids → 快递员). */
export interface ConditionLabels {
  /** form field → its label (the schema's title or the ui part's label). */
  fields?: Record<string, string>;
  /** A value (e.g. a group id or an org kind) → its Chinese name. */
  values?: Record<string, string>;
}

const ORG_KIND_VALUES: Record<string, string> = ORG_KIND_NAMES;
/** The application types by name, for conditions on `type`. */
const TYPE_NAMES: Record<string, string> = {
  subsidy: '经费补助',
  membership: '网上入会',
  transfer: '会籍转移',
  project_list: '项目清单',
  self_assessment: '自评',
  campaign_plan: '行动计划',
  union_establishment: '建会',
};

const WORDS: Record<string, { zh: string; en: string }> = {
  '==': { zh: '=', en: '=' },
  '===': { zh: '=', en: '=' },
  '!=': { zh: '≠', en: '≠' },
  '!==': { zh: '≠', en: '≠' },
  '>': { zh: '>', en: '>' },
  '>=': { zh: '≥', en: '≥' },
  '<': { zh: '<', en: '<' },
  '<=': { zh: '≤', en: '≤' },
  '+': { zh: '+', en: '+' },
  '-': { zh: '-', en: '-' },
  '*': { zh: '×', en: '×' },
  '/': { zh: '÷', en: '÷' },
  '%': { zh: '除以余数', en: 'mod' },
};

/**
 * A condition in words, Chinese and English: `{">": [{"var": "amount"}, 50000]}`
 * → 金额 > 50000 / amount > 50000.
 */
export function describeCondition(when: Condition | undefined, labels: ConditionLabels = {}): { zh: string; en: string } {
  if (when === undefined || when === true) return { zh: '总是', en: 'always' };
  if (when === false) return { zh: '从不', en: 'never' };
  const values = { ...ORG_KIND_VALUES, ...TYPE_NAMES, ...labels.values };
  const say = (node: unknown, lang: 'zh' | 'en'): string => {
    if (node === null || node === undefined) return lang === 'zh' ? '空' : 'empty';
    if (typeof node === 'string') return lang === 'zh' ? `“${values[node] ?? node}”` : JSON.stringify(node);
    if (typeof node === 'number' || typeof node === 'boolean') return String(node);
    if (typeof node !== 'object') return '?';
    if (Array.isArray(node)) return `[${node.map((x) => say(x, lang)).join(lang === 'zh' ? '、' : ', ')}]`;
    const entry: [string, unknown] = Object.entries(node as Record<string, unknown>)[0] ?? ['', undefined];
    const [op, raw] = entry;
    const args: unknown[] = Array.isArray(raw) ? raw : [raw];
    const a = args.map((x) => say(x, lang));
    const paren = (x: string) => (lang === 'zh' ? `（${x}）` : `(${x})`);
    switch (op) {
      case 'var': {
        const name = String(args[0]);
        if (name.startsWith('form.')) {
          const field = name.slice(5);
          return lang === 'zh' ? `表单“${labels.fields?.[field] ?? field}”` : `form field ${field}`;
        }
        return FACT_LABELS[name as ConditionFact]?.[lang] ?? name;
      }
      case 'and':
        return a.map((x) => (args.length > 1 ? paren(x) : x)).join(lang === 'zh' ? ' 且 ' : ' and ');
      case 'or':
        return a.map((x) => (args.length > 1 ? paren(x) : x)).join(lang === 'zh' ? ' 或 ' : ' or ');
      case '!':
        return lang === 'zh' ? `并非（${a[0]}）` : `not (${a[0]})`;
      case '!!':
        return lang === 'zh' ? `${a[0]} 有值` : `${a[0]} is set`;
      case 'in':
        return lang === 'zh' ? `${a[0]} 属于 ${a[1]}` : `${a[0]} in ${a[1]}`;
      case 'if':
      case '?:':
        return lang === 'zh' ? `如果 ${a[0]} 则 ${a[1]} 否则 ${a[2] ?? '否'}` : `if ${a[0]} then ${a[1]} else ${a[2] ?? 'false'}`;
      case 'missing':
        return lang === 'zh' ? `缺少 ${a.join('、')}` : `missing ${a.join(', ')}`;
      case 'missing_some':
        return lang === 'zh' ? `缺少 ${a[1]} 中的 ${a[0]} 项` : `missing ${a[0]} of ${a[1]}`;
      case 'cat':
        return a.join(' + ');
      case 'max':
      case 'min':
      case 'substr':
        return `${op}(${a.join(', ')})`;
      case '<':
      case '<=':
        if (args.length === 3) return `${a[0]} ${WORDS[op]![lang]} ${a[1]} ${WORDS[op]![lang]} ${a[2]}`;
        return `${a[0]} ${WORDS[op]![lang]} ${a[1]}`;
      default: {
        const w = WORDS[op]?.[lang] ?? op;
        return args.length === 1 ? `${w}${a[0]}` : a.join(` ${w} `);
      }
    }
  };
  return { zh: say(when, 'zh'), en: say(when, 'en') };
}

/** The timeline's note for a step a condition skipped. */
export function skippedByConditionNote(text: { zh: string; en: string }): string {
  return `条件不满足：${text.zh}，跳过 / condition not met: ${text.en}, skipped`;
}
