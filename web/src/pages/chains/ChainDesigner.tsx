/**
 * 审批流程设计 / the chain designer (/admin/chains/:key?owner=, or
 * /admin/chains/new?type=): the flow (流程) as DingTalk-style cards, the
 * application form (表单) beside it, a route preview (路由预览) for a sample
 * application; 保存 shows the change in words and proposes it — a chain change
 * is itself an application (审批链变更) a second admin approves. Who may
 * propose is the server's decision (domain/policy.ts proposeChain); a refusal
 * or a bad field comes back as problem+json and is shown where it belongs.
 */
import { useMemo, useState } from 'react';
import { Alert, Badge, Button, Card, Form, Grid, Input, Modal, Result, Space, Spin, Tabs, Typography } from 'antd';
import { ArrowLeftOutlined, SaveOutlined } from '@ant-design/icons';
import type { ChainDefinition, FormDefinition } from '../../../../domain/chain';
import { ApiError, get, newKey, post, type FieldError } from '../../api';
import { ErrorAlert } from '../../components/ErrorAlert';
import { ErrorBoundary } from '../../components/ErrorBoundary';
import { useLoad } from '../../components/useLoad';
import { pick, useI18n } from '../../i18n';
import { APP_TYPES, label } from '../../labels';
import { navigate } from '../../router';
import { useSession } from '../../session';
import type { ChainSummary } from './ChainList';
import { diffWords } from './diff-words';
import { FlowEditor } from './FlowEditor';
import { FormEditor } from './FormEditor';
import { SampleRoute } from './SampleRoute';
import { StepDrawer } from './StepDrawer';
import {
  conditionFacts,
  fromForm,
  itemAt,
  pathOfError,
  pruneFieldAccess,
  replaceAt,
  toDefinition,
  toForm,
  type Draft,
  type FlowItem,
  type StepPath,
} from './model';
import './designer.css';

interface LoadedChain {
  key: string;
  version: number;
  name: string;
  type: ChainDefinition['type'];
  steps: FlowItem[];
  form?: FormDefinition;
  owner: string | null;
  ownerName: string;
}

/** The chain to start from: the owner's own, else the one in force for the caller (a built-in or an org's above). */
async function loadBase(key: string, owner: string | undefined, type: string | undefined): Promise<LoadedChain | null> {
  if (key !== 'new') return get<LoadedChain>(`/api/chains/${encodeURIComponent(key)}${owner ? `?owner=${encodeURIComponent(owner)}` : ''}`);
  const list = await get<{ items: ChainSummary[] }>('/api/chains');
  const inForce = list.items.find((c) => c.type === type && c.applies) ?? list.items.find((c) => c.type === type && c.owner === null);
  if (!inForce) return null;
  return get<LoadedChain>(`/api/chains/${encodeURIComponent(inForce.key)}${inForce.owner ? `?owner=${encodeURIComponent(inForce.owner)}` : ''}`);
}

export default function ChainDesigner({ chainKey, owner, type }: { chainKey: string; owner?: string; type?: string }) {
  const { user, orgs } = useSession();
  const base = useLoad(() => loadBase(chainKey, owner, type), [chainKey, owner, type]);
  const groups = useLoad(() => get<{ items: { id: string; name: string }[] }>('/api/groups'), []);
  if (base.loading && !base.data) return <Spin />;
  if (base.error) return <ErrorAlert error={base.error} />;
  const b = base.data;
  // A built-in, or a chain of an org above, becomes the caller's org's own chain of that type.
  const draftOwner = chainKey === 'new' ? (owner ?? user?.org ?? '') : (b?.owner ?? owner ?? user?.org ?? '');
  const ownerName = b?.owner === draftOwner ? b.ownerName : (orgs.find((o) => o.id === draftOwner)?.name ?? '');
  const initial: Draft = {
    key: b?.key ?? type ?? '',
    name: b?.name ?? '',
    type: (b?.type ?? type ?? 'subsidy') as Draft['type'],
    owner: draftOwner,
    steps: b?.steps ?? [],
    fields: fromForm(b?.form),
  };
  return <Designer key={`${chainKey}:${draftOwner}:${b?.version ?? 0}`} initial={initial} base={b} ownerName={ownerName} groups={groups.data?.items ?? []} />;
}

