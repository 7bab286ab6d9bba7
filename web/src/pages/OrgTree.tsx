/**
 * 机构与人员 › 组织机构 / The org tree: the admin's part of the tree, loaded
 * a level at a time (GET /api/orgs?parent=, for trees of 25,000 unions), a
 * search by name or code, a detail panel to rename, move or deactivate the
 * selected org (a refusal shows its counts), a dialog to add a child org,
 * drag and drop to move with a confirmation, and the workbook: template,
 * export, and import with upload progress, the import's progress and the
 * table of rejected rows.
 */
import { useCallback, useEffect, useState, type Key } from 'react';
import { Alert, App, Button, Card, Col, Descriptions, Form, Input, Modal, Progress, Row, Select, Space, Table, Tag, Tree, Typography, Upload } from 'antd';
import type { TreeDataNode, TreeProps } from 'antd';
import { ApiError, call, download, get, post, uploadText } from '../api';
import { ErrorAlert } from '../components/ErrorAlert';
import { OrgPicker } from '../components/OrgPicker';
import { useI18n } from '../i18n';

export interface OrgItem {
  id: string;
  name: string;
  kind: string;
  parent: string | null;
  groups: string[];
  area: string | null;
  subkind: string | null;
  active: boolean;
  childCount: number;
}

interface OrgPage {
  items: OrgItem[];
  total: number;
  page: number;
  pageSize: number;
}

interface RejectedRow {
  row: number;
  errors: { field: string; message: string }[];
}

interface ImportView {
  status: string;
  done: number;
  total: number;
  finishedAt: string | null;
  httpStatus?: number;
  result?: { imported?: number; created?: number; updated?: number; rejected?: RejectedRow[]; detail?: string };
}

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const KINDS: { value: string; label: string }[] = [
  { value: 'city', label: '市总工会' },
  { value: 'county', label: '县区总工会' },
  { value: 'industry', label: '产业工会' },
  { value: 'township', label: '乡镇街道工会' },
  { value: 'community', label: '社区工会' },
  { value: 'grassroots', label: '基层工会' },
];
const SUBKINDS = [
  { value: 'enterprise', label: '企业工会' },
  { value: 'joint', label: '联合工会' },
  { value: 'industry_federation', label: '行业工会联合会' },
  { value: 'regional_federation', label: '区域工会联合会' },
];
const kindLabel = (k: string) => KINDS.find((x) => x.value === k)?.label ?? (k === 'province' ? '省总工会' : k);

/** All children of an org (pages of 500). */
async function loadChildren(parent: string): Promise<OrgItem[]> {
  const out: OrgItem[] = [];
  for (let page = 1; ; page++) {
    const r = await get<OrgPage>(`/api/orgs?parent=${encodeURIComponent(parent)}&pageSize=500&page=${page}`);
    out.push(...r.items);
    if (out.length >= r.total || r.items.length === 0) return out;
  }
}

function toNode(o: OrgItem, t: (s: string) => string): TreeDataNode & { org: OrgItem } {
  return {
    key: o.id,
    org: o,
    isLeaf: o.childCount === 0,
    title: (
      <span data-testid={`org-node-${o.id}`}>
        {o.name} <Tag>{t(kindLabel(o.kind))}</Tag>
        {!o.active && <Tag color="default">{t('已停用')}</Tag>}
      </span>
    ),
  };
}

/** Replaces the children of `key` in the tree. */
function withChildren(nodes: TreeDataNode[], key: Key, children: TreeDataNode[]): TreeDataNode[] {
  return nodes.map((n) =>
    n.key === key ? { ...n, children, isLeaf: children.length === 0 } : n.children ? { ...n, children: withChildren(n.children, key, children) } : n,
  );
}

