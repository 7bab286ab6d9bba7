import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { makeCreditCode } from '../../domain/enterprise';
import { HttpError } from '../../api/errors';
import { csvCell, csvLine, MAX_ROWS, parseCsvUpload, parseJsonUpload, parseUpload, validateRows, type RejectedRow } from '../../api/survey-import';

const ctx = { regionOrg: 'pds-xinhua', groups: ['courier', 'food_delivery', 'truck_driver'], today: '2025-04-15' };
const code = (n: number) => makeCreditCode(`91410402MA${String(n).padStart(7, '0')}`);

/** A valid JSON record (a courier depot in 新华区) with overrides. */
function record(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: '平顶山顺达快递有限公司',
    creditCode: code(1),
    address: '平顶山市新华区中兴路 12 号',
    region: 'pds-xinhua',
    employees: 40,
    groupCounts: { courier: 30 },
    hasUnion: false,
    reasonNoUnion: '企业主认为规模小，没必要建会',
    employerAttitude: 'neutral',
    operatingSince: '2018-06-01',
    ...overrides,
  };
}

const validateJson = (records: unknown[]) => validateRows(parseJsonUpload(records).rows, ctx);
const errorsOf = (rejected: RejectedRow[], row: number) => rejected.find((r) => r.row === row)?.errors ?? [];
const fieldsOf = (rejected: RejectedRow[], row: number) => errorsOf(rejected, row).map((e) => e.field);

/** The contract's bilingual messages: Chinese first, then " / " and English. */
function expectBilingual(rejected: RejectedRow[]) {
  for (const r of rejected) for (const e of r.errors) expect(e.message).toMatch(/^[\u3000-\u9fff\uff00-\uffef“].* \/ [\x20-\x7e]/);
}

describe('validateRows — accepted rows', () => {
  it('a complete 五清 record is accepted, typed and normalized, keeping its row number', () => {
    const { accepted, rejected } = validateJson([record({ creditCode: ` ${code(1).toLowerCase()} ` })]);
    expect(rejected).toEqual([]);
    expect(accepted).toEqual([
      {
        row: 1,
        name: '平顶山顺达快递有限公司',
        creditCode: code(1),
        address: '平顶山市新华区中兴路 12 号',
        region: 'pds-xinhua',
        employees: 40,
        groupCounts: { courier: 30 },
        hasUnion: false,
        reasonNoUnion: '企业主认为规模小，没必要建会',
        employerAttitude: 'neutral',
        operatingSince: '2018-06-01',
      },
    ]);
  });

  it('only name, region, employees and hasUnion are required; the rest become null or empty', () => {
    const { accepted, rejected } = validateJson([{ name: '小饭馆', region: 'pds-xinhua', employees: 3, hasUnion: false }]);
    expect(rejected).toEqual([]);
    expect(accepted[0]).toMatchObject({ creditCode: null, address: null, groupCounts: {}, reasonNoUnion: null, employerAttitude: null, operatingSince: null });
  });

  it('values are stored as typed: a name starting with = is not altered on import', () => {
    const { accepted } = validateJson([record({ name: '=1+2 物流', creditCode: undefined })]);
    expect(accepted[0]?.name).toBe('=1+2 物流');
  });
});

