/**
 * One task: the application or project it concerns, its timeline (审批记录),
 * and the actions the current step allows the caller — approve, reject,
 * return, transfer (转办), add a signer (加签), comment, and the rest the
 * chain permits. Each action's error is shown in the action panel.
 */
import { forwardRef, useEffect, useImperativeHandle, useMemo, useRef, useState } from 'react';
import { Alert, App, Button, Card, Col, DatePicker, Descriptions, Form, Input, Modal, Radio, Row, Select, Space, Table, Tag, Typography } from 'antd';
import { ArrowLeftOutlined, EyeOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import { ApiError, get, newKey, post, type FieldError } from '../api';
import { AppTimeline, type TimelineEntry } from '../components/AppTimeline';
import { Attachments } from '../components/Attachments';
import { PrintButtons } from '../components/PrintButtons';
import { RoutePreview } from '../components/RoutePreview';
import { PersonPicker } from '../components/PersonPicker';
import { actionName, RefusedActions } from '../components/RefusedActions';
import { editLabel, FormValuesView, SchemaForm, type FormAccess, type FormDefinition, type FormValues, type SchemaFormHandle } from '../components/SchemaForm';
import { DueTag } from '../components/DueTag';
import { PlanCard } from '../components/PlanCard';
import { TransferredNotice, type Transferred } from '../components/TransferredNotice';
import { MembershipFact, type MembershipFactView } from '../components/MembershipFact';
import { AssessmentReview } from '../components/AssessmentReview';
import { applyFieldErrors, ErrorAlert } from '../components/ErrorAlert';
import { useLoad } from '../components/useLoad';
import { AssessmentHistory, LinkedEnterprises } from './readback/ProjectReadback';
import { ListRevisions } from './readback/ListRevisions';
import { useI18n } from '../i18n';
import { ACTIONS, APP_STATUS, APP_TYPES, label, PROJECT_STATUS, PROJECT_TYPES, STATUS_COLORS, TASK_STATUS } from '../labels';
import { navigate } from '../router';
import { useSession } from '../session';
import { CampaignTag, type TaskView } from './Inbox';
import { personText } from '../components/AppTimeline';
import type { ProjectView } from './region/ProjectsTab';

interface SubjectDetail {
  id: string;
  type: string;
  title: string;
  status: string;
  currentStep: string | null;
  applicant: string | null;
  applicantOrg: string;
  targetOrg: string | null;
  payload: Record<string, unknown>;
  /** Names the API joins (issue 15): the applicant by name and post, the group and project by name. */
  applicantName?: string | null;
  applicantPost?: string | null;
  groupName?: string | null;
  projectName?: string | null;
  /** The chain's form as the viewer sees it (hidden fields absent), when the API puts it with the subject. */
  form?: FormDefinition;
}
/** The full numbers of the 身份审核 (identity review) holder's audited reveal. */
interface PersonalData {
  idNumber?: string;
  phone?: string;
}
interface TaskDetail extends TaskView {
  mine: boolean;
  /** 已转办: the caller handed this task on; whom to and when. */
  transferred?: Transferred;
  /** 代理: the caller stands in for this person (代…审批). */
  onBehalfOf?: { username: string; name: string };
  /** 代理: the caller was away when the task opened; their deputy holds it. */
  readOnly?: boolean;
  /** The policy's answer: this caller may reveal the full ID and phone on this task now. */
  canRevealPersonalData?: boolean;
  personalData?: PersonalData;
  /** Only for the holder of the pending identity or receiving review. */
  membership?: MembershipFactView;
  subjectDetail?: SubjectDetail;
  /** The chain's form as this viewer sees it (hidden fields absent) and, per visible field, read or edit. */
  form?: FormDefinition;
  formAccess?: FormAccess;
  timeline: TimelineEntry[];
}
interface Allowed {
  applicationId: string;
  actions: string[];
  /** What the caller may not do now, and why (the policy's or the state's reason, 中文 / English). */
  refused: { action: string; reason: string }[];
  returnTargets: { value: 'applicant' | number; label: string }[];
  /** 减签: the signers the caller added who have not acted, by name, and the task to name when removing them. */
  removeSigners: { username: string; name: string; taskId: string }[];
  /** An admin acting in the holder's place (the timeline records it). */
  override?: boolean;
}

/** Actions that need someone named; the rest need at most a comment. */
const NEEDS_PEOPLE = ['transfer', 'delegate', 'addSigner', 'cc'];
/** Actions with a dialog of their own. */
const WITH_DIALOG = [...NEEDS_PEOPLE, 'return', 'assign', 'removeSigner'];
const ORDER = ['approve', 'reject', 'return', 'assign', 'transfer', 'addSigner', 'removeSigner', 'delegate', 'comment', 'cc', 'retract'];

export default function TaskPage({ id }: { id: string }) {
  const { t, lang, m } = useI18n();
  const { orgName, user } = useSession();
  const task = useLoad(() => get<TaskDetail>(`/api/tasks/${encodeURIComponent(id)}`), [id]);
  const allowed = useLoad(() => get<Allowed>(`/api/tasks/${encodeURIComponent(id)}/allowed`), [id]);
  const formRef = useRef<TaskFormHandle>(null);
  // The full numbers live in this view only: never cached, gone when the page is left.
  const [revealed, setRevealed] = useState<PersonalData | undefined>(undefined);

  if (task.error && !task.data) return <ErrorAlert error={task.error} />;
  const d = task.data;
  if (!d) return <Card loading />;
  const s = d.subjectDetail;
  const nameOf = (username: string | null | undefined) =>
    !username ? undefined : username === user?.username ? user.name : d.timeline.find((e) => e.actor === username && e.actorName)?.actorName;
  const def = d.form ?? s?.form;
  // The form is editable with the decision only for the holder of the pending task who may approve.
  const editable = d.status === 'pending' && d.mine && !d.readOnly && !!allowed.data?.actions.includes('approve');
  const editableBuiltins = BUILTIN_EDITS.filter((f) => d.formAccess?.[f] === 'edit');

  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }} data-testid="task-page">
      <Card
        title={
          <Space wrap>
            <Button type="text" icon={<ArrowLeftOutlined />} onClick={() => navigate('/tasks')} aria-label={t('返回')} />
            <span>{d.subject}</span>
            <CampaignTag name={d.campaignName} year={d.campaignYear} />
            <Tag>{label(APP_TYPES, d.applicationType, lang)}</Tag>
            <Tag color={d.transferred ? 'default' : STATUS_COLORS[d.status]} data-testid="task-status">
              {d.transferred ? t('已转办') : label(TASK_STATUS, d.status, lang)}
            </Tag>
            {d.onBehalfOf && (
              <Tag color="purple" data-testid="on-behalf-tag">
                {t('代{name}审批', { name: d.onBehalfOf.name })}
              </Tag>
            )}
            {d.readOnly && <Tag data-testid="read-only-tag">{t('代理人办理中 · 只读')}</Tag>}
          </Space>
        }
        extra={<DueTag dueAt={d.dueAt} status={d.status} />}
      >
        <TransferredNotice transferred={d.transferred} />
        <Descriptions
          size="small"
          column={{ xs: 1, md: 3 }}
          items={[
            { key: 'step', label: t('步骤'), children: m(d.step) },
            // People by name: the holder is the caller or, for a named step, found in the timeline.
            // A role step is held by an org (办理单位); a named step by a person (办理人).
            d.org
              ? { key: 'org', label: t('办理单位'), children: orgName(d.org) }
              : { key: 'org', label: t('办理人'), children: nameOf(d.assignee) ?? d.assigneeName ?? '—' },
            { key: 'app', label: t('申请状态'), children: s ? <Tag color={STATUS_COLORS[s.status]}>{label(APP_STATUS, s.status, lang)}</Tag> : '—' },
            { key: 'applicant', label: t('申请单位'), children: s ? orgName(s.applicantOrg) : '—' },
            {
              key: 'by',
              label: t('申请人'),
              children: s?.applicant ? personText(s.applicantName ?? nameOf(s.applicant), s.applicantPost) : t('职工本人（扫码）'),
            },
            { key: 'current', label: t('当前步骤'), children: s?.currentStep ? m(s.currentStep) : '—' },
          ]}
        />
      </Card>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={15}>
          <Card
            title={t('申请内容')}
            size="small"
            data-testid="subject"
            extra={
              s && d.canRevealPersonalData ? (
                <RevealButton
                  taskId={d.id}
                  revealed={!!revealed}
                  onRevealed={(r) => {
                    // The numbers stay in this view's state; the rest of the answer (its timeline now records the view) refreshes the page.
                    setRevealed(r.personalData ?? {});
                    task.setData({ ...r, personalData: undefined });
                  }}
                />
              ) : null
            }
          >
            {revealed ? (
              <Alert type="warning" showIcon style={{ marginBottom: 12 }} data-testid="reveal-note" title={t('查看已留痕：本次查看完整信息已记录')} />
            ) : null}
            {s ? (
              <Subject detail={s} revealed={revealed} omit={editable ? editableBuiltins : []} />
            ) : (
              <Typography.Text type="secondary">{t('无权查看申请内容')}</Typography.Text>
            )}
            {s && (def || (editable && editableBuiltins.length > 0)) && (
              <div style={{ marginTop: 12 }}>
                <TaskForm ref={formRef} definition={def} access={d.formAccess} detail={s} editable={editable} />
              </div>
            )}
            {d.membership && (
              <div style={{ marginTop: 12 }}>
                <MembershipFact fact={d.membership} type={d.applicationType} />
              </div>
            )}
          </Card>
          <Card title={t('审批记录')} size="small" style={{ marginTop: 16 }}>
            <AppTimeline entries={d.timeline} fieldLabel={editLabel(def, lang)} />
          </Card>
        </Col>
        <Col xs={24} xl={9}>
          <Space orientation="vertical" size={16} style={{ width: '100%' }}>
            <ActionPanel task={d} allowed={allowed.data} loadError={allowed.error} formRef={formRef} />
            {s && (
              <>
                <Card title={t('附件')} size="small" extra={<PrintButtons applicationId={s.id} title={s.title} />}>
                  <Attachments applicationId={s.id} canUpload={editable} taskId={d.id} />
                </Card>
                <Card title={t('审批路线')} size="small">
                  <RoutePreview applicationId={s.id} />
                </Card>
              </>
            )}
          </Space>
        </Col>
      </Row>
    </Space>
  );
}

