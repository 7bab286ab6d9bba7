/**
 * 实名核验: the members a project reported and where each stands — pending
 * (待核验, not counted yet), verified (counted; a transfer says so), or
 * rejected with the verifier's reason — with the union that admits them and
 * why (a dispatched worker: the agency's union, else the host employer's).
 * The verifier (a reviewer of the region or city) also sees what the
 * automatic checks found and decides here; everyone else reads.
 *
 * Used under a project on the region's progress tab, and (with rows of many
 * projects) by the verification task page.
 */
import { useState } from 'react';
import { App, Button, Card, Input, Modal, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { get, post } from '../api';
import { useI18n } from '../i18n';
import { ErrorAlert } from './ErrorAlert';
import { useLoad } from './useLoad';
import { beijingTime } from '../../../domain/beijing-time';

export interface ReportedMember {
  id: string;
  project: { id: string; name: string };
  region: { id: string; name: string };
  name: string;
  idNumberMasked: string;
  groupName: string | null;
  employer: string;
  dispatched: boolean;
  agency: string | null;
  admittedUnion: { id: string; name: string };
  admissionReason: string;
  status: 'pending' | 'verified' | 'rejected' | 'lapsed';
  statusLabel: string;
  outcome: 'new' | 'transfer' | null;
  outcomeLabel: string | null;
  transferredFrom: string | null;
  reason: string | null;
  reportedByName: string | null;
  reportedAt: string;
  decidedByName: string | null;
  decidedAt: string | null;
  /** What the automatic check found: the verifier only. */
  check?: { kind: 'new' | 'transfer' | 'already_here'; label: string; fromUnionName: string | null };
}

const STATUS_COLOR: Record<ReportedMember['status'], string> = { pending: 'gold', verified: 'green', rejected: 'red', lapsed: 'default' };
const CHECK_COLOR: Record<string, string> = { new: 'blue', transfer: 'purple', already_here: 'orange' };

/** Sends one verifier's decisions on rows of one project. */
async function decide(projectId: string, decisions: { id: string; action: 'verify' | 'reject'; reason?: string }[]) {
  return post(`/api/projects/${encodeURIComponent(projectId)}/members-reported/decisions`, { decisions });
}

export function ReportedMembersTable({
  items,
  canVerify,
  showProject = false,
  onDecided,
  testId = 'reported-members',
}: {
  items: ReportedMember[];
  canVerify: boolean;
  showProject?: boolean;
  onDecided(): void;
  testId?: string;
}) {
  const { t, m } = useI18n();
  const { message } = App.useApp();
  const [selected, setSelected] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [rejecting, setRejecting] = useState<ReportedMember | null>(null);
  const [reason, setReason] = useState('');

  const run = async (rows: ReportedMember[], action: 'verify' | 'reject', why?: string) => {
    setBusy(true);
    try {
      const byProject = new Map<string, ReportedMember[]>();
      for (const r of rows) byProject.set(r.project.id, [...(byProject.get(r.project.id) ?? []), r]);
      for (const [projectId, rs] of byProject)
        await decide(
          projectId,
          rs.map((r) => ({ id: r.id, action, ...(why ? { reason: why } : {}) })),
        );
      message.success(action === 'verify' ? t('已核验 {n} 人', { n: rows.length }) : t('已驳回'));
      setSelected([]);
      onDecided();
    } catch (e) {
      message.error(e instanceof Error ? m(e.message) : String(e));
    } finally {
      setBusy(false);
    }
  };

  const pending = items.filter((i) => i.status === 'pending');
  return (
    <>
      {canVerify && pending.length > 0 && (
        <Space style={{ marginBottom: 8 }}>
          <Button
            type="primary"
            disabled={!selected.length}
            loading={busy}
            data-testid="verify-selected"
            onClick={() =>
              run(
                pending.filter((p) => selected.includes(p.id)),
                'verify',
              )
            }
          >
            {t('核验通过所选（{n}）', { n: selected.length })}
          </Button>
          <Typography.Text type="secondary">{t('请逐人核对身份证件与本人一致后再通过')}</Typography.Text>
        </Space>
      )}
      <Table<ReportedMember>
        size="small"
        rowKey="id"
        data-testid={testId}
        dataSource={items}
        pagination={items.length > 20 ? { pageSize: 20 } : false}
        scroll={{ x: 1300 }}
        rowSelection={
          canVerify
            ? { selectedRowKeys: selected, onChange: (keys) => setSelected(keys as string[]), getCheckboxProps: (r) => ({ disabled: r.status !== 'pending' }) }
            : undefined
        }
        columns={[
          ...(showProject
            ? [
                {
                  title: t('项目'),
                  render: (_: unknown, r: ReportedMember) => (
                    <span>
                      {r.project.name}
                      <br />
                      <Typography.Text type="secondary">{r.region.name}</Typography.Text>
                    </span>
                  ),
                },
              ]
            : []),
          { title: t('姓名'), dataIndex: 'name', width: 90 },
          { title: t('身份证号'), dataIndex: 'idNumberMasked', width: 170 },
          { title: t('群体'), render: (_: unknown, r) => r.groupName ?? '—' },
          {
            title: t('工作单位'),
            render: (_: unknown, r) =>
              r.dispatched ? (
                <span>
                  <Tag color="cyan">{t('劳务派遣')}</Tag>
                  {t('用工单位')}：{r.employer}
                  <br />
                  {t('派遣单位')}：{r.agency}
                </span>
              ) : (
                r.employer
              ),
          },
          {
            title: t('入会工会'),
            render: (_: unknown, r) => (
              <span>
                {r.admittedUnion.name}
                <br />
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {m(r.admissionReason)}
                </Typography.Text>
              </span>
            ),
          },
          ...(canVerify || items.some((i) => i.check)
            ? [
                {
                  title: t('自动核查'),
                  render: (_: unknown, r: ReportedMember) =>
                    r.check ? (
                      <Tooltip title={m(r.check.label)}>
                        <Tag color={CHECK_COLOR[r.check.kind]}>
                          {r.check.kind === 'new' ? t('新会员') : r.check.kind === 'transfer' ? t('会籍转移') : t('已是本会会员')}
                        </Tag>
                        {r.check.fromUnionName ? (
                          <Typography.Text type="secondary">
                            {t('原属')}：{r.check.fromUnionName}
                          </Typography.Text>
                        ) : null}
                      </Tooltip>
                    ) : (
                      '—'
                    ),
                },
              ]
            : []),
          {
            title: t('核验状态'),
            render: (_: unknown, r) => (
              <span data-testid={`status-${r.id}`}>
                <Tag color={STATUS_COLOR[r.status]}>{m(r.statusLabel)}</Tag>
                {r.outcomeLabel && <Tag>{m(r.outcomeLabel)}</Tag>}
                {r.transferredFrom && (
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {t('转自')}：{r.transferredFrom}
                  </Typography.Text>
                )}
                {r.reason && (
                  <div>
                    <Typography.Text type={r.status === 'rejected' ? 'danger' : 'secondary'} style={{ fontSize: 12 }}>
                      {m(r.reason)}
                    </Typography.Text>
                  </div>
                )}
              </span>
            ),
          },
          {
            title: t('报送 / 核验'),
            render: (_: unknown, r) => (
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {r.reportedByName ?? ''} {beijingTime(r.reportedAt)}
                {r.decidedAt ? (
                  <>
                    <br />
                    {r.decidedByName ?? ''} {beijingTime(r.decidedAt)}
                  </>
                ) : null}
              </Typography.Text>
            ),
          },
          ...(canVerify
            ? [
                {
                  title: t('操作'),
                  fixed: 'right' as const,
                  width: 150,
                  render: (_: unknown, r: ReportedMember) =>
                    r.status === 'pending' ? (
                      <Space>
                        <Button size="small" type="link" loading={busy} data-testid={`verify-${r.id}`} onClick={() => run([r], 'verify')}>
                          {t('核验通过')}
                        </Button>
                        <Button size="small" type="link" danger data-testid={`reject-${r.id}`} onClick={() => (setReason(''), setRejecting(r))}>
                          {t('驳回')}
                        </Button>
                      </Space>
                    ) : null,
                },
              ]
            : []),
        ]}
      />
      <Modal
        open={!!rejecting}
        title={t('驳回：{name}', { name: rejecting?.name ?? '' })}
        okText={t('驳回')}
        okButtonProps={{ danger: true, disabled: !reason.trim(), loading: busy }}
        onCancel={() => setRejecting(null)}
        onOk={async () => {
          if (rejecting) await run([rejecting], 'reject', reason.trim());
          setRejecting(null);
        }}
      >
        <Typography.Paragraph type="secondary">{t('驳回原因报送单位可见，请写明需补正之处')}</Typography.Paragraph>
        <Input.TextArea rows={3} value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} data-testid="reject-reason" />
      </Modal>
    </>
  );
}

