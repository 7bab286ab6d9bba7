/**
 * Forms per application type (申请表单): the JSON Schema side, with Ajv.
 *
 * A chain's `form` is `{ schema, ui? }`: `schema` a JSON Schema 2020-12
 * object schema (compiled with Ajv 2020 and ajv-formats; what does not
 * compile is refused), `ui` an rjsf uiSchema — the shape the web app renders
 * with @rjsf/antd — for Chinese labels, order and widgets:
 *
 * ```json
 * { "ui:order": ["project", "workers", "*"],
 *   "project": { "ui:title": "项目名称 / project", "ui:help": "…" },
 *   "workers": { "ui:title": "覆盖职工人数 / workers covered", "ui:widget": "updown" } }
 * ```
 *
 * Every top-level field needs a label with Chinese in it (`ui:title`, or the
 * schema property's `title`). Submissions are validated here; the pure rules
 * (built-in fields, limits, filtering for a viewer) are domain/form.ts, who
 * sees and edits what is domain/policy.ts.
 *
 * {@link formForViewer} is the one place that builds the form as a viewer
 * sees it (the application, task and printable views all use it).
 */
import { isOrgApplication } from '../domain/action-availability';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsPlugin from 'ajv-formats';
import localizeZh from 'ajv-i18n/localize/zh/index.js';
import { z } from 'zod';
import { humanStepsOf, type ChainDefinition, type FieldAccess, type FormDefinition, type Step } from '../domain/chain';
import {
  builtinFields,
  FIELD_NAME,
  filterFormDefinition,
  filterPayload,
  filterTimelineData,
  FORM_LIMITS,
  formFields,
  hasFieldPermissions,
  hiddenAnywhere,
  knownFields,
  NEVER_HIDDEN_FIELDS,
  UI_FIELD_KEYS,
  UI_WIDGETS,
  visibleAccess,
} from '../domain/form';
import { formAccess, type FormTaskFacts, type Principal } from '../domain/policy';
import { getChainVersion } from '../db/chain-repository';
import { listTasksOfApplication, taskFacts, type ApplicationRow, type TaskRow } from '../db/approval-repository';
import type { Db } from '../db/knex';
import type { FieldError } from './errors';

const addFormats = addFormatsPlugin as unknown as (ajv: Ajv2020) => Ajv2020;
const localize = localizeZh as unknown as (errors?: ErrorObject[] | null) => void;

/**
 * One Ajv for every form: strict about keywords (a misspelt keyword is an
 * error, not silently ignored), every error reported (one per bad field), and
 * no schema registered by its `$id` (forms of different chains never meet).
 */
const ajv = new Ajv2020({
  allErrors: true,
  strict: true,
  strictTypes: false,
  strictTuples: false,
  strictRequired: false,
  addUsedSchema: false,
  logger: false,
});
addFormats(ajv);

/** Compiled validators by schema text; bounded, the oldest dropped first. */
const compiled = new Map<string, ValidateFunction>();
const MAX_COMPILED = 500;

function validatorFor(schema: Record<string, unknown>): ValidateFunction {
  const key = JSON.stringify(schema);
  const hit = compiled.get(key);
  if (hit) return hit;
  const fn = ajv.compile(structuredClone(schema));
  compiled.set(key, fn);
  if (compiled.size > MAX_COMPILED) {
    const oldest = compiled.keys().next().value!;
    const dropped = compiled.get(oldest)!;
    compiled.delete(oldest);
    ajv.removeSchema(dropped.schema);
  }
  return fn;
}

const bytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v) ?? '', 'utf8');
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const hasChinese = (s: unknown) => typeof s === 'string' && /\p{Script=Han}/u.test(s);

/**
 * Keywords a form schema may not use: `pattern`, `patternProperties` and the
 * `regex` format run a regular expression the chain owner wrote on every
 * submission, and one that backtracks would stall the API (Ajv has no
 * linear-time engine here); `$async` validation is not a form's; remote
 * `$ref`s are never fetched.
 */
