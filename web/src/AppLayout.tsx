/**
 * The signed-in frame: navigation by role and org on the left, the user, language and sign-out on top.
 * Below the `lg` breakpoint (phones, small tablets) the header is one row — the menu button, the user's
 * name with org and post, the 待办 and 消息 badges and 退出登录 — and the menu opens as a drawer, so no
 * page content sits under a floating trigger and nothing is pushed off screen.
 */
import { useEffect, useState, type ReactNode } from 'react';
import { Badge, Button, Drawer, Grid, Layout, Menu, Space, Tag } from 'antd';
import {
  ApartmentOutlined,
  AuditOutlined,
  BellOutlined,
  DashboardOutlined,
  FileAddOutlined,
  FileTextOutlined,
  FlagOutlined,
  GlobalOutlined,
  KeyOutlined,
  LogoutOutlined,
  MenuOutlined,
  NotificationOutlined,
  PlusCircleOutlined,
  QrcodeOutlined,
  SafetyCertificateOutlined,
  SettingOutlined,
  TeamOutlined,
  UserOutlined,
} from '@ant-design/icons';
import { get } from './api';
import { useI18n } from './i18n';
import { LangSwitch } from './components/LangSwitch';
import { useTodoCount } from './components/fresh';
import { useUnreadCount } from './components/unread';
import { label, ROLES } from './labels';
import { navigate } from './router';
import { useSession } from './session';

type MenuNode = { key: string; children?: MenuNode[] };
/** The keys of a menu item's pages (its own, or those of its children and their groups). */
const leafKeys = (i: MenuNode): string[] => (i.children ? i.children.flatMap(leafKeys) : [i.key]);

/** Region-level orgs (县区总工会, 产业工会) do the region's campaign work. */
export const REGION_KINDS = ['county', 'industry'];

