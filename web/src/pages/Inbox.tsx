/**
 * 我的工作台: the four views 待办 / 已办 / 我发起的 / 抄送我的 (GET /api/tasks?view=…),
 * each paged by the server with search and filters (type, campaign, dates,
 * overdue); people, orgs and campaigns by name; cards on a phone; bulk
 * approve of the selected 待办 tasks with its progress.
 */
import { useEffect, useRef, useState } from 'react';
import {
  Alert,
  Badge,
  Button,
  Card,
  Col,
  DatePicker,
  Form,
  Grid,
  Input,
  List,
  Modal,
  Progress,
  Row,
  Select,
  Space,
  Statistic,
  Switch,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import { CheckOutlined, ReloadOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import { get, newKey, post } from '../api';
import { DueTag } from '../components/DueTag';
import { dataChanged, useDataChanged } from '../components/fresh';
import { ErrorAlert } from '../components/ErrorAlert';
import { ExportButtons } from '../components/ExportButtons';
import { useI18n } from '../i18n';
import { ACTIONS, APP_STATUS, APP_TYPES, label, TASK_STATUS } from '../labels';
import { Link } from '../router';

export type InboxView = 'todo' | 'done' | 'started' | 'cc';

/** A row of one of the four views (GET /api/tasks?view=…): a task, or on 我发起的 an application. */
/** The campaign a task belongs to, with its year (when the name does not already say it): 行动名（2026）. */
export function CampaignTag({ name, year }: { name?: string | null; year?: number | null }) {
  if (!name) return null;
  return (
    <Tag color="geekblue" data-testid="campaign-tag" style={{ whiteSpace: 'normal', overflowWrap: 'anywhere', marginInlineEnd: 0 }}>
      {year && !name.includes(String(year)) ? `${name}（${year}）` : name}
    </Tag>
  );
}

export interface TaskView {
  id: string;
  applicationId: string;
  applicationType: string;
  applicationStatus: string;
  kind: string | null;
  subject: string;
  step: string | null;
  stepIndex: number | null;
  status: string;
  decision: string | null;
  assignee: string | null;
  assigneeName: string | null;
  decidedByName: string | null;
  applicantName: string | null;
  org: string;
  orgName: string;
  campaignId: string | null;
  campaignName: string | null;
  /** The campaign's year, so identical titles from different campaigns can be told apart. */
  campaignYear?: number | null;
  assigneePost?: string | null;
  createdAt: string;
  completedAt: string | null;
  dueAt: string | null;
  overdue: boolean;
  /** 代理: the caller stands in for this person on the task (代…审批). */
  onBehalfOf?: { username: string; name: string };
  /** 代理: the caller was away; their deputy holds the task (read-only here). */
  readOnly?: boolean;
  /** A task to revise (修改后重新提交): the page where it is revised. */
  link?: string;
}
interface InboxPage {
  items: TaskView[];
  nextCursor: string | null;
  counts: { todo: number; overdue: number; done: number; started: number; cc: number };
}

/** How often the bulk-approve dialog asks for the job's progress. */
const POLL_MS = 700;
const PAGE = 20;

const VIEWS: { key: InboxView; zh: string; empty: string }[] = [
  { key: 'todo', zh: '待办', empty: '没有待办任务' },
  { key: 'done', zh: '已办', empty: '没有已办任务' },
  { key: 'started', zh: '我发起的', empty: '没有发起的申请' },
  { key: 'cc', zh: '抄送我的', empty: '没有抄送给您的事项' },
];

/**
 * Where a row opens: an approval task on the task page; a revision where the server says it is revised (a campaign's
 * project list or self-assessment on the region's work page); a copy or an application on the application's page.
 */
function rowLink(view: InboxView, r: TaskView): string {
  if (r.link) return r.link;
  if (view === 'started' || r.kind === 'cc' || r.kind === 'revision') return `/applications/${encodeURIComponent(r.applicationId)}`;
  return `/tasks/${encodeURIComponent(r.id)}`;
}

export default function Inbox() {
  const { t, lang, m } = useI18n();
  const phone = !Grid.useBreakpoint().md;
  const [view, setView] = useState<InboxView>('todo');
  const [type, setType] = useState<string | undefined>(undefined);
  const [campaign, setCampaign] = useState<string | undefined>(undefined);
  const [range, setRange] = useState<[Dayjs | null, Dayjs | null] | null>(null);
  const [overdue, setOverdue] = useState(false);
  const [search, setSearch] = useState('');
  const [q, setQ] = useState('');
  const [campaigns, setCampaigns] = useState<{ id: string; name: string }[]>([]);
  const [items, setItems] = useState<TaskView[]>([]);
  /** The cursors of the pages seen so far: page n starts after cursors[n-1]. */
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [pageNo, setPageNo] = useState(0);
  const [next, setNext] = useState<string | null>(null);
  const [counts, setCounts] = useState<InboxPage['counts'] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);
  const [selected, setSelected] = useState<string[]>([]);
  const [bulkOpen, setBulkOpen] = useState(false);
  const [now, setNow] = useState(Date.now());

  /** The view and its filters as a query (the list's pages and its export). */
  const filterQuery = () => {
    const query = new URLSearchParams({ view });
    if (q) query.set('q', q);
    if (type) query.set('type', type);
    if (campaign) query.set('campaign', campaign);
    if (range?.[0]) query.set('from', range[0].format('YYYY-MM-DD'));
    if (range?.[1]) query.set('to', range[1].format('YYYY-MM-DD'));
    if (overdue) query.set('overdue', 'true');
    return query;
  };

  // Only the latest load shows: a slower answer for the tab or filters left behind is dropped.
  const latest = useRef(0);
  const load = async (page = 0, after: string | null = null) => {
    const my = ++latest.current;
    setLoading(true);
    setError(null);
    const query = filterQuery();
    query.set('limit', String(PAGE));
    if (after) query.set('cursor', after);
    try {
      const r = await get<InboxPage>(`/api/tasks?${query}`);
      if (my !== latest.current) return;
      setItems(r.items);
      setNext(r.nextCursor);
      setCounts(r.counts);
      setPageNo(page);
      setCursors((c) => [...c.slice(0, page), after]);
      setNow(Date.now());
      setSelected([]);
    } catch (e) {
      if (my === latest.current) setError(e);
    } finally {
      if (my === latest.current) setLoading(false);
    }
  };
  // Another tab shows other rows: the previous tab's rows go at once, not when the new ones arrive.
  useEffect(() => setItems([]), [view]);
  useEffect(() => {
    void load();
  }, [view, type, campaign, range, overdue, q]);
  // Any action elsewhere (a task decided in another tab of the page, a message read): this page again. Not while a bulk
  // approval is open: it works on the rows selected here and reloads when it closes.
  useDataChanged(() => void (!bulkOpen && load(pageNo, cursors[pageNo] ?? null)));
  useEffect(() => {
    get<{ items: { id: string; name: string }[] }>('/api/campaigns?limit=200').then(
      (r) => setCampaigns(r.items ?? []),
      () => setCampaigns([]),
    );
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);

  const current = VIEWS.find((v) => v.key === view)!;
  const when = (r: TaskView) => dayjs(view === 'done' ? (r.completedAt ?? r.createdAt) : r.createdAt).format('MM-DD HH:mm');
  const state = (r: TaskView) =>
    view === 'todo' ? (
      <DueTag dueAt={r.dueAt} status={r.status} now={now} />
    ) : view === 'started' ? (
      <Tag>{label(APP_STATUS, r.applicationStatus, lang)}</Tag>
    ) : view === 'cc' ? (
      <Tag color="blue">{label(ACTIONS, 'cc', lang)}</Tag>
    ) : (
      <Tag>{r.decision ? label(ACTIONS, r.decision, lang) : label(TASK_STATUS, r.status, lang)}</Tag>
    );
  const title = (r: TaskView) => (
    <Space size={4} wrap>
      <Link to={rowLink(view, r)}>{r.subject}</Link>
      {r.kind === 'revision' && <Tag color="orange">{t('待修改')}</Tag>}
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
  );
  const who = (r: TaskView) => (view === 'done' ? r.decidedByName : view === 'started' ? null : r.assigneeName) ?? null;

  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      <Row gutter={16}>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic title={t('待办')} value={counts?.todo ?? '—'} data-testid="count-pending" />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic title={t('已逾期')} value={counts?.overdue ?? '—'} styles={{ content: counts?.overdue ? { color: '#cf1322' } : undefined }} />
          </Card>
        </Col>
      </Row>
      <Card
        title={t('我的工作台')}
        extra={
          <Space wrap>
            <ExportButtons path={`/api/tasks?${filterQuery().toString()}`} name={t(VIEWS.find((v) => v.key === view)?.zh ?? '待办')} />
            <Button icon={<ReloadOutlined />} onClick={() => load(pageNo, cursors[pageNo] ?? null)} loading={loading}>
              {t('刷新')}
            </Button>
          </Space>
        }
      >
        <Tabs
          activeKey={view}
          onChange={(k) => setView(k as InboxView)}
          data-testid="inbox-tabs"
          items={VIEWS.map((v) => ({
            key: v.key,
            label: (
              <span data-testid={`tab-${v.key}`}>
                {t(v.zh)}
                {counts ? <Badge count={counts[v.key]} overflowCount={999} showZero={false} style={{ marginInlineStart: 6 }} /> : null}
              </span>
            ),
          }))}
        />
        <Space wrap style={{ marginBottom: 16 }}>
          <Input.Search
            allowClear
            placeholder={t('搜索标题')}
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            onSearch={(v) => setQ(v.trim())}
            style={{ width: phone ? '100%' : 220 }}
            aria-label={t('搜索标题')}
            data-testid="inbox-search"
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
          <Select
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            placeholder={t('全部行动')}
            style={{ width: 200 }}
            value={campaign}
            onChange={setCampaign}
            options={campaigns.map((c) => ({ value: c.id, label: c.name }))}
            aria-label={t('行动')}
          />
          <DatePicker.RangePicker value={range} onChange={(v) => setRange(v)} aria-label={t('日期')} placeholder={[t('开始日期'), t('结束日期')]} />
          <Space>
            <Switch checked={overdue} onChange={setOverdue} aria-label={t('只看逾期')} />
            <span>{t('只看逾期')}</span>
          </Space>
          {view === 'todo' && (
            <Button type="primary" icon={<CheckOutlined />} disabled={!selected.length} onClick={() => setBulkOpen(true)} data-testid="bulk-approve">
              {t('批量同意')}
              {selected.length ? `（${selected.length}）` : ''}
            </Button>
          )}
        </Space>
        <ErrorAlert error={error} />
        {phone ? (
          <List<TaskView>
            loading={loading}
            dataSource={items}
            data-testid="task-cards"
            locale={{ emptyText: t(current.empty) }}
            renderItem={(r) => (
              <Card size="small" style={{ marginBottom: 8 }} data-row-key={r.id} data-testid="task-card">
                <Space orientation="vertical" size={4} style={{ width: '100%' }}>
                  {title(r)}
                  <CampaignTag name={r.campaignName} year={r.campaignYear} />
                  <Typography.Text type="secondary">{label(APP_TYPES, r.applicationType, lang)}</Typography.Text>
                  <span>{[r.step ? m(r.step) : null, r.applicantName ? `${t('申请人')}：${r.applicantName}` : null].filter(Boolean).join(' · ')}</span>
                  <span>
                    {r.orgName} · {when(r)}
                  </span>
                  <span>{state(r)}</span>
                </Space>
              </Card>
            )}
          />
        ) : (
          <Table<TaskView>
            rowKey="id"
            size="middle"
            loading={loading}
            dataSource={items}
            pagination={false}
            data-testid="task-table"
            locale={{ emptyText: t(current.empty) }}
            scroll={{ x: 900 }}
            rowSelection={
              view === 'todo'
                ? {
                    selectedRowKeys: selected,
                    onChange: (k) => setSelected(k as string[]),
                    getCheckboxProps: (r) => ({ disabled: !!r.readOnly || r.kind !== 'approval' }),
                  }
                : undefined
            }
            columns={[
              { title: t('事项'), dataIndex: 'subject', render: (_: string, r) => title(r) },
              { title: t('类型'), dataIndex: 'applicationType', width: 110, render: (v: string) => <Tag>{label(APP_TYPES, v, lang)}</Tag> },
              {
                title: t('所属行动'),
                dataIndex: 'campaignName',
                width: 160,
                render: (_: unknown, r) => (r.campaignName ? <CampaignTag name={r.campaignName} year={r.campaignYear} /> : '—'),
              },
              { title: view === 'started' ? t('当前步骤') : t('步骤'), dataIndex: 'step', render: (v: string | null) => (v ? m(v) : '—') },
              { title: t('申请人'), dataIndex: 'applicantName', width: 110, render: (v: string | null) => v ?? '—' },
              { title: t('申请单位'), dataIndex: 'orgName', width: 170 },
              ...(view === 'started'
                ? []
                : [{ title: view === 'done' ? t('办理人') : t('接收人'), key: 'who', width: 110, render: (_: unknown, r: TaskView) => who(r) ?? '—' }]),
              { title: view === 'done' ? t('办理时间') : t('到达时间'), dataIndex: 'createdAt', width: 120, render: (_: string, r) => when(r) },
              { title: view === 'todo' ? t('剩余时间') : t('状态'), key: 'state', width: 150, render: (_: unknown, r) => state(r) },
            ]}
          />
        )}
        <Space style={{ marginTop: 12 }}>
          <Button disabled={pageNo === 0 || loading} onClick={() => load(pageNo - 1, cursors[pageNo - 1] ?? null)} data-testid="page-prev">
            {t('上一页')}
          </Button>
          <span>{t('第 {n} 页', { n: pageNo + 1 })}</span>
          <Button disabled={!next || loading} onClick={() => load(pageNo + 1, next)} data-testid="page-next">
            {t('下一页')}
          </Button>
        </Space>
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
      // The job decided its tasks after the POST answered: the badges count again now.
      dataChanged();
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
