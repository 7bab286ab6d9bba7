/**
 * One bulletin (通报): the headline figures, each region's completion
 * (chart and ranking with the change since the previous bulletin), the
 * target groups, the trend over all bulletins so far, and its downloads —
 * the print page (HTML), CSV and Excel.
 */
import { useMemo, useState } from 'react';
import { Button, Card, Col, Descriptions, Row, Space, Statistic, Table, Tag, Typography } from 'antd';
import { ArrowDownOutlined, ArrowUpOutlined, DownloadOutlined, PrinterOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { download, get, post } from '../api';
import { completionChart } from '../components/completion-chart';
import { EChart, type ChartOption } from '../components/EChart';
import { ErrorAlert } from '../components/ErrorAlert';
import { useLoad } from '../components/useLoad';
import { useI18n } from '../i18n';
import { navigate } from '../router';

interface Online {
  received: number;
  approved: number;
  pending: number;
  rejected: number;
  withdrawn: number;
}
interface RegionFigures {
  org: string;
  name: string;
  unions: { established: number; planned: number; target: number; pct: number | null };
  members: { count: number; viaProjects: number; online: number; target: number; pct: number | null; pending?: number };
  online: Online;
  projects: { total: number; byStatus: Record<string, number> };
  ledger: { targets: number; crossedOff: number };
  overdue: { deliverables: number; approvals: number };
  rectifying: number;
  completion: number;
}
interface Bulletin {
  id: string;
  seq: number;
  label: string;
  kind: string;
  period: { label: string };
  issuedAt: string;
  issuedBy: string;
  asOf: string;
  campaign: { id: string; name: string; cityName: string; phaseLabel: string };
  regions: RegionFigures[];
  /** 整改事项 still open per region (bulletins issued before issue 16 have none). */
  rectifications?: {
    org: string;
    name: string;
    open: number;
    overdue: number;
    items: { project: string; finding: string; severity: string; deadline: string; status: string; overdue: boolean }[];
  }[];
  totals: Omit<RegionFigures, 'org'>;
  byGroup: { id: string; name: string; members: number; online: Online; projects: number; plannedMembers: number; pct: number | null }[];
  ranking: {
    rank: number;
    org: string;
    name: string;
    completion: number;
    members: number;
    target: number;
    previousRank: number | null;
    rankChange: number | null;
  }[];
  changes: {
    previous: { label: string; issuedAt: string };
    totals: { members: number; unions: number; applications: number; approved: number; completionPts: number };
  } | null;
  trend: { seq: number; label: string; issuedAt: string; members: number; unions: number; completion: number }[];
  missedPeriods: number[];
}

export default function BulletinView({ id }: { id: string }) {
  const { t, m, lang } = useI18n();
  const { data: b, error } = useLoad(() => get<Bulletin>(`/api/reports/${encodeURIComponent(id)}?format=json`), [id]);
  const [dlError, setDlError] = useState<unknown>(null);
  const base = `/api/reports/${encodeURIComponent(id)}`;

  const regionChart = useMemo<ChartOption | null>(
    () =>
      b
        ? completionChart(
            b.regions.map((r) => ({ name: r.name, target: r.members.target, members: r.members.count, completion: r.completion })),
            { people: t('人'), target: t('新会员目标'), members: t('新增会员'), completion: t('完成率') },
          )
        : null,
    [b, t],
  );
  const groupChart = useMemo<ChartOption | null>(
    () =>
      b
        ? {
            tooltip: { trigger: 'item' },
            legend: { bottom: 0, type: 'scroll' },
            series: [
              {
                name: t('新增会员'),
                type: 'pie',
                radius: ['40%', '68%'],
                label: { formatter: '{b}\n{c}' },
                data: b.byGroup.filter((g) => g.members > 0).map((g) => ({ name: g.name, value: g.members })),
              },
            ],
          }
        : null,
    [b, t],
  );
  const trendChart = useMemo<ChartOption | null>(
    () =>
      b
        ? {
            tooltip: { trigger: 'axis' },
            legend: { top: 0 },
            grid: { left: 48, right: 48, top: 40, bottom: 40 },
            xAxis: { type: 'category', data: b.trend.map((p) => m(p.label)) },
            yAxis: [{ type: 'value' }, { type: 'value', name: '%', min: 0, max: 100 }],
            series: [
              { name: t('新增会员'), type: 'line', data: b.trend.map((p) => p.members), itemStyle: { color: '#c8102e' } },
              { name: t('新建工会'), type: 'line', data: b.trend.map((p) => p.unions), itemStyle: { color: '#1677ff' } },
              { name: t('完成率'), type: 'line', yAxisIndex: 1, data: b.trend.map((p) => p.completion), itemStyle: { color: '#fa8c16' } },
            ],
          }
        : null,
    [b, t, m],
  );

  if (error && !b) return <ErrorAlert error={error} />;
  if (!b) return <Card loading />;

  const file = (ext: string) => `${b.campaign.name}-通报-${m(b.label)}.${ext}`;
  // The print page has its own URL (a short-lived signed link from the API), not a blob:
  // it runs under its own strict CSP. The tab is opened at the click, so no popup blocker stops it.
  const openPrint = async () => {
    setDlError(null);
    const tab = window.open('about:blank', '_blank');
    try {
      const link = await post<{ url: string }>(`${base}/print-link`);
      if (tab) {
        tab.opener = null;
        // The print page in the app's language: Chinese only, or English only.
        tab.location.href = `${link.url}&lang=${lang}`;
      } else window.location.assign(`${link.url}&lang=${lang}`);
    } catch (e) {
      tab?.close();
      setDlError(e);
    }
  };
  const dl = (format: 'csv' | 'xlsx') => {
    setDlError(null);
    download(`${base}?format=${format}&lang=${lang}`, file(format)).catch(setDlError);
  };
  const tot = b.totals;

  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }} data-testid="bulletin-view">
      <Card
        title={
          <Space wrap>
            <span>{b.campaign.name}</span>
            <Tag color="red">{m(b.label)}</Tag>
          </Space>
        }
        extra={
          <Space wrap className="ud-no-print">
            <Button onClick={() => navigate(`/bulletins?campaign=${encodeURIComponent(b.campaign.id)}`)}>{t('通报列表')}</Button>
            <Button icon={<PrinterOutlined />} onClick={openPrint} data-testid="download-html">
              {t('打印版（HTML）')}
            </Button>
            <Button icon={<DownloadOutlined />} onClick={() => dl('csv')} data-testid="download-csv">
              CSV
            </Button>
            <Button icon={<DownloadOutlined />} onClick={() => dl('xlsx')} data-testid="download-xlsx">
              Excel
            </Button>
          </Space>
        }
      >
        <ErrorAlert error={dlError} />
        <Descriptions
          size="small"
          column={{ xs: 1, md: 3 }}
          items={[
            { key: 'city', label: t('发布单位'), children: b.campaign.cityName },
            { key: 'period', label: t('周期'), children: m(b.period.label) },
            { key: 'issued', label: t('发布时间'), children: dayjs(b.issuedAt).format('YYYY-MM-DD HH:mm') },
            { key: 'asof', label: t('数据截至'), children: dayjs(b.asOf).format('YYYY-MM-DD HH:mm') },
            { key: 'phase', label: t('当前阶段'), children: m(b.campaign.phaseLabel) },
            ...(b.changes
              ? [{ key: 'prev', label: t('上期'), children: `${m(b.changes.previous.label)}（${dayjs(b.changes.previous.issuedAt).format('MM-DD')}）` }]
              : []),
          ]}
        />
        {b.missedPeriods.length > 0 && (
          <Typography.Paragraph type="warning">{t('本期一并补发第 {p} 个周期的通报', { p: b.missedPeriods.join('、') })}</Typography.Paragraph>
        )}
      </Card>

      <Row gutter={[16, 16]}>
        {[
          {
            title: t('新增会员'),
            value: tot.members.count,
            suffix: ` / ${tot.members.target}${tot.members.pending ? ` · ${t('待核验')} ${tot.members.pending}` : ''}`,
            delta: b.changes?.totals.members,
          },
          { title: t('完成率'), value: tot.completion, suffix: '%', delta: b.changes?.totals.completionPts },
          { title: t('新建工会'), value: tot.unions.established, suffix: tot.unions.target ? ` / ${tot.unions.target}` : '', delta: b.changes?.totals.unions },
          { title: t('网上入会申请'), value: tot.online.received, suffix: ` · ${t('待审')} ${tot.online.pending}`, delta: b.changes?.totals.applications },
          { title: t('已销号企业'), value: tot.ledger.crossedOff, suffix: ` / ${tot.ledger.targets}` },
          { title: t('逾期事项'), value: tot.overdue.deliverables + tot.overdue.approvals, danger: tot.overdue.deliverables + tot.overdue.approvals > 0 },
        ].map((s) => (
          <Col key={s.title} flex="1 1 180px">
            <Card size="small">
              <Statistic title={s.title} value={s.value} suffix={s.suffix} styles={{ content: s.danger ? { color: '#cf1322' } : undefined }} />
              {s.delta !== undefined && s.delta !== 0 && (
                <Typography.Text type={s.delta > 0 ? 'success' : 'danger'} style={{ fontSize: 12 }}>
                  {t('较上期')} {s.delta > 0 ? '+' : ''}
                  {s.delta}
                </Typography.Text>
              )}
            </Card>
          </Col>
        ))}
      </Row>

      <Row gutter={[16, 16]}>
        <Col xs={24} xl={15}>
          <Card size="small" title={t('各地区完成情况')}>
            {regionChart && <EChart option={regionChart} testId="bulletin-region-chart" />}
          </Card>
        </Col>
        <Col xs={24} xl={9}>
          <Card size="small" title={t('重点群体新增会员')}>
            {groupChart && b.byGroup.some((g) => g.members > 0) ? (
              <EChart option={groupChart} testId="bulletin-group-chart" />
            ) : (
              <Typography.Paragraph type="secondary">{t('暂无新增会员')}</Typography.Paragraph>
            )}
          </Card>
        </Col>
      </Row>

      <Row gutter={[16, 16]}>
        <Col xs={24} xl={12}>
          <Card size="small" title={t('排名')} data-testid="bulletin-ranking">
            <Table
              size="small"
              pagination={false}
              rowKey="org"
              dataSource={b.ranking}
              columns={[
                { title: t('名次'), dataIndex: 'rank', width: 70 },
                { title: t('地区'), dataIndex: 'name' },
                { title: t('新增会员'), render: (_: unknown, r) => `${r.members} / ${r.target}` },
                { title: t('完成率'), dataIndex: 'completion', render: (v: number) => `${v}%` },
                {
                  title: t('较上期'),
                  dataIndex: 'rankChange',
                  render: (v: number | null) =>
                    v === null ? (
                      '—'
                    ) : v > 0 ? (
                      <Tag color="green" icon={<ArrowUpOutlined />}>
                        {v}
                      </Tag>
                    ) : v < 0 ? (
                      <Tag color="red" icon={<ArrowDownOutlined />}>
                        {-v}
                      </Tag>
                    ) : (
                      <Tag>—</Tag>
                    ),
                },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card size="small" title={t('历期走势')}>
            {trendChart && b.trend.length > 0 ? (
              <EChart option={trendChart} height={280} testId="bulletin-trend-chart" />
            ) : (
              <Typography.Paragraph type="secondary">{t('暂无')}</Typography.Paragraph>
            )}
          </Card>
        </Col>
      </Row>

      <Card size="small" title={t('各地区明细')}>
        <Table<RegionFigures>
          size="small"
          pagination={false}
          rowKey="org"
          dataSource={b.regions}
          scroll={{ x: 1000 }}
          columns={[
            { title: t('地区'), dataIndex: 'name', fixed: 'left' },
            { title: t('新增会员'), render: (_: unknown, r) => `${r.members.count} / ${r.members.target}` },
            { title: t('其中网上入会'), render: (_: unknown, r) => r.members.online },
            { title: t('待核验（不计入）'), render: (_: unknown, r) => r.members.pending ?? 0 },
            { title: t('新建工会'), render: (_: unknown, r) => `${r.unions.established} / ${r.unions.target}` },
            { title: t('销号 / 目标企业'), render: (_: unknown, r) => `${r.ledger.crossedOff} / ${r.ledger.targets}` },
            { title: t('项目'), render: (_: unknown, r) => r.projects.total },
            { title: t('网上申请（待审）'), render: (_: unknown, r) => `${r.online.received}（${r.online.pending}）` },
            { title: t('逾期'), render: (_: unknown, r) => r.overdue.deliverables + r.overdue.approvals || 0 },
            { title: t('完成率'), dataIndex: 'completion', render: (v: number) => `${v}%` },
          ]}
        />
      </Card>

      {b.rectifications && (
        <Card size="small" title={t('各地区未完成整改事项')} data-testid="bulletin-rectifications">
          <Table
            size="small"
            pagination={false}
            rowKey={(x) => `${x.org}-${x.i}`}
            dataSource={b.rectifications.flatMap((r) =>
              r.items.map((x, i) => ({ ...x, i, org: r.org, region: r.name, open: r.open, overdueCount: r.overdue })),
            )}
            locale={{ emptyText: t('没有未完成的整改事项') }}
            columns={[
              { title: t('地区'), dataIndex: 'region' },
              { title: t('项目'), dataIndex: 'project' },
              { title: t('检查发现问题'), dataIndex: 'finding' },
              { title: t('严重程度'), dataIndex: 'severity', render: (v: string) => t(SEVERITY_ZH[v] ?? v) },
              {
                title: t('整改期限'),
                dataIndex: 'deadline',
                render: (v: string, x) => (
                  <Space size={4}>
                    {v}
                    {x.overdue && <Tag color="red">{t('逾期')}</Tag>}
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

const SEVERITY_ZH: Record<string, string> = { minor: '一般', major: '较重', serious: '严重' };