/**
 * 查看完整信息: calls the audited reveal (GET /api/tasks/:id?reveal=personal)
 * and hands the full numbers to the page for this view. Offered only where the
 * API says the caller may (`canRevealPersonalData`).
 */
function RevealButton({ taskId, revealed, onRevealed }: { taskId: string; revealed: boolean; onRevealed: (r: TaskDetail) => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);
  const reveal = async () => {
    setBusy(true);
    try {
      onRevealed(await get<TaskDetail>(`/api/tasks/${encodeURIComponent(taskId)}?reveal=personal`));
    } catch (e) {
      void message.error(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Button size="small" icon={<EyeOutlined />} loading={busy} disabled={revealed} onClick={() => void reveal()} data-testid="reveal-personal">
      {t('查看完整信息')}
    </Button>
  );
}

/** Built-in fields of an application an approver's step may let them correct (金额 above all). */
const BUILTIN_EDITS = ['title', 'amount', 'reason'] as const;
const BUILTIN_SCHEMA: Record<(typeof BUILTIN_EDITS)[number], Record<string, unknown>> = {
  title: { type: 'string', title: '标题 / Title', minLength: 1, maxLength: 200 },
  amount: { type: 'number', title: '金额（元）/ Amount (yuan)', exclusiveMinimum: 0, maximum: 100_000_000 },
  reason: { type: 'string', title: '事由 / Reason', minLength: 1, maxLength: 2000 },
};

interface TaskFormHandle {
  /** The fields the approver changed, or null when the form shows an error. */
  edits(): Record<string, unknown> | null;
  /** The server's errors (`form.<field>`) beside their fields. */
  showErrors(errors: FieldError[]): void;
}

/**
 * 申请表单 on the task: the fields the approver's step lets them see —
 * read-only where `read`, editable where `edit` (sent with 同意); a hidden
 * field is not drawn at all. Built-in fields the step lets them correct
 * (the amount granted) are edited here too.
 */
const TaskForm = forwardRef<TaskFormHandle, { definition?: FormDefinition; access?: FormAccess; detail: SubjectDetail; editable: boolean }>(function TaskForm(
  { definition, access, detail, editable },
  ref,
) {
  const { t } = useI18n();
  const builtins = editable ? BUILTIN_EDITS.filter((f) => access?.[f] === 'edit') : [];
  const formEdit = editable && Object.entries(access ?? {}).some(([f, a]) => a === 'edit' && !BUILTIN_EDITS.includes(f as never));
  // One definition for what the approver edits: the built-ins they may correct, then the chain's form.
  const combined = useMemo<FormDefinition>(() => {
    const props = (definition?.schema.properties ?? {}) as Record<string, unknown>;
    const order = Array.isArray(definition?.ui?.['ui:order']) ? (definition.ui['ui:order'] as string[]) : Object.keys(props);
    return {
      schema: {
        ...(definition?.schema ?? { type: 'object' }),
        properties: { ...Object.fromEntries(builtins.map((f) => [f, BUILTIN_SCHEMA[f]])), ...props },
        required: [...builtins, ...((definition?.schema.required as string[] | undefined) ?? [])],
      },
      ui: { ...(definition?.ui ?? {}), 'ui:order': [...builtins, ...order.filter((f) => f !== '*'), '*'] },
    };
  }, [definition, builtins.join()]);
  const initial = useMemo<FormValues>(() => {
    const p = detail.payload;
    const form = (p.form && typeof p.form === 'object' ? p.form : {}) as FormValues;
    return { ...form, ...Object.fromEntries(builtins.map((f) => [f, f === 'title' ? detail.title : p[f]])) };
  }, [detail, builtins.join()]);
  const [values, setValues] = useState<FormValues>(initial);
  // What may be edited is known once the task's allowed actions have loaded: start again from the application's values.
  useEffect(() => setValues(initial), [initial]);
  const [errors, setErrors] = useState<FieldError[]>([]);
  const inner = useRef<SchemaFormHandle>(null);
  const editing = builtins.length > 0 || formEdit;
  useImperativeHandle(
    ref,
    () => ({
      edits() {
        if (!editing) return {};
        if (!(inner.current?.validate() ?? true)) return null;
        return Object.fromEntries(Object.entries(values).filter(([f, v]) => access?.[f] === 'edit' && JSON.stringify(v) !== JSON.stringify(initial[f])));
      },
      showErrors: setErrors,
    }),
    [editing, values, initial, access],
  );
  if (!editing)
    return definition ? (
      <>
        <Typography.Title level={5}>{t('申请表单')}</Typography.Title>
        <FormValuesView definition={definition} value={initial} access={access} />
      </>
    ) : null;
  const shownAccess: FormAccess = access ?? {};
  return (
    <>
      <Typography.Title level={5}>{t('申请表单')}</Typography.Title>
      <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
        {t('可修改的字段随“同意”一并提交，修改前后的值记入审批记录')}
      </Typography.Paragraph>
      <SchemaForm ref={inner} definition={combined} access={shownAccess} value={values} onChange={setValues} errors={errors} testId="task-form" />
    </>
  );
});

function Subject({ detail, revealed, omit = [] }: { detail: SubjectDetail; revealed?: PersonalData; omit?: readonly string[] }) {
  const { t, m } = useI18n();
  const { orgName } = useSession();
  const p = detail.payload;
  if (detail.type === 'project_list') return <ProjectListSubject detail={detail} />;
  if (detail.type === 'self_assessment') return <SelfAssessmentSubject detail={detail} />;
  if (detail.type === 'chain_change') return <ChainChangeSubject detail={detail} />;
  // 行动计划: the city's consolidated plan as the province reviews it (the same card as the campaign dashboard's).
  if (detail.type === 'campaign_plan' && typeof p.campaignId === 'string') return <PlanCard campaignId={p.campaignId} />;
  const rows = subjectRows(detail, { t, orgName, revealed });
  return (
    <Descriptions
      size="small"
      column={1}
      bordered
      items={rows
        .filter((r) => r.value !== undefined && r.value !== null && r.value !== '' && !omit.includes(r.key))
        .map((r) => ({ key: r.key, label: r.label, children: typeof r.value === 'string' ? m(r.value) : String(r.value) }))}
    />
  );
}

type SubjectRow = { key: string; label: string; value: unknown };

/** The rows that describe an application's subject, by its type: a union being established, a subsidy, or a person. */
function subjectRows(
  detail: SubjectDetail,
  { t, orgName, revealed }: { t: (s: string) => string; orgName: (id: string) => string; revealed?: PersonalData },
): SubjectRow[] {
  const p = detail.payload;
  switch (detail.type) {
    case 'union_establishment':
      // 建会程序: the union being established (its steps' fields are the form below).
      return [
        { key: 'unionName', label: t('工会名称'), value: p.unionName },
        { key: 'kind', label: t('工会类型'), value: p.kindName },
        { key: 'enterprise', label: t('台账企业'), value: p.enterpriseName },
        { key: 'project', label: t('项目'), value: detail.projectName ?? undefined },
      ];
    case 'subsidy':
      return [
        { key: 'title', label: t('事项'), value: detail.title },
        {
          key: 'amount',
          label: t('金额（元）'),
          value: typeof p.amount === 'number' ? p.amount.toLocaleString('zh-CN', { minimumFractionDigits: 2 }) : p.amount,
        },
        { key: 'reason', label: t('理由'), value: p.reason },
        { key: 'project', label: t('项目'), value: detail.projectName ?? undefined },
      ];
    default:
      return [
        { key: 'name', label: t('姓名'), value: p.name },
        { key: 'id', label: t('身份证号'), value: revealed?.idNumber ?? p.idNumberMasked },
        { key: 'phone', label: t('手机号'), value: revealed?.phone ?? p.phoneMasked },
        { key: 'group', label: t('所属群体'), value: detail.groupName ?? undefined },
        { key: 'employer', label: t('工作单位'), value: p.employer },
        { key: 'area', label: t('所在地区'), value: typeof p.area === 'string' ? orgName(p.area) : undefined },
        { key: 'from', label: t('转出工会'), value: typeof p.fromUnion === 'string' ? orgName(p.fromUnion) : undefined },
        { key: 'to', label: t('转入工会'), value: detail.targetOrg ? orgName(detail.targetOrg) : undefined },
        { key: 'reason', label: t('理由'), value: p.reason },
      ];
  }
}

function ProjectListSubject({ detail }: { detail: SubjectDetail }) {
  const { t, lang } = useI18n();
  const campaignId = String((detail.payload.campaignId as string | undefined) ?? '');
  const projects = useLoad(
    () =>
      get<{ items: ProjectView[] }>(`/api/campaigns/${encodeURIComponent(campaignId)}/projects?region=${encodeURIComponent(detail.applicantOrg)}&limit=500`),
    [campaignId, detail.applicantOrg],
  );
  const items = (projects.data?.items ?? []).filter((p) => p.listApplicationId === detail.id);
  return (
    <>
      <Typography.Paragraph>
        {detail.title} · {t('计划发展会员 {n} 人', { n: Number(detail.payload.plannedMembers ?? 0) })}
      </Typography.Paragraph>
      <ErrorAlert error={projects.error} />
      <Table<ProjectView>
        size="small"
        rowKey="id"
        loading={projects.loading}
        pagination={false}
        dataSource={items}
        data-testid="subject-projects"
        columns={[
          { title: t('项目名称'), dataIndex: 'name' },
          { title: t('类型'), dataIndex: 'type', render: (v: string) => label(PROJECT_TYPES, v, lang) },
          { title: t('责任单位'), dataIndex: 'responsibleUnit' },
          {
            title: t('计划'),
            render: (_: unknown, p) =>
              p.kind === 'organizing' ? t('{n} 名会员', { n: p.plannedMembers ?? 0 }) : t('覆盖 {n} 人', { n: p.plannedCoverage ?? 0 }),
          },
          { title: t('完成时间'), dataIndex: 'dueDate', render: (v: string | null) => (v ? dayjs(v).format('YYYY-MM-DD') : '—') },
          { title: t('补助（元）'), dataIndex: 'subsidyAmount', render: (v: number | null) => (v ? v.toLocaleString('zh-CN') : '—') },
          { title: t('关联台账企业'), render: (_: unknown, p) => <LinkedEnterprises enterprises={p.enterprises} /> },
          { title: t('状态'), dataIndex: 'status', render: (v: string) => <Tag color={STATUS_COLORS[v]}>{label(PROJECT_STATUS, v, lang)}</Tag> },
        ]}
      />
      <ListRevisions campaignId={campaignId} org={detail.applicantOrg} />
    </>
  );
}

/**
 * 审批链变更: the org, the chain and what would change against the version in
 * force, as computed when the change was proposed. Each line is already
 * "中文 / English" with field values, so it is shown whole in both languages.
 */
function ChainChangeSubject({ detail }: { detail: SubjectDetail }) {
  const { m } = useI18n();
  const p = detail.payload as { owner?: string; ownerName?: string; definition?: { key?: string; name?: string }; diff?: { lines?: string[] } };
  return (
    <>
      <Descriptions
        size="small"
        column={1}
        bordered
        items={[
          { key: 'owner', label: m('所属组织 / Owner org'), children: p.ownerName ?? p.owner },
          { key: 'chain', label: m('审批链 / Chain'), children: `${m(p.definition?.name ?? '')}（${p.definition?.key ?? ''}）` },
        ]}
      />
      <Typography.Title level={5} style={{ marginTop: 12 }}>
        {m('变更内容 / What changes')}
      </Typography.Title>
      <ul data-testid="chain-diff">
        {(p.diff?.lines ?? []).map((line, i) => (
          <li key={i}>{line}</li>
        ))}
      </ul>
    </>
  );
}

function SelfAssessmentSubject({ detail }: { detail: SubjectDetail }) {
  const { t, lang } = useI18n();
  // The self-assessment's payload: the project and its report (JSON from the API).
  const p = detail.payload as { projectId?: string; summary?: string; membersRecruited?: number; unionsEstablished?: number; coverage?: number };
  const project = useLoad(() => get<ProjectView>(`/api/projects/${encodeURIComponent(String(p.projectId ?? ''))}`), [p.projectId]);
  const pr = project.data;
  return (
    <>
      <ErrorAlert error={project.error} />
      <Descriptions
        size="small"
        column={1}
        bordered
        items={[
          { key: 'project', label: t('项目'), children: pr ? `${pr.name}（${label(PROJECT_TYPES, pr.type, lang)}）` : String(p.projectId) },
          { key: 'summary', label: t('自评报告'), children: String(p.summary ?? '') },
          {
            key: 'members',
            label: t('自报新增会员'),
            children: `${String(p.membersRecruited ?? 0)}${pr ? ` ｜ ${t('实名记录')} ${pr.progress.membersRecruited}` : ''}`,
          },
          {
            key: 'unions',
            label: t('自报新建工会'),
            children: `${String(p.unionsEstablished ?? 0)}${pr ? ` ｜ ${t('台账记录')} ${pr.progress.unionsEstablished}` : ''}`,
          },
          ...(p.coverage !== undefined ? [{ key: 'coverage', label: t('服务覆盖'), children: String(p.coverage) }] : []),
          ...(pr
            ? [{ key: 'status', label: t('项目状态'), children: <Tag color={STATUS_COLORS[pr.status]}>{label(PROJECT_STATUS, pr.status, lang)}</Tag> }]
            : []),
        ]}
      />
      {p.projectId && <AssessmentReview projectId={String(p.projectId)} />}
      {p.projectId && <AssessmentHistory projectId={String(p.projectId)} />}
    </>
  );
}

function ActionPanel({
  task,
  allowed,
  loadError,
  formRef,
}: {
  task: TaskDetail;
  allowed?: Allowed;
  loadError: unknown;
  formRef: React.RefObject<TaskFormHandle | null>;
}) {
  const { t, lang } = useI18n();
  const { message } = App.useApp();
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [dialog, setDialog] = useState<string | null>(null);
  const [key, setKey] = useState(newKey);

  const actions = ORDER.filter((a) => allowed?.actions.includes(a));
  const send = async (action: string, extra: Record<string, unknown> = {}) => {
    // 同意 carries the approver's corrections of the fields their step lets them edit.
    let edits: Record<string, unknown> | null = {};
    if (action === 'approve') {
      edits = formRef.current?.edits() ?? {};
      if (!edits) {
        setError(new Error(t('请先改正表单中标出的字段')));
        return null;
      }
      formRef.current?.showErrors([]);
    }
    setBusy(action);
    setError(null);
    try {
      const text = (extra.comment as string | undefined) ?? comment.trim();
      const { taskId, ...rest } = extra as { taskId?: string };
      // 撤回审批 is an action on the application; 减签 of a signer who signs before one's step names their task.
      const path =
        action === 'retract'
          ? `/api/applications/${encodeURIComponent(allowed?.applicationId ?? task.applicationId)}/actions`
          : `/api/tasks/${encodeURIComponent(taskId ?? task.id)}/actions`;
      const r = await post<{ status: string }>(
        path,
        { action, ...(text ? { comment: text } : {}), ...rest, ...(edits && Object.keys(edits).length ? { form: edits } : {}) },
        { idempotencyKey: `${key}-${action}` },
      );
      message.success(t('已{action}，申请状态：{status}', { action: actionName(action, lang), status: label(APP_STATUS, r.status, lang) }));
      setComment('');
      setDialog(null);
      setKey(newKey());
      // The page, the route and the badges load again: the API client announced the change (components/fresh.ts).
      return null;
    } catch (e) {
      setError(e);
      // A correction the schema refuses comes back as `form.<field>`: shown beside the field.
      if (e instanceof ApiError) formRef.current?.showErrors(e.fieldErrors.filter((x) => x.path.startsWith('form.')));
      return e;
    } finally {
      setBusy(null);
    }
  };
  const simple = (a: string) => {
    if ((a === 'reject' || a === 'comment') && !comment.trim()) {
      setError(new Error(a === 'reject' ? t('不同意时请填写意见') : t('请填写评论内容')));
      return;
    }
    void send(a);
  };

  return (
    <Card title={t('办理')} size="small" data-testid="action-panel">
      <ErrorAlert error={loadError} />
      {task.status !== 'pending' ? (
        <Typography.Paragraph type="secondary">
          {t('此任务状态：{status}', { status: label(TASK_STATUS, task.status, lang) })}
          {task.decision ? `（${label(ACTIONS, task.decision, lang)}）` : ''}
        </Typography.Paragraph>
      ) : task.readOnly ? (
        <Typography.Paragraph type="secondary">{t('您不在岗期间此任务由代理人办理，只可查看')}</Typography.Paragraph>
      ) : !task.mine && !allowed?.override ? (
        <Typography.Paragraph type="secondary">{t('此任务不在您的待办中，只可查看')}</Typography.Paragraph>
      ) : null}
      {allowed?.override && actions.length > 0 && (
        <Alert type="info" showIcon style={{ marginBottom: 12 }} data-testid="override-note" title={t('您以管理员身份代为办理，审批记录将注明')} />
      )}
      {actions.length > 0 && (
        <>
          <Input.TextArea
            rows={4}
            value={comment}
            onChange={(e) => setComment(e.target.value)}
            placeholder={t('审批意见')}
            maxLength={2000}
            showCount
            aria-label={t('审批意见')}
          />
          <ErrorAlert error={error} style={{ marginTop: 12 }} />
          <Space wrap style={{ marginTop: 12 }}>
            {actions.map((a) => (
              <Button
                key={a}
                type={a === 'approve' ? 'primary' : 'default'}
                danger={a === 'reject'}
                loading={busy === a}
                disabled={!!busy && busy !== a}
                onClick={() => (WITH_DIALOG.includes(a) ? setDialog(a) : simple(a))}
                data-testid={`action-${a}`}
              >
                {actionName(a, lang)}
              </Button>
            ))}
          </Space>
        </>
      )}
      {allowed && actions.length === 0 && task.status === 'pending' && task.mine && !task.readOnly && (
        <Typography.Paragraph type="secondary">{t('当前步骤没有您可执行的操作')}</Typography.Paragraph>
      )}
      <RefusedActions refused={allowed?.refused} />
      {dialog && (
        <ActionDialog
          action={dialog}
          task={task}
          allowed={allowed}
          comment={comment}
          onCancel={() => setDialog(null)}
          onSend={(extra) => send(dialog, extra)}
          busy={busy === dialog}
          error={error}
          lang={lang}
        />
      )}
    </Card>
  );
}

/** The dialog of an action that needs more than a comment: whom (transfer, add or remove a signer…) or where to (return). */
function ActionDialog({
  action,
  task,
  allowed,
  comment,
  onCancel,
  onSend,
  busy,
  error,
  lang,
}: {
  action: string;
  task: TaskDetail;
  allowed?: Allowed;
  comment: string;
  onCancel(): void;
  onSend(extra: Record<string, unknown>): Promise<unknown>;
  busy: boolean;
  error: unknown;
  lang: 'zh' | 'en';
}) {
  const { t } = useI18n();
  const { orgs } = useSession();
  const [form] = Form.useForm<{
    to?: string | string[];
    position?: 'before' | 'after';
    returnTo?: string;
    deadline?: Dayjs | null;
    comment?: string;
    removed?: string;
  }>();
  const multi = action === 'addSigner' || action === 'cc';
  const submit = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    const extra: Record<string, unknown> = { comment: v.comment?.trim() || undefined };
    if (NEEDS_PEOPLE.includes(action) || action === 'assign') extra.to = v.to;
    if (action === 'addSigner') extra.position = v.position;
    if (action === 'removeSigner') {
      const signer = allowed?.removeSigners.find((x) => x.username === v.removed);
      extra.to = [v.removed];
      if (signer) extra.taskId = signer.taskId;
    }
    if (action === 'return') {
      extra.returnTo = v.returnTo === 'applicant' ? 'applicant' : Number(v.returnTo);
      if (v.deadline) extra.deadline = v.deadline.format();
    }
    const failed = await onSend(extra);
    if (failed)
      applyFieldErrors(form, failed, lang, (p) =>
        ['to', 'returnTo', 'deadline', 'position', 'comment'].includes(p.split('.')[0]!)
          ? [p.split('.')[0] === 'to' && action === 'removeSigner' ? 'removed' : p.split('.')[0]!]
          : undefined,
      );
  };
  return (
    <Modal
      open
      title={actionName(action, lang)}
      onCancel={onCancel}
      onOk={submit}
      confirmLoading={busy}
      okText={t('确定')}
      cancelText={t('取消')}
      destroyOnHidden
    >
      <Form
        form={form}
        layout="vertical"
        initialValues={{
          comment,
          position: 'after',
          returnTo: allowed?.returnTargets[0] ? String(allowed.returnTargets[0].value) : undefined,
          removed: allowed?.removeSigners.length === 1 ? allowed.removeSigners[0]!.username : undefined,
        }}
      >
        {NEEDS_PEOPLE.includes(action) && (
          <Form.Item
            name="to"
            label={action === 'addSigner' ? t('加签人') : action === 'cc' ? t('抄送给') : t('接收人')}
            rules={[{ required: true, message: t('请选择人员') }]}
          >
            <PersonPicker multiple={multi} />
          </Form.Item>
        )}
        {action === 'removeSigner' && (
          <Form.Item name="removed" label={t('减签人')} rules={[{ required: true, message: t('请选择人员') }]}>
            <Select data-testid="remove-signer-picker" options={(allowed?.removeSigners ?? []).map((x) => ({ value: x.username, label: x.name }))} />
          </Form.Item>
        )}
        {action === 'assign' && (
          <Form.Item name="to" label={t('分拣至基层工会')} rules={[{ required: true, message: t('请选择基层工会') }]}>
            <Select showSearch optionFilterProp="label" options={orgs.filter((o) => o.kind === 'grassroots').map((o) => ({ value: o.id, label: o.name }))} />
          </Form.Item>
        )}
        {action === 'addSigner' && (
          <Form.Item name="position" label={t('加签位置')}>
            <Radio.Group
              options={[
                { value: 'before', label: t('在我之前（前加签）') },
                { value: 'after', label: t('在我之后（后加签）') },
              ]}
            />
          </Form.Item>
        )}
        {action === 'return' && (
          <>
            <Form.Item name="returnTo" label={t('退回至')} rules={[{ required: true, message: t('请选择退回对象') }]}>
              <Select
                options={(allowed?.returnTargets ?? []).map((r) => ({ value: String(r.value), label: r.label.split(' / ')[lang === 'zh' ? 0 : 1] ?? r.label }))}
              />
            </Form.Item>
            {task.applicationType === 'self_assessment' && (
              <Form.Item name="deadline" label={t('整改期限（限期整改）')}>
                <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" />
              </Form.Item>
            )}
          </>
        )}
        <Form.Item name="comment" label={t('意见')} rules={action === 'return' ? [{ required: true, whitespace: true, message: t('退回时请填写意见') }] : []}>
          <Input.TextArea rows={3} />
        </Form.Item>
      </Form>
      <ErrorAlert error={error} />
    </Modal>
  );
}
