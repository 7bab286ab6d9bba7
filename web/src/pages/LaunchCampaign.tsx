/**
 * 发起行动: the city admin's launch form — regions, target groups, targets
 * (city-wide and per region), the four phase windows and the bulletin
 * period. Checked as it is filled in; what only the server can judge comes
 * back onto the field that caused it.
 */
import { useMemo, useState } from 'react';
import { App, Button, Card, Checkbox, Col, DatePicker, Divider, Form, Input, InputNumber, Row, Select, Space, Table, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { get, newKey, post } from '../api';
import { applyFieldErrors, ErrorAlert } from '../components/ErrorAlert';
import { useLoad } from '../components/useLoad';
import { useI18n } from '../i18n';
import { label, PHASES, REPORT_PERIODS, WORK_PHASES } from '../labels';
import { navigate } from '../router';
import { useSession } from '../session';
import type { FieldError } from '../api';

type Range = [Dayjs | null, Dayjs | null] | null;
interface LaunchForm {
  name: string;
  year: number;
  cityOrg: string;
  regions: string[];
  groups: string[];
  targets: { newMembers: number; newUnions?: number | null };
  perRegion?: Record<string, { newMembers?: number | null; newUnions?: number | null }>;
  phases: Record<(typeof WORK_PHASES)[number], Range>;
  reportEvery: string;
}

/** The city target split evenly over the regions, the remainder to the first ones (so the parts add up to the whole). */
export function evenSplit(total: number, regions: string[]): Record<string, number> {
  const n = regions.length;
  if (!n || !total) return {};
  const base = Math.floor(total / n);
  return Object.fromEntries(regions.map((id, i) => [id, base + (i < total % n ? 1 : 0)]));
}

/** Default windows from today: a month of survey, a month of listing, five months of work, a month of assessment. */
function defaultPhases(): LaunchForm['phases'] {
  const start = dayjs().startOf('hour');
  const survey: Range = [start, start.add(30, 'day').endOf('day').startOf('minute')];
  const listing: Range = [survey[1]!, survey[1]!.add(30, 'day')];
  const implementation: Range = [listing[1]!, listing[1]!.add(150, 'day')];
  const assessment: Range = [implementation[1]!, implementation[1]!.add(30, 'day')];
  return { survey, listing, implementation, assessment };
}

/** The API's field path → the form field showing it. */
function fieldOf(path: string): (string | number)[] | undefined {
  const p = path.split('.');
  if (['name', 'year', 'cityOrg', 'reportEvery'].includes(p[0]!)) return [p[0]!];
  if (p[0] === 'regions' || p[0] === 'groups') return [p[0]];
  if (p[0] === 'phases' && p[1]) return ['phases', p[1]];
  if (p[0] === 'targets' && p[1] === 'perRegion' && p[2]) return ['perRegion', p[2], p[3] === 'newUnions' ? 'newUnions' : 'newMembers'];
  if (p[0] === 'targets' && p[1]) return ['targets', p[1]];
  return undefined;
}

export default function LaunchCampaign() {
  const { t, lang } = useI18n();
  const { message } = App.useApp();
  const { user, orgs } = useSession();
  const [form] = Form.useForm<LaunchForm>();
  const [error, setError] = useState<unknown>(null);
  const [unplaced, setUnplaced] = useState<FieldError[]>([]);
  const [busy, setBusy] = useState(false);
  const [key] = useState(newKey);
  const groups = useLoad(() => get<{ items: { id: string; name: string }[] }>('/api/groups'), []);
  const cityOrg = Form.useWatch('cityOrg', form) ?? user?.org;
  const regions = Form.useWatch('regions', form) ?? [];
  const cityMembers = Form.useWatch<number | null | undefined>(['targets', 'newMembers'], form);
  const cityUnions = Form.useWatch<number | null | undefined>(['targets', 'newUnions'], form);
  const perRegion = Form.useWatch<LaunchForm['perRegion']>('perRegion', form);
  const cities = orgs.filter((o) => o.kind === 'city');
  const regionOptions = useMemo(() => orgs.filter((o) => o.parent === cityOrg && (o.kind === 'county' || o.kind === 'industry')), [orgs, cityOrg]);
  const initial = useMemo<Partial<LaunchForm>>(
    () => ({ year: dayjs().year(), cityOrg: user?.org, regions: [], groups: [], phases: defaultPhases(), reportEvery: 'P2M' }),
    [user],
  );

  /** Per-region targets: the city target split evenly; `all` also over figures someone typed (平均分配). */
  const split = (all: boolean) => {
    const regionIds = (form.getFieldValue('regions') as string[] | undefined) ?? [];
    const members = evenSplit((form.getFieldValue(['targets', 'newMembers']) as number | null) ?? 0, regionIds);
    const unions = evenSplit((form.getFieldValue(['targets', 'newUnions']) as number | null) ?? 0, regionIds);
    const typed = (id: string, f: 'newMembers' | 'newUnions') => !all && form.isFieldTouched(['perRegion', id, f] as never);
    const current = (form.getFieldValue('perRegion') ?? {}) as NonNullable<LaunchForm['perRegion']>;
    form.setFieldValue(
      'perRegion',
      Object.fromEntries(
        regionIds.map((id) => [
          id,
          {
            newMembers: typed(id, 'newMembers') ? current[id]?.newMembers : (members[id] ?? null),
            newUnions: typed(id, 'newUnions') ? current[id]?.newUnions : unions[id] || null,
          },
        ]),
      ),
    );
  };
  const sumOf = (f: 'newMembers' | 'newUnions') => regions.reduce((n, id) => n + (perRegion?.[id]?.[f] ?? 0), 0);

  const submit = async (v: LaunchForm) => {
    setBusy(true);
    setError(null);
    setUnplaced([]);
    const perRegion = Object.fromEntries(
      Object.entries(v.perRegion ?? {})
        .filter(([org, x]) => v.regions.includes(org) && x?.newMembers)
        .map(([org, x]) => [org, { newMembers: x.newMembers!, ...(x.newUnions ? { newUnions: x.newUnions } : {}) }]),
    );
    const body = {
      name: v.name.trim(),
      year: v.year,
      cityOrg: v.cityOrg,
      regions: v.regions,
      groups: v.groups,
      targets: {
        newMembers: v.targets.newMembers,
        ...(v.targets.newUnions ? { newUnions: v.targets.newUnions } : {}),
        ...(Object.keys(perRegion).length ? { perRegion } : {}),
      },
      phases: Object.fromEntries(WORK_PHASES.map((p) => [p, { start: v.phases[p]![0]!.format(), end: v.phases[p]![1]!.format() }])),
      reportEvery: v.reportEvery,
    };
    try {
      const r = await post<{ id: string }>('/api/campaigns', body, { idempotencyKey: key });
      message.success(t('行动已发起'));
      navigate(`/campaigns/${r.id}`);
    } catch (e) {
      setUnplaced(applyFieldErrors(form, e, lang, fieldOf));
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const phaseRule = (p: (typeof WORK_PHASES)[number], i: number) => ({
    validator: (_: unknown, value: Range) => {
      if (!value || !value[0] || !value[1]) return Promise.reject(new Error(t('请选择起止时间')));
      if (!value[0].isBefore(value[1])) return Promise.reject(new Error(t('开始须早于结束')));
      if (i > 0) {
        const prev = form.getFieldValue(['phases', WORK_PHASES[i - 1]!]) as Range;
        if (prev?.[1] && value[0].isBefore(prev[1]))
          return Promise.reject(new Error(t('须不早于“{prev}”结束', { prev: label(PHASES, WORK_PHASES[i - 1], lang) })));
      }
      if (p === 'assessment' && value[1].isBefore(dayjs())) return Promise.reject(new Error(t('行动已全部过期')));
      return Promise.resolve();
    },
  });

  return (
    <Card title={t('发起行动')} extra={<Button onClick={() => navigate('/campaigns')}>{t('返回')}</Button>}>
      <Form<LaunchForm>
        form={form}
        layout="vertical"
        initialValues={initial}
        onFinish={submit}
        onValuesChange={(changed: Partial<LaunchForm>) => {
          if ('regions' in changed || 'targets' in changed) split(false);
        }}
        scrollToFirstError
        data-testid="launch-form"
        style={{ maxWidth: 980 }}
      >
        <Row gutter={16}>
          <Col xs={24} md={14}>
            <Form.Item
              name="name"
              label={t('行动名称')}
              rules={[
                { required: true, whitespace: true, message: t('请填写名称') },
                { max: 200, message: t('最多 200 字') },
              ]}
            >
              <Input placeholder={t('如：2026年平顶山市新就业形态劳动者建会入会集中行动')} />
            </Form.Item>
          </Col>
          <Col xs={12} md={4}>
            <Form.Item name="year" label={t('年度')} rules={[{ required: true, message: t('请填写年度') }]}>
              <InputNumber min={2000} max={2100} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col xs={12} md={6}>
            <Form.Item name="cityOrg" label={t('市总工会')} rules={[{ required: true, message: t('请选择市总工会') }]}>
              <Select options={cities.map((c) => ({ value: c.id, label: c.name }))} onChange={() => form.setFieldValue('regions', [])} />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item
          name="regions"
          label={t('参加地区')}
          rules={[{ required: true, type: 'array', min: 1, message: t('至少选择一个地区') }]}
          extra={t('县（市、区）总工会和市产业工会')}
        >
          <RegionChecks options={regionOptions.map((o) => ({ value: o.id, label: o.name }))} />
        </Form.Item>
        <Form.Item name="groups" label={t('重点群体')} rules={[{ required: true, type: 'array', min: 1, message: t('至少选择一个重点群体') }]}>
          <Checkbox.Group options={(groups.data?.items ?? []).map((g) => ({ value: g.id, label: g.name }))} />
        </Form.Item>
        <ErrorAlert error={groups.error} />

        <Divider titlePlacement="start">{t('目标')}</Divider>
        <Row gutter={16}>
          <Col xs={12} md={6}>
            <Form.Item
              name={['targets', 'newMembers']}
              label={t('新会员目标')}
              rules={[
                { required: true, message: t('请填写新会员目标') },
                { type: 'integer', min: 1, message: t('须为正整数') },
              ]}
            >
              <InputNumber min={1} precision={0} style={{ width: '100%' }} suffix={t('人')} />
            </Form.Item>
          </Col>
          <Col xs={12} md={6}>
            <Form.Item name={['targets', 'newUnions']} label={t('新建工会目标')} rules={[{ type: 'integer', min: 1, message: t('须为正整数') }]}>
              <InputNumber min={1} precision={0} style={{ width: '100%' }} suffix={t('个')} />
            </Form.Item>
          </Col>
        </Row>
        {regions.length > 0 && (
          <>
            <Typography.Text strong>{t('各地区目标')}</Typography.Text>
            <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
              {t('默认按全市目标平均分配，可逐个修改')}{' '}
              <Button size="small" onClick={() => split(true)} data-testid="split-evenly">
                {t('平均分配')}
              </Button>
            </Typography.Paragraph>
            <Table
              size="small"
              pagination={false}
              rowKey="id"
              style={{ marginBottom: 16, maxWidth: 640 }}
              dataSource={regions.map((id) => ({ id, name: orgs.find((o) => o.id === id)?.name ?? id }))}
              columns={[
                { title: t('地区'), dataIndex: 'name' },
                {
                  title: t('新会员目标'),
                  render: (_: unknown, r: { id: string; name: string }) => (
                    <Form.Item name={['perRegion', r.id, 'newMembers']} style={{ margin: 0 }} rules={[{ type: 'integer', min: 1, message: t('须为正整数') }]}>
                      <InputNumber min={1} precision={0} style={{ width: 140 }} aria-label={t('{name}新会员目标', { name: r.name })} />
                    </Form.Item>
                  ),
                },
                {
                  title: t('新建工会目标'),
                  render: (_: unknown, r: { id: string; name: string }) => (
                    <Form.Item
                      name={['perRegion', r.id, 'newUnions']}
                      style={{ margin: 0 }}
                      dependencies={[['perRegion', r.id, 'newMembers']]}
                      rules={[
                        { type: 'integer', min: 1, message: t('须为正整数') },
                        {
                          validator: (_: unknown, v: number | null) => {
                            if (v && !form.getFieldValue(['perRegion', r.id, 'newMembers']))
                              return Promise.reject(new Error(t('请同时填写该地区的新会员目标')));
                            return Promise.resolve();
                          },
                        },
                      ]}
                    >
                      <InputNumber min={1} precision={0} style={{ width: 140 }} aria-label={t('{name}新建工会目标', { name: r.name })} />
                    </Form.Item>
                  ),
                },
              ]}
              summary={() => (
                <Table.Summary.Row>
                  <Table.Summary.Cell index={0}>{t('合计')}</Table.Summary.Cell>
                  <Table.Summary.Cell index={1}>
                    <Typography.Text type={cityMembers && sumOf('newMembers') !== cityMembers ? 'warning' : undefined} data-testid="sum-members">
                      {t('{n} 人', { n: sumOf('newMembers') })}
                      {cityMembers && sumOf('newMembers') !== cityMembers ? `（${t('全市目标 {n} 人', { n: cityMembers })}）` : ''}
                    </Typography.Text>
                  </Table.Summary.Cell>
                  <Table.Summary.Cell index={2}>
                    <Typography.Text type={cityUnions && sumOf('newUnions') !== cityUnions ? 'warning' : undefined}>
                      {t('{n} 个', { n: sumOf('newUnions') })}
                      {cityUnions && sumOf('newUnions') !== cityUnions ? `（${t('全市目标 {n} 个', { n: cityUnions })}）` : ''}
                    </Typography.Text>
                  </Table.Summary.Cell>
                </Table.Summary.Row>
              )}
            />
          </>
        )}

        <Divider titlePlacement="start">{t('阶段时间')}</Divider>
        <Row gutter={16}>
          {WORK_PHASES.map((p, i) => (
            <Col xs={24} md={12} key={p}>
              <Form.Item
                name={['phases', p]}
                label={`${i + 1}. ${label(PHASES, p, lang)}`}
                rules={[phaseRule(p, i)]}
                dependencies={i > 0 ? [['phases', WORK_PHASES[i - 1]!]] : []}
              >
                <DatePicker.RangePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" style={{ width: '100%' }} data-testid={`phase-${p}`} />
              </Form.Item>
            </Col>
          ))}
        </Row>
        <Row gutter={16}>
          <Col xs={24} md={8}>
            <Form.Item
              name="reportEvery"
              label={t('通报周期')}
              extra={t('推进实施阶段按期自动通报各地区进度；按月、季度的周期按日历月计')}
              rules={[{ required: true, message: t('请选择通报周期') }]}
            >
              <Select data-testid="report-every" options={Object.keys(REPORT_PERIODS).map((v) => ({ value: v, label: label(REPORT_PERIODS, v, lang) }))} />
            </Form.Item>
          </Col>
        </Row>
        <ErrorAlert error={error} fields={unplaced} />
        <Space>
          <Button type="primary" htmlType="submit" loading={busy} size="large">
            {t('发起行动')}
          </Button>
          <Button onClick={() => navigate('/campaigns')}>{t('取消')}</Button>
        </Space>
      </Form>
    </Card>
  );
}

/** The regions as checkboxes with 全选 (select all) above them; a Form.Item control (value / onChange). */
function RegionChecks({ options, value = [], onChange }: { options: { value: string; label: string }[]; value?: string[]; onChange?(v: string[]): void }) {
  const { t } = useI18n();
  const all = options.length > 0 && options.every((o) => value.includes(o.value));
  const some = !all && options.some((o) => value.includes(o.value));
  return (
    <div>
      <Checkbox
        checked={all}
        indeterminate={some}
        disabled={!options.length}
        onChange={(e) => onChange?.(e.target.checked ? options.map((o) => o.value) : [])}
        data-testid="regions-all"
        style={{ marginBottom: 8 }}
      >
        {t('全选')}
      </Checkbox>
      <br />
      <Checkbox.Group options={options} value={value} onChange={(v) => onChange?.(v)} data-testid="regions" />
    </div>
  );
}
