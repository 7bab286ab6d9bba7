/**
 * 审批路线 (route prediction, GET /api/applications/:id/route): each step of
 * the application's chain — done, skipped, in progress or still to come —
 * and for each remaining one whether its condition holds now (in words),
 * who would act and why. Parallel groups show their branches beneath them.
 */
import { Alert, Space, Steps, Tag, Typography } from 'antd';
import { get } from '../api';
import { ErrorAlert } from './ErrorAlert';
import { useLoad } from './useLoad';
import { useI18n } from '../i18n';

/** Someone who would act, as users know them (name and post; the route never shows logins to users). */
interface Approver {
  name: string;
  post?: string;
}

export interface RouteStep {
  index?: number;
  id?: string;
  name: string;
  type?: string;
  status?: string;
  remaining?: boolean;
  /** Logins (kept by the API for older clients); `approvers` is what is shown. */
  who?: string[];
  approvers?: Approver[];
  /** Why these approvers: 平顶山市总工会 的 审核员 / role reviewer at level city. */
  why?: string | null;
  rule?: string;
  skip?: boolean;
  /** Whether the step's condition holds now, and the condition in words ("中文 / English"). */
  condition?: { holds: boolean; text: string } | null;
  mode?: string;
  /** A parallel group's branches, each climbing its own steps. */
  branches?: { index: number; name: string; status?: string; steps: RouteStep[] }[];
}
export interface RouteView {
  status: string;
  currentStepIndex: number;
  steps: RouteStep[];
}

const holdsOf = (s: RouteStep) => s.condition?.holds;
function StepLine({ step }: { step: RouteStep }) {
  const stepId = step.id ? `route-step-${step.id}` : 'route-step-detail';
  const { t, m } = useI18n();
  const holds = holdsOf(step);
  const who = (step.approvers ?? []).map((a) => (a.post ? `${a.name}（${m(a.post)}）` : a.name));
  const why = step.why ?? step.rule;
  return (
    <Space orientation="vertical" size={2} style={{ width: '100%' }} data-testid={stepId}>
      {step.condition ? (
        <span data-testid="route-condition">
          <Tag color={holds === false ? 'default' : 'green'}>{holds === false ? t('条件不满足，将跳过') : t('条件满足')}</Tag>
          <Typography.Text type="secondary">{m(step.condition.text)}</Typography.Text>
        </span>
      ) : null}
      {step.skip && !step.condition ? <Tag>{t('将跳过')}</Tag> : null}
      {who.length ? (
        <span data-testid="route-approvers">
          {t('办理人')}：{who.join('、')}
        </span>
      ) : null}
      {why ? <Typography.Text type="secondary">{m(why)}</Typography.Text> : null}
      {step.branches?.length ? (
        <div style={{ paddingInlineStart: 12, borderInlineStart: '2px solid #f0f0f0' }} data-testid={`route-branches-${step.id}`}>
          {step.branches.map((b) => (
            <div key={b.index} data-testid="route-branch">
              <Typography.Text strong>{m(b.name)}</Typography.Text>
              {b.steps.map((s, i) => (
                <div key={s.id ?? i}>
                  {m(s.name)} <StepLine step={s} />
                </div>
              ))}
            </div>
          ))}
        </div>
      ) : null}
    </Space>
  );
}

export function RoutePreview({ applicationId }: { applicationId: string }) {
  const { t, m } = useI18n();
  const route = useLoad(() => get<RouteView>(`/api/applications/${encodeURIComponent(applicationId)}/route`), [applicationId]);
  if (route.error) return <ErrorAlert error={route.error} />;
  const r = route.data;
  if (!r) return <Typography.Text type="secondary">{t('加载中…')}</Typography.Text>;
  const current = r.steps.findIndex((s) => s.status === 'active');
  return (
    <div data-testid="route-preview">
      {r.status === 'returned' ? (
        <Alert type="warning" showIcon style={{ marginBottom: 12 }} title={t('申请已退回，重新提交后按以下路线审批')} />
      ) : r.status !== 'pending' ? (
        <Alert type="info" showIcon style={{ marginBottom: 12 }} title={t('申请已办结，以下为审批经过的步骤')} />
      ) : null}
      <Steps
        orientation="vertical"
        size="small"
        current={current < 0 ? r.steps.length : current}
        items={r.steps.map((s) => ({
          key: s.id ?? s.index ?? s.name,
          title: (
            <span data-testid="route-step">
              {m(s.name)}{' '}
              {s.status === 'skipped' || (s.remaining && holdsOf(s) === false) ? (
                <Tag>{t('跳过')}</Tag>
              ) : s.status === 'done' ? (
                <Tag color="green">{t('已完成')}</Tag>
              ) : s.status === 'active' ? (
                <Tag color="blue">{t('办理中')}</Tag>
              ) : (
                <Tag color="gold">{t('待办理')}</Tag>
              )}
            </span>
          ),
          status: s.status === 'done' ? 'finish' : s.status === 'active' ? 'process' : 'wait',
          description: s.remaining || s.status === 'skipped' ? <StepLine step={s} /> : undefined,
        }))}
      />
    </div>
  );
}
