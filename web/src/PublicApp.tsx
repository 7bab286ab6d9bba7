/** The public join pages' routes (public.html): /join and /join/status; a link elsewhere loads that page's entry. */
import { lazy, Suspense } from 'react';
import { Result } from 'antd';
import { pageEntry } from './entries';
import { Elsewhere, pageLoading } from './theme';
import { useI18n } from './i18n';
import { useLocation } from './router';
import { ErrorBoundary } from './components/ErrorBoundary';
import Join from './pages/Join';

const JoinStatus = lazy(() => import('./pages/JoinStatus'));

export function PublicApp() {
  const { path, query } = useLocation();
  const { t } = useI18n();
  const guard = (node: React.ReactNode) => (
    <ErrorBoundary key={path} labels={{ title: t('页面出错了'), reload: t('重新加载') }}>
      <Suspense fallback={pageLoading}>{node}</Suspense>
    </ErrorBoundary>
  );
  if (path === '/join') return guard(<Join union={query.get('union')} />);
  if (path === '/join/status') return guard(<JoinStatus initialRef={query.get('ref') ?? query.get('id')} />);
  if (pageEntry(path) !== 'public') return <Elsewhere to={`${path}${location.search}`} />;
  return <Result status="404" title="404" subTitle={t('页面不存在')} />;
}
