/**
 * 组织选择 / org picker: a select that searches the caller's part of the tree
 * on the server (GET /api/orgs?q=, 20 at a time) as one types, so it works the
 * same for a county of 30 unions and a city of 25,000. Before anything is
 * typed it offers the caller's own org and the orgs right below it.
 */
import { useEffect, useState } from 'react';
import { Select } from 'antd';
import { get } from '../api';
import { useI18n } from '../i18n';
import { useSession } from '../session';

interface OrgHit {
  id: string;
  name: string;
}

export function OrgPicker(props: {
  value?: string;
  onChange?: (value: string | undefined) => void;
  placeholder?: string;
  allowClear?: boolean;
  style?: React.CSSProperties;
  'data-testid'?: string;
  'aria-label'?: string;
  id?: string;
}) {
  const { t } = useI18n();
  const { orgs, user } = useSession();
  const [q, setQ] = useState('');
  const [hits, setHits] = useState<OrgHit[]>([]);
  const [loading, setLoading] = useState(false);

  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      setLoading(true);
      const term = q.trim();
      const own = orgs.find((o) => o.id === user?.org);
      const page = term
        ? get<{ items: OrgHit[] }>(`/api/orgs?q=${encodeURIComponent(term)}&pageSize=20`).then((r) => r.items)
        : get<{ items: OrgHit[] }>(`/api/orgs?parent=${encodeURIComponent(user?.org ?? '')}&pageSize=20`).then((r) => (own ? [own, ...r.items] : r.items));
      page
        .then((items) => live && setHits(items))
        .catch(() => live && setHits([]))
        .finally(() => live && setLoading(false));
    }, 250);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [q, orgs, user?.org]);

  const known = new Map<string, string>(orgs.map((o) => [o.id, o.name]));
  for (const h of hits) known.set(h.id, h.name);
  const options = hits.map((h) => ({ value: h.id, label: `${h.name}（${h.id}）` }));
  if (props.value && !hits.some((h) => h.id === props.value)) options.unshift({ value: props.value, label: known.get(props.value) ?? props.value });

  return (
    <Select
      id={props.id}
      showSearch={{ filterOption: false, onSearch: setQ }}
      value={props.value}
      onChange={(v: string | undefined) => props.onChange?.(v)}
      options={options}
      loading={loading}
      allowClear={props.allowClear}
      placeholder={props.placeholder ?? t('输入名称或编码搜索')}
      notFoundContent={loading ? t('正在加载…') : t('无匹配的组织')}
      style={props.style}
      data-testid={props['data-testid']}
      aria-label={props['aria-label']}
    />
  );
}
