/**
 * 轮岗向导 (cadre rotation wizard), /admin/people/:username/rotate: an admin
 * ends one of a person's posts and starts another in four steps — 1 the post
 * to end and the new post, 2 the successor (or back to the role pool), 3 the
 * preview (POST …/rotate with dryRun: the tasks and applications and what
 * happens to each), 4 confirm: the job runs on the server and the wizard
 * follows GET /api/jobs/:id with a progress bar, then shows every move.
 * Its texts live here in both languages (zh-CN first).
 */
import { useMemo, useState } from 'react';
import { Alert, Button, Card, Checkbox, Form, Input, Progress, Radio, Result, Select, Space, Steps, Table, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { get, newKey, post } from '../../api';
import { ErrorAlert } from '../../components/ErrorAlert';
import { OrgPicker } from '../../components/OrgPicker';
import { useLoad } from '../../components/useLoad';
import { useI18n } from '../../i18n';
import { label, ROLES } from '../../labels';
import { Link } from '../../router';

type Pair = [zh: string, en: string];
type Labels = Record<string, Pair>;

const HOLDS: Labels = {
  named: ['本人待办', 'Named to them'],
  pool: ['角色池（仅其一人）', 'Role pool (only them)'],
  delegatedByThem: ['其委派出的', 'Delegated by them'],
  delegatedToThem: ['委派给其的', 'Delegated to them'],
};
const MOVES: Labels = {
  transfer: ['转办', 'Transferred'],
  release: ['退回角色池', 'Back to the role pool'],
  returnToOwner: ['委派收回，退回委派人', 'Back to the owner who delegated it'],
  staysInPool: ['留在角色池', 'Stays in the role pool'],
  needsSuccessor: ['需指定接任者', 'Needs a successor'],
};
const MOVE_COLORS: Record<string, string> = { transfer: 'blue', release: 'gold', returnToOwner: 'purple', staysInPool: 'default', needsSuccessor: 'red' };

interface PostView {
  id: string;
  org: string;
  orgName: string;
  role: string;
}
interface PersonView {
  username: string;
  name: string;
  posts: PostView[];
}
interface PreviewTask {
  id: string;
  applicationId: string;
  title: string;
  step: string;
  dueAt: string | null;
  hold: string;
  move: string;
  to: string | null;
}
interface PreviewApplication {
  id: string;
  type: string;
  title: string;
  status: string;
  step: string | null;
}
interface Preview {
  tasks: PreviewTask[];
  applications: PreviewApplication[];
  truncated: boolean;
}
interface JobResult {
  taskId: string;
  ok: boolean;
  hold?: string;
  move?: string;
  to?: string | null;
  error?: { status: number; detail: string };
}
interface Job {
  state: 'running' | 'done';
  total: number;
  done: number;
  succeeded: number;
  failed: number;
  results: JobResult[];
  rotation?: { endedPost: string; startedPost: string | null; successor: string | null; applications: number };
}

/** How often step 4 asks for the job's progress. */
const POLL_MS = 700;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export default function RotationWizard({ username }: { username: string }) {
  const { lang, m } = useI18n();
  const tr = (zh: string, en: string) => (lang === 'en' ? en : zh);
  const lab = (labels: Labels, key: string | null | undefined) => (key ? (labels[key]?.[lang === 'en' ? 1 : 0] ?? key) : '');

  const person = useLoad(async () => {
    const r = await get<{ items: PersonView[] }>(`/api/users?q=${encodeURIComponent(username)}&pageSize=50`);
    return r.items.find((p) => p.username === username) ?? null;
  }, [username]);

  const [step, setStep] = useState(0);
  const [fromPost, setFromPost] = useState<string | undefined>(undefined);
  const [withNewPost, setWithNewPost] = useState(true);
  const [toOrg, setToOrg] = useState<string | undefined>(undefined);
  const [toRole, setToRole] = useState<string>('reviewer');
  const [mode, setMode] = useState<'successor' | 'pool'>('successor');
  const [successor, setSuccessor] = useState('');
  const [preview, setPreview] = useState<Preview | null>(null);
  const [job, setJob] = useState<Job | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const body = useMemo(
    () => ({
      fromPost: fromPost ?? '',
      ...(withNewPost && toOrg ? { toPost: { org: toOrg, role: toRole } } : {}),
      ...(mode === 'successor' && successor.trim() ? { successor: successor.trim() } : {}),
    }),
    [fromPost, withNewPost, toOrg, toRole, mode, successor],
  );
  const path = `/api/users/${encodeURIComponent(username)}/rotate`;

  const loadPreview = async () => {
    setBusy(true);
    setError(null);
    try {
      setPreview(await post<Preview>(path, { ...body, dryRun: true }));
      setStep(2);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  /** Starts the job (one key for this confirmation: a lost answer's retry joins the same job) and follows it. */
  const confirm = async () => {
    setBusy(true);
    setError(null);
    setStep(3);
    try {
      const started = await post<{ jobId: string }>(path, body, { idempotencyKey: newKey() });
      for (;;) {
        const j = await get<Job>(`/api/jobs/${encodeURIComponent(started.jobId)}`);
        setJob(j);
        if (j.state === 'done') break;
        await sleep(POLL_MS);
      }
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const posts = person.data?.posts ?? [];
  const chosen = posts.find((p) => p.id === fromPost);
  const postText = (p: { orgName: string; role: string }) => `${p.orgName} · ${label(ROLES, p.role, lang)}`;
  const toWho = (move: string | undefined, to: string | null | undefined) =>
    !to ? '—' : move === 'release' || move === 'staysInPool' ? `${tr('角色池', 'role pool')} ${to}` : to;

  const taskColumns = [
    { title: tr('事项', 'Subject'), dataIndex: 'title', render: (v: string, t: PreviewTask) => <Link to={`/tasks/${t.id}`}>{v}</Link> },
    { title: tr('步骤', 'Step'), dataIndex: 'step' },
    { title: tr('办理期限', 'Due'), dataIndex: 'dueAt', render: (v: string | null) => (v ? dayjs(v).format('YYYY-MM-DD HH:mm') : '—') },
    { title: tr('持有方式', 'Held as'), dataIndex: 'hold', render: (v: string) => lab(HOLDS, v) },
    {
      title: tr('轮岗后', 'After the rotation'),
      dataIndex: 'move',
      render: (v: string, t: PreviewTask) => (
        <Space size={4}>
          <Tag color={MOVE_COLORS[v]}>{lab(MOVES, v)}</Tag>
          <span>{toWho(v, t.to)}</span>
        </Space>
      ),
    },
  ];
  const appColumns = [
    { title: tr('申请', 'Application'), dataIndex: 'title' },
    { title: tr('当前步骤', 'Current step'), dataIndex: 'step', render: (v: string | null) => v ?? '—' },
    { title: tr('状态', 'Status'), dataIndex: 'status', render: (v: string) => (v === 'returned' ? tr('已退回', 'Returned') : tr('审批中', 'Pending')) },
    { title: tr('轮岗后', 'After the rotation'), key: 'what', render: () => tr('继续办理，申请人不变', 'Goes on; the applicant stays') },
  ];

  if (person.error) return <ErrorAlert error={person.error} />;
  if (!person.loading && !person.data)
    return <Result status="404" title={tr('人员不存在', 'No such person')} subTitle={tr('或不在您的管理范围内', 'or outside your scope')} />;

  const finished = job?.state === 'done';
  const failed = job?.results.filter((r) => !r.ok) ?? [];

  return (
    <Card
      title={
        <Space>
          <span>{tr('轮岗向导', 'Rotation wizard')}</span>
          <Typography.Text type="secondary">
            {person.data?.name} ({username})
          </Typography.Text>
        </Space>
      }
      loading={person.loading}
      data-testid="rotation-wizard"
    >
      <Steps
        current={step}
        style={{ marginBottom: 24 }}
        items={[{ title: tr('岗位', 'Posts') }, { title: tr('接任者', 'Successor') }, { title: tr('预览', 'Preview') }, { title: tr('执行', 'Run') }]}
      />
      <ErrorAlert error={error} />

      {step === 0 && (
        <Form layout="vertical" style={{ maxWidth: 560 }}>
          <Form.Item label={tr('结束的岗位', 'Post to end')} required>
            <Radio.Group value={fromPost} onChange={(e) => setFromPost(e.target.value as string)} data-testid="from-post">
              <Space direction="vertical">
                {posts.map((p) => (
                  <Radio key={p.id} value={p.id}>
                    {postText(p)}
                  </Radio>
                ))}
              </Space>
            </Radio.Group>
          </Form.Item>
          <Form.Item>
            <Checkbox checked={withNewPost} onChange={(e) => setWithNewPost(e.target.checked)}>
              {tr('同时任新岗位', 'Start a new post at the same time')}
            </Checkbox>
          </Form.Item>
          {withNewPost && (
            <Space wrap>
              <Form.Item label={tr('新岗位所在组织', 'Org of the new post')}>
                <OrgPicker style={{ width: 280 }} value={toOrg} onChange={setToOrg} placeholder={tr('选择组织', 'Choose an org')} data-testid="to-org" />
              </Form.Item>
              <Form.Item label={tr('新岗位角色', 'Role of the new post')}>
                <Select
                  style={{ width: 160 }}
                  value={toRole}
                  onChange={setToRole}
                  options={['staff', 'reviewer', 'admin', 'supervisor'].map((r) => ({ value: r, label: label(ROLES, r, lang) }))}
                  data-testid="to-role"
                />
              </Form.Item>
            </Space>
          )}
          <div>
            <Button type="primary" disabled={!fromPost || (withNewPost && !toOrg)} onClick={() => setStep(1)} data-testid="next-1">
              {tr('下一步', 'Next')}
            </Button>
          </div>
        </Form>
      )}

      {step === 1 && (
        <Form layout="vertical" style={{ maxWidth: 560 }}>
          <Typography.Paragraph>
            {tr('结束岗位：', 'Ending: ')}
            {chosen && postText(chosen)}
          </Typography.Paragraph>
          <Form.Item label={tr('待办任务交给', 'Pending tasks go to')}>
            <Radio.Group value={mode} onChange={(e) => setMode(e.target.value as 'successor' | 'pool')} data-testid="successor-mode">
              <Space direction="vertical">
                <Radio value="successor">{tr('接任者（转办）', 'A successor (transfer)')}</Radio>
                <Radio value="pool">{tr('退回角色池，由届时任该岗位的人办理', 'Back to the role pool, for whoever then holds the role')}</Radio>
              </Space>
            </Radio.Group>
          </Form.Item>
          {mode === 'successor' && (
            <Form.Item label={tr('接任者用户名', 'Successor’s username')} required>
              <Input value={successor} onChange={(e) => setSuccessor(e.target.value)} style={{ width: 280 }} data-testid="successor" />
            </Form.Item>
          )}
          <Space>
            <Button onClick={() => setStep(0)}>{tr('上一步', 'Back')}</Button>
            <Button type="primary" loading={busy} disabled={mode === 'successor' && !successor.trim()} onClick={loadPreview} data-testid="next-2">
              {tr('预览', 'Preview')}
            </Button>
          </Space>
        </Form>
      )}

      {step === 2 && preview && (
        <>
          <Typography.Title level={5}>
            {tr('待办任务', 'Pending tasks')}（{preview.tasks.length}）
          </Typography.Title>
          <Table rowKey="id" size="small" columns={taskColumns} dataSource={preview.tasks} pagination={{ pageSize: 20 }} data-testid="preview-tasks" />
          <Typography.Title level={5}>
            {tr('本人在该单位提交、仍在办理的申请', 'Running applications they filed from this org')}（{preview.applications.length}）
          </Typography.Title>
          <Table rowKey="id" size="small" columns={appColumns} dataSource={preview.applications} pagination={false} data-testid="preview-applications" />
          {preview.truncated && (
            <Alert
              type="warning"
              showIcon
              style={{ marginTop: 12 }}
              title={tr('任务超过 1000 项，本次只处理前 1000 项', 'More than 1000 tasks: this run moves the first 1000')}
            />
          )}
          <Space style={{ marginTop: 16 }}>
            <Button onClick={() => setStep(1)}>{tr('上一步', 'Back')}</Button>
            <Button type="primary" danger onClick={confirm} data-testid="confirm-rotation">
              {tr('确认轮岗', 'Confirm the rotation')}
            </Button>
          </Space>
        </>
      )}

      {step === 3 && (
        <>
          <Progress
            percent={job ? Math.round((job.done / Math.max(1, job.total)) * 100) : 0}
            status={!finished ? 'active' : failed.length ? 'exception' : 'success'}
            format={() => (job ? `${job.done} / ${job.total}` : '…')}
            data-testid="rotation-progress"
          />
          {finished && job && (
            <>
              <Alert
                style={{ margin: '16px 0' }}
                type={failed.length ? 'warning' : 'success'}
                showIcon
                data-testid="rotation-result"
                title={tr(`轮岗完成：已处理 ${job.succeeded} 项，失败 ${job.failed} 项`, `Rotation done: ${job.succeeded} moved, ${job.failed} failed`)}
                description={tr(
                  `原岗位已结束${job.rotation?.startedPost ? '，新岗位已开始' : ''}；${job.rotation?.applications ?? 0} 项申请继续办理。`,
                  `The old post has ended${job.rotation?.startedPost ? ', the new one has started' : ''}; ${job.rotation?.applications ?? 0} applications go on.`,
                )}
              />
              <Table
                rowKey="taskId"
                size="small"
                pagination={{ pageSize: 20 }}
                dataSource={job.results}
                data-testid="rotation-moves"
                columns={[
                  { title: tr('事项', 'Subject'), dataIndex: 'taskId', render: (id: string) => preview?.tasks.find((x) => x.id === id)?.title ?? id },
                  { title: tr('持有方式', 'Held as'), dataIndex: 'hold', render: (v: string) => lab(HOLDS, v) },
                  {
                    title: tr('处理', 'Move'),
                    dataIndex: 'move',
                    render: (v: string, r: JobResult) => (
                      <Space size={4}>
                        <Tag color={MOVE_COLORS[v]}>{lab(MOVES, v)}</Tag>
                        <span>{toWho(v, r.to)}</span>
                      </Space>
                    ),
                  },
                  {
                    title: tr('结果', 'Result'),
                    key: 'ok',
                    render: (_: unknown, r: JobResult) => (r.ok ? <Tag color="green">{tr('成功', 'Done')}</Tag> : <Tag color="red">{m(r.error?.detail)}</Tag>),
                  },
                ]}
              />
              <Link to="/tasks">{tr('返回', 'Back')}</Link>
            </>
          )}
        </>
      )}
    </Card>
  );
}
