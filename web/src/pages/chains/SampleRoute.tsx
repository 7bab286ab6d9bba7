/**
 * 路由预览 / route preview: a sample application (amount, group, applicant
 * org, form values) run through the draft chain by the server
 * (POST /api/chains/route-preview), showing per step whether it would be
 * reached — and, when not, the condition in words — and who would act, why.
 */
import { useState } from 'react';
import { Button, Card, Col, Empty, Form, InputNumber, Row, Select, Tag, Timeline, Typography } from 'antd';
import { EyeOutlined } from '@ant-design/icons';
import { get, post } from '../../api';
import { ErrorAlert } from '../../components/ErrorAlert';
import { OrgPicker } from '../../components/OrgPicker';
import { useLoad } from '../../components/useLoad';
import { pick, useI18n } from '../../i18n';
import { useSession } from '../../session';
import type { FormDefinition } from '../../../../domain/chain';
import { FormPreview } from './FormPreview';

export interface PreviewStep {
  id: string;
  name: string;
  reached: boolean;
  conditionText: string | null;
  who: { name: string; post: string }[];
  why: string | null;
  branch?: string;
}

/**
 * The one place that reads the route-preview answer (activities/route-prediction.ts):
 * per step `skip`, `condition: { holds, text }`, `approvers: [{ name, post }]`
 * (`who` holds logins, never shown), `why`, `rule`; a parallel group carries
 * `branches: [{ name, steps: [...] }]`, listed here step by step under their branch.
 */
const str = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');

export function readPreview(body: unknown): PreviewStep[] {
  const steps = ((body as { steps?: unknown[] })?.steps ?? []) as Record<string, unknown>[];
  const one = (s: Record<string, unknown>, branch?: string, groupSkipped = false): PreviewStep => {
    const people = (Array.isArray(s.approvers) ? s.approvers : []) as Record<string, unknown>[];
    const condition = (s.condition && typeof s.condition === 'object' ? s.condition : null) as { holds?: boolean; text?: string } | null;
    const skipped = groupSkipped || s.skip === true || condition?.holds === false;
    return {
      id: str(s.id),
      name: str(s.name),
      reached: !skipped,
      conditionText: condition?.text ?? null,
      who: people.map((w) => ({ name: str(w.name), post: str(w.post) })),
      why: str(skipped && condition?.holds !== false ? s.rule : s.why) || null,
      branch,
    };
  };
  return steps.flatMap((s) => {
    if (!Array.isArray(s.branches)) return [one(s)];
    const group = one(s);
    const branches = s.branches as { name?: unknown; steps?: Record<string, unknown>[] }[];
    return [group, ...branches.flatMap((b) => (b.steps ?? []).map((st) => one(st, str(b.name), !group.reached)))];
  });
}

export function RoutePreview({ chain, form }: { chain: () => Record<string, unknown>; form: FormDefinition | undefined }) {
  const { t, lang } = useI18n();
  const { user } = useSession();
  const groups = useLoad(() => get<{ items: { id: string; name: string }[] }>('/api/groups'), []);
  const [amount, setAmount] = useState<number | null>(80000);
  const [group, setGroup] = useState<string>();
  const [org, setOrg] = useState<string | undefined>(user?.org);
  const [formData, setFormData] = useState<Record<string, unknown>>({});
  const [result, setResult] = useState<PreviewStep[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      const sample = { ...(amount !== null ? { amount } : {}), ...(group ? { group } : {}), applicantOrg: org, ...(form ? { form: formData } : {}) };
      setResult(readPreview(await post('/api/chains/route-preview', { chain: chain(), sample })));
    } catch (e) {
      setError(e);
      setResult(null);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} lg={11}>
        <Card size="small" title={t('示例申请')}>
          <Form layout="vertical">
            <Form.Item label={t('金额（元）')}>
              <InputNumber style={{ width: '100%' }} min={0} value={amount} onChange={setAmount} data-testid="sample-amount" />
            </Form.Item>
            <Form.Item label={t('群体')}>
              <Select
                allowClear
                value={group}
                onChange={setGroup}
                options={(groups.data?.items ?? []).map((g) => ({ value: g.id, label: pick(g.name, lang) }))}
                data-testid="sample-group"
              />
            </Form.Item>
            <Form.Item label={t('申请单位')} required>
              <OrgPicker value={org} onChange={setOrg} data-testid="sample-org" />
            </Form.Item>
          </Form>
          {form && (
            <>
              <Typography.Title level={5}>{t('表单内容')}</Typography.Title>
              <FormPreview form={form} value={formData} onChange={setFormData} testId="sample-form" />
            </>
          )}
          <Button type="primary" icon={<EyeOutlined />} loading={busy} disabled={!org} onClick={() => void run()} data-testid="preview-run">
            {t('预览路由')}
          </Button>
        </Card>
      </Col>
      <Col xs={24} lg={13}>
        <Card size="small" title={t('这份申请将经过')} data-testid="preview-result">
          <ErrorAlert error={error} />
          {!result && !error && <Empty description={t('填写示例申请后点“预览路由”')} />}
          {result && (
            <Timeline
              items={result.map((s) => ({
                color: s.reached ? 'green' : 'gray',
                content: (
                  <div data-testid={`preview-step-${s.id}`} data-reached={s.reached ? 'yes' : 'no'}>
                    {s.branch && <Tag color="purple">{pick(s.branch, lang)}</Tag>}
                    <Typography.Text strong delete={!s.reached}>
                      {pick(s.name, lang)}
                    </Typography.Text>{' '}
                    {s.reached ? <Tag color="green">{t('会经过')}</Tag> : <Tag>{t('跳过')}</Tag>}
                    {s.conditionText && (
                      <div>
                        <Typography.Text type={s.reached ? 'secondary' : 'warning'}>
                          {s.reached ? t('条件满足') : t('条件不满足')}：{pick(s.conditionText, lang)}
                        </Typography.Text>
                      </div>
                    )}
                    {s.reached && s.who.length > 0 && (
                      <div>
                        {t('审批人')}：{s.who.map((w) => `${w.name}${w.post ? `（${pick(w.post, lang)}）` : ''}`).join('、')}
                      </div>
                    )}
                    {s.why && <Typography.Text type="secondary">{pick(s.why, lang)}</Typography.Text>}
                  </div>
                ),
              }))}
            />
          )}
        </Card>
      </Col>
    </Row>
  );
}