function Designer({
  initial,
  base,
  ownerName,
  groups,
}: {
  initial: Draft;
  base: LoadedChain | null | undefined;
  ownerName: string;
  groups: { id: string; name: string }[];
}) {
  const { t, lang, m } = useI18n();
  const screens = Grid.useBreakpoint();
  const [draft, setDraft] = useState<Draft>(initial);
  const [open, setOpen] = useState<StepPath | null>(null);
  const [tab, setTab] = useState('flow');
  const [names, setNames] = useState<Map<string, string>>(new Map());
  const [confirm, setConfirm] = useState<string[] | null>(null);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [submitted, setSubmitted] = useState<string | null>(null);
  // One key per proposal: a retried click after a lost answer does not propose twice.
  const [idemKey, setIdemKey] = useState(newKey);
  // Names of the people steps name, so cards and the diff show 姓名, never a login.
  useLoad(
    () =>
      get<{ items: { username: string; name: string }[] }>('/api/directory?limit=500').then((r) =>
        setNames((prev) => new Map([...r.items.map((u): [string, string] => [u.username, u.name]), ...prev])),
      ),
    [],
  );

  const facts = useMemo(
    () =>
      conditionFacts(draft.fields, {
        types: Object.entries(APP_TYPES).map(([value, [zh]]) => ({ value, label: zh })),
        groups: groups.map((g) => ({ value: g.id, label: pick(g.name, 'zh') })),
        orgKinds: [
          ['province', '省总工会'],
          ['city', '市总工会'],
          ['county', '县区总工会'],
          ['industry', '产业工会'],
          ['township', '乡镇街道工会'],
          ['community', '社区工会'],
          ['grassroots', '基层工会'],
        ].map(([value, zh]) => ({ value: value!, label: zh! })),
      }),
    [draft.fields, groups],
  );

  // The server's field errors, sorted to where they belong when they arrive: to a step by its id (so moving
  // cards afterwards keeps each error on its card), to the form, or to the chain itself.
  const [placed, setPlaced] = useState<{ steps: Map<string, FieldError[]>; form: FieldError[]; other: FieldError[] }>({
    steps: new Map(),
    form: [],
    other: [],
  });
  const stepErrors = placed.steps;
  const formErrors = placed.form;
  const otherErrors = placed.other;
  const [listed, setListed] = useState<FieldError[]>([]);
  const place = (e: unknown, steps: FlowItem[]) => {
    const next = { steps: new Map<string, FieldError[]>(), form: [] as FieldError[], other: [] as FieldError[] };
    const all: FieldError[] = [];
    for (const f of e instanceof ApiError ? e.fieldErrors : []) {
      const at = pathOfError(f.path);
      const item = at && itemAt(steps, at);
      if (item) next.steps.set(item.id, [...(next.steps.get(item.id) ?? []), f]);
      else if (f.path.startsWith('form')) next.form.push(f);
      else next.other.push(f);
      // The list above the flow says where, as the owner knows it: the step's name, 表单, or the field.
      all.push({ ...f, path: item ? `“${pick(item.name, 'zh')}”` : f.path.startsWith('form') ? t('表单') : f.path === 'name' ? t('流程名称') : f.path });
    }
    setPlaced(next);
    setListed(all);
  };
  const opened = open ? itemAt(draft.steps, open) : undefined;
  const editing = opened && opened.type === 'human' ? opened : null;
  const change = (patch: Partial<Draft>) => {
    setDraft((d) => ({ ...d, ...patch }));
    setIdemKey(newKey());
  };

  const propose = () => {
    const form = toForm(draft.fields);
    try {
      setConfirm(diffWords(base ?? undefined, { name: draft.name, type: draft.type, steps: draft.steps, form }, facts, names));
    } catch {
      setConfirm([t('无法列出修改明细，请核对后提交')]);
    }
  };
  const save = async () => {
    setSaving(true);
    setError(null);
    try {
      const r = await post<{ id: string }>('/api/chains', toDefinition(draft), { idempotencyKey: idemKey });
      setSubmitted(r.id);
    } catch (e) {
      setError(e);
      place(e, draft.steps);
    } finally {
      setSaving(false);
      setConfirm(null);
    }
  };

  if (submitted)
    return (
      <Result
        status="success"
        title={t('已提交审批，待另一位管理员批准')}
        subTitle={t('批准后新版本生效；正在办理的申请仍按原版本。')}
        extra={
          <Button type="primary" onClick={() => navigate('/admin/chains')} data-testid="back-to-chains">
            {t('返回审批流程')}
          </Button>
        }
        data-testid="chain-submitted"
      />
    );

  const names2 = (users: { username: string; name: string }[]) =>
    setNames((prev) => {
      const next = new Map(prev);
      for (const u of users) next.set(u.username, u.name);
      return next;
    });

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }} data-testid="chain-designer">
      <Card
        size="small"
        title={
          <Space wrap>
            <Button type="text" icon={<ArrowLeftOutlined />} onClick={() => navigate('/admin/chains')} aria-label={t('返回')} />
            {t('审批流程设计')} · {label(APP_TYPES, draft.type, lang)}
          </Space>
        }
        extra={
          <Button type="primary" icon={<SaveOutlined />} onClick={propose} disabled={!draft.name.trim() || draft.steps.length === 0} data-testid="chain-save">
            {t('保存')}
          </Button>
        }
      >
        <Form layout={screens.sm ? 'inline' : 'vertical'} style={{ rowGap: 8 }}>
          <Form.Item
            label={t('流程名称')}
            validateStatus={otherErrors.some((e) => e.path === 'name') ? 'error' : ''}
            help={otherErrors.filter((e) => e.path === 'name').map((e) => m(e.message))[0]}
          >
            <Input
              value={draft.name}
              maxLength={100}
              onChange={(e) => change({ name: e.target.value })}
              style={{ width: 280, maxWidth: '100%' }}
              data-testid="chain-name"
            />
          </Form.Item>
          <Form.Item label={t('所属组织')}>
            <Typography.Text data-testid="chain-owner">{pick(ownerName, lang) || t('本单位')}</Typography.Text>
          </Form.Item>
          {base && (
            <Form.Item label={t('现行版本')}>
              <Typography.Text>
                v{base.version}（{pick(base.ownerName, lang)}）
              </Typography.Text>
            </Form.Item>
          )}
        </Form>
      </Card>
      {error !== null && <ErrorAlert error={error} fields={listed} />}
      {stepErrors.size > 0 && <Alert type="error" showIcon title={t('标红的步骤有误，点开查看')} data-testid="step-error-hint" />}
      <Tabs
        activeKey={tab}
        onChange={setTab}
        items={[
          {
            key: 'flow',
            label: t('流程'),
            children: (
              <FlowEditor
                steps={draft.steps}
                onChange={(steps) => change({ steps })}
                onOpen={setOpen}
                facts={facts}
                names={names}
                errorIds={new Set(stepErrors.keys())}
              />
            ),
          },
          {
            key: 'form',
            label: (
              <Badge dot={formErrors.length > 0} offset={[6, 0]}>
                <span data-testid="tab-form">{t('表单')}</span>
              </Badge>
            ),
            children: (
              <FormEditor
                fields={draft.fields}
                errors={formErrors}
                onChange={(fields) =>
                  change({
                    fields,
                    steps: pruneFieldAccess(
                      draft.steps,
                      fields.map((f) => f.key),
                    ),
                  })
                }
              />
            ),
          },
          {
            key: 'preview',
            label: <span data-testid="tab-preview">{t('路由预览')}</span>,
            children: (
              <ErrorBoundary labels={{ title: t('页面出错了'), reload: t('重新加载') }}>
                <SampleRoute chain={() => toDefinition(draft)} form={toForm(draft.fields)} />
              </ErrorBoundary>
            ),
          },
        ]}
      />
      <StepDrawer
        step={editing}
        chainType={draft.type}
        facts={facts}
        fields={draft.fields}
        names={names}
        errors={editing ? (stepErrors.get(editing.id) ?? []) : []}
        onNames={names2}
        onChange={(s) => {
          if (!open) return;
          change({ steps: replaceAt(draft.steps, open, s) });
          // An edited step's old errors no longer describe it.
          if (stepErrors.has(s.id)) setPlaced({ ...placed, steps: new Map([...stepErrors].filter(([id]) => id !== s.id)) });
        }}
        onClose={() => setOpen(null)}
      />
      <Modal
        open={confirm !== null}
        title={t('提交这些修改？')}
        okText={t('提交审批')}
        cancelText={t('取消')}
        confirmLoading={saving}
        onOk={() => void save()}
        onCancel={() => setConfirm(null)}
        okButtonProps={{ ...({ 'data-testid': 'chain-confirm' } as Record<string, string>) }}
        width={640}
      >
        <Typography.Paragraph type="secondary">{t('修改须由另一位管理员批准后生效。与现行版本相比：')}</Typography.Paragraph>
        <ul data-testid="chain-diff" style={{ paddingInlineStart: 18 }}>
          {(confirm ?? []).map((l, i) => (
            <li key={i}>{t(l)}</li>
          ))}
        </ul>
      </Modal>
    </Space>
  );
}
