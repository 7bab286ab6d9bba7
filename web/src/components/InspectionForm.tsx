/**
 * 记录检查 (issue 16): the city's inspectors record an inspection of one of the
 * campaign's projects — date, conclusion, summary and the findings one by one
 * (text, severity, optional 整改期限). Each finding with a deadline opens a
 * 整改事项 on the project's region (POST /api/projects/:id/inspections). The
 * dashboard offers the button only when the API says the caller may inspect
 * (`allowed.inspect` of the rectification list, from domain/policy.ts).
 */
import { useState } from 'react';
import dayjs, { type Dayjs } from 'dayjs';
import { App, Button, DatePicker, Form, Input, Modal, Select, Space, Typography } from 'antd';
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { ApiError, get, newKey, post } from '../api';
import { beijingDate } from '../../../domain/beijing-time';
import { useLoad } from './useLoad';
import { applyFieldErrors, ErrorAlert } from './ErrorAlert';
import { useI18n } from '../i18n';

interface ProjectOption {
  id: string;
  name: string;
  status: string;
}

interface FindingValues {
  text?: string;
  severity?: 'minor' | 'major' | 'serious';
  deadline?: Dayjs | null;
}

interface InspectionValues {
  projectId?: string;
  inspectedOn?: Dayjs | null;
  result?: 'good' | 'needs_improvement' | 'problem';
  findings?: string;
  items?: FindingValues[];
}

/** Projects under way: the ones an inspection visits (a proposed project has no work yet, a finished one no more). */
const INSPECTABLE = new Set(['approved', 'in_progress', 'rectifying']);

export function RecordInspectionButton({ campaignId }: { campaignId: string }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button size="small" type="primary" icon={<PlusOutlined />} onClick={() => setOpen(true)} data-testid="record-inspection">
        {t('记录检查')}
      </Button>
      {open && <InspectionModal campaignId={campaignId} onClose={() => setOpen(false)} />}
    </>
  );
}

function InspectionModal({ campaignId, onClose }: { campaignId: string; onClose: () => void }) {
  const { t, lang } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<InspectionValues>();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [key] = useState(newKey);
  const projects = useLoad(() => get<{ items: ProjectOption[] }>(`/api/campaigns/${encodeURIComponent(campaignId)}/projects?limit=500`), [campaignId]);
  const options = (projects.data?.items ?? []).filter((p) => INSPECTABLE.has(p.status)).map((p) => ({ value: p.id, label: p.name }));

  const submit = async () => {
    setError(null);
    let v: InspectionValues;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    setBusy(true);
    try {
      const items = (v.items ?? []).map((f) => ({
        text: f.text ?? '',
        severity: f.severity,
        ...(f.deadline ? { deadline: f.deadline.format('YYYY-MM-DD') } : {}),
      }));
      await post(
        `/api/projects/${encodeURIComponent(v.projectId!)}/inspections`,
        {
          inspectedOn: v.inspectedOn?.format('YYYY-MM-DD'),
          result: v.result,
          findings: v.findings,
          ...(items.length ? { items } : {}),
        },
        { idempotencyKey: key },
      );
      const opened = items.filter((f) => f.deadline).length;
      message.success(opened ? t('已记录检查，开出整改事项 {n} 项', { n: opened }) : t('已记录检查'));
      onClose();
    } catch (e) {
      // The server's field errors go on the fields ('items.1.deadline' → that finding's deadline); the rest above.
      const rest = applyFieldErrors(form, e, lang, (path) => {
        const [head, i, field] = path.split('.');
        if (head === 'items' && i !== undefined && field) return ['items', Number(i), field];
        if (head === 'inspectedOn' || head === 'result' || head === 'findings') return [head];
        return undefined;
      });
      if (rest.length || !(e instanceof ApiError) || e.fieldErrors.length === 0) setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open
      width={760}
      title={t('记录检查')}
      onCancel={onClose}
      footer={[
        <Button key="cancel" onClick={onClose}>
          {t('取消')}
        </Button>,
        <Button key="ok" type="primary" loading={busy} onClick={() => void submit()} data-testid="inspection-submit">
          {t('提交')}
        </Button>,
      ]}
    >
      <ErrorAlert error={projects.error} />
      <Form<InspectionValues>
        form={form}
        layout="vertical"
        data-testid="inspection-form"
        initialValues={{ inspectedOn: dayjs(beijingDate(new Date())), items: [] }}
      >
        <Form.Item name="projectId" label={t('检查项目')} rules={[{ required: true, message: t('请选择项目') }]}>
          <Select
            showSearch
            optionFilterProp="label"
            loading={projects.loading}
            options={options}
            placeholder={t('按名称搜索项目')}
            notFoundContent={t('没有实施中的项目')}
            data-testid="inspection-project"
          />
        </Form.Item>
        <Space size="large" wrap>
          <Form.Item name="inspectedOn" label={t('检查日期')} rules={[{ required: true, message: t('请选择检查日期') }]}>
            <DatePicker data-testid="inspection-date" />
          </Form.Item>
          <Form.Item name="result" label={t('检查结论')} rules={[{ required: true, message: t('请选择检查结论') }]}>
            <Select
              style={{ width: 200 }}
              data-testid="inspection-result"
              options={[
                { value: 'good', label: t('良好') },
                { value: 'needs_improvement', label: t('需改进') },
                { value: 'problem', label: t('存在问题') },
              ]}
            />
          </Form.Item>
        </Space>
        <Form.Item name="findings" label={t('检查情况')} rules={[{ required: true, whitespace: true, message: t('请填写检查情况') }]}>
          <Input.TextArea rows={3} maxLength={5000} data-testid="inspection-findings" />
        </Form.Item>
        <Typography.Text strong>{t('发现的问题')}</Typography.Text>
        <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginBottom: 8 }}>
          {t('填写整改期限的问题将作为整改事项交地区限期整改')}
        </Typography.Paragraph>
        <Form.List name="items">
          {(fields, { add, remove }) => (
            <>
              {fields.map((field, i) => (
                <Space key={field.key} align="start" wrap data-testid={`inspection-item-${i}`}>
                  <Form.Item name={[field.name, 'text']} rules={[{ required: true, whitespace: true, message: t('请填写发现的问题') }]} style={{ width: 300 }}>
                    <Input placeholder={t('问题描述')} maxLength={2000} data-testid="inspection-item-text" />
                  </Form.Item>
                  <Form.Item name={[field.name, 'severity']} rules={[{ required: true, message: t('请选择严重程度') }]}>
                    <Select
                      style={{ width: 120 }}
                      placeholder={t('严重程度')}
                      data-testid="inspection-item-severity"
                      options={[
                        { value: 'minor', label: t('一般') },
                        { value: 'major', label: t('较重') },
                        { value: 'serious', label: t('严重') },
                      ]}
                    />
                  </Form.Item>
                  <Form.Item name={[field.name, 'deadline']}>
                    <DatePicker style={{ width: 170 }} placeholder={t('整改期限（可选）')} data-testid="inspection-item-deadline" />
                  </Form.Item>
                  <Button type="text" icon={<MinusCircleOutlined />} onClick={() => remove(field.name)} aria-label={t('删除')} />
                </Space>
              ))}
              <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ severity: 'minor' })} data-testid="inspection-add-item">
                {t('添加问题')}
              </Button>
            </>
          )}
        </Form.List>
      </Form>
      <ErrorAlert error={error} />
    </Modal>
  );
}
