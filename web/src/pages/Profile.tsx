/**
 * 我的资料 / My profile: the caller's account, home org and active posts
 * (岗位, GET /api/me). Deputies while away are added here by a later change.
 */
import { Card, Descriptions, Table, Tag } from 'antd';
import { get } from '../api';
import { ErrorAlert } from '../components/ErrorAlert';
import { useLoad } from '../components/useLoad';
import { useI18n } from '../i18n';
import { label, ROLES } from '../labels';

interface Me {
  username: string;
  name: string;
  org: string;
  orgName: string;
  posts: { id: string; org: string; orgName: string; role: string }[];
}

export default function Profile() {
  const { t, lang } = useI18n();
  const me = useLoad(() => get<Me>('/api/me'), []);
  return (
    <Card title={t('我的资料')} loading={me.loading && !me.data}>
      <ErrorAlert error={me.error} />
      {me.data ? (
        <>
          <Descriptions column={1} size="small" bordered style={{ marginBottom: 16 }} data-testid="profile">
            <Descriptions.Item label={t('用户名')}>{me.data.username}</Descriptions.Item>
            <Descriptions.Item label={t('姓名')}>{me.data.name}</Descriptions.Item>
            <Descriptions.Item label={t('本单位')}>{me.data.orgName}</Descriptions.Item>
          </Descriptions>
          <Table
            size="small"
            rowKey="id"
            pagination={false}
            dataSource={me.data.posts}
            data-testid="profile-posts"
            locale={{ emptyText: t('无岗位') }}
            columns={[
              { title: t('组织'), dataIndex: 'orgName' },
              { title: t('岗位'), dataIndex: 'role', render: (r: string) => <Tag color="blue">{label(ROLES, r, lang)}</Tag> },
            ]}
          />
        </>
      ) : null}
    </Card>
  );
}
