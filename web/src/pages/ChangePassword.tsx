/**
 * 修改密码 / change password. Forced after signing in with an initial password
 * or, in production, the published demo password (mustChangePassword): until
 * then the server refuses every other route. The answer's fresh token
 * replaces this tab's; every other session of the user has ended.
 */
import { useState } from 'react';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { LockOutlined } from '@ant-design/icons';
import { ErrorAlert, applyFieldErrors } from '../components/ErrorAlert';
import { useI18n } from '../i18n';
import { navigate } from '../router';
import { useSession } from '../session';

interface Values {
  currentPassword: string;
  newPassword: string;
  confirm: string;
}

export default function ChangePassword({ forced }: { forced?: boolean }) {
  const { t, lang } = useI18n();
  const { changePassword, logout, user } = useSession();
  const [form] = Form.useForm<Values>();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);

  const submit = async (v: Values) => {
    setBusy(true);
    setError(null);
    try {
      await changePassword(v.currentPassword, v.newPassword);
      setDone(true);
      if (forced) navigate('/', { replace: true });
    } catch (e) {
      applyFieldErrors(form, e, lang, (p) => (p === 'currentPassword' || p === 'newPassword' ? [p] : undefined));
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div style={{ display: 'flex', justifyContent: 'center', padding: forced ? '10vh 16px' : 0 }}>
      <Card style={{ width: 440, maxWidth: '100%' }} data-testid="change-password">
        <Typography.Title level={4} style={{ marginTop: 0 }}>
          {t('修改密码')}
        </Typography.Title>
        {forced && <Alert type="warning" showIcon title={t('首次登录请先设置您自己的密码')} style={{ marginBottom: 16 }} />}
        {done && !forced && <Alert type="success" showIcon title={t('密码已修改，其他设备上的登录已退出')} style={{ marginBottom: 16 }} />}
        <Typography.Paragraph type="secondary">
          {user?.username} · {t('新密码至少 10 个字符，包含字母、数字、符号中的至少两种，不能包含用户名。')}
        </Typography.Paragraph>
        <Form form={form} layout="vertical" onFinish={submit} requiredMark={false}>
          <Form.Item name="currentPassword" label={t('当前密码')} rules={[{ required: true, message: t('请输入当前密码') }]}>
            <Input.Password prefix={<LockOutlined />} autoComplete="current-password" />
          </Form.Item>
          <Form.Item name="newPassword" label={t('新密码')} rules={[{ required: true, message: t('请输入新密码') }]}>
            <Input.Password prefix={<LockOutlined />} autoComplete="new-password" />
          </Form.Item>
          <Form.Item
            name="confirm"
            label={t('确认新密码')}
            dependencies={['newPassword']}
            rules={[
              { required: true, message: t('请再次输入新密码') },
              ({ getFieldValue }) => ({
                validator: (_r, value) =>
                  !value || getFieldValue('newPassword') === value ? Promise.resolve() : Promise.reject(new Error(t('两次输入的新密码不一致'))),
              }),
            ]}
          >
            <Input.Password prefix={<LockOutlined />} autoComplete="new-password" />
          </Form.Item>
          <ErrorAlert error={error} />
          <Button type="primary" htmlType="submit" loading={busy} block data-testid="change-password-submit">
            {t('修改密码')}
          </Button>
          {forced && (
            <Button type="link" block onClick={() => logout()} style={{ marginTop: 8 }}>
              {t('退出登录')}
            </Button>
          )}
        </Form>
      </Card>
    </div>
  );
}
