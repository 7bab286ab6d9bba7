/**
 * 项目清单: the region edits its list of organizing projects (建会项目) and
 * service projects (服务项目) and submits it for review (立项审核). The
 * list's review status and timeline are shown above; a returned list comes
 * back into the editor to be revised and submitted again.
 */
import { useEffect, useState } from 'react';
import { Alert, App, Button, Card, Col, DatePicker, Empty, Form, Input, InputNumber, Radio, Row, Select, Space, Tag, Typography } from 'antd';
import { DeleteOutlined, PlusOutlined, SendOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import { get, newKey, post, type FieldError } from '../../api';
import { AppTimeline, type TimelineEntry } from '../../components/AppTimeline';
import { applyFieldErrors, ErrorAlert } from '../../components/ErrorAlert';
import { useLoad } from '../../components/useLoad';
import { useI18n } from '../../i18n';
import { APP_STATUS, label, ORGANIZING_TYPES, PROJECT_STATUS, PROJECT_TYPES, SERVICE_TYPES, STATUS_COLORS } from '../../labels';
import type { CampaignView } from '../CampaignDashboard';
import { PhaseNote, tabState } from '../RegionWork';
import { ListRevisions } from '../readback/ListRevisions';

export interface ProjectView {
  id: string;
  /** The ledger enterprises the project links, by name (报送留痕). */
  enterprises?: { id: number; name: string; ledgerStatus?: string }[];
  region: string;
  kind: 'organizing' | 'service';
  type: string;
  name: string;
  location: string | null;
  plannedMembers: number | null;
  plannedCoverage: number | null;
  groups: string[];
  responsibleUnit: string;
  dueDate: string | null;
  subsidyAmount: number | null;
  status: string;
  /** membersRecruited: verified members only; membersPending: reported, waiting for real-name verification. */
  progress: { membersRecruited: number; membersPending?: number; unionsEstablished: number; coverageDone: number };
  listApplicationId: string | null;
  assessmentApplicationId: string | null;
  selfAssessment: { summary: string; membersRecruited: number; unionsEstablished: number; coverage?: number } | null;
  rectifyDeadline: string | null;
}

interface ProjectForm {
  kind: 'organizing' | 'service';
  type?: string;
  name?: string;
  location?: string;
  plannedMembers?: number;
  groups?: string[];
  responsibleUnit?: string;
  dueDate?: Dayjs | null;
  enterprises?: string[];
  subsidyAmount?: number | null;
  date?: Dayjs | null;
  plannedCoverage?: number;
}

interface ApplicationDetail {
  id: string;
  status: string;
  currentStep: string | null;
  timeline: TimelineEntry[];
}

const blank = (kind: 'organizing' | 'service'): ProjectForm =>
  kind === 'organizing' ? { kind, type: 'enterprise_union', groups: [] } : { kind, type: 'service_station' };

function toForm(p: ProjectView): ProjectForm {
  if (p.kind === 'organizing')
    return {
      kind: 'organizing',
      type: p.type,
      name: p.name,
      location: p.location ?? '',
      plannedMembers: p.plannedMembers ?? 0,
      groups: p.groups,
      responsibleUnit: p.responsibleUnit,
      dueDate: p.dueDate ? dayjs(p.dueDate) : null,
      subsidyAmount: p.subsidyAmount,
      enterprises: p.enterprises?.map((e) => String(e.id)),
    };
  return {
    kind: 'service',
    type: p.type,
    name: p.name,
    responsibleUnit: p.responsibleUnit,
    date: p.dueDate ? dayjs(p.dueDate) : null,
    plannedCoverage: p.plannedCoverage ?? 0,
    subsidyAmount: p.subsidyAmount,
  };
}

function toBody(p: ProjectForm) {
  const subsidy = p.subsidyAmount ? { subsidyAmount: p.subsidyAmount } : {};
  if (p.kind === 'organizing')
    return {
      kind: 'organizing',
      type: p.type,
      name: p.name?.trim(),
      location: p.location?.trim(),
      plannedMembers: p.plannedMembers,
      groups: p.groups,
      responsibleUnit: p.responsibleUnit?.trim(),
      dueDate: p.dueDate?.format('YYYY-MM-DD'),
      ...(p.enterprises?.length ? { enterprises: p.enterprises.map(Number) } : {}),
      ...subsidy,
    };
  return {
    kind: 'service',
    type: p.type,
    name: p.name?.trim(),
    responsibleUnit: p.responsibleUnit?.trim(),
    date: p.date?.format('YYYY-MM-DD'),
    plannedCoverage: p.plannedCoverage,
    ...subsidy,
  };
}

export function ProjectsTab({
  campaign,
  org,
  listApplicationId,
  listStatus,
  onChanged,
}: {
  campaign: CampaignView;
  org: string;
  listApplicationId: string | null;
  listStatus: string | null;
  onChanged(): void;
}) {
  const { t, lang, m } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ projects: ProjectForm[] }>();
  const [error, setError] = useState<unknown>(null);
  const [unplaced, setUnplaced] = useState<FieldError[]>([]);
  const [busy, setBusy] = useState(false);
  const [key, setKey] = useState(newKey);
  const base = `/api/campaigns/${encodeURIComponent(campaign.id)}`;
  const groups = useLoad(() => get<{ items: { id: string; name: string }[] }>('/api/groups'), []);
  const ledger = useLoad(
    () => get<{ items: { id: string; name: string; employees: number }[] }>(`${base}/regions/${encodeURIComponent(org)}/gaps?limit=500`),
    [base, org],
  );
  const existing = useLoad(() => get<{ items: ProjectView[] }>(`${base}/projects?region=${encodeURIComponent(org)}&limit=500`), [base, org]);
  const app = useLoad(
    () => (listApplicationId ? get<ApplicationDetail>(`/api/applications/${encodeURIComponent(listApplicationId)}`) : Promise.resolve(null)),
    [listApplicationId, listStatus],
  );

  useEffect(() => {
    if (!existing.data) return;
    const items = existing.data.items;
    form.setFieldsValue({ projects: items.length ? items.map(toForm) : [blank('organizing')] });
  }, [existing.data, form]);

  const groupOptions = (groups.data?.items ?? []).filter((g) => campaign.groups.includes(g.id)).map((g) => ({ value: g.id, label: g.name }));
  const status = app.data?.status ?? listStatus;
  const editable = tabState(campaign, 'projects').open && (!status || status === 'returned' || status === 'rejected' || status === 'withdrawn');
  const lastReturn = app.data?.timeline.filter((e) => e.action === 'return').at(-1);

  const submit = async (v: { projects: ProjectForm[] }) => {
    setBusy(true);
    setError(null);
    setUnplaced([]);
    try {
      const r = await post<{ applicationId: string; status: string; projectIds: string[] }>(
        `${base}/regions/${encodeURIComponent(org)}/projects`,
        { projects: v.projects.map(toBody) },
        { idempotencyKey: key },
      );
      message.success(t('项目清单已提交审核（{n} 个项目）', { n: r.projectIds.length }));
      setKey(newKey());
      onChanged();
      void existing.reload();
      void app.reload();
    } catch (e) {
      setUnplaced(
        applyFieldErrors(form, e, lang, (p) => {
          const s = p.split('.');
          if (s[0] !== 'projects' || s[1] === undefined || !s[2]) return undefined;
          return ['projects', Number(s[1]), s[2]];
        }),
      );
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div>
      <PhaseNote campaign={campaign} tab="projects" />
      {status && (
        <Card size="small" style={{ marginBottom: 16 }} title={t('审核进度')} data-testid="list-status">
          <Space wrap style={{ marginBottom: 8 }}>
            <Tag color={STATUS_COLORS[status]}>{label(APP_STATUS, status, lang)}</Tag>
            {app.data?.currentStep && (
              <Typography.Text>
                {t('当前步骤')}：{m(app.data.currentStep)}
              </Typography.Text>
            )}
          </Space>
          {status === 'returned' && lastReturn && (
            <Alert
              type="warning"
              showIcon
              style={{ marginBottom: 8 }}
              title={t('清单被退回：{comment}', { comment: m(lastReturn.comment) || t('（无意见）') })}
            />
          )}
          <ErrorAlert error={app.error} />
          {app.data && <AppTimeline entries={app.data.timeline} />}
        </Card>
      )}
      {existing.data && existing.data.items.length > 0 && !editable && (
        <Card size="small" style={{ marginBottom: 16 }} title={t('已提交的项目')}>
          {existing.data.items.map((p) => (
            <div key={p.id} style={{ padding: '4px 0' }}>
              <Tag color={STATUS_COLORS[p.status]}>{label(PROJECT_STATUS, p.status, lang)}</Tag>
              <Typography.Text strong>{p.name}</Typography.Text> <Typography.Text type="secondary">{label(PROJECT_TYPES, p.type, lang)}</Typography.Text>
            </div>
          ))}
        </Card>
      )}
      <ErrorAlert error={existing.error ?? groups.error} />
      <Form form={form} layout="vertical" onFinish={submit} disabled={!editable} data-testid="project-form">
        <Form.List
          name="projects"
          rules={[
            {
              validator: (_, v: unknown[]) => {
                if (!v?.length) return Promise.reject(new Error(t('至少一个项目')));
                return Promise.resolve();
              },
            },
          ]}
        >
          {(fields, { add, remove }, { errors }) => (
            <>
              {fields.length === 0 && <Empty description={t('暂无项目')} />}
              {fields.map((f, i) => (
                <ProjectCard
                  key={f.key}
                  index={i}
                  name={f.name}
                  groupOptions={groupOptions}
                  ledger={ledger.data?.items ?? []}
                  onRemove={() => remove(f.name)}
                />
              ))}
              <Form.ErrorList errors={errors} />
              <Space style={{ marginBottom: 16 }}>
                <Button type="dashed" icon={<PlusOutlined />} onClick={() => add(blank('organizing'))}>
                  {t('添加建会项目')}
                </Button>
                <Button type="dashed" icon={<PlusOutlined />} onClick={() => add(blank('service'))}>
                  {t('添加服务项目')}
                </Button>
              </Space>
            </>
          )}
        </Form.List>
        <ErrorAlert error={error} fields={unplaced} />
        <Button type="primary" htmlType="submit" icon={<SendOutlined />} loading={busy} size="large">
          {status === 'returned' ? t('修改后重新提交') : t('提交项目清单')}
        </Button>
      </Form>
      <ListRevisions campaignId={campaign.id} org={org} />
    </div>
  );
}

function ProjectCard({
  index,
  name,
  groupOptions,
  ledger,
  onRemove,
}: {
  index: number;
  name: number;
  groupOptions: { value: string; label: string }[];
  ledger: { id: string; name: string; employees: number }[];
  onRemove(): void;
}) {
  const { t, lang } = useI18n();
  const form = Form.useFormInstance();
  const kind = Form.useWatch(['projects', name, 'kind'], form) as 'organizing' | 'service' | undefined;
  const types = kind === 'service' ? SERVICE_TYPES : ORGANIZING_TYPES;
  const req = (msg: string) => [{ required: true, whitespace: true, message: msg }];
  return (
    <Card
      size="small"
      style={{ marginBottom: 12 }}
      data-testid={`project-${index}`}
      title={`${t('项目')} ${index + 1}`}
      extra={<Button type="text" danger icon={<DeleteOutlined />} onClick={onRemove} aria-label={t('删除项目')} />}
    >
      <Row gutter={12}>
        <Col xs={24} md={8}>
          <Form.Item name={[name, 'kind']} label={t('项目类别')}>
            <Radio.Group
              optionType="button"
              options={[
                { value: 'organizing', label: t('建会项目') },
                { value: 'service', label: t('服务项目') },
              ]}
              onChange={(e) => form.setFieldValue(['projects', name, 'type'], e.target.value === 'service' ? 'service_station' : 'enterprise_union')}
            />
          </Form.Item>
        </Col>
        <Col xs={24} md={8}>
          <Form.Item name={[name, 'type']} label={t('项目类型')} rules={[{ required: true, message: t('请选择项目类型') }]}>
            <Select options={types.map((x) => ({ value: x, label: label(PROJECT_TYPES, x, lang) }))} />
          </Form.Item>
        </Col>
        <Col xs={24} md={8}>
          <Form.Item name={[name, 'name']} label={t('项目名称')} rules={[...req(t('请填写项目名称')), { max: 200 }]}>
            <Input />
          </Form.Item>
        </Col>
        <Col xs={24} md={8}>
          <Form.Item name={[name, 'responsibleUnit']} label={t('责任单位')} rules={[...req(t('请填写责任单位')), { max: 200 }]}>
            <Input />
          </Form.Item>
        </Col>
        {kind !== 'service' ? (
          <>
            <Col xs={24} md={8}>
              <Form.Item name={[name, 'location']} label={t('地点')} rules={[...req(t('请填写地点')), { max: 200 }]}>
                <Input />
              </Form.Item>
            </Col>
            <Col xs={12} md={4}>
              <Form.Item name={[name, 'plannedMembers']} label={t('计划发展会员')} rules={[{ required: true, message: t('请填写人数') }]}>
                <InputNumber min={0} precision={0} style={{ width: '100%' }} />
              </Form.Item>
            </Col>
            <Col xs={12} md={4}>
              <Form.Item name={[name, 'dueDate']} label={t('完成时间')} rules={[{ required: true, message: t('请选择日期') }]}>
                <DatePicker style={{ width: '100%' }} />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item name={[name, 'groups']} label={t('重点群体')} rules={[{ required: true, type: 'array', min: 1, message: t('至少选择一个重点群体') }]}>
                <Select mode="multiple" options={groupOptions} />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item name={[name, 'enterprises']} label={t('台账企业（挂号）')}>
                <Select
                  mode="multiple"
                  allowClear
                  optionFilterProp="label"
                  options={ledger.map((e) => ({ value: String(e.id), label: `${e.name}（${e.employees}${t('人')}）` }))}
                />
              </Form.Item>
            </Col>
          </>
        ) : (
          <>
            <Col xs={12} md={8}>
              <Form.Item name={[name, 'date']} label={t('实施日期')} rules={[{ required: true, message: t('请选择日期') }]}>
                <DatePicker style={{ width: '100%' }} />
              </Form.Item>
            </Col>
            <Col xs={12} md={8}>
              <Form.Item name={[name, 'plannedCoverage']} label={t('计划覆盖职工')} rules={[{ required: true, message: t('请填写人数') }]}>
                <InputNumber min={0} precision={0} style={{ width: '100%' }} />
              </Form.Item>
            </Col>
          </>
        )}
        <Col xs={12} md={6}>
          <Form.Item name={[name, 'subsidyAmount']} label={t('申请补助（元）')} extra={t('填写则立项后进入补助审批')}>
            <InputNumber min={0.01} precision={2} style={{ width: '100%' }} />
          </Form.Item>
        </Col>
      </Row>
    </Card>
  );
}
