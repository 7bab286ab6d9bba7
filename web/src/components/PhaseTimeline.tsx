/**
 * The campaign's four phases on one time axis, each as wide as it is long,
 * with a marker at today's position and the current phase highlighted.
 */
import { Tooltip, Typography } from 'antd';
import dayjs from 'dayjs';
import { useI18n } from '../i18n';
import { label, PHASES, WORK_PHASES } from '../labels';

const COLORS: Record<string, string> = { survey: '#1677ff', listing: '#722ed1', implementation: '#13a8a8', assessment: '#fa8c16' };

export function PhaseTimeline({ phases, current, now = new Date() }: { phases: Record<string, { start: string; end: string }>; current: string; now?: Date }) {
  const { lang, t } = useI18n();
  const windows = WORK_PHASES.map((p) => ({ p, start: Date.parse(phases[p]?.start ?? ''), end: Date.parse(phases[p]?.end ?? '') })).filter(
    (w) => !isNaN(w.start) && !isNaN(w.end),
  );
  if (!windows.length) return null;
  const from = Math.min(...windows.map((w) => w.start));
  const to = Math.max(...windows.map((w) => w.end));
  const span = Math.max(1, to - from);
  const pct = (x: number) => `${(((x - from) / span) * 100).toFixed(3)}%`;
  const today = now.getTime();
  const todayPos = Math.min(Math.max(today, from), to);
  const fmt = (ms: number) => {
    const d = dayjs(ms);
    // Short phases (tests, drills) need the time of day; real ones only the date.
    return span < 3 * 86_400_000 ? d.format('MM-DD HH:mm') : d.format('YYYY-MM-DD');
  };
  return (
    <div data-testid="phase-timeline" style={{ position: 'relative', padding: '28px 0 8px' }}>
      <div style={{ position: 'relative', height: 44, background: '#f5f5f5', borderRadius: 6 }}>
        {windows.map((w) => {
          const active = w.p === current;
          return (
            <Tooltip key={w.p} title={`${label(PHASES, w.p, lang)}：${fmt(w.start)} — ${fmt(w.end)}`}>
              <div
                data-phase={w.p}
                data-active={active || undefined}
                style={{
                  position: 'absolute',
                  left: pct(w.start),
                  width: `calc(${pct(w.end)} - ${pct(w.start)})`,
                  top: 0,
                  bottom: 0,
                  // Translucent fills keep the labels of the other phases readable.
                  background: active ? COLORS[w.p] : `${COLORS[w.p]}${current === 'closed' || w.end < today ? '66' : '33'}`,
                  borderRight: '2px solid #fff',
                  color: active ? '#fff' : '#262626',
                  fontWeight: active ? 600 : 400,
                  display: 'flex',
                  alignItems: 'center',
                  justifyContent: 'center',
                  overflow: 'hidden',
                  whiteSpace: 'nowrap',
                  fontSize: 13,
                  borderRadius: 4,
                }}
              >
                {label(PHASES, w.p, lang)}
              </div>
            </Tooltip>
          );
        })}
        <div data-testid="today-marker" style={{ position: 'absolute', left: pct(todayPos), top: -22, bottom: -6, width: 2, background: '#c8102e' }}>
          <span style={{ position: 'absolute', top: 0, left: 4, color: '#c8102e', fontSize: 12, whiteSpace: 'nowrap' }}>
            {t('今天')} {dayjs(today).format('MM-DD HH:mm')}
          </span>
        </div>
      </div>
      <div style={{ display: 'flex', justifyContent: 'space-between', marginTop: 6 }}>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {fmt(from)}
        </Typography.Text>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {fmt(to)}
        </Typography.Text>
      </div>
    </div>
  );
}
