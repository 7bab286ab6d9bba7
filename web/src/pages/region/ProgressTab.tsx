/**
 * 进展报送: for one of the region's approved projects, the unions
 * established (crossing enterprises off the ledger, 销号), new members by
 * real name (counted once by ID number), and service coverage.
 */
import { useState } from 'react';
import { Alert, Button, Card, DatePicker, Form, Input, InputNumber, Select, Space } from 'antd';
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import type { Dayjs } from 'dayjs';
import { get, newKey, post, type FieldError } from '../../api';
import { applyFieldErrors, ErrorAlert } from '../../components/ErrorAlert';
import { useLoad } from '../../components/useLoad';
import { useI18n } from '../../i18n';
import type { CampaignView } from '../CampaignDashboard';
import { tabState } from '../RegionWork';
import { MemberBulkUpload } from './MemberBulkUpload';
import { ProjectPicker } from './ProjectPicker';
import { DispatchFields } from './DispatchFields';
import { ReportedMembersCard } from '../../components/ReportedMembers';
import { UnionEstablishments } from './UnionEstablishments';
import type { ProjectView } from './ProjectsTab';

interface ProgressForm {
  unionsEstablished: { enterpriseId?: string; name: string; establishedOn: Dayjs | null }[];
  members: { name: string; idNumber: string; phone?: string; group: string; employer: string; dispatched?: boolean; agency?: string }[];
  coverage?: number | null;
  note?: string;
}
interface ProgressResult {
  membersAccepted?: number;
  /** Put to real-name verification (待核验): they count once verified. */
  membersReported?: number;
  /** How many of the report's members were counted before (never which). */
  alreadyCounted?: number;
  unionsEstablished?: number;
  crossedOff?: number;
  /** The establishment each reported union started or matched (建会程序). */
  unions?: { id: string; name: string; started: boolean }[];
}

export function ProgressTab({ campaign, org, onChanged }: { campaign: CampaignView; org: string; onChanged(): void }) {
  const { t } = useI18n();
  return (
    <ProjectPicker
      campaign={campaign}
      org={org}
      tab="progress"
      hint={t('选择一个项目报送进展')}
      columns={[
        {
          title: t('新增会员（已核验）'),
          render: (_: unknown, p) => (p.kind === 'organizing' ? `${p.progress.membersRecruited} / ${p.plannedMembers ?? 0}` : '—'),
        },
        { title: t('待核验'), render: (_: unknown, p) => (p.kind === 'organizing' ? (p.progress.membersPending ?? 0) : '—') },
        { title: t('新建工会'), render: (_: unknown, p) => p.progress.unionsEstablished },
        { title: t('服务覆盖'), render: (_: unknown, p) => (p.kind === 'service' ? `${p.progress.coverageDone} / ${p.plannedCoverage ?? 0}` : '—') },
      ]}
      form={(project, reload) => (
        <>
          {project.kind === 'organizing' && (
            <UnionEstablishments
              key={`u-${project.id}`}
              projectId={project.id}
              campaignId={campaign.id}
              region={project.region}
              open={tabState(campaign, 'progress').open}
            />
          )}
          <ProgressFormCard key={project.id} campaign={campaign} project={project} onDone={() => (reload(), onChanged())} />
          {project.kind === 'organizing' && <ReportedMembersCard key={`reported-${project.id}`} projectId={project.id} />}
          {project.kind === 'organizing' && (
            <MemberBulkUpload key={`bulk-${project.id}`} campaign={campaign} project={project} onDone={() => (reload(), onChanged())} />
          )}
        </>
      )}
    />
  );
}