describe('validateRows — every field refused with its reason and row number', () => {
  it('name: missing, not text, or longer than 200 characters', () => {
    const { rejected } = validateJson([
      record({ name: undefined }),
      record({ name: 123, creditCode: code(2) }),
      record({ name: '企'.repeat(201), creditCode: code(3) }),
      record({ name: '企'.repeat(200), creditCode: code(4) }),
    ]);
    expect(rejected.map((r) => r.row)).toEqual([1, 2, 3]);
    expect(errorsOf(rejected, 1)).toEqual([{ field: 'name', message: '企业名称必填 / name is required' }]);
    expect(errorsOf(rejected, 2)[0]?.message).toContain('name must be text');
    expect(errorsOf(rejected, 3)[0]?.message).toContain('200');
    expectBilingual(rejected);
  });

  it('creditCode: wrong length, forbidden letters, or a wrong GB 32100 check character', () => {
    const good = code(5);
    const wrongCheck = good.slice(0, 17) + (good.endsWith('0') ? '1' : '0');
    const { rejected } = validateJson([
      record({ creditCode: '9141040212345' }),
      record({ creditCode: '91410402MA0000O00X' }),
      record({ creditCode: wrongCheck }),
    ]);
    expect(rejected.map((r) => [r.row, fieldsOf(rejected, r.row)])).toEqual([
      [1, ['creditCode']],
      [2, ['creditCode']],
      [3, ['creditCode']],
    ]);
    expect(errorsOf(rejected, 1)[0]?.message).toContain('18');
    expect(errorsOf(rejected, 2)[0]?.message).toContain('I、O、Z、S、V');
    expect(errorsOf(rejected, 3)[0]?.message).toContain('校验位');
    expectBilingual(rejected);
  });

  it('address and reasonNoUnion: at most 500 characters', () => {
    const { rejected } = validateJson([record({ address: 'x'.repeat(501) }), record({ creditCode: code(6), reasonNoUnion: '原'.repeat(501) })]);
    expect(fieldsOf(rejected, 1)).toEqual(['address']);
    expect(fieldsOf(rejected, 2)).toEqual(['reasonNoUnion']);
    expectBilingual(rejected);
  });

  it("region: required, and must be the upload's region", () => {
    const { rejected } = validateJson([record({ region: '' }), record({ creditCode: code(7), region: 'pds-weidong' })]);
    expect(errorsOf(rejected, 1)).toEqual([{ field: 'region', message: '所属地区必填 / region is required' }]);
    expect(errorsOf(rejected, 2)[0]?.message).toBe(
      '所属地区“pds-weidong”与本次上传的地区“pds-xinhua”不符 / region pds-weidong is not the region of this upload (pds-xinhua)',
    );
  });

  it('employees: required, a whole number, not negative, at most 1,000,000', () => {
    const rows = [undefined, 'abc', 12.5, -1, 1_000_001, 1_000_000, '1,200'].map((employees, i) =>
      record({ creditCode: code(10 + i), employees, groupCounts: undefined }),
    );
    const { accepted, rejected } = validateJson(rows);
    expect(rejected.map((r) => [r.row, errorsOf(rejected, r.row)[0]?.message])).toEqual([
      [1, '职工人数必填 / employees is required'],
      [2, '职工人数应为整数 / employees must be a whole number'],
      [3, '职工人数应为整数 / employees must be a whole number'],
      [4, '职工人数不能为负数 / employees cannot be negative'],
      [5, '职工人数不能超过1,000,000 / employees must be at most 1,000,000'],
    ]);
    expect(accepted.map((a) => a.employees)).toEqual([1_000_000, 1200]);
  });

  it("groupCounts: the campaign's groups only, whole numbers ≥ 0, none above the headcount", () => {
    const { accepted, rejected } = validateJson([
      record({ groupCounts: 'courier=3' }),
      record({ creditCode: code(21), groupCounts: { pilot: 2, courier: 1 } }),
      record({ creditCode: code(22), groupCounts: { courier: -1 } }),
      record({ creditCode: code(23), groupCounts: { courier: 1.5 } }),
      record({ creditCode: code(24), employees: 10, groupCounts: { courier: 11, food_delivery: 10 } }),
      record({ creditCode: code(25), groupCounts: 'courier:3；food_delivery：2' }),
      record({ creditCode: code(26), groupCounts: '{"truck_driver": 4}' }),
      record({ creditCode: code(27), groupCounts: [1, 2] }),
    ]);
    expect(errorsOf(rejected, 1)).toEqual([{ field: 'groupCounts', message: expect.stringContaining('群体:人数') }]);
    expect(errorsOf(rejected, 2)).toEqual([{ field: 'groupCounts.pilot', message: expect.stringContaining('courier、food_delivery、truck_driver') }]);
    expect(fieldsOf(rejected, 3)).toEqual(['groupCounts.courier']);
    expect(fieldsOf(rejected, 4)).toEqual(['groupCounts.courier']);
    expect(errorsOf(rejected, 5)).toEqual([
      { field: 'groupCounts.courier', message: '重点群体人数 11 超过职工人数 10 / group count 11 exceeds employees (10)' },
    ]);
    expect(fieldsOf(rejected, 8)).toEqual(['groupCounts']);
    expect(accepted.map((a) => [a.row, a.groupCounts])).toEqual([
      [6, { courier: 3, food_delivery: 2 }],
      [7, { truck_driver: 4 }],
    ]);
    expectBilingual(rejected);
  });

  it('hasUnion: required, a boolean or 是/否, true/false, 1/0', () => {
    const values = [undefined, 'maybe', '是', '否', 'TRUE', 'false', '1', '0', 1, 0, true];
    const { accepted, rejected } = validateJson(values.map((hasUnion, i) => record({ creditCode: code(30 + i), hasUnion })));
    expect(errorsOf(rejected, 1)).toEqual([{ field: 'hasUnion', message: '是否建会必填 / hasUnion is required' }]);
    expect(errorsOf(rejected, 2)[0]?.message).toBe('是否建会应为 是/否、true/false 或 1/0 / hasUnion must be true/false, 是/否 or 1/0');
    expect(accepted.map((a) => a.hasUnion)).toEqual([true, false, true, false, true, false, true, false, true]);
  });

  it('employerAttitude: supportive, neutral, resistant or unknown (or their Chinese words)', () => {
    const { accepted, rejected } = validateJson([
      record({ employerAttitude: 'hostile' }),
      record({ creditCode: code(41), employerAttitude: '抵触' }),
      record({ creditCode: code(42), employerAttitude: 'Supportive' }),
    ]);
    expect(fieldsOf(rejected, 1)).toEqual(['employerAttitude']);
    expect(accepted.map((a) => a.employerAttitude)).toEqual(['resistant', 'supportive']);
    expectBilingual(rejected);
  });

  it('operatingSince: a real date, not in the future, not before 1900; 2019/3/5 is read as 2019-03-05', () => {
    const values = ['2019-02-30', 'last spring', '2025-04-16', '1899-12-31', '2025-04-15', '2019/3/5', '20190305'];
    const { accepted, rejected } = validateJson(values.map((operatingSince, i) => record({ creditCode: code(50 + i), operatingSince })));
    expect(rejected.map((r) => r.row)).toEqual([1, 2, 3, 4]);
    expect(errorsOf(rejected, 1)[0]?.message).toContain('真实日期');
    expect(errorsOf(rejected, 2)[0]?.message).toContain('真实日期');
    expect(errorsOf(rejected, 3)[0]?.message).toContain('晚于今天');
    expect(errorsOf(rejected, 4)[0]?.message).toContain('1900');
    expect(accepted.map((a) => a.operatingSince)).toEqual(['2025-04-15', '2019-03-05', '2019-03-05']);
    expectBilingual(rejected);
  });

  it('a row with several problems lists all of them in field order', () => {
    const { rejected } = validateJson([{ name: '', creditCode: 'X', region: 'pds-weidong', employees: -3, hasUnion: 'perhaps', employerAttitude: 'angry' }]);
    expect(fieldsOf(rejected, 1)).toEqual(['name', 'creditCode', 'region', 'employees', 'hasUnion', 'employerAttitude']);
  });

  it('a JSON element that is not an object is a bad row of its own', () => {
    const { rejected } = validateJson([record(), 'not a record', null]);
    expect(rejected.map((r) => [r.row, r.errors[0]?.field])).toEqual([
      [2, '(row)'],
      [3, '(row)'],
    ]);
  });

  it('the same enterprise twice in one upload is an error on the later row (same code; or same name without code)', () => {
    const { accepted, rejected } = validateJson([
      record({ creditCode: code(60), name: '甲公司' }),
      record({ creditCode: code(61), name: '乙公司' }),
      record({ creditCode: code(60), name: '甲公司（新名）' }),
      record({ creditCode: undefined, name: '丙商店' }),
      record({ creditCode: undefined, name: '丙商店' }),
      record({ creditCode: code(62), name: '丙商店' }),
    ]);
    expect(accepted.map((a) => a.row)).toEqual([1, 2, 4, 6]);
    expect(rejected).toEqual([
      { row: 3, errors: [{ field: 'creditCode', message: '与第 1 行是同一企业（统一社会信用代码相同） / the same enterprise as row 1 (same credit code)' }] },
      {
        row: 5,
        errors: [{ field: 'name', message: '与第 4 行是同一企业（名称相同且均无信用代码） / the same enterprise as row 4 (same name, no credit code)' }],
      },
    ]);
  });
});

