/**
 * The flow (流程) as DingTalk users know it: 发起人 at the top, a card per
 * step down to 结束, a "+" on each link to add an approver step or a group of
 * parallel branches (并行分支: the branches side by side, each with its own
 * "+", joined when all or any decide). Cards move up and down and are
 * removed from their header; a click opens the step's drawer.
 */
import { useState } from 'react';
import { Button, Dropdown, Input, Modal, Popconfirm, Segmented, Tooltip } from 'antd';
import { ArrowDownOutlined, ArrowUpOutlined, BranchesOutlined, DeleteOutlined, FilterOutlined, PlusOutlined, UserOutlined } from '@ant-design/icons';
import { ConditionBuilder } from './ConditionBuilder';
import type { ParallelGroup, Step } from '../../../../domain/chain';
import { pick, useI18n } from '../../i18n';
import {
  conditionText,
  insertAt,
  isGroup,
  limitText,
  modeText,
  moveAt,
  newGroup,
  newHumanStep,
  removeAt,
  replaceAt,
  toLimit,
  whoText,
  type Fact,
  type FlowItem,
  type StepPath,
} from './model';

export interface FlowProps {
  steps: FlowItem[];
  onChange: (steps: FlowItem[]) => void;
  onOpen: (path: StepPath) => void;
  facts: Fact[];
  names: Map<string, string>;
  /** Server errors per step id, to mark the cards. */
  errorIds: Set<string>;
}