function ProgressFormCard({ campaign, project, onDone }: { campaign: CampaignView; project: ProjectView; onDone(): void }) {
  const { t, lang } = useI18n();
  const [form] = Form.useForm<ProgressForm>();
  const [error, setError] = useState<unknown>(null);
  const [unplaced, setUnplaced] = useState<FieldError[]>([]);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ProgressResult | null>(null);
  const [key, setKey] = useState(newKey);
  const groups = useLoad(() => get<{ items: { id: string; name: string }[] }>('/api/groups'), []);
  const ledger = useLoad(
    () =>
      get<{ items: { id: string; name: string }[] }>(
        `/api/campaigns/${encodeURIComponent(campaign.id)}/regions/${encodeURIComponent(project.region)}/gaps?limit=500`,
      ),
    [campaign.id, project.region],
  );
  const groupOptions = (groups.data?.items ?? []).filter((g) => campaign.groups.includes(g.id)).map((g) => ({ value: g.id, label: g.name }));

  const submit = async (v: ProgressForm) => {
    setBusy(true);
    setError(null);
    setResult(null);
    const body = {
      ...(v.unionsEstablished?.length
        ? {
            unionsEstablished: v.unionsEstablished.map((u) => ({
              ...(u.enterpriseId ? { enterpriseId: Number(u.enterpriseId) } : {}),
              name: u.name.trim(),
              establishedOn: u.establishedOn?.format('YYYY-MM-DD'),
            })),
          }
        : {}),
      ...(v.members?.length
        ? {
            members: v.members.map((x) => ({
              name: x.name.trim(),
              idNumber: x.idNumber.trim(),
              ...(x.phone?.trim() ? { phone: x.phone.trim() } : {}),
              group: x.group,
              employer: x.employer.trim(),
              ...(x.dispatched ? { dispatched: true, agency: x.agency?.trim() } : {}),
            })),
          }
        : {}),
      ...(v.coverage ? { serviceDone: { coverage: v.coverage } } : {}),
      ...(v.note?.trim() ? { note: v.note.trim() } : {}),
    };
    try {
      const r = await post<ProgressResult>(`/api/projects/${encodeURIComponent(project.id)}/progress`, body, { idempotencyKey: key });
      setResult(r);
      setKey(newKey());
      form.resetFields();
      onDone();
    } catch (e) {
      setUnplaced(
        applyFieldErrors(form, e, lang, (p) => {
          const s = p.split('.');
          if ((s[0] === 'members' || s[0] === 'unionsEstablished') && s[1] !== undefined && s[2]) return [s[0], Number(s[1]), s[2]];
          if (s[0] === 'serviceDone') return ['coverage'];
          if (s[0] === 'note') return ['note'];
          return undefined;
        }),
      );
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card size="small" style={{ marginTop: 16 }} title={t('报送进展：{name}', { name: project.name })} data-testid="progress-form">
      <Form<ProgressForm>
        form={form}
        layout="vertical"
        onFinish={submit}
        disabled={!tabState(campaign, 'progress').open}
        initialValues={{ unionsEstablished: [], members: [] }}
      >
        {project.kind === 'organizing' && (
          <>
            <Form.List name="unionsEstablished">
              {(fields, { add, remove }) => (
                <Form.Item label={t('报送新建工会（进入建会程序，上级工会批复后计数、销号）')}>
                  {fields.map((f) => (
                    <Space key={f.key} align="baseline" wrap>
                      <Form.Item name={[f.name, 'enterpriseId']}>
                        <Select
                          allowClear
                          placeholder={t('台账企业')}
                          style={{ width: 240 }}
                          options={(ledger.data?.items ?? []).map((e) => ({ value: String(e.id), label: e.name }))}
                        />
                      </Form.Item>
                      <Form.Item name={[f.name, 'name']} rules={[{ required: true, whitespace: true, message: t('请填写工会名称') }]}>
                        <Input placeholder={t('工会名称')} style={{ width: 240 }} />
                      </Form.Item>
                      <Form.Item name={[f.name, 'establishedOn']} rules={[{ required: true, message: t('请选择日期') }]}>
                        <DatePicker placeholder={t('成立日期')} />
                      </Form.Item>
                      <MinusCircleOutlined onClick={() => remove(f.name)} />
                    </Space>
                  ))}
                  <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ name: '', establishedOn: null })}>
                    {t('添加新建工会')}
                  </Button>
                </Form.Item>
              )}
            </Form.List>
            <Form.List name="members">
              {(fields, { add, remove }) => (
                <Form.Item label={t('新会员（实名）')} extra={t('报送后经实名核验才计入；同一身份证号只计一次，已是其他工会会员的按会籍转移计入务工地')}>
                  {fields.map((f) => (
                    <Space key={f.key} align="baseline" wrap>
                      <Form.Item name={[f.name, 'name']} rules={[{ required: true, whitespace: true, message: t('请填写姓名') }]}>
                        <Input placeholder={t('姓名')} style={{ width: 110 }} />
                      </Form.Item>
                      <Form.Item
                        name={[f.name, 'idNumber']}
                        rules={[
                          { required: true, message: t('请填写身份证号') },
                          { pattern: /^\d{17}[\dX]$/i, message: t('身份证号为 18 位') },
                        ]}
                      >
                        <Input placeholder={t('身份证号')} style={{ width: 200 }} />
                      </Form.Item>
                      <Form.Item name={[f.name, 'phone']} rules={[{ pattern: /^1[3-9]\d{9}$/, message: t('11 位手机号') }]}>
                        <Input placeholder={t('手机号')} style={{ width: 140 }} />
                      </Form.Item>
                      <Form.Item name={[f.name, 'group']} rules={[{ required: true, message: t('请选择群体') }]}>
                        <Select placeholder={t('所属群体')} options={groupOptions} style={{ width: 130 }} />
                      </Form.Item>
                      <Form.Item name={[f.name, 'employer']} rules={[{ required: true, whitespace: true, message: t('请填写工作单位') }]}>
                        <Input placeholder={t('工作单位（派遣工填用工单位）')} style={{ width: 200 }} />
                      </Form.Item>
                      <DispatchFields name={f.name} />
                      <MinusCircleOutlined onClick={() => remove(f.name)} />
                    </Space>
                  ))}
                  <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ name: '', idNumber: '', group: project.groups[0], employer: '' })}>
                    {t('添加会员')}
                  </Button>
                </Form.Item>
              )}
            </Form.List>
          </>
        )}
        {project.kind === 'service' && (
          <Form.Item name="coverage" label={t('本次服务覆盖职工（人次）')}>
            <InputNumber min={0} precision={0} style={{ width: 200 }} />
          </Form.Item>
        )}
        <Form.Item name="note" label={t('说明')}>
          <Input.TextArea rows={2} />
        </Form.Item>
        <ErrorAlert error={error} fields={unplaced} />
        {result && (
          <Alert
            type={result.alreadyCounted ? 'warning' : 'success'}
            showIcon
            style={{ marginBottom: 16 }}
            title={t('已报送：待实名核验会员 {m} 人；报送的工会 {u} 个进入建会程序，上级工会批复后计数、销号', {
              m: result.membersReported ?? result.membersAccepted ?? 0,
              u: result.unions?.length ?? 0,
            })}
            description={result.alreadyCounted ? t('另有 {n} 人本项目此前已报送，不再重复报送', { n: result.alreadyCounted }) : t('会员经审核员实名核验后计入')}
          />
        )}
        <Button type="primary" htmlType="submit" loading={busy}>
          {t('报送进展')}
        </Button>
      </Form>
    </Card>
  );
}
