/**
 * 发起申请: a new application of a type (today 经费补助, ?type=subsidy). The
 * built-in fields of the type (标题, 金额, 事由, 关联项目) and, below them,
 * the form its chain defines — drawn from the chain's JSON Schema with
 * @rjsf/antd — plus attachments chosen before submitting and uploaded right
 * after the application is created. Whether the caller may apply is the
 * server's policy (GET /api/applications/form answers canApply); a 400 comes
 * back beside each field it names.
 */
import { useRef, useState } from 'react';
import { App, Button, Card, Form, Input, InputNumber, Result, Select, Space, Typography, Upload, type UploadFile } from 'antd';
import { InboxOutlined } from '@ant-design/icons';
import { ApiError, get, newKey, post, uploadFile, type FieldError } from '../api';
import { ATTACHMENT_ACCEPT, AttachmentHint, attachmentProblem } from '../components/Attachments';
import { applyFieldErrors, ErrorAlert } from '../components/ErrorAlert';
import { SchemaForm, type FormDefinition, type FormValues, type SchemaFormHandle } from '../components/SchemaForm';
import { useLoad } from '../components/useLoad';
import { useI18n } from '../i18n';
import { APP_TYPES, label } from '../labels';
import { navigate } from '../router';
import { useSession } from '../session';

export interface ApplicationFormInfo {
  type: string;
  canApply: boolean;
  reason?: string;
  chain: { key: string; name: string; version: number; owner: string | null; ownerName: string | null };
  form: FormDefinition | null;
}

interface Builtins {
  title: string;
  amount: number;
  reason: string;
  projectId?: string;
}

const BUILTIN_FIELDS = ['title', 'amount', 'reason', 'projectId'];

/** The region's projects across the campaigns the caller sees (关联项目 is optional). */
function useProjects(org: string | undefined) {
  return useLoad(async () => {
    if (!org) return [];
    const campaigns = await get<{ items: { id: string; name: string }[] }>('/api/campaigns');
    const lists = await Promise.all(
      campaigns.items.map((c) =>
        get<{ items: { id: string; name: string }[] }>(`/api/campaigns/${encodeURIComponent(c.id)}/projects?region=${encodeURIComponent(org)}&limit=200`)
          .then((r) => r.items.map((p) => ({ value: p.id, label: `${p.name}（${c.name}）` })))
          .catch(() => []),
      ),
    );
    return lists.flat();
  }, [org]);
}

