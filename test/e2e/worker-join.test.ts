/**
 * In a real browser: a union's staff downloads the union's QR poster; a
 * worker on a phone follows its link to the public join page (扫码入会),
 * applies — wrong ID number first, shown inline — and looks the application
 * up with its reference number and phone while it goes through the
 * membership chain. The public routes are abuse-limited (429, in Chinese on
 * the form) and answer without personal data.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { Browser } from 'playwright-core';
import { startApi, type RunningApi } from '../../api/server';
import { startHarness, type Harness } from '../support/harness';
import { CampaignDriver } from '../support/campaigns';
import { uniqueIdNumber, uniquePhone } from '../support/factories';
import { launchBrowser, login, openSession, SCREENSHOTS } from './browser';

let h: Harness;
let d: CampaignDriver;
let browser: Browser;
let limited: RunningApi;
beforeAll(async () => {
  [h, browser] = await Promise.all([startHarness(), launchBrowser()]);
  d = new CampaignDriver(h);
  // A second API on the same system with tiny public limits, to reach them in a test.
  limited = await startApi(
    {
      db: h.db,
      temporal: h.temporal,
      taskQueue: h.taskQueue,
      jwtSecret: inject('jwtSecret'),
      jwtTtl: '1h',
      pii: h.pii,
      publicJoin: true,
      loginLimit: 1000,
      publicJoinLimit: 2,
      publicLookupLimit: 3,
      // Its own counters: other test files' public requests come from the same address.
      limitScope: `worker-join-${h.taskQueue}`,
    },
    0,
  );
});
afterAll(async () => {
  await browser?.close();
  await limited?.close();
  await h?.close();
});

const UNION = 'pds-xinhua-express';
const UNION_NAME = '新华区快递行业工会联合会';

/** Width and height from a PNG's IHDR chunk. */
function pngSize(buf: Buffer): { width: number; height: number } {
  expect(buf.subarray(1, 4).toString('latin1')).toBe('PNG');
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

describe('扫码入会 in the browser', () => {
  it('a union’s poster leads a worker on a phone to apply and follow the application by reference number and phone', async () => {
    // ---- the county's staff downloads the union's poster ----
    const staff = await openSession(browser, h.url);
    await login(staff, 'xinhua.staff');
    await staff.page.getByRole('menuitem', { name: '入会二维码' }).click();
    const card = staff.page.getByTestId(`poster-${UNION}`);
    await card.locator('img').first().waitFor();
    await staff.shot('40-union-posters');
    const [png] = await Promise.all([staff.page.waitForEvent('download'), card.getByTestId('poster-png').click()]);
    expect(png.suggestedFilename()).toBe(`扫码入会海报-${UNION_NAME}.png`);
    expect(pngSize(fs.readFileSync(await png.path()))).toEqual({ width: 2480, height: 3508 });
    await png.saveAs(path.join(SCREENSHOTS, '40-union-poster-download.png'));
    const [svg] = await Promise.all([staff.page.waitForEvent('download'), card.getByRole('button', { name: /下载海报 SVG/ }).click()]);
    const svgText = fs.readFileSync(await svg.path(), 'utf8');
    expect(svgText).toContain(UNION_NAME);
    expect(svgText).toContain(`${h.url}/join?union=${UNION}`);
    const [qr] = await Promise.all([staff.page.waitForEvent('download'), card.getByRole('button', { name: '下载二维码' }).click()]);
    expect(pngSize(fs.readFileSync(await qr.path())).width).toBe(1200);

    // Who may download it: the union's own people and staff above it; others in scope 403, out of scope 404.
    const poster = async (u: string) => (await h.call('GET', `/api/orgs/${UNION}/join-poster.svg`, { token: await h.login(u) })).status;
    expect(await poster('xinhua-express.reviewer')).toBe(200);
    expect(await poster('city.admin')).toBe(200);
    expect(await poster('xinhua.reviewer')).toBe(403);
    expect(await poster('weidong.staff')).toBe(404);
    expect((await h.call('GET', `/api/orgs/${UNION}/join-poster.png`)).status).toBe(401);

    // ---- a worker on a phone follows the poster's link ----
    const worker = await openSession(browser, h.url, { mobile: true });
    const { page } = worker;
    await page.goto(`/join?union=${UNION}`);
    await page.getByTestId('join-union').getByText(UNION_NAME).waitFor();
    const idNumber = uniqueIdNumber();
    const phone = uniquePhone();
    const wrongCheck = idNumber.slice(0, 17) + (idNumber[17] === '0' ? '1' : '0');
    await page.getByLabel('姓名').fill('王小明');
    await page.getByLabel('身份证号').fill(wrongCheck);
    await page.getByLabel('手机号').fill(phone);
    await page.getByLabel('工作单位（选填）').fill('某快递网点');
    await page.getByRole('checkbox').check();
    await page.getByRole('button', { name: '申请入会' }).click();
    await page.getByText('身份证号校验位不正确，请核对').waitFor();
    await worker.shot('41-join-form-invalid-id');
    await page.getByLabel('身份证号').fill(idNumber);
    await page.getByRole('button', { name: '申请入会' }).click();
    const ref = page.getByTestId('reference-number');
    await ref.waitFor();
    const applicationId = (await ref.textContent())!.trim();
    expect(applicationId).toMatch(/^[\w-]+$/);
    await worker.shot('42-join-submitted');

    // ---- the status look-up: a wrong phone finds nothing, the right one the application ----
    await page.getByRole('button', { name: '查询办理进度' }).click();
    await page.waitForURL(`**/join/status?id=${applicationId}`);
    await page.getByLabel('申请时填写的手机号').fill(phone.slice(0, 10) + (phone[10] === '1' ? '2' : '1'));
    await page.getByRole('button', { name: /查\s*询/ }).click();
    await page.getByText('未找到该申请，请核对申请编号和手机号').waitFor();
    await page.getByLabel('申请时填写的手机号').fill(phone);
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: /查\s*询/ }).click();
          return page.getByTestId('status-result').textContent();
        },
        { timeout: 20_000 },
      )
      .toContain(UNION_NAME);
    await expect(page.getByTestId('public-status').textContent()).resolves.toBe('审批中');
    await worker.shot('43-join-status-pending');

    // The application is in the union's membership chain: the union's reviewer passes the initial
    // and the identity review; admission by the same reviewer follows at once (approve once).
    for (let i = 0; i < 2; i++) await d.act('xinhua-express.reviewer', applicationId, { action: 'approve', comment: '材料齐全' });
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: /查\s*询/ }).click();
          return page.getByTestId('public-status').textContent();
        },
        { timeout: 30_000 },
      )
      .toBe('已通过');
    await worker.shot('44-join-status-approved');

    // The public answer carries no personal data, and the reviewers' comments stay internal.
    const pub = await h.call('GET', `/api/public/applications/${applicationId}?phone=${phone}`);
    expect(pub.status).toBe(200);
    const text = JSON.stringify(pub.body);
    for (const secret of ['王小明', idNumber, phone, phone.slice(-4), '某快递网点', '材料齐全', 'xinhua-express.reviewer', 'Enc', 'Hash', 'Masked'])
      expect(text).not.toContain(secret);
    expect(pub.body).toMatchObject({ id: applicationId, status: 'approved', union: { id: UNION, name: UNION_NAME } });

    for (const s of [staff, worker]) {
      expect(s.errors).toEqual([]);
      await s.close();
    }
  }, 180_000);

  it('limits public applications and look-ups per address, the join form says so in Chinese, and deep links load the app', async () => {
    const body = { type: 'membership', name: '李四', idNumber: uniqueIdNumber(), phone: uniquePhone(), group: 'courier', area: 'nowhere' };
    const post = (headers: Record<string, string> = {}) =>
      fetch(`${limited.url}/api/applications`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    // Two attempts (refused for the unknown area) use up the limit of two…
    expect((await post()).status).toBe(400);
    expect((await post()).status).toBe(400);
    const third = await post();
    expect(third.status).toBe(429);
    expect(third.headers.get('content-type')).toContain('application/problem+json');
    expect(await third.json()).toMatchObject({ status: 429, detail: expect.stringContaining('提交过于频繁') });
    // …while a signed-in caller is not limited here.
    const token = await h.login('xinhua.staff');
    expect((await post({ authorization: `Bearer ${token}` })).status).toBe(400);

    // The phone's join form, served by the limited API, shows the 429 next to the submit button.
    const worker = await openSession(browser, limited.url, { mobile: true });
    const { page } = worker;
    await page.goto(`/join?union=${UNION}`);
    await page.getByLabel('姓名').fill('李四');
    await page.getByLabel('身份证号').fill(uniqueIdNumber());
    await page.getByLabel('手机号').fill(uniquePhone());
    await page.getByRole('checkbox').check();
    await page.getByRole('button', { name: '申请入会' }).click();
    const alert = page.getByTestId('join-form').getByTestId('error-alert');
    await expect.poll(() => alert.textContent()).toContain('提交过于频繁，请一小时后再试');
    await worker.shot('45-join-rate-limited');

    // Look-ups have their own limit (3 here; the page above used one to load the unions).
    const lookup = () => fetch(`${limited.url}/api/public/applications/nope?phone=13800000000`);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await lookup()).status);
    expect(statuses).toEqual([404, 404, 429]);

    // The app's own paths load the app (a reload, a QR code); a missing asset stays a 404.
    const deep = await fetch(`${limited.url}/tasks/some-task`);
    expect(deep.status).toBe(200);
    expect(deep.headers.get('content-type')).toContain('text/html');
    expect((await fetch(`${limited.url}/assets/missing-chunk.js`)).status).toBe(404);
    expect(worker.errors).toEqual([]);
    await worker.close();
  }, 60_000);
});
