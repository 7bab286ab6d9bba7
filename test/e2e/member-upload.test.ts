/**
 * In a real browser: a region uploads a project's members in bulk on the
 * progress tab (批量导入会员) — the template downloads, a CSV with bad rows is
 * refused whole with each bad row and column listed, a corrected xlsx with
 * Chinese names is counted, the same file again counts nobody twice — and the
 * city admin exports the campaign's real-name members for the provincial
 * member database (导出省级会员库) from the dashboard.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { eventually, startHarness, type Harness } from '../support/harness';
import { buildLaunch, CampaignDriver, organizingProject, verifyReported } from '../support/campaigns';
import { uniqueIdNumber, uniquePhone } from '../support/factories';
import { launchBrowser, login, openSession } from './browser';

let h: Harness;
let d: CampaignDriver;
let browser: Browser;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'member-upload-'));
beforeAll(async () => {
  [h, browser] = await Promise.all([startHarness(), launchBrowser()]);
  d = new CampaignDriver(h);
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

describe('members uploaded in bulk and the provincial export, in the browser', () => {
  it('a refused CSV lists its bad rows; an xlsx with Chinese names is counted once; the city admin exports the real-name list', async () => {
    const launch = buildLaunch({ regions: ['pds-xinhua'], targets: { newMembers: 10 } });
    const { id } = await d.launch(launch);
    await d.waitForPhase(id, 'survey');
    await d.advance(id, '摸底完成');
    await d.waitForPhase(id, 'listing');
    const list = await d.projects(id, 'pds-xinhua', [organizingProject({ name: '新华区快递行业工会联合会（批量导入）', plannedMembers: 5 })]);
    expect(list.status, JSON.stringify(list.body)).toBe(201);
    await d.act('city.reviewer', list.body.applicationId, { action: 'approve' });
    await d.act('prov.reviewer', list.body.applicationId, { action: 'approve' });
    await eventually(async () => ((await d.projectsOf(id)).every((p) => p.status === 'approved') ? true : undefined));
    await d.advance(id, '项目清单已批复');
    await d.waitForPhase(id, 'implementation');
    await eventually(async () => (await d.projectsOf(id, 'pds-xinhua')).find((p) => p.status === 'in_progress'));

    const staff = await openSession(browser, h.url);
    const { page } = staff;
    await login(staff, 'xinhua.staff');
    await page.goto(`/campaigns/${id}/regions/pds-xinhua`);
    await page.getByRole('tab', { name: '进展报送', selected: true }).waitFor();
    await page.getByRole('row', { name: /新华区快递行业工会联合会（批量导入）/ }).click();
    const card = page.getByTestId('member-bulk-upload');
    await card.getByText('批量导入会员').waitFor();

    // The template downloads (xlsx, Chinese headers).
    const [tpl] = await Promise.all([page.waitForEvent('download'), card.getByTestId('member-template-xlsx').click()]);
    expect(tpl.suggestedFilename()).toBe('会员导入模板-新华区快递行业工会联合会（批量导入）.xlsx');
    const tplPath = path.join(tmp, 'template.xlsx');
    await tpl.saveAs(tplPath);
    const twb = new ExcelJS.Workbook();
    await twb.xlsx.readFile(tplPath);
    expect(twb.worksheets.map((w) => w.name)).toEqual(['会员名单', '说明']);

    // A CSV with two bad rows: refused whole, each bad row and column named in Chinese.
    const ids = [uniqueIdNumber(), uniqueIdNumber(), uniqueIdNumber()];
    const bad = path.join(tmp, '新华区会员名单.csv');
    fs.writeFileSync(
      bad,
      '\uFEFF' +
        [
          '姓名,身份证号,手机号,重点群体,工作单位,是否劳务派遣,派遣单位',
          `王芳,${ids[0]},${uniquePhone()},快递员,新华区顺达快递网点,否,`,
          '刘强,410402199001011235,,快递员,新华区顺达快递网点,否,',
          `陈静,${ids[2]},,厨师,新华区美团站点,是,`,
        ].join('\r\n'),
    );
    await card.locator('input[type=file]').setInputFiles(bad);
    const rejected = card.getByTestId('member-upload-rejected');
    await rejected.waitFor({ timeout: 30_000 });
    await expect(rejected.locator('tbody tr.ant-table-row').count()).resolves.toBe(2);
    const text = await rejected.textContent();
    expect(text).toContain('第 2 条（表格第 3 行）');
    expect(text).toContain('身份证号：');
    expect(text).toContain('重点群体：不是本次行动的重点群体：厨师');
    expect(text).toContain('派遣单位：劳务派遣工须填写派遣单位');
    expect(text).not.toMatch(/idNumber|agency/);
    await staff.shot('90-member-upload-rejected-rows');
    expect((await d.projectsOf(id, 'pds-xinhua'))[0].progress.membersRecruited).toBe(0);

    // Corrected, as an xlsx with the groups by their Chinese names: three wait for real-name verification, then count.
    const wb = new ExcelJS.Workbook();
    const sheet = wb.addWorksheet('会员名单');
    sheet.addRow(['姓名', '身份证号', '手机号', '重点群体', '工作单位', '是否劳务派遣', '派遣单位']);
    sheet.addRow(['王芳', ids[0]!, uniquePhone(), '快递员', '新华区顺达快递网点', '否', '']);
    sheet.addRow(['刘强', ids[1]!, '', '快递员', '新华区顺达快递网点', '否', '']);
    sheet.addRow(['陈静', ids[2]!, '', '网约送餐员', '新华区美团站点', '是', '河南众力人力资源有限公司']);
    const good = path.join(tmp, '新华区会员名单（改正）.xlsx');
    await wb.xlsx.writeFile(good);
    await card.locator('input[type=file]').setInputFiles(good);
    const result = card.getByTestId('member-upload-result');
    await expect.poll(() => result.textContent(), { timeout: 30_000 }).toContain('已导入 新华区会员名单（改正）.xlsx：3 行，待实名核验会员 3 人');
    await expect(result.textContent()).resolves.toContain('会员经审核员实名核验后计入');
    await expect(result.textContent()).resolves.toContain('其中劳务派遣工 1 人');
    await staff.shot('91-member-upload-pending');
    const projectId = (await d.projectsOf(id, 'pds-xinhua'))[0].id as string;
    expect((await d.projectsOf(id, 'pds-xinhua'))[0].progress).toMatchObject({ membersRecruited: 0, membersPending: 3 });
    // The city's reviewer verifies them (实名核验): the three count.
    await verifyReported(h, projectId);
    expect((await d.projectsOf(id, 'pds-xinhua'))[0].progress).toMatchObject({ membersRecruited: 3, membersPending: 0 });
    await page.reload();
    await expect.poll(() => page.getByRole('row', { name: /新华区快递行业工会联合会（批量导入）/ }).textContent(), { timeout: 20_000 }).toContain('3 / 5');
    await page.getByRole('row', { name: /新华区快递行业工会联合会（批量导入）/ }).click();
    await card.getByText('批量导入会员').waitFor();
    await staff.shot('91-member-upload-counted');

    // The same file again: nobody counted twice.
    await card.locator('input[type=file]').setInputFiles(good);
    await expect.poll(() => result.textContent(), { timeout: 30_000 }).toContain('已导入过，未重复计数（共 3 人）');
    expect((await d.projectsOf(id, 'pds-xinhua'))[0].progress).toMatchObject({ membersRecruited: 3, membersPending: 0 });
    await staff.shot('92-member-upload-repeated');

    // The city admin exports the real-name list for the provincial member database.
    const admin = await openSession(browser, h.url);
    await login(admin, 'city.admin');
    await admin.page.goto(`/campaigns/${id}`);
    const exportButton = admin.page.getByTestId('provincial-export');
    await exportButton.waitFor();
    await admin.shot('93-provincial-export-button');
    await exportButton.hover();
    const [file] = await Promise.all([admin.page.waitForEvent('download'), admin.page.getByText('导出 Excel（含说明页）').click()]);
    expect(file.suggestedFilename()).toBe(`省级会员库导出-${launch.name}.xlsx`);
    const saved = path.join(tmp, 'provincial.xlsx');
    await file.saveAs(saved);
    const out = new ExcelJS.Workbook();
    await out.xlsx.readFile(saved);
    const rows = out.getWorksheet('会员名单')!;
    expect((rows.getRow(1).values as unknown[]).slice(1, 4)).toEqual(['序号', '姓名', '公民身份号码']);
    expect(rows.actualRowCount).toBe(4);
    // The rows follow the order the reviewer verified them in: read by name.
    const byName = new Map([2, 3, 4].map((n) => [rows.getRow(n).getCell(2).value, rows.getRow(n)]));
    expect([...byName.keys()].sort()).toEqual(['刘强', '王芳', '陈静'].sort());
    expect(byName.get('王芳')!.getCell(3).value).toBe(ids[0]);
    expect(byName.get('刘强')!.getCell(3).value).toBe(ids[1]);
    expect(byName.get('陈静')!.getCell(11).value).toBe('网约送餐员');
    await admin.page.getByText('本次导出已记录').waitFor();
    await admin.shot('94-provincial-export-done');
    const audit = await h.db('audit_log').where({ application_id: id, action: 'personalDataExported' }).select('actor');
    expect(audit.map((a) => a.actor)).toEqual(['city.admin']);

    // A region's staff has no such button.
    await page.goto(`/campaigns/${id}`);
    await page.getByTestId('campaign-dashboard').waitFor();
    await expect(page.getByTestId('provincial-export').count()).resolves.toBe(0);

    for (const s of [staff, admin]) {
      expect(s.errors).toEqual([]);
      await s.close();
    }
  }, 240_000);
});
