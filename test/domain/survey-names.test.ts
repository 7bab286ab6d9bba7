import { describe, expect, it } from 'vitest';
import { allowedValues, attitudeOf, groupOf, regionOf, type SurveyNames } from '../../domain/survey-names';

const names: SurveyNames = {
  groups: [
    { id: 'courier', name: '快递员' },
    { id: 'truck_driver', name: '货车司机' },
  ],
  region: { id: 'pds-xinhua', name: '新华区总工会' },
};

describe('survey cell names (domain/survey-names)', () => {
  it('reads an attitude by its code (any case) or its Chinese words, synonyms included', () => {
    expect(attitudeOf('抵触')).toBe('resistant');
    expect(attitudeOf('反对')).toBe('resistant');
    expect(attitudeOf(' 支持 ')).toBe('supportive');
    expect(attitudeOf('积极')).toBe('supportive');
    expect(attitudeOf('中立')).toBe('neutral');
    expect(attitudeOf('不清楚')).toBe('unknown');
    expect(attitudeOf('Resistant')).toBe('resistant');
    expect(attitudeOf('很好')).toBeUndefined();
  });

  it('reads a group by its code or Chinese name, only among the campaign’s groups', () => {
    expect(groupOf('快递员', names)).toBe('courier');
    expect(groupOf('courier', names)).toBe('courier');
    expect(groupOf('货车司机', names)).toBe('truck_driver');
    expect(groupOf('外卖送餐员', names)).toBeUndefined();
    expect(groupOf('food_delivery', names)).toBeUndefined();
  });

  it('reads the region by its code or org name, and no other region', () => {
    expect(regionOf('新华区总工会', names)).toBe('pds-xinhua');
    expect(regionOf('pds-xinhua', names)).toBe('pds-xinhua');
    expect(regionOf('卫东区总工会', names)).toBeUndefined();
    expect(regionOf('pds-weidong', names)).toBeUndefined();
  });

  it('lists the allowed values by their Chinese names, never a code', () => {
    const values = allowedValues(names);
    expect(values.filter((v) => v.column === '重点群体').map((v) => v.value)).toEqual(['快递员', '货车司机']);
    expect(values.filter((v) => v.column === '法人态度').map((v) => v.value)).toEqual(['支持', '中立', '抵触', '不详']);
    expect(values.find((v) => v.column === '所属地区')?.value).toBe('新华区总工会');
    expect(JSON.stringify(values)).not.toMatch(/courier|pds-xinhua|resistant/);
  });
});
