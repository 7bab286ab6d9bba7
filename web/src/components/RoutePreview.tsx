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

/** A person who would act: a name (and post) from the server; a bare string where only that is known. */
type Who = string | { name?: string; username?: string; post?: string; orgName?: string; role?: string };

export interface RouteStep {
  index?: number;
  id: string;
  name: string;
  type?: string;
  status?: string;
  remaining?: boolean;
  who?: Who[];
  rule?: string;
  skip?: boolean;
  /** Whether the step's condition holds now, and the condition in words. */
  condition?: { holds?: boolean; text?: string; words?: string } | null;
  conditionHolds?: boolean;
  conditionText?: string;
  skippedBy?: string;
  mode?: string;
  branches?: RouteStep[][];
}
export interface RouteView {
  status: string;
  currentStepIndex: number;
  steps: RouteStep[];
}

const holdsOf = (s: RouteStep) => s.condition?.holds ?? s.conditionHolds;
const conditionOf = (s: RouteStep) => s.condition?.text ?? s.condition?.words ?? s.conditionText ?? s.skippedBy;

function whoText(w: Who): string {
  if (typeof w === 'string') return w;
  return [w.name ?? '', w.post ?? [w.orgName, w.role].filter(Boolean).join(' ')].filter(Boolean).join('（') + (w.post || w.orgName || w.role ? '）' : '');
}

function StepLine({ step }: { step: RouteStep }) {
  const { t, m } = useI18n();
  const holds = holdsOf(step);
  const words = conditionOf(step);
  const who = (step.who ?? []).map(whoText).filter(Boolean);
  return (
    <Space orientation="vertical" size={2} style={{ width: '100%' }} data-testid="route-step-detail">
      {words ? (
        <span>
          <Tag color={holds === false ? 'default' : 'green'}>{holds === false ? t('条件不满足，将跳过') : t('条件满足')}</Tag>
          <Typography.Text type="secondary">{m(words)}</Typography.Text>
        </span>
      ) : null}
      {step.skip && !words ? <Tag>{t('将跳过')}</Tag> : null}
      {who.length ? (
        <span>
          {t('办理人')}：{who.join('、')}
        </span>
      ) : null}
      {step.rule ? <Typography.Text type="secondary">{m(step.rule)}</Typography.Text> : null}
      {step.branches?.length ? (
        <div style={{ paddingInlineStart: 12, borderInlineStart: '2px solid #f0f0f0' }}>
          {step.branches.map((b, i) => (
            <div key={i} data-testid="route-branch">
              <Typography.Text strong>{t('分支 {n}', { n: i + 1 })}</Typography.Text>
              {b.map((s) => (
                <div key={s.id}>
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
      {r.status !== 'pending' && <Alert type="info" showIcon style={{ marginBottom: 12 }} title={t('申请已办结，以下为审批经过的步骤')} />}
      <Steps
        orientation="vertical"
        size="small"
        current={current < 0 ? r.steps.length : current}
        items={r.steps.map((s) => ({
          key: s.id,
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
