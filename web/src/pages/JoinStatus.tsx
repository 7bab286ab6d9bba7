/**
 * 入会进度查询: the worker enters the reference number and the phone given
 * with the application; the answer shows where the application is in the
 * eight-step loop (八步闭环) — without any personal data.
 */
import { useState } from 'react';
import { Button, Card, Form, Input, Steps, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { get } from '../api';
import { AppTimeline, type TimelineEntry } from '../components/AppTimeline';
import { applyFieldErrors, ErrorAlert } from '../components/ErrorAlert';
import { useI18n } from '../i18n';
import { APP_STATUS, label, STATUS_COLORS } from '../labels';
import { Link } from '../router';
import { PublicShell } from './Join';

interface PublicStatus {
  id: string;
  status: string;
  currentStep: string | null;
  union: { id: string; name: string } | null;
  createdAt: string;
  updatedAt: string;
  timeline: TimelineEntry[];
}

const LOOP = ['提交申请', '平台分拣', '信息初审', '任务分配', '身份审核', '吸纳入会', '信息采集', '实名认证'];
const LOOP_EN = ['Submitted', 'Sorting', 'Initial review', 'Assignment', 'Identity review', 'Admission', 'Information', 'Verification'];

export default function JoinStatus({ initialId }: { initialId: string | null }) {
  const { t, lang, m } = useI18n();
  const [form] = Form.useForm<{ id: string; phone: string }>();
  const [result, setResult] = useState<PublicStatus | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const lookup = async (v: { id: string; phone: string }) => {
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      setResult(
        await get<PublicStatus>(`/api/public/applications/${encodeURIComponent(v.id.trim())}?phone=${encodeURIComponent(v.phone.trim())}`, { anonymous: true }),
      );
    } catch (e) {
      applyFieldErrors(form, e, lang, (p) => (p === 'phone' ? ['phone'] : undefined));
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const stepIndex = (() => {
    if (!result) return 0;
    if (result.status === 'approved') return LOOP.length;
    const zh = result.currentStep?.split(' / ')[0]?.trim();
    const i = zh ? LOOP.indexOf(zh) : -1;
    return i >= 0 ? i : 1;
  })();

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
          initialValues={{ id: initialId ?? '' }}
          requiredMark={false}
          data-testid="status-form"
        >
          <Form.Item name="id" label={t('申请编号')} rules={[{ required: true, whitespace: true, message: t('请填写申请编号') }]}>
            <Input autoComplete="off" />
          </Form.Item>
          <Form.Item
            name="phone"
            label={t('申请时填写的手机号')}
            rules={[
              { required: true, message: t('请填写手机号') },
              { pattern: /^1[3-9]\d{9}$/, message: t('请输入 11 位手机号') },
            ]}
          >
            <Input inputMode="numeric" maxLength={11} />
          </Form.Item>
          <ErrorAlert error={error} fields={[]} />
          <Button type="primary" htmlType="submit" block loading={busy}>
            {t('查询')}
          </Button>
        </Form>
      </Card>
      {result && (
        <Card style={{ marginTop: 16 }} styles={{ body: { padding: 16 } }} data-testid="status-result">
          <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', marginBottom: 12 }}>
            <Typography.Text strong>{result.union ? result.union.name : t('等待分配工会')}</Typography.Text>
            <Tag color={STATUS_COLORS[result.status]} data-testid="public-status">
              {label(APP_STATUS, result.status, lang)}
            </Tag>
          </div>
          <Typography.Paragraph type="secondary" style={{ fontSize: 13 }}>
            {t('提交于 {at}', { at: dayjs(result.createdAt).format('YYYY-MM-DD HH:mm') })}
            {result.currentStep ? ` · ${t('当前')}：${m(result.currentStep)}` : ''}
          </Typography.Paragraph>
          <Steps
            orientation="vertical"
            size="small"
            current={stepIndex}
            status={result.status === 'rejected' ? 'error' : result.status === 'approved' ? 'finish' : 'process'}
            items={LOOP.map((s, i) => ({ title: lang === 'zh' ? s : LOOP_EN[i] }))}
          />
          <Typography.Text strong>{t('办理记录')}</Typography.Text>
          <AppTimeline entries={result.timeline} showActor={false} />
        </Card>
      )}
      <Typography.Paragraph style={{ textAlign: 'center', marginTop: 16 }}>
        <Link to="/join">{t('返回入会申请')}</Link>
      </Typography.Paragraph>
    </PublicShell>
  );
}