export default function OrgTree() {
  const { t } = useI18n();
  // The app's own dialogs (its theme and language), not antd's static Modal.confirm.
  const { modal } = App.useApp();
  const [nodes, setNodes] = useState<TreeDataNode[]>([]);
  const [loadedKeys, setLoadedKeys] = useState<Key[]>([]);
  const [expandedKeys, setExpandedKeys] = useState<Key[]>([]);
  const [selected, setSelected] = useState<OrgItem | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [results, setResults] = useState<OrgItem[] | null>(null);
  const [adding, setAdding] = useState(false);
  const [groups, setGroups] = useState<{ id: string; name: string }[]>([]);

  const loadRoot = useCallback(async () => {
    try {
      const root = await get<OrgPage>('/api/orgs?parent=');
      setNodes(root.items.map((o) => toNode(o, t)));
      setLoadedKeys([]);
      setExpandedKeys([]);
    } catch (e) {
      setError(e);
    }
  }, [t]);

  useEffect(() => {
    void loadRoot();
    void get<{ items: { id: string; name: string }[] }>('/api/groups').then((r) => setGroups(r.items), setError);
  }, [loadRoot]);

  const reloadChildren = async (key: string) => {
    const children = await loadChildren(key);
    setNodes((prev) =>
      withChildren(
        prev,
        key,
        children.map((o) => toNode(o, t)),
      ),
    );
    setLoadedKeys((k) => [...new Set([...k, key])]);
  };

  const onLoadData: TreeProps['loadData'] = async (node) => {
    await reloadChildren(String(node.key));
  };

  const refreshAround = async (o: OrgItem, oldParent?: string | null) => {
    for (const p of new Set([o.parent, oldParent].filter((x): x is string => !!x))) {
      if (loadedKeys.includes(p) || p === o.parent) await reloadChildren(p).catch(() => undefined);
    }
  };

  const change = async (o: OrgItem, body: { name?: string; parent?: string; active?: boolean }) => {
    setError(null);
    try {
      const updated = await call<OrgItem>('PATCH', `/api/orgs/${encodeURIComponent(o.id)}`, { body });
      setSelected(updated);
      await refreshAround(updated, o.parent);
      return true;
    } catch (e) {
      setError(e);
      return false;
    }
  };

  const onDrop: TreeProps['onDrop'] = (info) => {
    const dragged = (info.dragNode as unknown as { org: OrgItem }).org;
    const target = (info.node as unknown as { org: OrgItem }).org;
    // Dropped onto a node: under it; dropped between nodes: under that node's parent.
    const parent = info.dropToGap ? target.parent : target.id;
    if (!parent || parent === dragged.parent) return;
    modal.confirm({
      title: t('确认移动组织'),
      content: `${dragged.name} → ${parent === target.id ? target.name : parent}（${t('连同其全部下级')}）`,
      okText: t('移动'),
      cancelText: t('取消'),
      onOk: () => change(dragged, { parent }),
    });
  };

  const search = async (q: string) => {
    if (!q.trim()) return setResults(null);
    try {
      setResults((await get<OrgPage>(`/api/orgs?q=${encodeURIComponent(q.trim())}&pageSize=50`)).items);
    } catch (e) {
      setError(e);
    }
  };

  return (
    <Space direction="vertical" style={{ width: '100%' }} size="middle">
      <Typography.Title level={3} style={{ margin: 0 }}>
        {t('组织机构')}
      </Typography.Title>
      <Space wrap>
        <Input.Search placeholder={t('按名称或编码搜索')} allowClear onSearch={(q) => void search(q)} style={{ width: 280 }} data-testid="org-search" />
        <Button onClick={() => void download('/api/orgs/template', '组织机构导入模板.xlsx').catch(setError)}>{t('下载模板')}</Button>
        <Button onClick={() => void download('/api/orgs/export', '组织机构.xlsx').catch(setError)}>{t('导出')}</Button>
        <ImportButton onDone={() => void loadRoot()} />
      </Space>
      <ErrorAlert error={error} />
      {results && (
        <Card size="small" title={t('搜索结果')} extra={<Button onClick={() => setResults(null)}>{t('关闭')}</Button>}>
          <Table<OrgItem>
            size="small"
            rowKey="id"
            dataSource={results}
            pagination={false}
            onRow={(o) => ({ onClick: () => setSelected(o), style: { cursor: 'pointer' } })}
            columns={[
              { title: t('名称'), dataIndex: 'name' },
              { title: t('编码'), dataIndex: 'id' },
              { title: t('类型'), dataIndex: 'kind', render: (k: string) => t(kindLabel(k)) },
            ]}
          />
        </Card>
      )}
      <Row gutter={16}>
        <Col xs={24} md={12}>
          <Card size="small" title={t('组织树')} extra={<Typography.Text type="secondary">{t('拖动可移动组织')}</Typography.Text>}>
            <Tree
              data-testid="org-tree"
              treeData={nodes}
              loadData={onLoadData}
              loadedKeys={loadedKeys}
              expandedKeys={expandedKeys}
              onExpand={(keys) => setExpandedKeys(keys)}
              draggable={{ icon: false }}
              // An org is dropped onto its new parent (not between two orgs, where the parent would be implied).
              allowDrop={({ dropPosition }) => dropPosition === 0}
              onDrop={onDrop}
              onSelect={(_, info) => setSelected((info.node as unknown as { org: OrgItem }).org)}
            />
          </Card>
        </Col>
        <Col xs={24} md={12}>
          {selected ? (
            <OrgDetail
              key={`${selected.id}-${selected.name}-${selected.parent}-${selected.active}`}
              org={selected}
              onChange={change}
              onAdd={() => setAdding(true)}
            />
          ) : (
            <Alert type="info" message={t('请在左侧选择一个组织')} />
          )}
        </Col>
      </Row>
      {adding && selected && (
        <AddOrg
          parent={selected}
          groups={groups}
          onClose={() => setAdding(false)}
          onCreated={async () => {
            setAdding(false);
            await reloadChildren(selected.id);
            setExpandedKeys((k) => [...new Set([...k, selected.id])]);
          }}
        />
      )}
    </Space>
  );
}

