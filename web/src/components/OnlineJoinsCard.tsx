/**
 * 网上入会（日 / 周 / 月）: the campaign's online-join figures per region by
 * Beijing day, ISO week or calendar month (seed 001's 日收集、周调度、月督查),
 * newest period first, with an export of the same table.
 */
import { useState } from 'react';
import { Card, Segmented, Space, Table } from 'antd';
import { get } from '../api';
import { ErrorAlert } from './ErrorAlert';
import { ExportButtons } from './ExportButtons';
import { useLoad } from './useLoad';
import { useI18n } from '../i18n';

type By = 'day' | 'week' | 'month';
interface Counts {
  received: number;
  approved: number;
  rejected: number;
  pending: number;
  withdrawn: number;
}
interface OnlineJoins {
  periods: { key: string; label: string; first: string; last: string; total: Counts }[];
  regions: { org: string; name: string; periods: ({ key: string } & Counts)[]; total: Counts }[];
  total: Counts;
}
type Row = { key: string; period: string; region: string; total?: boolean } & Counts;

export function OnlineJoinsCard({ campaignId, campaignName }: { campaignId: string; campaignName: string }) {
  const { t, lang } = useI18n();
  const [by, setBy] = useState<By>('day');
  const path = `/api/campaigns/${encodeURIComponent(campaignId)}/online-joins?by=${by}`;
  const { data, error } = useLoad(() => get<OnlineJoins>(path), [path]);

  const periodName = (p: OnlineJoins['periods'][number]) =>
    lang === 'zh' ? p.label : by === 'week' ? `${p.key} (${p.first.slice(5)}—${p.last.slice(5)})` : p.key;
  const rows: Row[] = [];
  if (data) {
    for (const p of [...data.periods].reverse()) {
      for (const r of data.regions) {
        const c = r.periods.find((x) => x.key === p.key)!;
        if (c.received) rows.push({ ...c, key: `${p.key}/${r.org}`, period: periodName(p), region: r.name });
      }
      rows.push({ key: `${p.key}/`, period: periodName(p), region: t('合计'), total: true, ...p.total });
    }
  }
  const bold = (v: number, r: Row) => (r.total ? <strong>{v}</strong> : v);

  return (
    <Card
      title={t('网上入会（日 / 周 / 月）')}
      size="small"
      data-testid="online-joins"
      extra={<ExportButtons path={path} name={`${campaignName} ${t('网上入会统计')}`} />}
    >
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Segmented<By>
          value={by}
          onChange={setBy}
          options={[
            { value: 'day', label: t('按日') },
            { value: 'week', label: t('按周') },
            { value: 'month', label: t('按月') },
          ]}
          data-testid="online-joins-by"
        />
        {error ? <ErrorAlert error={error} /> : null}
        <Table<Row>
          size="small"
          rowKey="key"
          loading={!data && !error}
          dataSource={rows}
          pagination={rows.length > 30 ? { pageSize: 30, showSizeChanger: false } : false}
          scroll={{ x: 560 }}
          locale={{ emptyText: t('暂无网上入会申请') }}
          columns={[
            { title: t('期间'), dataIndex: 'period', fixed: 'left', width: 130 },
            { title: t('地区'), dataIndex: 'region', render: (v: string, r) => (r.total ? <strong>{v}</strong> : v) },
            { title: t('收到申请'), dataIndex: 'received', align: 'right', render: bold },
            { title: t('已入会'), dataIndex: 'approved', align: 'right', render: bold },
            { title: t('未通过'), dataIndex: 'rejected', align: 'right', render: bold },
            { title: t('待审批'), dataIndex: 'pending', align: 'right', render: bold },
          ]}
        />
      </Space>
    </Card>
  );
}
