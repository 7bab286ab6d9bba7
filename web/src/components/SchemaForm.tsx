/**
 * An application type's form (申请表单), drawn from its chain's JSON Schema
 * 2020-12 and rjsf uiSchema with @rjsf/antd — never hand-built fields.
 *
 * The form is checked by the server, with Ajv against the chain's schema
 * (api/forms.ts): its 400 names each bad field (`form.<field>`) and the error
 * is shown beside that field. The browser does not run Ajv: Ajv compiles each
 * schema to code with `new Function`, which the app's Content-Security-Policy
 * (script-src 'self', no 'unsafe-eval') rightly refuses; one validator, on
 * the server, also means one set of messages (Chinese first, ajv-i18n).
 *
 * `access` (the API's `formAccess` for the viewer) makes `read` fields
 * read-only and leaves out every field it does not name, so a field hidden
 * from the viewer is not drawn even should the schema still carry it.
 */
import { forwardRef, useImperativeHandle, useMemo } from 'react';
import { Descriptions, Typography } from 'antd';
import RjsfForm from '@rjsf/antd';
import type { ErrorSchema, RJSFSchema, UiSchema } from '@rjsf/utils';
import type { FieldError } from '../api';
import { serverValidated } from './form-validator';
import { pick, useI18n, type Lang } from '../i18n';