export function FlowEditor({ steps, onChange, onOpen, facts, names, errorIds }: FlowProps) {
  const { t } = useI18n();
  // The group whose condition is being edited (a whole group is reached or skipped as one).
  const [condOf, setCondOf] = useState<number | null>(null);
  const condGroup = condOf !== null ? steps[condOf] : undefined;

  const add = (at: number, kind: 'human' | 'parallel', group?: number, branch?: number) => {
    const item = kind === 'human' ? newHumanStep(steps) : newGroup(steps);
    const next = insertAt(steps, at, item, group, branch);
    onChange(next);
    if (kind === 'human') onOpen(group === undefined || branch === undefined ? [at] : [group, branch, at]);
  };

  const plus = (testId: string, at: number, group?: number, branch?: number) => (
    <div className="cd-link">
      <Dropdown
        trigger={['click']}
        menu={{
          items: [
            { key: 'human', icon: <UserOutlined />, label: <span data-testid="add-human">{t('审批人')}</span> },
            ...(group === undefined ? [{ key: 'parallel', icon: <BranchesOutlined />, label: <span data-testid="add-parallel">{t('并行分支')}</span> }] : []),
          ],
          onClick: ({ key }) => add(at, key as 'human' | 'parallel', group, branch),
        }}
      >
        <Button shape="circle" type="primary" size="small" icon={<PlusOutlined />} aria-label={t('添加步骤')} data-testid={testId} />
      </Dropdown>
    </div>
  );

  const card = (s: Step, path: StepPath, listLength: number) => {
    const index = path[path.length - 1]!;
    const limit = s.type === 'human' ? toLimit(s.sla?.limit) : undefined;
    const stop = (e: React.MouseEvent) => e.stopPropagation();
    return (
      <div
        key={s.id}
        className={`cd-card ${s.type === 'human' ? 'cd-human' : 'cd-auto'} ${errorIds.has(s.id) ? 'cd-error' : ''}`}
        onClick={() => s.type === 'human' && onOpen(path)}
        role="button"
        tabIndex={0}
        onKeyDown={(e) => e.key === 'Enter' && s.type === 'human' && onOpen(path)}
        data-testid={`step-card-${s.id}`}
      >
        <div className="cd-card-head">
          <span className="cd-card-title">{pick(s.name, 'zh')}</span>
          <Tooltip title={t('上移')}>
            <Button
              type="text"
              size="small"
              icon={<ArrowUpOutlined />}
              disabled={index === 0}
              onClick={(e) => (stop(e), onChange(moveAt(steps, path, -1)))}
              aria-label={t('上移')}
              data-testid={`step-up-${s.id}`}
            />
          </Tooltip>
          <Tooltip title={t('下移')}>
            <Button
              type="text"
              size="small"
              icon={<ArrowDownOutlined />}
              disabled={index === listLength - 1}
              onClick={(e) => (stop(e), onChange(moveAt(steps, path, 1)))}
              aria-label={t('下移')}
              data-testid={`step-down-${s.id}`}
            />
          </Tooltip>
          <span onClick={stop}>
            <Popconfirm title={t('删除这个步骤？')} onConfirm={() => onChange(removeAt(steps, path))} okText={t('删除')} cancelText={t('取消')}>
              <Button type="text" size="small" icon={<DeleteOutlined />} aria-label={t('删除')} data-testid={`step-remove-${s.id}`} />
            </Popconfirm>
          </span>
        </div>
        <div className="cd-card-body">
          {s.type === 'human' ? (
            <>
              <div>{whoText(s, names)}</div>
              <div className="cd-muted">
                {modeText(s.mode)}
                {limit ? ` · ${t('时限')} ${limitText(limit)}` : ''}
              </div>
              {s.when !== undefined && (
                <div style={{ color: '#d46b08' }} data-testid={`step-condition-${s.id}`}>
                  {t('条件')}：{conditionText(s.when, facts)}
                </div>
              )}
            </>
          ) : (
            <div className="cd-muted">{t('自动办理')}</div>
          )}
        </div>
      </div>
    );
  };

  const group = (g: ParallelGroup, gi: number) => {
    const set = (patch: Partial<ParallelGroup>) => onChange(replaceAt(steps, [gi], { ...g, ...patch }));
    return (
      <div className="cd-group" key={g.id} data-testid={`group-${g.id}`}>
        <div className="cd-group-head">
          <BranchesOutlined style={{ color: '#722ed1' }} />
          <Input
            size="small"
            value={g.name}
            onChange={(e) => set({ name: e.target.value })}
            style={{ width: 140 }}
            aria-label={t('分支组名称')}
            data-testid={`group-name-${g.id}`}
          />
          <Segmented
            size="small"
            value={g.mode}
            onChange={(v) => set({ mode: v as ParallelGroup['mode'] })}
            options={[
              { value: 'all', label: t('全部通过') },
              { value: 'any', label: t('任一通过') },
            ]}
            data-testid={`group-mode-${g.id}`}
          />
          <Button
            size="small"
            icon={<PlusOutlined />}
            onClick={() => set({ branches: [...g.branches, [{ ...newHumanStep(steps), name: t('分支审批') }]] })}
            data-testid={`group-add-branch-${g.id}`}
          >
            {t('添加分支')}
          </Button>
          <Button size="small" icon={<FilterOutlined />} onClick={() => setCondOf(gi)} data-testid={`group-condition-${g.id}`}>
            {t('条件')}
          </Button>
          <Button size="small" icon={<ArrowUpOutlined />} disabled={gi === 0} onClick={() => onChange(moveAt(steps, [gi], -1))} aria-label={t('上移')} />
          <Button
            size="small"
            icon={<ArrowDownOutlined />}
            disabled={gi === steps.length - 1}
            onClick={() => onChange(moveAt(steps, [gi], 1))}
            aria-label={t('下移')}
          />
          <Popconfirm title={t('删除整个并行分支？')} onConfirm={() => onChange(removeAt(steps, [gi]))} okText={t('删除')} cancelText={t('取消')}>
            <Button size="small" danger icon={<DeleteOutlined />} aria-label={t('删除')} data-testid={`group-remove-${g.id}`} />
          </Popconfirm>
        </div>
        {g.when !== undefined && (
          <div style={{ color: '#d46b08', textAlign: 'center', marginBottom: 8 }} data-testid={`group-condition-text-${g.id}`}>
            {t('条件')}：{conditionText(g.when, facts)}
          </div>
        )}
        <div className="cd-branches">
          {g.branches.map((b, bi) => (
            <div className="cd-branch" key={bi} data-testid={`branch-${g.id}-${bi}`}>
              <div className="cd-branch-title">
                {t('分支')} {bi + 1}
                {g.branches.length > 2 && (
                  <Button
                    type="text"
                    size="small"
                    icon={<DeleteOutlined />}
                    aria-label={t('删除分支')}
                    onClick={() => set({ branches: g.branches.filter((_, i) => i !== bi) })}
                    data-testid={`branch-remove-${g.id}-${bi}`}
                  />
                )}
              </div>
              {b.map((s, si) => (
                <div key={s.id} style={{ width: '100%', display: 'flex', flexDirection: 'column', alignItems: 'center' }}>
                  {plus(`branch-add-${g.id}-${bi}-${si}`, si, gi, bi)}
                  {card(s, [gi, bi, si], b.length)}
                </div>
              ))}
              {plus(`branch-add-${g.id}-${bi}-${b.length}`, b.length, gi, bi)}
            </div>
          ))}
        </div>
      </div>
    );
  };

  return (
    <div className="cd-canvas" data-testid="flow">
      <div className="cd-flow">
        <div className="cd-card cd-start" style={{ cursor: 'default' }}>
          <div className="cd-card-head">
            <span className="cd-card-title">{t('发起人')}</span>
          </div>
          <div className="cd-card-body cd-muted">{t('申请人提交申请')}</div>
        </div>
        {steps.map((item, i) => (
          <div key={item.id} style={{ display: 'contents' }}>
            {plus(`flow-add-${i}`, i)}
            {isGroup(item) ? group(item, i) : card(item, [i], steps.length)}
          </div>
        ))}
        {plus(`flow-add-${steps.length}`, steps.length)}
        <div className="cd-end">{t('结束')}</div>
      </div>
      <Modal open={!!condGroup && isGroup(condGroup)} title={t('并行分支的条件')} footer={null} onCancel={() => setCondOf(null)} destroyOnHidden>
        {condGroup && isGroup(condGroup) && condOf !== null && (
          <ConditionBuilder
            value={condGroup.when}
            facts={facts}
            onChange={(when) => {
              const { when: _w, ...rest } = condGroup;
              onChange(replaceAt(steps, [condOf], when === undefined ? rest : { ...rest, when }));
            }}
          />
        )}
      </Modal>
    </div>
  );
}
