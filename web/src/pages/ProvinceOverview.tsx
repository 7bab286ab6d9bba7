/**
 * 全省概览: the province's view across its cities — each city's campaigns of
 * the year with completion against targets (counted as each city's bulletin
 * counts), the cities' ranking, overdue work (督办 / 问责), each campaign's
 * phase with a link into it, each city's own configuration — and the
 * province's bulletins of cities (全省通报): its period, issue now, downloads.
 */
import { useMemo, useState } from 'react';
import { App, Button, Card, Col, Descriptions, Row, Select, Space, Statistic, Table, Tag, Typography } from 'antd';
import { FileAddOutlined, ReloadOutlined } from '@ant-design/icons';
import { download, get, newKey, post } from '../api';
import { completionChart } from '../components/completion-chart';
import { EChart, type ChartOption } from '../components/EChart';
import { ErrorAlert } from '../components/ErrorAlert';
import { useLoad } from '../components/useLoad';
import { useI18n } from '../i18n';
import { Link } from '../router';
import { useSession } from '../session';

interface Overdue {
  items: number;
  supervision: number;
  accountability: number;
  approvalsPastLimit: number;
}
interface Figures {
  count: number;
  target: number;
  pct: number | null;
}
interface CityRow {
  org: string;
  name: string;
  campaigns: number;
  members: Figures;
  unions: { established: number; target: number; pct: number | null };
  completion: number;
  overdue: Overdue;
  rank: number | null;
  configuration: {
    campaign: string;
    campaignName: string;
    groups: { id: string; name: string; industryUnion: string | null }[];
    targets: { newMembers: number; newUnions: number };
    regions: number;
  }[];
}
interface CampaignRow {
  id: string;
  name: string;
  city: string;
  cityName: string;
  phase: string;
  phaseLabel: string;
  regions: number;
  members: Figures;
  unions: { established: number };
  completion: number;
  overdue: Overdue;
}
interface Overview {
  org: { id: string; name: string; kind: string };
  year: number;
  asOf: string;
  cities: CityRow[];
  ranking: { rank: number; org: string; name: string; completion: number; members: number; target: number }[];
  campaigns: CampaignRow[];
  totals: { campaigns: number; members: Figures; unions: { established: number; target: number }; overdue: Overdue };
}
interface ProvinceBulletins {
  settings: { every: string; label: string } | null;
  schedule: { nextRuns: string[] } | null;
  items: { id: string; seq: number; label: string; kind: string; year: number; period: { label: string }; issuedAt: string; issuedByName: string | null }[];
}

/** An instant as 2026-07-03 14:05 in Beijing time (UTC+8, no daylight saving), whatever the browser's zone. */
const beijing = (iso: string) => new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');

const PERIODS = ['P1M', 'P2M', 'P3M', 'P4M', 'P6M', 'P12M'];
const PERIOD_WORDS: Record<string, string> = { P1M: '每月', P2M: '每两个月', P3M: '每季度', P4M: '每四个月', P6M: '每半年', P12M: '每年' };

