/** 消息: the caller's reminders, escalations (督办), returns and decisions, newest first. */
import { Card, List, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { get } from '../api';
import { ErrorAlert } from '../components/ErrorAlert';
import { useLoad } from '../components/useLoad';
import { useI18n } from '../i18n';

const KINDS: Record<string, [string, string, string]> = {
  reminder: ['提醒', 'Reminder', 'blue'],
  urge: ['催办', 'Urged', 'orange'],
  cc: ['抄送', 'Copy', 'default'],
  escalation: ['督办', 'Escalation', 'red'],
  returned: ['退回', 'Returned', 'orange'],
  decided: ['办结', 'Decided', 'green'],
};

export default function Notifications() {
  const { t, lang, m } = useI18n();
  const { data, error, loading } = useLoad(
    () =>
      get<{ items: { id: string; kind: string; message: string; applicationId: string | null; createdAt: string; readAt: string | null }[] }>(
        '/api/notifications?limit=100',
      ),
    [],
  );
  return (
    <Card title={t('消息')}>
      <ErrorAlert error={error} />
      <List
        loading={loading}
        dataSource={data?.items ?? []}
        locale={{ emptyText: t('暂无消息') }}
        renderItem={(n) => {
          const k = KINDS[n.kind];
          return (
            <List.Item>
              <div style={{ display: 'flex', gap: 12, alignItems: 'baseline', width: '100%' }}>
                <Tag color={k?.[2]}>{k ? (lang === 'zh' ? k[0] : k[1]) : n.kind}</Tag>
                <span style={{ flex: 1 }}>{m(n.message)}</span>
                <Typography.Text type="secondary">{dayjs(n.createdAt).format('YYYY-MM-DD HH:mm')}</Typography.Text>
              </div>
            </List.Item>
          );
        }}
      />
    </Card>
  );
}
