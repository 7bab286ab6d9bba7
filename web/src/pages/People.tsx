/**
 * 机构与人员 → 人员 / People: the accounts placed within the admin's subtree
 * (GET /api/users), per org, with their posts (岗位), status and last login;
 * creating an account shows its initial password once; reset, unlock,
 * deactivate and reactivate; start and end posts. What an admin may do is the
 * API's decision (domain/policy.ts); refusals are shown as the API words them.
 */
import { useState } from 'react';
import { Alert, App, Button, Card, Form, Input, Modal, Popconfirm, Select, Space, Table, Tag, Typography } from 'antd';
import { MinusCircleOutlined, PlusOutlined, UserAddOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { call, get, post } from '../api';
import { applyFieldErrors, ErrorAlert, errorText } from '../components/ErrorAlert';
import { useLoad } from '../components/useLoad';
import { useI18n } from '../i18n';
import { label, ROLES } from '../labels';
import { useSession } from '../session';
import { OrgPicker } from '../components/OrgPicker';
import { DeputySettings } from '../components/DeputySettings';
import { navigate } from '../router';

interface PostView {
  id: string;
  org: string;
  orgName: string;
  role: string;
  startedAt: string;
}

export interface Person {
  username: string;
  name: string;
  org: string;
  orgName: string;
  posts: PostView[];
  active: boolean;
  locked: boolean;
  lastLoginAt: string | null;
  mustChangePassword: boolean;
  email: string | null;
  phone: string | null;
}

interface Filter {
  org?: string;
  q?: string;
  role?: string;
  status?: string;
}

const PAGE_SIZE = 20;

function query(f: Filter, page: number): string {
  const q = new URLSearchParams({ page: String(page), pageSize: String(PAGE_SIZE) });
  for (const [k, v] of Object.entries(f)) if (v) q.set(k, v as string);
  return q.toString();
}

/** The initial password, shown once (after creating an account or a reset). */
function showPassword(modal: ReturnType<typeof App.useApp>['modal'], t: (s: string) => string, username: string, password: string) {
  modal.success({
    title: t('初始密码（仅显示一次）'),
    content: (
      <div data-testid="initial-password-dialog">
        <Typography.Paragraph>
          {t('用户名')}：<Typography.Text strong>{username}</Typography.Text>
        </Typography.Paragraph>
        <Typography.Paragraph>
          {t('初始密码')}：
          <Typography.Text code copyable data-testid="initial-password">
            {password}
          </Typography.Text>
        </Typography.Paragraph>
        <Typography.Paragraph type="secondary">{t('请当面或通过安全渠道告知本人；首次登录须修改密码。')}</Typography.Paragraph>
      </div>
    ),
    okText: t('我已记下'),
  });
}

export default function People() {
  const { t, lang } = useI18n();
  const { user } = useSession();
  const { modal, message } = App.useApp();
  const [filter, setFilter] = useState<Filter>({});
  const [page, setPage] = useState(1);
  const [creating, setCreating] = useState(false);
  const [adding, setAdding] = useState<Person | null>(null);
  const [deputyOf, setDeputyOf] = useState<Person | null>(null);
  const list = useLoad(() => get<{ items: Person[]; total: number }>(`/api/users?${query(filter, page)}`), [filter, page]);
  const roleOptions = Object.keys(ROLES).map((r) => ({ value: r, label: label(ROLES, r, lang) }));

  const act = async (fn: () => Promise<unknown>, done: string) => {
    try {
      await fn();
      void message.success(done);
      await list.reload();
    } catch (e) {
      void message.error(errorText(e, lang));
    }
  };

  return (
    <Card
      title={t('人员')}
      extra={
        <Button type="primary" icon={<UserAddOutlined />} onClick={() => setCreating(true)} data-testid="people-create">
          {t('新建账号')}
        </Button>
      }
    >
      <Form layout="inline" style={{ marginBottom: 16, rowGap: 8 }} onFinish={(v: Filter) => (setPage(1), setFilter(v))} data-testid="people-filter">
        <Form.Item name="org" label={t('组织')}>
          <OrgPicker allowClear style={{ width: 240 }} placeholder={t('本级及下级')} />
        </Form.Item>
        <Form.Item name="q">
          <Input allowClear placeholder={t('用户名或姓名')} style={{ width: 180 }} data-testid="people-q" />
        </Form.Item>
        <Form.Item name="role" label={t('角色')}>
          <Select allowClear options={roleOptions} style={{ width: 120 }} />
        </Form.Item>
        <Form.Item name="status" label={t('状态')}>
          <Select
            allowClear
            style={{ width: 110 }}
            options={[
              { value: 'active', label: t('启用') },
              { value: 'inactive', label: t('停用') },
            ]}
          />
        </Form.Item>
        <Form.Item>
          <Button type="primary" htmlType="submit" data-testid="people-search">
            {t('查询')}
          </Button>
        </Form.Item>
      </Form>
      <ErrorAlert error={list.error} />
      <Table<Person>
        size="small"
        rowKey="username"
        loading={list.loading}
        dataSource={list.data?.items ?? []}
        data-testid="people-table"
        scroll={{ x: 1100 }}
        pagination={{ current: page, pageSize: PAGE_SIZE, total: list.data?.total ?? 0, onChange: setPage, showSizeChanger: false }}
        columns={[
          {
            title: t('姓名'),
            key: 'name',
            width: 200,
            render: (_, p) => (
              <>
                <div>{p.name}</div>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {p.username}
                </Typography.Text>
              </>
            ),
          },
          { title: t('本单位'), dataIndex: 'orgName', width: 160 },
          {
            title: t('岗位'),
            key: 'posts',
            render: (_, p) => (
              <Space size={[4, 4]} wrap>
                {p.posts.map((post) => (
                  <Popconfirm
                    key={post.id}
                    title={t('结束此岗位？')}
                    description={p.posts.length === 1 ? t('这是此人最后一个岗位：结束后其账号不再担任任何角色。') : undefined}
                    onConfirm={() => act(() => call('DELETE', `/api/users/${encodeURIComponent(p.username)}/posts/${post.id}`), t('岗位已结束'))}
                    disabled={p.username === user?.username}
                  >
                    <Tag
                      color="blue"
                      closable={p.username !== user?.username}
                      onClose={(e) => e.preventDefault()}
                      data-testid={`post-${p.username}-${post.org}-${post.role}`}
                    >
                      {label(ROLES, post.role, lang)} @ {post.orgName}
                    </Tag>
                  </Popconfirm>
                ))}
                {p.posts.length === 0 ? <Typography.Text type="secondary">{t('无岗位')}</Typography.Text> : null}
              </Space>
            ),
          },
          {
            title: t('状态'),
            key: 'status',
            width: 140,
            render: (_, p) => (
              <Space size={4} wrap>
                {p.active ? <Tag color="green">{t('启用')}</Tag> : <Tag>{t('停用')}</Tag>}
                {p.locked ? <Tag color="red">{t('已锁定')}</Tag> : null}
                {p.mustChangePassword ? <Tag color="orange">{t('待改密码')}</Tag> : null}
              </Space>
            ),
          },
          {
            title: t('最近登录'),
            dataIndex: 'lastLoginAt',
            width: 150,
            render: (v: string | null) => (v ? dayjs(v).format('YYYY-MM-DD HH:mm') : '—'),
          },
          {
            title: t('操作'),
            key: 'actions',
            width: 300,
            render: (_, p) =>
              p.username === user?.username ? (
                <Typography.Text type="secondary">{t('本人')}</Typography.Text>
              ) : (
                <Space size={4} wrap>
                  <Button size="small" icon={<PlusOutlined />} onClick={() => setAdding(p)} data-testid={`add-post-${p.username}`}>
                    {t('岗位')}
                  </Button>
                  <Button size="small" onClick={() => navigate(`/admin/people/${encodeURIComponent(p.username)}/rotate`)} data-testid={`rotate-${p.username}`}>
                    {t('轮岗')}
                  </Button>
                  <Button size="small" onClick={() => setDeputyOf(p)} data-testid={`deputy-${p.username}`}>
                    {t('代理')}
                  </Button>
                  <Popconfirm
                    title={t('重置密码？原密码失效，其所有会话结束。')}
                    onConfirm={async () => {
                      try {
                        const r = await post<{ initialPassword: string }>(`/api/users/${encodeURIComponent(p.username)}/reset-password`);
                        showPassword(modal, t, p.username, r.initialPassword);
                        await list.reload();
                      } catch (e) {
                        void message.error(errorText(e, lang));
                      }
                    }}
                  >
                    <Button size="small">{t('重置密码')}</Button>
                  </Popconfirm>
                  {p.locked ? (
                    <Button size="small" onClick={() => act(() => post(`/api/users/${encodeURIComponent(p.username)}/unlock`), t('已解锁'))}>
                      {t('解锁')}
                    </Button>
                  ) : null}
                  <Popconfirm
                    title={p.active ? t('停用此账号？其所有会话立即结束。') : t('重新启用此账号？')}
                    onConfirm={() =>
                      act(
                        () => call('PATCH', `/api/users/${encodeURIComponent(p.username)}`, { body: { active: !p.active } }),
                        p.active ? t('已停用') : t('已启用'),
                      )
                    }
                  >
                    <Button size="small" danger={p.active}>
                      {p.active ? t('停用') : t('启用')}
                    </Button>
                  </Popconfirm>
                </Space>
              ),
          },
        ]}
      />
      <CreateUser
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(username, password) => {
          setCreating(false);
          showPassword(modal, t, username, password);
          void list.reload();
        }}
        roleOptions={roleOptions}
      />
      <AddPost
        person={adding}
        onClose={() => setAdding(null)}
        onAdded={() => {
          setAdding(null);
          void message.success(t('岗位已添加'));
          void list.reload();
        }}
        roleOptions={roleOptions}
      />
      {/* 代理: an admin names the deputy of someone in their subtree (who may also do it on 我的资料). */}
      <Modal open={!!deputyOf} title={`${t('代理')} · ${deputyOf?.name ?? ''}`} onCancel={() => setDeputyOf(null)} footer={null} destroyOnHidden width={640}>
        {deputyOf ? <DeputySettings username={deputyOf.username} /> : null}
      </Modal>
    </Card>
  );
}

