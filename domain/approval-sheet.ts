/**
 * The printable 审批单 (approval sheet) of an application: its content model,
 * built once here and rendered by both the HTML page
 * (domain/approval-sheet-html.ts) and the PDF (api/approval-sheet-pdf.ts), so
 * the two always say the same thing. Everything in it is ready to print:
 * Chinese labels, people by name and post (never a login), times in Beijing
 * time (YYYY-MM-DD HH:mm), no raw codes.
 *
 * Pure and deterministic: the same facts give the same sheet.
 */
import { ATTACHMENT_TYPES, isAllowedAttachmentType } from './attachments';
import { beijingTime } from './beijing-time';
import type { FormDefinition } from './chain';

/** One row of the form part: a field's Chinese label and its printed value. */
export interface SheetField {
  label: string;
  value: string;
}

/** One decision on the application: who decided what, at which step, when, and what they wrote. */
export interface SheetDecision {
  step: string;
  approver: string;
  post: string;
  decision: string;
  at: string;
  comment: string;
}

export interface SheetAttachment {
  name: string;
  type: string;
  size: string;
  uploadedBy: string;
  at: string;
}

export interface ApprovalSheet {
  title: string;
  /** The application type in Chinese (经费补助…). */
  typeLabel: string;
  /** The application's own title (申请事项). */
  subject: string;
  /** Its status in Chinese (审批中, 已通过…). */
  status: string;
  applicant: { name: string; org: string };
  submittedAt: string;
  fields: SheetField[];
  decisions: SheetDecision[];
  attachments: SheetAttachment[];
  printedAt: string;
  printedBy: string;
}

/** A person as the sheet shows them: name, and their posts (岗位) as `org` + `role`. */
export interface SheetPerson {
  name: string;
  orgName: string;
  posts: readonly { orgId: string; orgName: string; role: string }[];
}

/** A timeline row as the sheet reads it (audit_log). */
export interface SheetEvent {
  at: Date | string;
  actor: string;
  action: string;
  step: string | null;
  stepIndex: number | null;
  comment: string | null;
  data: Record<string, unknown> | null;
}

/** A task of the application as the sheet reads it: where its approvers sit. */
export interface SheetTask {
  stepIndex: number;
  assignee: string | null;
  role: string | null;
  orgId: string | null;
  orgName: string | null;
  candidates: readonly string[];
}

export interface SheetFacts {
  type: string;
  title: string;
  status: string;
  createdAt: Date | string;
  applicant: string | null;
  applicantOrgName: string;
  /** The form part, already cut to what the viewer may see ({@link payloadFields} or the chain form's own). */
  fields: SheetField[];
  timeline: readonly SheetEvent[];
  tasks: readonly SheetTask[];
  people: ReadonlyMap<string, SheetPerson>;
  attachments: readonly { name: string; type: string; size: number; uploadedBy: string; at: Date | string }[];
  viewer: string;
  now: Date;
}

export const TYPE_LABELS: Record<string, string> = {
  subsidy: '经费补助',
  membership: '网上入会',
  transfer: '会籍转移',
  project_list: '项目清单审核',
  self_assessment: '项目绩效自评',
  chain_change: '审批链变更',
  campaign_plan: '行动计划审核',
  union_establishment: '建会程序',
};

export const STATUS_LABELS: Record<string, string> = {
  pending: '审批中',
  returned: '已退回',
  approved: '已通过',
  rejected: '未通过',
  withdrawn: '已撤回',
};

export const ROLE_LABELS: Record<string, string> = { staff: '干事', reviewer: '审核员', admin: '管理员', supervisor: '督办' };

/** The timeline actions that are decisions on the application, in Chinese. */
export const DECISION_LABELS: Record<string, string> = {
  approve: '同意',
  reject: '驳回',
  return: '退回',
  transfer: '转办',
  delegate: '委派',
  delegateResolved: '委派意见',
  addSigner: '加签',
  removeSigner: '减签',
  resubmit: '重新提交',
  withdraw: '撤回',
  retract: '撤销审批',
  escalated: '超时升级',
  skipped: '跳过',
  approvalsVoided: '此前审批作废',
  approved: '审批完成',
};

/** 2026-07-03 14:05, in Beijing time (never a raw UTC ISO string); the one helper, domain/beijing-time.ts. */
export { beijingTime };

