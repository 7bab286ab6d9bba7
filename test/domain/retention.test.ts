/** The retention rules (数据保留) as pure functions: what erasing a payload keeps and what it removes, and the policy's readers. */
import { describe, expect, it } from 'vitest';
import { readRetentionRuns, readRevealAudit, revealAuditScope, type Principal } from '../../domain/policy';
import { erasePersonalFields, maskName, maskTitle } from '../../domain/retention';

describe('erasing personal fields', () => {
  it('masks names to their first character', () => {
    expect(maskName('张三')).toBe('张*');
    expect(maskName('欧阳娜娜')).toBe('欧***');
    expect(maskName('王')).toBe('王*');
    expect(maskName('  李四 ')).toBe('李*');
    expect(maskName('')).toBe('');
    // Masking twice changes nothing.
    expect(maskName(maskName('欧阳娜娜'))).toBe('欧***');
  });

  it('removes ciphertexts and hashes, masks the name, keeps the masked numbers and the rest', () => {
    const payload = {
      name: '张三',
      group: 'courier',
      employer: null,
      area: 'pds-xinhua',
      idNumberEnc: 'v1:abc',
      idNumberHash: 'h1',
      idNumberMasked: '410402********1234',
      phoneEnc: 'v1:def',
      phoneHash: 'h2',
      phoneMasked: '138****5678',
    };
    expect(erasePersonalFields(payload)).toEqual({
      name: '张*',
      group: 'courier',
      employer: null,
      area: 'pds-xinhua',
      idNumberMasked: '410402********1234',
      phoneMasked: '138****5678',
    });
    // Already erased (or nothing personal, e.g. a subsidy): nothing to do.
    expect(erasePersonalFields(erasePersonalFields(payload)!)).toBeNull();
    expect(erasePersonalFields({ amount: 1000, reason: 'x' })).toBeNull();
  });

  it('masks the name inside a title', () => {
    expect(maskTitle('张三 入会申请', '张三')).toBe('张* 入会申请');
    expect(maskTitle('会籍转移至新华区快递行业工会联合会', '张三')).toBe('会籍转移至新华区快递行业工会联合会');
    expect(maskTitle('张三 入会申请', undefined)).toBe('张三 入会申请');
  });
});

describe('who reads the reveal audit and the retention runs', () => {
  const p = (orgPath: string, roles: string[]): Principal => ({ username: 'u', orgId: orgPath.split('/').at(-2)!, orgPath, roles });
  it('reveal audit: admins, scoped to their subtree', () => {
    expect(readRevealAudit(p('/henan/pds/pds-xinhua/', ['admin'])).allow).toBe(true);
    expect(readRevealAudit(p('/henan/pds/', ['reviewer', 'staff', 'supervisor'])).allow).toBe(false);
    expect(revealAuditScope(p('/henan/pds/', ['admin']))).toEqual({ pathPrefix: '/henan/pds/' });
  });
  it('retention runs: admins of a city or the province', () => {
    expect(readRetentionRuns(p('/henan/', ['admin'])).allow).toBe(true);
    expect(readRetentionRuns(p('/henan/pds/', ['admin'])).allow).toBe(true);
    expect(readRetentionRuns(p('/henan/pds/pds-xinhua/', ['admin'])).allow).toBe(false);
    expect(readRetentionRuns(p('/henan/pds/', ['supervisor'])).allow).toBe(false);
  });
});