type Options = { value: string; label: string }[];

function CreateUser(props: { open: boolean; onClose(): void; onCreated(username: string, password: string): void; roleOptions: Options }) {
  const { t, lang } = useI18n();
  const [form] = Form.useForm<{ username: string; name: string; phone?: string; email?: string; posts: { org?: string; role?: string }[] }>();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    setBusy(true);
    try {
      const r = await post<{ username: string; initialPassword: string }>('/api/users', {
        username: v.username.trim(),
        name: v.name.trim(),
        phone: v.phone?.trim() || undefined,
        email: v.email?.trim() || undefined,
        posts: v.posts,
      });
      form.resetFields();
      setError(null);
      props.onCreated(r.username, r.initialPassword);
    } catch (e) {
      setError(e);
      applyFieldErrors(form, e, lang, (p) => p.split('.').map((s) => (/^\d+$/.test(s) ? Number(s) : s)));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open={props.open} title={t('新建账号')} onCancel={props.onClose} onOk={submit} confirmLoading={busy} okText={t('创建')} destroyOnHidden width={640}>
      <ErrorAlert error={error} />
      <Form form={form} layout="vertical" initialValues={{ posts: [{}] }} data-testid="create-user-form">
        <Form.Item name="username" label={t('用户名')} rules={[{ required: true, message: t('请输入用户名') }]}>
          <Input autoComplete="off" data-testid="create-username" />
        </Form.Item>
        <Form.Item name="name" label={t('姓名')} rules={[{ required: true, message: t('请输入姓名') }]}>
          <Input data-testid="create-name" />
        </Form.Item>
        <div style={{ display: 'flex', gap: 12 }}>
          <Form.Item name="phone" label={t('工作电话')} style={{ flex: 1 }}>
            <Input />
          </Form.Item>
          <Form.Item name="email" label={t('邮箱')} style={{ flex: 1 }}>
            <Input />
          </Form.Item>
        </div>
        <Typography.Text strong>{t('岗位')}</Typography.Text>
        <Form.List name="posts">
          {(fields, { add, remove }) => (
            <>
              {fields.map((f, i) => (
                <Space key={f.key} align="baseline" style={{ display: 'flex' }} data-testid={`create-post-${i}`}>
                  <Form.Item name={[f.name, 'org']} label={t('组织')} rules={[{ required: true, message: t('请选择组织') }]}>
                    <OrgPicker style={{ width: 300 }} />
                  </Form.Item>
                  <Form.Item name={[f.name, 'role']} label={t('角色')} rules={[{ required: true, message: t('请选择角色') }]}>
                    <Select options={props.roleOptions} style={{ width: 140 }} />
                  </Form.Item>
                  {fields.length > 1 ? <MinusCircleOutlined onClick={() => remove(f.name)} /> : null}
                </Space>
              ))}
              <Button type="dashed" onClick={() => add({})} icon={<PlusOutlined />}>
                {t('兼任岗位')}
              </Button>
            </>
          )}
        </Form.List>
        <Alert style={{ marginTop: 12 }} type="info" showIcon title={t('创建后显示一次性初始密码；本人首次登录须修改密码。')} />
      </Form>
    </Modal>
  );
}

function AddPost(props: { person: Person | null; onClose(): void; onAdded(): void; roleOptions: Options }) {
  const { t } = useI18n();
  const [form] = Form.useForm<{ org: string; role: string }>();
  const [error, setError] = useState<unknown>(null);
  const submit = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v || !props.person) return;
    try {
      await post(`/api/users/${encodeURIComponent(props.person.username)}/posts`, v);
      form.resetFields();
      setError(null);
      props.onAdded();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <Modal open={!!props.person} title={`${t('添加岗位')} · ${props.person?.name ?? ''}`} onCancel={props.onClose} onOk={submit} destroyOnHidden>
      <ErrorAlert error={error} />
      <Form form={form} layout="vertical">
        <Form.Item name="org" label={t('组织')} rules={[{ required: true, message: t('请选择组织') }]}>
          <OrgPicker />
        </Form.Item>
        <Form.Item name="role" label={t('角色')} rules={[{ required: true, message: t('请选择角色') }]}>
          <Select options={props.roleOptions} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