function refusedKeywords(node: unknown, path: string, depth: number, out: FieldError[]): void {
  if (Array.isArray(node)) {
    node.forEach((x, i) => refusedKeywords(x, `${path}.${i}`, depth, out));
    return;
  }
  if (!isObject(node)) return;
  if (depth > FORM_LIMITS.maxDepth) {
    out.push({ path, message: `嵌套过深（最多 ${FORM_LIMITS.maxDepth} 层）/ nested too deep (at most ${FORM_LIMITS.maxDepth} levels)` });
    return;
  }
  for (const [k, v] of Object.entries(node)) {
    const at = `${path}.${k}`;
    if (k === 'pattern' || k === 'patternProperties')
      out.push({ path: at, message: '表单不支持正则表达式校验，请用枚举、长度或格式 / regular expressions are not supported: use enum, length or format' });
    else if (k === 'format' && v === 'regex') out.push({ path: at, message: '不支持 regex 格式 / the regex format is not supported' });
    else if (k === 'uniqueItems' && v === true && !(typeof node.maxItems === 'number' && node.maxItems <= FORM_LIMITS.maxUniqueItems))
      out.push({
        path: at,
        message: `不重复的列表须限定 maxItems（最多 ${FORM_LIMITS.maxUniqueItems}）/ uniqueItems needs maxItems of at most ${FORM_LIMITS.maxUniqueItems}`,
      });
    else if (k === '$async') out.push({ path: at, message: '不支持异步校验 / asynchronous validation is not supported' });
    else if ((k === '$ref' || k === '$dynamicRef') && (typeof v !== 'string' || !v.startsWith('#')))
      out.push({ path: at, message: '只能引用本表单内的定义（# 开头）/ only references within the form (starting with #)' });
    // Property names are data, not keywords: look inside their schemas, not at their names.
    if (k === 'properties' || k === '$defs' || k === 'dependentSchemas') {
      if (isObject(v)) for (const [name, sub] of Object.entries(v)) refusedKeywords(sub, `${at}.${name}`, depth + 1, out);
    } else if (k !== 'enum' && k !== 'const' && k !== 'default' && k !== 'examples') refusedKeywords(v, at, depth + 1, out);
  }
}

const uiFieldEntry = z
  .object({
    'ui:title': z.string().trim().min(1).max(100).optional(),
    'ui:description': z.string().max(500).optional(),
    'ui:help': z.string().max(500).optional(),
    'ui:placeholder': z.string().max(200).optional(),
    'ui:widget': z.enum(UI_WIDGETS, { error: `控件须为 ${UI_WIDGETS.join('、')} 之一 / widget must be one of ${UI_WIDGETS.join(', ')}` }).optional(),
    'ui:options': z.record(z.string().max(50), z.union([z.string().max(200), z.number(), z.boolean()])).optional(),
    'ui:enumNames': z.array(z.string().max(100)).max(200).optional(),
    'ui:autofocus': z.boolean().optional(),
  })
  .strict();

