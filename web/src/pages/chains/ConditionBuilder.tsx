/**
 * 条件 / condition builder: rows of field + operator + value, joined 且 (and)
 * or 或 (or), written as JSON Logic (model.ts toLogic) — the chain owner
 * never types JSON. A condition the builder did not write (posted through the
 * API) is shown in words, and can be cleared.
 */
import { useState } from 'react';
import { Alert, Button, Input, InputNumber, Radio, Select, Space, Typography } from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import type { Condition } from '../../../../domain/chain';
import { useI18n } from '../../i18n';
import { conditionText, fromLogic, OPS, toLogic, type CondRow, type CondRows, type Fact } from './model';

export function ConditionBuilder({ value, facts, onChange }: { value: Condition | undefined; facts: Fact[]; onChange: (c: Condition | undefined) => void }) {
  const { t } = useI18n();
  const parsed = fromLogic(value);
  const [rows, setRows] = useState<CondRows | null>(parsed);

  if (!rows)
    return (
      <Alert
        type="info"
        title={`${t('此条件不是在设计器中建立的')}：${conditionText(value, facts)}`}
        action={
          <Button size="small" onClick={() => (setRows({ join: 'and', rows: [] }), onChange(undefined))}>
            {t('清除')}
          </Button>
        }
      />
    );

  const update = (next: CondRows) => {
    setRows(next);
    onChange(toLogic(next));
  };
  const setRow = (i: number, patch: Partial<CondRow>) => update({ ...rows, rows: rows.rows.map((r, j) => (j === i ? { ...r, ...patch } : r)) });

  const valueInput = (r: CondRow, i: number) => {
    const fact = facts.find((f) => f.var === r.var);
    const common = { style: { width: '100%' }, 'aria-label': t('值'), 'data-testid': `cond-value-${i}` };
    if (!fact || fact.kind === 'number')
      return <InputNumber {...common} value={typeof r.value === 'number' ? r.value : null} onChange={(v) => setRow(i, { value: v ?? undefined })} />;
    if (fact.kind === 'choice' || fact.kind === 'boolean')
      return (
        <Select
          {...common}
          mode={r.op === 'in' ? 'multiple' : undefined}
          value={r.value}
          options={(fact.options ?? []).map((o) => ({ value: o.value as string, label: o.label }))}
          onChange={(v: unknown) => setRow(i, { value: v })}
          showSearch={{ optionFilterProp: 'label' }}
        />
      );
    return (
      <Input
        {...common}
        value={typeof r.value === 'string' ? r.value : ''}
        placeholder={fact.kind === 'date' ? 'YYYY-MM-DD' : undefined}
        onChange={(e) => setRow(i, { value: e.target.value })}
      />
    );
  };

  return (
    <div data-testid="condition-builder">
      <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
        {rows.rows.length === 0 ? t('没有条件：每份申请都经过此步骤。') : t('条件满足时经过此步骤，否则跳过。')}
      </Typography.Paragraph>
      {rows.rows.length > 1 && (
        <Radio.Group
          value={rows.join}
          onChange={(e) => update({ ...rows, join: e.target.value as 'and' | 'or' })}
          options={[
            { value: 'and', label: t('且（全部满足）') },
            { value: 'or', label: t('或（满足其一）') },
          ]}
          style={{ marginBottom: 8 }}
          data-testid="cond-join"
        />
      )}
      {rows.rows.map((r, i) => {
        const fact = facts.find((f) => f.var === r.var);
        const ops = OPS[fact?.kind ?? 'number'];
        return (
          <div
            key={i}
            style={{ display: 'grid', gridTemplateColumns: 'minmax(0,1.2fr) minmax(0,1fr) minmax(0,1.2fr) auto', gap: 6, marginBottom: 6 }}
            data-testid={`cond-row-${i}`}
          >
            <Select
              value={r.var || undefined}
              placeholder={t('字段')}
              options={facts.map((f) => ({ value: f.var, label: f.label }))}
              onChange={(v: string) => {
                const k = facts.find((f) => f.var === v)?.kind ?? 'number';
                setRow(i, { var: v, op: OPS[k][0]![0], value: undefined });
              }}
              aria-label={t('字段')}
              data-testid={`cond-field-${i}`}
            />
            <Select
              value={r.op}
              options={ops.map(([value, label]) => ({ value, label: t(label) }))}
              onChange={(op: CondRow['op']) => setRow(i, { op, value: op === 'in' ? [] : undefined })}
              aria-label={t('比较')}
              data-testid={`cond-op-${i}`}
            />
            {valueInput(r, i)}
            <Button
              icon={<DeleteOutlined />}
              onClick={() => update({ ...rows, rows: rows.rows.filter((_, j) => j !== i) })}
              aria-label={t('删除条件')}
              data-testid={`cond-remove-${i}`}
            />
          </div>
        );
      })}
      <Space>
        <Button
          size="small"
          icon={<PlusOutlined />}
          onClick={() => update({ ...rows, rows: [...rows.rows, { var: '', op: '>', value: undefined }] })}
          data-testid="cond-add"
        >
          {t('添加条件')}
        </Button>
      </Space>
    </div>
  );
}
