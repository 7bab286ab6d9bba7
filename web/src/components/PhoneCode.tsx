/**
 * The public pages' phone verification (短信验证码): a "获取验证码" button
 * with the resend cool-down counting down, and the CAPTCHA the server asks
 * for after repeated failures from one address (its picture and an input).
 * The server decides everything; this only shows what it answered.
 */
import { useEffect, useState } from 'react';
import { Button, Form, Input, Space } from 'antd';
import { ApiError, post } from '../api';
import { useI18n } from '../i18n';

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

/** The CAPTCHA picture and its input (form field `captchaAnswer`), when the server asked for one. */
export function CaptchaField({ challenge }: { challenge: CaptchaChallenge | null }) {
  const { t } = useI18n();
  if (!challenge) return null;
  return (
    <Form.Item label={t('图形验证码')} required data-testid="captcha">
      <Space.Compact style={{ width: '100%' }}>
        <Form.Item name="captchaAnswer" noStyle rules={[{ required: true, whitespace: true, message: t('请输入图中的字符') }]}>
          <Input autoComplete="off" maxLength={8} placeholder={t('请输入图中的字符')} />
        </Form.Item>
        <img
          src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(challenge.svg)}`}
          alt={t('图形验证码')}
          width={120}
          height={44}
          style={{ flex: 'none', borderRadius: 4, border: '1px solid #d9d9d9' }}
          data-testid="captcha-image"
        />
      </Space.Compact>
    </Form.Item>
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
  phone: () => Promise<string | null>;
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
    const p = await phone();
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
    <Button onClick={send} loading={busy} disabled={left > 0} data-testid="send-code" style={{ flex: 'none' }}>
      {left > 0 ? t('{n} 秒后重新获取', { n: left }) : t('获取验证码')}
    </Button>
  );
}

/** The SMS code field (form field `smsCode`, 6 digits) with its "获取验证码" button; `sent` shows the validity hint. */
export function SmsCodeField(props: Parameters<typeof SendCodeButton>[0] & { sent: boolean }) {
  const { t } = useI18n();
  const { sent, ...button } = props;
  return (
    <Form.Item label={t('短信验证码')} required extra={sent ? t('验证码已发送，5 分钟内有效') : undefined}>
      <Space.Compact style={{ width: '100%' }}>
        <Form.Item
          name="smsCode"
          noStyle
          rules={[
            { required: true, message: t('请输入短信验证码') },
            { pattern: /^\d{6}$/, message: t('验证码为 6 位数字') },
          ]}
        >
          <Input inputMode="numeric" maxLength={6} autoComplete="one-time-code" aria-label={t('短信验证码')} />
        </Form.Item>
        <SendCodeButton {...button} />
      </Space.Compact>
    </Form.Item>
  );
}
