/**
 * 实名核验任务: the verifier's page (a reviewer of a region or of the city).
 * Members the projects in their scope reported wait here until checked
 * against their papers: verified ones count (a member of another union as a
 * transfer, 会籍转移, counted at the place of work), rejected ones go back to
 * the submitter with the reason. The automatic checks (valid ID, a member
 * elsewhere, the admitting union of a dispatched worker) are shown beside each.
 */
import { useState } from 'react';
import { Card, Segmented, Space, Typography } from 'antd';
import { get } from '../api';
import { ErrorAlert } from '../components/ErrorAlert';
import { ReportedMembersTable, type ReportedMember } from '../components/ReportedMembers';
import { useLoad } from '../components/useLoad';
import { useI18n } from '../i18n';

type Status = 'pending' | 'verified' | 'rejected' | 'lapsed';

export default function MemberVerifications({ campaignId }: { campaignId?: string }) {
  const { t } = useI18n();
  const [status, setStatus] = useState<Status>('pending');
  const data = useLoad(
    () =>
      get<{ items: ReportedMember[] }>(
        `/api/member-verifications?status=${status}&limit=500${campaignId ? `&campaign=${encodeURIComponent(campaignId)}` : ''}`,
      ),
    [status, campaignId],
  );
  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }} data-testid="member-verifications">
      <Card size="small">
        <Typography.Title level={4} style={{ marginTop: 0 }}>
          {t('实名核验')}
        </Typography.Title>
        <Typography.Paragraph type="secondary">
          {t(
            '各项目报送的新会员须经实名核验才计入会员数。已是其他工会会员的，按会籍转移计入务工地；劳务派遣工由派遣单位工会吸收，派遣单位未建会的由用工单位工会吸收。',
          )}
        </Typography.Paragraph>
        <Segmented<Status>
          value={status}
          onChange={setStatus}
          options={[
            { value: 'pending', label: t('待核验') },
            { value: 'verified', label: t('已核验') },
            { value: 'rejected', label: t('未通过') },
            { value: 'lapsed', label: t('行动结束未核验') },
          ]}
        />
      </Card>
      <Card size="small" loading={data.loading && !data.data}>
        <ErrorAlert error={data.error} />
        {data.data && (
          <ReportedMembersTable items={data.data.items} canVerify={status === 'pending'} showProject onDecided={data.reload} testId="verification-queue" />
        )}
      </Card>
    </Space>
  );
}
