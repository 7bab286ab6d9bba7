/**
 * 办理 on the application page: what the caller may do on the application now
 * (GET /api/applications/:id/allowed) — the applicant's 撤回申请, 修改后重新提交
 * (the form is on the page), 催办 with an optional message, 评论, 抄送 (people
 * by name), and an approver's 撤回审批 — and the refused ones with their
 * reasons. After an action the page loads again what it changed (the API
 * client announces every change: components/fresh.ts).
 */
import { useState } from 'react';
import { App, Button, Card, Form, Input, Modal, Popconfirm, Space } from 'antd';
import { get, newKey, post } from '../api';
import { useI18n } from '../i18n';
import { APP_STATUS, label } from '../labels';
import { applyFieldErrors, ErrorAlert } from './ErrorAlert';
import { PersonPicker } from './PersonPicker';
import { actionName, RefusedActions } from './RefusedActions';
import { useLoad } from './useLoad';

interface AllowedOnApplication {
  actions: string[];
  refused: { action: string; reason: string }[];
}

const ORDER = ['resubmit', 'urge', 'comment', 'cc', 'retract', 'withdraw'];

export function ApplicationActions({ applicationId }: { applicationId: string }) {
  const { t, lang } = useI18n();
  const { message } = App.useApp();
  const allowed = useLoad(() => get<AllowedOnApplication>(`/api/applications/${encodeURIComponent(applicationId)}/allowed`), [applicationId]);
  const [comment, setComment] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [key, setKey] = useState(newKey);
  const [copying, setCopying] = useState(false);
  const [ccForm] = Form.useForm<{ to: string[] }>();

  const send = async (action: string, extra: Record<string, unknown> = {}) => {
    if (action === 'comment' && !comment.trim()) {
      setError(new Error(t('请填写评论内容')));
      return null;
    }
    setBusy(action);
    setError(null);
    try {
      const r = await post<{ status: string }>(
        `/api/applications/${encodeURIComponent(applicationId)}/actions`,
        { action, ...(comment.trim() ? { comment: comment.trim() } : {}), ...extra },
        { idempotencyKey: `${key}-${action}` },
      );
      void message.success(t('已{action}，申请状态：{status}', { action: actionName(action, lang), status: label(APP_STATUS, r.status, lang) }));
      setComment('');
      setKey(newKey());
      setCopying(false);
      return null;
    } catch (e) {
      setError(e);
      return e;
    } finally {
      setBusy(null);
    }
  };
  const copy = async () => {
    const v = await ccForm.validateFields().catch(() => null);
    if (!v) return;
    const failed = await send('cc', { to: v.to });
    if (failed) applyFieldErrors(ccForm, failed, lang, (p) => (p.split('.')[0] === 'to' ? ['to'] : undefined));
  };

  const actions = ORDER.filter((a) => allowed.data?.actions.includes(a));
  const button = (a: string) => {
    const common = { loading: busy === a, disabled: !!busy && busy !== a, 'data-testid': `app-action-${a}` };
    if (a === 'withdraw')
      return (
        <Popconfirm key={a} title={t('撤回后审批终止，确定撤回？')} okText={t('确定')} cancelText={t('取消')} onConfirm={() => void send('withdraw')}>
          <Button {...common} danger data-testid="withdraw">
            {actionName(a, lang)}
          </Button>
        </Popconfirm>
      );
    if (a === 'retract')
      return (
        <Popconfirm
          key={a}
          title={t('撤回审批后，此步骤回到您的待办，确定撤回？')}
          okText={t('确定')}
          cancelText={t('取消')}
          onConfirm={() => void send('retract')}
        >
          <Button key={a} {...common}>
            {actionName(a, lang)}
          </Button>
        </Popconfirm>
      );
    if (a === 'resubmit')
      return (
        <Button
          key={a}
          {...common}
          type="primary"
          onClick={() => document.querySelector('[data-testid="resubmit"]')?.scrollIntoView({ behavior: 'smooth', block: 'start' })}
        >
          {actionName(a, lang)}
        </Button>
      );
    if (a === 'cc')
      return (
        <Button key={a} {...common} onClick={() => setCopying(true)}>
          {actionName(a, lang)}
        </Button>
      );
    return (
      <Button key={a} {...common} onClick={() => void send(a)}>
        {actionName(a, lang)}
      </Button>
    );
  };

  return (
    <Card title={t('办理')} size="small" data-testid="applicant-actions">
      <ErrorAlert error={allowed.error} />
      {actions.some((a) => a !== 'resubmit') && (
        <Input.TextArea
          rows={2}
          value={comment}
          onChange={(e) => setComment(e.target.value)}
          placeholder={t('说明或留言（可选，催办时一并发出）')}
          aria-label={t('说明或留言（可选，催办时一并发出）')}
          maxLength={2000}
        />
      )}
      {actions.includes('resubmit') && <div style={{ marginTop: 8 }}>{t('请在“申请内容”中修改后重新提交')}</div>}
      <ErrorAlert error={error} style={{ marginTop: 12 }} />
      {actions.length > 0 && (
        <Space wrap style={{ marginTop: 12 }}>
          {actions.map(button)}
        </Space>
      )}
      <RefusedActions refused={allowed.data?.refused} />
      {copying && (
        <Modal
          open
          title={actionName('cc', lang)}
          onCancel={() => setCopying(false)}
          onOk={() => void copy()}
          confirmLoading={busy === 'cc'}
          okText={t('确定')}
          cancelText={t('取消')}
          destroyOnHidden
        >
          <Form form={ccForm} layout="vertical">
            <Form.Item name="to" label={t('抄送给')} rules={[{ required: true, message: t('请选择人员') }]}>
              <PersonPicker multiple />
            </Form.Item>
          </Form>
          <ErrorAlert error={error} />
        </Modal>
      )}
    </Card>
  );
}
