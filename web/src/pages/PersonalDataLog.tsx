/**
 * 管理 → 个人信息查看记录 / Personal-data view log: every time someone was
 * shown a worker's full ID or phone number (the audited reveal of 身份审核),
 * for the applications in the admin's subtree — who, when, which application,
 * which step, which fields — filtered by date range and viewer, newest first.
 * Beside it the daily retention runs (数据保留记录) with their counts, for the
 * admins the API shows them to (city and province).
 */
import { useCallback, useEffect, useState } from 'react';
import { Button, Card, DatePicker, Form, Input, Space, Table, Tabs, Tag, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { ApiError, get } from '../api';
import { ErrorAlert } from '../components/ErrorAlert';
import { useLoad } from '../components/useLoad';
import { useI18n } from '../i18n';
import { APP_TYPES, label } from '../labels';
import { Link } from '../router';

export interface RevealItem {
  id: string;
  at: string;
  actor: { username: string; name: string | null };
  application: { id: string; type: string; title: string; reference: string | null };
  step: string | null;
  stepIndex: number | null;
  taskId: string | null;
  fields: string[];
}

interface RetentionRunItem {
  id: string;
  startedAt: string;
  finishedAt: string;
  retentionDays: number;
  eraseBefore: string;
  applicationsErased: number;
  tasksUpdated: number;
  notificationsUpdated: number;
  idempotencyKeysDeleted: number;
  notificationsDeleted: number;
}

const FIELDS: Record<string, [string, string]> = { idNumber: ['身份证号', 'ID number'], phone: ['手机号', 'Phone'] };
const fmt = (v: string) => dayjs(v).format('YYYY-MM-DD HH:mm:ss');

interface Filter {
  from?: string;
  to?: string;
  actor?: string;
}

function query(f: Filter, cursor?: string): string {
  const q = new URLSearchParams({ limit: '50' });
  if (f.from) q.set('from', f.from);
  if (f.to) q.set('to', f.to);
  if (f.actor) q.set('actor', f.actor);
  if (cursor) q.set('cursor', cursor);
  return q.toString();
}

function RevealLog() {
  const { t, lang, m } = useI18n();
  const [filter, setFilter] = useState<Filter>({});
  const [items, setItems] = useState<RevealItem[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const load = useCallback(async (f: Filter, cursor?: string) => {
    setLoading(true);
    try {
      const r = await get<{ items: RevealItem[]; nextCursor: string | null }>(`/api/audit/reveals?${query(f, cursor)}`);
      setItems((prev) => (cursor ? [...prev, ...r.items] : r.items));
      setNext(r.nextCursor);
      setError(null);
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  }, []);
  useEffect(() => void load(filter), [load, filter]);

  const onSearch = (v: { range?: [Dayjs | null, Dayjs | null] | null; actor?: string }) => {
    const [from, to] = v.range ?? [];
    setFilter({
      from: from ? from.startOf('day').format() : undefined,
      to: to ? to.add(1, 'day').startOf('day').format() : undefined,
      actor: v.actor?.trim() || undefined,
    });
  };

  return (
    <>
      <Form layout="inline" onFinish={onSearch} style={{ marginBottom: 16, rowGap: 8 }} data-testid="reveal-filter">
        <Form.Item name="range" label={t('查看日期')}>
          <DatePicker.RangePicker allowEmpty={[true, true]} />
        </Form.Item>
        <Form.Item name="actor" label={t('查看人')}>
          <Input placeholder={t('用户名')} allowClear style={{ width: 200 }} data-testid="reveal-filter-actor" />
        </Form.Item>
        <Form.Item>
          <Button type="primary" htmlType="submit" data-testid="reveal-filter-submit">
            {t('查询')}
          </Button>
        </Form.Item>
      </Form>
      <ErrorAlert error={error} />
      <Table<RevealItem>
        size="small"
        rowKey="id"
        loading={loading}
        dataSource={items}
        pagination={false}
        data-testid="reveal-table"
        locale={{ emptyText: t('暂无查看记录') }}
        scroll={{ x: 900 }}
        columns={[
          { title: t('查看时间'), dataIndex: 'at', width: 170, render: (v: string) => fmt(v) },
          {
            title: t('查看人'),
            dataIndex: 'actor',
            render: (a: RevealItem['actor']) => (
              <span>
                {a.name ?? a.username} <Typography.Text type="secondary">({a.username})</Typography.Text>
              </span>
            ),
          },
          {
            title: t('申请'),
            dataIndex: 'application',
            render: (a: RevealItem['application']) => (
              <Space orientation="vertical" size={0}>
                <span>
                  <Tag>{label(APP_TYPES, a.type, lang)}</Tag>
                  {a.title}
                </span>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {a.reference ? `${a.reference} · ` : ''}
                  {a.id}
                </Typography.Text>
              </Space>
            ),
          },
          {
            title: t('步骤'),
            dataIndex: 'step',
            render: (v: string | null, r) => (r.taskId && v ? <Link to={`/tasks/${encodeURIComponent(r.taskId)}`}>{m(v)}</Link> : v ? m(v) : '—'),
          },
          {
            title: t('查看字段'),
            dataIndex: 'fields',
            render: (f: string[]) => f.map((x) => <Tag key={x}>{FIELDS[x] ? (lang === 'zh' ? FIELDS[x][0] : FIELDS[x][1]) : x}</Tag>),
          },
        ]}
      />
      {next ? (
        <div style={{ textAlign: 'center', marginTop: 12 }}>
          <Button onClick={() => void load(filter, next)} loading={loading} data-testid="reveal-more">
            {t('加载更多')}
          </Button>
        </div>
      ) : null}
    </>
  );
}

function RetentionRuns({ runs }: { runs: RetentionRunItem[] }) {
  const { t } = useI18n();
  return (
    <>
      <Typography.Paragraph type="secondary">
        {t('每日自动运行：未通过和已撤回的入会申请在保留期满后删除姓名、身份证号和手机号（保留打码信息与审批记录）；幂等键保留 7 天；已读消息保留 1 年。')}
      </Typography.Paragraph>
      <Table<RetentionRunItem>
        size="small"
        rowKey="id"
        dataSource={runs}
        pagination={false}
        data-testid="retention-table"
        locale={{ emptyText: t('暂无运行记录') }}
        scroll={{ x: 900 }}
        columns={[
          { title: t('运行时间'), dataIndex: 'finishedAt', render: (v: string) => fmt(v) },
          { title: t('保留期（天）'), dataIndex: 'retentionDays' },
          { title: t('清除个人信息的申请'), dataIndex: 'applicationsErased' },
          { title: t('同步打码的任务'), dataIndex: 'tasksUpdated' },
          { title: t('同步打码的消息'), dataIndex: 'notificationsUpdated' },
          { title: t('删除的幂等键'), dataIndex: 'idempotencyKeysDeleted' },
          { title: t('删除的已读消息'), dataIndex: 'notificationsDeleted' },
        ]}
      />
    </>
  );
}

export default function PersonalDataLog() {
  const { t } = useI18n();
  // The retention runs are for the admins the API shows them to: a refusal (403) hides the tab.
  const runs = useLoad(() => get<{ items: RetentionRunItem[] }>('/api/retention/runs?limit=30'), []);
  const runsRefused = runs.error instanceof ApiError && runs.error.status === 403;
  return (
    <Card title={t('个人信息查看记录')} data-testid="personal-data-log">
      <Tabs
        items={[
          { key: 'reveals', label: t('个人信息查看记录'), children: <RevealLog /> },
          ...(runsRefused
            ? []
            : [
                {
                  key: 'retention',
                  label: t('数据保留记录'),
                  children: runs.error ? <ErrorAlert error={runs.error} /> : <RetentionRuns runs={runs.data?.items ?? []} />,
                },
              ]),
        ]}
      />
    </Card>
  );
}
