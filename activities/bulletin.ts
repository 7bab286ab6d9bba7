/**
 * The bulletin (通报) side effects: the campaign's Temporal Schedule, building
 * and storing a bulletin from SQL aggregates, and its email copies.
 *
 * Idempotency: a schedule is upserted under the campaign's schedule id; a
 * bulletin is stored once per (campaign, period) under a per-campaign lock;
 * an email copy is one row per (bulletin, user) that is claimed before each
 * attempt and never sent again once `sent` (its Message-ID is derived from
 * the same key, so even the rare resend after a crash between the server's
 * acceptance and our record is recognisable as the same message).
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import {
  MONTHS,
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type ScheduleOptionsAction,
  type ScheduleUpdateOptions,
} from '@temporalio/client';
import nodemailer, { type Transporter } from 'nodemailer';
import { labelParts, PHASE_LABELS, type Phase } from '../domain/campaign';
import {
  bulletinScheduleId,
  composeBulletin,
  lastPeriodIndex,
  onDemandPeriodKey,
  periodEnd,
  periodIndexAt,
  reportEvery,
  reportEveryLabel,
  reportEveryMs,
  scheduledPeriodKey,
  scheduleAnchor,
  type BulletinPeriod,
} from '../domain/bulletin';
import { bulletinSubject, bulletinText, renderBulletinHtml } from '../domain/bulletin-html';
import { getCampaign } from '../db/campaign-repository';
import {
  claimEmailDelivery,
  getReport,
  getReportByPeriod,
  implementationClosedAt,
  listBulletinRecipients,
  listUnsentEmail,
  markEmailAttemptFailed,
  markEmailSent,
  readBulletinFigures,
  storeBulletin,
  type StoreBulletinInput,
} from '../db/report-repository';
import { scheduleEvery, type BulletinInput, type BulletinResult, type IssueBulletinInput } from '../workflows/bulletin-types';
import type { ActivityDeps } from './index';

/** Where bulletins are emailed from. Absent: bulletins are delivered in the app only. */
export interface MailSettings {
  /** nodemailer transport URL, e.g. smtp://user:pass@smtp.example.org:587 */
  url: string;
  /** The From header, e.g. 平顶山市总工会 <noreply@union-drive.local> */
  from: string;
  /**
   * Users without an email address get `username@fallbackDomain` (the demo
   * users have none). Unset — as in production — such users get no email; their
   * copy is recorded as skipped.
   */
  fallbackDomain?: string;
}

/** How long a claimed email attempt is considered in flight (longer than the activity's 1-minute timeout). */
const CLAIM_LEASE_SECONDS = 120;

