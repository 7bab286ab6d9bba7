/**
 * Members uploaded in bulk (批量导入会员) and the real-name export for the
 * provincial member database (省级会员数据库): the columns of each, and the
 * pure rules that read one uploaded row. A row's cells use the names users
 * know — a target group by its Chinese name (快递员) or its code, 是/否 for a
 * dispatched worker — and are checked exactly as a progress report's member
 * is: a valid 18-digit ID number (GB 11643), an 11-digit mobile, a group of
 * the campaign, the employer, and the dispatch agency where dispatched.
 *
 * Pure: the caller passes the campaign's groups (domain/survey-names.ts).
 */
import { validateIdNumber } from './id-number';
import { groupOf, type SurveyNames } from './survey-names';

/** The fields of one uploaded member. */
export type MemberField = 'name' | 'idNumber' | 'phone' | 'group' | 'employer' | 'dispatched' | 'agency';

/** The upload's columns: the template's header (what the file shows), the other headings and codes read as the same column. */
export const MEMBER_COLUMNS: readonly { field: MemberField; header: string; aliases: readonly string[]; required: boolean; note: string }[] = [
  { field: 'name', header: '姓名', aliases: ['name', '会员姓名'], required: true, note: '必填，不超过 50 字' },
  {
    field: 'idNumber',
    header: '身份证号',
    aliases: ['idNumber', '公民身份号码', '身份证号码', '身份证'],
    required: true,
    note: '必填，18 位居民身份证号（末位可为 X）；请以文本格式填写，勿让表格转成数字',
  },
  { field: 'phone', header: '手机号', aliases: ['phone', '手机号码', '手机', '联系电话'], required: false, note: '选填，11 位手机号' },
  {
    field: 'group',
    header: '重点群体',
    aliases: ['group', '所属群体', '会员类别'],
    required: true,
    note: '必填，本次行动的重点群体名称（如 快递员），也可填代码',
  },
  { field: 'employer', header: '工作单位', aliases: ['employer', '单位', '所在单位'], required: true, note: '必填，不超过 200 字' },
  { field: 'dispatched', header: '是否劳务派遣', aliases: ['dispatched', '劳务派遣'], required: false, note: '选填，是 或 否（空白为否）' },
  {
    field: 'agency',
    header: '派遣单位',
    aliases: ['agency', 'dispatchAgency', '劳务派遣单位'],
    required: false,
    note: '劳务派遣工必填：劳务派遣公司名称；非派遣工不填',
  },
];

/** The columns a file must have. */
export const REQUIRED_MEMBER_FIELDS: readonly MemberField[] = MEMBER_COLUMNS.filter((c) => c.required).map((c) => c.field);

/** The column a header names (its Chinese heading, another heading, or the field's code; case and edge spaces ignored). */
export function memberFieldOf(header: string): MemberField | undefined {
  const h = header.trim().toLowerCase();
  return MEMBER_COLUMNS.find((c) => c.header === h || c.aliases.some((a) => a.toLowerCase() === h))?.field;
}

/** The Chinese heading of a field, for messages. */
export function memberFieldLabel(field: string): string {
  return MEMBER_COLUMNS.find((c) => c.field === field)?.header ?? field;
}

/** One upload at most this many member rows (413 beyond; split the file). */
export const MAX_MEMBER_ROWS = 5_000;
/** One CSV or xlsx upload at most this many bytes (413 beyond); a JSON one meets the app's 1 MB limit. */
export const MEMBER_UPLOAD_BYTES = 5 * 1024 * 1024;

/** A member row as the progress report takes it (api/campaigns.ts progressSchema), plus the dispatch fields. */
export interface UploadedMember {
  name: string;
  idNumber: string;
  phone?: string;
  group: string;
  employer: string;
  /** 劳务派遣工: admitted by the dispatch agency's union (seed 003). */
  dispatched: boolean;
  agency?: string;
}

export interface MemberRowError {
  field: MemberField | '(row)';
  message: string;
}

const YES = new Set(['是', 'y', 'yes', 'true', '1', '√']);
const NO = new Set(['否', '', 'n', 'no', 'false', '0', '×']);
// Text Postgres cannot store, and control characters nobody types into a cell.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
function unstorable(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return true;
  }
  return LONE_SURROGATE.test(s);
}

/** 是/否 (and yes/no, 1/0) as a boolean; undefined for anything else. */
export function yesNo(cell: string): boolean | undefined {
  const t = cell.trim().toLowerCase();
  if (YES.has(t)) return true;
  if (NO.has(t)) return false;
  return undefined;
}

/**
 * Reads one row's cells (field → text). Answers the member, or every bad
 * field with its reason (Chinese first). `names` gives the campaign's groups.
 */
