/**
 * 机构与人员 → 工作日历 / Working calendar: the year as twelve months, the
 * State Council's holidays (red) and 调休 working days (班) from the official
 * calendar, and the overrides of the caller's org and the orgs above it
 * (marked 改). Admins of a city or the province click a day to set or remove
 * their org's override (a local holiday, or a year announced after the
 * library's release); the server decides who may (canEdit).
 */
import { useState } from 'react';
import { Alert, Button, Card, Form, Input, Modal, Popconfirm, Radio, Space, Table, Tag, Typography } from 'antd';
import { LeftOutlined, RightOutlined } from '@ant-design/icons';
import { call, get } from '../api';
import { ErrorAlert } from '../components/ErrorAlert';
import { useLoad } from '../components/useLoad';
import { useI18n } from '../i18n';

type Kind = 'holiday' | 'workday';

interface Day {
  date: string;
  kind: Kind;
  name: string;
  source: 'official' | 'override';
  orgId?: string;
  orgName?: string;
}

interface Override {
  date: string;
  kind: Kind;
  name: string;
  orgId: string;
  orgName: string;
  createdBy: string;
  createdByName?: string | null;
  createdAt: string;
}

interface CalendarView {
  year: number;
  org: { id: string; name: string };
  canEdit: boolean;
  officialCovered: boolean;
  items: Day[];
  overrides: Override[];
}

const WEEKDAYS: [string, string][] = [
  ['一', 'Mo'],
  ['二', 'Tu'],
  ['三', 'We'],
  ['四', 'Th'],
  ['五', 'Fr'],
  ['六', 'Sa'],
  ['日', 'Su'],
];

const pad = (n: number) => String(n).padStart(2, '0');

/** The days of a month as weeks Monday–Sunday; null pads the first and last week. */
function monthWeeks(year: number, month: number): (string | null)[][] {
  const first = new Date(Date.UTC(year, month, 1));
  const days = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const cells: (string | null)[] = Array.from({ length: (first.getUTCDay() + 6) % 7 }, () => null);
  for (let d = 1; d <= days; d++) cells.push(`${year}-${pad(month + 1)}-${pad(d)}`);
  while (cells.length % 7) cells.push(null);
  return Array.from({ length: cells.length / 7 }, (_, i) => cells.slice(i * 7, i * 7 + 7));
}

const isWeekend = (date: string) => [0, 6].includes(new Date(`${date}T00:00:00Z`).getUTCDay());