describe('CSV uploads', () => {
  const header = 'name,creditCode,address,region,employees,groupCounts,hasUnion,reasonNoUnion,employerAttitude,operatingSince';

  it('quoted cells keep commas, quotes, line breaks and Chinese text; 是/否 are booleans', () => {
    const csv = [
      header,
      `"平顶山市新华区顺丰速运营业部（中兴路,12号）",${code(70)},"新华区中兴路12号,""老邮局""旁",pds-xinhua,56,courier:40;food_delivery:3,否,"负责人未表态
需再访",中立,2017-03-01`,
      `卫东饭店,,,pds-xinhua,8,,是,,,`,
    ].join('\r\n');
    const { accepted, rejected } = validateRows(parseCsvUpload(csv).rows, ctx);
    expect(rejected).toEqual([]);
    expect(accepted).toEqual([
      {
        row: 1,
        name: '平顶山市新华区顺丰速运营业部（中兴路,12号）',
        creditCode: code(70),
        address: '新华区中兴路12号,"老邮局"旁',
        region: 'pds-xinhua',
        employees: 56,
        groupCounts: { courier: 40, food_delivery: 3 },
        hasUnion: false,
        reasonNoUnion: '负责人未表态\n需再访',
        employerAttitude: 'neutral',
        operatingSince: '2017-03-01',
      },
      {
        row: 2,
        name: '卫东饭店',
        creditCode: null,
        address: null,
        region: 'pds-xinhua',
        employees: 8,
        groupCounts: {},
        hasUnion: true,
        reasonNoUnion: null,
        employerAttitude: null,
        operatingSince: null,
      },
    ]);
  });

  it('a UTF-8 BOM at the start of the file (Excel "CSV UTF-8") does not spoil the first column name', () => {
    const { rows } = parseCsvUpload(`\uFEFFname,region,employees,hasUnion\n甲,pds-xinhua,3,否\n`);
    expect(rows).toEqual([{ row: 1, data: { name: '甲', region: 'pds-xinhua', employees: '3', hasUnion: '否' } }]);
  });

  it('the header is not a row: the first record is row 1; blank lines are skipped but keep their number', () => {
    const csv = `name,region,employees,hasUnion\n甲,pds-xinhua,3,否\n\n乙,pds-xinhua,x,否\n`;
    const { accepted, rejected } = validateRows(parseCsvUpload(csv).rows, ctx);
    expect(accepted.map((a) => a.row)).toEqual([1]);
    expect(rejected).toEqual([{ row: 3, errors: [{ field: 'employees', message: '职工人数应为整数 / employees must be a whole number' }] }]);
  });

  it('columns may be in any order, named in Chinese, and unknown columns are reported as ignored', () => {
    const parsed = parseCsvUpload(`备注,职工人数,企业名称,是否建会,所属地区,法人思想动态\n老客户,120,丁物流,否,pds-xinhua,支持\n`);
    expect(parsed.ignoredColumns).toEqual(['备注']);
    const { accepted } = validateRows(parsed.rows, ctx);
    expect(accepted[0]).toMatchObject({ name: '丁物流', employees: 120, hasUnion: false, employerAttitude: 'supportive' });
  });

  it('a row with more cells than the header (an unquoted comma) is refused with a hint', () => {
    const { rejected } = validateRows(parseCsvUpload(`name,region,employees,hasUnion\n戊公司,pds-xinhua,3,否,多余\n`).rows, ctx);
    expect(rejected[0]).toMatchObject({ row: 1, errors: [{ field: '(row)', message: expect.stringContaining('quote values that contain commas') }] });
  });

  it('a file without a required column, with a column twice, without rows, or with an open quote is a 400', () => {
    const status = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof HttpError ? [e.status, e.detail] : e;
      }
      return 'no error';
    };
    expect(status(() => parseCsvUpload('name,region\n甲,pds-xinhua\n'))).toEqual([400, expect.stringContaining('employees（职工人数）、hasUnion（是否建会）')]);
    expect(status(() => parseCsvUpload('name,企业名称,region,employees,hasUnion\n'))).toEqual([400, expect.stringContaining('twice')]);
    expect(status(() => parseCsvUpload('name,region,employees,hasUnion\n'))).toEqual([400, expect.stringContaining('no records')]);
    expect(status(() => parseCsvUpload('name,region,employees,hasUnion\n"甲,pds-xinhua,3,否\n'))).toEqual([400, expect.stringContaining('malformed CSV')]);
    expect(status(() => parseCsvUpload('name,region,employees,hasUnion\n\uFFFD\uFFFD,pds-xinhua,3,\uFFFD\n'))).toEqual([400, expect.stringContaining('UTF-8')]);
    expect(status(() => parseUpload('text/plain', 'x'))).toEqual([415, expect.any(String)]);
    expect(status(() => parseUpload('application/json', { name: 'x' }))).toEqual([400, expect.stringContaining('array')]);
  });

  it(`more than ${MAX_ROWS.toLocaleString('en')} rows is refused naming the limit (413); exactly the limit is read`, () => {
    const head = 'name,region,employees,hasUnion\n';
    const atLimit = head + 'a,pds-xinhua,1,否\n'.repeat(MAX_ROWS);
    expect(parseCsvUpload(atLimit).rows).toHaveLength(MAX_ROWS);
    expect(() => parseCsvUpload(atLimit + 'b,pds-xinhua,1,否\n')).toThrow(expect.objectContaining({ status: 413, detail: expect.stringContaining('50000') }));
    expect(() => parseJsonUpload(new Array(MAX_ROWS + 1).fill({}))).toThrow(expect.objectContaining({ status: 413 }));
  });

  it('20,000 CSV rows are parsed and validated in one pass (the time is logged, not asserted)', () => {
    const csv = [
      header,
      ...Array.from(
        { length: 20_000 },
        (_, i) =>
          `企业${i},${code(100_000 + i)},地址${i},pds-xinhua,${20 + (i % 150)},courier:${i % 20},${i % 9 === 0 ? '是' : '否'},,neutral,2015-05-0${(i % 9) + 1}`,
      ),
    ].join('\n');
    const t0 = performance.now();
    const { accepted, rejected } = validateRows(parseCsvUpload(csv).rows, ctx);
    const ms = performance.now() - t0;
    console.log(`survey validation: 20000 CSV rows parsed and validated in ${ms.toFixed(0)} ms (${Math.round(20_000 / (ms / 1000))} rows/s)`);
    expect(rejected).toEqual([]);
    expect(accepted).toHaveLength(20_000);
  });
});