interface ProjectReported {
  canVerify: boolean;
  counts: { pending: number; verified: number; rejected: number; transfers: number };
  progress: { membersRecruited: number; membersPending: number };
  items: ReportedMember[];
}

/** One project's reported members: the figures (verified, pending apart), then the list. */
export function ReportedMembersCard({ projectId, version = 0 }: { projectId: string; version?: number }) {
  const { t } = useI18n();
  const data = useLoad(() => get<ProjectReported>(`/api/projects/${encodeURIComponent(projectId)}/members-reported?limit=500`), [projectId, version]);
  if (data.error) return <ErrorAlert error={data.error} />;
  const d = data.data;
  return (
    <Card size="small" style={{ marginTop: 16 }} title={t('报送会员与实名核验')} loading={data.loading && !d} data-testid="reported-members-card">
      {d && (
        <>
          <Space wrap style={{ marginBottom: 8 }} data-testid="reported-counts">
            <Tag color="green">{t('已核验计入 {n} 人', { n: d.counts.verified })}</Tag>
            <Tag color="gold">{t('待核验 {n} 人（不计入）', { n: d.counts.pending })}</Tag>
            <Tag color="red">{t('未通过 {n} 人', { n: d.counts.rejected })}</Tag>
            {d.counts.transfers > 0 && <Tag color="purple">{t('其中会籍转移 {n} 人', { n: d.counts.transfers })}</Tag>}
          </Space>
          <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
            {t('报送的会员经所在地区或市总工会审核员实名核验后才计入会员数、通报和排名')}
          </Typography.Paragraph>
          <ReportedMembersTable items={d.items} canVerify={d.canVerify} onDecided={data.reload} />
        </>
      )}
    </Card>
  );
}
