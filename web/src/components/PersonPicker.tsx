/**
 * 选人: colleagues from the directory (GET /api/directory), shown by name with
 * their org and post — never a login name — and searched by name. Used in a
 * Form.Item (value / onChange) by the task page's 转办 / 委派 / 加签 / 抄送 and the
 * application page's 抄送.
 */
import { Select } from 'antd';
import { get } from '../api';
import { useI18n } from '../i18n';
import { label, ROLES } from '../labels';
import { useSession } from '../session';
import { useLoad } from './useLoad';

interface DirectoryUser {
  username: string;
  name: string;
  orgName: string;
  roles: string[];
}

export function PersonPicker({
  value,
  onChange,
  multiple,
  testId = 'user-picker',
}: {
  value?: string | string[];
  onChange?: (v: string | string[]) => void;
  multiple?: boolean;
  testId?: string;
}) {
  const { lang } = useI18n();
  const { user } = useSession();
  const users = useLoad(() => get<{ items: DirectoryUser[] }>('/api/directory?limit=500'), []);
  return (
    <Select
      mode={multiple ? 'multiple' : undefined}
      value={value}
      onChange={onChange}
      showSearch
      optionFilterProp="label"
      loading={users.loading}
      data-testid={testId}
      options={(users.data?.items ?? [])
        .filter((u) => u.username !== user?.username)
        .map((u) => ({
          value: u.username,
          label: `${u.name}（${u.orgName}${u.roles.length ? ` · ${u.roles.map((r) => label(ROLES, r, lang)).join('、')}` : ''}）`,
        }))}
    />
  );
}
