/**
 * The region's projects as a table to pick one from, with the form for the
 * picked project below it: shared by 进展报送 (progress) and 绩效自评
 * (self-assessment), which differ only in their extra columns and form.
 */
import { useState, type ReactNode } from 'react';
import { Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { get } from '../../api';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useLoad } from '../../components/useLoad';
import { useI18n } from '../../i18n';
import { label, PROJECT_STATUS, PROJECT_TYPES, STATUS_COLORS } from '../../labels';
import type { CampaignView } from '../CampaignDashboard';
import { PhaseNote } from '../RegionWork';
import { ProjectReadback } from '../readback/ProjectReadback';
import type { ProjectView } from './ProjectsTab';

export function ProjectPicker(props: {
  campaign: CampaignView;
  org: string;
  tab: 'progress' | 'assessment';
  /** Columns after name, type and status. */
  columns: ColumnsType<ProjectView>;
  /** Shown until a project is picked. */
  hint: string;
  /** The form for the picked project; `reload` refreshes the table after it is sent. */
  form(project: ProjectView, reload: () => void): ReactNode;
}) {
  const { campaign, org } = props;
  const { t, lang } = useI18n();
  const base = `/api/campaigns/${encodeURIComponent(campaign.id)}`;
  const projects = useLoad(() => get<{ items: ProjectView[] }>(`${base}/projects?region=${encodeURIComponent(org)}&limit=500`), [base, org]);
  const [selected, setSelected] = useState<string | null>(null);
  const project = projects.data?.items.find((p) => p.id === selected);
  return (
    <div>
      <PhaseNote campaign={campaign} tab={props.tab} />
      <ErrorAlert error={projects.error} />
      <Table<ProjectView>
        size="small"
        rowKey="id"
        loading={projects.loading}
        dataSource={projects.data?.items ?? []}
        pagination={false}
        rowSelection={{ type: 'radio', selectedRowKeys: selected ? [selected] : [], onChange: (keys) => setSelected(String(keys[0])) }}
        onRow={(p) => ({ onClick: () => setSelected(p.id) })}
        columns={[
          { title: t('项目名称'), dataIndex: 'name' },
          { title: t('类型'), dataIndex: 'type', render: (v: string) => label(PROJECT_TYPES, v, lang) },
          { title: t('状态'), dataIndex: 'status', render: (v: string) => <Tag color={STATUS_COLORS[v]}>{label(PROJECT_STATUS, v, lang)}</Tag> },
          ...props.columns,
        ]}
      />
      {project ? (
        <>
          {props.form(project, () => void projects.reload())}
          <ProjectReadback key={project.id} project={project} tab={props.tab} />
        </>
      ) : (
        <Typography.Paragraph type="secondary" style={{ marginTop: 12 }}>
          {props.hint}
        </Typography.Paragraph>
      )}
    </div>
  );
}
