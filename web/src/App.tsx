/**
 * Routes of the staff app: every screen behind login, in the app layout. The
 * public pages (/join…, /member-card…) are entries of their own (see
 * entries.ts); a link to one loads it from the server.
 */
import { lazy, Suspense, type ReactNode } from 'react';
import { Result } from 'antd';
import { pageEntry } from './entries';
import { Elsewhere, pageLoading } from './theme';
import { useI18n } from './i18n';
import { match, useLocation } from './router';
import { useSession } from './session';
import { AppLayout } from './AppLayout';
import { ErrorBoundary } from './components/ErrorBoundary';
import Login from './pages/Login';

const Home = lazy(() => import('./pages/Home'));
const CampaignList = lazy(() => import('./pages/CampaignList'));
const LaunchCampaign = lazy(() => import('./pages/LaunchCampaign'));
const CampaignDashboard = lazy(() => import('./pages/CampaignDashboard'));
const RegionHome = lazy(() => import('./pages/RegionHome'));
const RegionWork = lazy(() => import('./pages/RegionWork'));
const Inbox = lazy(() => import('./pages/Inbox'));
const TaskPage = lazy(() => import('./pages/TaskPage'));
const MyApplications = lazy(() => import('./pages/MyApplications'));
const NewApplication = lazy(() => import('./pages/NewApplication'));
const ApplicationPage = lazy(() => import('./pages/ApplicationPage'));
const Bulletins = lazy(() => import('./pages/Bulletins'));
const MemberRoster = lazy(() => import('./pages/MemberRoster'));
const BulletinView = lazy(() => import('./pages/BulletinView'));
const ProvinceOverview = lazy(() => import('./pages/ProvinceOverview'));
const Posters = lazy(() => import('./pages/Posters'));
const Notifications = lazy(() => import('./pages/Notifications'));
const ChangePassword = lazy(() => import('./pages/ChangePassword'));
const PersonalDataLog = lazy(() => import('./pages/PersonalDataLog'));
const People = lazy(() => import('./pages/People'));
const Profile = lazy(() => import('./pages/Profile'));
const OrgTree = lazy(() => import('./pages/OrgTree'));
const SmsOutbox = lazy(() => import('./pages/SmsOutbox'));
const WorkCalendar = lazy(() => import('./pages/WorkCalendar'));
const RotationWizard = lazy(() => import('./pages/admin/RotationWizard'));
const ChainList = lazy(() => import('./pages/chains/ChainList'));
const ChainDesigner = lazy(() => import('./pages/chains/ChainDesigner'));
const MemberVerifications = lazy(() => import('./pages/MemberVerifications'));

function NotFound() {
  const { t } = useI18n();
  return <Result status="404" title="404" subTitle={t('页面不存在')} />;
}

export function App() {
  const { path, query } = useLocation();
  const { user, mustChangePassword } = useSession();
  const { t } = useI18n();
  const guard = (node: ReactNode) => (
    <ErrorBoundary key={path} labels={{ title: t('页面出错了'), reload: t('重新加载') }}>
      <Suspense fallback={pageLoading}>{node}</Suspense>
    </ErrorBoundary>
  );

  if (pageEntry(path) !== 'index') return <Elsewhere to={`${path}${location.search}`} />;
  if (!user) return <Login />;
  // The server refuses everything else until the password is changed.
  if (mustChangePassword) return guard(<ChangePassword forced />);

  let page: ReactNode;
  let p: Record<string, string> | null;
  if (path === '/' || path === '/login') page = <Home />;
  else if (path === '/campaigns') page = <CampaignList />;
  else if (path === '/campaigns/new') page = <LaunchCampaign />;
  else if ((p = match('/campaigns/:id', path))) page = <CampaignDashboard id={p.id!} />;
  else if ((p = match('/campaigns/:id/regions/:org', path))) page = <RegionWork campaignId={p.id!} org={p.org!} tab={query.get('tab') ?? undefined} />;
  else if (path === '/region') page = <RegionHome />;
  else if (path === '/tasks') page = <Inbox />;
  else if (path === '/verifications') page = <MemberVerifications campaignId={query.get('campaign') ?? undefined} />;
  else if ((p = match('/tasks/:id', path))) page = <TaskPage id={p.id!} />;
  else if (path === '/applications') page = <MyApplications />;
  else if (path === '/applications/new') page = <NewApplication type={query.get('type') ?? 'subsidy'} />;
  else if ((p = match('/applications/:id', path))) page = <ApplicationPage id={p.id!} />;
  else if (path === '/province') page = <ProvinceOverview />;
  else if (path === '/bulletins') page = <Bulletins campaignId={query.get('campaign') ?? undefined} />;
  else if ((p = match('/bulletins/:id', path))) page = <BulletinView id={p.id!} />;
  else if (path === '/roster') page = <MemberRoster query={query} />;
  else if (path === '/posters') page = <Posters />;
  else if (path === '/notifications') page = <Notifications />;
  else if (path === '/password') page = <ChangePassword />;
  else if (path === '/admin/personal-data-log') page = <PersonalDataLog />;
  else if (path === '/admin/people') page = <People />;
  else if (path === '/me') page = <Profile />;
  else if (path === '/admin/orgs') page = <OrgTree />;
  else if (path === '/dev/sms-outbox') page = <SmsOutbox />;
  else if (path === '/admin/calendar') page = <WorkCalendar initialYear={Number(query.get('year')) || undefined} />;
  else if ((p = match('/admin/people/:username/rotate', path))) page = <RotationWizard username={p.username!} />;
  else if (path === '/admin/chains') page = <ChainList />;
  else if ((p = match('/admin/chains/:key', path)))
    page = <ChainDesigner chainKey={p.key!} owner={query.get('owner') ?? undefined} type={query.get('type') ?? undefined} />;
  else page = <NotFound />;

  return <AppLayout path={path}>{guard(page)}</AppLayout>;
}