function OrgDetail({
  org,
  onChange,
  onAdd,
}: {
  org: OrgItem;
  onChange: (o: OrgItem, body: { name?: string; parent?: string; active?: boolean }) => Promise<boolean>;
  onAdd: () => void;
}) {
  const { t } = useI18n();
  const { modal } = App.useApp();
  const [name, setName] = useState(org.name);
  const [parent, setParent] = useState(org.parent ?? '');
  return (
    <Card size="small" title={org.name} data-testid="org-detail">
      <Descriptions size="small" column={1}>
        <Descriptions.Item label={t('编码')}>{org.id}</Descriptions.Item>
        <Descriptions.Item label={t('类型')}>
          {t(kindLabel(org.kind))}
          {org.subkind && ` · ${t(SUBKINDS.find((s) => s.value === org.subkind)?.label ?? org.subkind)}`}
        </Descriptions.Item>
        <Descriptions.Item label={t('上级机构编码')}>{org.parent ?? '—'}</Descriptions.Item>
        {org.groups.length > 0 && <Descriptions.Item label={t('重点群体')}>{org.groups.join('、')}</Descriptions.Item>}
        {org.area && <Descriptions.Item label={t('覆盖区域')}>{org.area}</Descriptions.Item>}
        <Descriptions.Item label={t('状态')}>{org.active ? t('启用') : t('已停用')}</Descriptions.Item>
        <Descriptions.Item label={t('下级数量')}>{org.childCount}</Descriptions.Item>
      </Descriptions>
      <Space direction="vertical" style={{ width: '100%' }}>
        <Space.Compact style={{ width: '100%' }}>
          <Input value={name} onChange={(e) => setName(e.target.value)} aria-label={t('名称')} data-testid="org-rename" />
          <Button onClick={() => void onChange(org, { name })} disabled={!name.trim() || name === org.name}>
            {t('改名')}
          </Button>
        </Space.Compact>
        <Space.Compact style={{ width: '100%' }}>
          <OrgPicker
            value={parent || undefined}
            onChange={(v) => setParent(v ?? '')}
            aria-label={t('移至上级组织')}
            style={{ flex: 1 }}
            data-testid="org-move-parent"
          />
          <Button
            data-testid="org-move"
            disabled={!parent.trim() || parent === org.parent}
            onClick={() =>
              modal.confirm({
                title: t('确认移动组织'),
                content: `${org.name} → ${parent}（${t('连同其全部下级')}）`,
                okText: t('移动'),
                cancelText: t('取消'),
                onOk: () => onChange(org, { parent: parent.trim() }),
              })
            }
          >
            {t('移动')}
          </Button>
        </Space.Compact>
        <Space wrap>
          <Button type="primary" onClick={onAdd} data-testid="org-add-child">
            {t('新增下级组织')}
          </Button>
          {org.active ? (
            <Button danger onClick={() => void onChange(org, { active: false })}>
              {t('停用')}
            </Button>
          ) : (
            <Button onClick={() => void onChange(org, { active: true })}>{t('启用')}</Button>
          )}
        </Space>
      </Space>
    </Card>
  );
}

