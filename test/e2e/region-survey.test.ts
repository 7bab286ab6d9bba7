/**
 * In a real browser: a region's staff uploads its survey CSV with a bad row,
 * sees the rejected row with its reason, downloads the rejected rows, fixes
 * that file and uploads it again; the gap list then holds every enterprise.
 * The xlsx template downloads and, uploaded as it is, files its examples.
 * The plan goes in; the project list's form is read-only in the survey
 * phase, with a line saying why.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startHarness, type Harness } from '../support/harness';
import { buildLaunch, CampaignDriver, surveyCsv } from '../support/campaigns';
import { launchBrowser, login, openSession } from './browser';

let h: Harness;
let d: CampaignDriver;
let browser: Browser;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-survey-'));
beforeAll(async () => {
  [h, browser] = await Promise.all([startHarness(), launchBrowser()]);
  d = new CampaignDriver(h);
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('a region’s survey in the browser', () => {
  it('uploads a survey with a bad row, downloads the rejected row, fixes it and uploads it again', async () => {
    const launch = buildLaunch();
    const { id } = await d.launch(launch);
    await d.waitForPhase(id, 'survey');

    const s = await openSession(browser, h.url);
    const { page } = s;
    await login(s, 'xinhua.staff');
    await page.waitForURL('**/region');
    const card = page.getByTestId('region-campaign').filter({ hasText: launch.name });
    await card.getByRole('button', { name: '办理本地区事项' }).click();
    await page.waitForURL(`**/campaigns/${id}/regions/pds-xinhua`);
    await s.shot('10-region-desk-survey');

    // A CSV as a region's spreadsheet exports it, the second row with a negative headcount.
    const first = path.join(tmp, '新华区摸底.csv');
    fs.writeFileSync(
      first,
      '\uFEFF' +
        surveyCsv('pds-xinhua', [
          { name: '新华区某物流公司', employees: 120 },
          { name: '新华区某配送站', employees: -3 },
          { name: '新华区某商贸公司', employees: 30 },
          { name: '新华区某便利店', employees: 8 },
        ]),
    );
    await page.locator('input[type=file]').setInputFiles(first);
    const result = page.getByTestId('upload-status');
    await expect.poll(() => result.textContent(), { timeout: 30_000 }).toContain('已接收 3 行（新增 3，更新 0），拒绝 1 行');
    const rejected = page.getByTestId('rejected-rows');
    await expect(rejected.textContent()).resolves.toContain('新华区某配送站');
    await expect(rejected.locator('tbody tr.ant-table-row').count()).resolves.toBe(1);
    await expect(rejected.locator('tbody tr.ant-table-row').first().textContent()).resolves.toMatch(/^2新华区某配送站职工人数/);
    await s.shot('11-survey-rejected-row');

    // The rejected rows come down as the original columns plus the reason.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-rejected').click()]);
    expect(download.suggestedFilename()).toMatch(/^摸底错误行-pds-xinhua-.*\.csv$/);
    const saved = path.join(tmp, download.suggestedFilename());
    await download.saveAs(saved);
    const text = fs.readFileSync(saved, 'utf8').replace(/^\uFEFF/, '');
    const lines = text.trim().split(/\r?\n/);
    expect(lines[0]).toBe('name,region,employees,hasUnion,groupCounts,employerAttitude,operatingSince,reasonNoUnion,错误原因');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^新华区某配送站,pds-xinhua,-3,.*职工人数/);

    // Fixed in the downloaded file (headcount and the group count made from it) and uploaded
    // again: the reason column is ignored, the row accepted.
    fs.writeFileSync(saved, '\uFEFF' + text.replace(',-3,', ',40,').replace('courier:-3', 'courier:5'));
    await page.locator('input[type=file]').setInputFiles(saved);
    await expect.poll(() => result.textContent(), { timeout: 30_000 }).toContain('已接收 1 行（新增 1，更新 0），拒绝 0 行');
    await expect(result.textContent()).resolves.toContain('未识别的列已忽略：错误原因');
    await expect.poll(() => page.getByTestId('rejected-rows').count()).toBe(0);
    const gaps = page.getByTestId('gap-table').locator('tbody tr.ant-table-row');
    await expect.poll(() => gaps.count(), { timeout: 15_000 }).toBe(4);
    await expect(gaps.first().textContent()).resolves.toContain('新华区某物流公司');
    await s.shot('12-survey-fixed-gap-list');

    // The xlsx template (Chinese headers, examples in the names users know) downloads and uploads as it is.
    const [tpl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('survey-template-xlsx').click()]);
    expect(tpl.suggestedFilename()).toBe('摸底企业模板.xlsx');
    const workbook = path.join(tmp, tpl.suggestedFilename());
    await tpl.saveAs(workbook);
    await page.locator('input[type=file]').setInputFiles(workbook);
    await expect.poll(() => result.textContent(), { timeout: 30_000 }).toContain('已接收 2 行（新增 2，更新 0），拒绝 0 行');
    await expect.poll(() => gaps.count(), { timeout: 15_000 }).toBe(5);
    await expect(result.textContent()).resolves.toContain('摸底企业模板.xlsx');
    await s.shot('12b-survey-xlsx-template-uploaded');

    // The plan goes in during the survey.
    await page.getByRole('tab', { name: '实施方案' }).click();
    await page.getByLabel('方案概述').fill('以快递、外卖平台为重点，拉网式排查，一企一档，倒排工期');
    await page.getByPlaceholder('措施 1').fill('召开动员部署会');
    await page.getByRole('button', { name: '提交实施方案' }).click();
    await page.getByText('实施方案已提交').first().waitFor();
    await expect.poll(async () => (await d.view(id)).regions.find((r: { org: string }) => r.org === 'pds-xinhua').planSubmitted).toBe(true);

    // A project list in the survey phase: the form is read-only, and a line says why (before anything is typed).
    await page.getByRole('tab', { name: '项目清单' }).click();
    await page.getByTestId('phase-locked').getByText('尚未进入立项审核阶段（现为调查摸底阶段），项目清单暂不受理').waitFor();
    expect(await page.getByRole('button', { name: '提交项目清单' }).isDisabled()).toBe(true);
    await s.shot('13-project-list-wrong-phase');

    expect(s.errors).toEqual([]);
    await s.close();
  }, 180_000);
});
