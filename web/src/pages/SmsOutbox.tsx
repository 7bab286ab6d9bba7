/**
 * 短信发件箱 (development): the messages the development SMS provider
 * (SMS_PROVIDER=outbox) stored instead of sending — phone masked, the text
 * with its code — for admins testing the public join page. A deployment with
 * a real provider has no outbox: the page says so.
 */
import { Alert, Button, Card, Table, Typography } from 'antd';
import dayjs from 'dayjs';
import { ApiError, get } from '../api';
import { ErrorAlert } from '../components/ErrorAlert';
import { useLoad } from '../components/useLoad';
import { useI18n } from '../i18n';

interface OutboxItem {
  id: string;
  phoneMasked: string;
  text: string;
  createdAt: string;
}

export default function SmsOutbox() {
  const { t } = useI18n();
  const { data, error, loading, reload } = useLoad(() => get<{ items: OutboxItem[] }>('/api/dev/sms-outbox?limit=100'), []);
  const absent = error instanceof ApiError && error.status === 404;
  return (
    <Card
      title={t('短信发件箱')}
      extra={
        <Button onClick={() => void reload()} loading={loading} data-testid="outbox-reload">
          {t('刷新')}
        </Button>
      }
    >
      <Typography.Paragraph type="secondary">
        {t('开发环境不真正发送短信：验证码短信保存在这里（手机号已脱敏），供测试网上入会。生产环境请配置短信服务（SMS_PROVIDER=tencent）。')}
      </Typography.Paragraph>
      {absent ? <Alert type="info" showIcon title={t('本部署已配置短信服务，没有开发发件箱')} /> : <ErrorAlert error={error} />}
      {!absent && (
        <Table<OutboxItem>
          rowKey="id"
          size="small"
          loading={loading}
          dataSource={data?.items ?? []}
          pagination={{ pageSize: 20 }}
          scroll={{ x: true }}
          data-testid="sms-outbox"
          columns={[
            { title: t('时间'), dataIndex: 'createdAt', width: 160, render: (v: string) => dayjs(v).format('YYYY-MM-DD HH:mm:ss') },
            { title: t('手机号'), dataIndex: 'phoneMasked', width: 130 },
            { title: t('短信内容'), dataIndex: 'text' },
          ]}
        />
      )}
    </Card>
  );
}
