/**
 * The names a survey upload's cells may use (调查摸底): beside the internal codes
 * (`courier`, `pds-xinhua`, `resistant`), the Chinese names users know — a target
 * group by its name (快递员), the region by its org name (新华区总工会), an
 * employer's attitude by its words, synonyms included (反对 as well as 抵触).
 * Pure: the caller passes the campaign's groups and the upload's region.
 */
import { EMPLOYER_ATTITUDE_NAMES, EMPLOYER_ATTITUDES, type EmployerAttitude } from './enterprise';

/** The names one upload may use: the campaign's groups (code → Chinese name) and the upload's region. */
export interface SurveyNames {
  groups: readonly { id: string; name: string }[];
  region: { id: string; name: string };
}

/** Words for each attitude (the first is the one the template lists). */
export const ATTITUDE_WORDS: Record<EmployerAttitude, readonly string[]> = {
  supportive: ['支持', '积极', '赞成', '配合'],
  neutral: ['中立', '一般', '观望'],
  resistant: ['抵触', '反对', '消极', '不配合'],
  unknown: ['不详', '未知', '不清楚'],
};
const ATTITUDE_BY_WORD = new Map<string, EmployerAttitude>();
for (const a of EMPLOYER_ATTITUDES) {
  ATTITUDE_BY_WORD.set(a, a);
  for (const w of ATTITUDE_WORDS[a]) ATTITUDE_BY_WORD.set(w, a);
}

/** The attitude a cell names (a code in any case, or a Chinese word), or undefined. */
export function attitudeOf(cell: string): EmployerAttitude | undefined {
  const t = cell.trim();
  return ATTITUDE_BY_WORD.get(t) ?? ATTITUDE_BY_WORD.get(t.toLowerCase());
}

/** The group code a cell names (its code or its Chinese name), or undefined when it is not one of the campaign's groups. */
export function groupOf(cell: string, names: SurveyNames): string | undefined {
  const t = cell.trim();
  return names.groups.find((g) => g.id === t || g.name === t)?.id;
}

/** The region a cell names (the upload's region by its code or its org name), or undefined for any other. */
export function regionOf(cell: string, names: SurveyNames): string | undefined {
  const t = cell.trim();
  return t === names.region.id || t === names.region.name ? names.region.id : undefined;
}

/** The allowed values, as the template's second sheet lists them. */
export function allowedValues(names: SurveyNames): { column: string; value: string; note: string }[] {
  return [
    ...names.groups.map((g) => ({ column: '重点群体', value: g.name, note: `写作 ${g.name}:人数，多个用分号分隔` })),
    ...EMPLOYER_ATTITUDES.map((a) => ({ column: '法人态度', value: EMPLOYER_ATTITUDE_NAMES[a].zh, note: `同义：${ATTITUDE_WORDS[a].join('、')}` })),
    { column: '所属地区', value: names.region.name, note: '本次上传的地区' },
    { column: '是否建会', value: '是', note: '或 否' },
  ];
}