export default function ProvinceOverview() {
  const { t, m } = useI18n();
  const { message } = App.useApp();
  const { user, has } = useSession();
  const org = user?.org ?? '';
  const thisYear = Number(beijing(new Date().toISOString()).slice(0, 4));
  const [year, setYear] = useState(thisYear);
  const overview = useLoad(() => get<Overview>(`/api/orgs/${encodeURIComponent(org)}/overview?year=${year}`), [org, year]);
  const bulletins = useLoad(() => get<ProvinceBulletins>(`/api/orgs/${encodeURIComponent(org)}/bulletins`), [org]);
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<unknown>(null);
  const isAdmin = has('admin');
  const o = overview.data;

  const chart = useMemo<ChartOption | null>(
    () =>
      o && o.ranking.length
        ? completionChart(
            o.ranking.map((r) => ({ name: r.name, target: r.target, members: r.members, completion: r.completion })),
            { people: t('人'), target: t('目标'), members: t('新增会员'), completion: t('完成率') },
          )
        : null,
    [o, t],
  );

  const issue = async () => {
    setBusy(true);
    setActionError(null);
    try {
      const r = await post<{ label: string }>(`/api/orgs/${encodeURIComponent(org)}/bulletins`, { year }, { idempotencyKey: newKey() });
      message.success(t('已生成通报 {label}', { label: m(r.label) }));
      void bulletins.reload();
    } catch (e) {
      setActionError(e);
    } finally {
      setBusy(false);
    }
  };
  const setPeriod = async (every: string) => {
    setActionError(null);
    try {
      await post(`/api/orgs/${encodeURIComponent(org)}/bulletins/schedule`, { every }, { idempotencyKey: newKey() });
      message.success(t('通报周期已设置'));
      void bulletins.reload();
    } catch (e) {
      setActionError(e);
    }
  };
  const overdueTags = (d: Overdue) => (
    <Space size={4} wrap>
      {d.items === 0 && d.approvalsPastLimit === 0 ? <Tag color="green">{t('无逾期')}</Tag> : null}
      {d.supervision > 0 && <Tag color="orange">{t('督办 {n}', { n: d.supervision })}</Tag>}
      {d.accountability > 0 && <Tag color="red">{t('问责 {n}', { n: d.accountability })}</Tag>}
      {d.approvalsPastLimit > 0 && <Tag>{t('超时审批 {n}', { n: d.approvalsPastLimit })}</Tag>}
    </Space>
  );

  return (
    <Space direction="vertical" style={{ width: '100%' }} size="middle">
      <Card
        title={`${t('全省概览')} · ${o?.org.name ?? user?.orgName ?? ''}`}
        extra={
          <Space wrap>
            <Select
              value={year}
              style={{ width: 120 }}
              aria-label={t('年度')}
              onChange={setYear}
              options={[thisYear + 1, thisYear, thisYear - 1, thisYear - 2].map((y) => ({ value: y, label: t('{y}年', { y }) }))}
              data-testid="overview-year"
            />
            <Button icon={<ReloadOutlined />} onClick={overview.reload}>
              {t('刷新')}
            </Button>
          </Space>
        }
      >
        <ErrorAlert error={overview.error} />
        {o && (
          <>
            <Row gutter={16} style={{ marginBottom: 16 }}>
              <Col xs={12} md={6}>
                <Statistic title={t('开展行动')} value={o.totals.campaigns} />
              </Col>
              <Col xs={12} md={6}>
                <Statistic title={t('新增会员 / 目标')} value={`${o.totals.members.count} / ${o.totals.members.target}`} />
              </Col>
              <Col xs={12} md={6}>
                <Statistic title={t('新建工会')} value={o.totals.unions.established} />
              </Col>
              <Col xs={12} md={6}>
                <Statistic
                  title={t('逾期事项（督办 / 问责）')}
                  value={`${o.totals.overdue.items}（${o.totals.overdue.supervision} / ${o.totals.overdue.accountability}）`}
                />
              </Col>
            </Row>
            {chart && <EChart option={chart} height={300} testId="province-chart" />}
            <Typography.Title level={5}>{t('各市完成情况与排名')}</Typography.Title>
            <Table<CityRow>
              rowKey="org"
              size="small"
              pagination={false}
              dataSource={o.cities}
              data-testid="city-table"
              scroll={{ x: 900 }}
              columns={[
                { title: t('名次'), dataIndex: 'rank', width: 70, render: (v: number | null) => (v === null ? <Tag>{t('未参评')}</Tag> : v) },
                { title: t('城市'), dataIndex: 'name' },
                { title: t('行动数'), dataIndex: 'campaigns', width: 80 },
                { title: t('新增会员 / 目标'), render: (_: unknown, c) => `${c.members.count} / ${c.members.target}` },
                { title: t('完成率'), render: (_: unknown, c) => (c.campaigns ? `${c.completion}%` : '—') },
                { title: t('新建工会 / 目标'), render: (_: unknown, c) => `${c.unions.established} / ${c.unions.target}` },
                { title: t('逾期'), render: (_: unknown, c) => (c.campaigns ? overdueTags(c.overdue) : '—') },
              ]}
              expandable={{
                rowExpandable: (c) => c.configuration.length > 0,
                expandedRowRender: (c) =>
                  c.configuration.map((k) => (
                    <Descriptions
                      key={k.campaign}
                      size="small"
                      column={1}
                      title={<Link to={`/campaigns/${encodeURIComponent(k.campaign)}`}>{k.campaignName}</Link>}
                      bordered
                      style={{ marginBottom: 8 }}
                    >
                      <Descriptions.Item label={t('重点群体与负责产业工会')}>
                        {k.groups.map((g) => `${g.name}${g.industryUnion ? `（${g.industryUnion}）` : ''}`).join('、')}
                      </Descriptions.Item>
                      <Descriptions.Item label={t('目标')}>
                        {t('新增会员 {m} 人，新建工会 {u} 个', { m: k.targets.newMembers, u: k.targets.newUnions })}
                      </Descriptions.Item>
                      <Descriptions.Item label={t('参与地区')}>{k.regions}</Descriptions.Item>
                    </Descriptions>
                  )),
              }}
            />
            <Typography.Title level={5} style={{ marginTop: 16 }}>
              {t('各市行动')}
            </Typography.Title>
            <Table<CampaignRow>
              rowKey="id"
              size="small"
              pagination={{ pageSize: 20, hideOnSinglePage: true }}
              dataSource={o.campaigns}
              data-testid="province-campaigns"
              scroll={{ x: 900 }}
              columns={[
                { title: t('城市'), dataIndex: 'cityName' },
                { title: t('行动'), render: (_: unknown, c) => <Link to={`/campaigns/${encodeURIComponent(c.id)}`}>{c.name}</Link> },
                { title: t('阶段'), render: (_: unknown, c) => <Tag color="blue">{m(c.phaseLabel)}</Tag> },
                { title: t('新增会员 / 目标'), render: (_: unknown, c) => `${c.members.count} / ${c.members.target}` },
                { title: t('完成率'), render: (_: unknown, c) => `${c.completion}%` },
                { title: t('逾期'), render: (_: unknown, c) => overdueTags(c.overdue) },
              ]}
              locale={{ emptyText: t('本年度暂无行动') }}
            />
            <Typography.Text type="secondary">{t('数据截至 {at}（北京时间）', { at: beijing(o.asOf) })}</Typography.Text>
          </>
        )}
      </Card>

      {o?.org.kind === 'province' && (
        <Card
          title={t('全省通报')}
          extra={
            isAdmin && (
              <Space wrap>
                <Select
                  style={{ width: 160 }}
                  placeholder={t('通报周期')}
                  aria-label={t('通报周期')}
                  value={bulletins.data?.settings?.every}
                  onChange={setPeriod}
                  options={PERIODS.map((p) => ({ value: p, label: t(PERIOD_WORDS[p]!) }))}
                  data-testid="province-period"
                />
                <Button type="primary" icon={<FileAddOutlined />} loading={busy} onClick={issue} data-testid="issue-province-bulletin">
                  {t('生成通报')}
                </Button>
              </Space>
            )
          }
        >
          <ErrorAlert error={actionError} />
          <ErrorAlert error={bulletins.error} />
          <Typography.Paragraph type="secondary">
            {bulletins.data?.settings
              ? t('通报周期：{p}；下次发布：{next}', {
                  p: m(bulletins.data.settings.label),
                  next: bulletins.data.schedule?.nextRuns[0] ? beijing(bulletins.data.schedule.nextRuns[0]) : '—',
                })
              : t('尚未设置通报周期')}
          </Typography.Paragraph>
          <Table
            rowKey="id"
            size="small"
            loading={bulletins.loading}
            dataSource={bulletins.data?.items ?? []}
            pagination={{ pageSize: 10, hideOnSinglePage: true }}
            data-testid="province-bulletins"
            columns={[
              {
                title: t('通报'),
                render: (_: unknown, b: ProvinceBulletins['items'][number]) => (
                  <Space>
                    {m(b.label)}
                    {b.kind === 'on_demand' && <Tag color="orange">{t('临时')}</Tag>}
                  </Space>
                ),
              },
              { title: t('年度'), dataIndex: 'year' },
              { title: t('周期'), render: (_: unknown, b: ProvinceBulletins['items'][number]) => m(b.period.label) },
              { title: t('发布时间'), dataIndex: 'issuedAt', render: (v: string) => beijing(v) },
              { title: t('发布人'), render: (_: unknown, b: ProvinceBulletins['items'][number]) => m(b.issuedByName ?? '') },
              {
                title: t('下载'),
                render: (_: unknown, b: ProvinceBulletins['items'][number]) => (
                  <Space size={4}>
                    {(['html', 'xlsx', 'csv'] as const).map((f) => (
                      <Button
                        key={f}
                        size="small"
                        onClick={() => void download(`/api/province-bulletins/${encodeURIComponent(b.id)}?format=${f}`, `${b.id}.${f}`)}
                      >
                        {f === 'html' ? t('打印版') : f.toUpperCase()}
                      </Button>
                    ))}
                  </Space>
                ),
              },
            ]}
          />
        </Card>
      )}
    </Space>
  );
}
