/**
 * Forms per application type (申请表单) and field permissions per step
 * (字段权限): the pure rules. A chain may carry a form — a JSON Schema
 * 2020-12 object schema plus an rjsf uiSchema (`ui`) with its Chinese labels,
 * order and widgets — and each human step may say, per field, whether its
 * approvers `read` it (the default), may `edit` it with their approval, or
 * never see it (`hidden`: absent from what they are shown, not masked).
 *
 * Besides the form's own fields, a step may name the application's built-in
 * fields ({@link BUILTIN_FIELDS}) — `amount` and `reason` of a subsidy (the
 * city reviewer corrects the amount granted), `reason` of a transfer, the
 * `title` of any application — as `read` or `edit`, never `hidden`: they are
 * the application's summary, in every inbox, notice, bulletin and automated
 * step's note. A value some approvers must not see belongs in the form. A
 * form may therefore not declare properties of those names. The submitted form lives in the application's payload as
 * `payload.form`; the built-ins stay where they were (`payload.amount`,
 * `payload.reason`, the title).
 *
 * Compiling a schema and validating data against it (Ajv) happen in
 * api/forms.ts: this module is reachable from workflow code and imports no
 * npm package. Who sees and edits what is the policy's (domain/policy.ts
 * `formAccess`, `editFormFields`); this module only applies its answer.
 *
 * Deterministic and I/O-free.
 */
import { humanStepsOf, type ApplicationType, type ChainDefinition, type FieldAccess, type FormDefinition, type Step } from './chain';

/** Built-in application fields a step's `fields` may name, and the application types that have them. */
export const BUILTIN_FIELDS: Readonly<Record<string, readonly ApplicationType[]>> = {
  title: ['subsidy', 'membership', 'transfer', 'project_list', 'self_assessment', 'union_establishment'],
  amount: ['subsidy'],
  reason: ['subsidy', 'transfer'],
};
/** Fields that are always shown (`hidden` is refused): the built-ins, the application's summary everywhere. */
export const NEVER_HIDDEN_FIELDS: readonly string[] = Object.keys(BUILTIN_FIELDS);

/** How a form field is named: a letter first, then letters, digits or `_` (it appears in paths as `form.<field>`). */
export const FIELD_NAME = /^[A-Z]\w{0,49}$/i;

/** Limits of a form definition. */
export const FORM_LIMITS = {
  /** Top-level fields of a form. */
  maxFields: 100,
  /** The schema and the ui part, each, as JSON. */
  maxSchemaBytes: 64 * 1024,
  maxUiBytes: 32 * 1024,
  /** Nesting of the schema (objects within objects). */
  maxDepth: 8,
  /** A submitted form as JSON. */
  maxDataBytes: 64 * 1024,
  /** A list whose items must differ (`uniqueItems`, compared pairwise) holds at most this many (`maxItems`). */
  maxUniqueItems: 200,
} as const;

/** The rjsf widgets a form may choose (@rjsf/antd renders each); a file widget is not one: attachments are their own route. */
export const UI_WIDGETS = [
  'text',
  'textarea',
  'email',
  'uri',
  'date',
  'datetime',
  'time',
  'updown',
  'range',
  'select',
  'radio',
  'checkbox',
  'checkboxes',
] as const;

/** The uiSchema keys a field's entry may use. */
export const UI_FIELD_KEYS = ['ui:title', 'ui:description', 'ui:help', 'ui:placeholder', 'ui:widget', 'ui:options', 'ui:enumNames', 'ui:autofocus'] as const;

const ACCESS_RANK: Record<FieldAccess, number> = { hidden: 0, read: 1, edit: 2 };

/**
 * JSON with object keys sorted (for primitives, what JSON.stringify gives):
 * values compare equal whatever order their keys were stored in (jsonb
 * reorders them).
 */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v) ?? 'undefined';
}

/** The form's own top-level fields, in the schema's order. */
export function formFields(form: FormDefinition | undefined): string[] {
  const props = form?.schema.properties;
  return props && typeof props === 'object' && !Array.isArray(props) ? Object.keys(props) : [];
}

/**
 * The form with its field order spelt out in `ui:order` (`*` expanded to the
 * remaining fields in the order they were written): the database keeps a
 * chain as jsonb, which does not keep the order of the schema's properties,
 * so the order the owner wrote is recorded where it survives.
 */
export function withExplicitOrder(form: FormDefinition): FormDefinition {
  const fields = formFields(form);
  const given = Array.isArray(form.ui?.['ui:order']) ? (form.ui['ui:order'] as string[]) : ['*'];
  const listed = given.filter((f) => f !== '*');
  const rest = fields.filter((f) => !listed.includes(f));
  const order = given.flatMap((f) => (f === '*' ? rest : [f]));
  return { ...form, ui: { ...(form.ui ?? {}), 'ui:order': order } };
}

/** The built-in fields an application of this type has. */
export function builtinFields(type: ApplicationType): string[] {
  return Object.keys(BUILTIN_FIELDS).filter((f) => BUILTIN_FIELDS[f]!.includes(type));
}

/** Every field a step of this chain may name in `fields` and an approver may be shown: the form's and the type's built-ins. */
export function knownFields(chain: Pick<ChainDefinition, 'type' | 'form'>): string[] {
  return [...builtinFields(chain.type), ...formFields(chain.form)];
}

/** Whether a field is one of the application's built-ins (not in `payload.form`). */
export function isBuiltin(field: string): boolean {
  return Object.prototype.hasOwnProperty.call(BUILTIN_FIELDS, field);
}

