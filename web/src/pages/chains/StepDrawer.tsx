/**
 * One approver step's settings (审批人设置), in a drawer beside the flow (full
 * width on a phone): its name; who approves — a role at a level relative to
 * the applicant's org, or people picked by name from the directory; the mode
 * (依次 / 会签 / 或签); a time limit in working days or hours and what happens
 * at it; the actions allowed; the condition under which it is reached; and
 * what its approvers may do with each form field.
 */
import { useEffect, useState } from 'react';
import { Alert, Checkbox, Divider, Drawer, Form, Grid, Input, InputNumber, Radio, Select, Space, Switch, Table, Typography } from 'antd';
import type { FieldAccess, HumanStep, TaskAction } from '../../../../domain/chain';
import { get, type FieldError } from '../../api';
import { pick, useI18n } from '../../i18n';
import { ConditionBuilder } from './ConditionBuilder';
import { ACCESS, APPROVER_ROLES, fromLimit, LEVELS, MODES, STEP_ACTIONS, TIMEOUTS, toLimit, type Fact, type FormField, type Limit } from './model';

interface DirectoryUser {
  username: string;
  name: string;
  orgName: string;
}

const DEFAULT_ACTIONS: TaskAction[] = ['approve', 'reject', 'return', 'transfer', 'delegate', 'addSigner', 'removeSigner', 'comment', 'cc'];

