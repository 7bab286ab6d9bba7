/**
 * In a real browser: a city admin opens 机构与人员 › 工作日历, sees 2026 with
 * the State Council's holidays in red and the 调休 working days marked 班
 * (from chinese-days), switches to 2027 — not yet in the library, so the page
 * says so — and adds a local holiday by clicking a day: it shows red and
 * marked 改, is listed with the city as its setter, and is removed again.
 * A county admin reads the calendar but cannot edit it.
 * Screenshots in test-output/screenshots/work-calendar-*.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startHarness, type Harness } from '../support/harness';
import { launchBrowser, login, openSession } from './browser';

let h: Harness;
let browser: Browser;
const LOCAL_HOLIDAY = '2027-06-14'; // a Monday, in a year the library does not cover yet
beforeAll(async () => {
  [h, browser] = await Promise.all([startHarness(), launchBrowser()]);
});
afterAll(async () => {
  await h?.db('calendar_overrides').where({ date: LOCAL_HOLIDAY, org_id: 'pds' }).delete();
  await browser?.close();
  await h?.close();
});

describe('the working calendar page', () => {
  it('a city admin sees the official 2026 calendar, adds a local holiday in 2027 and sees it, then removes it', async () => {
    const s = await openSession(browser, h.url);
    const { page } = s;
    await login(s, 'city.admin');
    await page.getByTestId('main-menu').getByText('机构与人员').click();
    await page.getByTestId('main-menu').getByText('工作日历').click();
    await page.waitForURL('**/admin/calendar');
    await page.getByTestId('calendar-page').waitFor();
    await page.getByTestId('cal-prev-year').click(); // to 2025, and back: the switcher works both ways
    await expect.poll(() => page.getByTestId('cal-year').textContent()).toBe('2025 年');
    await page.getByTestId('cal-next-year').click();
    await expect.poll(() => page.getByTestId('cal-year').textContent()).toBe('2026 年');

    const national = page.getByTestId('cal-day-2026-10-01');
    await expect.poll(() => national.getAttribute('data-kind')).toBe('holiday');
    expect(await page.evaluate(`getComputedStyle(document.querySelector('[data-testid="cal-day-2026-10-01"]')).color`)).toBe('rgb(207, 19, 34)');
    const makeUp = page.getByTestId('cal-day-2026-09-20');
    expect(await makeUp.getAttribute('data-kind')).toBe('workday');
    expect(await makeUp.textContent()).toContain('班');
    expect(await page.getByTestId('cal-day-2026-03-10').getAttribute('data-kind')).toBe('');
    await s.shot('work-calendar-2026');

    await page.getByTestId('cal-next-year').click();
    await page.getByTestId('cal-not-covered').waitFor();
    const day = page.getByTestId(`cal-day-${LOCAL_HOLIDAY}`);
    expect(await day.getAttribute('data-kind')).toBe('');
    await day.click();
    await page.getByTestId('cal-name').fill('地方节日');
    await page.getByRole('radio', { name: '放假' }).check();
    await s.shot('work-calendar-edit');
    await page.getByTestId('cal-save').click();
    await expect.poll(() => day.getAttribute('data-kind')).toBe('holiday');
    expect(await day.getAttribute('data-source')).toBe('override');
    expect(await day.textContent()).toContain('改');
    const listed = page.getByTestId('cal-overrides');
    await expect.poll(() => listed.textContent()).toContain('地方节日');
    expect(await listed.textContent()).toContain('平顶山市总工会');
    expect(await h.db('calendar_overrides').where({ date: LOCAL_HOLIDAY, org_id: 'pds' }).first('kind', 'name', 'created_by')).toEqual({
      kind: 'holiday',
      name: '地方节日',
      created_by: 'city.admin',
    });
    await s.shot('work-calendar-2027-local-holiday');

    // Remove it again: the day is ordinary.
    await day.click();
    await page.getByTestId('cal-delete').click();
    await page
      .locator('.ant-popconfirm')
      .getByRole('button', { name: /确\s*定/ })
      .click();
    await expect.poll(() => day.getAttribute('data-kind')).toBe('');
    expect(await h.db('calendar_overrides').where({ date: LOCAL_HOLIDAY, org_id: 'pds' }).first()).toBeUndefined();
    expect(s.errors).toEqual([]);
    await s.close();
  });

  it('a county admin reads the calendar but clicking a day opens no editor', async () => {
    const s = await openSession(browser, h.url);
    const { page } = s;
    await login(s, 'xinhua.admin');
    await page.goto('/admin/calendar?year=2026');
    const national = page.getByTestId('cal-day-2026-10-01');
    await expect.poll(() => national.getAttribute('data-kind'), { timeout: 20_000 }).toBe('holiday');
    await national.click();
    expect(await page.getByTestId('cal-save').count()).toBe(0);
    expect(await page.textContent('body')).toContain('国务院办公厅通知');
    expect(s.errors).toEqual([]);
    await s.close();
  });
});
