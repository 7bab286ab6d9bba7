/**
 * 选人: colleagues from the directory (GET /api/directory), shown by name with
 * their org and post — never a login name — and searched by name on the
 * server (the directory of a city is long). Used in a
 * Form.Item (value / onChange) by the task page's 转办 / 委派 / 加签 / 抄送 and the
 * application page's 抄送.
 */
import { useRef, useState } from 'react';
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
  id,
  value,
  onChange,
  multiple,
  testId = 'user-picker',
}: {
  /** Given by Form.Item: the field's label points at it. */
  id?: string;
  value?: string | string[];
  onChange?: (v: string | string[]) => void;
  multiple?: boolean;
  testId?: string;
}) {
  const { t, lang } = useI18n();
  const { user } = useSession();
  const [q, setQ] = useState('');
  const users = useLoad(() => get<{ items: DirectoryUser[] }>(`/api/directory?limit=50${q ? `&q=${encodeURIComponent(q)}` : ''}`), [q]);
  // The people picked stay named when a later search no longer lists them.
  const known = useRef(new Map<string, DirectoryUser>());
  for (const u of users.data?.items ?? []) known.current.set(u.username, u);
  const picked = (Array.isArray(value) ? value : value ? [value] : []).flatMap((v) => known.current.get(v) ?? []);
  const listed = (users.data?.items ?? []).filter((u) => u.username !== user?.username);
  const shown = [...listed, ...picked.filter((p) => !listed.some((u) => u.username === p.username))];
  return (
    <Select
      id={id}
      mode={multiple ? 'multiple' : undefined}
      value={value}
      onChange={onChange}
      showSearch
      filterOption={false}
      onSearch={(text) => setQ(text.trim())}
      onBlur={() => setQ('')}
      loading={users.loading}
      placeholder={t('输入姓名搜索')}
      data-testid={testId}
      options={shown.map((u) => ({
        value: u.username,
        label: `${u.name}（${u.orgName}${u.roles.length ? ` · ${u.roles.map((r) => label(ROLES, r, lang)).join('、')}` : ''}）`,
      }))}
    />
  );
}
