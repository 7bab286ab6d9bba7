/**
 * 代理设置 / deputy while away: name a colleague who handles the tasks that
 * open for `username` during a date range (optionally for some application
 * types only), see the range in force or ahead, and end it early. The server
 * decides who may be a deputy (the person's org or below it) and answers each
 * bad field by name.
 */
import { useState } from 'react';
import { Alert, Button, Card, DatePicker, Descriptions, Form, Popconfirm, Select, Space, Tag, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { call, get } from '../api';
import { useI18n } from '../i18n';
import { APP_TYPES, label } from '../labels';
import { ErrorAlert, applyFieldErrors } from './ErrorAlert';
import { useLoad } from './useLoad';

interface Range {
  deputy: string;
  deputyName: string;
  from: string;
  to: string;
  types: string[] | null;
  active: boolean;
}
interface DirectoryUser {
  username: string;
  name: string;
  orgName: string;
}
interface Values {
  deputy: string;
  range: [Dayjs, Dayjs];
  types?: string[];
}

export function DeputySettings({ username }: { username: string }) {
  const { t, lang } = useI18n();
  const [form] = Form.useForm<Values>();
  const current = useLoad(() => get<{ deputy: Range | null }>(`/api/users/${encodeURIComponent(username)}/deputy`), [username]);
  const [q, setQ] = useState('');
  const people = useLoad(() => get<{ items: DirectoryUser[] }>(`/api/directory?limit=50${q ? `&q=${encodeURIComponent(q)}` : ''}`), [q]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const save = async (v: Values) => {
    setBusy(true);
    setError(null);
    try {
      await call('PUT', `/api/users/${encodeURIComponent(username)}/deputy`, {
        body: { deputy: v.deputy, from: v.range[0].format('YYYY-MM-DD'), to: v.range[1].format('YYYY-MM-DD'), types: v.types?.length ? v.types : null },
      });
      form.resetFields();
      await current.reload();
    } catch (e) {
      applyFieldErrors(form, e, lang, (p) =>
        p === 'deputy' ? ['deputy'] : p === 'from' || p === 'to' ? ['range'] : p.startsWith('types') ? ['types'] : undefined,
      );
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const end = async () => {
    setError(null);
    try {
      await call('DELETE', `/api/users/${encodeURIComponent(username)}/deputy`);
      await current.reload();
    } catch (e) {
      setError(e);
    }
  };

  const r = current.data?.deputy;
  const fmt = (iso: string) => dayjs(iso).format('YYYY-MM-DD HH:mm');
  // A range ends at an instant (a whole day ends at the next day's 00:00): shown as the last minute it covers.
  const fmtEnd = (iso: string) => dayjs(iso).subtract(1, 'minute').format('YYYY-MM-DD HH:mm');
  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }} data-testid="deputy-settings">
      <Card title={t('当前代理')} size="small" loading={current.loading && !current.data}>
        <ErrorAlert error={current.error} />
        {r ? (
          <>
            <Descriptions size="small" column={1} data-testid="deputy-current">
              <Descriptions.Item label={t('代理人')}>
                {r.deputyName}（{r.deputy}）
              </Descriptions.Item>
              <Descriptions.Item label={t('期间')}>
                {fmt(r.from)} — {fmtEnd(r.to)} <Tag color={r.active ? 'green' : 'blue'}>{r.active ? t('生效中') : t('未开始')}</Tag>
              </Descriptions.Item>
              <Descriptions.Item label={t('申请类型')}>
                {r.types ? r.types.map((x) => <Tag key={x}>{label(APP_TYPES, x, lang)}</Tag>) : t('全部类型')}
              </Descriptions.Item>
            </Descriptions>
            <Popconfirm title={t('提前结束代理？此后新到的审批回到本人')} onConfirm={end} okText={t('结束')} cancelText={t('取消')}>
              <Button danger data-testid="deputy-end" style={{ marginTop: 8 }}>
                {t('提前结束')}
              </Button>
            </Popconfirm>
          </>
        ) : (
          <Typography.Paragraph type="secondary">{t('未设置代理人')}</Typography.Paragraph>
        )}
      </Card>
      <Card title={r ? t('重新设置（替换当前设置）') : t('设置代理人')} size="small">
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 12 }}
          title={t('期间开始的审批步骤交代理人办理，标注“代…审批”；本人可查看但不能处理。已到达的任务不变，期满自动结束。')}
        />
        <ErrorAlert error={error} />
        <Form<Values> form={form} layout="vertical" onFinish={save} style={{ maxWidth: 520 }}>
          <Form.Item name="deputy" label={t('代理人')} rules={[{ required: true, message: t('请选择代理人') }]}>
            <Select
              showSearch
              filterOption={false}
              onSearch={setQ}
              loading={people.loading}
              placeholder={t('输入姓名或用户名搜索')}
              data-testid="deputy-picker"
              options={(people.data?.items ?? [])
                .filter((u) => u.username !== username)
                .map((u) => ({ value: u.username, label: `${u.name}（${u.username}）· ${u.orgName}` }))}
            />
          </Form.Item>
          <Form.Item name="range" label={t('期间（北京时间，含首尾两日）')} rules={[{ required: true, message: t('请选择期间') }]}>
            <DatePicker.RangePicker disabledDate={(d) => d.isBefore(dayjs(), 'day')} data-testid="deputy-range" />
          </Form.Item>
          <Form.Item name="types" label={t('申请类型（不选为全部）')}>
            <Select mode="multiple" allowClear options={Object.keys(APP_TYPES).map((k) => ({ value: k, label: label(APP_TYPES, k, lang) }))} />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={busy} data-testid="deputy-save">
            {t('保存')}
          </Button>
        </Form>
      </Card>
    </Space>
  );
}