export default function WorkCalendar({ initialYear }: { initialYear?: number }) {
  const { t, lang } = useI18n();
  const [year, setYear] = useState(initialYear ?? new Date().getFullYear());
  const [editing, setEditing] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<unknown>(null);
  const [form] = Form.useForm<{ kind: Kind; name: string }>();
  const { data, error, loading, reload } = useLoad(() => get<CalendarView>(`/api/calendar?year=${year}`), [year]);

  const byDate = new Map((data?.items ?? []).map((d) => [d.date, d]));
  const ownOverride = (date: string) => data?.overrides.find((o) => o.date === date && o.orgId === data.org.id);

  const open = (date: string) => {
    if (!data?.canEdit) return;
    const day = byDate.get(date);
    const own = ownOverride(date);
    form.setFieldsValue({
      kind: own?.kind ?? (day ? (day.kind === 'holiday' ? 'workday' : 'holiday') : isWeekend(date) ? 'workday' : 'holiday'),
      name: own?.name ?? '',
    });
    setSaveError(null);
    setEditing(date);
  };

  const save = async () => {
    const v = await form.validateFields();
    setSaving(true);
    try {
      await call('PUT', `/api/calendar/${editing}`, { body: { kind: v.kind, name: v.name ?? '', org: data!.org.id } });
      setEditing(null);
      await reload();
    } catch (e) {
      setSaveError(e);
    } finally {
      setSaving(false);
    }
  };

  const remove = async () => {
    setSaving(true);
    try {
      await call('DELETE', `/api/calendar/${editing}?org=${encodeURIComponent(data!.org.id)}`);
      setEditing(null);
      await reload();
    } catch (e) {
      setSaveError(e);
    } finally {
      setSaving(false);
    }
  };

  const cell = (date: string | null, i: number) => {
    if (!date) return <td key={i} />;
    const day = byDate.get(date);
    const cls = [
      'ud-cal-day',
      day?.kind === 'holiday' ? 'ud-cal-holiday' : '',
      !day && isWeekend(date) ? 'ud-cal-weekend' : '',
      day?.source === 'override' ? 'ud-cal-override' : '',
    ]
      .filter(Boolean)
      .join(' ');
    const title = day
      ? `${date} ${day.name || (day.kind === 'holiday' ? t('放假') : t('上班'))}${day.source === 'override' ? ` · ${t('特别安排')}（${day.orgName ?? day.orgId}）` : ''}`
      : date;
    return (
      <td key={date}>
        <div
          className={cls}
          title={title}
          data-testid={`cal-day-${date}`}
          data-kind={day?.kind ?? ''}
          data-source={day?.source ?? ''}
          role={data?.canEdit ? 'button' : undefined}
          style={{ cursor: data?.canEdit ? 'pointer' : 'default' }}
          onClick={() => open(date)}
        >
          <span>{Number(date.slice(8))}</span>
          {day?.kind === 'workday' ? <span className="ud-cal-mark">{t('班')}</span> : null}
          {day?.kind === 'holiday' && !isWeekend(date) ? <span className="ud-cal-mark">{t('休')}</span> : null}
          {day?.source === 'override' ? <span className="ud-cal-override-dot">{t('改')}</span> : null}
        </div>
      </td>
    );
  };

  const editingDay = editing ? byDate.get(editing) : undefined;
  const editingOwn = editing ? ownOverride(editing) : undefined;

  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }} data-testid="calendar-page">
      <Space align="center" wrap style={{ justifyContent: 'space-between', width: '100%' }}>
        <Typography.Title level={3} style={{ margin: 0 }}>
          {t('工作日历')}
          {data ? (
            <Typography.Text type="secondary" style={{ fontSize: 14, marginInlineStart: 12 }}>
              {data.org.name}
            </Typography.Text>
          ) : null}
        </Typography.Title>
        <Space>
          <Button icon={<LeftOutlined />} onClick={() => setYear((y) => y - 1)} data-testid="cal-prev-year" aria-label={t('上一年')} />
          <Typography.Text strong style={{ fontSize: 18 }} data-testid="cal-year">
            {lang === 'zh' ? `${year} 年` : year}
          </Typography.Text>
          <Button icon={<RightOutlined />} onClick={() => setYear((y) => y + 1)} data-testid="cal-next-year" aria-label={t('下一年')} />
        </Space>
      </Space>
      <ErrorAlert error={error} />
      {data && !data.officialCovered ? (
        <Alert
          type="warning"
          showIcon
          data-testid="cal-not-covered"
          title={t('{year} 年的国务院节假日安排尚未收录，请由省总或市总管理员按通知录入特别安排。', { year })}
        />
      ) : null}
      <Space wrap size="middle" className="ud-cal-legend">
        <span>
          <span className="ud-cal-swatch ud-cal-holiday" /> {t('放假')}
        </span>
        <span>
          <span className="ud-cal-swatch ud-cal-workday">{t('班')}</span> {t('调休上班')}
        </span>
        <span>
          <span className="ud-cal-swatch ud-cal-override">{t('改')}</span> {t('特别安排（本级或上级设置）')}
        </span>
        <Typography.Text type="secondary">
          {data?.canEdit ? t('点击日期可设置或删除本组织的特别安排。') : t('节假日依据国务院办公厅通知（chinese-days）。')}
        </Typography.Text>
      </Space>
      <div className="ud-cal-grid" data-testid="cal-grid" aria-busy={loading}>
        {Array.from({ length: 12 }, (_, m) => (
          <Card
            key={m}
            size="small"
            title={lang === 'zh' ? `${m + 1} 月` : new Date(Date.UTC(year, m, 1)).toLocaleString('en', { month: 'long', timeZone: 'UTC' })}
          >
            <table className="ud-cal-month">
              <thead>
                <tr>
                  {WEEKDAYS.map(([zh, en]) => (
                    <th key={zh}>{lang === 'zh' ? zh : en}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {monthWeeks(year, m).map((week, w) => (
                  <tr key={w}>{week.map((d, i) => cell(d, i))}</tr>
                ))}
              </tbody>
            </table>
          </Card>
        ))}
      </div>
      <Card size="small" title={t('特别安排')}>
        <Table
          size="small"
          rowKey={(o) => `${o.orgId}:${o.date}`}
          dataSource={data?.overrides ?? []}
          pagination={false}
          data-testid="cal-overrides"
          locale={{ emptyText: t('本年度没有特别安排') }}
          columns={[
            { title: t('日期'), dataIndex: 'date' },
            { title: t('安排'), dataIndex: 'kind', render: (k: Kind) => (k === 'holiday' ? <Tag color="red">{t('放假')}</Tag> : <Tag>{t('上班')}</Tag>) },
            { title: t('名称'), dataIndex: 'name' },
            { title: t('设置单位'), dataIndex: 'orgName' },
            { title: t('设置人'), dataIndex: 'createdByName', render: (v: string | null | undefined) => v ?? '—' },
          ]}
        />
      </Card>
      <Modal
        open={!!editing}
        title={editing ? `${editing} ${t('特别安排')}` : ''}
        onCancel={() => setEditing(null)}
        destroyOnHidden
        footer={[
          editingOwn ? (
            <Popconfirm key="delete" title={t('删除本组织在这一天的特别安排？')} onConfirm={() => void remove()} okText={t('确定')} cancelText={t('取消')}>
              <Button danger loading={saving} data-testid="cal-delete">
                {t('删除特别安排')}
              </Button>
            </Popconfirm>
          ) : null,
          <Button key="cancel" onClick={() => setEditing(null)}>
            {t('取消')}
          </Button>,
          <Button key="save" type="primary" loading={saving} onClick={() => void save()} data-testid="cal-save">
            {t('保存')}
          </Button>,
        ]}
      >
        {editingDay ? (
          <Typography.Paragraph type="secondary" data-testid="cal-current">
            {t('当前')}：{editingDay.kind === 'holiday' ? t('放假') : t('上班')} {editingDay.name}（
            {editingDay.source === 'official' ? t('国务院通知') : `${t('特别安排')} · ${editingDay.orgName ?? editingDay.orgId}`}）
          </Typography.Paragraph>
        ) : null}
        <ErrorAlert error={saveError} />
        <Form form={form} layout="vertical">
          <Form.Item name="kind" label={t('这一天')} rules={[{ required: true }]}>
            <Radio.Group data-testid="cal-kind">
              <Radio value="holiday">{t('放假')}</Radio>
              <Radio value="workday">{t('上班')}</Radio>
            </Radio.Group>
          </Form.Item>
          <Form.Item name="name" label={t('名称')} rules={[{ max: 50 }]}>
            <Input placeholder={t('如：地方节日、春节调休上班')} data-testid="cal-name" maxLength={50} />
          </Form.Item>
        </Form>
      </Modal>
    </Space>
  );
}
