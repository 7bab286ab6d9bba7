/**
 * 申请详情 (/applications/:id), the applicant's view of one application: its
 * status, what was applied for (the built-in fields and the chain's form,
 * read-only), the timeline with names, the route ahead (each remaining step:
 * reached or skipped by which condition, who would act and why), the
 * attachments, what the caller may do (components/ApplicationActions: withdraw,
 * urge, comment, cc, an approver's retract; refused ones with their reasons;
 * when returned, resubmit with the form editable again) and the printable
 * 审批单 (HTML and PDF).
 */
import { useRef, useState } from 'react';
import { App, Button, Card, Col, Descriptions, Form, Input, InputNumber, Row, Space, Tag, Typography } from 'antd';
import { ArrowLeftOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { ApiError, get, newKey, post, type FieldError } from '../api';
import { AppTimeline, type TimelineEntry } from '../components/AppTimeline';
import { ApplicationActions } from '../components/ApplicationActions';
import { Attachments } from '../components/Attachments';
import { applyFieldErrors, ErrorAlert } from '../components/ErrorAlert';
import { PrintButtons } from '../components/PrintButtons';
import { RoutePreview } from '../components/RoutePreview';
import { editLabel, FormValuesView, SchemaForm, type FormAccess, type FormDefinition, type FormValues, type SchemaFormHandle } from '../components/SchemaForm';
import { useLoad } from '../components/useLoad';
import { useI18n } from '../i18n';
import { APP_STATUS, APP_TYPES, label, STATUS_COLORS } from '../labels';
import { navigate } from '../router';
import { useSession } from '../session';
import { isOrgApplication } from '../../../domain/action-availability';

export interface ApplicationDetail {
  id: string;
  type: string;
  title: string;
  status: string;
  currentStep: string | null;
  applicant: string | null;
  applicantName?: string;
  applicantOrg: string;
  targetOrg: string | null;
  chain: { key: string; version: number; owner: string | null };
  createdAt: string;
  updatedAt: string;
  payload: Record<string, unknown> & { form?: FormValues };
  /** The chain's form as this viewer sees it, and their access per field. */
  form?: FormDefinition;
  formAccess?: FormAccess;
  timeline: TimelineEntry[];
}

export default function ApplicationPage({ id }: { id: string }) {
  const { t, lang, m } = useI18n();
  const { user, has, orgName } = useSession();
  const app = useLoad(() => get<ApplicationDetail>(`/api/applications/${encodeURIComponent(id)}`), [id]);

  if (app.error && !app.data) return <ErrorAlert error={app.error} />;
  const a = app.data;
  if (!a) return <Card loading />;
  const p = a.payload;
  const mine = !!user && (a.applicant === user.username || (isOrgApplication(a.type) && user.org === a.applicantOrg && has('staff', 'admin')));
  const open = a.status === 'pending' || a.status === 'returned';

  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }} data-testid="application-page">
      <Card
        title={
          <Space wrap>
            <Button type="text" icon={<ArrowLeftOutlined />} onClick={() => navigate('/applications')} aria-label={t('返回')} />
            <span data-testid="application-title">{a.title}</span>
            <Tag>{label(APP_TYPES, a.type, lang)}</Tag>
            <Tag color={STATUS_COLORS[a.status]} data-testid="application-status">
              {label(APP_STATUS, a.status, lang)}
            </Tag>
          </Space>
        }
      >
        <Descriptions
          size="small"
          column={{ xs: 1, md: 3 }}
          items={[
            { key: 'org', label: t('申请单位'), children: orgName(a.applicantOrg) },
            { key: 'by', label: t('申请人'), children: a.applicantName ?? a.timeline.find((e) => e.action === 'submitted')?.actorName ?? '—' },
            { key: 'at', label: t('提交时间'), children: dayjs(a.createdAt).format('YYYY-MM-DD HH:mm') },
            { key: 'step', label: t('当前步骤'), children: a.currentStep ? m(a.currentStep) : '—' },
          ]}
        />
        <div style={{ marginTop: 12 }}>
          <PrintButtons applicationId={a.id} title={a.title} />
        </div>
      </Card>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={15}>
          <Space orientation="vertical" size={16} style={{ width: '100%' }}>
            <Card title={t('申请内容')} size="small" data-testid="application-content">
              {a.status === 'returned' && mine && a.type === 'campaign_plan' && typeof p.campaignId === 'string' ? (
                <Button type="primary" onClick={() => navigate(`/campaigns/${encodeURIComponent(p.campaignId as string)}?tab=plan`)}>
                  {t('到行动计划中修改后重新提交')}
                </Button>
              ) : a.status === 'returned' && mine ? (
                <Resubmit app={a} />
              ) : (
                <>
                  <Descriptions
                    size="small"
                    column={1}
                    bordered
                    items={[
                      { key: 'title', label: t('标题'), children: a.title },
                      ...(typeof p.amount === 'number'
                        ? [{ key: 'amount', label: t('金额（元）'), children: p.amount.toLocaleString('zh-CN', { minimumFractionDigits: 2 }) }]
                        : []),
                      ...(typeof p.reason === 'string' ? [{ key: 'reason', label: t('事由'), children: m(p.reason) }] : []),
                    ]}
                  />
                  {a.form && (
                    <div style={{ marginTop: 12 }}>
                      <FormValuesView definition={a.form} value={p.form ?? {}} />
                    </div>
                  )}
                </>
              )}
            </Card>
            <Card title={t('审批记录')} size="small">
              <AppTimeline entries={a.timeline} fieldLabel={editLabel(a.form, lang)} />
            </Card>
          </Space>
        </Col>
        <Col xs={24} xl={9}>
          <Space orientation="vertical" size={16} style={{ width: '100%' }}>
            <ApplicationActions applicationId={a.id} />
            <Card title={t('审批路线')} size="small">
              <RoutePreview applicationId={a.id} />
            </Card>
            <Card title={t('附件')} size="small">
              <Attachments applicationId={a.id} canUpload={mine && open} />
            </Card>
          </Space>
        </Col>
      </Row>
    </Space>
  );
}

