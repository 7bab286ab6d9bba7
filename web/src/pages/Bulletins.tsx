/**
 * 进度通报: "my bulletins" (those delivered to the caller, with read state),
 * or one campaign's bulletins; the city admin can issue one now (临时通报),
 * which takes a few seconds while the figures are gathered.
 */
import { useState } from 'react';
import { App, Button, Card, Progress, Select, Space, Table, Tag, Typography } from 'antd';
import { FileAddOutlined, ReloadOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { get, newKey, post } from '../api';
import { ErrorAlert } from '../components/ErrorAlert';
import { useLoad } from '../components/useLoad';
import { useI18n } from '../i18n';
import { Link, navigate } from '../router';
import { useSession } from '../session';
import type { CampaignSummary } from './CampaignList';

export interface BulletinSummary {
  id: string;
  campaignId: string;
  campaignName?: string;
  seq: number;
  label: string;
  kind: 'scheduled' | 'on_demand';
  period: { key: string; index?: number; start?: string; end?: string; label: string };
  issuedAt: string;
  issuedBy: string;
  headline: {
    newMembers: number;
    targetMembers: number;
    completion: number;
    unionsEstablished: number;
    onlineApplications: number;
    onlinePending: number;
    overdue: number;
    approvalsPastLimit: number;
    rectifying: number;
  };
  readAt?: string | null;
}

export default function Bulletins({ campaignId }: { campaignId?: string }) {
  const { t, m } = useI18n();
  const { message } = App.useApp();
  const { user, has } = useSession();
  const campaigns = useLoad(() => get<{ items: CampaignSummary[] }>('/api/campaigns?limit=200'), []);
  const list = useLoad(
    () =>
      get<{ items: BulletinSummary[]; nextCursor: string | null }>(
        campaignId ? `/api/campaigns/${encodeURIComponent(campaignId)}/reports?limit=100` : '/api/reports?limit=100',
      ),
    [campaignId],
  );
  const campaign = campaigns.data?.items.find((c) => c.id === campaignId);
  const [issuing, setIssuing] = useState(false);
  const [issueError, setIssueError] = useState<unknown>(null);
  const [elapsed, setElapsed] = useState(0);
  const canIssue = !!campaign && has('admin') && user?.org === campaign.cityOrg && campaign.phase !== 'pending';

  const issue = async () => {
    if (!campaign) return;
    setIssuing(true);
    setIssueError(null);
    setElapsed(0);
    const started = Date.now();
    const timer = setInterval(() => setElapsed(Date.now() - started), 250);
    try {
      const r = await post<{ id: string; label: string }>(`/api/campaigns/${encodeURIComponent(campaign.id)}/reports`, {}, { idempotencyKey: newKey() });
      message.success(t('已生成通报 {label}', { label: m(r.label) }));
      void list.reload();
    } catch (e) {
      setIssueError(e);
    } finally {
      clearInterval(timer);
      setIssuing(false);
    }
  };

  return (
    <Card
      title={campaign ? `${t('进度通报')} · ${campaign.name}` : t('我收到的通报')}
      extra={
        <Space wrap>
          <Select
            allowClear
            style={{ width: 320 }}
            placeholder={t('按行动查看通报')}
            value={campaignId}
            loading={campaigns.loading}
            onChange={(v?: string) => navigate(v ? `/bulletins?campaign=${encodeURIComponent(v)}` : '/bulletins')}
            options={(campaigns.data?.items ?? []).map((c) => ({ value: c.id, label: c.name }))}
            aria-label={t('按行动查看通报')}
          />
          <Button icon={<ReloadOutlined />} onClick={list.reload}>
            {t('刷新')}
          </Button>
          {canIssue && (
            <Button type="primary" icon={<FileAddOutlined />} loading={issuing} onClick={issue} data-testid="issue-bulletin">
              {t('生成通报')}
            </Button>
          )}
        </Space>
      }
    >
      {issuing && (
        <div style={{ marginBottom: 16 }} data-testid="issue-progress">
          <Typography.Text>{t('正在汇总各地区数据、生成通报…')}</Typography.Text>
          <Progress percent={Math.min(95, Math.round((elapsed / 8000) * 100))} status="active" showInfo={false} />
        </div>
      )}
      <ErrorAlert error={issueError} />
      <ErrorAlert error={list.error} />
      <Table<BulletinSummary>
        rowKey="id"
        loading={list.loading}
        dataSource={list.data?.items ?? []}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        data-testid="bulletin-table"
        columns={[
          {
            title: t('通报'),
            render: (_: unknown, b) => (
              <Space>
                <Link to={`/bulletins/${encodeURIComponent(b.id)}`}>{m(b.label)}</Link>
                {b.kind === 'on_demand' && <Tag color="orange">{t('临时')}</Tag>}
                {b.readAt === null && <Tag color="red">{t('未读')}</Tag>}
              </Space>
            ),
          },
          ...(campaignId ? [] : [{ title: t('行动'), dataIndex: 'campaignName' }]),
          { title: t('周期'), render: (_: unknown, b: BulletinSummary) => m(b.period.label) },
          { title: t('发布时间'), dataIndex: 'issuedAt', render: (v: string) => dayjs(v).format('YYYY-MM-DD HH:mm') },
          { title: t('新增会员'), render: (_: unknown, b: BulletinSummary) => `${b.headline.newMembers} / ${b.headline.targetMembers}` },
          { title: t('完成率'), render: (_: unknown, b: BulletinSummary) => `${b.headline.completion}%` },
          { title: t('新建工会'), render: (_: unknown, b: BulletinSummary) => b.headline.unionsEstablished },
          { title: t('逾期'), render: (_: unknown, b: BulletinSummary) => (b.headline.overdue ? <Tag color="red">{b.headline.overdue}</Tag> : 0) },
        ]}
      />
      {!list.loading && !list.error && list.data?.items.length === 0 && <Typography.Paragraph type="secondary">{t('暂无通报')}</Typography.Paragraph>}
    </Card>
  );
}
