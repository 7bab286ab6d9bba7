/**
 * 消息: the caller's reminders, escalations (督办), returns, decisions and
 * bulletins, newest first. Each leads to what it is about (its task,
 * application, bulletin or campaign) and is marked read on the way; unread
 * ones are bold with a dot; 全部标为已读 marks them all. The menu's badge
 * follows (the API client announces the change: components/fresh.ts).
 */
import { useState } from 'react';
import { App, Badge, Button, Card, DatePicker, Input, List, Select, Space, Tag, Typography } from 'antd';
import { CheckOutlined, RightOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { get, post } from '../api';
import { ErrorAlert } from '../components/ErrorAlert';
import { ExportButtons } from '../components/ExportButtons';
import { useLoad } from '../components/useLoad';
import { useI18n } from '../i18n';
import { navigate } from '../router';

const KINDS: Record<string, [string, string, string]> = {
  reminder: ['提醒', 'Reminder', 'blue'],
  urge: ['催办', 'Urged', 'orange'],
  cc: ['抄送', 'Copy', 'default'],
  escalation: ['督办', 'Escalation', 'red'],
  returned: ['退回', 'Returned', 'orange'],
  decided: ['办结', 'Decided', 'green'],
  bulletin: ['通报', 'Bulletin', 'purple'],
};

interface Note {
  id: string;
  kind: string;
  message: string;
  link: string | null;
  createdAt: string;
  readAt: string | null;
}

interface Page {
  items: Note[];
  nextCursor: string | null;
  unread: number;
}

const PAGE = 30;

export default function Notifications() {
  const { t, lang, m } = useI18n();
  const { message } = App.useApp();
  const [filters, setFilters] = useState<{ kind?: string; read?: string; from?: string; to?: string; q?: string }>({});
  const query = new URLSearchParams(Object.entries(filters).filter((e): e is [string, string] => !!e[1]));
  const listPath = `/api/notifications?${query.toString()}`;
  const { data, error, loading, setData } = useLoad(() => get<Page>(`${listPath}&limit=${PAGE}`), [listPath]);
  const filter = (f: Partial<typeof filters>) => setFilters((x) => ({ ...x, ...f }));
  const [more, setMore] = useState(false);
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState<unknown>(null);

  /** Marks these read here and on the server; the badge counts again. */
  const markRead = async (body: { ids: string[] } | { all: true }) => {
    const r = await post<{ marked: number; unread: number }>('/api/notifications/read', body);
    const now = new Date().toISOString();
    setData(
      (d) =>
        d && {
          ...d,
          unread: r.unread,
          items: d.items.map((n) => (!n.readAt && ('all' in body || body.ids.includes(n.id)) ? { ...n, readAt: now } : n)),
        },
    );
    return r;
  };

  const open = async (n: Note) => {
    setFailed(null);
    try {
      if (!n.readAt) await markRead({ ids: [n.id] });
    } catch (e) {
      // Not being able to mark it read does not keep the user from what it is about.
      if (!n.link) setFailed(e);
    }
    if (n.link) navigate(n.link);
  };

  const readAll = async () => {
    setBusy(true);
    setFailed(null);
    try {
      const r = await markRead({ all: true });
      void message.success(t('已全部标为已读') + (r.marked ? `（${r.marked}）` : ''));
    } catch (e) {
      setFailed(e);
    } finally {
      setBusy(false);
    }
  };

  const loadMore = async () => {
    if (!data?.nextCursor) return;
    setMore(true);
    setFailed(null);
    try {
      const next = await get<Page>(`${listPath}&limit=${PAGE}&cursor=${encodeURIComponent(data.nextCursor)}`);
      setData((d) => d && { items: [...d.items, ...next.items], nextCursor: next.nextCursor, unread: next.unread });
    } catch (e) {
      setFailed(e);
    } finally {
      setMore(false);
    }
  };

  const unread = data?.unread ?? 0;
  return (
    <Card
      title={
        <Space size={8} wrap>
          {t('消息')}
          {unread ? (
            <Typography.Text type="secondary" style={{ fontSize: 13, fontWeight: 'normal' }} data-testid="unread-summary">
              {lang === 'zh' ? `${unread} 条未读` : `${unread} unread`}
            </Typography.Text>
          ) : null}
        </Space>
      }
      extra={
        <Space wrap>
          <ExportButtons path={listPath} name={t('我的消息')} />
          <Button icon={<CheckOutlined />} onClick={readAll} loading={busy} disabled={!unread} data-testid="read-all">
            {t('全部标为已读')}
          </Button>
        </Space>
      }
    >
      <Space wrap style={{ marginBottom: 8 }} data-testid="notification-filters">
        <Input.Search allowClear placeholder={t('搜索消息')} onSearch={(q) => filter({ q: q.trim() || undefined })} style={{ width: 200 }} />
        <Select
          allowClear
          placeholder={t('全部类别')}
          style={{ width: 120 }}
          onChange={(v?: string) => filter({ kind: v })}
          options={Object.entries(KINDS).map(([k, l]) => ({ value: k, label: lang === 'zh' ? l[0] : l[1] }))}
        />
        <Select
          allowClear
          placeholder={t('已读与未读')}
          style={{ width: 120 }}
          onChange={(v?: string) => filter({ read: v })}
          options={[
            { value: 'false', label: t('未读') },
            { value: 'true', label: t('已读') },
          ]}
        />
        <DatePicker.RangePicker
          allowEmpty={[true, true]}
          onChange={(r) => filter({ from: r?.[0]?.format('YYYY-MM-DD'), to: r?.[1]?.format('YYYY-MM-DD') })}
          style={{ maxWidth: 260 }}
        />
      </Space>
      <ErrorAlert error={error ?? failed} />
      <List
        loading={loading}
        dataSource={data?.items ?? []}
        locale={{ emptyText: t('暂无消息') }}
        loadMore={
          data?.nextCursor ? (
            <div style={{ textAlign: 'center', marginTop: 12 }}>
              <Button onClick={loadMore} loading={more} data-testid="load-more">
                {t('加载更多')}
              </Button>
            </div>
          ) : null
        }
        renderItem={(n) => {
          const k = KINDS[n.kind];
          const isUnread = !n.readAt;
          return (
            <List.Item style={{ paddingInline: 0 }}>
              <a
                href={n.link ?? '#'}
                onClick={(e) => {
                  e.preventDefault();
                  void open(n);
                }}
                data-testid="notification"
                data-id={n.id}
                data-unread={isUnread ? 'true' : 'false'}
                aria-label={isUnread ? `${t('未读')}：${m(n.message)}` : m(n.message)}
                style={{ display: 'flex', gap: 10, alignItems: 'flex-start', width: '100%', color: 'inherit', minWidth: 0 }}
              >
                <span style={{ width: 8, paddingTop: 6, flex: 'none' }}>{isUnread ? <Badge status="error" data-testid="unread-dot" /> : null}</span>
                <span style={{ flex: 1, minWidth: 0 }}>
                  <span style={{ display: 'flex', flexWrap: 'wrap', gap: 8, alignItems: 'baseline' }}>
                    <Tag color={k?.[2]} style={{ marginInlineEnd: 0 }}>
                      {k ? (lang === 'zh' ? k[0] : k[1]) : t('消息')}
                    </Tag>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {dayjs(n.createdAt).format('YYYY-MM-DD HH:mm')}
                    </Typography.Text>
                  </span>
                  <span
                    style={{ display: 'block', marginTop: 4, fontWeight: isUnread ? 600 : 'normal', overflowWrap: 'anywhere' }}
                    data-testid="notification-text"
                  >
                    {m(n.message)}
                  </span>
                </span>
                {n.link ? <RightOutlined style={{ color: '#999', paddingTop: 6, flex: 'none' }} /> : null}
              </a>
            </List.Item>
          );
        }}
      />
    </Card>
  );
}