describe('csvCell — formula-safe export cells', () => {
  it('cells starting with =, +, -, @, tab or CR get a leading apostrophe', () => {
    expect(csvCell('=HYPERLINK("http://x","点我")')).toBe(`"'=HYPERLINK(""http://x"",""点我"")"`);
    expect(csvCell('+86 138')).toBe("'+86 138");
    expect(csvCell('-1+2')).toBe("'-1+2");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tcmd')).toBe("'\tcmd");
    expect(csvCell('\r=1')).toBe(`"'\r=1"`);
  });

  it('ordinary text, numbers and empties pass; commas, quotes and line breaks are quoted', () => {
    expect(csvCell('平顶山顺达快递')).toBe('平顶山顺达快递');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('说"好"')).toBe('"说""好"""');
    expect(csvCell('两行\n文字')).toBe('"两行\n文字"');
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell(120)).toBe('120');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(' 空格 ')).toBe('" 空格 "');
  });

  it('an exported cell uploaded again as CSV loses the guard and reads as the original value', () => {
    const csv =
      csvLine(['name', 'region', 'employees', 'hasUnion']) +
      csvLine(['=1+2 物流', 'pds-xinhua', 3, '否']) +
      csvLine(["'ordinary apostrophe", 'pds-xinhua', 3, '否']);
    const { accepted } = validateRows(parseCsvUpload(csv).rows, ctx);
    expect(accepted.map((a) => a.name)).toEqual(['=1+2 物流', "'ordinary apostrophe"]);
  });

  it('a line of cells reads back as the same values (apostrophe aside)', () => {
    const values = ['=cmd|/C calc', '甲,乙', '"引号"', '多\r\n行', 42];
    const [back] = parse(csvLine(values)) as string[][];
    expect(back).toEqual(["'=cmd|/C calc", '甲,乙', '"引号"', '多\r\n行', '42']);
  });
});
