/** The public join pages' routes (public.html): /join and /join/status; a link elsewhere loads that page's entry. */
import { useEffect } from 'react';
import { pageEntry } from './entries';
import { useLocation } from './router';
import { useI18n } from './public/i18n';
import { ErrorBoundary, PublicShell, Spinner } from './public/ui';
import Join from './pages/Join';
import JoinStatus from './pages/JoinStatus';

export function PublicApp() {
  const { path, query } = useLocation();
  const { t } = useI18n();
  const guard = (node: React.ReactNode) => (
    <ErrorBoundary key={path} labels={{ title: t('页面出错了'), reload: t('重新加载') }}>
      {node}
    </ErrorBoundary>
  );
  if (path === '/join') return guard(<Join union={query.get('union')} />);
  if (path === '/join/status') return guard(<JoinStatus initialRef={query.get('ref') ?? query.get('id')} />);
  if (pageEntry(path) !== 'public') return <Elsewhere to={`${path}${location.search}`} />;
  return (
    <PublicShell>
      <section className="pj-card pj-result">
        <div className="pj-result-icon is-muted" aria-hidden="true">
          ?
        </div>
        <h2 className="pj-result-title">404</h2>
        <p className="pj-muted">{t('页面不存在')}</p>
        <a className="pj-button pj-button-primary" href="/join">
          {t('返回入会申请')}
        </a>
      </section>
    </PublicShell>
  );
}

/** A path another entry serves (the staff app, the member card): loaded from the server. */
function Elsewhere({ to }: { to: string }) {
  const { t } = useI18n();
  useEffect(() => window.location.replace(to), [to]);
  return <Spinner label={t('正在加载…')} />;
}
