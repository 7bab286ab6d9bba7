/**
 * End-to-end support: Debian's Chromium driven by playwright-core against
 * the real API (which serves the built web app from web/dist), a signed-in
 * page per user, screenshots into test-output/screenshots/, and a record
 * of every uncaught page error so a test can assert the app stayed clean.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect, onTestFailed } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SCREENSHOTS = path.join(ROOT, 'test-output', 'screenshots');
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Fails with what to do when the web app was not built or Chromium is missing (never skips). */
export function checkPrerequisites(): void {
  if (!fs.existsSync(path.join(ROOT, 'web', 'dist', 'index.html'))) throw new Error('web/dist is missing: run `npm run build:web` first (npm test does)');
  if (!fs.existsSync(CHROMIUM))
    throw new Error(`Chromium not found at ${CHROMIUM}: npx tsx scripts/install-browser.ts installs it (npm test does), or set CHROMIUM_PATH`);
}

export async function launchBrowser(): Promise<Browser> {
  checkPrerequisites();
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--lang=zh-CN',
    ],
  });
}

export interface Session {
  context: BrowserContext;
  page: Page;
  /** Uncaught exceptions and console errors other than failed requests (a 4xx the screen shows is expected). */
  errors: string[];
  shot(name: string): Promise<string>;
  close(): Promise<void>;
}

/** A fresh browser context (its own storage), desktop or phone-sized. */
export async function openSession(browser: Browser, baseUrl: string, opts: { mobile?: boolean } = {}): Promise<Session> {
  const context = await browser.newContext({
    baseURL: baseUrl,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    // The app turns animations off for this: no click lands on a dialog still zooming in.
    reducedMotion: 'reduce',
    acceptDownloads: true,
    ...(opts.mobile
      ? { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }
      : { viewport: { width: 1440, height: 900 } }),
  });
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const text = m.text();
    if (/Failed to load resource/.test(text)) return;
    errors.push(`console: ${text}`);
  });
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  // A failed scenario leaves a picture of where each of its pages stood.
  onTestFailed(async ({ task }) => {
    const name = `FAILED-${task.name.slice(0, 40).replace(/[^\w\u4e00-\u9fff]+/g, '-')}-${Date.now()}.png`;
    await page.screenshot({ path: path.join(SCREENSHOTS, name), fullPage: true }).catch(() => undefined);
    if (errors.length) fs.writeFileSync(path.join(SCREENSHOTS, name.replace(/\.png$/, '.errors.txt')), errors.join('\n'));
  });
  return {
    context,
    page,
    errors,
    async shot(name) {
      const file = path.join(SCREENSHOTS, `${name}.png`);
      // Let charts finish their entry animation and fonts settle.
      await page.evaluate('document.fonts.ready');
      await page.waitForTimeout(600);
      // A full-page capture of a long screen can take Chromium well past the 20 s
      // action timeout when the whole suite and a Temporal cluster share 2 cores
      // (a clean-clone CI run timed out here once); the picture is evidence, so
      // it gets a minute. Animations stop for it, so it is the settled screen.
      await page.screenshot({ path: file, fullPage: true, animations: 'disabled', timeout: 60_000 });
      const size = fs.statSync(file).size;
      expect(size, `${name}.png is empty`).toBeGreaterThan(10_000);
      return file;
    },
    close: () => context.close(),
  };
}

/** Signs in through the login form and waits for the app frame. */
export async function login(s: Session, username: string, password = 'demo-password'): Promise<void> {
  const { page } = s;
  await page.goto('/');
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(password);
  await page.getByRole('button', { name: /登\s*录/ }).click();
  await page.getByTestId('current-user').waitFor();
}

/** Picks an option in an antd Select opened by clicking `trigger`. */
export async function pickOption(page: Page, trigger: ReturnType<Page['locator']>, option: string | RegExp): Promise<void> {
  await trigger.click();
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: option }).first().click();
}
