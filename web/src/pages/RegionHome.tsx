/** 地区工作台: the campaigns the caller's region takes part in, each opening the region's desk. */
import { Button, Card, Empty, Space, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { get } from '../api';
import { ErrorAlert } from '../components/ErrorAlert';
import { useLoad } from '../components/useLoad';
import { useI18n } from '../i18n';
import { label, PHASES } from '../labels';
import { navigate } from '../router';
import { useSession } from '../session';
import { PHASE_COLORS, type CampaignSummary } from './CampaignList';

export default function RegionHome() {
  const { t, lang } = useI18n();
  const { user } = useSession();
  const { data, error, loading } = useLoad(() => get<{ items: CampaignSummary[] }>('/api/campaigns?limit=200'), []);
  return (
    <Card title={`${t('地区工作台')} · ${user?.orgName ?? ''}`} loading={loading}>
      <ErrorAlert error={error} />
      {data && data.items.length === 0 && <Empty description={t('本地区暂未参加集中行动')} />}
      <Space orientation="vertical" style={{ width: '100%' }}>
        {data?.items.map((c) => (
          <Card key={c.id} size="small" data-testid="region-campaign">
            <div style={{ display: 'flex', alignItems: 'center', gap: 12, flexWrap: 'wrap' }}>
              <Typography.Text strong style={{ fontSize: 16 }}>
                {c.name}
              </Typography.Text>
              <Tag color={PHASE_COLORS[c.phase]}>{label(PHASES, c.phase, lang)}</Tag>
              {c.phaseEndsAt && (
                <Typography.Text type="secondary">{t('本阶段截止：{at}', { at: dayjs(c.phaseEndsAt).format('YYYY-MM-DD HH:mm') })}</Typography.Text>
              )}
              <div style={{ flex: 1 }} />
              <Button onClick={() => navigate(`/campaigns/${encodeURIComponent(c.id)}`)}>{t('行动总览')}</Button>
              <Button type="primary" onClick={() => navigate(`/campaigns/${encodeURIComponent(c.id)}/regions/${encodeURIComponent(user!.org)}`)}>
                {t('办理本地区事项')}
              </Button>
            </div>
          </Card>
        ))}
      </Space>
    </Card>
  );
}
