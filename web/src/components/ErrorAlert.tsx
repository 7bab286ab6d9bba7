/**
 * Errors from the API, shown where they happened, in the chosen language
 * (Chinese by default): the problem's detail and any field errors that no
 * form field took.
 */
import { Alert } from 'antd';
import type { FormInstance } from 'antd';
import { ApiError, type FieldError } from '../api';
import { pick, useI18n, type Lang } from '../i18n';

export function errorText(err: unknown, lang: Lang): string {
  if (err instanceof ApiError) return pick(err.problem.detail, lang);
  if (err instanceof Error) return err.message;
  return String(err);
}

export function ErrorAlert({ error, fields, style }: { error: unknown; fields?: FieldError[]; style?: React.CSSProperties }) {
  const { m, lang, t } = useI18n();
  if (!error) return null;
  const list = fields ?? (error instanceof ApiError ? error.fieldErrors : []);
  return (
    <div data-testid="error-alert" style={{ marginBottom: 16, ...style }}>
      <Alert
        type="error"
        showIcon
        title={errorText(error, lang)}
        description={
          list.length ? (
            <ul style={{ margin: 0, paddingInlineStart: 18 }}>
              {list.map((e, i) => (
                <li key={i}>
                  {e.path && e.path !== '(body)' ? <code>{e.path}</code> : t('请求')}：{m(e.message)}
                </li>
              ))}
            </ul>
          ) : undefined
        }
      />
    </div>
  );
}

/**
 * Puts an ApiError's field errors on the form's fields. `toName` maps an API
 * path ('phases.survey.start') to a form field name, or undefined when no
 * field shows it. Returns the errors that found no field.
 */
export function applyFieldErrors(form: FormInstance, err: unknown, lang: Lang, toName: (path: string) => (string | number)[] | undefined): FieldError[] {
  if (!(err instanceof ApiError)) return [];
  const byField = new Map<string, { name: (string | number)[]; errors: string[] }>();
  const rest: FieldError[] = [];
  for (const e of err.fieldErrors) {
    const name = toName(e.path);
    if (!name) {
      rest.push(e);
      continue;
    }
    const k = JSON.stringify(name);
    const entry = byField.get(k) ?? { name, errors: [] };
    entry.errors.push(pick(e.message, lang));
    byField.set(k, entry);
  }
  form.setFields([...byField.values()]);
  return rest;
}
