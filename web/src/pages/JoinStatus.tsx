/**
 * 入会进度查询: the worker looks up their own applications by the reference
 * (or their ID number) and the phone given with the application, verified by
 * an SMS code — or straight after joining, with the viewer token the join
 * answered. The answer is their progress in fixed words (已提交 → 审核中 →
 * 已入会 / 未通过) and what the system holds about them, masked, with whom to
 * ask for a correction. Phone-first: one column, large inputs.
 */
import { useEffect, useState } from 'react';
import { post } from '../api';
import { CaptchaField, captchaRule, SmsCodeField, smsCodeRule, useCaptcha } from '../components/PhoneCode';
import { Link } from '../router';
import { required, useForm } from '../public/form';
import { useI18n } from '../public/i18n';
import { Button, ErrorAlert, Field, PublicShell } from '../public/ui';
import { phoneRule, STATUS_TOKEN_KEY } from './Join';

interface PublicApplication {
  reference: string;
  id: string;
  progress: { code: string; label: string };
  steps: { label: string; state: 'done' | 'current' | 'waiting' }[];
  submittedAt: string;
  updatedAt: string;
  held: { name: string | null; idNumber: string | null; phone: string | null; group: string | null; employer: string | null; union: string };
  correction: string;
  /** An admitted member's electronic card code (电子会员卡). */
  memberCard?: string;
}

interface StatusAnswer {
  viewerToken: string;
  applications: PublicApplication[];
}

interface LookupForm {
  reference: string;
  idNumber: string;
  phone: string;
  smsCode: string;
  captchaAnswer?: string;
}