export function StepDrawer(props: {
  step: HumanStep | null;
  chainType: string;
  facts: Fact[];
  fields: FormField[];
  names: Map<string, string>;
  errors: FieldError[];
  onNames: (users: DirectoryUser[]) => void;
  onChange: (s: HumanStep) => void;
  onClose: () => void;
}) {
  const { t, m } = useI18n();
  const screens = Grid.useBreakpoint();
  const s = props.step;
  const [q, setQ] = useState('');
  const [hits, setHits] = useState<DirectoryUser[]>([]);

  useEffect(() => {
    if (!s || s.who.kind !== 'users') return;
    let live = true;
    const timer = setTimeout(() => {
      get<{ items: DirectoryUser[] }>(`/api/directory?limit=50${q.trim() ? `&q=${encodeURIComponent(q.trim())}` : ''}`)
        .then((r) => {
          if (!live) return;
          setHits(r.items);
          props.onNames(r.items);
        })
        .catch(() => live && setHits([]));
    }, 250);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [q, s?.id, s?.who.kind]);

  if (!s) return <Drawer open={false} />;
  const set = (patch: Partial<HumanStep>) => props.onChange({ ...s, ...patch });
  const limit = toLimit(s.sla?.limit) ?? { amount: 5, unit: 'days' as const };
  const remind = toLimit(s.sla?.remindBefore);
  const setSla = (l: Limit, onTimeout = s.sla?.onTimeout ?? 'escalate', r: Limit | undefined = remind) =>
    set({ sla: { limit: fromLimit(l), ...(r ? { remindBefore: fromLimit({ amount: r.amount, unit: l.unit }) } : {}), onTimeout } });
  const levels = LEVELS.filter(([v]) => v !== 'target' || props.chainType === 'membership' || props.chainType === 'transfer');
  const userOptions = [
    ...(s.who.kind === 'users'
      ? s.who.usernames.filter((u) => !hits.some((h) => h.username === u)).map((u) => ({ value: u, label: props.names.get(u) ?? t('已选人员') }))
      : []),
    ...hits.map((h) => ({ value: h.username, label: `${h.name}（${pick(h.orgName, 'zh')}）` })),
  ];

  return (
    <Drawer open title={t('审批人设置')} width={screens.md ? 560 : '100%'} onClose={props.onClose} destroyOnHidden data-testid="step-drawer">
      {props.errors.length > 0 && (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 16 }}
          title={t('服务器指出此步骤有误')}
          description={
            <ul style={{ margin: 0, paddingInlineStart: 18 }} data-testid="step-errors">
              {props.errors.map((e, i) => (
                <li key={i}>{m(e.message)}</li>
              ))}
            </ul>
          }
        />
      )}
      <Form layout="vertical">
        <Form.Item label={t('步骤名称')} required>
          <Input value={s.name} maxLength={100} onChange={(e) => set({ name: e.target.value })} data-testid="step-name" />
        </Form.Item>
        <Form.Item label={t('审批人')}>
          <Radio.Group
            value={s.who.kind}
            onChange={(e) => set({ who: e.target.value === 'role' ? { kind: 'role', role: 'reviewer', level: 'parent' } : { kind: 'users', usernames: [] } })}
            options={[
              { value: 'role', label: t('按角色和层级') },
              { value: 'users', label: t('指定人员') },
            ]}
            data-testid="who-kind"
          />
        </Form.Item>
        {s.who.kind === 'role' ? (
          <Space.Compact style={{ width: '100%', marginBottom: 24 }}>
            <Select
              style={{ width: '50%' }}
              value={s.who.level}
              options={levels.map(([value, label]) => ({ value, label: t(label) }))}
              onChange={(level: (typeof levels)[number][0]) => s.who.kind === 'role' && set({ who: { ...s.who, level } })}
              aria-label={t('层级')}
              data-testid="who-level"
            />
            <Select
              style={{ width: '50%' }}
              value={s.who.role}
              options={APPROVER_ROLES.map(([value, label]) => ({ value, label: t(label) }))}
              onChange={(role: string) => s.who.kind === 'role' && set({ who: { ...s.who, role } })}
              aria-label={t('角色')}
              data-testid="who-role"
            />
          </Space.Compact>
        ) : (
          <Form.Item
            validateStatus={s.who.usernames.length === 0 ? 'warning' : ''}
            help={s.who.usernames.length === 0 ? t('请至少指定一人') : t('按姓名搜索本单位及上下级的人员')}
          >
            <Select
              mode="multiple"
              value={s.who.usernames}
              showSearch={{ filterOption: false, onSearch: setQ }}
              options={userOptions}
              onChange={(usernames: string[]) => set({ who: { kind: 'users', usernames } })}
              placeholder={t('输入姓名搜索')}
              aria-label={t('指定人员')}
              data-testid="who-users"
            />
          </Form.Item>
        )}
        <Form.Item label={t('审批方式')}>
          <Radio.Group value={s.mode} onChange={(e) => set({ mode: e.target.value as HumanStep['mode'] })} data-testid="step-mode">
            <Space direction="vertical">
              {MODES.map(([v, name, hint]) => (
                <Radio key={v} value={v}>
                  {t(name)} <Typography.Text type="secondary">{t(hint)}</Typography.Text>
                </Radio>
              ))}
            </Space>
          </Radio.Group>
        </Form.Item>
        <Form.Item label={t('办理时限')}>
          <Space wrap>
            <Switch
              checked={!!s.sla}
              onChange={(on) => (on ? setSla(limit) : set({ sla: undefined }))}
              checkedChildren={t('有')}
              unCheckedChildren={t('无')}
              data-testid="sla-on"
            />
            {s.sla && (
              <>
                <InputNumber
                  min={1}
                  max={365}
                  value={limit.amount}
                  onChange={(v) => v && setSla({ ...limit, amount: v })}
                  aria-label={t('时限')}
                  data-testid="sla-amount"
                />
                <Select
                  value={limit.unit}
                  style={{ width: 110 }}
                  options={[
                    { value: 'days', label: t('个工作日') },
                    { value: 'hours', label: t('小时') },
                  ]}
                  onChange={(unit: Limit['unit']) => setSla({ ...limit, unit })}
                  aria-label={t('单位')}
                  data-testid="sla-unit"
                />
                <Select
                  value={s.sla.onTimeout}
                  style={{ width: 130 }}
                  options={TIMEOUTS.map(([value, label]) => ({ value, label: t(label) }))}
                  onChange={(v: NonNullable<HumanStep['sla']>['onTimeout']) => setSla(limit, v)}
                  aria-label={t('到期处理')}
                  data-testid="sla-timeout"
                />
              </>
            )}
          </Space>
          {s.sla && (
            <div style={{ marginTop: 8 }}>
              <Space wrap>
                <Typography.Text>{t('到期前提醒')}</Typography.Text>
                <InputNumber
                  min={1}
                  max={364}
                  value={remind?.amount ?? null}
                  onChange={(v) => setSla(limit, s.sla?.onTimeout, v ? { amount: v, unit: limit.unit } : undefined)}
                  aria-label={t('到期前提醒')}
                  data-testid="sla-remind"
                />
                <Typography.Text type="secondary">{limit.unit === 'days' ? t('个工作日') : t('小时')}</Typography.Text>
              </Space>
            </div>
          )}
        </Form.Item>
        <Form.Item label={t('找不到审批人时')}>
          <Radio.Group
            value={s.onNoApprover ?? 'admin'}
            onChange={(e) => set({ onNoApprover: e.target.value as 'skip' | 'admin' })}
            options={[
              { value: 'admin', label: t('交该单位管理员') },
              { value: 'skip', label: t('自动跳过') },
            ]}
          />
        </Form.Item>
        <Form.Item label={t('审批人是申请人本人时')}>
          <Radio.Group
            value={s.onSelfApproval ?? 'skip'}
            onChange={(e) => set({ onSelfApproval: e.target.value as 'skip' | 'forbid' })}
            options={[
              { value: 'skip', label: t('跳过本人') },
              { value: 'forbid', label: t('本人不得审批') },
            ]}
            data-testid="step-self"
          />
        </Form.Item>
        <Form.Item label={t('允许的操作')}>
          <Checkbox.Group
            value={s.actions ?? DEFAULT_ACTIONS}
            options={STEP_ACTIONS.map(([value, label]) => ({ value, label: t(label) }))}
            onChange={(v) => set({ actions: v as TaskAction[] })}
            data-testid="step-actions"
          />
        </Form.Item>
        <Divider titlePlacement="start">{t('条件')}</Divider>
        <ConditionBuilder
          key={s.id}
          value={s.when}
          facts={props.facts}
          onChange={(when) => {
            const { when: _w, ...rest } = s;
            props.onChange(when === undefined ? rest : { ...rest, when });
          }}
        />
        <Divider titlePlacement="start">{t('表单字段权限')}</Divider>
        {props.fields.length === 0 ? (
          <Typography.Text type="secondary">{t('此类申请还没有表单字段，可在“表单”页添加。')}</Typography.Text>
        ) : (
          <Table<FormField>
            size="small"
            rowKey="key"
            pagination={false}
            dataSource={props.fields}
            data-testid="field-access"
            columns={[
              { title: t('字段'), dataIndex: 'label' },
              {
                title: t('此步骤审批人'),
                render: (_, f) => (
                  <Radio.Group
                    size="small"
                    optionType="button"
                    value={s.fields?.[f.key] ?? 'read'}
                    options={ACCESS.map(([value, label]) => ({ value, label: t(label) }))}
                    onChange={(e) => {
                      const next: Record<string, FieldAccess> = { ...s.fields, [f.key]: e.target.value as FieldAccess };
                      if (next[f.key] === 'read') delete next[f.key];
                      const { fields: _f, ...rest } = s;
                      props.onChange(Object.keys(next).length ? { ...rest, fields: next } : rest);
                    }}
                    data-testid={`field-access-${f.key}`}
                  />
                ),
              },
            ]}
          />
        )}
      </Form>
    </Drawer>
  );
}