/** The chain's `form` as the chain route accepts it (the schema's compilation and the ui's field names are checked after). */
export const formDefinitionSchema = z
  .object({
    schema: z.record(z.string(), z.unknown(), { error: '表单须有 schema（JSON Schema 对象）/ form.schema must be a JSON Schema object' }),
    ui: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

/** Whether `schema` has no errors; used after {@link formDefinitionErrors} found none. */
export function compileForm(form: FormDefinition): void {
  validatorFor(form.schema);
}

/**
 * Everything wrong with a chain's form, each at its path (`form.schema…`,
 * `form.ui…`): limits, the top level (an object schema with properties),
 * field names, labels, refused keywords, whether Ajv compiles it, and the ui
 * part's shape.
 */
export function formDefinitionErrors(form: FormDefinition, type: ChainDefinition['type']): FieldError[] {
  // 扫码入会: workers join on a plain page for 3G phones that renders no schema forms; a form on the membership chain
  // would turn every one of them away (400 form), so it is not offered until that page can fill one in.
  if (type === 'membership')
    return [
      {
        path: 'form',
        message:
          '网上入会暂不支持表单：扫码入会页面无法填写，会拒绝所有扫码入会的职工 / membership chains take no form yet: the public join page cannot fill one in',
      },
    ];
  const errors: FieldError[] = [];
  const { schema } = form;
  if (bytes(schema) > FORM_LIMITS.maxSchemaBytes)
    return [{ path: 'form.schema', message: `表单定义过大（最多 ${FORM_LIMITS.maxSchemaBytes / 1024} KB）/ the schema is too large` }];
  if (form.ui !== undefined && bytes(form.ui) > FORM_LIMITS.maxUiBytes)
    errors.push({ path: 'form.ui', message: `界面设置过大（最多 ${FORM_LIMITS.maxUiBytes / 1024} KB）/ the ui part is too large` });
  if (schema.type !== 'object') errors.push({ path: 'form.schema.type', message: "表单须为对象（type: 'object'）/ a form schema is an object schema" });
  const props = schema.properties;
  if (!isObject(props) || Object.keys(props).length === 0) {
    errors.push({ path: 'form.schema.properties', message: '表单至少需要一个字段 / a form needs at least one field' });
    return errors;
  }
  const names = Object.keys(props);
  if (names.length > FORM_LIMITS.maxFields)
    errors.push({ path: 'form.schema.properties', message: `最多 ${FORM_LIMITS.maxFields} 个字段 / at most ${FORM_LIMITS.maxFields} fields` });
  const builtins = new Set(['title', 'amount', 'reason', ...builtinFields(type)]);
  const ui = isObject(form.ui) ? form.ui : {};
  for (const name of names) {
    const at = `form.schema.properties.${name}`;
    if (!FIELD_NAME.test(name))
      errors.push({ path: at, message: '字段名：字母开头，最多 50 个字母、数字或 _ / field names: a letter, then letters, digits or _' });
    else if (builtins.has(name))
      errors.push({ path: at, message: `“${name}”是申请的内置字段，请换一个字段名 / ${name} is a built-in field of applications: choose another name` });
    const prop = props[name];
    const entry = ui[name];
    if (!isObject(prop)) errors.push({ path: at, message: '字段定义须为对象 / a field is a schema object' });
    else if (!hasChinese(isObject(entry) ? entry['ui:title'] : undefined) && !hasChinese(prop.title))
      errors.push({
        path: `form.ui.${name}`,
        message: "每个字段须有中文标签（ui:title 或 title）/ each field needs a Chinese label ('ui:title' or the schema's title)",
      });
  }
  refusedKeywords(schema, 'form.schema', 0, errors);
  // Compiling runs no expression on data (a refused `pattern` is only built, never run here).
  try {
    validatorFor(schema);
  } catch (err) {
    errors.push({ path: 'form.schema', message: `不是有效的 JSON Schema 2020-12 / not a valid JSON Schema 2020-12: ${(err as Error).message}` });
  }
  errors.push(...uiErrors(ui, names));
  return errors;
}

function uiErrors(ui: Record<string, unknown>, names: string[]): FieldError[] {
  const errors: FieldError[] = [];
  for (const [k, v] of Object.entries(ui)) {
    const at = `form.ui.${k}`;
    if (k === 'ui:order') {
      const order = z
        .array(z.string().max(50))
        .max(FORM_LIMITS.maxFields + 1)
        .safeParse(v);
      if (!order.success) {
        errors.push({ path: at, message: '须为字段名的数组 / an array of field names' });
        continue;
      }
      const unknown = order.data.filter((f) => f !== '*' && !names.includes(f));
      if (unknown.length) errors.push({ path: at, message: `未知字段 / unknown fields: ${unknown.join(', ')}` });
      if (new Set(order.data).size !== order.data.length) errors.push({ path: at, message: '字段重复 / a field is listed twice' });
      else if (!order.data.includes('*') && names.some((f) => !order.data.includes(f)))
        errors.push({ path: at, message: "须列出全部字段，或以 '*' 代表其余字段 / list every field, or '*' for the rest" });
      continue;
    }
    if (!names.includes(k)) {
      errors.push({ path: at, message: '表单没有这个字段 / the form has no such field' });
      continue;
    }
    const entry = uiFieldEntry.safeParse(v);
    if (!entry.success)
      for (const issue of entry.error.issues) {
        if (issue.code === 'unrecognized_keys')
          for (const key of issue.keys)
            errors.push({
              path: `${at}.${key}`,
              message: `字段的界面设置只能用 ${UI_FIELD_KEYS.join('、')} / a field's ui entry may use ${UI_FIELD_KEYS.join(', ')}`,
            });
        else errors.push({ path: [at, ...issue.path.map(String)].join('.'), message: issue.message });
      }
  }
  return errors;
}

/**
 * The errors of the steps' field permissions (`steps.<i>.fields.<field>`, in
 * a parallel group `steps.<i>.branches.<b>.<j>.fields.<field>`): each field
 * must be the form's or one of the type's built-ins, which are never hidden.
 */
export function stepFieldErrors(steps: readonly Step[], chain: Pick<ChainDefinition, 'type' | 'form'>): FieldError[] {
  const known = new Set(knownFields(chain));
  const errors: FieldError[] = [];
  for (const { path, step: st } of humanStepsOf(steps)) {
    if (!st.fields) continue;
    for (const [field, access] of Object.entries(st.fields)) {
      const at = `${path.join('.')}.fields.${field}`;
      if (!known.has(field))
        errors.push({
          path: at,
          message: `表单没有这个字段 / no such field; one of ${[...known].join(', ') || '(none: the chain has no form)'}`,
        });
      else if (access === 'hidden' && NEVER_HIDDEN_FIELDS.includes(field))
        errors.push({
          path: at,
          message:
            '内置字段是申请的摘要（待办、通知、通报都显示），不能隐藏；需对部分审批人保密的内容请放进表单 / a built-in field cannot be hidden: put what some approvers must not see in the form',
        });
    }
  }
  return errors;
}

/** Ajv's errors, one per field (the first found), each as `form.<field>` with the Chinese message first. */
function fieldErrorsOf(errors: ErrorObject[] | null | undefined): FieldError[] {
  if (!errors?.length) return [];
  const zh = structuredClone(errors);
  localize(zh);
  const out: FieldError[] = [];
  errors.forEach((e, i) => {
    const missing = e.keyword === 'required' ? (e.params as { missingProperty?: string }).missingProperty : undefined;
    const pointer = [...e.instancePath.split('/').slice(1), ...(missing ? [missing] : [])].map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    const path = ['form', ...pointer].join('.');
    if (out.some((x) => x.path === path)) return;
    // A missing field is named by its path (the web shows the message beside its label): no field name in the text.
    out.push({ path, message: missing ? '必填 / required' : `${zh[i]?.message ?? '无效'} / ${e.message ?? 'is invalid'}` });
  });
  return out;
}

/**
 * The errors of a form's data against its chain's form (`form.<field>`):
 * not an object, too large, fields the form does not have, and whatever
 * the schema says (Ajv, with ajv-i18n's Chinese beside the English).
 */
export function formDataErrors(form: FormDefinition, data: unknown): FieldError[] {
  if (!isObject(data)) return [{ path: 'form', message: '表单须为对象 / form must be an object' }];
  if (bytes(data) > FORM_LIMITS.maxDataBytes) return [{ path: 'form', message: `表单内容过大（最多 ${FORM_LIMITS.maxDataBytes / 1024} KB）/ form too large` }];
  const names = formFields(form);
  const unknown = Object.keys(data)
    .filter((k) => !names.includes(k))
    .map((k) => ({ path: `form.${k}`, message: '表单没有这个字段 / the form has no such field' }));
  const validate = validatorFor(form.schema);
  validate(data);
  const errors = fieldErrorsOf(validate.errors);
  for (const u of unknown) if (!errors.some((e) => e.path === u.path)) errors.push(u);
  return errors;
}

/** What {@link formForViewer} needs of the application and its chain. */
export interface FormViewInput {
  chain: Pick<ChainDefinition, 'type' | 'steps' | 'form'> | undefined;
  app: {
    applicant: string | null;
    applicantOrg: string;
    applicantOrgPath: string;
    targetOrgPath: string | null;
    type: string;
    payload: Record<string, unknown>;
  };
  tasks: readonly FormTaskFacts[];
  /** The task the viewer looks through (the task view). */
  via?: FormTaskFacts;
}

/**
 * The form as one viewer sees it — the one place the application view, the
 * task view and the printable form (审批单) get it from: the form definition
 * without the fields hidden from them, the payload without those fields, the
 * viewer's `formAccess` (`read` or `edit` per visible field), and a filter
 * for timeline data (edits of hidden fields left out).
 */
export function formForViewer(
  viewer: Principal,
  input: FormViewInput,
): {
  access: Record<string, FieldAccess>;
  formAccess: Record<string, 'read' | 'edit'>;
  form: FormDefinition | undefined;
  payload: Record<string, unknown>;
  timelineData: (data: Record<string, unknown> | null) => Record<string, unknown> | null;
} {
  const chain = input.chain ?? { type: input.app.type as ChainDefinition['type'], steps: [], form: undefined };
  const access = formAccess(
    viewer,
    {
      applicant: input.app.applicant,
      applicantOrgId: input.app.applicantOrg,
      applicantOrgPath: input.app.applicantOrgPath,
      targetOrgPath: input.app.targetOrgPath,
      orgApplication: isOrgApplication(input.app.type),
      fields: knownFields(chain),
      hiddenAnywhere: hiddenAnywhere(chain.steps),
      tasks: input.tasks,
    },
    input.via,
  );
  return {
    access,
    formAccess: visibleAccess(access),
    form: chain.form ? filterFormDefinition(chain.form, access) : undefined,
    payload: filterPayload(input.app.payload, access),
    timelineData: (data) => filterTimelineData(data, access),
  };
}

/** A task row as the form's field permissions see it. */
export function formTaskFacts(t: TaskRow): FormTaskFacts {
  return { ...taskFacts(t), fields: t.fields, kind: t.kind, status: t.status };
}

/** The chain version an application runs on (its form and its steps' field permissions). */
export async function chainOfApplication(db: Db, app: Pick<ApplicationRow, 'chainKey' | 'chainOwner' | 'chainVersion'>) {
  return getChainVersion(db, app.chainKey, app.chainOwner, app.chainVersion);
}

/**
 * {@link formForViewer} for an application row, loading its chain version and
 * (where some step sets field permissions) its tasks; `via` the task the
 * viewer looks through.
 */
export async function loadFormView(db: Db, viewer: Principal, app: ApplicationRow, via?: TaskRow) {
  const chain = await chainOfApplication(db, app);
  const permissions = !!chain && hasFieldPermissions(chain.steps);
  const tasks = permissions ? await listTasksOfApplication(db, app.id) : [];
  return formForViewer(viewer, { chain, app, tasks: tasks.map(formTaskFacts), via: via ? formTaskFacts(via) : undefined });
}
