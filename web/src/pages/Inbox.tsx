/**
 * 待办任务: the approver's inbox — counts, filters (pending/done, type,
 * overdue), the time left or overdue on each task, and bulk approve of the
 * selected tasks with its progress.
 */
import { useEffect, useState } from 'react';
import { Alert, Button, Card, Col, Form, Input, Modal, Progress, Row, Segmented, Select, Space, Statistic, Switch, Table, Tag, Typography } from 'antd';
import { CheckOutlined, ReloadOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { get, newKey, post } from '../api';
import { DueTag } from '../components/DueTag';
import { ErrorAlert } from '../components/ErrorAlert';
import { useI18n } from '../i18n';
import { APP_TYPES, label, TASK_STATUS } from '../labels';
import { Link } from '../router';
import { useSession } from '../session';

export interface TaskView {
  id: string;
  applicationId: string;
  applicationType: string;
  applicationStatus: string;
  kind: string;
  subject: string;
  step: string;
  stepIndex: number;
  status: string;
  decision: string | null;
  assignee: string | null;
  role: string | null;
  org: string | null;
  createdAt: string;
  completedAt: string | null;
  dueAt: string | null;
  overdue: boolean;
  msLeft: number | null;
  /** 代理: the caller stands in for this person on the task (代…审批). */
  onBehalfOf?: { username: string; name: string };
  /** 代理: the caller was away; their deputy holds the task (read-only here). */
  readOnly?: boolean;
}
interface InboxPage {
  items: TaskView[];
  nextCursor: string | null;
  counts: { pending: number; overdue: number };
}

/** How often the bulk-approve dialog asks for the job's progress. */
const POLL_MS = 700;

export default function Inbox() {
  const { t, lang, m } = useI18n();
  const { orgName } = useSession();
  const [status, setStatus] = useState<'pending' | 'completed'>('pending');
  const [type, setType] = useState<string | undefined>(undefined);
  const [overdue, setOverdue] = useState(false);
  const [items, setItems] = useState<TaskView[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [counts, setCounts] = useState<InboxPage['counts'] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);
  const [selected, setSelected] = useState<string[]>([]);
  const [bulkOpen, setBulkOpen] = useState(false);
  const [now, setNow] = useState(Date.now());

  const load = async (more = false) => {
    setLoading(true);
    setError(null);
    const q = new URLSearchParams({ status, limit: '50' });
    if (type) q.set('type', type);
    if (overdue) q.set('overdue', 'true');
    if (more && cursor) q.set('cursor', cursor);
    try {
      const r = await get<InboxPage>(`/api/tasks?${q}`);
      setItems((prev) => (more ? [...prev, ...r.items] : r.items));
      setCursor(r.nextCursor);
      setCounts(r.counts);
      setNow(Date.now());
      if (!more) setSelected([]);
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    void load();
  }, [status, type, overdue]);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);

  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      <Row gutter={16}>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic title={t('待办')} value={counts?.pending ?? '—'} data-testid="count-pending" />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic title={t('已逾期')} value={counts?.overdue ?? '—'} styles={{ content: counts?.overdue ? { color: '#cf1322' } : undefined }} />
          </Card>
        </Col>
      </Row>
      <Card
        title={t('待办任务')}
        extra={
          <Button icon={<ReloadOutlined />} onClick={() => load()} loading={loading}>
            {t('刷新')}
          </Button>
        }
      >
        <Space wrap style={{ marginBottom: 16 }}>
          <Segmented
            value={status}
            onChange={(v) => setStatus(v as 'pending' | 'completed')}
            options={[
              { value: 'pending', label: t('待办') },
              { value: 'completed', label: t('已办') },
            ]}
          />
          <Select
            allowClear
            placeholder={t('全部类型')}
            style={{ width: 160 }}
            value={type}
            onChange={setType}
            options={Object.keys(APP_TYPES).map((k) => ({ value: k, label: label(APP_TYPES, k, lang) }))}
            aria-label={t('类型')}
          />
          <Space>
            <Switch checked={overdue} onChange={setOverdue} aria-label={t('只看逾期')} />
            <span>{t('只看逾期')}</span>
          </Space>
          {status === 'pending' && (
            <Button type="primary" icon={<CheckOutlined />} disabled={!selected.length} onClick={() => setBulkOpen(true)} data-testid="bulk-approve">
              {t('批量同意')}
              {selected.length ? `（${selected.length}）` : ''}
            </Button>
          )}
        </Space>
        <ErrorAlert error={error} />
        <Table<TaskView>
          rowKey="id"
          size="middle"
          loading={loading}
          dataSource={items}
          pagination={false}
          data-testid="task-table"
          rowSelection={
            status === 'pending'
              ? { selectedRowKeys: selected, onChange: (k) => setSelected(k as string[]), getCheckboxProps: (r) => ({ disabled: !!r.readOnly }) }
              : undefined
          }
          columns={[
            {
              title: t('事项'),
              dataIndex: 'subject',
              render: (v: string, r) => (
                <Space size={4} wrap>
                  <Link to={`/tasks/${encodeURIComponent(r.id)}`}>{v}</Link>
                  {r.onBehalfOf && (
                    <Tag color="purple" data-testid="on-behalf-tag">
                      {t('代{name}审批', { name: r.onBehalfOf.name })}
                    </Tag>
                  )}
                  {r.readOnly && (
                    <Tag data-testid="read-only-tag" title={t('您不在岗期间此任务由代理人办理，只可查看')}>
                      {t('代理人办理中 · 只读')}
                    </Tag>
                  )}
                </Space>
              ),
            },
            { title: t('类型'), dataIndex: 'applicationType', width: 110, render: (v: string) => <Tag>{label(APP_TYPES, v, lang)}</Tag> },
            { title: t('步骤'), dataIndex: 'step', render: (v: string) => m(v) },
            { title: t('办理单位'), dataIndex: 'org', width: 170, render: (v: string | null, r) => (v ? orgName(v) : r.assignee) },
            { title: t('到达时间'), dataIndex: 'createdAt', width: 150, render: (v: string) => dayjs(v).format('MM-DD HH:mm') },
            {
              title: status === 'pending' ? t('剩余时间') : t('状态'),
              width: 170,
              render: (_: unknown, r) =>
                status === 'pending' ? (
                  <DueTag dueAt={r.dueAt} status={r.status} now={now} />
                ) : (
                  <Tag>
                    {label(TASK_STATUS, r.status, lang)}
                    {r.decision ? ` · ${r.decision}` : ''}
                  </Tag>
                ),
            },
          ]}
        />
        {cursor && (
          <Button style={{ marginTop: 12 }} onClick={() => load(true)} loading={loading}>
            {t('加载更多')}
          </Button>
        )}
        {!loading && items.length === 0 && !error && (
          <Typography.Paragraph type="secondary">{status === 'pending' ? t('没有待办任务') : t('没有已办任务')}</Typography.Paragraph>
        )}
      </Card>
      <BulkApprove
        open={bulkOpen}
        tasks={items.filter((i) => selected.includes(i.id))}
        onClose={(changed) => {
          setBulkOpen(false);
          if (changed) void load();
        }}
      />
    </Space>
  );
}

