/**
 * 审批路径: an application's steps from GET /api/applications/:id/route — done,
 * open and still to come — with each step's condition in words (and whether
 * it holds now), who would act by name and post, and a parallel group's
 * branches side by side under it.
 */
import { Card, Space, Tag, Timeline, Typography } from 'antd';
import { get } from '../api';
import { useI18n } from '../i18n';
import { useLoad } from './useLoad';

interface Approver {
  name: string;
  post: string;
}
interface RouteStep {
  index: number;
  id: string;
  name: string;
  type?: 'human' | 'auto' | 'parallel';
  status: 'waiting' | 'active' | 'done' | 'skipped';
  remaining: boolean;
  skip?: boolean;
  approvers?: Approver[];
  why?: string | null;
  condition?: { holds: boolean; text: string } | null;
  branches?: { index: number; name: string; status: string; steps: RouteStep[] }[];
}

const STATUS: Record<string, [string, string]> = {
  done: ['green', '已完成 / done'],
  active: ['blue', '办理中 / open'],
  waiting: ['default', '待办 / to come'],
  skipped: ['default', '已跳过 / skipped'],
  cancelled: ['default', '已取消 / cancelled'],
};

function StepLine({ step }: { step: RouteStep }) {
  const { m } = useI18n();
  const [color, text] = STATUS[step.status] ?? STATUS.waiting!;
  return (
    <div data-testid={`route-step-${step.id}`}>
      <Space wrap size={4}>
        <Typography.Text strong>{m(step.name)}</Typography.Text>
        <Tag color={color}>{m(text)}</Tag>
        {step.remaining && step.skip && <Tag color="orange">{m('将跳过 / would be skipped')}</Tag>}
      </Space>
      {step.condition && (
        <div>
          <Tag color={step.condition.holds ? 'green' : 'orange'}>
            {m(step.condition.holds ? '条件满足 / condition holds' : '条件不满足 / condition not met')}
          </Tag>
          <Typography.Text type="secondary">{m(step.condition.text)}</Typography.Text>
        </div>
      )}
      {step.remaining && !!step.approvers?.length && (
        <div>
          <Typography.Text type="secondary">
            {step.approvers.map((a) => `${a.name}（${a.post}）`).join('、')}
            {step.why ? ` · ${m(step.why)}` : ''}
          </Typography.Text>
        </div>
      )}
    </div>
  );
}

export function RouteCard({ applicationId }: { applicationId: string }) {
  const { m } = useI18n();
  const route = useLoad(() => get<{ steps: RouteStep[] }>(`/api/applications/${encodeURIComponent(applicationId)}/route`), [applicationId]);
  const steps = route.data?.steps ?? [];
  return (
    <Card title={m('审批路径 / Route')} size="small" loading={route.loading && !route.data} data-testid="route-card">
      {route.error ? (
        <Typography.Text type="secondary">{m('暂时无法显示审批路径 / the route cannot be shown now')}</Typography.Text>
      ) : (
        <Timeline
          items={steps.map((st) => ({
            key: st.index,
            color: st.status === 'done' ? 'green' : st.status === 'active' ? 'blue' : 'gray',
            content: (
              <div>
                <StepLine step={st} />
                {st.branches && (
                  <div style={{ display: 'flex', gap: 12, flexWrap: 'wrap', marginTop: 8 }} data-testid={`route-branches-${st.id}`}>
                    {st.branches.map((b) => (
                      <Card
                        key={b.index}
                        size="small"
                        style={{ flex: '1 1 180px' }}
                        title={m(b.name)}
                        extra={<Tag>{m((STATUS[b.status] ?? STATUS.waiting!)[1])}</Tag>}
                      >
                        <Space orientation="vertical" size={8} style={{ width: '100%' }}>
                          {b.steps.map((x) => (
                            <StepLine key={x.index} step={x} />
                          ))}
                        </Space>
                      </Card>
                    ))}
                  </div>
                )}
              </div>
            ),
          }))}
        />
      )}
    </Card>
  );
}
