/**
 * 行动总览: the phase timeline with today's position, the totals, each
 * region's progress (table and completion chart), the overdue list (督办),
 * and for the city admin the early advance to the next phase.
 */
import { useEffect, useMemo, useState } from 'react';
import { App, Button, Card, Col, Empty, Form, Input, Modal, Progress, Row, Space, Statistic, Table, Tag, Typography } from 'antd';
import { FastForwardOutlined, NotificationOutlined, ReloadOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { get, newKey, post } from '../api';
import { completionChart } from '../components/completion-chart';
import { EChart, type ChartOption } from '../components/EChart';
import { applyFieldErrors, ErrorAlert } from '../components/ErrorAlert';
import { OnlineJoinsCard } from '../components/OnlineJoinsCard';
import { ProvincialExportButton } from '../components/ProvincialExportButton';
import { PlanCard } from '../components/PlanCard';
import { CampaignRectifications } from '../components/Rectifications';
import { PhaseTimeline } from '../components/PhaseTimeline';
import { useLoad } from '../components/useLoad';
import { useI18n } from '../i18n';
import { APP_STATUS, label, OVERDUE_ITEMS, PHASES, STATUS_COLORS } from '../labels';
import { Link, navigate } from '../router';
import { useSession } from '../session';
import { PHASE_COLORS } from './CampaignList';

export interface RegionView {
  org: string;
  name: string;
  status: string;
  targets: { newMembers: number; newUnions: number };
  planSubmitted: boolean;
  listApplicationId: string | null;
  listStatus: string | null;
  counts: {
    enterprisesScreened: number;
    targets: number;
    crossedOff: number;
    projectsByStatus: Record<string, number>;
    unionsEstablished: number;
    membersRecruited: number;
    /** Reported members waiting for real-name verification (not in membersRecruited). */
    membersPending?: number;
    memberCompletion: number | null;
    pendingApprovals: number;
    overdue: number;
    /** 整改事项 still to act on, and of those past their deadline. */
    rectificationsOpen?: number;
    rectificationsOverdue?: number;
  };
  overdue: { phase: string; item: string; since: string; level: string; resolvedAt?: string }[];
  score: number | null;
  rank: number | null;
}

export interface CampaignView {
  id: string;
  name: string;
  year: number;
  cityOrg: string;
  phase: string;
  phaseEndsAt: string | null;
  phases: Record<string, { start: string; end: string }>;
  groups: string[];
  targets: { newMembers: number; newUnions?: number };
  /** Which submissions the phase accepts, and why not (domain/campaign.ts submissionState). */
  submissions?: Record<string, { open: boolean; reason?: string }>;
  /** The report period in words, bilingual ("每两个月 / every two months"). */
  reportPeriod?: string;
  regions: RegionView[];
  totals: {
    enterprisesScreened: number;
    targets: number;
    crossedOff: number;
    unionsEstablished: number;
    membersRecruited: number;
    membersPending?: number;
    targetMembers: number;
    memberCompletion: number;
    overdue: number;
    pendingApprovals: number;
  };
  phaseSummaries: { phase: string; closedAt: string; closedBy: string; closedByName?: string | null; reason: string | null }[];
  ranking: { org: string; name: string; score: number; rank: number }[];
  closedAt: string | null;
}

export default function CampaignDashboard({ id }: { id: string }) {
  const { t, lang, m } = useI18n();
  const { message } = App.useApp();
  const { user, has } = useSession();
  const { data: c, error, loading, reload } = useLoad(() => get<CampaignView>(`/api/campaigns/${encodeURIComponent(id)}`), [id]);
  const [advancing, setAdvancing] = useState(false);

  // A dashboard on the wall: fresh figures every 20 s.
  useEffect(() => {
    const timer = setInterval(() => void reload(), 20_000);
    return () => clearInterval(timer);
  }, [reload]);

  const chart = useMemo<ChartOption | null>(
    () =>
      c
        ? completionChart(
            c.regions.map((r) => ({
              name: r.name,
              target: r.targets.newMembers,
              members: r.counts.membersRecruited,
              completion: r.counts.memberCompletion ?? 0,
            })),
            { people: t('人'), target: t('新会员目标'), members: t('新增会员'), completion: t('会员完成率') },
          )
        : null,
    [c, t],
  );

  if (error && !c) return <ErrorAlert error={error} />;
  if (!c) return <Card loading />;

  const canAdvance = has('admin') && user?.org === c.cityOrg && c.phase !== 'closed';
  const overdue = c.regions.flatMap((r) => r.overdue.map((o) => ({ ...o, region: r.name, org: r.org })));
  const canWorkFor = (org: string) => has('staff', 'admin') && (user?.org === org || user?.org === c.cityOrg);

  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }} data-testid="campaign-dashboard">
      <Card
        title={
          <Space wrap>
            <span>{c.name}</span>
            <Tag color={PHASE_COLORS[c.phase]} data-testid="campaign-phase">
              {label(PHASES, c.phase, lang)}
            </Tag>
          </Space>
        }
        extra={
          <Space wrap>
            <Button icon={<ReloadOutlined />} onClick={reload} loading={loading}>
              {t('刷新')}
            </Button>
            {user?.can?.readBulletins && (
              <Button icon={<NotificationOutlined />} onClick={() => navigate(`/bulletins?campaign=${encodeURIComponent(c.id)}`)}>
                {t('进度通报')}
              </Button>
            )}
            <ProvincialExportButton campaign={c} />
            {canAdvance && (
              <Button type="primary" danger icon={<FastForwardOutlined />} onClick={() => setAdvancing(true)}>
                {t('提前进入下一阶段')}
              </Button>
            )}
          </Space>
        }
      >
        <ErrorAlert error={error} />
        <Typography.Text type="secondary">
          {c.phaseEndsAt
            ? t('本阶段截止：{at}', { at: dayjs(c.phaseEndsAt).format('YYYY-MM-DD HH:mm') })
            : c.closedAt
              ? t('行动已于 {at} 结束', { at: dayjs(c.closedAt).format('YYYY-MM-DD HH:mm') })
              : ''}
          {c.reportPeriod ? ` · ${t('通报周期：{p}', { p: m(c.reportPeriod) })}` : ''}
        </Typography.Text>
        <PhaseTimeline phases={c.phases} current={c.phase} />
      </Card>

      <Row gutter={[16, 16]} className="ud-stat-row">
        {[
          { title: t('摸底企业'), value: c.totals.enterprisesScreened },
          { title: t('建会目标企业'), value: c.totals.targets, suffix: ` / ${t('已销号')} ${c.totals.crossedOff}` },
          { title: t('新建工会'), value: c.totals.unionsEstablished, suffix: c.targets.newUnions ? ` / ${c.targets.newUnions}` : undefined },
          { title: t('新增会员（已核验）'), value: c.totals.membersRecruited, suffix: ` / ${c.totals.targetMembers}` },
          { title: t('待核验会员'), value: c.totals.membersPending ?? 0 },
          { title: t('会员完成率'), value: c.totals.memberCompletion, suffix: '%' },
          { title: t('待审批'), value: c.totals.pendingApprovals },
          { title: t('逾期事项'), value: c.totals.overdue, danger: c.totals.overdue > 0 },
        ].map((s) => (
          <Col key={s.title} flex="1 1 160px">
            <Card size="small">
              <Statistic title={s.title} value={s.value} suffix={s.suffix} styles={{ content: s.danger ? { color: '#cf1322' } : undefined }} />
            </Card>
          </Col>
        ))}
      </Row>

      <Row gutter={[16, 16]}>
        <Col xs={24} xl={15}>
          <Card title={t('完成情况')} size="small">
            {chart && <EChart option={chart} height={320} testId="completion-chart" />}
          </Card>
        </Col>
        <Col xs={24} xl={9}>
          <Card title={`${t('逾期事项')}（${overdue.filter((o) => !o.resolvedAt).length}）`} size="small" data-testid="overdue-list">
            {overdue.length === 0 ? (
              <Empty description={t('暂无逾期事项')} image={Empty.PRESENTED_IMAGE_SIMPLE} />
            ) : (
              <Table
                size="small"
                pagination={false}
                rowKey={(o) => `${o.org}-${o.phase}-${o.item}`}
                dataSource={overdue}
                columns={[
                  { title: t('地区'), dataIndex: 'region' },
                  { title: t('事项'), render: (_: unknown, o) => `${label(PHASES, o.phase, lang)} · ${label(OVERDUE_ITEMS, o.item, lang)}` },
                  { title: t('逾期自'), dataIndex: 'since', render: (v: string) => dayjs(v).format('MM-DD HH:mm') },
                  {
                    title: t('状态'),
                    render: (_: unknown, o) =>
                      o.resolvedAt ? (
                        <Tag color="green">{t('已补交')}</Tag>
                      ) : (
                        <Tag color={o.level === 'accountability' ? 'red' : 'orange'}>{o.level === 'accountability' ? t('问责') : t('督办')}</Tag>
                      ),
                  },
                ]}
              />
            )}
          </Card>
        </Col>
      </Row>

      <Card title={t('各地区进度')} size="small">
        <Table<RegionView>
          rowKey="org"
          size="middle"
          pagination={false}
          dataSource={c.regions}
          scroll={{ x: 1100 }}
          data-testid="region-table"
          columns={[
            {
              title: t('地区'),
              dataIndex: 'name',
              fixed: 'left',
              render: (v: string, r) =>
                canWorkFor(r.org) ? <Link to={`/campaigns/${encodeURIComponent(c.id)}/regions/${encodeURIComponent(r.org)}`}>{v}</Link> : v,
            },
            {
              title: t('实施方案'),
              dataIndex: 'planSubmitted',
              render: (v: boolean) => (v ? <Tag color="green">{t('已提交')}</Tag> : <Tag>{t('未提交')}</Tag>),
            },
            {
              title: t('项目清单'),
              dataIndex: 'listStatus',
              render: (v: string | null) => (v ? <Tag color={STATUS_COLORS[v]}>{label(APP_STATUS, v, lang)}</Tag> : <Tag>{t('未提交')}</Tag>),
            },
            { title: t('摸底企业'), render: (_: unknown, r) => r.counts.enterprisesScreened },
            { title: t('建会目标企业'), render: (_: unknown, r) => `${r.counts.targets}（${t('已销号')} ${r.counts.crossedOff}）` },
            { title: t('新建工会'), render: (_: unknown, r) => `${r.counts.unionsEstablished} / ${r.targets.newUnions}` },
            { title: t('新增会员（已核验）'), render: (_: unknown, r) => `${r.counts.membersRecruited} / ${r.targets.newMembers}` },
            { title: t('待核验'), render: (_: unknown, r) => r.counts.membersPending ?? 0 },
            {
              title: t('会员完成率'),
              width: 160,
              render: (_: unknown, r) => (
                <Progress percent={Math.min(100, r.counts.memberCompletion ?? 0)} size="small" format={() => `${r.counts.memberCompletion ?? 0}%`} />
              ),
            },
            { title: t('待审批'), render: (_: unknown, r) => r.counts.pendingApprovals },
            { title: t('逾期'), render: (_: unknown, r) => (r.counts.overdue ? <Tag color="red">{r.counts.overdue}</Tag> : 0) },
            {
              title: t('整改（逾期）'),
              render: (_: unknown, r) => (
                <span data-testid={`rect-count-${r.org}`}>
                  {r.counts.rectificationsOpen ?? 0}
                  {r.counts.rectificationsOverdue ? (
                    <Tag color="red" style={{ marginLeft: 4 }}>
                      {t('逾期 {n}', { n: r.counts.rectificationsOverdue })}
                    </Tag>
                  ) : null}
                </span>
              ),
            },
            ...(c.ranking.length ? [{ title: t('排名'), render: (_: unknown, r: RegionView) => (r.rank ? `${r.rank}（${r.score}）` : '—') }] : []),
          ]}
        />
      </Card>

      {c.phase !== 'pending' && c.phase !== 'survey' && <PlanCard campaignId={c.id} />}
      <CampaignRectifications campaignId={c.id} onChanged={() => void reload()} />

      <OnlineJoinsCard campaignId={c.id} campaignName={c.name} />

      {c.phaseSummaries.length > 0 && (
        <Card title={t('阶段小结')} size="small">
          <Table
            size="small"
            pagination={false}
            rowKey="phase"
            dataSource={c.phaseSummaries}
            columns={[
              { title: t('阶段'), dataIndex: 'phase', render: (v: string) => label(PHASES, v, lang) },
              { title: t('结束时间'), dataIndex: 'closedAt', render: (v: string) => dayjs(v).format('YYYY-MM-DD HH:mm') },
              { title: t('操作人'), dataIndex: 'closedByName', render: (v: string | null | undefined) => (v ? m(v) : '—') },
              { title: t('理由'), dataIndex: 'reason', render: (v: string | null) => (v ? m(v) : t('到期自动结束')) },
            ]}
          />
        </Card>
      )}

      <AdvanceModal
        open={advancing}
        campaign={c}
        onClose={() => setAdvancing(false)}
        onDone={(phase) => {
          setAdvancing(false);
          message.success(t('已进入“{phase}”阶段', { phase: label(PHASES, phase, lang) }));
          void reload();
        }}
      />
    </Space>
  );
}

