/**
 * The survey upload as an xlsx workbook (调查摸底): the template (Chinese
 * headers, two example rows, and a 可填写的值 sheet listing the groups,
 * attitudes and the region), in xlsx or CSV; and an uploaded workbook's first
 * sheet read into the CSV text the survey upload already parses, so a workbook
 * row is validated, classified and filed exactly as a CSV row is (row n is
 * Excel's row n + 1, the header being row 1).
 */
import ExcelJS from 'exceljs';
import { allowedValues, type SurveyNames } from '../domain/survey-names';
import { HttpError } from './errors';
import { cellText, XLSX_TYPE } from './org-workbook';
import { csvLine, FIELD_LABELS, SURVEY_FIELDS } from './survey-import';

export { XLSX_TYPE };

/** The template's two example rows, in the names users know. */
function exampleRows(names: SurveyNames): (string | number)[][] {
  const g = names.groups[0]?.name;
  return [
    ['示例物流有限公司', '', '新华路 1 号', names.region.name, 80, g ? `${g}:30` : '', '否', '企业规模小，尚未组建', '反对', '2018-05-01'],
    ['示例餐饮管理有限公司', '', '建设路 8 号', names.region.name, 12, g ? `${g}:5` : '', '是', '', '支持', '2020-03-15'],
  ];
}

/** The header row: the Chinese headings of the survey's columns (the upload reads them back, api/survey-import.ts). */
const HEADERS = SURVEY_FIELDS.map((f) => FIELD_LABELS[f]);

/** The CSV template (UTF-8 with a BOM, so Excel opens it in Chinese). */
export function surveyTemplateCsv(names: SurveyNames): string {
  return (
    '\uFEFF' +
    csvLine(HEADERS) +
    exampleRows(names)
      .map((r) => csvLine(r))
      .join('')
  );
}

/** The xlsx template: 摸底企业 (headers and examples) and 可填写的值 (the allowed values). */
export async function surveyTemplateXlsx(names: SurveyNames): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('摸底企业');
  sheet.columns = HEADERS.map((h) => ({ header: h, width: Math.max(12, h.length * 3) }));
  sheet.getRow(1).font = { bold: true };
  for (const r of exampleRows(names)) sheet.addRow(r);
  const values = wb.addWorksheet('可填写的值');
  values.columns = [
    { header: '列', key: 'column', width: 14 },
    { header: '可填写的值', key: 'value', width: 20 },
    { header: '说明', key: 'note', width: 40 },
  ];
  values.getRow(1).font = { bold: true };
  for (const v of allowedValues(names)) values.addRow(v);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/**
 * An uploaded workbook's first sheet as CSV text: every row to the last one,
 * an empty row as an empty line (so row numbers stay Excel's). Not a workbook: 400.
 */
export async function surveyWorkbookToCsv(data: Buffer): Promise<string> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(data as unknown as ExcelJS.Buffer);
  } catch {
    throw new HttpError(400, '文件不是有效的 xlsx 工作簿 / the file is not an xlsx workbook', [{ path: '(body)', message: 'not an xlsx workbook' }]);
  }
  const sheet = wb.worksheets[0];
  if (!sheet) throw new HttpError(400, '工作簿没有工作表 / the workbook has no sheet', [{ path: '(body)', message: 'no sheet' }]);
  const width = sheet.columnCount;
  let out = '';
  let next = 1;
  sheet.eachRow({ includeEmpty: false }, (r, n) => {
    out += '\n'.repeat(Math.max(0, n - next));
    const cells: string[] = [];
    for (let c = 1; c <= width; c++) cells.push(cellText(r.getCell(c).value).trim());
    while (cells.length && cells[cells.length - 1] === '') cells.pop();
    // Cells go in as typed: the upload reads the CSV's cells back without an export guard.
    out += cells.map((c) => (/[",\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',') + '\n';
    next = n + 1;
  });
  return out;
}