/** 1.2 MB / 340 KB / 512 B */
export function fileSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} B`;
}

const SYSTEM = '系统自动办理';

/** The Chinese half of a bilingual text ("信息初审 / initial review" → "信息初审"). */
function chinese(text: string | null | undefined): string {
  if (!text) return '';
  const i = text.indexOf(' / ');
  return i > 0 ? text.slice(0, i) : text;
}

/**
 * The post an approver acted in: the post they hold at the org of the task
 * they decided (a role task: that role there), else their first post, else
 * their home org.
 */
export function postOf(person: SheetPerson | undefined, username: string, stepIndex: number | null, tasks: readonly SheetTask[]): string {
  const task = tasks.find((t) => t.stepIndex === stepIndex && (t.assignee === username || t.candidates.includes(username)));
  const at = task?.orgId ? person?.posts.find((p) => p.orgId === task.orgId && (!task.role || p.role === task.role)) : undefined;
  const post = at ?? (task?.role ? undefined : person?.posts[0]);
  if (post) return `${post.orgName} ${ROLE_LABELS[post.role] ?? ''}`.trim();
  if (task?.orgName && task.role) return `${task.orgName} ${ROLE_LABELS[task.role] ?? ''}`.trim();
  return person?.orgName ?? '';
}

/** A person's post as shown beside their name (平顶山市总工会 审核员): their first active post, else their home org. */
export function mainPost(person: SheetPerson | undefined): string {
  const post = person?.posts[0];
  return post ? `${post.orgName} ${ROLE_LABELS[post.role] ?? ''}`.trim() : (person?.orgName ?? '');
}

/** 张三（平顶山市总工会 审核员）: a person as every list and print shows them, never by login. */
export function personLabel(person: SheetPerson | undefined, post = mainPost(person)): string {
  if (!person) return '';
  return post ? `${person.name}（${post}）` : person.name;
}

function decisionLabel(e: SheetEvent): string | undefined {
  // An automated step (立项通知与补助下拨…): its step names it, its note says what it did.
  if (e.action.startsWith('auto:')) return '自动办理';
  const label = DECISION_LABELS[e.action];
  if (!label) return undefined;
  if (e.action === 'delegateResolved') return `委派意见：${e.data?.opinion === 'reject' ? '不同意' : '同意'}`;
  return label;
}

/** Builds the 审批单 from the application's facts. */
export function approvalSheet(f: SheetFacts): ApprovalSheet {
  const nameOf = (u: string | null) => (!u || u === 'system' ? SYSTEM : (f.people.get(u)?.name ?? '（已注销用户）'));
  const decisions: SheetDecision[] = [];
  for (const e of f.timeline) {
    const decision = decisionLabel(e);
    if (!decision) continue;
    const system = e.actor === 'system' || e.action.startsWith('auto:');
    decisions.push({
      step: chinese(e.step) || '—',
      approver: system ? SYSTEM : nameOf(e.actor),
      post: system ? '' : postOf(f.people.get(e.actor), e.actor, e.stepIndex, f.tasks),
      decision: e.data?.override ? `${decision}（管理员代为办理）` : decision,
      at: beijingTime(e.at),
      comment: chinese(e.comment),
    });
  }
  const applicant = f.applicant ? f.people.get(f.applicant) : undefined;
  return {
    title: '审批单',
    typeLabel: TYPE_LABELS[f.type] ?? '申请',
    subject: f.title,
    status: STATUS_LABELS[f.status] ?? f.status,
    applicant: { name: f.applicant ? (applicant?.name ?? '（已注销用户）') : '职工本人（扫码入会）', org: f.applicantOrgName },
    submittedAt: beijingTime(f.createdAt),
    fields: f.fields,
    decisions,
    attachments: f.attachments.map((a) => ({
      name: a.name,
      type: isAllowedAttachmentType(a.type) ? ATTACHMENT_TYPES[a.type].label : '文件',
      size: fileSize(a.size),
      uploadedBy: nameOf(a.uploadedBy),
      at: beijingTime(a.at),
    })),
    printedAt: beijingTime(f.now),
    printedBy: nameOf(f.viewer),
  };
}

/** Names the payload's references resolve to (orgs, target groups, projects); an unresolved one is left out. */
export interface PayloadNames {
  orgs: ReadonlyMap<string, string>;
  groups: ReadonlyMap<string, string>;
  projects: ReadonlyMap<string, string>;
}

const yuan = new Intl.NumberFormat('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const int = new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 2 });

/**
 * The form part of the sheet from the application's payload, by type, with
 * Chinese labels: only what every viewer of the application may see (the
 * payload as GET /api/applications/:id shows it: personal data masked, no
 * ciphertexts or hashes). Chains that declare a form (issue 14) print it
 * through the form's own labels and field permissions instead — this is the
 * one function that part replaces.
 */
export function payloadFields(type: string, payload: Record<string, unknown>, names: PayloadNames): SheetField[] {
  const out: SheetField[] = [];
  const text = (label: string, v: unknown) => {
    if (typeof v === 'string' && v.trim()) out.push({ label, value: v });
    else if (typeof v === 'number' && Number.isFinite(v)) out.push({ label, value: int.format(v) });
  };
  const ref = (label: string, v: unknown, map: ReadonlyMap<string, string>) => {
    if (typeof v === 'string' && map.has(v)) out.push({ label, value: map.get(v)! });
  };
  switch (type) {
    case 'subsidy':
      if (typeof payload.amount === 'number') out.push({ label: '申请金额（元）', value: yuan.format(payload.amount) });
      text('申请理由', payload.reason);
      ref('关联项目', payload.projectId, names.projects);
      break;
    case 'membership':
      text('姓名', payload.name);
      ref('职工群体', payload.group, names.groups);
      text('工作单位', payload.employer);
      ref('申请地区', payload.area, names.orgs);
      text('身份证号（已隐去部分）', payload.idNumberMasked);
      text('手机号（已隐去部分）', payload.phoneMasked);
      break;
    case 'transfer':
      ref('转入工会', payload.toUnion, names.orgs);
      text('身份证号（已隐去部分）', payload.idNumberMasked);
      text('转移理由', payload.reason);
      break;
    case 'project_list':
      text('项目数', payload.projectCount);
      text('计划发展会员数', payload.plannedMembers);
      break;
    case 'campaign_plan':
      text('修订版次', payload.revision);
      text('项目数', payload.projectCount);
      text('计划发展会员数', payload.plannedMembers);
      text('计划覆盖职工数', payload.plannedCoverage);
      break;
    case 'self_assessment':
      text('自评总结', payload.summary);
      text('发展会员数', payload.membersRecruited);
      text('新建工会数', payload.unionsEstablished);
      text('服务覆盖人数', payload.coverage);
      break;
    case 'union_establishment': {
      text('工会名称', payload.unionName);
      text('工会类型', payload.kindName);
      const form = (payload.form ?? {}) as Record<string, unknown>;
      text('筹备组组长', form.prepGroupLead);
      text('会员人数', form.memberCount);
      text('选举日期', form.electionDate);
      text('当选工会主席', form.chair);
      break;
    }
    case 'chain_change': {
      text('所属组织', payload.ownerName);
      const diff = payload.diff as { lines?: unknown } | undefined;
      if (Array.isArray(diff?.lines) && diff.lines.length)
        out.push({
          label: '变更内容',
          value: diff.lines
            .filter((l): l is string => typeof l === 'string')
            .map(chinese)
            .join('\n'),
        });
      break;
    }
  }
  return out;
}

/**
 * The fields of a chain's own form (申请表单, `payload.form`), in the form's
 * order (`ui:order`, else the schema's), each under its Chinese label
 * (`ui:title`, else the schema's `title`), a choice under its display name
 * (`ui:enumNames`), yes/no as 是/否, a list joined with 、. Give it the form
 * and the values as the viewer may see them (hidden fields already left out):
 * a field absent from either is not printed.
 */
export function formPartFields(form: FormDefinition | undefined, values: unknown): SheetField[] {
  const props = form?.schema.properties;
  if (!props || typeof props !== 'object' || Array.isArray(props) || !values || typeof values !== 'object' || Array.isArray(values)) return [];
  const schemaOf = (f: string) => (props as Record<string, Record<string, unknown> | undefined>)[f] ?? {};
  const uiOf = (f: string) => ((form.ui?.[f] ?? {}) as Record<string, unknown>) ?? {};
  const given = Array.isArray(form.ui?.['ui:order']) ? (form.ui['ui:order'] as unknown[]).filter((f): f is string => typeof f === 'string') : ['*'];
  const all = Object.keys(props);
  const listed = given.filter((f) => f !== '*' && all.includes(f));
  const order = given.flatMap((f) => (f === '*' ? all.filter((x) => !listed.includes(x)) : listed.includes(f) ? [f] : []));
  const out: SheetField[] = [];
  for (const field of order) {
    const v = (values as Record<string, unknown>)[field];
    if (v === undefined || v === null || v === '') continue;
    const schema = schemaOf(field);
    const ui = uiOf(field);
    const label = [ui['ui:title'], schema.title].find((x): x is string => typeof x === 'string' && x.trim() !== '') ?? field;
    const choices = Array.isArray(schema.enum) ? schema.enum : undefined;
    const names = Array.isArray(ui['ui:enumNames']) ? (ui['ui:enumNames'] as unknown[]) : undefined;
    const one = (x: unknown): string => {
      const i = choices ? choices.indexOf(x) : -1;
      if (i >= 0 && typeof names?.[i] === 'string') return names[i];
      if (typeof x === 'boolean') return x ? '是' : '否';
      if (typeof x === 'number') return int.format(x);
      if (typeof x === 'string') return x;
      return JSON.stringify(x);
    };
    out.push({ label, value: Array.isArray(v) ? v.map(one).join('、') : one(v) });
  }
  return out;
}
