/**
 * Steps on the app's screens that several end-to-end scenarios share:
 * filling a project of the project-list editor.
 */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { pickOption } from './browser';

/**
 * Types a date into an antd DatePicker. A date alone is taken when the field
 * loses focus (Enter would also submit the surrounding form); a date with a
 * time needs the picker's confirmation, which Enter gives.
 */
export async function fillDate(page: Page, input: ReturnType<Page['locator']>, date: string): Promise<void> {
  await input.click();
  await input.fill(date);
  if (date.includes(':')) await input.press('Enter');
  else {
    await page.keyboard.press('Tab');
    await expect.poll(() => input.inputValue()).toBe(date);
  }
}

/** Fills the organizing project card `index` (0-based) of the project-list editor. */
export async function fillOrganizingProject(
  page: Page,
  index: number,
  p: { name: string; location: string; members: number; unit: string; due: string; group: string },
): Promise<void> {
  const card = page.getByTestId(`project-${index}`);
  await card.getByLabel('项目名称').fill(p.name);
  await card.getByLabel('责任单位').fill(p.unit);
  await card.getByLabel('地点').fill(p.location);
  await card.getByLabel('计划发展会员').fill(String(p.members));
  await fillDate(page, card.getByLabel('完成时间'), p.due);
  await pickOption(page, card.getByLabel('重点群体'), p.group);
  await page.keyboard.press('Escape');
}

/** Fills the service project card `index` of the project-list editor. */
export async function fillServiceProject(page: Page, index: number, p: { name: string; unit: string; date: string; coverage: number }): Promise<void> {
  const card = page.getByTestId(`project-${index}`);
  await card.getByLabel('项目名称').fill(p.name);
  await card.getByLabel('责任单位').fill(p.unit);
  await fillDate(page, card.getByLabel('实施日期'), p.date);
  await card.getByLabel('计划覆盖职工').fill(String(p.coverage));
}
