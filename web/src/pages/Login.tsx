/** Sign in with a username and password (the demo users share the password demo-password). */
import { useState } from 'react';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { ErrorAlert, applyFieldErrors } from '../components/ErrorAlert';
import { useI18n } from '../i18n';
import { LangSwitch } from '../components/LangSwitch';
import { Link } from '../router';
import { useSession } from '../session';

export default function Login() {
  const { t, lang } = useI18n();
  const { login, expired } = useSession();
  const [form] = Form.useForm<{ username: string; password: string }>();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (v: { username: string; password: string }) => {
    setBusy(true);
    setError(null);
    try {
      await login(v.username.trim(), v.password);
    } catch (e) {
      applyFieldErrors(form, e, lang, (p) => (p === 'username' || p === 'password' ? [p] : undefined));
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div
      style={{
        minHeight: '100vh',
        display: 'flex',
        alignItems: 'center',
        justifyContent: 'center',
        background: 'linear-gradient(160deg, #c8102e 0%, #8c0b20 100%)',
        padding: 16,
      }}
    >
      <Card style={{ width: 400, maxWidth: '100%' }} variant="borderless">
        <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center' }}>
          <Typography.Title level={3} style={{ margin: 0 }}>
            {t('建会入会集中行动')}
          </Typography.Title>
          <LangSwitch />
        </div>
        <Typography.Paragraph type="secondary" style={{ marginTop: 4 }}>
          {t('工作流平台')} · {t('市总工会、县区总工会、产业工会与基层工会')}
        </Typography.Paragraph>
        {expired && <Alert type="warning" showIcon title={t('登录已过期，请重新登录')} style={{ marginBottom: 16 }} />}
        <Form form={form} layout="vertical" onFinish={submit} requiredMark={false} data-testid="login-form">
          <Form.Item name="username" label={t('用户名')} rules={[{ required: true, whitespace: true, message: t('请输入用户名') }]}>
            <Input prefix={<UserOutlined />} autoComplete="username" placeholder="city.admin" size="large" />
          </Form.Item>
          <Form.Item name="password" label={t('密码')} rules={[{ required: true, message: t('请输入密码') }]}>
            <Input.Password prefix={<LockOutlined />} autoComplete="current-password" size="large" />
          </Form.Item>
          <ErrorAlert error={error} fields={[]} />
          <Button type="primary" htmlType="submit" block size="large" loading={busy}>
            {t('登录')}
          </Button>
        </Form>
        <Typography.Paragraph style={{ marginTop: 16, marginBottom: 0, textAlign: 'center' }}>
          <Link to="/join">{t('职工扫码入会')}</Link> · <Link to="/join/status">{t('入会进度查询')}</Link>
        </Typography.Paragraph>
      </Card>
    </div>
  );
}
