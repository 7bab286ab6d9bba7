/**
 * 导出省级会员库: on the campaign dashboard, for the city federation's admins
 * (and the province's), the real-name list of the campaign's new members in
 * the provincial member database's column layout, as xlsx (with a 说明 sheet)
 * or CSV. The server decides (policy exportProvincialMembers) and records
 * every export; the button only shows where it may allow.
 */
import { useState } from 'react';
import { App, Button, Dropdown } from 'antd';
import { DatabaseOutlined } from '@ant-design/icons';
import { download } from '../api';
import { useI18n } from '../i18n';
import { useSession } from '../session';
import { errorText } from './ErrorAlert';

export function ProvincialExportButton({ campaign }: { campaign: { id: string; name: string; cityOrg: string } }) {
  const { t, lang } = useI18n();
  const { message } = App.useApp();
  const { user, has, orgKind } = useSession();
  const [busy, setBusy] = useState(false);
  if (!has('admin') || !(user?.org === campaign.cityOrg || orgKind === 'province')) return null;

  const run = async (format: 'xlsx' | 'csv') => {
    setBusy(true);
    try {
      await download(`/api/campaigns/${encodeURIComponent(campaign.id)}/provincial-members?format=${format}`, `省级会员库导出-${campaign.name}.${format}`);
      void message.success(t('已导出省级会员库（{f}），本次导出已记录', { f: format === 'xlsx' ? 'Excel' : 'CSV' }));
    } catch (e) {
      void message.error(errorText(e, lang));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dropdown
      menu={{
        items: [
          { key: 'xlsx', label: t('导出 Excel（含说明页）'), onClick: () => void run('xlsx') },
          { key: 'csv', label: t('导出 CSV'), onClick: () => void run('csv') },
        ],
      }}
    >
      <Button icon={<DatabaseOutlined />} loading={busy} data-testid="provincial-export" title={t('含完整身份证号和手机号，每次导出均有记录')}>
        {t('导出省级会员库')}
      </Button>
    </Dropdown>
  );
}
