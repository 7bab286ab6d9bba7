/**
 * 扫码入会: the public, mobile-first join page a worker reaches from a
 * union's QR poster (/join?union=<id>), or directly (then the worker picks
 * the area). The phone is verified by an SMS code (获取验证码, with the
 * resend cool-down; a CAPTCHA when the server asks for one). It feeds the
 * membership chain (网上入会); afterwards the worker keeps the short
 * reference (RH2611-4821) to look up the status with their phone.
 */
import { useEffect, useMemo, useState } from 'react';
import { Alert, Button, Card, Checkbox, Form, Input, Result, Select, Spin, Typography } from 'antd';
import { get, newKey, post, type FieldError } from '../api';
import { applyFieldErrors, ErrorAlert } from '../components/ErrorAlert';
import { useLoad } from '../components/useLoad';
import { useI18n } from '../i18n';
import { LangSwitch } from '../components/LangSwitch';
import { Link } from '../router';
import { CaptchaField, SmsCodeField, useCaptcha } from '../components/PhoneCode';

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
  employer?: string;
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

export function PublicShell({ children }: { children: React.ReactNode }) {
  const { t } = useI18n();
  return (
    <div className="ud-public">
      <div className="ud-public-inner">
        <div style={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', color: '#fff', padding: '8px 4px 16px' }}>
          <div>
            <div style={{ fontSize: 24, fontWeight: 700, letterSpacing: 4 }}>{t('扫码入会')}</div>
            <div style={{ opacity: 0.85, fontSize: 13 }}>{t('工会是职工之家 · 欢迎您加入工会组织')}</div>
          </div>
          <LangSwitch />
        </div>
        {children}
      </div>
    </div>
  );
}

export default function Join({ union: unionId }: { union: string | null }) {
  const { t, lang } = useI18n();
  const [form] = Form.useForm<JoinForm>();
  const { data, error, loading } = useLoad(() => get<PublicUnions>('/api/public/unions', { anonymous: true }), []);
  const [submitError, setSubmitError] = useState<unknown>(null);
  const [unplaced, setUnplaced] = useState<FieldError[]>([]);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<{ id: string; reference: string } | null>(null);
  const [codeSent, setCodeSent] = useState(false);
  const captcha = useCaptcha();
  const [key] = useState(newKey);
  const union = data?.unions.find((u) => u.id === unionId);
  const groupNames = useMemo(() => new Map((data?.groups ?? []).map((g) => [g.id, g.name])), [data]);
  const groupOptions = (union ? union.groups : (data?.groups ?? []).map((g) => g.id)).map((g) => ({ value: g, label: groupNames.get(g) ?? g }));
  // The union from the QR code: its only group is chosen for the worker.
  useEffect(() => {
    if (union?.groups.length === 1 && !form.getFieldValue('group')) form.setFieldsValue({ group: union.groups[0] });
  }, [union, form]);
  // The server offers exactly the orgs a worker may apply at (cities, counties, industry unions).
  const areaOptions = (data?.areas ?? []).map((a) => ({ value: a.id, label: a.name }));
  const phoneToVerify = async () => {
    try {
      const v = await form.validateFields(['phone']);
      return v.phone.trim();
    } catch {
      return null;
    }
  };
  const refused = (e: unknown) => {
    captcha.update(e);
    form.setFieldValue('captchaAnswer', undefined);
    setUnplaced(applyFieldErrors(form, e, lang, (p) => (p === 'phone' ? ['phone'] : undefined)));
    setSubmitError(e);
  };

  const submit = async (v: JoinForm) => {
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
      ...(v.employer?.trim() ? { employer: v.employer.trim() } : {}),
      smsCode: v.smsCode.trim(),
      ...captcha.body(v.captchaAnswer),
    };
    try {
      const r = await post<{ id: string; reference: string; viewerToken?: string }>('/api/applications', body, { anonymous: true, idempotencyKey: key });
      if (r.viewerToken) sessionStorage.setItem(STATUS_TOKEN_KEY, r.viewerToken);
      setDone({ id: r.id, reference: r.reference ?? r.id });
    } catch (e) {
      captcha.update(e);
      form.setFieldValue('captchaAnswer', undefined);
      setUnplaced(
        applyFieldErrors(form, e, lang, (p) =>
          ['name', 'idNumber', 'phone', 'group', 'area', 'employer', 'smsCode'].includes(p)
            ? [union && p === 'area' ? 'group' : p]
            : p === 'captcha'
              ? ['captchaAnswer']
              : undefined,
        ),
      );
      setSubmitError(e);
    } finally {
      setBusy(false);
    }
  };

  if (done)
    return (
      <PublicShell>
        <Card>
          <Result
            status="success"
            title={t('提交成功')}
            subTitle={t('您的入会申请已提交{union}，工会将在 3 个工作日内初审。', { union: union ? `${t('至')}${union.name}` : '' })}
            extra={[
              <div key="id" style={{ marginBottom: 16 }}>
                <Typography.Text type="secondary">{t('申请编号（请截图或记下，用于查询进度）')}</Typography.Text>
                <Typography.Title
                  level={4}
                  copyable
                  data-testid="reference-number"
                  style={{ marginTop: 4, fontFamily: 'ui-monospace, Menlo, Consolas, monospace', wordBreak: 'break-all' }}
                >
                  {done.reference}
                </Typography.Title>
                <Typography.Text type="secondary" style={{ fontSize: 13 }}>
                  {t('查询时需要申请编号（或身份证号）和本手机号的短信验证码')}
                </Typography.Text>
              </div>,
              <Link key="status" to={`/join/status?ref=${encodeURIComponent(done.reference)}`}>
                <Button type="primary" size="large" block>
                  {t('查询办理进度')}
                </Button>
              </Link>,
            ]}
          />
        </Card>
      </PublicShell>
    );

  return (
    <PublicShell>
      <Card styles={{ body: { padding: 16 } }}>
        {loading && <Spin />}
        <ErrorAlert error={error} />
        {unionId && data && !union && <Alert type="warning" showIcon style={{ marginBottom: 16 }} title={t('二维码中的工会不存在或已调整，请选择所在地区')} />}
        {union && (
          <div style={{ marginBottom: 16 }} data-testid="join-union">
            <Typography.Text type="secondary">{t('申请加入')}</Typography.Text>
            <Typography.Title level={4} style={{ margin: '2px 0' }}>
              {union.name}
            </Typography.Title>
            <Typography.Text type="secondary">{union.areaName}</Typography.Text>
          </div>
        )}
        <Form<JoinForm> form={form} layout="vertical" size="large" onFinish={submit} requiredMark={false} data-testid="join-form">
          <Form.Item name="name" label={t('姓名')} rules={[{ required: true, whitespace: true, message: t('请填写姓名') }, { max: 50 }]}>
            <Input autoComplete="name" />
          </Form.Item>
          <Form.Item
            name="idNumber"
            label={t('身份证号')}
            rules={[
              { required: true, message: t('请填写身份证号') },
              {
                validator: (_, v: string) => {
                  const p = v ? idNumberProblem(v) : null;
                  if (p) return Promise.reject(new Error(t(p)));
                  return Promise.resolve();
                },
              },
            ]}
          >
            <Input inputMode="text" maxLength={18} autoComplete="off" />
          </Form.Item>
          <Form.Item
            name="phone"
            label={t('手机号')}
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
            purpose="join"
            captcha={() => captcha.body(form.getFieldValue('captchaAnswer') as string | undefined)}
            onError={refused}
            onSent={() => {
              setCodeSent(true);
              setSubmitError(null);
              captcha.clear();
              form.setFieldValue('captchaAnswer', undefined);
            }}
          />
          <Form.Item name="group" label={t('所属群体')} rules={[{ required: true, message: t('请选择所属群体') }]}>
            <Select options={groupOptions} placeholder={t('请选择')} />
          </Form.Item>
          {!union && (
            <Form.Item name="area" label={t('工作所在地区')} rules={[{ required: true, message: t('请选择地区') }]}>
              <Select options={areaOptions} placeholder={t('请选择')} showSearch optionFilterProp="label" />
            </Form.Item>
          )}
          <Form.Item name="employer" label={t('工作单位（选填）')} rules={[{ max: 200 }]}>
            <Input placeholder={t('如：某快递网点、某外卖平台站点')} />
          </Form.Item>
          <Form.Item
            name="consent"
            valuePropName="checked"
            rules={[
              {
                validator: (_, v: boolean) => {
                  if (!v) return Promise.reject(new Error(t('请阅读并同意')));
                  return Promise.resolve();
                },
              },
            ]}
          >
            <Checkbox>{t('我自愿加入中华全国总工会，承认《中国工会章程》，同意工会为办理入会使用我的上述信息')}</Checkbox>
          </Form.Item>
          <ErrorAlert error={submitError} fields={unplaced} />
          <Button type="primary" htmlType="submit" block loading={busy}>
            {t('申请入会')}
          </Button>
        </Form>
        <Typography.Paragraph style={{ textAlign: 'center', marginTop: 16, marginBottom: 0 }}>
          <Link to="/join/status">{t('已提交过？查询办理进度')}</Link>
        </Typography.Paragraph>
      </Card>
    </PublicShell>
  );
}
