/** How long a task has left, or how long it is overdue. */
import { Tag } from 'antd';
import { useI18n } from '../i18n';

export function humanDuration(ms: number, lang: 'zh' | 'en'): string {
  const abs = Math.abs(ms);
  const d = Math.floor(abs / 86_400_000);
  const h = Math.floor((abs % 86_400_000) / 3_600_000);
  const min = Math.max(1, Math.floor((abs % 3_600_000) / 60_000));
  if (lang === 'zh') return d ? `${d} 天 ${h} 小时` : h ? `${h} 小时 ${min} 分` : `${min} 分钟`;
  return d ? `${d}d ${h}h` : h ? `${h}h ${min}m` : `${min}m`;
}

export function DueTag({ dueAt, status, now = Date.now() }: { dueAt: string | null | undefined; status?: string; now?: number }) {
  const { lang, t } = useI18n();
  if (status && status !== 'pending') return <Tag>{t('已办')}</Tag>;
  if (!dueAt) return <Tag data-testid="due-tag">{t('无时限')}</Tag>;
  const left = Date.parse(dueAt) - now;
  if (left < 0)
    return (
      <Tag color="red" data-testid="due-tag">
        {lang === 'zh' ? `已逾期 ${humanDuration(left, lang)}` : `overdue ${humanDuration(left, lang)}`}
      </Tag>
    );
  return (
    <Tag color={left < 86_400_000 ? 'orange' : 'blue'} data-testid="due-tag">
      {lang === 'zh' ? `剩余 ${humanDuration(left, lang)}` : `${humanDuration(left, lang)} left`}
    </Tag>
  );
}
