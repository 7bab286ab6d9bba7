/**
 * 入会进度查询: the worker looks up their own applications by the reference
 * (or their ID number) and the phone given with the application, verified by
 * an SMS code — or straight after joining, with the viewer token the join
 * answered. The answer is their progress in fixed words (已提交 → 审核中 →
 * 已入会 / 未通过) and what the system holds about them, masked, with whom to
 * ask for a correction. Phone-first: one column, large inputs.
 */
import { useEffect, useState } from 'react';
import { Button, Card, Descriptions, Form, Input, Segmented, Steps, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { post } from '../api';
import { applyFieldErrors, ErrorAlert } from '../components/ErrorAlert';
import { CaptchaField, SmsCodeField, useCaptcha } from '../components/PhoneCode';
import { useI18n } from '../i18n';
import { Link } from '../router';
import { PublicShell, STATUS_TOKEN_KEY } from './Join';

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
  reference?: string;
  idNumber?: string;
  phone: string;
  smsCode: string;
  captchaAnswer?: string;
}

const PROGRESS_COLORS: Record<string, string> = { reviewing: 'processing', returned: 'warning', admitted: 'success', rejected: 'error', withdrawn: 'default' };

export default function JoinStatus({ initialRef }: { initialRef: string | null }) {
  const { t, m, lang } = useI18n();
  const [form] = Form.useForm<LookupForm>();
  const [by, setBy] = useState<'reference' | 'idNumber'>('reference');
  const [result, setResult] = useState<StatusAnswer | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [codeSent, setCodeSent] = useState(false);
  const captcha = useCaptcha();

  const ask = async (body: object) => {
    setBusy(true);
    setError(null);
    try {
      const r = await post<StatusAnswer>('/api/public/status', body, { anonymous: true });
      sessionStorage.setItem(STATUS_TOKEN_KEY, r.viewerToken);
      setResult(r);
      captcha.clear();
      return true;
    } catch (e) {
      captcha.update(e);
      form.setFieldValue('captchaAnswer', undefined);
      applyFieldErrors(form, e, lang, (p) =>
        ['reference', 'idNumber', 'phone', 'smsCode'].includes(p) ? [p] : p === 'captcha' ? ['captchaAnswer'] : undefined,
      );
      setError(e);
      return false;
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

  const lookup = (v: LookupForm) =>
    ask({
      ...(by === 'reference' ? { reference: v.reference!.trim() } : { idNumber: v.idNumber!.trim().toUpperCase() }),
      phone: v.phone.trim(),
      smsCode: v.smsCode.trim(),
      ...captcha.body(v.captchaAnswer),
    });
  const refresh = () => result && ask({ viewerToken: result.viewerToken });
  const phoneToVerify = async () => {
    try {
      return (await form.validateFields(['phone'])).phone.trim();
    } catch {
      return null;
    }
  };

  return (
    <PublicShell>
      <Card styles={{ body: { padding: 16 } }}>
        <Typography.Title level={4} style={{ marginTop: 0 }}>
          {t('入会进度查询')}
        </Typography.Title>
        <Form
          form={form}
          layout="vertical"
          size="large"
          onFinish={lookup}
          initialValues={{ reference: initialRef ?? '' }}
          requiredMark={false}
          data-testid="status-form"
        >
          <Form.Item>
            <Segmented
              block
              value={by}
              onChange={(v) => setBy(v as 'reference' | 'idNumber')}
              options={[
                { value: 'reference', label: t('按申请编号') },
                { value: 'idNumber', label: t('按身份证号') },
              ]}
              data-testid="lookup-by"
            />
          </Form.Item>
          {by === 'reference' ? (
            <Form.Item name="reference" label={t('申请编号')} rules={[{ required: true, whitespace: true, message: t('请填写申请编号') }]}>
              <Input autoComplete="off" placeholder="RH2611-4821" />
            </Form.Item>
          ) : (
            <Form.Item name="idNumber" label={t('身份证号')} rules={[{ required: true, whitespace: true, message: t('请填写身份证号') }]}>
              <Input autoComplete="off" maxLength={18} />
            </Form.Item>
          )}
          <Form.Item
            name="phone"
            label={t('申请时填写的手机号')}
            rules={[
              { required: true, message: t('请填写手机号') },
              { pattern: /^1[3-9]\d{9}$/, message: t('请输入 11 位手机号') },
            ]}
          >
            <Input inputMode="numeric" maxLength={11} autoComplete="tel" />
          </Form.Item>
          <CaptchaField challenge={captcha.challenge} />
          <SmsCodeField
            sent={codeSent}
            phone={phoneToVerify}
            purpose="status"
            captcha={() => captcha.body(form.getFieldValue('captchaAnswer') as string | undefined)}
            onError={(e) => {
              captcha.update(e);
              form.setFieldValue('captchaAnswer', undefined);
              setError(e);
            }}
            onSent={() => {
              setCodeSent(true);
              setError(null);
              captcha.clear();
              form.setFieldValue('captchaAnswer', undefined);
            }}
          />
          <ErrorAlert error={error} fields={[]} />
          <Button type="primary" htmlType="submit" block loading={busy}>
            {t('查询')}
          </Button>
        </Form>
      </Card>
      {result?.applications.map((a) => (
        <Card key={a.id} style={{ marginTop: 16 }} styles={{ body: { padding: 16 } }} data-testid="status-result">
          <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', gap: 8, marginBottom: 4 }}>
            <Typography.Text strong style={{ fontFamily: 'ui-monospace, Menlo, Consolas, monospace' }} data-testid="status-reference">
              {a.reference}
            </Typography.Text>
            <Tag color={PROGRESS_COLORS[a.progress.code]} data-testid="public-status" style={{ marginInlineEnd: 0 }}>
              {m(a.progress.label)}
            </Tag>
          </div>
          <Typography.Paragraph type="secondary" style={{ fontSize: 13 }}>
            {t('提交于 {at}', { at: dayjs(a.submittedAt).format('YYYY-MM-DD HH:mm') })} ·{' '}
            {t('更新于 {at}', { at: dayjs(a.updatedAt).format('YYYY-MM-DD HH:mm') })}
          </Typography.Paragraph>
          <Steps
            orientation="vertical"
            size="small"
            current={currentStep(a.steps)}
            status={a.progress.code === 'rejected' ? 'error' : a.steps.every((s) => s.state === 'done') ? 'finish' : 'process'}
            items={a.steps.map((s) => ({ title: m(s.label) }))}
          />
          {a.memberCard && (
            <Button type="primary" block href={`/member-card/${encodeURIComponent(a.memberCard)}`} style={{ marginBottom: 16 }} data-testid="member-card-link">
              {t('查看电子会员卡')}
            </Button>
          )}
          <Typography.Text strong>{t('本系统保存的您的信息')}</Typography.Text>
          <Descriptions column={1} size="small" style={{ marginTop: 8 }} data-testid="held-data">
            <Descriptions.Item label={t('姓名')}>{a.held.name ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t('身份证号')}>{a.held.idNumber ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t('手机号')}>{a.held.phone ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t('所属群体')}>{a.held.group ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t('工作单位')}>{a.held.employer ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t('工会')}>{a.held.union}</Descriptions.Item>
          </Descriptions>
          <Typography.Paragraph type="secondary" style={{ fontSize: 13, marginBottom: 0 }} data-testid="correction">
            {m(a.correction)}
          </Typography.Paragraph>
        </Card>
      ))}
      {result && (
        <Button block style={{ marginTop: 16 }} onClick={refresh} loading={busy} data-testid="refresh-status">
          {t('刷新进度')}
        </Button>
      )}
      <Typography.Paragraph style={{ textAlign: 'center', marginTop: 16 }}>
        <Link to="/join">{t('返回入会申请')}</Link>
      </Typography.Paragraph>
    </PublicShell>
  );
}

/** The step being worked on; past the last one when every step is done (so all show as finished). */
function currentStep(steps: { state: string }[]): number {
  const i = steps.findIndex((s) => s.state !== 'done');
  return i === -1 ? steps.length : i;
}
