/** 已转办: on the page of a task the viewer handed on (转办), whom to, by name, and when — it is no longer theirs to do. */
import { Alert } from 'antd';
import dayjs from 'dayjs';
import { useI18n } from '../i18n';

export interface Transferred {
  toName: string;
  at: string;
}

export function TransferredNotice({ transferred }: { transferred?: Transferred }) {
  const { t } = useI18n();
  if (!transferred) return null;
  return (
    <Alert
      type="info"
      showIcon
      style={{ marginBottom: 12 }}
      data-testid="transferred-notice"
      title={t('您已于 {at} 将此任务转办给 {name}，由其办理', { at: dayjs(transferred.at).format('YYYY-MM-DD HH:mm'), name: transferred.toName })}
    />
  );
}
