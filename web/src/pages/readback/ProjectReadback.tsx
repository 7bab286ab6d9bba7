/**
 * A project's submissions read back under its form: the ledger enterprises its list linked (by name, with their
 * 挂号/销号 status), and — on 进展报送 — every progress report (who, when, counts, unions, members by name with
 * masked ID numbers), or — on 绩效自评 — every version of the self-assessment.
 */
import { Card, Collapse, Descriptions, Empty, Table, Tag, Typography } from 'antd';
import { get } from '../../api';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useLoad } from '../../components/useLoad';
import { useI18n } from '../../i18n';
import type { AssessmentVersion, LinkedEnterprise, ProgressReportView } from './types';

const LEDGER: Record<string, string> = { registered: '已挂号', crossed_off: '已销号', not_target: '非目标' };

export function LinkedEnterprises({ enterprises }: { enterprises?: LinkedEnterprise[] }) {
  const { t } = useI18n();
  if (!enterprises?.length) return null;
  return (
    <span data-testid="linked-enterprises">
      {enterprises.map((e) => (
        <Tag key={e.id} color={e.ledgerStatus === 'crossed_off' ? 'green' : undefined}>
          {e.name}
          {e.ledgerStatus && LEDGER[e.ledgerStatus] ? `（${t(LEDGER[e.ledgerStatus]!)}）` : ''}
        </Tag>
      ))}
    </span>
  );
}

export function ProjectReadback({ project, tab }: { project: { id: string; enterprises?: LinkedEnterprise[] }; tab: 'progress' | 'assessment' }) {
  const { t } = useI18n();
  return (
    <Card size="small" style={{ marginTop: 16 }} title={t('已报送内容')} data-testid="project-readback">
      {!!project.enterprises?.length && (
        <Typography.Paragraph>
          {t('关联台账企业')}：<LinkedEnterprises enterprises={project.enterprises} />
        </Typography.Paragraph>
      )}
      {tab === 'progress' ? <ProgressHistory projectId={project.id} /> : <AssessmentHistory projectId={project.id} />}
    </Card>
  );
}

export function ProgressHistory({ projectId }: { projectId: string }) {
  const { t } = useI18n();
  const r = useLoad(() => get<{ items: ProgressReportView[] }>(`/api/projects/${encodeURIComponent(projectId)}/reports`), [projectId]);
  if (r.error) return <ErrorAlert error={r.error} />;
  const items = r.data?.items ?? [];
  return (
    <div data-testid="progress-history">
      <Typography.Title level={5}>{t('进展报送记录')}</Typography.Title>
      {!items.length && !r.loading && <Empty description={t('尚未报送进展')} />}
      <Collapse
        size="small"
        items={items.map((x) => ({
          key: String(x.no),
          label: `${t('第 {n} 次', { n: x.no })} · ${x.byName ?? t('未记录')} · ${x.atBeijing}（${t('北京时间')}）· ${t(
            '报送会员 {m} 人（本项目此前已报送 {d} 人，其余经实名核验后计入）；报送工会 {u} 个',
            {
              m: x.counts.membersReported,
              d: x.counts.alreadyCounted,
              u: x.counts.unionsEstablished,
            },
          )}${x.counts.coverage ? ` · ${t('服务覆盖 {n} 人', { n: x.counts.coverage })}` : ''}`,
          children: (
            <>
              {x.note && (
                <Typography.Paragraph>
                  {t('说明')}：{x.note}
                </Typography.Paragraph>
              )}
              {!!x.unions.length && (
                <Typography.Paragraph>
                  {t('新建工会')}：
                  {x.unions.map((u) => `${u.name}（${u.establishedOn}${u.enterpriseName ? `，${t('销号')}：${u.enterpriseName}` : ''}）`).join('；')}
                </Typography.Paragraph>
              )}
              {!!x.members.length && (
                <Table
                  size="small"
                  rowKey={(m) => `${m.name}-${m.idNumberMasked}`}
                  pagination={x.members.length > 20 ? { pageSize: 20 } : false}
                  dataSource={x.members}
                  columns={[
                    { title: t('姓名'), dataIndex: 'name' },
                    { title: t('身份证号（脱敏）'), dataIndex: 'idNumberMasked' },
                    { title: t('所属群体'), dataIndex: 'groupName' },
                    { title: t('工作单位'), dataIndex: 'employer' },
                  ]}
                />
              )}
            </>
          ),
        }))}
      />
    </div>
  );
}

export function AssessmentHistory({ projectId }: { projectId: string }) {
  const { t } = useI18n();
  const r = useLoad(() => get<{ versions: AssessmentVersion[] }>(`/api/projects/${encodeURIComponent(projectId)}/self-assessments`), [projectId]);
  if (r.error) return <ErrorAlert error={r.error} />;
  const versions = r.data?.versions ?? [];
  return (
    <div data-testid="assessment-history">
      <Typography.Title level={5}>{t('自评历次版本')}</Typography.Title>
      {!versions.length && !r.loading && <Empty description={t('尚未提交自评')} />}
      <Collapse
        size="small"
        items={versions.map((v, i) => ({
          key: String(v.version),
          label: (
            <span>
              {t('第 {n} 版', { n: v.version })} {i === 0 && <Tag color="green">{t('当前版本')}</Tag>} · {v.byName ?? t('未记录')} · {v.atBeijing}（
              {t('北京时间')}）
            </span>
          ),
          children: (
            <Descriptions
              size="small"
              column={1}
              bordered
              items={[
                { key: 's', label: t('自评报告'), children: v.summary },
                { key: 'm', label: t('自报新增会员'), children: v.membersRecruited },
                { key: 'u', label: t('自报新建工会'), children: v.unionsEstablished },
                ...(v.coverage !== null ? [{ key: 'c', label: t('服务覆盖'), children: v.coverage }] : []),
              ]}
            />
          ),
        }))}
      />
    </div>
  );
}
