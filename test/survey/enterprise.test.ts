import { describe, expect, it } from 'vitest';
import {
  CLASSIFICATION_NAMES,
  CLASSIFICATIONS,
  classifyEnterprise,
  firstAnniversary,
  ledgerStatusFor,
  makeCreditCode,
  validateCreditCode,
} from '../../domain/enterprise';

const asOf = '2025-04-15';

describe('classifyEnterprise — the 25/100 rules of seed 002', () => {
  it('an enterprise with 24 employees and no union is covered by a joint union (联建)', () => {
    expect(classifyEnterprise({ employees: 24, hasUnion: false, operatingSince: '2010-01-01' }, asOf)).toBe('joint_coverage');
  });

  it('an enterprise with 25 employees operating for years must build its own union (单建)', () => {
    expect(classifyEnterprise({ employees: 25, hasUnion: false, operatingSince: '2010-01-01' }, asOf)).toBe('own_union');
  });

  it('99 employees is still own_union; 100 makes it mandatory with a 100% target', () => {
    expect(classifyEnterprise({ employees: 99, hasUnion: false, operatingSince: '2010-01-01' }, asOf)).toBe('own_union');
    expect(classifyEnterprise({ employees: 100, hasUnion: false, operatingSince: '2010-01-01' }, asOf)).toBe('own_union_mandatory');
  });

  it('a 25–99 enterprise that opened less than a year ago is not yet a 单建 target and is covered jointly', () => {
    expect(classifyEnterprise({ employees: 60, hasUnion: false, operatingSince: '2024-04-16' }, asOf)).toBe('joint_coverage');
  });

  it('on its first anniversary an enterprise has operated a year', () => {
    expect(classifyEnterprise({ employees: 60, hasUnion: false, operatingSince: '2024-04-15' }, asOf)).toBe('own_union');
  });

  it('100 or more employees is mandatory however recently the enterprise opened', () => {
    expect(classifyEnterprise({ employees: 150, hasUnion: false, operatingSince: '2025-04-01' }, asOf)).toBe('own_union_mandatory');
  });

  it('an unknown opening date counts as a year in operation, so a 25+ enterprise is not missed', () => {
    expect(classifyEnterprise({ employees: 30, hasUnion: false }, asOf)).toBe('own_union');
    expect(classifyEnterprise({ employees: 30, hasUnion: false, operatingSince: null }, asOf)).toBe('own_union');
  });

  it('an enterprise that has a union is no target, whatever its size', () => {
    expect(classifyEnterprise({ employees: 5000, hasUnion: true }, asOf)).toBe('has_union');
    expect(classifyEnterprise({ employees: 3, hasUnion: true }, asOf)).toBe('has_union');
  });

  it('an enterprise with no employees yet is covered jointly', () => {
    expect(classifyEnterprise({ employees: 0, hasUnion: false }, asOf)).toBe('joint_coverage');
  });

  it('an enterprise opened on 29 February has its anniversary on the last day of February (民法典 art. 203)', () => {
    expect(firstAnniversary('2024-02-29')).toBe('2025-02-28');
    expect(classifyEnterprise({ employees: 30, hasUnion: false, operatingSince: '2024-02-29' }, '2025-02-27')).toBe('joint_coverage');
    expect(classifyEnterprise({ employees: 30, hasUnion: false, operatingSince: '2024-02-29' }, '2025-02-28')).toBe('own_union');
  });

  it('a negative or fractional headcount or a malformed date is a programming error and throws', () => {
    expect(() => classifyEnterprise({ employees: -1, hasUnion: false }, asOf)).toThrow(RangeError);
    expect(() => classifyEnterprise({ employees: 2.5, hasUnion: false }, asOf)).toThrow(RangeError);
    expect(() => classifyEnterprise({ employees: 30, hasUnion: false, operatingSince: '2024-02-30' }, asOf)).toThrow(RangeError);
    expect(() => classifyEnterprise({ employees: 30, hasUnion: false }, '15/04/2025')).toThrow(RangeError);
  });
});

describe('ledgerStatusFor — 挂号销号', () => {
  it('every target is registered (挂号); an enterprise with a union is not a target', () => {
    expect(ledgerStatusFor('own_union_mandatory')).toBe('registered');
    expect(ledgerStatusFor('own_union')).toBe('registered');
    expect(ledgerStatusFor('joint_coverage')).toBe('registered');
    expect(ledgerStatusFor('has_union')).toBe('not_target');
  });

  it('every classification has a Chinese and an English label', () => {
    for (const c of CLASSIFICATIONS) {
      expect(CLASSIFICATION_NAMES[c].zh).toMatch(/[\u4e00-\u9fff]/);
      expect(CLASSIFICATION_NAMES[c].en).toMatch(/^[\x20-\x7e]+$/);
    }
  });
});

describe('validateCreditCode — 统一社会信用代码 (GB 32100-2015)', () => {
  it('published valid codes pass', () => {
    expect(validateCreditCode('91350100M000100Y43')).toEqual({ ok: true, normalized: '91350100M000100Y43' });
    expect(validateCreditCode('91110000802100433B')).toEqual({ ok: true, normalized: '91110000802100433B' });
  });

  it('a code typed in lower case with spaces around is normalized', () => {
    expect(validateCreditCode(' 91350100m000100y43 ')).toEqual({ ok: true, normalized: '91350100M000100Y43' });
  });

  it('a wrong length, a forbidden letter (I, O, Z, S, V) or a wrong check character is refused with a reason', () => {
    expect(validateCreditCode('91350100M000100Y4')).toMatchObject({ ok: false, reason: expect.stringContaining('18') });
    for (const bad of ['I', 'O', 'Z', 'S', 'V']) {
      expect(validateCreditCode(`91350100M000100${bad}43`)).toMatchObject({ ok: false, reason: expect.stringContaining('I、O、Z、S、V') });
    }
    expect(validateCreditCode('91350100M000100Y44')).toMatchObject({ ok: false, reason: expect.stringContaining('校验位') });
  });

  it('every code built by makeCreditCode validates', () => {
    for (let i = 0; i < 300; i++) {
      const code = makeCreditCode(`9141040${String(i).padStart(4, '0')}MA4${String((i * 7) % 1000).padStart(3, '0')}`);
      expect(validateCreditCode(code).ok).toBe(true);
    }
    expect(() => makeCreditCode('91410400I00000000')).toThrow();
  });
});
