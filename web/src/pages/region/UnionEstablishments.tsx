/**
 * 建会程序 on the region's project view: start establishing a union of the
 * project (name, kind, the ledger enterprise), and each union's steps as a
 * progress line — 筹备批复 → 成立筹备组 → 发展会员 → 会员大会选举 → 上级工会批复
 * — with who decided each and when (Beijing time), what it recorded and its
 * documents. The region's own current step is done here: its fields, its
 * documents (attachments on the step's task) and 完成此步骤; the approvals
 * wait in the higher union's reviewers' 待办. A union counts (and its
 * enterprise is crossed off) only when the election is approved.
 */
import { useEffect, useState } from 'react';
import { Alert, Button, Card, DatePicker, Empty, Form, Input, InputNumber, Select, Space, Steps, Tag, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { Link } from '../../router';
import { get, newKey, post, type FieldError } from '../../api';
import { Attachments } from '../../components/Attachments';
import { applyFieldErrors, ErrorAlert } from '../../components/ErrorAlert';
import { useLoad } from '../../components/useLoad';
import { useI18n } from '../../i18n';
import { beijingTime } from '../../../../domain/beijing-time';

interface StepView {
  index: number;
  id: string;
  name: string;
  by: 'higher_union' | 'region';
  state: 'done' | 'current' | 'waiting' | 'skipped' | 'rejected' | 'returned';
  taskId: string | null;
  decidedByName: string | null;
  decidedAt: string | null;
  holderName: string | null;
  fields: string[];
  values: Record<string, unknown>;
  documents: { id: string; name: string; uploadedByName: string | null; uploadedAt: string }[];
}
export interface UnionView {
  id: string;
  name: string;
  kind: string;
  kindName: string;
  enterprise: { id: number; name: string | null } | null;
  status: 'in_progress' | 'established' | 'rejected' | 'withdrawn';
  statusName: string;
  counted: boolean;
  reports: number;
  startedByName: string | null;
  startedAt: string;
  applicationId: string | null;
  electionDate: string | null;
  chair: string | null;
  org: { id: string; name: string } | null;
  establishedAt: string | null;
  steps: StepView[];
}

const KINDS = [
  { value: 'enterprise', zh: '企业工会', en: 'Enterprise union' },
  { value: 'joint', zh: '联合工会', en: 'Joint union' },
  { value: 'industry_federation', zh: '行业工会联合会', en: 'Industry federation' },
  { value: 'regional_federation', zh: '区域工会联合会', en: 'Regional federation' },
];
const STATUS_COLOR: Record<string, string> = { in_progress: 'processing', established: 'success', rejected: 'error', withdrawn: 'default' };
const STEP_STATUS: Record<StepView['state'], 'finish' | 'process' | 'wait' | 'error'> = {
  done: 'finish',
  current: 'process',
  waiting: 'wait',
  skipped: 'wait',
  rejected: 'error',
  returned: 'error',
};
const FIELD_LABELS: Record<string, string> = {
  prepGroupLead: '筹备组组长',
  memberCount: '发展会员人数',
  electionDate: '选举日期',
  chair: '当选工会主席',
};

export function UnionEstablishments({ projectId, campaignId, region, open }: { projectId: string; campaignId: string; region: string; open: boolean }) {
  const { t, m } = useI18n();
  const unions = useLoad(() => get<{ unions?: UnionView[] }>(`/api/projects/${encodeURIComponent(projectId)}`), [projectId]);
  const list = unions.data?.unions ?? [];
  // Between two steps (the workflow opening the next task) nothing is current for a moment: look again shortly.
  const between = list.some((u) => u.status === 'in_progress' && !u.steps.some((s) => s.state === 'current'));
  const { reload } = unions;
  useEffect(() => {
    if (!between) return;
    const timer = setTimeout(() => void reload(), 800);
    return () => clearTimeout(timer);
  }, [between, unions.data, reload]);
  return (
    <Card size="small" style={{ marginTop: 16 }} title={t('建会程序')} data-testid="union-establishments">
      <Typography.Paragraph type="secondary">
        {t('每个工会经筹备批复、成立筹备组、发展会员、会员大会选举、上级工会批复五步；上级工会批复后才计入建会数、企业销号并加入组织机构。')}
      </Typography.Paragraph>
      <ErrorAlert error={unions.error} />
      {open && <StartUnion projectId={projectId} campaignId={campaignId} region={region} onStarted={() => void unions.reload()} />}
      {list.length === 0 && !unions.loading && <Empty description={t('尚未发起建会')} />}
      {list.map((u) => (
        <Card
          key={u.id}
          type="inner"
          size="small"
          style={{ marginTop: 12 }}
          data-testid="union-card"
          title={
            <Space wrap>
              <span>{u.name}</span>
              <Tag>{m(u.kindName)}</Tag>
              <Tag color={STATUS_COLOR[u.status]}>{m(u.statusName)}</Tag>
            </Space>
          }
          extra={u.applicationId ? <Link to={`/applications/${encodeURIComponent(u.applicationId)}`}>{t('办理记录')}</Link> : null}
        >
          <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
            {[
              u.enterprise?.name ? t('台账企业：{name}', { name: u.enterprise.name }) : null,
              u.startedByName ? t('{name} 于 {at} 发起', { name: u.startedByName, at: beijingTime(u.startedAt) }) : null,
              u.reports ? t('进展报送中提及 {n} 次', { n: u.reports }) : null,
              u.counted && u.org ? t('已加入组织机构：{name}', { name: u.org.name }) : null,
            ]
              .filter(Boolean)
              .join(' · ')}
          </Typography.Paragraph>
          <Steps
            size="small"
            data-testid="union-steps"
            current={currentStep(u.steps)}
            items={u.steps.map((s) => ({
              title: m(s.name),
              status: STEP_STATUS[s.state],
              description: <StepNote step={s} />,
            }))}
          />
          {u.steps
            .filter((s) => s.state === 'current')
            .map((s) =>
              s.by === 'region' && s.taskId && u.applicationId ? (
                <RegionStep key={s.taskId} step={s} applicationId={u.applicationId} onDone={() => void unions.reload()} />
              ) : (
                <Alert
                  key={s.index}
                  style={{ marginTop: 12 }}
                  type="info"
                  showIcon
                  title={t('“{step}”在上级工会审核员的待办中{who}', {
                    step: m(s.name),
                    who: s.holderName ? t('（{name}）', { name: s.holderName }) : '',
                  })}
                />
              ),
            )}
          {u.status === 'established' && (
            <Alert
              style={{ marginTop: 12 }}
              type="success"
              showIcon
              title={t('上级工会已批复，计入建会数{extra}', {
                extra: u.enterprise ? t('，{name} 已销号', { name: u.enterprise.name ?? '' }) : '',
              })}
              description={[u.electionDate ? t('选举日期 {d}', { d: u.electionDate }) : null, u.chair ? t('当选工会主席 {c}', { c: u.chair }) : null]
                .filter(Boolean)
                .join(' · ')}
            />
          )}
        </Card>
      ))}
    </Card>
  );
}

/** The step the line marks: the current one, else the first not done (past the end when all are). */
const currentStep = (steps: StepView[]) => {
  const i = steps.findIndex((s) => s.state === 'current');
  return i >= 0 ? i : steps.filter((s) => s.state === 'done').length;
};

const shown = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : JSON.stringify(v));

