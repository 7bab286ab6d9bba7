/**
 * 扫码入会: the public, mobile-first join page a worker reaches from a
 * union's QR poster (/join?union=<id>), or directly (then the worker picks
 * the area). The phone is verified by an SMS code (获取验证码, with the
 * resend cool-down; a CAPTCHA when the server asks for one). It feeds the
 * membership chain (网上入会); afterwards the worker keeps the short
 * reference (RH2611-4821) to look up the status with their phone.
 * Plain React and web/src/public/public.css: a phone on 3G shows it quickly.
 */
import { useEffect, useMemo, useState } from 'react';
import { get, newKey, post, type FieldError } from '../api';
import { CaptchaField, captchaRule, SmsCodeField, smsCodeRule, useCaptcha } from '../components/PhoneCode';
import { navigate, Link } from '../router';
import { PHONE, required, useForm } from '../public/form';
import { useI18n } from '../public/i18n';
import { Button, control, ErrorAlert, Field, PublicShell, Spinner } from '../public/ui';

/** Where the join page leaves the status page's viewer token (this tab only, 30 minutes on the server). */
export const STATUS_TOKEN_KEY = 'ud-public-status-token';

export interface PublicUnions {
  unions: { id: string; name: string; groups: string[]; area: string; areaName: string }[];
  groups: { id: string; name: string }[];
  areas: { id: string; name: string; kind: string; parent: string | null }[];
}

interface JoinForm {
  name: string;
  idNumber: string;
  phone: string;
  group: string;
  area: string;
  employer: string;
  smsCode: string;
  captchaAnswer?: string;
  consent: boolean;
}

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/** GB 11643 居民身份证号: 18 characters, a real birth date, the check character. */
export function idNumberProblem(v: string): string | null {
  const s = v.trim().toUpperCase();
  if (!/^\d{17}[\dX]$/.test(s)) return '身份证号为 18 位（末位可为 X）';
  const y = Number(s.slice(6, 10));
  const mo = Number(s.slice(10, 12));
  const d = Number(s.slice(12, 14));
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || y < 1900 || date.getTime() > Date.now())
    return '身份证号中的出生日期无效';
  const sum = WEIGHTS.reduce((n, w, i) => n + w * Number(s[i]), 0);
  if ('10X98765432'[sum % 11] !== s[17]) return '身份证号校验位不正确，请核对';
  return null;
}

/** The 11-digit mobile's rule (also the status page's). */
export const phoneRule = (v: string) => (!v.trim() ? '请填写手机号' : PHONE.test(v.trim()) ? null : '请输入 11 位手机号');

const FIELDS = ['name', 'idNumber', 'phone', 'group', 'area', 'employer', 'smsCode'] as const;