function AddOrg({
  parent,
  groups,
  onClose,
  onCreated,
}: {
  parent: OrgItem;
  groups: { id: string; name: string }[];
  onClose: () => void;
  onCreated: () => Promise<void>;
}) {
  const { t } = useI18n();
  const [form] = Form.useForm();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const kind = Form.useWatch('kind', form) as string | undefined;
  const submit = async () => {
    const v = (await form.validateFields()) as { id?: string; name: string; kind: string; subkind?: string; groups?: string[]; area?: string };
    setBusy(true);
    setError(null);
    try {
      await post('/api/orgs', { ...v, id: v.id?.trim() || undefined, area: v.area?.trim() || undefined, parent: parent.id });
      await onCreated();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      title={`${t('新增下级组织')} · ${parent.name}`}
      onCancel={onClose}
      onOk={() => void submit()}
      okText={t('保存')}
      cancelText={t('取消')}
      confirmLoading={busy}
    >
      <ErrorAlert error={error} />
      <Form form={form} layout="vertical" data-testid="org-add-form">
        <Form.Item name="name" label={t('名称')} rules={[{ required: true, message: t('请输入名称') }]}>
          <Input data-testid="org-add-name" />
        </Form.Item>
        <Form.Item name="kind" label={t('类型')} rules={[{ required: true, message: t('请选择类型') }]}>
          <Select data-testid="org-add-kind" options={KINDS.map((k) => ({ value: k.value, label: t(k.label) }))} />
        </Form.Item>
        {kind === 'grassroots' && (
          <>
            <Form.Item name="subkind" label={t('基层工会类型')}>
              <Select allowClear options={SUBKINDS.map((k) => ({ value: k.value, label: t(k.label) }))} />
            </Form.Item>
            <Form.Item name="groups" label={t('重点群体')}>
              <Select mode="multiple" allowClear options={groups.map((g) => ({ value: g.id, label: g.name }))} />
            </Form.Item>
            <Form.Item name="area" label={t('覆盖区域')}>
              <Input />
            </Form.Item>
          </>
        )}
        <Form.Item name="id" label={t('机构编码（可留空自动生成）')}>
          <Input data-testid="org-add-id" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function ImportButton({ onDone }: { onDone: () => void }) {
  const { t } = useI18n();
  const [sent, setSent] = useState<number | null>(null);
  const [view, setView] = useState<ImportView | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [open, setOpen] = useState(false);

  const start = async (file: File) => {
    setOpen(true);
    setError(null);
    setView(null);
    setSent(0);
    try {
      const accepted = await uploadText<{ statusUrl: string }>('/api/orgs/import', file, XLSX, setSent, undefined, { prefer: 'respond-async' });
      for (;;) {
        const v = await get<ImportView>(accepted.statusUrl);
        setView(v);
        if (v.finishedAt) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      onDone();
    } catch (e) {
      setError(e instanceof ApiError ? e : new Error(String(e)));
    }
  };

  const rejected = view?.result?.rejected ?? [];
  return (
    <>
      <Upload
        accept=".xlsx"
        showUploadList={false}
        beforeUpload={(file) => {
          void start(file);
          return false;
        }}
      >
        <Button data-testid="org-import">{t('导入')}</Button>
      </Upload>
      <Modal
        open={open}
        title={t('导入组织机构')}
        footer={<Button onClick={() => setOpen(false)}>{t('关闭')}</Button>}
        onCancel={() => setOpen(false)}
        width={720}
      >
        <ErrorAlert error={error} />
        {sent !== null && <Progress percent={Math.round(sent * 100)} format={() => `${t('上传')} ${Math.round(sent * 100)}%`} />}
        {view && !view.finishedAt && (
          <Progress
            percent={view.total ? Math.round((view.done / view.total) * 100) : 0}
            status="active"
            format={() => `${t(view.status)} ${view.done}/${view.total}`}
          />
        )}
        {view?.finishedAt && view.httpStatus === 200 && (
          <Alert
            type="success"
            message={`${t('已导入')} ${view.result?.imported ?? 0}（${t('新增')} ${view.result?.created ?? 0}，${t('更新')} ${view.result?.updated ?? 0}）`}
          />
        )}
        {view?.finishedAt && view.httpStatus !== 200 && (
          <Space direction="vertical" style={{ width: '100%' }}>
            <Alert type="error" message={view.result?.detail ?? t('导入失败')} />
            {rejected.length > 0 && (
              <Table<RejectedRow>
                size="small"
                rowKey="row"
                dataSource={rejected}
                pagination={{ pageSize: 20 }}
                columns={[
                  { title: t('行号'), dataIndex: 'row', width: 80 },
                  {
                    title: t('错误'),
                    render: (_, r) => r.errors.map((e) => `${e.field}：${e.message}`).join('；'),
                  },
                ]}
              />
            )}
          </Space>
        )}
      </Modal>
    </>
  );
}
