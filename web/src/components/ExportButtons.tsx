/**
 * 导出: downloads what a list shows, with its search and filters, as an Excel workbook or CSV (the server's
 * `format=xlsx|csv`: Chinese headers, names, Beijing times). A refusal is shown beside the buttons.
 */
import { useState } from 'react';
import { App, Button, Dropdown } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import { download } from '../api';
import { useI18n } from '../i18n';
import { errorText } from './ErrorAlert';

/** `path` is the list's URL with its filters (no format); `name` the file's name without extension. */
export function ExportButtons({ path, name }: { path: string; name: string }) {
  const { t, lang } = useI18n();
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);
  const run = async (format: 'xlsx' | 'csv') => {
    setBusy(true);
    try {
      await download(`${path}${path.includes('?') ? '&' : '?'}format=${format}`, `${name}.${format}`);
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
          { key: 'xlsx', label: t('导出 Excel'), onClick: () => void run('xlsx') },
          { key: 'csv', label: t('导出 CSV'), onClick: () => void run('csv') },
        ],
      }}
    >
      <Button icon={<DownloadOutlined />} loading={busy} data-testid="export">
        {t('导出')}
      </Button>
    </Dropdown>
  );
}