export default function Join({ union: unionId }: { union: string | null }) {
  const { t, lang } = useI18n();
  const [data, setData] = useState<PublicUnions | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [submitError, setSubmitError] = useState<unknown>(null);
  const [unplaced, setUnplaced] = useState<FieldError[]>([]);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<{ id: string; reference: string } | null>(null);
  const [codeSent, setCodeSent] = useState(false);
  const captcha = useCaptcha();
  const [key] = useState(newKey);
  const union = data?.unions.find((u) => u.id === unionId);
  const form = useForm<JoinForm>(
    { name: '', idNumber: '', phone: '', group: '', area: '', employer: '', smsCode: '', consent: false },
    () => ({
      name: (v) => required('请填写姓名')(v) ?? (v.trim().length > 50 ? '最多 50 字' : null),
      idNumber: (v) => (v.trim() ? idNumberProblem(v) : '请填写身份证号'),
      phone: phoneRule,
      smsCode: smsCodeRule,
      captchaAnswer: captchaRule(captcha.challenge),
      group: required('请选择所属群体'),
      area: (v) => (union ? null : required('请选择地区')(v)),
      employer: (v) => (v.trim().length > 200 ? '最多 200 字' : null),
      consent: (v) => (v ? null : '请阅读并同意'),
    }),
    t,
  );
  const { values, errors } = form;

  useEffect(() => {
    get<PublicUnions>('/api/public/unions', { anonymous: true }).then(setData, setLoadError);
  }, []);
  const groupNames = useMemo(() => new Map((data?.groups ?? []).map((g) => [g.id, g.name])), [data]);
  const groupIds = union ? union.groups : (data?.groups ?? []).map((g) => g.id);
  // The union from the QR code: its only group is chosen for the worker (once the union is known).
  const onlyGroup = union?.groups.length === 1 ? union.groups[0] : undefined;
  const { set } = form;
  useEffect(() => {
    if (onlyGroup) set('group', onlyGroup);
  }, [onlyGroup, set]);

  const refused = (e: unknown, toName: (p: string) => keyof JoinForm | undefined) => {
    captcha.update(e);
    form.set('captchaAnswer', undefined);
    setUnplaced(form.applyFieldErrors(e, lang, toName));
    setSubmitError(e);
  };

  const submit = async (ev: React.FormEvent) => {
    ev.preventDefault();
    const v = form.validateAll();
    if (!v) return;
    setBusy(true);
    setSubmitError(null);
    setUnplaced([]);
    const body = {
      type: 'membership',
      name: v.name.trim(),
      idNumber: v.idNumber.trim().toUpperCase(),
      phone: v.phone.trim(),
      group: v.group,
      area: union ? union.area : v.area,
      ...(v.employer.trim() ? { employer: v.employer.trim() } : {}),
      smsCode: v.smsCode.trim(),
      ...captcha.body(v.captchaAnswer),
    };
    try {
      const r = await post<{ id: string; reference: string; viewerToken?: string }>('/api/applications', body, { anonymous: true, idempotencyKey: key });
      if (r.viewerToken) sessionStorage.setItem(STATUS_TOKEN_KEY, r.viewerToken);
      setDone({ id: r.id, reference: r.reference ?? r.id });
      window.scrollTo(0, 0);
    } catch (e) {
      refused(e, (p) =>
        (FIELDS as readonly string[]).includes(p) ? (union && p === 'area' ? 'group' : (p as keyof JoinForm)) : p === 'captcha' ? 'captchaAnswer' : undefined,
      );
    } finally {
      setBusy(false);
    }
  };

  if (done) return <Submitted reference={done.reference} unionName={union?.name} />;

  return (
    <PublicShell>
      <section className="pj-card">
        {!data && !loadError && <Spinner label={t('正在加载…')} />}
        <ErrorAlert error={loadError} />
        {unionId && data && !union && <div className="pj-alert pj-alert-warning">{t('二维码中的工会不存在或已调整，请选择所在地区')}</div>}
        {union && (
          <div className="pj-union" data-testid="join-union">
            <div className="pj-muted">{t('申请加入')}</div>
            <h2 className="pj-union-name">{union.name}</h2>
            <div className="pj-muted">{union.areaName}</div>
          </div>
        )}
        <form onSubmit={(e) => void submit(e)} noValidate data-testid="join-form">
          <Field name="name" label={t('姓名')} error={errors.name}>
            <input {...form.textInput('name')} autoComplete="name" maxLength={50} />
          </Field>
          <Field name="idNumber" label={t('身份证号')} error={errors.idNumber}>
            <input {...form.textInput('idNumber')} inputMode="text" maxLength={18} autoComplete="off" autoCapitalize="characters" spellCheck={false} />
          </Field>
          <Field name="phone" label={t('手机号')} error={errors.phone}>
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
            purpose="join"
            captcha={() => captcha.body(values.captchaAnswer)}
            onError={(e) => refused(e, (p) => (p === 'phone' ? 'phone' : undefined))}
            onSent={() => {
              setCodeSent(true);
              setSubmitError(null);
              captcha.clear();
              form.set('captchaAnswer', undefined);
            }}
          />
          <Field name="group" label={t('所属群体')} error={errors.group}>
            <select {...control('group', errors.group)} className="pj-input pj-select" value={values.group} onChange={(e) => form.set('group', e.target.value)}>
              <option value="" disabled>
                {t('请选择')}
              </option>
              {groupIds.map((g) => (
                <option key={g} value={g}>
                  {groupNames.get(g) ?? g}
                </option>
              ))}
            </select>
          </Field>
          {!union && (
            <Field name="area" label={t('工作所在地区')} error={errors.area}>
              <select {...control('area', errors.area)} className="pj-input pj-select" value={values.area} onChange={(e) => form.set('area', e.target.value)}>
                <option value="" disabled>
                  {t('请选择')}
                </option>
                {(data?.areas ?? []).map((a) => (
                  <option key={a.id} value={a.id}>
                    {a.name}
                  </option>
                ))}
              </select>
            </Field>
          )}
          <Field name="employer" label={t('工作单位（选填）')} error={errors.employer}>
            <input {...form.textInput('employer')} maxLength={200} placeholder={t('如：某快递网点、某外卖平台站点')} />
          </Field>
          <div className={`pj-field${errors.consent ? ' has-error' : ''}`}>
            <label className="pj-check">
              <input type="checkbox" {...control('consent', errors.consent)} checked={values.consent} onChange={(e) => form.set('consent', e.target.checked)} />
              <span>{t('我自愿加入中华全国总工会，承认《中国工会章程》，同意工会为办理入会使用我的上述信息')}</span>
            </label>
            {errors.consent && (
              <div className="pj-error" id="f-consent-msg" role="alert">
                {errors.consent}
              </div>
            )}
          </div>
          <ErrorAlert error={submitError} fields={unplaced} />
          <Button kind="primary" type="submit" block busy={busy}>
            {t('申请入会')}
          </Button>
        </form>
        <p className="pj-center pj-foot-link">
          <Link to="/join/status">{t('已提交过？查询办理进度')}</Link>
        </p>
      </section>
    </PublicShell>
  );
}

/** 提交成功: the reference to keep, and the way to the status page. */
function Submitted({ reference, unionName }: { reference: string; unionName: string | undefined }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  const copy = () =>
    navigator.clipboard?.writeText(reference).then(
      () => setCopied(true),
      () => undefined,
    );
  return (
    <PublicShell>
      <section className="pj-card pj-result">
        <div className="pj-result-icon" aria-hidden="true">
          ✓
        </div>
        <h2 className="pj-result-title">{t('提交成功')}</h2>
        <p className="pj-muted">{t('您的入会申请已提交{union}，工会将在 3 个工作日内初审。', { union: unionName ? `${t('至')}${unionName}` : '' })}</p>
        <div className="pj-reference-box">
          <div className="pj-muted">{t('申请编号（请截图或记下，用于查询进度）')}</div>
          <div className="pj-reference-row">
            <span className="pj-reference" data-testid="reference-number">
              {reference}
            </span>
            {typeof navigator.clipboard?.writeText === 'function' && (
              <button type="button" className="pj-link-button" onClick={() => void copy()}>
                {copied ? t('已复制') : t('复制')}
              </button>
            )}
          </div>
          <div className="pj-hint">{t('查询时需要申请编号（或身份证号）和本手机号的短信验证码')}</div>
        </div>
        <Button kind="primary" block onClick={() => navigate(`/join/status?ref=${encodeURIComponent(reference)}`)}>
          {t('查询办理进度')}
        </Button>
      </section>
    </PublicShell>
  );
}
