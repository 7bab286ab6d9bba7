/**
 * 绩效自评: each project's self-assessment for the city's review. A project
 * sent back for rectification (限期整改) shows its deadline and the
 * reviewer's comment, and is resubmitted from here.
 */
import { useState } from 'react';
import { Alert, App, Button, Card, Form, Input, InputNumber, Space, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { get, newKey, post, type FieldError } from '../../api';
import { AppTimeline, type TimelineEntry } from '../../components/AppTimeline';
import { applyFieldErrors, ErrorAlert } from '../../components/ErrorAlert';
import { useLoad } from '../../components/useLoad';
import { useI18n } from '../../i18n';
import type { CampaignView } from '../CampaignDashboard';
import { tabState } from '../RegionWork';
import { ProjectPicker } from './ProjectPicker';
import type { ProjectView } from './ProjectsTab';

export function AssessmentTab({ campaign, org, onChanged }: { campaign: CampaignView; org: string; onChanged(): void }) {
  const { t } = useI18n();
  return (
    <ProjectPicker
      campaign={campaign}
      org={org}
      tab="assessment"
      hint={t('选择一个项目填写绩效自评')}
      columns={[
        { title: t('自评'), render: (_: unknown, p) => (p.selfAssessment ? <Tag color="blue">{t('已提交')}</Tag> : <Tag>{t('未提交')}</Tag>) },
        {
          title: t('整改期限'),
          dataIndex: 'rectifyDeadline',
          render: (v: string | null) => (v ? <Tag color="orange">{dayjs(v).format('YYYY-MM-DD HH:mm')}</Tag> : '—'),
        },
      ]}
      form={(project, reload) => (
        <AssessmentForm key={project.id} project={project} locked={!tabState(campaign, 'assessment').open} onDone={() => (reload(), onChanged())} />
      )}
    />
  );
}

function AssessmentForm({ project, locked, onDone }: { project: ProjectView; locked: boolean; onDone(): void }) {
  const { t, lang, m } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ summary: string; membersRecruited: number; unionsEstablished: number; coverage?: number | null }>();
  const [error, setError] = useState<unknown>(null);
  const [unplaced, setUnplaced] = useState<FieldError[]>([]);
  const [busy, setBusy] = useState(false);
  const [key, setKey] = useState(newKey);
  const review = useLoad(
    () =>
      project.assessmentApplicationId
        ? get<{ status: string; timeline: TimelineEntry[] }>(`/api/applications/${encodeURIComponent(project.assessmentApplicationId)}`)
        : Promise.resolve(null),
    [project.assessmentApplicationId, project.status],
  );
  const lastReturn = review.data?.timeline.filter((e) => e.action === 'return').at(-1);
  const submit = async (v: { summary: string; membersRecruited: number; unionsEstablished: number; coverage?: number | null }) => {
    setBusy(true);
    setError(null);
    try {
      await post(
        `/api/projects/${encodeURIComponent(project.id)}/self-assessment`,
        {
          summary: v.summary.trim(),
          membersRecruited: v.membersRecruited,
          unionsEstablished: v.unionsEstablished,
          ...(v.coverage ? { coverage: v.coverage } : {}),
        },
        { idempotencyKey: key },
      );
      message.success(t('绩效自评已提交'));
      setKey(newKey());
      onDone();
    } catch (e) {
      setUnplaced(applyFieldErrors(form, e, lang, (p) => (['summary', 'membersRecruited', 'unionsEstablished', 'coverage'].includes(p) ? [p] : undefined)));
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card size="small" style={{ marginTop: 16 }} title={t('绩效自评：{name}', { name: project.name })} data-testid="assessment-form">
      {project.status === 'rectifying' && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 16 }}
          title={t('限期整改，截止 {at}', { at: project.rectifyDeadline ? dayjs(project.rectifyDeadline).format('YYYY-MM-DD HH:mm') : '—' })}
          description={lastReturn?.comment ? m(lastReturn.comment) : undefined}
        />
      )}
      <Form
        form={form}
        layout="vertical"
        onFinish={submit}
        disabled={locked}
        initialValues={{
          summary: project.selfAssessment?.summary ?? '',
          membersRecruited: project.selfAssessment?.membersRecruited ?? project.progress.membersRecruited,
          unionsEstablished: project.selfAssessment?.unionsEstablished ?? project.progress.unionsEstablished,
          coverage: project.selfAssessment?.coverage ?? (project.kind === 'service' ? project.progress.coverageDone : undefined),
        }}
        style={{ maxWidth: 760 }}
      >
        <Form.Item name="summary" label={t('自评报告')} rules={[{ required: true, whitespace: true, message: t('请填写自评报告') }, { max: 10000 }]}>
          <Input.TextArea rows={4} />
        </Form.Item>
        <Space wrap style={{ display: 'flex' }}>
          <Form.Item name="membersRecruited" label={t('新增会员')} rules={[{ required: true, message: t('请填写人数') }]}>
            <InputNumber min={0} precision={0} />
          </Form.Item>
          <Form.Item name="unionsEstablished" label={t('新建工会')} rules={[{ required: true, message: t('请填写个数') }]}>
            <InputNumber min={0} precision={0} />
          </Form.Item>
          <Form.Item name="coverage" label={t('服务覆盖')}>
            <InputNumber min={0} precision={0} />
          </Form.Item>
        </Space>
        <ErrorAlert error={error} fields={unplaced} />
        <Button type="primary" htmlType="submit" loading={busy}>
          {project.status === 'rectifying' ? t('整改后重新提交') : t('提交绩效自评')}
        </Button>
      </Form>
      {review.data && (
        <div style={{ marginTop: 16 }}>
          <Typography.Text strong>{t('审核记录')}</Typography.Text>
          <AppTimeline entries={review.data.timeline} />
        </div>
      )}
    </Card>
  );
}