export function readMemberRow(cells: Partial<Record<MemberField, unknown>>, names: SurveyNames): { member: UploadedMember } | { errors: MemberRowError[] } {
  const errors: MemberRowError[] = [];
  const text = (f: MemberField, max: number): string => {
    const v = cells[f];
    if (v === undefined || v === null) return '';
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
      errors.push({ field: f, message: '须为文字 / must be text' });
      return '';
    }
    const s = String(v).trim();
    if (unstorable(s)) {
      errors.push({ field: f, message: '含有无法保存的字符 / contains characters that cannot be stored' });
      return '';
    }
    if (s.length > max) {
      errors.push({ field: f, message: `不超过 ${max} 字 / at most ${max} characters` });
      return '';
    }
    return s;
  };
  const required = (f: MemberField, v: string) => {
    if (!v && !errors.some((e) => e.field === f)) errors.push({ field: f, message: `请填写${memberFieldLabel(f)} / required` });
  };

  const name = text('name', 50);
  required('name', name);

  const rawId = text('idNumber', 40);
  let idNumber = '';
  if (typeof cells.idNumber === 'number')
    errors.push({ field: 'idNumber', message: '身份证号须以文本格式填写（数字会丢失末几位）/ enter the ID number as text' });
  else if (rawId) {
    const check = validateIdNumber(rawId);
    if (check.ok) idNumber = check.normalized;
    else errors.push({ field: 'idNumber', message: check.reason });
  } else required('idNumber', rawId);

  const phone = text('phone', 20);
  if (phone && !/^1[3-9]\d{9}$/.test(phone)) errors.push({ field: 'phone', message: '11 位手机号 / an 11-digit mobile' });

  const groupCell = text('group', 50);
  let group = '';
  if (groupCell) {
    group = groupOf(groupCell, names) ?? '';
    if (!group)
      errors.push({
        field: 'group',
        message: `不是本次行动的重点群体：${groupCell}（可填：${names.groups.map((g) => g.name).join('、')}）/ not a group of this campaign`,
      });
  } else required('group', groupCell);

  const employer = text('employer', 200);
  required('employer', employer);

  const dispatchedCell = typeof cells.dispatched === 'boolean' ? (cells.dispatched ? '是' : '否') : text('dispatched', 10);
  const dispatched = yesNo(dispatchedCell);
  if (dispatched === undefined && !errors.some((e) => e.field === 'dispatched'))
    errors.push({ field: 'dispatched', message: `填 是 或 否：${dispatchedCell} / yes (是) or no (否)` });
  const agency = text('agency', 200);
  if (dispatched && !agency && !errors.some((e) => e.field === 'agency'))
    errors.push({ field: 'agency', message: '劳务派遣工须填写派遣单位 / the dispatch agency is required for a dispatched worker' });
  if (dispatched === false && agency) errors.push({ field: 'agency', message: '非劳务派遣工不填派遣单位 / only a dispatched worker has a dispatch agency' });

  if (errors.length) return { errors };
  return {
    member: {
      name,
      idNumber,
      ...(phone ? { phone } : {}),
      group,
      employer,
      dispatched: !!dispatched,
      ...(dispatched ? { agency } : {}),
    },
  };
}

/**
 * The real-name export for the provincial member database (省级会员数据库):
 * its columns in order, each with its format. The README and the export's
 * 说明 sheet list exactly these.
 */
export const PROVINCIAL_COLUMNS: readonly { header: string; format: string }[] = [
  { header: '序号', format: '从 1 起的行号' },
  { header: '姓名', format: '会员姓名' },
  { header: '公民身份号码', format: '18 位居民身份证号（明文，末位 X 为大写），文本格式' },
  { header: '性别', format: '男 或 女（由公民身份号码第 17 位得出）' },
  { header: '出生日期', format: 'YYYY-MM-DD（由公民身份号码第 7–14 位得出）' },
  { header: '民族', format: '登记时未采集，留空' },
  { header: '手机号码', format: '11 位手机号（明文）；未登记的留空' },
  { header: '工作单位', format: '会员的工作单位' },
  { header: '所在工会', format: '接收会员的工会名称' },
  { header: '入会日期', format: 'YYYY-MM-DD，北京时间' },
  { header: '会员类别', format: '重点群体名称（如 快递员）' },
  { header: '是否劳务派遣', format: '是 或 否' },
  { header: '派遣单位', format: '劳务派遣工的派遣单位；其他留空' },
  { header: '所属地区', format: '报送项目的县（市、区）总工会或产业工会名称' },
  { header: '所属项目', format: '报送该会员的建会入会项目名称' },
  { header: '所属行动', format: '集中行动名称' },
];

/** Sex and birth date as the ID number says them (empty for a number that does not validate). */
export function identityFacts(idNumber: string): { sex: '男' | '女' | ''; birthDate: string } {
  const check = validateIdNumber(idNumber);
  if (!check.ok) return { sex: '', birthDate: '' };
  return { sex: check.sex === 'male' ? '男' : '女', birthDate: check.birthDate };
}