/** 修改后重新提交: a returned application with its fields and form editable again. */
function Resubmit({ app }: { app: ApplicationDetail }) {
  const { t, lang } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ title: string; amount?: number; reason?: string; comment?: string }>();
  const schemaForm = useRef<SchemaFormHandle>(null);
  const [values, setValues] = useState<FormValues>(app.payload.form ?? {});
  const [error, setError] = useState<unknown>(null);
  const [rest, setRest] = useState<FieldError[]>([]);
  const [formErrors, setFormErrors] = useState<FieldError[]>([]);
  const [busy, setBusy] = useState(false);
  const [key, setKey] = useState(newKey);
  const p = app.payload;
  const lastReturn = [...app.timeline].reverse().find((e) => e.action === 'return');

  const submit = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v || !(schemaForm.current?.validate() ?? true)) return;
    setBusy(true);
    setError(null);
    setRest([]);
    setFormErrors([]);
    const changes: Record<string, unknown> = {};
    if (v.title !== app.title) changes.title = v.title;
    if (v.amount !== undefined && v.amount !== p.amount) changes.amount = v.amount;
    if (v.reason !== undefined && v.reason !== p.reason) changes.reason = v.reason;
    if (app.form && JSON.stringify(values) !== JSON.stringify(p.form ?? {})) changes.form = values;
    try {
      await post(
        `/api/applications/${encodeURIComponent(app.id)}/actions`,
        { action: 'resubmit', ...(v.comment?.trim() ? { comment: v.comment.trim() } : {}), ...(Object.keys(changes).length ? { changes } : {}) },
        { idempotencyKey: key },
      );
      void message.success(t('已重新提交'));
      setKey(newKey());
    } catch (e) {
      setError(e);
      if (e instanceof ApiError) {
        const unplaced = applyFieldErrors(form, e, lang, (path) => {
          const f = path.replace(/^changes\./, '');
          return ['title', 'amount', 'reason', 'comment'].includes(f) ? [f] : undefined;
        });
        const formPaths = unplaced.map((x) => ({ ...x, path: x.path.replace(/^changes\./, '') }));
        setFormErrors(formPaths.filter((x) => x.path.startsWith('form.')));
        setRest(unplaced.filter((x) => !x.path.replace(/^changes\./, '').startsWith('form.')));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <div data-testid="resubmit">
      {lastReturn?.comment && (
        <Typography.Paragraph type="warning" data-testid="return-comment">
          {t('退回意见')}：{lastReturn.comment}
        </Typography.Paragraph>
      )}
      <Form
        form={form}
        layout="vertical"
        initialValues={{
          title: app.title,
          amount: typeof p.amount === 'number' ? p.amount : undefined,
          reason: typeof p.reason === 'string' ? p.reason : undefined,
        }}
      >
        <Form.Item name="title" label={t('标题')} rules={[{ required: true, whitespace: true, message: t('请填写标题') }]}>
          <Input maxLength={200} />
        </Form.Item>
        {typeof p.amount === 'number' && (
          <Form.Item name="amount" label={t('金额（元）')} rules={[{ required: true, message: t('请填写金额') }]}>
            <InputNumber min={0.01} precision={2} style={{ width: '100%' }} />
          </Form.Item>
        )}
        {typeof p.reason === 'string' && (
          <Form.Item name="reason" label={t('事由')} rules={[{ required: true, whitespace: true, message: t('请填写事由') }]}>
            <Input.TextArea rows={3} maxLength={2000} />
          </Form.Item>
        )}
        {app.form && <SchemaForm ref={schemaForm} definition={app.form} value={values} onChange={setValues} errors={formErrors} disabled={busy} />}
        <Form.Item name="comment" label={t('说明（可选）')}>
          <Input.TextArea rows={2} maxLength={2000} />
        </Form.Item>
      </Form>
      <ErrorAlert error={error} fields={rest} />
      <Button type="primary" loading={busy} onClick={() => void submit()} data-testid="resubmit-button">
        {t('修改后重新提交')}
      </Button>
    </div>
  );
}
