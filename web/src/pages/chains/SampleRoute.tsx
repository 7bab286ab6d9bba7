/**
 * 路由预览 / route preview: a sample application (amount, group, applicant
 * org, form values) run through the draft chain by the server
 * (POST /api/chains/route-preview), drawn by the one route diagram
 * (components/RoutePreview.tsx): per step whether it would be reached — and,
 * when not, the condition in words — and who would act, why.
 */
import { useState } from 'react';
import { Button, Card, Col, Empty, Form, InputNumber, Row, Select, Typography } from 'antd';
import { EyeOutlined } from '@ant-design/icons';
import { get, post } from '../../api';
import { ErrorAlert } from '../../components/ErrorAlert';
import { RouteDiagram, type RouteView } from '../../components/RoutePreview';
import { OrgPicker } from '../../components/OrgPicker';
import { useLoad } from '../../components/useLoad';
import { pick, useI18n } from '../../i18n';
import { useSession } from '../../session';
import type { FormDefinition } from '../../../../domain/chain';
import { FormPreview } from './FormPreview';

export function SampleRoute({ chain, form }: { chain: () => Record<string, unknown>; form: FormDefinition | undefined }) {
  const { t, lang } = useI18n();
  const { user } = useSession();
  const groups = useLoad(() => get<{ items: { id: string; name: string }[] }>('/api/groups'), []);
  const [amount, setAmount] = useState<number | null>(80000);
  const [group, setGroup] = useState<string>();
  const [org, setOrg] = useState<string | undefined>(user?.org);
  const [formData, setFormData] = useState<Record<string, unknown>>({});
  const [result, setResult] = useState<RouteView | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      const sample = { ...(amount !== null ? { amount } : {}), ...(group ? { group } : {}), applicantOrg: org, ...(form ? { form: formData } : {}) };
      setResult(await post<RouteView>('/api/chains/route-preview', { chain: chain(), sample }));
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
          {result && <RouteDiagram route={result} />}
        </Card>
      </Col>
    </Row>
  );
}
