/** 我的申请: the applications the caller filed, newest first, each opening its page; 发起申请 where the policy allows. */
import { Button, Card, Space, Table, Tag } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { get } from '../api';
import { ErrorAlert } from '../components/ErrorAlert';
import { useLoad } from '../components/useLoad';
import { useI18n } from '../i18n';
import { APP_STATUS, APP_TYPES, label, STATUS_COLORS } from '../labels';
import { navigate } from '../router';
import type { ApplicationFormInfo } from './NewApplication';

interface Row {
  id: string;
  type: string;
  title: string;
  status: string;
  currentStep: string | null;
  createdAt: string;
}

export default function MyApplications() {
  const { t, lang, m } = useI18n();
  const list = useLoad(() => get<{ items: Row[] }>('/api/applications?mine=true&limit=200'), []);
  const form = useLoad(() => get<ApplicationFormInfo>('/api/applications/form?type=subsidy'), []);
  return (
    <Card
      title={t('我的申请')}
      extra={
        form.data?.canApply ? (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/applications/new?type=subsidy')} data-testid="new-application-link">
            {t('发起申请')}
          </Button>
        ) : null
      }
    >
      <ErrorAlert error={list.error} />
      <Table<Row>
        size="small"
        rowKey="id"
        loading={list.loading}
        dataSource={list.data?.items ?? []}
        data-testid="my-applications"
        scroll={{ x: 640 }}
        columns={[
          {
            title: t('标题'),
            dataIndex: 'title',
            render: (v: string, r) => (
              <a
                href={`/applications/${encodeURIComponent(r.id)}`}
                onClick={(e) => {
                  e.preventDefault();
                  navigate(`/applications/${encodeURIComponent(r.id)}`);
                }}
              >
                {v}
              </a>
            ),
          },
          { title: t('类型'), dataIndex: 'type', render: (v: string) => label(APP_TYPES, v, lang) },
          {
            title: t('状态'),
            dataIndex: 'status',
            render: (v: string, r) => (
              <Space size={4} wrap>
                <Tag color={STATUS_COLORS[v]}>{label(APP_STATUS, v, lang)}</Tag>
                {r.status === 'pending' && r.currentStep ? m(r.currentStep) : null}
              </Space>
            ),
          },
          { title: t('提交时间'), dataIndex: 'createdAt', render: (v: string) => dayjs(v).format('YYYY-MM-DD HH:mm') },
        ]}
      />
    </Card>
  );
}