function StepNote({ step }: { step: StepView }) {
  const { t } = useI18n();
  const lines: string[] = [];
  if (step.decidedByName && step.decidedAt) lines.push(t('{name} {at}', { name: step.decidedByName, at: beijingTime(step.decidedAt) }));
  else if (step.state === 'waiting') lines.push(step.by === 'region' ? t('本地区办理') : t('上级工会办理'));
  for (const f of step.fields) if (step.values[f] !== null && step.values[f] !== undefined) lines.push(`${t(FIELD_LABELS[f] ?? f)}：${shown(step.values[f])}`);
  if (step.documents.length) lines.push(t('材料 {n} 份', { n: step.documents.length }));
  return (
    <span style={{ fontSize: 12 }}>
      {lines.map((l, i) => (
        <div key={i}>{l}</div>
      ))}
    </span>
  );
}

interface StartForm {
  name: string;
  kind: string;
  enterpriseId?: string;
}

function StartUnion({ projectId, campaignId, region, onStarted }: { projectId: string; campaignId: string; region: string; onStarted(): void }) {
  const { t, lang } = useI18n();
  const [form] = Form.useForm<StartForm>();
  const [error, setError] = useState<unknown>(null);
  const [unplaced, setUnplaced] = useState<FieldError[]>([]);
  const [busy, setBusy] = useState(false);
  const [key, setKey] = useState(newKey);
  const ledger = useLoad(
    () =>
      get<{ items: { id: string; name: string }[] }>(`/api/campaigns/${encodeURIComponent(campaignId)}/regions/${encodeURIComponent(region)}/gaps?limit=500`),
    [campaignId, region],
  );
  const submit = async (v: StartForm) => {
    setBusy(true);
    setError(null);
    try {
      await post(
        `/api/projects/${encodeURIComponent(projectId)}/unions`,
        { name: v.name.trim(), kind: v.kind, ...(v.enterpriseId ? { enterpriseId: Number(v.enterpriseId) } : {}) },
        { idempotencyKey: key },
      );
      setKey(newKey());
      form.resetFields();
      onStarted();
    } catch (e) {
      setUnplaced(applyFieldErrors(form, e, lang, (p) => (['name', 'kind', 'enterpriseId'].includes(p) ? [p] : undefined)));
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Form<StartForm> form={form} layout="inline" onFinish={submit} initialValues={{ kind: 'enterprise' }} data-testid="start-union">
      <Form.Item name="name" rules={[{ required: true, whitespace: true, message: t('请填写工会名称') }]}>
        <Input placeholder={t('工会名称')} style={{ width: 260 }} />
      </Form.Item>
      <Form.Item name="kind" rules={[{ required: true, message: t('请选择工会类型') }]}>
        <Select style={{ width: 170 }} options={KINDS.map((k) => ({ value: k.value, label: lang === 'zh' ? k.zh : k.en }))} />
      </Form.Item>
      <Form.Item name="enterpriseId">
        <Select
          allowClear
          placeholder={t('台账企业（可选）')}
          style={{ width: 240 }}
          options={(ledger.data?.items ?? []).map((e) => ({ value: String(e.id), label: e.name }))}
        />
      </Form.Item>
      <Form.Item>
        <Button type="primary" htmlType="submit" loading={busy}>
          {t('发起建会')}
        </Button>
      </Form.Item>
      <div style={{ width: '100%', marginTop: 8 }}>
        <ErrorAlert error={error} fields={unplaced} />
      </div>
    </Form>
  );
}

interface StepForm {
  prepGroupLead?: string;
  memberCount?: number | null;
  electionDate?: Dayjs | null;
  chair?: string;
}

/** The region's own current step: its fields, its documents, and 完成此步骤 (an approval of the step's task). */
function RegionStep({ step, applicationId, onDone }: { step: StepView; applicationId: string; onDone(): void }) {
  const { t, m, lang } = useI18n();
  const [form] = Form.useForm<StepForm>();
  const [error, setError] = useState<unknown>(null);
  const [unplaced, setUnplaced] = useState<FieldError[]>([]);
  const [busy, setBusy] = useState(false);
  const [key] = useState(newKey);
  const submit = async (v: StepForm) => {
    setBusy(true);
    setError(null);
    const values: Record<string, unknown> = {};
    if (step.fields.includes('prepGroupLead') && v.prepGroupLead?.trim()) values.prepGroupLead = v.prepGroupLead.trim();
    if (step.fields.includes('memberCount') && typeof v.memberCount === 'number') values.memberCount = v.memberCount;
    if (step.fields.includes('electionDate') && v.electionDate) values.electionDate = v.electionDate.format('YYYY-MM-DD');
    if (step.fields.includes('chair') && v.chair?.trim()) values.chair = v.chair.trim();
    try {
      await post(
        `/api/tasks/${encodeURIComponent(step.taskId!)}/actions`,
        { action: 'approve', comment: t('已完成：{step}', { step: m(step.name) }), ...(Object.keys(values).length ? { form: values } : {}) },
        { idempotencyKey: key },
      );
      onDone();
    } catch (e) {
      setUnplaced(applyFieldErrors(form, e, lang, (p) => (p.startsWith('form.') ? [p.slice(5)] : undefined)));
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const required = (msg: string) => [{ required: true, message: t(msg) }];
  return (
    <Card size="small" style={{ marginTop: 12 }} title={t('办理本步骤：{step}', { step: m(step.name) })} data-testid="region-step">
      <Form<StepForm> form={form} layout="vertical" onFinish={submit}>
        <Space wrap align="start">
          {step.fields.includes('prepGroupLead') && (
            <Form.Item name="prepGroupLead" label={t('筹备组组长')} rules={required('请填写筹备组组长')}>
              <Input style={{ width: 200 }} />
            </Form.Item>
          )}
          {step.fields.includes('memberCount') && (
            <Form.Item name="memberCount" label={t('发展会员人数')} rules={required('请填写会员人数')}>
              <InputNumber min={0} precision={0} style={{ width: 160 }} />
            </Form.Item>
          )}
          {step.fields.includes('electionDate') && (
            <Form.Item name="electionDate" label={t('会员大会选举日期')} rules={required('请选择选举日期')}>
              <DatePicker />
            </Form.Item>
          )}
          {step.fields.includes('chair') && (
            <Form.Item name="chair" label={t('当选工会主席')} rules={required('请填写当选工会主席')}>
              <Input style={{ width: 200 }} />
            </Form.Item>
          )}
        </Space>
        <Form.Item label={t('本步骤材料')}>
          <Attachments applicationId={applicationId} canUpload taskId={step.taskId!} />
        </Form.Item>
        <ErrorAlert error={error} fields={unplaced} />
        <Button type="primary" htmlType="submit" loading={busy}>
          {t('完成此步骤')}
        </Button>
      </Form>
    </Card>
  );
}
