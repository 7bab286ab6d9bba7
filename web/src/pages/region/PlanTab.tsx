/** 实施方案: the region's implementation plan — a summary, its measures, and milestone dates (倒排工期). */
import { useEffect, useState } from 'react';
import dayjs from 'dayjs';
import { Alert, App, Button, DatePicker, Form, Input, Space } from 'antd';
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import type { Dayjs } from 'dayjs';
import { get, newKey, post, type FieldError } from '../../api';
import { useLoad } from '../../components/useLoad';
import { PlanHistory } from '../readback/PlanHistory';
import type { PlanHistoryView } from '../readback/types';
import { applyFieldErrors, ErrorAlert } from '../../components/ErrorAlert';
import { useI18n } from '../../i18n';
import type { CampaignView } from '../CampaignDashboard';
import { PhaseNote, tabState } from '../RegionWork';

interface PlanForm {
  summary: string;
  measures: string[];
  dueDates: { milestone: string; date: Dayjs | null }[];
}

export function PlanTab({ campaign, org, submitted, onChanged }: { campaign: CampaignView; org: string; submitted: boolean; onChanged(): void }) {
  const { t, lang } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<PlanForm>();
  const [error, setError] = useState<unknown>(null);
  const [unplaced, setUnplaced] = useState<FieldError[]>([]);
  const [busy, setBusy] = useState(false);
  const [key, setKey] = useState(newKey);
  const locked = !tabState(campaign, 'plan').open;
  // What was sent is read back: the current version fills the form, the earlier ones are listed below it.
  const history = useLoad(
    () => get<PlanHistoryView>(`/api/campaigns/${encodeURIComponent(campaign.id)}/regions/${encodeURIComponent(org)}/plan`),
    [campaign.id, org],
  );
  const current = history.data?.current;
  useEffect(() => {
    if (!current) return;
    form.setFieldsValue({
      summary: current.plan.summary,
      measures: current.plan.measures,
      dueDates: Object.entries(current.plan.dueDates ?? {}).map(([milestone, d]) => ({ milestone, date: dayjs(d) })),
    });
  }, [current, form]);

  const submit = async (v: PlanForm) => {
    setBusy(true);
    setError(null);
    const dueDates = Object.fromEntries(
      (v.dueDates ?? []).filter((d) => d?.milestone?.trim() && d.date).map((d) => [d.milestone.trim(), d.date!.format('YYYY-MM-DD')]),
    );
    try {
      await post(
        `/api/campaigns/${encodeURIComponent(campaign.id)}/regions/${encodeURIComponent(org)}/plan`,
        { summary: v.summary.trim(), measures: v.measures.map((x) => x.trim()), ...(Object.keys(dueDates).length ? { dueDates } : {}) },
        { idempotencyKey: key },
      );
      message.success(t('实施方案已提交'));
      setKey(newKey());
      void history.reload();
      onChanged();
    } catch (e) {
      setUnplaced(
        applyFieldErrors(form, e, lang, (p) => {
          const s = p.split('.');
          if (s[0] === 'summary') return ['summary'];
          if (s[0] === 'measures') return s[1] ? ['measures', Number(s[1])] : undefined;
          if (s[0] === 'dueDates') return undefined;
          return undefined;
        }),
      );
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div style={{ maxWidth: 860 }}>
      <PhaseNote campaign={campaign} tab="plan" />
      <ErrorAlert error={history.error} />
      {current && !locked && (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 16 }}
          data-testid="plan-replaces"
          title={t('本地区已报送过实施方案：表中为第 {n} 版（{who}，{at} 北京时间）；再次提交将替换为第 {next} 版，第 {n} 版保留在历次报送中', {
            n: current.version,
            next: current.version + 1,
            who: current.byName ?? t('未记录'),
            at: current.submittedAtBeijing,
          })}
        />
      )}
      {submitted && !current && !locked && (
        <Alert type="info" showIcon style={{ marginBottom: 16 }} title={t('本地区已报送过实施方案；再次提交将替换原方案')} />
      )}
      <Form<PlanForm>
        form={form}
        layout="vertical"
        onFinish={submit}
        disabled={locked}
        initialValues={{ measures: [''], dueDates: [{ milestone: '动员部署', date: null }] }}
        data-testid="plan-form"
      >
        <Form.Item name="summary" label={t('方案概述')} rules={[{ required: true, whitespace: true, message: t('请填写方案概述') }, { max: 5000 }]}>
          <Input.TextArea rows={4} placeholder={t('如：以快递、外卖平台为重点，拉网式排查，一企一档，倒排工期')} />
        </Form.Item>
        <Form.List
          name="measures"
          rules={[
            {
              validator: (_, v: string[]) => {
                if (!v?.length) return Promise.reject(new Error(t('至少一项措施')));
                return Promise.resolve();
              },
            },
          ]}
        >
          {(fields, { add, remove }, { errors }) => (
            <Form.Item label={t('工作措施')} required>
              {fields.map((f, i) => (
                <Space key={f.key} align="baseline" style={{ display: 'flex' }}>
                  <Form.Item name={f.name} rules={[{ required: true, whitespace: true, message: t('请填写措施') }]} style={{ width: 640, maxWidth: '70vw' }}>
                    <Input placeholder={`${t('措施')} ${i + 1}`} />
                  </Form.Item>
                  {fields.length > 1 && <MinusCircleOutlined onClick={() => remove(f.name)} />}
                </Space>
              ))}
              <Button type="dashed" icon={<PlusOutlined />} onClick={() => add('')}>
                {t('添加措施')}
              </Button>
              <Form.ErrorList errors={errors} />
            </Form.Item>
          )}
        </Form.List>
        <Form.List name="dueDates">
          {(fields, { add, remove }) => (
            <Form.Item label={t('节点时间（倒排工期）')}>
              {fields.map((f) => (
                <Space key={f.key} align="baseline" wrap style={{ display: 'flex' }}>
                  <Form.Item name={[f.name, 'milestone']}>
                    <Input placeholder={t('节点')} style={{ width: 240 }} />
                  </Form.Item>
                  <Form.Item name={[f.name, 'date']}>
                    <DatePicker />
                  </Form.Item>
                  <MinusCircleOutlined onClick={() => remove(f.name)} />
                </Space>
              ))}
              <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ milestone: '', date: null })}>
                {t('添加节点')}
              </Button>
            </Form.Item>
          )}
        </Form.List>
        <ErrorAlert error={error} fields={unplaced} />
        <Button type="primary" htmlType="submit" loading={busy}>
          {t('提交实施方案')}
        </Button>
      </Form>
      <PlanHistory versions={history.data?.versions ?? []} />
    </div>
  );
}