export function AppLayout({ path, children }: { path: string; children: ReactNode }) {
  const { t, lang } = useI18n();
  const { user, has, orgKind, orgName, logout } = useSession();
  const pending = useTodoCount(path);
  const unread = useUnreadCount(path);
  const compact = !Grid.useBreakpoint().lg;
  const [drawerOpen, setDrawerOpen] = useState(false);
  // A menu choice (or any other navigation) closes the drawer.
  useEffect(() => setDrawerOpen(false), [path]);
  // 发起申请 is offered where the server's policy lets the user apply (GET /api/applications/form answers canApply).
  const [canApply, setCanApply] = useState(false);
  useEffect(() => {
    let live = true;
    if (user)
      get<{ canApply: boolean }>('/api/applications/form?type=subsidy')
        .then((r) => live && setCanApply(r.canApply))
        .catch(() => live && setCanApply(false));
    return () => {
      live = false;
    };
  }, [user]);

  if (!user) return null;
  const isRegion = !!orgKind && REGION_KINDS.includes(orgKind);
  const isGrassroots = orgKind === 'grassroots';
  const items = [
    ...(!isRegion && !isGrassroots ? [{ key: '/campaigns', icon: <FlagOutlined />, label: t('集中行动') }] : []),
    ...(has('admin') ? [{ key: '/campaigns/new', icon: <PlusCircleOutlined />, label: t('发起行动') }] : []),
    ...(isRegion ? [{ key: '/region', icon: <DashboardOutlined />, label: t('地区工作台') }] : []),
    {
      key: '/tasks',
      icon: <AuditOutlined />,
      label: (
        <span>
          {t('待办任务')} {pending ? <Badge count={pending} size="small" style={{ marginInlineStart: 6 }} data-testid="menu-pending" /> : null}
        </span>
      ),
    },
    ...(canApply
      ? [
          { key: '/applications/new', icon: <FileAddOutlined />, label: <span data-testid="menu-new-application">{t('发起申请')}</span> },
          { key: '/applications', icon: <FileTextOutlined />, label: t('我的申请') },
        ]
      : []),
    ...(user.can?.readProvinceOverview ? [{ key: '/province', icon: <GlobalOutlined />, label: t('全省概览') }] : []),
    ...(user.can?.verifyMembers ? [{ key: '/verifications', icon: <SafetyCertificateOutlined />, label: t('实名核验') }] : []),
    ...(user.can?.readBulletins ? [{ key: '/bulletins', icon: <NotificationOutlined />, label: t('进度通报') }] : []),
    ...(user.can?.memberRoster ? [{ key: '/roster', icon: <TeamOutlined />, label: t('会员名册') }] : []),
    ...(has('staff', 'admin') || isGrassroots ? [{ key: '/posters', icon: <QrcodeOutlined />, label: t('入会二维码') }] : []),
    {
      key: '/notifications',
      icon: <BellOutlined />,
      label: (
        <span>
          {t('消息')} {unread ? <Badge count={unread} size="small" style={{ marginInlineStart: 6 }} data-testid="menu-unread" /> : null}
        </span>
      ),
    },
    ...(has('admin')
      ? [
          {
            key: 'people',
            icon: <ApartmentOutlined />,
            label: t('机构与人员'),
            children: [
              { key: '/admin/orgs', label: t('组织机构') },
              { key: '/admin/people', label: t('人员') },
              { key: '/admin/calendar', label: t('工作日历') },
            ],
          },
          {
            key: 'admin',
            icon: <SettingOutlined />,
            label: t('管理'),
            children: [
              { key: '/admin/chains', label: t('审批流程') },
              { key: '/admin/personal-data-log', label: t('个人信息查看记录') },
              { key: '/dev/sms-outbox', label: t('短信发件箱') },
            ],
          },
        ]
      : []),
  ];
  const selected = items
    .flatMap(leafKeys)
    .filter((k) => path === k || path.startsWith(`${k}/`))
    .sort((a, b) => b.length - a.length)[0];

  const menu = (
    <Menu
      mode="inline"
      selectedKeys={selected ? [selected] : []}
      defaultOpenKeys={
        ['/admin/orgs', '/admin/people', '/admin/calendar'].some((k) => path.startsWith(k)) ? ['people'] : path.startsWith('/admin/') ? ['admin'] : []
      }
      items={items}
      onClick={(e) => (setDrawerOpen(false), navigate(e.key))}
      style={{ borderInlineEnd: 0, paddingTop: 8 }}
      data-testid="main-menu"
    />
  );
  const roles = user.roles.map((r) => label(ROLES, r, lang)).join('、');
  const signOut = () => (logout(), navigate('/'));

  // One tree for both widths: the page sits at the same place whether the menu is a drawer (phone) or a sider
  // (desktop), so crossing the breakpoint (a tablet turned, a window resized) keeps what the page holds.
  return (
    <Layout style={{ minHeight: '100vh' }}>
      {compact ? (
        <>
          <Layout.Header className="ud-header ud-header-compact">
            <Button
              type="text"
              className="ud-header-icon"
              icon={<MenuOutlined />}
              onClick={() => setDrawerOpen(true)}
              aria-label={t('菜单')}
              data-testid="menu-button"
            />
            <div className="ud-header-user" data-testid="current-user">
              <div className="ud-header-name">{user.name}</div>
              <div className="ud-header-post">
                {user.orgName ?? orgName(user.org)} · {roles}
              </div>
            </div>
            <Badge count={pending ?? 0} size="small" offset={[-6, 6]} data-testid="header-pending">
              <Button
                type="text"
                className="ud-header-icon"
                icon={<AuditOutlined />}
                onClick={() => navigate('/tasks')}
                aria-label={t('待办任务')}
                title={t('待办任务')}
              />
            </Badge>
            <Badge count={unread ?? 0} size="small" offset={[-6, 6]} data-testid="header-unread">
              <Button
                type="text"
                className="ud-header-icon"
                icon={<BellOutlined />}
                onClick={() => navigate('/notifications')}
                aria-label={t('消息')}
                title={t('消息')}
              />
            </Badge>
            <Button
              type="text"
              className="ud-header-icon"
              icon={<LogoutOutlined />}
              onClick={signOut}
              aria-label={t('退出登录')}
              title={t('退出登录')}
              data-testid="logout"
            />
          </Layout.Header>
          <Drawer
            open={drawerOpen}
            onClose={() => setDrawerOpen(false)}
            placement="left"
            size={280}
            title={t('建会入会集中行动')}
            styles={{ body: { padding: 0 } }}
            data-testid="menu-drawer"
            footer={
              <Space wrap>
                <LangSwitch />
                <Button size="small" icon={<UserOutlined />} onClick={() => navigate('/me')} data-testid="profile-link">
                  {t('我的资料')}
                </Button>
                <Button size="small" icon={<KeyOutlined />} onClick={() => navigate('/password')} data-testid="change-password-link">
                  {t('修改密码')}
                </Button>
              </Space>
            }
          >
            {menu}
          </Drawer>
        </>
      ) : (
        <Layout.Header className="ud-header" style={{ display: 'flex', alignItems: 'center', gap: 16, paddingInline: 20, background: '#c8102e' }}>
          <a href="/" onClick={(e) => (e.preventDefault(), navigate('/'))} className="ud-header-title">
            {t('建会入会集中行动')} · {t('工作流平台')}
          </a>
          <div style={{ flex: 1 }} />
          <Space size="middle" wrap className="ud-header-tools" style={{ color: '#fff' }}>
            <span data-testid="current-user">
              {user.orgName ?? orgName(user.org)} · {user.name}
              {user.roles.map((r) => (
                <Tag key={r} color="gold" style={{ marginInlineStart: 6 }}>
                  {label(ROLES, r, lang)}
                </Tag>
              ))}
            </span>
            <LangSwitch />
            <Button size="small" icon={<UserOutlined />} onClick={() => navigate('/me')} title={t('我的资料')} data-testid="profile-link">
              {t('我的资料')}
            </Button>
            <Button size="small" icon={<KeyOutlined />} onClick={() => navigate('/password')} title={t('修改密码')} data-testid="change-password-link">
              {t('修改密码')}
            </Button>
            <Button size="small" icon={<LogoutOutlined />} onClick={signOut} title={t('退出登录')} data-testid="logout">
              {t('退出登录')}
            </Button>
          </Space>
        </Layout.Header>
      )}
      <Layout>
        {!compact && (
          <Layout.Sider width={200} theme="light" style={{ borderInlineEnd: '1px solid #f0f0f0' }}>
            {menu}
          </Layout.Sider>
        )}
        <Layout.Content>
          <div className="ud-page">{children}</div>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
