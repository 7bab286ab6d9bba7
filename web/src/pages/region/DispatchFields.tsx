/**
 * 劳务派遣工 on a progress report's member row: the checkbox, and then the
 * dispatch agency (劳务派遣单位). The member's work unit is then the host
 * employer (用工单位). The agency's union admits them; where it has none,
 * the host employer's (seed 003).
 */
import { Checkbox, Form, Input } from 'antd';
import { useI18n } from '../../i18n';

export function DispatchFields({ name }: { name: number }) {
  const { t } = useI18n();
  return (
    <>
      <Form.Item name={[name, 'dispatched']} valuePropName="checked">
        <Checkbox data-testid={`dispatched-${name}`}>{t('劳务派遣')}</Checkbox>
      </Form.Item>
      <Form.Item noStyle shouldUpdate>
        {(form) =>
          form.getFieldValue(['members', name, 'dispatched']) ? (
            <Form.Item name={[name, 'agency']} rules={[{ required: true, whitespace: true, message: t('请填写派遣单位') }]}>
              <Input placeholder={t('派遣单位')} style={{ width: 200 }} data-testid={`agency-${name}`} />
            </Form.Item>
          ) : null
        }
      </Form.Item>
    </>
  );
}