/** 2026-11-30 14:05, in the phone's time zone. */
function minute(iso: string): string {
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

export default function JoinStatus({ initialRef }: { initialRef: string | null }) {
  const { t, m, lang } = useI18n();
  const [by, setBy] = useState<'reference' | 'idNumber'>('reference');
  const [result, setResult] = useState<StatusAnswer | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [codeSent, setCodeSent] = useState(false);
  const captcha = useCaptcha();
  const form = useForm<LookupForm>(
    { reference: initialRef ?? '', idNumber: '', phone: '', smsCode: '' },
    () => ({
      ...(by === 'reference' ? { reference: required('请填写申请编号') } : { idNumber: required('请填写身份证号') }),
      phone: phoneRule,
      smsCode: smsCodeRule,
      captchaAnswer: captchaRule(captcha.challenge),
    }),
    t,
  );
  const { values, errors } = form;

  const ask = async (body: object) => {
    setBusy(true);
    setError(null);
    try {
      const r = await post<StatusAnswer>('/api/public/status', body, { anonymous: true });
      sessionStorage.setItem(STATUS_TOKEN_KEY, r.viewerToken);
      setResult(r);
      captcha.clear();
    } catch (e) {
      captcha.update(e);
      form.set('captchaAnswer', undefined);
      form.applyFieldErrors(e, lang, (p) =>
        ['reference', 'idNumber', 'phone', 'smsCode'].includes(p) ? (p as keyof LookupForm) : p === 'captcha' ? 'captchaAnswer' : undefined,
      );
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  // Straight after joining (or a reload within 30 minutes): the viewer token reads the status without a new SMS.
  useEffect(() => {
    const token = sessionStorage.getItem(STATUS_TOKEN_KEY);
    if (!token) return;
    void post<StatusAnswer>('/api/public/status', { viewerToken: token }, { anonymous: true }).then(
      (r) => setResult(r),
      () => sessionStorage.removeItem(STATUS_TOKEN_KEY),
    );
  }, []);

  const lookup = (ev: React.FormEvent) => {
    ev.preventDefault();
    const v = form.validateAll();
    if (!v) return;
    void ask({
      ...(by === 'reference' ? { reference: v.reference.trim() } : { idNumber: v.idNumber.trim().toUpperCase() }),
      phone: v.phone.trim(),
      smsCode: v.smsCode.trim(),
      ...captcha.body(v.captchaAnswer),
    });
  };
  const refresh = () => result && void ask({ viewerToken: result.viewerToken });

  return (
    <PublicShell>
      <section className="pj-card">
        <h2 className="pj-card-title">{t('入会进度查询')}</h2>
        <form onSubmit={lookup} noValidate data-testid="status-form">
          <div className="pj-segmented" role="radiogroup" aria-label={t('查询方式')} data-testid="lookup-by">
            {(['reference', 'idNumber'] as const).map((k) => (
              <button key={k} type="button" role="radio" aria-checked={by === k} className={by === k ? 'is-on' : undefined} onClick={() => setBy(k)}>
                {k === 'reference' ? t('按申请编号') : t('按身份证号')}
              </button>
            ))}
          </div>
          {by === 'reference' ? (
            <Field name="reference" label={t('申请编号')} error={errors.reference}>
              <input
                {...form.textInput('reference')}
                className="pj-input pj-mono"
                autoComplete="off"
                autoCapitalize="characters"
                spellCheck={false}
                placeholder="RH2611-4821"
              />
            </Field>
          ) : (
            <Field name="idNumber" label={t('身份证号')} error={errors.idNumber}>
              <input {...form.textInput('idNumber')} autoComplete="off" autoCapitalize="characters" spellCheck={false} maxLength={18} />
            </Field>
          )}
          <Field name="phone" label={t('申请时填写的手机号')} error={errors.phone}>
            <input {...form.textInput('phone')} type="tel" inputMode="numeric" maxLength={11} autoComplete="tel" />
          </Field>
          <CaptchaField
            challenge={captcha.challenge}
            value={values.captchaAnswer}
            error={errors.captchaAnswer}
            onChange={(v) => form.set('captchaAnswer', v)}
          />
          <SmsCodeField
            sent={codeSent}
            value={values.smsCode}
            error={errors.smsCode}
            onChange={(v) => form.set('smsCode', v)}
            phone={() => form.validate(['phone'])?.phone.trim() ?? null}
            purpose="status"
            captcha={() => captcha.body(values.captchaAnswer)}
            onError={(e) => {
              captcha.update(e);
              form.set('captchaAnswer', undefined);
              setError(e);
            }}
            onSent={() => {
              setCodeSent(true);
              setError(null);
              captcha.clear();
              form.set('captchaAnswer', undefined);
            }}
          />
          <ErrorAlert error={error} fields={[]} />
          <Button kind="primary" type="submit" block busy={busy}>
            {t('查询')}
          </Button>
        </form>
      </section>
      {result?.applications.map((a) => (
        <section key={a.id} className="pj-card" data-testid="status-result">
          <div className="pj-result-head">
            <span className="pj-mono pj-strong" data-testid="status-reference">
              {a.reference}
            </span>
            <span className={`pj-tag pj-tag-${a.progress.code}`} data-testid="public-status">
              {m(a.progress.label)}
            </span>
          </div>
          <p className="pj-muted pj-small">
            {t('提交于 {at}', { at: minute(a.submittedAt) })} · {t('更新于 {at}', { at: minute(a.updatedAt) })}
          </p>
          <Steps steps={a.steps} rejected={a.progress.code === 'rejected'} label={m} />
          {a.memberCard && (
            <a
              className="pj-button pj-button-primary pj-block pj-card-link"
              href={`/member-card/${encodeURIComponent(a.memberCard)}`}
              data-testid="member-card-link"
            >
              {t('查看电子会员卡')}
            </a>
          )}
          <h3 className="pj-section-title">{t('本系统保存的您的信息')}</h3>
          <dl className="pj-held" data-testid="held-data">
            {(
              [
                ['姓名', a.held.name],
                ['身份证号', a.held.idNumber],
                ['手机号', a.held.phone],
                ['所属群体', a.held.group],
                ['工作单位', a.held.employer],
                ['工会', a.held.union],
              ] as const
            ).map(([label, value]) => (
              <div key={label}>
                <dt>{t(label)}</dt>
                <dd>{value ?? '—'}</dd>
              </div>
            ))}
          </dl>
          <p className="pj-muted pj-small pj-correction" data-testid="correction">
            {m(a.correction)}
          </p>
        </section>
      ))}
      {result && (
        <Button block className="pj-refresh" onClick={refresh} busy={busy} data-testid="refresh-status">
          {t('刷新进度')}
        </Button>
      )}
      <p className="pj-center pj-foot-link">
        <Link to="/join">{t('返回入会申请')}</Link>
      </p>
    </PublicShell>
  );
}

/** The steps, top to bottom: done ✓, the one being worked on (✕ when the application was rejected there), waiting. */
function Steps({ steps, rejected, label }: { steps: PublicApplication['steps']; rejected: boolean; label: (s: string) => string }) {
  const current = steps.findIndex((s) => s.state !== 'done');
  return (
    <ol className="pj-steps">
      {steps.map((s, i) => {
        const state = current === -1 || i < current ? 'done' : i === current ? (rejected ? 'error' : 'current') : 'waiting';
        return (
          <li key={i} className={`pj-step is-${state}`} aria-current={state === 'current' ? 'step' : undefined}>
            <span className="pj-step-dot" aria-hidden="true">
              {state === 'done' ? '✓' : state === 'error' ? '✕' : i + 1}
            </span>
            <span className="pj-step-label">{label(s.label)}</span>
          </li>
        );
      })}
    </ol>
  );
}