function AdvanceModal({ open, campaign, onClose, onDone }: { open: boolean; campaign: CampaignView; onClose(): void; onDone(phase: string): void }) {
  const { t, lang } = useI18n();
  const [form] = Form.useForm<{ reason: string }>();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [key, setKey] = useState(newKey);
  const submit = async () => {
    // Invalid fields show their own messages; nothing to send.
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    setBusy(true);
    setError(null);
    try {
      const r = await post<{ phase: string }>(
        `/api/campaigns/${encodeURIComponent(campaign.id)}/advance`,
        { reason: v.reason.trim() },
        { idempotencyKey: key },
      );
      form.resetFields();
      setKey(newKey());
      onDone(r.phase);
    } catch (e) {
      applyFieldErrors(form, e, lang, (p) => (p === 'reason' ? ['reason'] : undefined));
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open={open}
      title={t('提前进入下一阶段')}
      onCancel={onClose}
      onOk={submit}
      okText={t('确定')}
      cancelText={t('取消')}
      confirmLoading={busy}
      destroyOnHidden
    >
      <Typography.Paragraph>
        {t('当前阶段“{phase}”将立即结束，未完成的事项记为逾期并督办。此操作记入审计。', { phase: label(PHASES, campaign.phase, lang) })}
      </Typography.Paragraph>
      <Form form={form} layout="vertical">
        <Form.Item name="reason" label={t('理由')} rules={[{ required: true, whitespace: true, message: t('请说明理由') }, { max: 2000 }]}>
          <Input.TextArea rows={3} placeholder={t('如：各地区摸底工作已提前完成')} />
        </Form.Item>
      </Form>
      <ErrorAlert error={error} fields={[]} />
    </Modal>
  );
}
