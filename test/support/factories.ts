/**
 * Test data factories: each call returns a fresh, valid request body, with
 * unique values where uniqueness matters (ID numbers, chain keys), so tests
 * running in parallel on the shared database never collide.
 */
import crypto from 'node:crypto';
import type { FormDefinition, HumanStep, Step } from '../../domain/chain';
import { makeIdNumber } from '../../domain/id-number';

let counter = 0;

/** A short random suffix for keys and titles. */
export function unique(prefix = ''): string {
  counter += 1;
  return `${prefix}${crypto.randomBytes(4).toString('hex')}${counter.toString(36)}`;
}

const digits = (n: number) => Array.from(crypto.randomBytes(n), (b) => String(b % 10)).join('');

/**
 * A valid 18-character resident ID number (GB 11643 checksum), random enough
 * not to collide across parallel files: a Henan region code, a birth date
 * between 1970 and 1999, and a random sequence number.
 */
export function uniqueIdNumber(): string {
  const region = `41${digits(4)}`;
  const birth = new Date(Date.UTC(1970, 0, 1) + crypto.randomInt(0, 30 * 365) * 86_400_000);
  const date = birth.toISOString().slice(0, 10).replace(/-/g, '');
  return makeIdNumber(`${region}${date}${digits(3)}`);
}

export function uniquePhone(): string {
  return `13${crypto.randomInt(5, 10)}${digits(8)}`;
}

export interface SubsidyBody {
  type: 'subsidy';
  title: string;
  amount: number;
  reason: string;
  projectId?: string;
  /** The form of the chain it runs on (申请表单). */
  form?: Record<string, unknown>;
}

/** 经费补助申请: a region's subsidy application. */
export function buildSubsidy(overrides: Partial<SubsidyBody> = {}): SubsidyBody {
  return {
    type: 'subsidy',
    title: `快递员服务站建设补助 ${unique()}`,
    amount: 12_000.5,
    reason: '新建户外劳动者服务站，需购置桌椅、饮水机和急救箱 / equipment for an outdoor workers station',
    ...overrides,
  };
}

export interface MemberBody {
  type: 'membership';
  name: string;
  idNumber: string;
  phone: string;
  group: string;
  area: string;
  employer?: string;
}

/** 网上入会: a worker's online membership application (by default a courier in 新华区). */
export function buildMember(overrides: Partial<MemberBody> = {}): MemberBody {
  return {
    type: 'membership',
    name: `王${unique().slice(0, 4)}`,
    idNumber: uniqueIdNumber(),
    phone: uniquePhone(),
    group: 'courier',
    area: 'pds-xinhua',
    ...overrides,
  };
}

/** A human step for a saved chain; by default one named approver. */
export function humanStep(overrides: Partial<HumanStep> & { id: string }): HumanStep {
  return {
    name: `审批 ${overrides.id}`,
    type: 'human',
    who: { kind: 'users', usernames: ['city.reviewer'] },
    mode: 'single',
    ...overrides,
  };
}

export interface ChainBody {
  key: string;
  name: string;
  type: 'subsidy' | 'membership' | 'transfer';
  steps: Step[];
  /** The application type's form (申请表单). */
  form?: FormDefinition;
}

/** A chain definition under a fresh key (never a built-in key, which other files use concurrently). */
export function buildChain(overrides: Partial<ChainBody> = {}): ChainBody {
  return {
    key: unique('t-'),
    name: '测试审批链 / test chain',
    type: 'subsidy',
    steps: [humanStep({ id: 'review' })],
    ...overrides,
  };
}
