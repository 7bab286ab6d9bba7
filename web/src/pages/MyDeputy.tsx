/** 我的代理 / my deputy while away: the signed-in user's own deputy settings. */
import { Typography } from 'antd';
import { DeputySettings } from '../components/DeputySettings';
import { useI18n } from '../i18n';
import { useSession } from '../session';

export default function MyDeputy() {
  const { t } = useI18n();
  const { user } = useSession();
  if (!user) return null;
  return (
    <div data-testid="my-deputy-page">
      <Typography.Title level={4}>{t('我的代理')}</Typography.Title>
      <DeputySettings username={user.username} />
    </div>
  );
}
