/** 集中行动 list: the campaigns in the caller's scope, searched and filtered on the server (name, year, phase, city), a page at a time, exportable. */
import { useState } from 'react';
import { Button, Card, Input, InputNumber, Select, Space, Table, Tag, Typography } from 'antd';
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { get } from '../api';
import { ErrorAlert } from '../components/ErrorAlert';
import { ExportButtons } from '../components/ExportButtons';
import { useLoad } from '../components/useLoad';
import { useI18n } from '../i18n';
import { label, PHASES } from '../labels';
import { Link, navigate } from '../router';
import { useSession } from '../session';

export interface CampaignSummary {
  id: string;
  name: string;
  year: number;
  cityOrg: string;
  cityName?: string;
  phase: string;
  phaseEndsAt: string | null;
  regions: number;
}

export const PHASE_COLORS: Record<string, string> = {
  pending: 'default',
  survey: 'blue',
  listing: 'purple',
  implementation: 'cyan',
  assessment: 'orange',
  closed: 'default',
};

const PAGE = 20;

export default function CampaignList() {
  const { t, lang } = useI18n();
  const { has, orgs } = useSession();
  const [filters, setFilters] = useState<{ q?: string; year?: number | null; phase?: string; city?: string }>({});
  // Keyset pages: the cursors of the pages before this one.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const query = new URLSearchParams();
  if (filters.q) query.set('q', filters.q);
  if (filters.year) query.set('year', String(filters.year));
  if (filters.phase) query.set('phase', filters.phase);
  if (filters.city) query.set('city', filters.city);
  const listPath = `/api/campaigns?${query.toString()}`;
  const { data, error, loading, reload } = useLoad(
    () => get<{ items: CampaignSummary[]; nextCursor: string | null }>(`${listPath}&limit=${PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`),
    [listPath, cursor],
  );
  const filter = (f: Partial<typeof filters>) => {
    setFilters((x) => ({ ...x, ...f }));
    setCursors([null]);
  };
  const cities = orgs.filter((o) => o.kind === 'city');
  return (
    <Card
      title={t('集中行动')}
      extra={
        <Space wrap>
          <Button icon={<ReloadOutlined />} onClick={reload}>
            {t('刷新')}
          </Button>
          <ExportButtons path={listPath} name={t('集中行动列表')} />
          {has('admin') && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/campaigns/new')}>
              {t('发起行动')}
            </Button>
          )}
        </Space>
      }
    >
      <Space wrap style={{ marginBottom: 12 }} data-testid="campaign-filters">
        <Input.Search
          allowClear
          placeholder={t('搜索行动名称')}
          onSearch={(q) => filter({ q: q.trim() || undefined })}
          style={{ width: 240 }}
          data-testid="campaign-search"
        />
        <InputNumber placeholder={t('年度')} min={2000} max={2100} precision={0} onChange={(v) => filter({ year: v })} style={{ width: 110 }} />
        <Select
          allowClear
          placeholder={t('全部阶段')}
          style={{ width: 140 }}
          onChange={(v?: string) => filter({ phase: v })}
          options={Object.keys(PHASES).map((k) => ({ value: k, label: label(PHASES, k, lang) }))}
        />
        {cities.length > 1 && (
          <Select
            allowClear
            placeholder={t('全部市总')}
            style={{ width: 180 }}
            onChange={(v?: string) => filter({ city: v })}
            options={cities.map((c) => ({ value: c.id, label: c.name }))}
          />
        )}
      </Space>
      <ErrorAlert error={error} />
      <Table<CampaignSummary>
        rowKey="id"
        loading={loading}
        dataSource={data?.items ?? []}
        pagination={false}
        scroll={{ x: 'max-content' }}
        data-testid="campaign-table"
        columns={[
          { title: t('行动名称'), dataIndex: 'name', render: (v: string, r) => <Link to={`/campaigns/${r.id}`}>{v}</Link> },
          { title: t('年度'), dataIndex: 'year', width: 80 },
          { title: t('市总工会'), dataIndex: 'cityName', width: 160 },
          { title: t('当前阶段'), dataIndex: 'phase', width: 130, render: (v: string) => <Tag color={PHASE_COLORS[v]}>{label(PHASES, v, lang)}</Tag> },
          { title: t('本阶段截止'), dataIndex: 'phaseEndsAt', width: 170, render: (v: string | null) => (v ? dayjs(v).format('YYYY-MM-DD HH:mm') : '—') },
          { title: t('参加地区'), dataIndex: 'regions', width: 100 },
        ]}
      />
      <Space style={{ marginTop: 12 }}>
        <Button disabled={cursors.length < 2} onClick={() => setCursors((c) => c.slice(0, -1))}>
          {t('上一页')}
        </Button>
        <Typography.Text type="secondary">{t('第 {n} 页', { n: cursors.length })}</Typography.Text>
        <Button disabled={!data?.nextCursor} onClick={() => data?.nextCursor && setCursors((c) => [...c, data.nextCursor])} data-testid="next-page">
          {t('下一页')}
        </Button>
      </Space>
      {!loading && !error && data?.items.length === 0 && <Typography.Paragraph type="secondary">{t('暂无集中行动')}</Typography.Paragraph>}
    </Card>
  );
}
