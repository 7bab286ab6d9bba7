/**
 * 项目清单历次报送: every revision of a region's project list, newest first — who sent it, when (Beijing time),
 * and each project with the ledger enterprises it links, by name. Shown to the region and to the reviewers.
 */
import { Collapse, Table, Tag, Typography } from 'antd';
import { get } from '../../api';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useLoad } from '../../components/useLoad';
import { useI18n } from '../../i18n';
import { label, PROJECT_TYPES } from '../../labels';
import { LinkedEnterprises } from './ProjectReadback';
import type { ListRevision } from './types';

export function ListRevisions({ campaignId, org }: { campaignId: string; org: string }) {
  const { t, lang } = useI18n();
  const r = useLoad(
    () => get<{ revisions: ListRevision[] }>(`/api/campaigns/${encodeURIComponent(campaignId)}/regions/${encodeURIComponent(org)}/project-lists`),
    [campaignId, org],
  );
  if (r.error) return <ErrorAlert error={r.error} />;
  const revisions = r.data?.revisions ?? [];
  if (!revisions.length) return null;
  return (
    <div data-testid="list-revisions" style={{ marginTop: 16 }}>
      <Typography.Title level={5}>{t('项目清单历次报送')}</Typography.Title>
      <Collapse
        size="small"
        items={revisions.map((x, i) => ({
          key: String(x.revision),
          label: (
            <span>
              {t('第 {n} 次报送', { n: x.revision })} {i === 0 && <Tag color="green">{t('当前版本')}</Tag>} · {x.byName ?? t('未记录')} · {x.submittedAtBeijing}
              （{t('北京时间')}）· {t('{n} 个项目', { n: x.projects.length })}
            </span>
          ),
          children: (
            <Table
              size="small"
              rowKey={(p) => `${x.revision}-${p.name}-${p.id ?? ''}`}
              pagination={false}
              dataSource={x.projects}
              columns={[
                { title: t('项目名称'), dataIndex: 'name' },
                { title: t('类型'), dataIndex: 'type', render: (v: string) => label(PROJECT_TYPES, v, lang) },
                {
                  title: t('计划'),
                  render: (_: unknown, p) =>
                    p.kind === 'organizing' ? t('{n} 名会员', { n: p.plannedMembers ?? 0 }) : t('覆盖 {n} 人', { n: p.plannedCoverage ?? 0 }),
                },
                { title: t('重点群体'), render: (_: unknown, p) => (p.groupNames ?? []).join('、') || '—' },
                { title: t('关联台账企业'), render: (_: unknown, p) => (p.enterprises?.length ? <LinkedEnterprises enterprises={p.enterprises} /> : '—') },
              ]}
            />
          ),
        }))}
      />
    </div>
  );
}