interface BulkResult {
  taskId: string;
  ok: boolean;
  status?: string;
  error?: { status: number; detail: string };
}

interface BulkJob {
  jobId: string;
  state: 'running' | 'done';
  total: number;
  done: number;
  results: BulkResult[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function BulkApprove({ open, tasks, onClose }: { open: boolean; tasks: TaskView[]; onClose(changed: boolean): void }) {
  const { t, m } = useI18n();
  const [comment, setComment] = useState('');
  const [running, setRunning] = useState(false);
  const [done, setDone] = useState(0);
  const [results, setResults] = useState<BulkResult[] | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    if (open) {
      setDone(0);
      setResults(null);
      setError(null);
      setComment('');
    }
  }, [open]);

  /**
   * The server runs the approvals as one job (POST answers 202 at once); the dialog follows its progress. A retry
   * with this run's key (a lost answer) joins the same job instead of starting another.
   */
  const run = async () => {
    setRunning(true);
    setError(null);
    const key = newKey();
    const body = { taskIds: tasks.map((x) => x.id), ...(comment.trim() ? { comment: comment.trim() } : {}) };
    try {
      const started = await post<{ jobId: string }>('/api/tasks/bulk-approve', body, { idempotencyKey: key });
      for (;;) {
        const job = await get<BulkJob>(`/api/jobs/${encodeURIComponent(started.jobId)}`);
        setDone(job.done);
        setResults(job.results);
        if (job.state === 'done') break;
        await sleep(POLL_MS);
      }
    } catch (e) {
      setError(e);
      setResults((r) => r ?? []);
    } finally {
      setRunning(false);
    }
  };
  const failed = results?.filter((r) => !r.ok) ?? [];
  const finished = results !== null && !running;
  return (
    <Modal
      open={open}
      title={t('批量同意')}
      onCancel={() => !running && onClose(results !== null)}
      mask={{ closable: false }}
      footer={
        finished ? (
          <Button type="primary" onClick={() => onClose(true)}>
            {t('完成')}
          </Button>
        ) : (
          <Space>
            <Button onClick={() => onClose(false)} disabled={running}>
              {t('取消')}
            </Button>
            <Button type="primary" onClick={run} loading={running} data-testid="bulk-confirm">
              {t('同意 {n} 项', { n: tasks.length })}
            </Button>
          </Space>
        )
      }
    >
      <Typography.Paragraph>{t('将对选中的 {n} 项任务给出“同意”意见。', { n: tasks.length })}</Typography.Paragraph>
      <Form layout="vertical">
        <Form.Item label={t('审批意见')}>
          <Input.TextArea rows={2} value={comment} onChange={(e) => setComment(e.target.value)} placeholder={t('批量同意')} disabled={running || finished} />
        </Form.Item>
      </Form>
      {(running || results) && (
        <Progress
          percent={Math.round((done / Math.max(1, tasks.length)) * 100)}
          status={running ? 'active' : failed.length ? 'exception' : 'success'}
          format={() => `${done} / ${tasks.length}`}
          data-testid="bulk-progress"
        />
      )}
      <ErrorAlert error={error} />
      {finished && (
        <Alert
          type={failed.length ? 'warning' : 'success'}
          showIcon
          title={t('已同意 {ok} 项，失败 {failed} 项', { ok: results.filter((r) => r.ok).length, failed: failed.length })}
          description={
            failed.length ? (
              <ul style={{ margin: 0, paddingInlineStart: 18 }}>
                {failed.map((f) => (
                  <li key={f.taskId}>
                    {tasks.find((x) => x.id === f.taskId)?.subject ?? f.taskId}：{m(f.error?.detail)}
                  </li>
                ))}
              </ul>
            ) : undefined
          }
        />
      )}
    </Modal>
  );
}
