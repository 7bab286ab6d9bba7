/** An application's audit trail (审批记录) as a timeline: who did what at which step, with their comment. */
import { Tag, Timeline, Typography } from 'antd';
import dayjs from 'dayjs';
import { useI18n } from '../i18n';
import { ACTIONS, label } from '../labels';

export interface TimelineEntry {
  at: string;
  actor?: string;
  /** The actor's name (the server adds it); shown instead of the login name. */
  actorName?: string;
  /** The post they acted in (平顶山市总工会 审核员), shown after the name. */
  actorPost?: string | null;
  /** The people the entry's data names (转办 to, 加签 to, 减签 removed…), by login: their name and post. */
  people?: Record<string, { name: string; post: string }>;
  action: string;
  comment?: string | null;
  note?: string;
  step?: string | null;
  data?: Record<string, unknown> | null;
  /** 代理: the absent person a deputy acted for (the server adds it with their name). */
  onBehalfOf?: { username: string; name: string };
}

const COLOR: Record<string, string> = {
  approve: 'green',
  approved: 'green',
  reject: 'red',
  return: 'orange',
  escalated: 'red',
  phaseEscalated: 'red',
  submitted: 'blue',
  resubmit: 'blue',
};

/** One approver correction of a field, as the timeline records it (old and new value). */
interface FieldEdit {
  field: string;
  before: unknown;
  after: unknown;
}

/** 张三（平顶山市总工会 审核员）: a person by name and post, never by login; '—' when unknown. */
export function personText(name: string | null | undefined, post?: string | null): string {
  if (!name) return '—';
  return post ? `${name}（${post}）` : name;
}

const shown = (v: unknown) =>
  v === null || v === undefined || v === '' ? '—' : typeof v === 'number' ? v.toLocaleString('zh-CN') : typeof v === 'string' ? v : JSON.stringify(v);

/** Whom an entry went to or removed, by name and post (logins nobody holds are left out). */
function toPeople(e: TimelineEntry): string[] {
  const logins = [e.data?.to, e.data?.removed].flatMap((v) => (typeof v === 'string' ? [v] : Array.isArray(v) ? (v as unknown[]) : []));
  return logins.flatMap((u) => (typeof u === 'string' && e.people?.[u] ? [personText(e.people[u].name, e.people[u].post)] : []));
}

export function AppTimeline({
  entries,
  showActor = true,
  fieldLabel = (f) => f,
}: {
  entries: TimelineEntry[];
  showActor?: boolean;
  /** The label of a form field, for the edit records. */
  fieldLabel?: (field: string) => string;
}) {
  const { lang, m, t } = useI18n();
  return (
    <div data-testid="app-timeline">
      <Timeline
        items={entries
          .filter((e) => e.action !== 'reminded')
          .map((e, i) => ({
            key: i,
            color: COLOR[e.action] ?? 'gray',
            title: dayjs(e.at).format('YYYY-MM-DD HH:mm:ss'),
            content: (
              <div>
                <Tag color={COLOR[e.action]}>{label(ACTIONS, e.action, lang)}</Tag>
                {e.step && <Typography.Text type="secondary">{m(e.step)}</Typography.Text>}
                {showActor && e.actorName && (
                  <Typography.Text style={{ marginInlineStart: 8 }} data-testid="timeline-actor">
                    {e.actorName.includes(' / ') ? m(e.actorName) : personText(e.actorName, e.actorPost)}
                  </Typography.Text>
                )}
                {e.onBehalfOf && (
                  <Tag color="purple" style={{ marginInlineStart: 8 }} data-testid="on-behalf-tag">
                    {t('代{name}审批', { name: e.onBehalfOf.name })}
                  </Tag>
                )}
                {(e.comment || e.note) && <div style={{ marginTop: 4 }}>{m(e.comment ?? e.note)}</div>}
                {typeof e.data?.staffNote === 'string' && (
                  <div style={{ marginTop: 4 }}>
                    <Tag color={e.data.conflict ? 'red' : 'default'}>{t('仅工作人员可见')}</Tag>
                    <Typography.Text type="secondary">{m(e.data.staffNote)}</Typography.Text>
                  </div>
                )}
                {Array.isArray(e.data?.edits) && (e.data.edits as FieldEdit[]).length > 0 && (
                  <ul style={{ margin: '4px 0 0', paddingInlineStart: 18 }} data-testid="timeline-edits">
                    {(e.data.edits as FieldEdit[]).map((x) => (
                      <li key={x.field}>
                        {t('修改{field}：{before} → {after}', { field: fieldLabel(x.field), before: shown(x.before), after: shown(x.after) })}
                      </li>
                    ))}
                  </ul>
                )}
                {toPeople(e).length > 0 && <div style={{ color: '#8c8c8c' }}>→ {toPeople(e).join('、')}</div>}
              </div>
            ),
          }))}
      />
    </div>
  );
}
