/**
 * 管理 → 审批流程 / Approval flows: the chains the admin may read — per
 * application type, the owning org, version and whether it applies to them —
 * with 编辑 (a new version of that chain for the owner) or 新建 (an own chain
 * of a type, starting from the one in force), and the chain changes waiting
 * for a second admin (审批链变更 in approval).
 */
import { useState } from 'react';
import { Button, Card, Modal, Select, Space, Table, Tag, Typography } from 'antd';
import { EditOutlined, PlusOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { get } from '../../api';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useLoad } from '../../components/useLoad';
import { pick, useI18n } from '../../i18n';
import { APP_STATUS, APP_TYPES, label } from '../../labels';
import { navigate } from '../../router';

export interface ChainSummary {
  key: string;
  version: number;
  name: string;
  type: string;
  owner: string | null;
  ownerName: string;
  applies?: boolean;
  createdAt?: string;
}

interface ChangeSummary {
  id: string;
  title: string;
  status: string;
  applicant: string;
  createdAt: string;
}

export const CONFIGURABLE = ['subsidy', 'membership', 'transfer', 'project_list', 'self_assessment', 'union_establishment'];

export default function ChainList() {
  const { t, lang } = useI18n();
  const chains = useLoad(() => get<{ items: ChainSummary[] }>('/api/chains'), []);
  const changes = useLoad(() => get<{ items: ChangeSummary[] }>('/api/applications?type=chain_change&status=pending&limit=50'), []);
  const [creating, setCreating] = useState(false);
  const [newType, setNewType] = useState<string>();

  const items = (chains.data?.items ?? []).filter((c) => c.type !== 'chain_change');
  // An org's chain opens as itself; the province-wide default starts a chain of the caller's own org from the one in force.
  const open = (c: ChainSummary) =>
    navigate(c.owner ? `/admin/chains/${encodeURIComponent(c.key)}?owner=${encodeURIComponent(c.owner)}` : `/admin/chains/new?type=${c.type}`);

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }} data-testid="chain-list">
      <Card
        title={t('审批流程')}
        extra={
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="chain-new">
            {t('新建')}
          </Button>
        }
      >
        <Typography.Paragraph type="secondary">
          {t('每类申请按申请单位向上最近的组织所定的审批流程办理；修改流程须由另一位管理员批准后生效，正在办理的申请仍按原版本。')}
        </Typography.Paragraph>
        <ErrorAlert error={chains.error} />
        <Table<ChainSummary>
          rowKey={(c) => `${c.owner ?? ''}:${c.key}`}
          loading={chains.loading}
          dataSource={items}
          pagination={false}
          scroll={{ x: 640 }}
          columns={[
            { title: t('申请类型'), dataIndex: 'type', render: (v: string) => label(APP_TYPES, v, lang) },
            { title: t('名称'), dataIndex: 'name', render: (v: string) => pick(v, lang) },
            { title: t('所属组织'), dataIndex: 'ownerName', render: (v: string) => pick(v, lang) },
            { title: t('版本'), dataIndex: 'version', render: (v: number) => `v${v}` },
            {
              title: t('状态'),
              render: (_, c) => (c.applies ? <Tag color="green">{t('本单位适用')}</Tag> : <Tag>{t('本单位不适用')}</Tag>),
            },
            {
              title: t('操作'),
              render: (_, c) => (
                <Button size="small" icon={<EditOutlined />} onClick={() => open(c)} data-testid={`chain-edit-${c.key}`}>
                  {c.owner ? t('编辑') : t('在本单位新建')}
                </Button>
              ),
            },
          ]}
        />
      </Card>
      <Card title={t('待批准的流程变更')} data-testid="chain-changes">
        <ErrorAlert error={changes.error} />
        <Table<ChangeSummary>
          rowKey="id"
          loading={changes.loading}
          dataSource={changes.data?.items ?? []}
          pagination={false}
          locale={{ emptyText: t('没有待批准的变更') }}
          scroll={{ x: 520 }}
          columns={[
            { title: t('变更'), dataIndex: 'title', render: (v: string) => pick(v, lang) },
            { title: t('提交时间'), dataIndex: 'createdAt', render: (v: string) => dayjs(v).format('YYYY-MM-DD HH:mm') },
            { title: t('状态'), dataIndex: 'status', render: (v: string) => <Tag color="processing">{label(APP_STATUS, v, lang)}</Tag> },
          ]}
        />
      </Card>
      <Modal
        open={creating}
        title={t('新建审批流程')}
        onCancel={() => setCreating(false)}
        okButtonProps={{ disabled: !newType, ...({ 'data-testid': 'chain-new-ok' } as Record<string, string>) }}
        onOk={() => newType && navigate(`/admin/chains/new?type=${newType}`)}
      >
        <Typography.Paragraph>{t('为本单位新建一类申请的审批流程，从现行流程开始修改。')}</Typography.Paragraph>
        <Select
          style={{ width: '100%' }}
          placeholder={t('申请类型')}
          value={newType}
          onChange={setNewType}
          options={CONFIGURABLE.map((v) => ({ value: v, label: label(APP_TYPES, v, lang) }))}
          data-testid="chain-new-type"
        />
      </Modal>
    </Space>
  );
}