export interface FormDefinition {
  schema: Record<string, unknown>;
  ui?: Record<string, unknown>;
}
export type FormAccess = Record<string, 'read' | 'edit'>;
export type FormValues = Record<string, unknown>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The top-level fields of a form, in display order (`ui:order`, then the schema's). */
export function formFieldOrder(def: FormDefinition): string[] {
  const props = isObject(def.schema.properties) ? Object.keys(def.schema.properties) : [];
  const order = Array.isArray(def.ui?.['ui:order']) ? (def.ui['ui:order'] as string[]) : [];
  const listed = order.filter((f) => f !== '*' && props.includes(f));
  return [...listed, ...props.filter((f) => !listed.includes(f))];
}

/** A field's label: the ui's `ui:title`, else the schema's `title`, in the chosen language. */
export function fieldLabel(def: FormDefinition, field: string, lang: Lang): string {
  const ui = isObject(def.ui?.[field]) ? def.ui[field] : {};
  const prop = isObject(def.schema.properties) && isObject(def.schema.properties[field]) ? def.schema.properties[field] : {};
  const text = typeof ui['ui:title'] === 'string' ? ui['ui:title'] : typeof prop.title === 'string' ? prop.title : '';
  return text ? pick(text, lang) : field;
}

/** Field labels for the timeline's edit records: the built-ins, then the form's own. */
export function editLabel(def: FormDefinition | undefined, lang: Lang) {
  const builtin: Record<string, [string, string]> = { title: ['标题', 'Title'], amount: ['金额（元）', 'Amount (yuan)'], reason: ['事由', 'Reason'] };
  return (field: string) => builtin[field]?.[lang === 'zh' ? 0 : 1] ?? (def ? fieldLabel(def, field, lang) : field);
}

/**
 * The definition as this viewer may use it: only the fields `access` names
 * (when given), `read` ones read-only, labels in the chosen language.
 */
export function viewDefinition(def: FormDefinition, access: FormAccess | undefined, lang: Lang): { schema: RJSFSchema; ui: UiSchema } {
  const props = isObject(def.schema.properties) ? def.schema.properties : {};
  const keep = (f: string) => !access || f in access;
  const schema: RJSFSchema = {
    ...def.schema,
    properties: Object.fromEntries(Object.entries(props).filter(([f]) => keep(f))) as RJSFSchema['properties'],
    ...(Array.isArray(def.schema.required) ? { required: (def.schema.required as string[]).filter(keep) } : {}),
  };
  // The form's own $schema says 2020-12; the validator is Ajv 2020 already.
  delete (schema as Record<string, unknown>).$schema;
  const ui: UiSchema = { 'ui:submitButtonOptions': { norender: true } };
  const order = formFieldOrder(def).filter(keep);
  if (order.length) ui['ui:order'] = [...order, '*'];
  for (const f of order) {
    const own = isObject(def.ui?.[f]) ? { ...def.ui[f] } : {};
    for (const k of ['ui:title', 'ui:description', 'ui:help', 'ui:placeholder'] as const) if (typeof own[k] === 'string') own[k] = pick(own[k], lang);
    if (!own['ui:title']) own['ui:title'] = fieldLabel(def, f, lang);
    if (access?.[f] === 'read') own['ui:readonly'] = true;
    ui[f] = own;
  }
  return { schema, ui };
}

/** Server field errors (`form.<field>` paths) as the form's error schema, in the chosen language. */
export function errorSchemaOf(errors: FieldError[], lang: Lang, prefix = 'form.'): ErrorSchema | undefined {
  const out: Record<string, { __errors: string[] }> = {};
  for (const e of errors) {
    if (!e.path.startsWith(prefix)) continue;
    const field = e.path.slice(prefix.length).split('.')[0];
    if (!field) continue;
    (out[field] ??= { __errors: [] }).__errors.push(pick(e.message, lang));
  }
  return Object.keys(out).length ? (out as ErrorSchema) : undefined;
}

/** The editable form (fields per `access` when given); `errors` are the server's, beside their fields. */
export const SchemaForm = forwardRef<
  { validate(): boolean },
  {
    definition: FormDefinition;
    value: FormValues;
    onChange(v: FormValues): void;
    access?: FormAccess;
    /** Server errors, `form.<field>` paths. */
    errors?: FieldError[];
    disabled?: boolean;
    testId?: string;
  }
>(function SchemaForm({ definition, value, onChange, access, errors, disabled, testId = 'schema-form' }, ref) {
  const { lang } = useI18n();
  const { schema, ui } = useMemo(() => viewDefinition(definition, access, lang), [definition, access, lang]);
  const extraErrors = useMemo(() => errorSchemaOf(errors ?? [], lang), [errors, lang]);
  // The server judges the form; the handle is kept so the pages ask one question before they send.
  useImperativeHandle(ref, () => ({ validate: () => true }), []);
  return (
    <div data-testid={testId} className="ud-schema-form">
      <RjsfForm
        schema={schema}
        uiSchema={ui}
        formData={value}
        validator={serverValidated}
        onChange={(e) => onChange((e.formData ?? {}) as FormValues)}
        extraErrors={extraErrors}
        showErrorList={false}
        noHtml5Validate
        disabled={disabled}
      />
    </div>
  );
});
export type SchemaFormHandle = { validate(): boolean };

/** A value as text: booleans as 是/否, lists joined, enum values by their ui:enumNames where given. */
function display(def: FormDefinition, field: string, v: unknown, lang: Lang): string {
  if (v === undefined || v === null || v === '') return '—';
  if (typeof v === 'boolean') return v ? (lang === 'zh' ? '是' : 'Yes') : lang === 'zh' ? '否' : 'No';
  const prop = isObject(def.schema.properties) && isObject(def.schema.properties[field]) ? def.schema.properties[field] : {};
  const ui = isObject(def.ui?.[field]) ? def.ui[field] : {};
  const names = Array.isArray(ui['ui:enumNames']) ? (ui['ui:enumNames'] as string[]) : undefined;
  const values = Array.isArray(prop.enum) ? prop.enum : undefined;
  const one = (x: unknown) => {
    const i = values && names ? values.indexOf(x) : -1;
    if (i >= 0 && names?.[i]) return pick(names[i], lang);
    if (typeof x === 'number') return x.toLocaleString('zh-CN');
    return typeof x === 'string' ? x : JSON.stringify(x);
  };
  return Array.isArray(v) ? v.map(one).join('、') : one(v);
}

/** The form's answers, read-only: each visible field with its label. */
export function FormValuesView({ definition, value, access }: { definition: FormDefinition; value: FormValues; access?: FormAccess }) {
  const { lang, t } = useI18n();
  const fields = formFieldOrder(definition).filter((f) => !access || f in access);
  if (!fields.length) return <Typography.Text type="secondary">{t('没有可查看的表单字段')}</Typography.Text>;
  return (
    <Descriptions
      size="small"
      column={1}
      bordered
      data-testid="form-values"
      items={fields.map((f) => ({
        key: f,
        label: fieldLabel(definition, f, lang),
        children: <span data-field={f}>{display(definition, f, value[f], lang)}</span>,
      }))}
    />
  );
}