/** A step's access to one field: what its `fields` says, else read. */
export function stepAccess(fields: Record<string, FieldAccess> | null | undefined, field: string): FieldAccess {
  return fields?.[field] ?? 'read';
}

/** The more permissive of two accesses. */
export function widest(a: FieldAccess, b: FieldAccess): FieldAccess {
  return ACCESS_RANK[a] >= ACCESS_RANK[b] ? a : b;
}

/** Fields some human step of the chain hides. */
export function hiddenAnywhere(steps: readonly Step[]): string[] {
  return [...new Set(humanStepsOf(steps).flatMap(({ step: s }) => (s.fields ? Object.keys(s.fields).filter((f) => s.fields![f] === 'hidden') : [])))];
}

/** Whether some human step of the chain sets field permissions. */
export function hasFieldPermissions(steps: readonly Step[]): boolean {
  return humanStepsOf(steps).some(({ step }) => !!step.fields && Object.keys(step.fields).length > 0);
}

/** One correction of a field by an approver, as the timeline records it. */
export interface FieldEdit {
  field: string;
  before: unknown;
  after: unknown;
}

/**
 * 核减, not 核增: an approver correcting the amount of a subsidy may lower it,
 * never raise it — more money than was applied for needs a new application
 * (or the applicant's resubmission), not one reviewer's edit. The problem in
 * words, or undefined when the correction is allowed.
 */
export function amountCorrectionProblem(before: unknown, after: unknown): string | undefined {
  if (typeof before === 'number' && typeof after === 'number' && after > before)
    return `核定金额不能高于申请金额（${before} 元）/ an approver may lower the amount, not raise it above ${before}`;
  return undefined;
}

/** What an application holds that a form view shows: its title and payload (with `payload.form`). */
export interface FormSubject {
  title: string;
  payload: Record<string, unknown>;
}

/** The current value of a field of the application. */
export function fieldValue(subject: FormSubject, field: string): unknown {
  if (field === 'title') return subject.title;
  if (isBuiltin(field)) return subject.payload[field];
  const form = subject.payload.form;
  return form && typeof form === 'object' ? (form as Record<string, unknown>)[field] : undefined;
}

/**
 * Applies approver edits (field → new value) to the application and returns
 * each edit with its old and new value; fields whose value does not change
 * are not edits. Built-ins change the title or the payload, the rest the
 * payload's form.
 */
export function applyEdits(subject: FormSubject, edits: Record<string, unknown>): FieldEdit[] {
  const done: FieldEdit[] = [];
  for (const [field, after] of Object.entries(edits)) {
    const before = fieldValue(subject, field);
    if (canonicalJson(before) === canonicalJson(after)) continue;
    done.push({ field, before: before ?? null, after });
    if (field === 'title') subject.title = String(after);
    else if (isBuiltin(field)) subject.payload = { ...subject.payload, [field]: after };
    else {
      const form = subject.payload.form && typeof subject.payload.form === 'object' ? (subject.payload.form as Record<string, unknown>) : {};
      subject.payload = { ...subject.payload, form: { ...form, [field]: after } };
    }
  }
  return done;
}

/** A payload as a viewer with this access sees it: hidden fields are absent from `payload.form`, not masked. */
export function filterPayload(payload: Record<string, unknown>, access: Record<string, FieldAccess>): Record<string, unknown> {
  const form = payload.form;
  if (!form || typeof form !== 'object' || Array.isArray(form)) return payload;
  return { ...payload, form: Object.fromEntries(Object.entries(form as Record<string, unknown>).filter(([f]) => access[f] !== 'hidden')) };
}

/**
 * Timeline data as a viewer with this access sees it: edits of hidden fields
 * are absent, and so are hidden fields of a resubmission's revised form.
 */
export function filterTimelineData(data: Record<string, unknown> | null, access: Record<string, FieldAccess>): Record<string, unknown> | null {
  if (!data) return data;
  let out = data;
  if (Array.isArray(data.edits)) out = { ...out, edits: (data.edits as FieldEdit[]).filter((e) => access[e.field] !== 'hidden') };
  const changes = data.changes as { payload?: Record<string, unknown> } | undefined;
  if (changes?.payload && typeof changes.payload === 'object') out = { ...out, changes: { ...changes, payload: filterPayload(changes.payload, access) } };
  return out;
}

/** The access map a viewer sees: hidden fields left out (the web renders the rest, editable where `edit`). */
export function visibleAccess(access: Record<string, FieldAccess>): Record<string, 'read' | 'edit'> {
  return Object.fromEntries(Object.entries(access).filter((e): e is [string, 'read' | 'edit'] => e[1] !== 'hidden'));
}

/**
 * The form definition as a viewer sees it: the hidden fields removed from the
 * schema (properties, required), from the ui part (entries and `ui:order`).
 */
export function filterFormDefinition(form: FormDefinition, access: Record<string, FieldAccess>): FormDefinition {
  const hidden = (f: string) => access[f] === 'hidden';
  const schema = { ...form.schema };
  if (schema.properties && typeof schema.properties === 'object')
    schema.properties = Object.fromEntries(Object.entries(schema.properties as Record<string, unknown>).filter(([f]) => !hidden(f)));
  if (Array.isArray(schema.required)) schema.required = (schema.required as unknown[]).filter((f) => typeof f !== 'string' || !hidden(f));
  if (!form.ui) return { schema };
  const ui = Object.fromEntries(Object.entries(form.ui).filter(([k]) => !hidden(k)));
  if (Array.isArray(ui['ui:order'])) ui['ui:order'] = (ui['ui:order'] as unknown[]).filter((f) => typeof f !== 'string' || !hidden(f));
  return { schema, ui };
}
