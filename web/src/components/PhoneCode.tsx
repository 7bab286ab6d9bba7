/**
 * The public pages' phone verification (短信验证码): a "获取验证码" button
 * with the resend cool-down counting down, and the CAPTCHA the server asks
 * for after repeated failures from one address (its picture and an input).
 * The server decides everything; this only shows what it answered.
 * Plain React (the public entry carries no antd): see web/src/public/.
 */
import { useEffect, useState } from 'react';
import { ApiError, post } from '../api';
import { useI18n } from '../public/i18n';
import { Button, control, Field } from '../public/ui';

export interface CaptchaChallenge {
  id: string;
  svg: string;
}

/** The CAPTCHA the server sent along with a refusal, if any. */
export function captchaOf(err: unknown): CaptchaChallenge | null {
  if (!(err instanceof ApiError)) return null;
  const c = err.problem.captcha as Partial<CaptchaChallenge> | undefined;
  return c && typeof c.id === 'string' && typeof c.svg === 'string' ? { id: c.id, svg: c.svg } : null;
}

/**
 * State of the CAPTCHA on one form: the challenge being shown (from the last refusal), and the body member to send
 * with the next request (a challenge answers once: after a request it is gone, unless the refusal brought a new one).
 */
export function useCaptcha() {
  const [challenge, setChallenge] = useState<CaptchaChallenge | null>(null);
  return {
    challenge,
    /** Call with every refusal: shows the challenge it carries, or none. */
    update: (err: unknown) => setChallenge(captchaOf(err)),
    clear: () => setChallenge(null),
    body: (answer: string | undefined) => (challenge && answer?.trim() ? { captcha: { id: challenge.id, answer: answer.trim() } } : {}),
  };
}

/** The CAPTCHA's rule: required while one is shown. */
export const captchaRule = (challenge: CaptchaChallenge | null) => (v: string | undefined) => (challenge && !v?.trim() ? '请输入图中的字符' : null);

/** The CAPTCHA picture and its input (field `captchaAnswer`), when the server asked for one. */
export function CaptchaField({
  challenge,
  value,
  error,
  onChange,
}: {
  challenge: CaptchaChallenge | null;
  value: string | undefined;
  error?: string;
  onChange: (v: string) => void;
}) {
  const { t } = useI18n();
  if (!challenge) return null;
  return (
    <div data-testid="captcha">
      <Field name="captchaAnswer" label={t('图形验证码')} error={error}>
        <div className="pj-row">
          <input
            {...control('captchaAnswer', error)}
            className="pj-input"
            autoComplete="off"
            maxLength={8}
            placeholder={t('请输入图中的字符')}
            value={value ?? ''}
            onChange={(e) => onChange(e.target.value)}
          />
          <img
            src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(challenge.svg)}`}
            alt={t('图形验证码')}
            width={120}
            height={44}
            className="pj-captcha"
            data-testid="captcha-image"
          />
        </div>
      </Field>
    </div>
  );
}

/**
 * "获取验证码": sends a code to the phone the form holds (validated first), then counts the cool-down down. A 429
 * counts down the seconds the server says are left; a refusal naming the CAPTCHA hands its challenge to `onError`.
 */
export function SendCodeButton({
  phone,
  purpose,
  captcha,
  onError,
  onSent,
}: {
  /** Validates and returns the phone, or null when the form shows why not. */
  phone: () => string | null;
  purpose: 'join' | 'status';
  /** The CAPTCHA member to send along, when one is shown. */
  captcha: () => object;
  onError: (err: unknown) => void;
  onSent: () => void;
}) {
  const { t } = useI18n();
  const [left, setLeft] = useState(0);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (left <= 0) return;
    const timer = setTimeout(() => setLeft((n) => n - 1), 1000);
    return () => clearTimeout(timer);
  }, [left]);

  const send = async () => {
    const p = phone();
    if (!p) return;
    setBusy(true);
    try {
      const r = await post<{ cooldownSeconds: number }>('/api/public/sms-codes', { phone: p, purpose, ...captcha() }, { anonymous: true });
      setLeft(r.cooldownSeconds);
      onSent();
    } catch (e) {
      if (e instanceof ApiError && e.status === 429 && typeof e.problem.retryAfterSeconds === 'number') setLeft(e.problem.retryAfterSeconds);
      onError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Button onClick={() => void send()} busy={busy} disabled={left > 0} data-testid="send-code" className="pj-send-code">
      {left > 0 ? t('{n} 秒后重新获取', { n: left }) : t('获取验证码')}
    </Button>
  );
}

/** The SMS code field (`smsCode`, 6 digits) with its "获取验证码" button; `sent` shows the validity hint. */
export function SmsCodeField({
  sent,
  value,
  error,
  onChange,
  ...button
}: Parameters<typeof SendCodeButton>[0] & { sent: boolean; value: string; error?: string; onChange: (v: string) => void }) {
  const { t } = useI18n();
  return (
    <Field name="smsCode" label={t('短信验证码')} error={error} hint={sent ? t('验证码已发送，5 分钟内有效') : undefined}>
      <div className="pj-row">
        <input
          {...control('smsCode', error, Boolean(error) || sent)}
          className="pj-input"
          inputMode="numeric"
          maxLength={6}
          autoComplete="one-time-code"
          value={value}
          onChange={(e) => onChange(e.target.value.replace(/\D/g, ''))}
        />
        <SendCodeButton {...button} />
      </div>
    </Field>
  );
}

/** The SMS code's rule. */
export const smsCodeRule = (v: string) => (!v.trim() ? '请输入短信验证码' : /^\d{6}$/.test(v.trim()) ? null : '验证码为 6 位数字');
