/**
 * The public pages' building blocks, plain React and ./public.css (no antd):
 * the red page frame with the 中文/EN switch, a labelled field with its error
 * and hint, a button, a spinner, the API error box and the error boundary.
 */
import { Component, useId, type ButtonHTMLAttributes, type ReactNode } from 'react';
import { ApiError, type FieldError } from '../api';
import { pick } from '../lang';
import { useI18n } from './i18n';

export function PublicShell({ children }: { children: ReactNode }) {
  const { t, lang } = useI18n();
  return (
    <div className="pj" lang={lang === 'en' ? 'en' : 'zh-CN'}>
      <div className="pj-inner">
        <header className="pj-head">
          <div className="pj-emblem" aria-hidden="true">
            工
          </div>
          <div className="pj-head-text">
            <h1 className="pj-title">{t('扫码入会')}</h1>
            <div className="pj-slogan">{t('工会是职工之家 · 欢迎您加入工会组织')}</div>
          </div>
          <LangSwitch />
        </header>
        <main>{children}</main>
      </div>
    </div>
  );
}

/** 中文 / EN. */
export function LangSwitch() {
  const { t, lang, setLang } = useI18n();
  return (
    <div className="pj-lang" role="group" aria-label={t('语言')}>
      {(['zh', 'en'] as const).map((l) => (
        <button key={l} type="button" aria-pressed={lang === l} className={lang === l ? 'is-on' : undefined} onClick={() => setLang(l)}>
          {l === 'zh' ? '中文' : 'EN'}
        </button>
      ))}
    </div>
  );
}

/** A field: its label (bound to the control with id `f-<name>`), the control, then its error and its hint. */
export function Field({ name, label, error, hint, children }: { name: string; label: ReactNode; error?: string; hint?: ReactNode; children: ReactNode }) {
  return (
    <div className={`pj-field${error ? ' has-error' : ''}`}>
      <label className="pj-label" htmlFor={`f-${name}`}>
        {label}
      </label>
      {children}
      {(error || hint) && (
        <div id={`f-${name}-msg`}>
          {error && (
            <div className="pj-error" role="alert">
              {error}
            </div>
          )}
          {hint && <div className="pj-hint">{hint}</div>}
        </div>
      )}
    </div>
  );
}

/** The accessibility attributes of a field's control: its id, whether it is in error, what describes it. */
export const control = (name: string, error: string | undefined, described = Boolean(error)) => ({
  id: `f-${name}`,
  name,
  'aria-invalid': error ? true : undefined,
  'aria-describedby': described ? `f-${name}-msg` : undefined,
});

export function Button({
  kind = 'default',
  busy,
  block,
  className,
  children,
  ...rest
}: { kind?: 'primary' | 'default'; busy?: boolean; block?: boolean } & ButtonHTMLAttributes<HTMLButtonElement>) {
  return (
    <button
      type="button"
      {...rest}
      className={['pj-button', kind === 'primary' && 'pj-button-primary', block && 'pj-block', className].filter(Boolean).join(' ')}
      disabled={rest.disabled || busy}
      aria-busy={busy || undefined}
    >
      {busy && <span className="pj-spin pj-spin-small" aria-hidden="true" />}
      <span>{children}</span>
    </button>
  );
}

export function Spinner({ label }: { label: string }) {
  return (
    <div className="pj-loading" role="status">
      <span className="pj-spin" aria-hidden="true" />
      <span className="pj-sr">{label}</span>
    </div>
  );
}

/** An API error in the chosen language, with the field errors no field showed. */
export function ErrorAlert({ error, fields }: { error: unknown; fields?: FieldError[] }) {
  const { m, lang, t } = useI18n();
  const titleId = useId();
  if (!error) return null;
  const list = fields ?? (error instanceof ApiError ? error.fieldErrors : []);
  const text = error instanceof ApiError ? pick(error.problem.detail, lang) : error instanceof Error ? error.message : t('出错了');
  return (
    <div className="pj-alert pj-alert-error" role="alert" aria-labelledby={titleId} data-testid="error-alert">
      <div className="pj-alert-title" id={titleId}>
        {text}
      </div>
      {list.length > 0 && (
        <ul>
          {list.map((e, i) => (
            <li key={i}>
              {e.path && e.path !== '(body)' ? <code>{e.path}</code> : t('请求')}：{m(e.message)}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** A render error (or a chunk that failed to load after a redeploy) shows a message and a reload button. */
export class ErrorBoundary extends Component<{ children: ReactNode; labels: { title: string; reload: string } }, { error: Error | null }> {
  override state = { error: null as Error | null };
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <div className="pj-card pj-result" role="alert">
        <div className="pj-result-icon is-error" aria-hidden="true">
          !
        </div>
        <h2 className="pj-result-title">{this.props.labels.title}</h2>
        <p className="pj-muted">{this.state.error.message}</p>
        <Button kind="primary" onClick={() => location.reload()}>
          {this.props.labels.reload}
        </Button>
      </div>
    );
  }
}
