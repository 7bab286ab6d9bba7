/**
 * 审批路线图 (the route as a diagram): the one route component. Each step of
 * the chain in order — a parallel group's branches side by side (stacked on a
 * phone) — with where it stands (已完成 / 办理中 / 待办理 / 将跳过 / 已跳过 /
 * 未到达), the current position highlighted, who acted (name and post, the
 * decision, Beijing time), why a step was or would be skipped (its condition
 * in words) and, for the open and coming steps, who would act and why this
 * approver (按角色 / 指定人员 / 无人匹配→管理员 …).
 *
 * `RoutePreview` draws an application's route (GET /api/applications/:id/route,
 * the task and application pages); the chain designer draws a draft's
 * (POST /api/chains/route-preview) with `RouteDiagram`.
 */
import type { ReactNode } from 'react';
import { Alert, Col, Row, Space, Steps, Tag, Typography } from 'antd';
import { get } from '../api';
import { ErrorAlert } from './ErrorAlert';
import { useLoad } from './useLoad';
import { useI18n } from '../i18n';

/** Someone who would act, as users know them (name and post; the route never shows logins to users). */
interface Approver {
  name: string;
  post?: string;
}

/** Someone who acted on a step: name and post, the decision in words, when (Beijing time). */
interface Actor {
  name: string;
  post: string;
  decision: string;
  atText: string;
  comment: string | null;
}

export type DiagramState = 'done' | 'current' | 'waiting' | 'willSkip' | 'skipped' | 'notReached';

export interface RouteStep {
  index?: number;
  id?: string;
  name: string;
  type?: string;
  status?: string;
  remaining?: boolean;
  approvers?: Approver[];
  /** Why these approvers, as users say it (按角色：… / 指定人员 / 无人匹配→…). */
  reason?: string;
  why?: string | null;
  /** Whether the step's condition holds now, and the condition in words ("中文 / English"). */
  condition?: { holds: boolean; text: string } | null;
  conditionText?: string | null;
  state?: DiagramState;
  actors?: Actor[];
  skipReason?: string | null;
  skip?: boolean;
  mode?: string;
  def?: { mode?: string };
  /** A parallel group's branches, each climbing its own steps. */
  branches?: { index: number; name: string; status?: string; steps: RouteStep[] }[];
}
export interface RouteView {
  status?: string;
  steps: RouteStep[];
}

const STATE_TAG: Record<DiagramState, { zh: string; color?: string }> = {
  done: { zh: '已完成', color: 'green' },
  current: { zh: '办理中', color: 'blue' },
  waiting: { zh: '待办理', color: 'gold' },
  willSkip: { zh: '将跳过' },
  skipped: { zh: '已跳过' },
  notReached: { zh: '未到达' },
};
/** The bar beside a branch's step: green done, blue current, grey otherwise. */
const STATE_COLOR: Record<DiagramState, string> = {
  done: '#52c41a',
  current: '#1677ff',
  waiting: '#faad14',
  willSkip: '#d9d9d9',
  skipped: '#d9d9d9',
  notReached: '#d9d9d9',
};
const STEPS_STATUS: Record<DiagramState, 'finish' | 'process' | 'wait' | 'error'> = {
  done: 'finish',
  current: 'process',
  waiting: 'wait',
  willSkip: 'wait',
  skipped: 'wait',
  notReached: 'wait',
};

/** A step's state: the API's, else (answers from before the diagram) from its status. */
function stateOf(s: RouteStep): DiagramState {
  if (s.state) return s.state;
  if (s.status === 'done') return 'done';
  if (s.status === 'skipped') return 'skipped';
  if (s.status === 'active') return 'current';
  return s.condition?.holds === false || s.skip ? 'willSkip' : 'waiting';
}

/** What one step says: condition, why skipped, who acted, who would act and why. */
function StepBody({ step }: { step: RouteStep }) {
  const { t, m } = useI18n();
  const state = stateOf(step);
  const person = (p: { name: string; post?: string }) => (p.post ? `${m(p.name)}（${m(p.post)}）` : m(p.name));
  const ahead = state === 'current' || state === 'waiting' || state === 'willSkip';
  const conditionText = step.condition?.text ?? step.conditionText;
  const lines: ReactNode[] = [];
  if (conditionText)
    lines.push(
      <span key="condition" data-testid="route-condition">
        {ahead && step.condition ? (
          <Tag color={step.condition.holds ? 'green' : 'default'}>{step.condition.holds ? t('条件满足') : t('条件不满足，将跳过')}</Tag>
        ) : (
          <Tag>{t('条件')}</Tag>
        )}
        <Typography.Text type="secondary">{m(conditionText)}</Typography.Text>
      </span>,
    );
  // A coming step its condition will skip: the condition's tag says so already.
  const saidByCondition = state === 'willSkip' && step.condition?.holds === false;
  if (step.skipReason && (state === 'skipped' || state === 'willSkip') && !saidByCondition)
    lines.push(
      <Typography.Text key="skip" type="warning" data-testid="route-skip-reason">
        {state === 'skipped' ? t('跳过原因') : t('将跳过')}：{m(step.skipReason)}
      </Typography.Text>,
    );
  if (step.actors?.length)
    lines.push(
      <div key="actors" data-testid="route-actors">
        {step.actors.map((a, i) => (
          <div key={i}>
            <Typography.Text strong>{person(a)}</Typography.Text> <Tag color={a.decision.startsWith('驳回') ? 'red' : 'green'}>{m(a.decision)}</Tag>
            <Typography.Text type="secondary">
              <span style={{ whiteSpace: 'nowrap' }}>{a.atText}</span>
              {t('（北京时间）')}
            </Typography.Text>
            {a.comment ? <div style={{ color: 'rgba(0,0,0,0.65)' }}>“{m(a.comment)}”</div> : null}
          </div>
        ))}
      </div>,
    );
  // A parallel group's people are shown in its branches.
  const who = step.branches?.length ? [] : (step.approvers ?? []).map(person);
  if (ahead && who.length)
    lines.push(
      <span key="approvers" data-testid="route-approvers">
        {state === 'current' ? t('办理人') : t('预计办理人')}：{who.join('、')}
      </span>,
    );
  const reason = step.reason ?? step.why;
  if (ahead && reason && !(state === 'willSkip' && reason === step.skipReason))
    lines.push(
      <Typography.Text key="reason" type="secondary" data-testid="route-reason">
        {step.type === 'auto' ? m(reason) : `${t('为何是此人')}：${m(reason)}`}
      </Typography.Text>,
    );
  if (!lines.length) return null;
  return (
    <Space orientation="vertical" size={2} style={{ width: '100%' }}>
      {lines}
    </Space>
  );
}

