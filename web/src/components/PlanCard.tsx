/**
 * 行动计划: the city's 项目清单+责任制 (seed 004) on the campaign dashboard — every region's approved organizing and
 * service projects, per region and per target group with totals; 导出 xlsx; 提交省总 with its status and the
 * province's comments when it comes back; 退回单个项目 to its region for the city admin; the history of submissions.
 */
import { useEffect, useRef, useState } from 'react';
import { Alert, App, Button, Card, DatePicker, Descriptions, Form, Input, InputNumber, Modal, Space, Table, Tabs, Tag, Tooltip, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { DownloadOutlined, EditOutlined, SendOutlined, RollbackOutlined } from '@ant-design/icons';
import { download, get, post } from '../api';
import { ErrorAlert, errorText } from './ErrorAlert';
import { useLoad } from './useLoad';
import { useI18n } from '../i18n';
import { PROJECT_TYPES, label } from '../labels';

interface PlanProject {
  id: string;
  regionOrg: string;
  kind: 'organizing' | 'service';
  type: string;
  typeLabel: string;
  name: string;
  location: string | null;
  plannedMembers: number;
  plannedCoverage: number;
  groupNames: string[];
  responsibleUnit: string;
  dueDate: string | null;
  returned: { at: string; comment: string; byName: string | null } | null;
  mayRevise: boolean;
}
interface RevisionForm {
  name: string;
  location?: string;
  plannedMembers?: number;
  plannedCoverage?: number;
  responsibleUnit: string;
  dueDate: Dayjs | null;
  note?: string;
}
interface PlanRegion {
  org: string;
  name: string;
  listStatus: string | null;
  organizing: PlanProject[];
  service: PlanProject[];
  totals: { organizing: number; service: number; plannedMembers: number; plannedCoverage: number };
}
interface PlanView {
  title: string;
  status: 'draft' | 'pending' | 'returned' | 'approved';
  revision: number;
  scope: 'city' | 'region';
  applicationId: string | null;
  provinceComment: { comment: string | null; at: string; byName: string | null } | null;
  can: { submit: boolean; submitReason: string | null; returnProjects: boolean };
  regions: PlanRegion[];
  groups: { group: string; name: string; projects: number; plannedMembers: number; byRegion: Record<string, { projects: number; plannedMembers: number }> }[];
  totals: { projects: number; organizing: number; service: number; plannedMembers: number; plannedCoverage: number; returned: number };
  submissions: {
    revision: number;
    submittedAt: string;
    submittedByName: string | null;
    note: string | null;
    totals: { projects: number; plannedMembers: number; plannedCoverage: number } | null;
    decision: { action: 'approve' | 'return'; comment: string | null; at: string; byName: string | null } | null;
  }[];
}

const STATUS: Record<PlanView['status'], { zh: string; color: string }> = {
  draft: { zh: '未上报', color: 'default' },
  pending: { zh: '省总审核中', color: 'processing' },
  returned: { zh: '省总退回修改', color: 'warning' },
  approved: { zh: '省总审核通过', color: 'success' },
};

/** An instant in Beijing time (UTC+8, no daylight saving), whatever the browser's zone. */
const beijing = (iso: string) => new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');

export function PlanCard({ campaignId }: { campaignId: string }) {
  const { t, lang, m } = useI18n();
  const { message } = App.useApp();
  const path = `/api/campaigns/${encodeURIComponent(campaignId)}/plan`;
  const { data: plan, error, reload } = useLoad(() => get<PlanView>(path), [path]);
  const [submitting, setSubmitting] = useState(false);
  const [note, setNote] = useState('');
  const [returning, setReturning] = useState<PlanProject | null>(null);
  const [comment, setComment] = useState('');
  const [revising, setRevising] = useState<PlanProject | null>(null);
  const [form] = Form.useForm<RevisionForm>();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);
  const ref = useRef<HTMLDivElement>(null);

  // The plan's returned-for-revision task and notice open the dashboard at ?tab=plan: bring the card into view.
  useEffect(() => {
    if (plan && new URLSearchParams(window.location.search).get('tab') === 'plan') ref.current?.scrollIntoView({ block: 'start' });
  }, [plan !== undefined]);

  if (error) return <ErrorAlert error={error} />;
  if (!plan) return <Card loading size="small" title={t('行动计划（项目清单+责任制）')} />;

  const act = async (fn: () => Promise<unknown>, done: string) => {
    setBusy(true);
    setFailure(null);
    try {
      await fn();
      void message.success(t(done));
      setSubmitting(false);
      setReturning(null);
      setRevising(null);
      setNote('');
      setComment('');
      await reload();
    } catch (e) {
      setFailure(e);
    } finally {
      setBusy(false);
    }
  };

  const returnedTag = (p: PlanProject) =>
    p.returned ? (
      <Tooltip title={`${p.returned.byName ?? ''} ${beijing(p.returned.at)}：${p.returned.comment}`}>
        <Tag color="orange" data-testid="returned-tag">
          {t('已退回地区修改')}
        </Tag>
      </Tooltip>
    ) : null;
  const reviseButton = (p: PlanProject) =>
    p.mayRevise ? (
      <Button
        size="small"
        type="primary"
        icon={<EditOutlined />}
        data-testid={`revise-${p.id}`}
        onClick={() => {
          setFailure(null);
          form.setFieldsValue({
            name: p.name,
            location: p.location ?? undefined,
            plannedMembers: p.kind === 'organizing' ? p.plannedMembers : undefined,
            plannedCoverage: p.kind === 'service' ? p.plannedCoverage : undefined,
            responsibleUnit: p.responsibleUnit,
            dueDate: p.dueDate ? dayjs(p.dueDate) : null,
            note: '',
          });
          setRevising(p);
        }}
      >
        {t('修改后重新报送')}
      </Button>
    ) : null;
  const submitRevision = async () => {
    if (!revising) return;
    const v = await form.validateFields();
    const body: Record<string, unknown> = { name: v.name, responsibleUnit: v.responsibleUnit };
    if (v.dueDate) body.dueDate = v.dueDate.format('YYYY-MM-DD');
    if (revising.kind === 'organizing') {
      body.location = v.location;
      body.plannedMembers = v.plannedMembers;
    } else body.plannedCoverage = v.plannedCoverage;
    if (v.note?.trim()) body.note = v.note.trim();
    await act(() => post(`/api/projects/${encodeURIComponent(revising.id)}/plan-revision`, body), '项目已修改并重新报送');
  };
  const returnButton = (p: PlanProject) =>
    plan.can.returnProjects && !p.returned ? (
      <Button size="small" icon={<RollbackOutlined />} onClick={() => setReturning(p)} data-testid={`return-${p.id}`}>
        {t('退回单个项目')}
      </Button>
    ) : null;
  const typeOf = (p: PlanProject) => (lang === 'zh' ? p.typeLabel : label(PROJECT_TYPES, p.type, lang));
  // The actions column only where there is something to show in it (the city while the plan is with it, a returned project).
  const anyReturned = plan.regions.some((r) => [...r.organizing, ...r.service].some((p) => p.returned));
  const actionColumn =
    !plan.can.returnProjects && !anyReturned
      ? []
      : [
          {
            title: t('操作'),
            key: 'act',
            width: 170,
            render: (_: unknown, p: PlanProject) => (
              <Space orientation="vertical" size={4}>
                {returnedTag(p)}
                {p.returned && <Typography.Text type="secondary">{p.returned.comment}</Typography.Text>}
                {reviseButton(p)}
                {returnButton(p)}
              </Space>
            ),
          },
        ];

  const regionTables = (r: PlanRegion) => (
    <Space orientation="vertical" style={{ width: '100%' }} key={r.org}>
      <Typography.Text strong>{`${r.name} · ${t('建会入会项目清单')}`}</Typography.Text>
      <Table<PlanProject>
        size="small"
        rowKey="id"
        pagination={false}
        dataSource={r.organizing}
        locale={{ emptyText: t('暂无已批准的项目') }}
        columns={[
          { title: t('项目名称'), dataIndex: 'name' },
          { title: t('项目类型'), key: 'type', render: (_: unknown, p) => typeOf(p) },
          { title: t('重点群体'), key: 'groups', render: (_: unknown, p) => p.groupNames.join('、') },
          { title: t('地点'), dataIndex: 'location' },
          { title: t('拟发展会员数'), dataIndex: 'plannedMembers', align: 'right' },
          { title: t('责任单位'), dataIndex: 'responsibleUnit' },
          { title: t('完成时间'), dataIndex: 'dueDate' },
          ...actionColumn,
        ]}
        summary={() => (
          <Table.Summary.Row>
            <Table.Summary.Cell index={0} colSpan={4}>
              <strong>{t('合计')}</strong>
            </Table.Summary.Cell>
            <Table.Summary.Cell index={4} align="right">
              <strong>{r.totals.plannedMembers}</strong>
            </Table.Summary.Cell>
            <Table.Summary.Cell index={5} colSpan={2 + actionColumn.length} />
          </Table.Summary.Row>
        )}
      />
      <Typography.Text strong>{`${r.name} · ${t('维护服务项目清单')}`}</Typography.Text>
      <Table<PlanProject>
        size="small"
        rowKey="id"
        pagination={false}
        dataSource={r.service}
        locale={{ emptyText: t('暂无已批准的项目') }}
        columns={[
          { title: t('项目名称'), dataIndex: 'name' },
          { title: t('项目类型'), key: 'type', render: (_: unknown, p) => typeOf(p) },
          { title: t('责任单位'), dataIndex: 'responsibleUnit' },
          { title: t('实施时间'), dataIndex: 'dueDate' },
          { title: t('拟覆盖职工人数'), dataIndex: 'plannedCoverage', align: 'right' },
          ...actionColumn,
        ]}
        summary={() => (
          <Table.Summary.Row>
            <Table.Summary.Cell index={0} colSpan={4}>
              <strong>{t('合计')}</strong>
            </Table.Summary.Cell>
            <Table.Summary.Cell index={4} align="right">
              <strong>{r.totals.plannedCoverage}</strong>
            </Table.Summary.Cell>
            {actionColumn.length > 0 && <Table.Summary.Cell index={5} />}
          </Table.Summary.Row>
        )}
      />
    </Space>
  );

  const status = STATUS[plan.status];
  return (
    <div ref={ref} id="plan">
      <Card
        size="small"
        data-testid="plan-card"
        title={
          <Space wrap>
            {t('行动计划（项目清单+责任制）')}
            <Tag color={status.color} data-testid="plan-status">
              {t(status.zh)}
            </Tag>
            {plan.revision > 0 && <Tag>{t('第 {n} 版', { n: plan.revision })}</Tag>}
          </Space>
        }
        extra={
          <Space wrap>
            <Button
              icon={<DownloadOutlined />}
              data-testid="plan-export"
              onClick={() => void download(`${path}?format=xlsx`, `${plan.title}.xlsx`).catch((e: unknown) => void message.error(errorText(e, lang)))}
            >
              {t('导出 xlsx')}
            </Button>
            {plan.scope === 'city' && (plan.can.submit || plan.can.submitReason) && (
              <Tooltip title={plan.can.submitReason ? m(plan.can.submitReason) : undefined}>
                <Button type="primary" icon={<SendOutlined />} disabled={!plan.can.submit} onClick={() => setSubmitting(true)} data-testid="plan-submit">
                  {plan.status === 'returned' ? t('修改后重新提交省总') : t('提交省总')}
                </Button>
              </Tooltip>
            )}
          </Space>
        }
      >
        <Space orientation="vertical" style={{ width: '100%' }}>
          {plan.status === 'returned' && plan.provinceComment && (
            <Alert
              type="warning"
              showIcon
              data-testid="province-comment"
              message={t('省总退回意见')}
              description={`${plan.provinceComment.comment ?? ''}（${plan.provinceComment.byName ?? ''}，${beijing(plan.provinceComment.at)}）`}
            />
          )}
          {plan.can.submitReason && plan.status !== 'pending' && plan.status !== 'approved' && (
            <Typography.Text type="secondary">{m(plan.can.submitReason)}</Typography.Text>
          )}
          <Descriptions size="small" column={{ xs: 1, sm: 3 }}>
            <Descriptions.Item
              label={t('项目数')}
            >{`${plan.totals.projects}（${t('建会入会')} ${plan.totals.organizing}，${t('维护服务')} ${plan.totals.service}）`}</Descriptions.Item>
            <Descriptions.Item label={t('拟发展会员数')}>{plan.totals.plannedMembers}</Descriptions.Item>
            <Descriptions.Item label={t('拟覆盖职工人数')}>{plan.totals.plannedCoverage}</Descriptions.Item>
          </Descriptions>
          <Tabs
            size="small"
            items={[
              {
                key: 'regions',
                label: t('按地区'),
                children: (
                  <Space orientation="vertical" style={{ width: '100%' }} size="large">
                    {plan.regions.map(regionTables)}
                  </Space>
                ),
              },
              {
                key: 'groups',
                label: t('按重点群体'),
                children: (
                  <Table
                    size="small"
                    rowKey="group"
                    pagination={false}
                    dataSource={plan.groups}
                    columns={[
                      { title: t('重点群体'), dataIndex: 'name' },
                      ...plan.regions.map((r) => ({
                        title: r.name,
                        key: r.org,
                        align: 'right' as const,
                        render: (_: unknown, g: PlanView['groups'][number]) => g.byRegion[r.org]?.plannedMembers ?? 0,
                      })),
                      { title: t('项目数'), dataIndex: 'projects', align: 'right' as const },
                      { title: t('拟发展会员数'), dataIndex: 'plannedMembers', align: 'right' as const },
                    ]}
                  />
                ),
              },
              {
                key: 'history',
                label: t('报送记录（{n}）', { n: plan.submissions.length }),
                children: (
                  <Table
                    size="small"
                    rowKey="revision"
                    pagination={false}
                    dataSource={plan.submissions}
                    locale={{ emptyText: t('尚未上报') }}
                    data-testid="plan-history"
                    columns={[
                      { title: t('版次'), dataIndex: 'revision', render: (n: number) => t('第 {n} 版', { n }) },
                      { title: t('上报时间'), dataIndex: 'submittedAt', render: (v: string) => beijing(v) },
                      { title: t('上报人'), dataIndex: 'submittedByName' },
                      { title: t('说明'), dataIndex: 'note' },
                      { title: t('拟发展会员数'), key: 'm', render: (_: unknown, s: PlanView['submissions'][number]) => s.totals?.plannedMembers ?? '' },
                      {
                        title: t('省总意见'),
                        key: 'd',
                        render: (_: unknown, s: PlanView['submissions'][number]) =>
                          s.decision ? (
                            <Space wrap>
                              <Tag color={s.decision.action === 'approve' ? 'success' : 'warning'}>
                                {s.decision.action === 'approve' ? t('通过') : t('退回')}
                              </Tag>
                              {s.decision.comment}
                              <Typography.Text type="secondary">{`${s.decision.byName ?? ''} ${beijing(s.decision.at)}`}</Typography.Text>
                            </Space>
                          ) : (
                            <Tag>{t('审核中')}</Tag>
                          ),
                      },
                    ]}
                  />
                ),
              },
            ]}
          />
        </Space>
      </Card>

      <Modal
        open={submitting}
        title={plan.status === 'returned' ? t('修改后重新提交省总') : t('提交省总')}
        okText={t('提交')}
        cancelText={t('取消')}
        confirmLoading={busy}
        onCancel={() => setSubmitting(false)}
        onOk={() => void act(() => post(`${path}/submit`, note.trim() ? { note: note.trim() } : {}), '行动计划已提交省总审核')}
      >
        <Space orientation="vertical" style={{ width: '100%' }}>
          <Typography.Text>
            {t('将汇总 {n} 个项目（拟发展会员 {m} 人、拟覆盖职工 {c} 人）报省总基层工作部审核。', {
              n: plan.totals.projects,
              m: plan.totals.plannedMembers,
              c: plan.totals.plannedCoverage,
            })}
          </Typography.Text>
          <Input.TextArea
            rows={3}
            maxLength={2000}
            placeholder={t('报送说明（可选）')}
            value={note}
            onChange={(e) => setNote(e.target.value)}
            data-testid="plan-note"
          />
          {failure !== null && <ErrorAlert error={failure} />}
        </Space>
      </Modal>

      <Modal
        open={!!returning}
        title={t('退回单个项目')}
        okText={t('退回')}
        cancelText={t('取消')}
        confirmLoading={busy}
        okButtonProps={{ disabled: !comment.trim() }}
        onCancel={() => setReturning(null)}
        onOk={() =>
          returning &&
          void act(() => post(`${path}/projects/${encodeURIComponent(returning.id)}/return`, { comment: comment.trim() }), '项目已退回所属地区修改')
        }
      >
        <Space orientation="vertical" style={{ width: '100%' }}>
          <Typography.Text>{t('将项目“{name}”退回所属地区修改，地区修改后可重新汇总上报。', { name: returning?.name ?? '' })}</Typography.Text>
          <Input.TextArea
            rows={3}
            maxLength={2000}
            placeholder={t('退回意见（必填）')}
            value={comment}
            onChange={(e) => setComment(e.target.value)}
            data-testid="return-comment"
          />
          {failure !== null && <ErrorAlert error={failure} />}
        </Space>
      </Modal>
      <Modal
        open={!!revising}
        title={t('修改后重新报送')}
        okText={t('重新报送')}
        cancelText={t('取消')}
        confirmLoading={busy}
        onCancel={() => setRevising(null)}
        onOk={() => void submitRevision()}
      >
        {revising?.returned && (
          <Alert type="warning" showIcon message={t('市总退回意见')} description={revising.returned.comment} style={{ marginBottom: 12 }} />
        )}
        <Form form={form} layout="vertical" data-testid="revision-form">
          <Form.Item name="name" label={t('项目名称')} rules={[{ required: true, message: t('请填写') }]}>
            <Input maxLength={200} />
          </Form.Item>
          {revising?.kind === 'organizing' && (
            <>
              <Form.Item name="location" label={t('地点')} rules={[{ required: true, message: t('请填写') }]}>
                <Input maxLength={200} />
              </Form.Item>
              <Form.Item name="plannedMembers" label={t('拟发展会员数')} rules={[{ required: true, message: t('请填写') }]}>
                <InputNumber min={0} precision={0} style={{ width: '100%' }} />
              </Form.Item>
            </>
          )}
          {revising?.kind === 'service' && (
            <Form.Item name="plannedCoverage" label={t('拟覆盖职工人数')} rules={[{ required: true, message: t('请填写') }]}>
              <InputNumber min={0} precision={0} style={{ width: '100%' }} />
            </Form.Item>
          )}
          <Form.Item name="responsibleUnit" label={t('责任单位')} rules={[{ required: true, message: t('请填写') }]}>
            <Input maxLength={200} />
          </Form.Item>
          <Form.Item name="dueDate" label={revising?.kind === 'service' ? t('实施时间') : t('完成时间')}>
            <DatePicker style={{ width: '100%' }} />
          </Form.Item>
          <Form.Item name="note" label={t('修改说明（可选）')}>
            <Input.TextArea rows={2} maxLength={2000} />
          </Form.Item>
        </Form>
        {failure !== null && <ErrorAlert error={failure} />}
      </Modal>
    </div>
  );
}