export default function NewApplication({ type }: { type: string }) {
  const { t, lang, m } = useI18n();
  const { message } = App.useApp();
  const { user } = useSession();
  const info = useLoad(() => get<ApplicationFormInfo>(`/api/applications/form?type=${encodeURIComponent(type)}`), [type]);
  const projects = useProjects(user?.org);
  const [form] = Form.useForm<Builtins>();
  const schemaForm = useRef<SchemaFormHandle>(null);
  const [values, setValues] = useState<FormValues>({});
  const [files, setFiles] = useState<UploadFile[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [rest, setRest] = useState<FieldError[]>([]);
  const [formErrors, setFormErrors] = useState<FieldError[]>([]);
  const [busy, setBusy] = useState<string | null>(null);
  const [key, setKey] = useState(newKey);

  if (info.error) return <ErrorAlert error={info.error} />;
  const f = info.data;
  if (!f) return <Card loading />;
  if (!f.canApply) return <Result status="403" title={t('无法发起申请')} subTitle={m(f.reason)} />;

  const submit = async () => {
    setError(null);
    setRest([]);
    setFormErrors([]);
    const builtins = await form.validateFields().catch(() => null);
    const formOk = schemaForm.current?.validate() ?? true;
    if (!builtins || !formOk) return;
    setBusy(t('正在提交…'));
    let id: string;
    try {
      const r = await post<{ id: string }>(
        '/api/applications',
        {
          type,
          title: builtins.title,
          amount: builtins.amount,
          reason: builtins.reason,
          ...(builtins.projectId ? { projectId: builtins.projectId } : {}),
          ...(f.form ? { form: values } : {}),
        },
        { idempotencyKey: key },
      );
      id = r.id;
    } catch (e) {
      setBusy(null);
      setError(e);
      if (e instanceof ApiError) {
        const unplaced = applyFieldErrors(form, e, lang, (p) => (BUILTIN_FIELDS.includes(p) ? [p] : undefined));
        setFormErrors(unplaced.filter((x) => x.path === 'form' || x.path.startsWith('form.')));
        setRest(unplaced.filter((x) => !x.path.startsWith('form.')));
      }
      return;
    }
    // The application exists: attach the files chosen before (a failed upload can be retried on its page).
    const failed: string[] = [];
    for (const [i, file] of files.entries()) {
      setBusy(t('正在上传附件 {i}/{n}…', { i: i + 1, n: files.length }));
      try {
        await uploadFile(`/api/applications/${encodeURIComponent(id)}/attachments`, file.originFileObj as File, {}, () => undefined, `${key}-file-${i}`);
      } catch {
        failed.push(file.name);
      }
    }
    setBusy(null);
    setKey(newKey());
    if (failed.length) void message.warning(t('申请已提交，但以下附件未能上传，请在申请页重新上传：{names}', { names: failed.join('、') }));
    else void message.success(t('申请已提交'));
    navigate(`/applications/${encodeURIComponent(id)}`);
  };

  return (
    <Space orientation="vertical" size={16} style={{ width: '100%', maxWidth: 860 }} data-testid="new-application">
      <Typography.Title level={4} style={{ margin: 0 }}>
        {t('发起申请')} · {label(APP_TYPES, type, lang)}
      </Typography.Title>
      <Typography.Text type="secondary" data-testid="applies-chain">
        {t('适用审批链：{name}（{owner}）', { name: m(f.chain.name), owner: m(f.chain.ownerName) || t('全省默认') })}
      </Typography.Text>
      <Card title={t('基本信息')} size="small">
        <Form form={form} layout="vertical" requiredMark data-testid="builtin-fields">
          <Form.Item name="title" label={t('标题')} rules={[{ required: true, whitespace: true, message: t('请填写标题') }, { max: 200 }]}>
            <Input maxLength={200} placeholder={t('如：新华区快递员服务站建设补助')} />
          </Form.Item>
          <Form.Item name="amount" label={t('金额（元）')} rules={[{ required: true, message: t('请填写金额') }]}>
            <InputNumber min={0.01} max={100_000_000} precision={2} step={100} style={{ width: '100%' }} />
          </Form.Item>
          <Form.Item name="reason" label={t('事由')} rules={[{ required: true, whitespace: true, message: t('请填写事由') }]}>
            <Input.TextArea rows={3} maxLength={2000} showCount />
          </Form.Item>
          <Form.Item name="projectId" label={t('关联项目（可选）')}>
            <Select allowClear showSearch optionFilterProp="label" loading={projects.loading} options={projects.data ?? []} notFoundContent={t('暂无项目')} />
          </Form.Item>
        </Form>
      </Card>
      {f.form && (
        <Card title={t('申请表单')} size="small">
          <SchemaForm ref={schemaForm} definition={f.form} value={values} onChange={setValues} errors={formErrors} disabled={!!busy} />
        </Card>
      )}
      <Card title={t('附件')} size="small" data-testid="new-attachments">
        <Upload.Dragger
          accept={ATTACHMENT_ACCEPT}
          multiple
          fileList={files}
          beforeUpload={(file) => {
            const problem = attachmentProblem(file, t);
            if (problem) void message.error(problem);
            else setFiles((l) => [...l, { uid: file.uid, name: file.name, size: file.size, originFileObj: file, status: 'done' }]);
            return false;
          }}
          onRemove={(file) => setFiles((l) => l.filter((x) => x.uid !== file.uid))}
        >
          <p className="ant-upload-drag-icon">
            <InboxOutlined />
          </p>
          <p>{t('点击或拖入文件，提交申请后上传')}</p>
          <AttachmentHint />
        </Upload.Dragger>
      </Card>
      <ErrorAlert error={error} fields={rest} />
      <Space wrap>
        <Button type="primary" onClick={() => void submit()} loading={!!busy} data-testid="submit-application">
          {busy ?? t('提交申请')}
        </Button>
        <Button onClick={() => navigate('/applications')}>{t('取消')}</Button>
      </Space>
    </Space>
  );
}
