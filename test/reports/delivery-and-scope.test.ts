/**
 * Who gets a bulletin (通报) and who may read it. The supervisors in scope —
 * the city's and the province's — find it in the app ("my bulletins") and,
 * with SMTP configured, receive it by email from a real SMTP server on
 * loopback: the HTML bulletin with its charts, once per recipient, even when
 * the first attempt is refused and retried. Region staff read their city's
 * bulletin; a region outside the campaign and other roles cannot.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bulletinDeliveryWorkflow } from '../../workflows';
import { eventually, startHarness, type Harness } from '../support/harness';
import { buildLaunch, CampaignDriver, phaseWindows } from '../support/campaigns';
import { decodeWords, header, issueBulletin, issueOk, mimePart, readBulletin, startSmtpSink, waitForMail } from '../support/reports';

const FALLBACK_DOMAIN = 'demo.union-drive.local';
const CITY_LEAD = `city.lead@${FALLBACK_DOMAIN}`;
const PROV_LEAD = `prov.lead@${FALLBACK_DOMAIN}`;

let h: Harness;
let d: CampaignDriver;
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
beforeAll(async () => {
  // The province supervisor's mail server refuses the first attempt (451): the activity retries.
  smtp = await startSmtpSink({ failOnce: [PROV_LEAD] });
  h = await startHarness({ mail: { url: smtp.url, from: '平顶山市总工会 <noreply@union-drive.local>', fallbackDomain: FALLBACK_DOMAIN } });
  d = new CampaignDriver(h);
});
afterAll(async () => {
  await h?.close();
  await smtp?.close();
});

describe('delivering a bulletin', () => {
  let campaignId: string;
  let reportId: string;

  it('the city and province supervisors receive the HTML bulletin by email once each, a refused attempt is retried, and every delivery is recorded', async () => {
    const { id } = await d.launch(buildLaunch({ regions: ['pds-xinhua', 'pds-weidong'] }));
    campaignId = id;
    await d.waitForPhase(id, 'survey');
    const issued = await issueOk(h, id, { key: 'deliver-1' });
    reportId = issued.id;

    const mails = await waitForMail(smtp, 2);
    // Let any stray retry arrive before counting.
    await new Promise((r) => setTimeout(r, 1500));
    expect(smtp.received).toHaveLength(2);
    expect(
      mails
        .map((m) => m.to)
        .flat()
        .sort(),
    ).toEqual([CITY_LEAD, PROV_LEAD]);
    // Two RCPT attempts for the province (refused, then accepted), one for the city.
    expect(smtp.attempts.get(PROV_LEAD)).toBe(2);
    expect(smtp.attempts.get(CITY_LEAD)).toBe(1);

    const mail = mails.find((m) => m.to.includes(CITY_LEAD))!;
    expect(decodeWords(header(mail.raw, 'subject')!)).toBe(`【通报】${(await d.view(id)).name}推进情况（第1期（临时））/ Progress bulletin No. 1`);
    expect(decodeWords(header(mail.raw, 'from')!)).toContain('平顶山市总工会');
    expect(header(mail.raw, 'message-id')).toBe(`<bulletin.${reportId}.city.lead@union-drive.local>`);
    const html = mimePart(mail.raw, 'text/html')!;
    expect(html).toContain('<svg');
    for (const name of ['新华区总工会', '卫东区总工会', '关于', '第1期']) expect(html).toContain(name);
    expect(mimePart(mail.raw, 'text/plain')).toContain('各地区排名');

    const deliveries = await eventually(async () => {
      const r = await h.call('GET', `/api/reports/${reportId}/deliveries`, { token: await d.as('city.admin') });
      return r.body.items.filter((x: { status: string }) => x.status === 'sent').length === 4 ? r.body.items : undefined;
    });
    const row = (username: string, channel: string) =>
      deliveries.find((x: { username: string; channel: string }) => x.username === username && x.channel === channel);
    expect(row('city.lead', 'email')).toMatchObject({
      status: 'sent',
      attempts: 1,
      address: CITY_LEAD,
      messageId: `<bulletin.${reportId}.city.lead@union-drive.local>`,
    });
    expect(row('prov.lead', 'email')).toMatchObject({ status: 'sent', attempts: 2, address: PROV_LEAD });
    expect(row('prov.lead', 'email').lastError).toBeNull();
    expect(row('city.lead', 'app')).toMatchObject({ status: 'sent' });
    expect(row('prov.lead', 'app')).toMatchObject({ status: 'sent' });
    expect(deliveries).toHaveLength(4);
  }, 60_000);

  it('is never sent twice: repeating the request or running the delivery again sends nothing more', async () => {
    expect((await issueOk(h, campaignId, { key: 'deliver-1' })).id).toBe(reportId);
    const again = await h.temporal.workflow.execute(bulletinDeliveryWorkflow, {
      taskQueue: h.taskQueue,
      workflowId: `bulletin-delivery-again-${reportId}`,
      args: [{ reportId }],
    });
    expect(again).toEqual({ sent: [], failed: [] });
    await new Promise((r) => setTimeout(r, 1000));
    expect(smtp.received).toHaveLength(2);
    const rows = await h.db('report_deliveries').where({ report_id: reportId, channel: 'email' }).orderBy('username');
    expect(rows.map((r: { username: string; attempts: number }) => [r.username, r.attempts])).toEqual([
      ['city.lead', 1],
      ['prov.lead', 2],
    ]);
  }, 30_000);

  it('the supervisors find it under "my bulletins", marked read once opened', async () => {
    for (const username of ['city.lead', 'prov.lead']) {
      const mine = await h.call('GET', '/api/reports', { token: await d.as(username) });
      expect(mine.status).toBe(200);
      const item = mine.body.items.find((x: { id: string }) => x.id === reportId);
      expect(item).toMatchObject({ campaignId, seq: 1, label: '第1期（临时）', readAt: null, links: { html: `/api/reports/${reportId}?format=html` } });
      // Figures themselves are checked in content.test.ts; other files' online joins in the same regions may count here.
      expect(item.headline).toMatchObject({ newMembers: expect.any(Number), completion: expect.any(Number) });
    }
    await readBulletin(h, reportId, 'prov.lead');
    const after = await h.call('GET', '/api/reports', { token: await d.as('prov.lead') });
    expect(after.body.items.find((x: { id: string }) => x.id === reportId).readAt).not.toBeNull();
    // Not a recipient: the city admin's "my bulletins" does not list it, the campaign's list does.
    expect((await h.call('GET', '/api/reports', { token: await d.as('city.admin') })).body.items.some((x: { id: string }) => x.id === reportId)).toBe(false);
    const list = await h.call('GET', `/api/campaigns/${campaignId}/reports`, { token: await d.as('prov.lead') });
    expect(list.status).toBe(200);
    expect(list.body.items.map((x: { id: string }) => x.id)).toEqual([reportId]);
    expect(list.body.nextCursor).toBeNull();
    expect(await h.db('notifications').where({ username: 'prov.lead', kind: 'bulletin' }).andWhere('event_key', 'like', `bulletin:${reportId}:%`)).toHaveLength(
      1,
    );
  });

  it('the province supervisor sees the city’s bulletins; region staff of the campaign read it; others are refused', async () => {
    const get = async (username: string) => (await h.call('GET', `/api/reports/${reportId}?format=html`, { token: await d.as(username) })).status;
    expect(await get('prov.lead')).toBe(200);
    expect(await get('city.lead')).toBe(200);
    expect(await get('city.staff')).toBe(200);
    // 通报 is circulated to the regions taking part.
    expect(await get('xinhua.staff')).toBe(200);
    // A district outside the campaign, and an industry union outside it: not found.
    expect(await get('zhanhe.staff')).toBe(404);
    expect(await get('gongjiao.staff')).toBe(404);
    // In scope, but not a role bulletins go to.
    expect(await get('city.reviewer')).toBe(403);
    expect(await get('xinhua.reviewer')).toBe(403);
    expect(await get('prov.reviewer')).toBe(403);
    expect((await h.call('GET', `/api/campaigns/${campaignId}/reports`, { token: await d.as('zhanhe.staff') })).status).toBe(404);
    expect((await h.call('GET', '/api/reports/no-such-bulletin', { token: await d.as('city.admin') })).status).toBe(404);
    // Deliveries are for the city's and province's admins and supervisors.
    expect((await h.call('GET', `/api/reports/${reportId}/deliveries`, { token: await d.as('xinhua.staff') })).status).toBe(403);
    expect((await h.call('GET', `/api/reports/${reportId}/deliveries`, { token: await d.as('prov.lead') })).status).toBe(200);
  });

  it('only the city admin issues a bulletin, and not before the campaign has started', async () => {
    for (const username of ['city.staff', 'city.lead', 'xinhua.staff']) {
      const r = await issueBulletin(h, campaignId, { username });
      expect(r.status, username).toBe(403);
      expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
    }
    expect((await issueBulletin(h, campaignId, { username: 'zhanhe.staff' })).status).toBe(404);
    const future = new Date(Date.now() + 3_600_000);
    const { id } = await d.launch(buildLaunch({ regions: ['pds-xinhua'], phases: phaseWindows(future, 3_600_000) }));
    const early = await issueBulletin(h, id);
    expect(early.status).toBe(409);
    expect(await h.db('reports').where({ campaign_id: id })).toHaveLength(0);
  });
});
