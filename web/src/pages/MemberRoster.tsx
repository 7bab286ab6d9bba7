/**
 * 会员名册: the members of a campaign the caller may see (a union its own, a region its region's, the city all),
 * by project, region, union and group, searched by name, the ID number's last four or employer, a page at a time,
 * and exported (Excel or CSV) with masked ID numbers. Filters live in the address so a view can be shared.
 */
import { useEffect, useState } from 'react';
import { Card, Input, Select, Space, Table, Tag, Typography } from 'antd';
import { get } from '../api';
import { ErrorAlert } from '../components/ErrorAlert';
import { ExportButtons } from '../components/ExportButtons';
import { OrgPicker } from '../components/OrgPicker';
import { useLoad } from '../components/useLoad';
import { useI18n } from '../i18n';
import { navigate } from '../router';
import type { CampaignView } from './CampaignDashboard';
import type { CampaignSummary } from './CampaignList';
import type { ProjectView } from './region/ProjectsTab';

interface RosterMember {
  id: number;
  name: string;
  idNumberMasked: string;
  groupName: string | null;
  employer: string | null;
  unionName: string;
  regionName: string | null;
  projectName: string | null;
  verified: boolean;
  joinedAtBeijing: string;
}

const FILTERS = ['q', 'project', 'region', 'union', 'group'] as const;
type Filters = Partial<Record<(typeof FILTERS)[number], string>>;

export default function MemberRoster({ query }: { query: URLSearchParams }) {
  const { t } = useI18n();
  const campaigns = useLoad(() => get<{ items: CampaignSummary[] }>('/api/campaigns?limit=200'), []);
  const campaignId = query.get('campaign') ?? campaigns.data?.items[0]?.id;
  const filters: Filters = {};
  for (const k of FILTERS) {
    const v = query.get(k);
    if (v) filters[k] = v;
  }
  const page = Math.max(1, Number(query.get('page')) || 1);
  const pageSize = Math.min(200, Math.max(1, Number(query.get('size')) || 20));
  const [q, setQ] = useState(filters.q ?? '');
  useEffect(() => setQ(filters.q ?? ''), [filters.q]);

  const go = (change: Filters & { campaign?: string; page?: number; size?: number }) => {
    const next = new URLSearchParams();
    const merged: Record<string, string | number | undefined> = { campaign: campaignId, ...filters, page: 1, size: pageSize, ...change };
    for (const [k, v] of Object.entries(merged)) if (v !== undefined && v !== '' && !(k === 'page' && v === 1)) next.set(k, String(v));
    navigate(`/roster?${next.toString()}`, { replace: true });
  };

  const base = campaignId ? `/api/campaigns/${encodeURIComponent(campaignId)}` : '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v) params.set(k, v);
  const listPath = `${base}/members${params.toString() ? `?${params.toString()}` : ''}`;
  const campaign = useLoad(() => (base ? get<CampaignView>(base) : Promise.resolve(undefined)), [base]);
  const projects = useLoad(() => (base ? get<{ items: ProjectView[] }>(`${base}/projects?limit=500`) : Promise.resolve({ items: [] })), [base]);
  const groups = useLoad(() => get<{ items: { id: string; name: string }[] }>('/api/groups'), []);
  const roster = useLoad(
    () =>
      base
        ? get<{ total: number; items: RosterMember[] }>(`${listPath}${params.toString() ? '&' : '?'}limit=${pageSize}&offset=${(page - 1) * pageSize}`)
        : Promise.resolve({ total: 0, items: [] }),
    [listPath, page, pageSize],
  );
  const campaignGroups = new Set(campaign.data?.groups ?? []);

  return (
    <Card title={t('会员名册')} extra={base && <ExportButtons path={listPath} name={`${t('会员名册')}-${campaign.data?.name ?? ''}`} />}>
      <Space wrap style={{ marginBottom: 16 }} data-testid="roster-filters">
        <Select
          style={{ width: 300 }}
          value={campaignId}
          loading={campaigns.loading}
          placeholder={t('选择行动')}
          aria-label={t('选择行动')}
          onChange={(v: string) => go({ campaign: v, project: undefined, region: undefined })}
          options={(campaigns.data?.items ?? []).map((c) => ({ value: c.id, label: `${c.name}（${c.year}）` }))}
        />
        <Input.Search
          allowClear
          style={{ width: 300 }}
          value={q}
          onChange={(e) => setQ(e.target.value)}
          onSearch={(v) => go({ q: v.trim() || undefined })}
          placeholder={t('姓名、身份证号后四位或工作单位')}
          aria-label={t('搜索会员')}
        />
        <Select
          allowClear
          style={{ width: 200 }}
          value={filters.region}
          placeholder={t('所属地区')}
          aria-label={t('所属地区')}
          onChange={(v?: string) => go({ region: v })}
          options={(campaign.data?.regions ?? []).map((r) => ({ value: r.org, label: r.name }))}
        />
        <Select
          allowClear
          showSearch
          optionFilterProp="label"
          style={{ width: 260 }}
          value={filters.project}
          placeholder={t('项目')}
          aria-label={t('项目')}
          onChange={(v?: string) => go({ project: v })}
          options={(projects.data?.items ?? []).filter((p) => p.kind === 'organizing').map((p) => ({ value: p.id, label: p.name }))}
        />
        <OrgPicker
          allowClear
          style={{ width: 260 }}
          value={filters.union}
          placeholder={t('所属工会')}
          aria-label={t('所属工会')}
          onChange={(v) => go({ union: v })}
        />
        <Select
          allowClear
          style={{ width: 160 }}
          value={filters.group}
          placeholder={t('重点群体')}
          aria-label={t('重点群体')}
          onChange={(v?: string) => go({ group: v })}
          options={(groups.data?.items ?? []).filter((g) => campaignGroups.has(g.id)).map((g) => ({ value: g.id, label: g.name }))}
        />
      </Space>
      <ErrorAlert error={campaigns.error ?? roster.error} />
      <Typography.Paragraph type="secondary">{t('身份证号已脱敏；导出同样只含脱敏号码。')}</Typography.Paragraph>
      <Table<RosterMember>
        size="small"
        rowKey="id"
        data-testid="roster"
        loading={roster.loading}
        dataSource={roster.data?.items ?? []}
        pagination={{
          current: page,
          pageSize,
          total: roster.data?.total ?? 0,
          showSizeChanger: true,
          showTotal: (n) => t('共 {n} 人', { n }),
          onChange: (p, s) => go({ page: s !== pageSize ? 1 : p, size: s }),
        }}
        columns={[
          { title: t('姓名'), dataIndex: 'name' },
          { title: t('身份证号（脱敏）'), dataIndex: 'idNumberMasked' },
          { title: t('重点群体'), dataIndex: 'groupName', render: (v: string | null) => v ?? '—' },
          { title: t('工作单位'), dataIndex: 'employer', render: (v: string | null) => v ?? '—' },
          { title: t('所属工会'), dataIndex: 'unionName' },
          { title: t('所属地区'), dataIndex: 'regionName', render: (v: string | null) => v ?? '—' },
          { title: t('项目'), dataIndex: 'projectName', render: (v: string | null) => v ?? '—' },
          { title: t('实名核验'), dataIndex: 'verified', render: (v: boolean) => (v ? <Tag color="green">{t('已核验')}</Tag> : <Tag>{t('未核验')}</Tag>) },
          { title: t('入会时间（北京时间）'), dataIndex: 'joinedAtBeijing' },
        ]}
      />
    </Card>
  );
}