export function createBulletinActivities(deps: ActivityDeps) {
  const { db } = deps;
  let transport: Transporter | undefined;
  const mailer = () => {
    if (!deps.mail) throw ApplicationFailure.create({ type: 'NotConfigured', message: '未配置 SMTP_URL / SMTP is not configured', nonRetryable: true });
    transport ??= nodemailer.createTransport(deps.mail.url, {
      from: deps.mail.from,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
    return transport;
  };

  return {
    /**
     * Creates (or brings up to date) the campaign's bulletin schedule when the
     * implementation phase opens: one firing at the end of each period, from
     * the phase's opening to its planned end. Missed firings are caught up
     * for one period; overlapping runs are allowed because the database keeps
     * one bulletin per period. Safe to retry (an upsert by schedule id); an
     * existing schedule keeps its paused state. When no period ends within the
     * phase, no schedule is created (on-demand bulletins remain).
     */
    async ensureBulletinSchedule(p: {
      campaignId: string;
      openedAt: string;
      endsAt: string;
      reportEvery?: string | number;
    }): Promise<{ scheduleId: string; everyMs: number; periods: number }> {
      const everyMs = reportEveryMs(p.reportEvery);
      const every = reportEvery(p.reportEvery);
      const everyMonths = typeof every === 'number' ? undefined : every.months;
      const anchor = scheduleAnchor(Date.parse(p.openedAt));
      const end = Date.parse(p.endsAt);
      const scheduleId = bulletinScheduleId(p.campaignId);
      const periods = lastPeriodIndex(anchor, every, end);
      // No period ends within the phase (e.g. a phase shorter than the period): nothing to schedule.
      if (periods < 1) return { scheduleId, everyMs, periods };
      const input: BulletinInput = {
        campaignId: p.campaignId,
        kind: 'scheduled',
        schedule: { anchor: new Date(anchor).toISOString(), everyMs, ...(everyMonths ? { everyMonths } : {}), endAt: new Date(end).toISOString() },
      };
      const action: ScheduleOptionsAction = {
        type: 'startWorkflow',
        workflowType: 'bulletinWorkflow',
        args: [input],
        taskQueue: deps.taskQueue,
        // Temporal appends each run's scheduled time to this id.
        workflowId: `bulletin-${p.campaignId}`,
        searchAttributes: { CampaignId: [p.campaignId] },
        workflowRunTimeout: '1 hour',
      };
      // Calendar periods fire at the end of each period, to the second (a month has no fixed length: one calendar entry per period).
      const fires = Array.from({ length: periods }, (_, i) => new Date(periodEnd(anchor, every, i + 1)));
      const spec = {
        ...(everyMonths
          ? {
              calendars: fires.map((d, i) => ({
                year: d.getUTCFullYear(),
                month: MONTHS[d.getUTCMonth()]!,
                dayOfMonth: d.getUTCDate(),
                hour: d.getUTCHours(),
                minute: d.getUTCMinutes(),
                second: d.getUTCSeconds(),
                comment: `第${i + 1}期 / period ${i + 1}`,
              })),
            }
          : { intervals: [{ every: everyMs, offset: anchor % everyMs }] }),
        startAt: new Date(anchor + 1000),
        endAt: new Date(end + 1000),
      };
      const policies = { overlap: ScheduleOverlapPolicy.ALLOW_ALL, catchupWindow: Math.max(10_000, everyMs), pauseOnFailure: false };
      const words = labelParts(reportEveryLabel(p.reportEvery));
      const note = `通报：${words.zh}一期，共 ${periods} 期 / bulletins ${words.en}, ${periods} in all`;
      try {
        await deps.temporal.schedule.create({ scheduleId, spec, action, policies, memo: { campaignId: p.campaignId }, state: { note } });
      } catch (err) {
        if (!(err instanceof ScheduleAlreadyRunning)) throw err;
        await deps.temporal.schedule
          .getHandle(scheduleId)
          .update((prev): ScheduleUpdateOptions => ({ spec, action, policies, state: { paused: prev.state.paused, note: prev.state.note ?? note } }));
      }
      return { scheduleId, everyMs, periods };
    },

    /** Removes the schedule when the implementation phase closes (already gone: nothing to do). */
    async removeBulletinSchedule(p: { campaignId: string }): Promise<void> {
      try {
        await deps.temporal.schedule.getHandle(bulletinScheduleId(p.campaignId)).delete();
      } catch (err) {
        if (!(err instanceof ScheduleNotFoundError)) throw err;
      }
    },

    /**
     * Builds and stores one bulletin. A scheduled period already issued
     * returns that bulletin; a stale catch-up — a run Temporal started only
     * after the next period had ended too (after an outage, or a backfill), so
     * the later period's run reports the same moment — is skipped, and so is a
     * period once a later one has been issued: an outage or a pause is caught
     * up by one bulletin, not one per missed period. A run that started on
     * time is issued however long workers took to get to it. Figures come
     * from SQL aggregates over the projections.
     */
    async issueBulletin(p: IssueBulletinInput): Promise<BulletinResult> {
      const campaign = await getCampaign(db, p.campaignId);
      if (!campaign) throw ApplicationFailure.create({ type: 'NotFound', message: `行动不存在 / campaign ${p.campaignId} not found`, nonRetryable: true });
      let period: BulletinPeriod;
      if (p.kind === 'scheduled') {
        if (!p.period || !p.schedule)
          throw ApplicationFailure.create({ type: 'BadRequest', message: 'a scheduled bulletin needs its period', nonRetryable: true });
        const anchor = Date.parse(p.schedule.anchor);
        // Judged by when Temporal started the run (on time even when workers lag), not by when this attempt runs.
        const startedAt = p.startedAt ? Date.parse(p.startedAt) : Date.now();
        const latest = Math.min(
          periodIndexAt(anchor, scheduleEvery(p.schedule), startedAt),
          lastPeriodIndex(anchor, scheduleEvery(p.schedule), Date.parse(p.schedule.endAt)),
        );
        if (p.period.index < latest)
          return {
            outcome: 'skipped',
            period: scheduledPeriodKey(p.period.index),
            reason: `第${latest}个周期也已结束，由其通报一并补发 / superseded by period ${latest}`,
            emails: 0,
          };
        const closedAt = await implementationClosedAt(db, p.campaignId);
        if (closedAt && Date.parse(p.period.end) > closedAt.getTime() + 1000)
          return {
            outcome: 'skipped',
            period: scheduledPeriodKey(p.period.index),
            reason: '推进实施阶段已结束 / the implementation phase has closed',
            emails: 0,
          };
        period = { key: scheduledPeriodKey(p.period.index), kind: 'scheduled', index: p.period.index, start: p.period.start, end: p.period.end };
      } else {
        period = { key: onDemandPeriodKey(p.requestKey ?? p.workflowId), kind: 'on_demand' };
      }
      const known = await getReportByPeriod(db, p.campaignId, period.key);
      if (known) return { outcome: 'existing', reportId: known.id, seq: known.seq, period: known.period, emails: 0 };

      const raw = await readBulletinFigures(db, p.campaignId);
      if (!raw) throw ApplicationFailure.create({ type: 'NotFound', message: `行动不存在 / campaign ${p.campaignId} not found`, nonRetryable: true });
      const recipients = await listBulletinRecipients(db, campaign.cityOrg);
      const deliveries: StoreBulletinInput['deliveries'] = [];
      for (const r of recipients) {
        deliveries.push({ username: r.username, channel: 'app', status: 'sent', address: null });
        if (deps.mail) {
          const address = r.email ?? (deps.mail.fallbackDomain ? `${r.username}@${deps.mail.fallbackDomain}` : null);
          deliveries.push(
            address
              ? { username: r.username, channel: 'email', status: 'pending', address }
              : { username: r.username, channel: 'email', status: 'skipped', address: null, lastError: '无邮箱地址 / no email address' },
          );
        }
      }
      const stored = await storeBulletin(db, {
        campaignId: p.campaignId,
        kind: p.kind,
        period,
        issuedBy: p.issuedBy,
        workflowId: p.workflowId,
        compose: (ctx) =>
          composeBulletin(
            raw,
            {
              id: ctx.id,
              seq: ctx.seq,
              kind: p.kind,
              period,
              issuedAt: ctx.issuedAt,
              issuedBy: p.issuedBy,
              phaseLabel: PHASE_LABELS[raw.campaign.phase as Phase] ?? raw.campaign.phase,
              missedPeriods: ctx.missedPeriods,
            },
            ctx.previous,
            ctx.previous?.trend ?? [],
          ),
        deliveries,
        notice: (d) => `【通报】${d.campaign.name}推进情况（${d.label}）已发布：新增会员完成率 ${d.totals.completion}% / progress bulletin ${d.seq} issued`,
      });
      if (stored.outcome === 'skipped') return { outcome: 'skipped', period: period.key, reason: stored.reason, emails: 0 };
      const emails = stored.outcome === 'created' ? deliveries.filter((d) => d.channel === 'email' && d.status === 'pending').length : 0;
      return { outcome: stored.outcome, reportId: stored.report.id, seq: stored.report.seq, period: stored.report.period, emails };
    },

    /** The bulletin's email copies still to send (read-only). */
    async listUnsentBulletinEmails(p: { reportId: string }): Promise<string[]> {
      return listUnsentEmail(db, p.reportId);
    },

    /**
     * Emails one supervisor their copy of the bulletin (HTML with its SVG
     * charts, and a text part). Each attempt is counted on the delivery row;
     * a copy already sent is not sent again. A failure is recorded and
     * rethrown, so Temporal retries it with backoff.
     */
    async sendBulletinEmail(p: { reportId: string; username: string }): Promise<{ status: 'sent' | 'already_sent'; messageId: string }> {
      const transporter = mailer();
      const messageId = `<bulletin.${p.reportId}.${p.username}@union-drive.local>`;
      const claim = await claimEmailDelivery(db, p.reportId, p.username, CLAIM_LEASE_SECONDS);
      if (claim.state !== 'claimed') {
        if (claim.state === 'sent') return { status: 'already_sent', messageId: claim.row?.messageId ?? messageId };
        if (claim.state === 'missing')
          throw ApplicationFailure.create({ type: 'NotFound', message: `no email delivery for ${p.username} on ${p.reportId}`, nonRetryable: true });
        throw new Error('另一次发送尚在进行 / another attempt is still sending');
      }
      const address = claim.row.address;
      if (!address) throw ApplicationFailure.create({ type: 'BadRequest', message: `no address for ${p.username}`, nonRetryable: true });
      const report = await getReport(db, p.reportId);
      if (!report) throw ApplicationFailure.create({ type: 'NotFound', message: `bulletin ${p.reportId} not found`, nonRetryable: true });
      try {
        await transporter.sendMail({
          from: deps.mail!.from,
          to: address,
          subject: bulletinSubject(report.data),
          html: renderBulletinHtml(report.data),
          text: bulletinText(report.data),
          messageId,
          textEncoding: 'base64',
          headers: { 'X-Union-Drive-Bulletin': p.reportId, 'X-Union-Drive-Attempt': String(Context.current().info.attempt) },
        });
      } catch (err) {
        await markEmailAttemptFailed(db, p.reportId, p.username, (err as Error).message ?? String(err), false);
        throw err;
      }
      await markEmailSent(db, p.reportId, p.username, messageId);
      return { status: 'sent', messageId };
    },

    /** After the last retry: the copy is recorded as failed with its last error. */
    async markBulletinEmailFailed(p: { reportId: string; username: string; error: string }): Promise<void> {
      await markEmailAttemptFailed(db, p.reportId, p.username, p.error, true);
    },
  };
}
