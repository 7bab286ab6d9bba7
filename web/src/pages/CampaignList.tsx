/** 集中行动 list: every campaign in the caller's scope with its phase and the current phase's end. */
import { Button, Card, Space, Table, Tag, Typography } from 'antd';
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { get } from '../api';
import { ErrorAlert } from '../components/ErrorAlert';
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

export default function CampaignList() {
  const { t, lang } = useI18n();
  const { has, orgName } = useSession();
  const { data, error, loading, reload } = useLoad(() => get<{ items: CampaignSummary[] }>('/api/campaigns?limit=200'), []);
  return (
    <Card
      title={t('集中行动')}
      extra={
        <Space>
          <Button icon={<ReloadOutlined />} onClick={reload}>
            {t('刷新')}
          </Button>
          {has('admin') && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/campaigns/new')}>
              {t('发起行动')}
            </Button>
          )}
        </Space>
      }
    >
      <ErrorAlert error={error} />
      <Table<CampaignSummary>
        rowKey="id"
        loading={loading}
        dataSource={data?.items ?? []}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        data-testid="campaign-table"
        columns={[
          { title: t('行动名称'), dataIndex: 'name', render: (v: string, r) => <Link to={`/campaigns/${r.id}`}>{v}</Link> },
          { title: t('年度'), dataIndex: 'year', width: 80 },
          { title: t('市总工会'), dataIndex: 'cityOrg', width: 160, render: (v: string) => orgName(v) },
          { title: t('当前阶段'), dataIndex: 'phase', width: 130, render: (v: string) => <Tag color={PHASE_COLORS[v]}>{label(PHASES, v, lang)}</Tag> },
          { title: t('本阶段截止'), dataIndex: 'phaseEndsAt', width: 170, render: (v: string | null) => (v ? dayjs(v).format('YYYY-MM-DD HH:mm') : '—') },
          { title: t('参加地区'), dataIndex: 'regions', width: 100 },
        ]}
      />
      {!loading && !error && data?.items.length === 0 && <Typography.Paragraph type="secondary">{t('暂无集中行动')}</Typography.Paragraph>}
    </Card>
  );
}
