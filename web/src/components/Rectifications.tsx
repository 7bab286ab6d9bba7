/**
 * 整改事项 (issue 16): the rectification items inspections opened, with what
 * the caller may do on each as the API says (`allowed`, from the policy): the
 * region reports one done with a note; the city accepts it or sends it back.
 * Overdue items are flagged. Used on the campaign dashboard (all the caller
 * may see) and in the self-assessment review (one project's).
 */
import { useState } from 'react';
import { App, Button, Card, Form, Input, Modal, Space, Table, Tag, Typography } from 'antd';
import { get, newKey, post } from '../api';
import { useLoad } from './useLoad';
import { ErrorAlert } from './ErrorAlert';
import { useI18n } from '../i18n';
import { RecordInspectionButton } from './InspectionForm';

export interface RectificationView {
  id: string;
  projectId: string;
  projectName: string;
  region: string;
  regionName: string | null;
  finding: string;
  severity: string;
  severityLabel: string;
  deadline: string;
  status: 'open' | 'reported' | 'returned' | 'closed' | 'lapsed';
  statusLabel: string;
  overdue: boolean;
  report: { by: { name: string } | null; atBeijing: string; note: string | null } | null;
  decision: { by: { name: string } | null; atBeijing: string; note: string | null } | null;
  allowed?: { report: boolean; decide: boolean };
}

const STATUS_COLOR: Record<string, string> = { open: 'orange', reported: 'blue', returned: 'volcano', closed: 'green', lapsed: 'default' };
const SEVERITY_COLOR: Record<string, string> = { minor: 'default', major: 'orange', serious: 'red' };

export function RectificationTable({
  items,
  loading,
  onChanged,
  showProject = true,
  testId = 'rectifications',
}: {
  items: RectificationView[];
  loading?: boolean;
  onChanged?: () => void;
  showProject?: boolean;
  testId?: string;
}) {
  const { t, m } = useI18n();
  const [acting, setActing] = useState<{ item: RectificationView; kind: 'report' | 'decide' } | null>(null);
  const actions = {
    title: t('操作'),
    render: (_: unknown, r: RectificationView) => (
      <Space>
        {r.allowed?.report && (
          <Button size="small" type="primary" onClick={() => setActing({ item: r, kind: 'report' })}>
            {t('报整改完成')}
          </Button>
        )}
        {r.allowed?.decide && (
          <Button size="small" type="primary" onClick={() => setActing({ item: r, kind: 'decide' })}>
            {t('验收')}
          </Button>
        )}
      </Space>
    ),
  };
  return (
    <>
      <Table<RectificationView>
        size="small"
        rowKey="id"
        loading={loading}
        pagination={false}
        dataSource={items}
        data-testid={testId}
        locale={{ emptyText: t('没有整改事项') }}
        scroll={{ x: true }}
        columns={[
          ...(showProject
            ? [
                { title: t('地区'), render: (_: unknown, r: RectificationView) => r.regionName ?? '—' },
                { title: t('项目'), dataIndex: 'projectName' },
              ]
            : []),
          { title: t('检查发现问题'), dataIndex: 'finding' },
          {
            title: t('严重程度'),
            onCell: () => ({ style: { whiteSpace: 'nowrap' } }),
            render: (_: unknown, r) => <Tag color={SEVERITY_COLOR[r.severity]}>{m(r.severityLabel)}</Tag>,
          },
          {
            title: t('整改期限'),
            onCell: () => ({ style: { whiteSpace: 'nowrap' } }),
            render: (_: unknown, r) => (
              <Space size={4}>
                {r.deadline}
                {r.overdue && (
                  <Tag color="red" data-testid="rectification-overdue">
                    {t('逾期')}
                  </Tag>
                )}
              </Space>
            ),
          },
          { title: t('状态'), render: (_: unknown, r) => <Tag color={STATUS_COLOR[r.status]}>{m(r.statusLabel)}</Tag> },
          {
            title: t('整改情况'),
            render: (_: unknown, r) => (
              <Space direction="vertical" size={0}>
                {r.report && (
                  <Typography.Text style={{ fontSize: 12 }}>
                    {t('报送')}：{r.report.note}（{r.report.by?.name ?? '—'}，{r.report.atBeijing}）
                  </Typography.Text>
                )}
                {r.decision && (
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {t('验收')}：{m(r.decision.note ?? '') || '—'}（{r.decision.by?.name ? m(r.decision.by.name) : '—'}，{r.decision.atBeijing}）
                  </Typography.Text>
                )}
              </Space>
            ),
          },
          ...(items.some((r) => r.allowed?.report || r.allowed?.decide) ? [actions] : []),
        ]}
      />
      {acting && (
        <ActModal
          item={acting.item}
          kind={acting.kind}
          onClose={() => setActing(null)}
          onDone={() => {
            setActing(null);
            onChanged?.();
          }}
        />
      )}
    </>
  );
}

