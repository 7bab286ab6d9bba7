/**
 * A region's desk for one campaign: survey upload (摸底), implementation plan
 * (实施方案), project list (项目清单), progress (进展报送) and
 * self-assessment (绩效自评). Each tab says in which phase it is accepted;
 * the server's answer (409 naming the phase) is shown where it happened.
 */
import { Alert, Button, Card, Space, Tabs, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { get } from '../api';
import { ErrorAlert } from '../components/ErrorAlert';
import { useLoad } from '../components/useLoad';
import { useI18n } from '../i18n';
import { label, PHASES } from '../labels';
import { navigate } from '../router';
import { useSession } from '../session';
import { PHASE_COLORS } from './CampaignList';
import type { CampaignView } from './CampaignDashboard';
import { SurveyTab } from './region/SurveyTab';
import { PlanTab } from './region/PlanTab';
import { ProjectsTab } from './region/ProjectsTab';
import { ProgressTab } from './region/ProgressTab';
import { AssessmentTab } from './region/AssessmentTab';

const TAB_OF_PHASE: Record<string, string> = { survey: 'survey', listing: 'projects', implementation: 'progress', assessment: 'assessment' };
export const PHASE_OF_TAB: Record<string, string> = {
  survey: 'survey',
  plan: 'survey',
  projects: 'listing',
  progress: 'implementation',
  assessment: 'assessment',
};

/** The submission each tab sends (domain/campaign.ts SUBMISSION_PHASES). */
const SUBMISSION_OF_TAB: Record<string, string> = {
  survey: 'survey',
  plan: 'plan',
  projects: 'projectList',
  progress: 'progress',
  assessment: 'selfAssessment',
};

/** Whether the campaign's phase accepts a tab's submission, and if not why (the server's words): a closed tab's form is read-only. */
export function tabState(campaign: CampaignView, tab: string): { open: boolean; reason?: string } {
  return campaign.submissions?.[SUBMISSION_OF_TAB[tab]!] ?? { open: campaign.phase === PHASE_OF_TAB[tab] };
}

/** The line over a read-only form saying why it cannot be changed now (e.g. 立项审核阶段已结束，项目清单不可再修改). */
export function PhaseNote({ campaign, tab }: { campaign: CampaignView; tab: string }) {
  const { m } = useI18n();
  const state = tabState(campaign, tab);
  if (state.open) return null;
  return <Alert type="warning" showIcon style={{ marginBottom: 16 }} title={m(state.reason ?? '')} data-testid="phase-locked" />;
}

export default function RegionWork({ campaignId, org, tab }: { campaignId: string; org: string; tab?: string }) {
  const { t, lang } = useI18n();
  const { orgName } = useSession();
  const { data: c, error, reload } = useLoad(() => get<CampaignView>(`/api/campaigns/${encodeURIComponent(campaignId)}`), [campaignId]);
  if (error && !c) return <ErrorAlert error={error} />;
  if (!c) return <Card loading />;
  const region = c.regions.find((r) => r.org === org);
  const active = tab ?? TAB_OF_PHASE[c.phase] ?? 'survey';
  const setTab = (k: string) => navigate(`/campaigns/${encodeURIComponent(campaignId)}/regions/${encodeURIComponent(org)}?tab=${k}`, { replace: true });
  const props = { campaign: c, org, onChanged: reload };
  return (
    <Card
      title={
        <Space wrap>
          <span>{region?.name ?? orgName(org)}</span>
          <Typography.Text type="secondary" style={{ fontWeight: 400 }}>
            {c.name}
          </Typography.Text>
          <Tag color={PHASE_COLORS[c.phase]}>{label(PHASES, c.phase, lang)}</Tag>
        </Space>
      }
      extra={
        <Space>
          {c.phaseEndsAt && (
            <Typography.Text type="secondary">{t('本阶段截止：{at}', { at: dayjs(c.phaseEndsAt).format('YYYY-MM-DD HH:mm') })}</Typography.Text>
          )}
          <Button onClick={() => navigate(`/campaigns/${encodeURIComponent(campaignId)}`)}>{t('行动总览')}</Button>
        </Space>
      }
    >
      {!region && <ErrorAlert error={new Error(t('该地区未参加此行动'))} />}
      {region && region.overdue.some((o) => !o.resolvedAt) && (
        <Alert type="warning" showIcon style={{ marginBottom: 16 }} title={t('本地区有逾期事项，已报上级督办，请尽快补交')} />
      )}
      <Tabs
        activeKey={active}
        onChange={setTab}
        destroyOnHidden
        items={[
          { key: 'survey', label: t('摸底上传'), children: <SurveyTab {...props} /> },
          { key: 'plan', label: t('实施方案'), children: <PlanTab {...props} submitted={!!region?.planSubmitted} /> },
          {
            key: 'projects',
            label: t('项目清单'),
            children: <ProjectsTab {...props} listApplicationId={region?.listApplicationId ?? null} listStatus={region?.listStatus ?? null} />,
          },
          { key: 'progress', label: t('进展报送'), children: <ProgressTab {...props} /> },
          { key: 'assessment', label: t('绩效自评'), children: <AssessmentTab {...props} /> },
        ]}
      />
    </Card>
  );
}
