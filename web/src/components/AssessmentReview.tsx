/**
 * 自评审核对照 (issue 16): in the self-assessment's task page, the claimed
 * members and unions beside the counted ones (real-name records and the
 * ledger), each discrepancy flagged, and the project's inspection findings and
 * rectification items — all as the API answers them
 * (GET /api/projects/:id/assessment-review).
 */
import { Alert, Card, Descriptions, Empty, List, Space, Table, Tag, Typography } from 'antd';
import { get } from '../api';
import { ErrorAlert } from './ErrorAlert';
import { RectificationTable, type RectificationView } from './Rectifications';
import { useLoad } from './useLoad';
import { useI18n } from '../i18n';

interface Figures {
  members: number;
  unions: number;
  coverage: number | null;
}

export interface AssessmentReviewView {
  projectId: string;
  projectName: string;
  claimed: Figures | null;
  counted: Figures;
  discrepancies: { field: 'members' | 'unions' | 'coverage'; claimed: number; counted: number; kind: 'over' | 'under'; message: string }[];
  inspections: {
    atBeijing: string;
    inspector: { name: string } | null;
    inspectedOn: string | null;
    result: string | null;
    summary: string | null;
    findings: { text: string; severity: string; deadline?: string }[];
  }[];
  rectifications: RectificationView[];
}

const RESULT: Record<string, { zh: string; color: string }> = {
  good: { zh: '良好', color: 'green' },
  needs_improvement: { zh: '需改进', color: 'orange' },
  problem: { zh: '存在问题', color: 'red' },
};
const SEVERITY: Record<string, string> = { minor: '一般', major: '较重', serious: '严重' };

export function AssessmentReview({ projectId }: { projectId: string }) {
  const { t, m } = useI18n();
  const review = useLoad(() => get<AssessmentReviewView>(`/api/projects/${encodeURIComponent(projectId)}/assessment-review`), [projectId]);
  const r = review.data;
  const rows: { key: 'members' | 'unions' | 'coverage'; label: string }[] = [
    { key: 'members', label: t('新增会员') },
    { key: 'unions', label: t('新建工会') },
    ...(r?.counted.coverage !== null && r?.counted.coverage !== undefined ? [{ key: 'coverage' as const, label: t('服务覆盖人数') }] : []),
  ];
  return (
    <Card size="small" title={t('自报与记录对照')} data-testid="assessment-review" style={{ marginTop: 12 }}>
      <ErrorAlert error={review.error} />
      {r && (
        <Space direction="vertical" style={{ width: '100%' }}>
          {r.discrepancies.length > 0 ? (
            <Alert
              type="warning"
              showIcon
              data-testid="claim-discrepancies"
              message={t('自报数与实名/台账记录不符')}
              description={
                <ul style={{ margin: 0, paddingLeft: 18 }}>
                  {r.discrepancies.map((d) => (
                    <li key={d.field}>{m(d.message)}</li>
                  ))}
                </ul>
              }
            />
          ) : (
            r.claimed && <Alert type="success" showIcon message={t('自报数与记录一致')} />
          )}
          <Table
            size="small"
            rowKey="key"
            pagination={false}
            dataSource={rows}
            data-testid="claims-table"
            columns={[
              { title: t('指标'), dataIndex: 'label' },
              { title: t('自报'), render: (_: unknown, x) => (r.claimed ? String(r.claimed[x.key] ?? '—') : '—') },
              { title: t('实名/台账记录（已核实）'), render: (_: unknown, x) => String(r.counted[x.key] ?? '—') },
              {
                title: t('差异'),
                render: (_: unknown, x) => {
                  const d = r.discrepancies.find((y) => y.field === x.key);
                  if (!d) return <Tag color="green">{t('一致')}</Tag>;
                  return (
                    <Tag color={d.kind === 'over' ? 'red' : 'orange'}>
                      {d.kind === 'over' ? t('多报 {n}', { n: d.claimed - d.counted }) : t('少报 {n}', { n: d.counted - d.claimed })}
                    </Tag>
                  );
                },
              },
            ]}
          />
          <Typography.Title level={5} style={{ marginTop: 8 }}>
            {t('检查发现')}
          </Typography.Title>
          {r.inspections.length === 0 ? (
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('未做过检查')} />
          ) : (
            <List
              size="small"
              data-testid="inspection-findings"
              dataSource={r.inspections}
              renderItem={(i) => (
                <List.Item>
                  <Space direction="vertical" size={2} style={{ width: '100%' }}>
                    <Descriptions
                      size="small"
                      column={3}
                      items={[
                        { key: 'on', label: t('检查日期'), children: i.inspectedOn ?? '—' },
                        { key: 'by', label: t('检查人'), children: i.inspector?.name ?? '—' },
                        {
                          key: 'result',
                          label: t('结论'),
                          children: i.result ? <Tag color={RESULT[i.result]?.color}>{t(RESULT[i.result]?.zh ?? i.result)}</Tag> : '—',
                        },
                      ]}
                    />
                    {i.summary && <Typography.Text>{i.summary}</Typography.Text>}
                    {i.findings.map((f, k) => (
                      <Typography.Text key={k} type="secondary">
                        {k + 1}. {f.text}（{t(SEVERITY[f.severity] ?? f.severity)}
                        {f.deadline ? `，${t('整改期限')} ${f.deadline}` : ''}）
                      </Typography.Text>
                    ))}
                  </Space>
                </List.Item>
              )}
            />
          )}
          <Typography.Title level={5} style={{ marginTop: 8 }}>
            {t('整改事项')}
          </Typography.Title>
          <RectificationTable items={r.rectifications} showProject={false} onChanged={() => void review.reload()} testId="review-rectifications" />
        </Space>
      )}
    </Card>
  );
}