function ActModal({ item, kind, onClose, onDone }: { item: RectificationView; kind: 'report' | 'decide'; onClose: () => void; onDone: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [key] = useState(newKey);
  const send = async (decision?: 'accept' | 'return') => {
    setBusy(true);
    setError(null);
    try {
      const v = (await form.validateFields()) as { note?: string; comment?: string };
      if (kind === 'report') await post(`/api/rectifications/${item.id}/report`, { note: v.note }, { idempotencyKey: key });
      else
        await post(
          `/api/rectifications/${item.id}/decision`,
          { decision, ...(v.comment ? { comment: v.comment } : {}) },
          { idempotencyKey: `${key}-${decision}` },
        );
      message.success(kind === 'report' ? t('已报整改完成') : decision === 'accept' ? t('已验收销号') : t('已退回继续整改'));
      onDone();
    } catch (e) {
      if (e && typeof e === 'object' && 'errorFields' in e) return;
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      title={kind === 'report' ? t('报整改完成') : t('整改验收')}
      onCancel={onClose}
      footer={
        kind === 'report'
          ? [
              <Button key="cancel" onClick={onClose}>
                {t('取消')}
              </Button>,
              <Button key="ok" type="primary" loading={busy} onClick={() => void send()} data-testid="rectification-report-submit">
                {t('提交')}
              </Button>,
            ]
          : [
              <Button key="return" danger loading={busy} onClick={() => void send('return')} data-testid="rectification-return">
                {t('退回继续整改')}
              </Button>,
              <Button key="accept" type="primary" loading={busy} onClick={() => void send('accept')} data-testid="rectification-accept">
                {t('验收通过')}
              </Button>,
            ]
      }
    >
      <Typography.Paragraph>
        <b>{item.finding}</b>（{t('整改期限')} {item.deadline}）
      </Typography.Paragraph>
      {item.report && (
        <Typography.Paragraph type="secondary">
          {t('报送')}：{item.report.note}
        </Typography.Paragraph>
      )}
      <Form form={form} layout="vertical">
        {kind === 'report' ? (
          <Form.Item name="note" label={t('整改情况说明')} rules={[{ required: true, whitespace: true, message: t('请说明整改情况') }]}>
            <Input.TextArea rows={3} data-testid="rectification-note" />
          </Form.Item>
        ) : (
          <Form.Item name="comment" label={t('验收意见（退回时必填）')}>
            <Input.TextArea rows={3} data-testid="rectification-comment" />
          </Form.Item>
        )}
      </Form>
      <ErrorAlert error={error} />
    </Modal>
  );
}

/** The campaign dashboard's card: every item the caller may see (a region's own; the city all), open ones first. */
export function CampaignRectifications({ campaignId, onChanged }: { campaignId: string; onChanged?: () => void }) {
  const { t } = useI18n();
  const list = useLoad(
    () => get<{ items: RectificationView[]; allowed?: { inspect: boolean } }>(`/api/campaigns/${encodeURIComponent(campaignId)}/rectifications`),
    [campaignId],
  );
  const items = [...(list.data?.items ?? [])].sort((a, b) => rank(a) - rank(b) || a.deadline.localeCompare(b.deadline));
  const open = items.filter((x) => x.status === 'open' || x.status === 'reported' || x.status === 'returned');
  return (
    <Card
      size="small"
      data-testid="campaign-rectifications"
      title={`${t('整改事项')}（${t('未完成 {n}，逾期 {m}', { n: open.length, m: open.filter((x) => x.overdue).length })}）`}
      extra={list.data?.allowed?.inspect ? <RecordInspectionButton campaignId={campaignId} /> : undefined}
    >
      <ErrorAlert error={list.error} />
      <RectificationTable
        items={items}
        loading={list.loading}
        onChanged={() => {
          void list.reload();
          onChanged?.();
        }}
      />
    </Card>
  );
}

const ORDER: Record<string, number> = { returned: 0, open: 1, reported: 2, closed: 3, lapsed: 4 };
const rank = (x: RectificationView) => (x.overdue ? -1 : 0) + (ORDER[x.status] ?? 5);
