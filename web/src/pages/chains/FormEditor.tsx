/**
 * 表单 / the application form of this type, beside the flow: fields added,
 * ordered and removed; each with its Chinese label (and English), a key
 * (made from the English label, editable), a type, whether it is required,
 * the options of a 下拉 and the bounds of a number. It becomes `form.schema`
 * and `form.ui` (model.ts toForm); the preview renders it as applicants see it.
 */
import { useState } from 'react';
import { Alert, Button, Card, Col, Empty, Input, InputNumber, Row, Select, Space, Switch, Typography } from 'antd';
import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useI18n } from '../../i18n';
import type { FieldError } from '../../api';
import { FormPreview } from './FormPreview';
import { FIELD_KINDS, keyFromLabel, toForm, validKey, type FormField } from './model';

export function FormEditor({ fields, onChange, errors }: { fields: FormField[]; onChange: (f: FormField[]) => void; errors: FieldError[] }) {
  const { t, m } = useI18n();
  // Keys the owner typed themselves are kept; the others follow the English label.
  const [typedKeys, setTypedKeys] = useState<Set<string>>(() => new Set(fields.map((f) => f.key)));
  const form = toForm(fields);

  const set = (i: number, patch: Partial<FormField>) => {
    const next = fields.map((f, j) => (j === i ? { ...f, ...patch } : f));
    const f = next[i]!;
    if (patch.labelEn !== undefined && !typedKeys.has(f.key))
      f.key = keyFromLabel(
        f.labelEn,
        next.filter((_, j) => j !== i).map((x) => x.key),
      );
    onChange(next);
  };
  const move = (i: number, by: -1 | 1) => {
    const next = [...fields];
    [next[i], next[i + by]] = [next[i + by]!, next[i]!];
    onChange(next);
  };
  const add = () =>
    onChange([
      ...fields,
      {
        key: keyFromLabel(
          '',
          fields.map((f) => f.key),
        ),
        label: '',
        labelEn: '',
        kind: 'text',
        required: false,
        options: [],
      },
    ]);
  const errorsOf = (key: string) => errors.filter((e) => e.path.includes(`.${key}`) || e.path.endsWith(key));
  const dupKeys = new Set(fields.map((f) => f.key).filter((k, i, all) => all.indexOf(k) !== i));

  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} lg={13}>
        <Card
          size="small"
          title={t('表单字段')}
          extra={
            <Button icon={<PlusOutlined />} type="primary" size="small" onClick={add} data-testid="form-add-field">
              {t('添加字段')}
            </Button>
          }
        >
          {errors.length > 0 && (
            <Alert
              type="error"
              showIcon
              style={{ marginBottom: 12 }}
              title={t('服务器指出表单有误')}
              description={
                <ul style={{ margin: 0, paddingInlineStart: 18 }}>
                  {errors.map((e, i) => (
                    <li key={i}>{m(e.message)}</li>
                  ))}
                </ul>
              }
            />
          )}
          {fields.length === 0 && <Empty description={t('此类申请还没有自定义表单字段')} />}
          {fields.map((f, i) => {
            const keyProblem = !validKey(f.key) ? t('编码须以小写字母开头，只含字母、数字、下划线') : dupKeys.has(f.key) ? t('编码重复') : '';
            return (
              <Card key={i} size="small" className="cd-field" data-testid={`form-field-${i}`} styles={{ body: { padding: 10 } }}>
                <Row gutter={[8, 8]}>
                  <Col xs={24} sm={12}>
                    <Input
                      value={f.label}
                      placeholder={t('中文名称')}
                      onChange={(e) => set(i, { label: e.target.value })}
                      aria-label={t('中文名称')}
                      status={f.label.trim() ? '' : 'warning'}
                      data-testid={`field-label-${i}`}
                    />
                  </Col>
                  <Col xs={24} sm={12}>
                    <Input
                      value={f.labelEn}
                      placeholder={t('英文名称')}
                      onChange={(e) => set(i, { labelEn: e.target.value })}
                      aria-label={t('英文名称')}
                      data-testid={`field-label-en-${i}`}
                    />
                  </Col>
                  <Col xs={24} sm={12}>
                    <Input
                      prefix={<Typography.Text type="secondary">{t('编码')}</Typography.Text>}
                      value={f.key}
                      status={keyProblem ? 'error' : ''}
                      onChange={(e) => {
                        setTypedKeys(new Set([...typedKeys, e.target.value]));
                        set(i, { key: e.target.value.trim() });
                      }}
                      aria-label={t('编码')}
                      data-testid={`field-key-${i}`}
                    />
                    {keyProblem && (
                      <Typography.Text type="danger" style={{ fontSize: 12 }}>
                        {keyProblem}
                      </Typography.Text>
                    )}
                  </Col>
                  <Col xs={24} sm={12}>
                    <Select
                      style={{ width: '100%' }}
                      value={f.kind}
                      options={FIELD_KINDS.map(([value, label]) => ({ value, label: t(label) }))}
                      onChange={(kind: FormField['kind']) => set(i, { kind })}
                      aria-label={t('类型')}
                      data-testid={`field-kind-${i}`}
                    />
                  </Col>
                  {f.kind === 'select' && (
                    <Col xs={24}>
                      <Select
                        mode="tags"
                        style={{ width: '100%' }}
                        value={f.options}
                        placeholder={t('输入选项后回车')}
                        onChange={(options: string[]) => set(i, { options })}
                        aria-label={t('选项')}
                        data-testid={`field-options-${i}`}
                      />
                    </Col>
                  )}
                  {(f.kind === 'number' || f.kind === 'money') && (
                    <Col xs={24}>
                      <Space wrap>
                        <InputNumber
                          placeholder={t('最小值')}
                          value={f.min ?? null}
                          onChange={(v) => set(i, { min: v ?? undefined })}
                          aria-label={t('最小值')}
                          data-testid={`field-min-${i}`}
                        />
                        <InputNumber
                          placeholder={t('最大值')}
                          value={f.max ?? null}
                          onChange={(v) => set(i, { max: v ?? undefined })}
                          aria-label={t('最大值')}
                          data-testid={`field-max-${i}`}
                        />
                      </Space>
                    </Col>
                  )}
                  <Col xs={24}>
                    <Space wrap>
                      <Switch checked={f.required} onChange={(required) => set(i, { required })} data-testid={`field-required-${i}`} /> {t('必填')}
                      <Button size="small" icon={<ArrowUpOutlined />} disabled={i === 0} onClick={() => move(i, -1)} aria-label={t('上移')} />
                      <Button size="small" icon={<ArrowDownOutlined />} disabled={i === fields.length - 1} onClick={() => move(i, 1)} aria-label={t('下移')} />
                      <Button
                        size="small"
                        danger
                        icon={<DeleteOutlined />}
                        onClick={() => onChange(fields.filter((_, j) => j !== i))}
                        data-testid={`field-remove-${i}`}
                      >
                        {t('删除')}
                      </Button>
                    </Space>
                  </Col>
                  {errorsOf(f.key).map((e, j) => (
                    <Col xs={24} key={j}>
                      <Typography.Text type="danger">{m(e.message)}</Typography.Text>
                    </Col>
                  ))}
                </Row>
              </Card>
            );
          })}
        </Card>
      </Col>
      <Col xs={24} lg={11}>
        <Card size="small" title={t('预览：申请人看到的表单')} data-testid="form-preview-card">
          {form ? <FormPreview form={form} testId="form-preview" /> : <Empty description={t('添加字段后在此预览')} />}
        </Card>
      </Col>
    </Row>
  );
}
