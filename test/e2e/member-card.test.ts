/**
 * In a real browser, phone-sized (390 px): a member admitted through the
 * membership chain opens their electronic member card (电子会员卡) — red
 * card, name, union, number, date, QR code — and prints it; a union scans
 * the QR code and sees ✓ 有效会员 with the masked name; an unknown card
 * shows ✗ 无效. Screenshots in test-output/screenshots/member-card-*.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { memberCardCodeForApplication } from '../../db/member-repository';
import { Approvals } from '../support/approvals';
import { buildMember } from '../support/factories';
import { startHarness, type Harness } from '../support/harness';
import { launchBrowser, openSession } from './browser';

let h: Harness;
let browser: Browser;
let code: string;
beforeAll(async () => {
  [h, browser] = await Promise.all([startHarness(), launchBrowser()]);
  const api = new Approvals(h);
  const id = await api.start(null, buildMember({ name: '张小红', group: 'courier', area: 'pds-xinhua' }));
  await api.ok('xinhua-express.reviewer', (await api.task('xinhua-express.reviewer', id, 1)).id, { action: 'approve' });
  await api.ok('xinhua-express.reviewer', (await api.task('xinhua-express.reviewer', id, 3)).id, { action: 'approve' });
  await api.status(id, 'approved');
  code = (await memberCardCodeForApplication(h.db, id))!;
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

describe('the electronic member card on a phone', () => {
  it('shows the red card with name, union, number, date and a scannable QR code, fits 390 px, and prints without its buttons', async () => {
    const s = await openSession(browser, h.url, { mobile: true });
    const { page } = s;
    await page.goto(`/member-card/${code}`);
    const card = page.getByTestId('member-card');
    await card.waitFor();
    await expect.poll(() => page.getByTestId('card-name').textContent()).toBe('张小红');
    expect(await page.getByTestId('card-union').textContent()).toBe('新华区快递行业工会联合会');
    const { member_no: memberNo } = await h.db('members').where({ card_code: code }).first('member_no');
    expect((await page.getByTestId('card-number').textContent())?.replace(/\s/g, '')).toBe(memberNo);
    await expect
      .poll(() => page.evaluate(`(() => { const img = document.querySelector('[data-testid="card-qr"]'); return img.complete && img.naturalWidth > 0; })()`))
      .toBe(true);
    expect(await page.getByTestId('card-pending').count()).toBe(0);
    // Nothing wider than the phone; the card is red.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    const box = (await card.boundingBox())!;
    expect(box.width).toBeGreaterThan(330);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    expect(await page.evaluate(`getComputedStyle(document.querySelector('[data-testid="member-card"]')).backgroundImage`)).toContain('rgb(215, 25, 47)');
    await s.shot('member-card-390');

    await page.emulateMedia({ media: 'print' });
    expect(await page.getByRole('button', { name: /打印/ }).isVisible()).toBe(false);
    await s.shot('member-card-print');
    await page.emulateMedia({ media: 'screen' });

    // The QR code's target: the verify page, on the same origin here (PUBLIC_BASE_URL unset).
    await page.getByRole('link', { name: /验证页面/ }).click();
    await page.waitForURL(`**/member-card/${code}/verify`);
    expect(s.errors).toEqual([]);
    await s.close();
  });

  it('the verify page a union opens by scanning shows ✓ 有效会员 with the masked name only', async () => {
    const s = await openSession(browser, h.url, { mobile: true });
    const { page } = s;
    await page.goto(`/member-card/${code}/verify`);
    const verdict = page.getByTestId('verdict');
    await expect.poll(() => verdict.textContent()).toContain('有效会员');
    expect(await verdict.textContent()).toContain('✓');
    expect(await page.getByTestId('verify-name').textContent()).toBe('张**');
    expect(await page.getByTestId('verify-union').textContent()).toBe('新华区快递行业工会联合会');
    expect(await page.textContent('body')).not.toContain('张小红');
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await s.shot('member-card-verify-valid');
    expect(s.errors).toEqual([]);
    await s.close();
  });

  it('an unknown card shows ✗ 无效, and the card page says it does not exist', async () => {
    const s = await openSession(browser, h.url, { mobile: true });
    const { page } = s;
    await page.goto('/member-card/0123456789abcdef0123456789abcdef/verify');
    const verdict = page.getByTestId('verdict');
    await expect.poll(() => verdict.textContent()).toContain('无效');
    expect(await verdict.textContent()).toContain('✗');
    await s.shot('member-card-verify-invalid');
    await page.goto('/member-card/0123456789abcdef0123456789abcdef');
    await expect.poll(() => page.getByTestId('card-error').textContent()).toContain('会员卡不存在或已失效');
    await s.close();
  });
});