/** One step as a box: its name and state tag, then what it says; the current one highlighted. */
function StepBox({ step, children }: { step: RouteStep; children?: ReactNode }) {
  const { t, m } = useI18n();
  const state = stateOf(step);
  const tag = STATE_TAG[state];
  const current = state === 'current';
  return (
    <div
      data-testid={step.id ? `route-step-${step.id}` : 'route-step-detail'}
      data-state={state}
      aria-current={current ? 'step' : undefined}
      style={{
        padding: current ? '6px 8px' : '2px 0',
        borderRadius: 6,
        border: current ? '1px solid #1677ff' : undefined,
        background: current ? '#e6f4ff' : undefined,
        opacity: state === 'notReached' || state === 'skipped' ? 0.75 : 1,
        overflowWrap: 'anywhere',
      }}
    >
      <div data-testid="route-step">
        <Typography.Text strong>{m(step.name)}</Typography.Text> <Tag color={tag.color}>{t(tag.zh)}</Tag>
        {current ? <Tag color="processing">{t('当前位置')}</Tag> : null}
      </div>
      <StepBody step={step} />
      {children}
    </div>
  );
}

/** A parallel group's branches side by side (stacked at phone width), each its steps in order. */
function Branches({ step }: { step: RouteStep }) {
  const { t, m } = useI18n();
  const mode = step.mode ?? step.def?.mode;
  return (
    <div data-testid={`route-branches-${step.id}`} style={{ marginTop: 6 }}>
      {mode ? (
        <Typography.Text type="secondary">{mode === 'any' ? t('并行分支：任一分支完成即继续') : t('并行分支：全部分支完成后继续')}</Typography.Text>
      ) : null}
      <Row gutter={[8, 8]} style={{ marginTop: 4 }}>
        {step.branches!.map((b) => (
          <Col key={b.index} xs={24} md={Math.max(6, Math.floor(24 / step.branches!.length))}>
            <div data-testid="route-branch" style={{ border: '1px dashed #d9d9d9', borderRadius: 6, padding: 6, height: '100%' }}>
              <Typography.Text strong>{m(b.name)}</Typography.Text>
              {b.steps.map((s, i) => (
                <div key={s.id ?? i}>
                  {i > 0 ? <div style={{ textAlign: 'center', color: '#bfbfbf', lineHeight: '16px' }}>↓</div> : null}
                  <div style={{ marginTop: 4, paddingInlineStart: 8, borderInlineStart: `3px solid ${STATE_COLOR[stateOf(s)]}` }}>
                    <StepBox step={s} />
                  </div>
                </div>
              ))}
            </div>
          </Col>
        ))}
      </Row>
    </div>
  );
}

/** The route drawn from an answer of the route or route-preview API. */
export function RouteDiagram({ route }: { route: RouteView }) {
  const { t } = useI18n();
  const current = route.steps.findIndex((s) => stateOf(s) === 'current');
  return (
    <div data-testid="route-preview">
      {route.status === 'returned' ? (
        <Alert type="warning" showIcon style={{ marginBottom: 12 }} title={t('申请已退回，重新提交后按以下路线审批')} />
      ) : route.status && route.status !== 'pending' ? (
        <Alert type="info" showIcon style={{ marginBottom: 12 }} title={t('申请已办结，以下为审批经过的步骤')} />
      ) : null}
      <Steps
        orientation="vertical"
        size="small"
        current={current < 0 ? route.steps.length : current}
        items={route.steps.map((s, i) => ({
          key: s.id ?? s.index ?? i,
          status: STEPS_STATUS[stateOf(s)],
          title: <StepBox step={s}>{s.branches?.length ? <Branches step={s} /> : null}</StepBox>,
        }))}
      />
    </div>
  );
}

/** An application's route (task and application pages). */
export function RoutePreview({ applicationId }: { applicationId: string }) {
  const { t } = useI18n();
  const route = useLoad(() => get<RouteView>(`/api/applications/${encodeURIComponent(applicationId)}/route`), [applicationId]);
  if (route.error) return <ErrorAlert error={route.error} />;
  if (!route.data) return <Typography.Text type="secondary">{t('加载中…')}</Typography.Text>;
  return <RouteDiagram route={route.data} />;
}
