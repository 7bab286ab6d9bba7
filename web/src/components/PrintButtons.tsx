/**
 * 打印审批单: the printable approval form of an application
 * (GET /api/applications/:id/print, HTML; ?format=pdf, PDF). The print page
 * opens at its own short-lived signed URL (POST …/print-link), as a bulletin's
 * does, so it runs under its own strict CSP and needs no token; the tab is
 * opened at the click, so no pop-up blocker stops it. The PDF is downloaded.
 */
import { useState } from 'react';
import { App, Button, Space } from 'antd';
import { FilePdfOutlined, PrinterOutlined } from '@ant-design/icons';
import { download, post } from '../api';
import { errorText } from './ErrorAlert';
import { useI18n } from '../i18n';

export function PrintButtons({ applicationId, title }: { applicationId: string; title: string }) {
  const { t, lang } = useI18n();
  const { message } = App.useApp();
  const [busy, setBusy] = useState<'html' | 'pdf' | null>(null);
  const base = `/api/applications/${encodeURIComponent(applicationId)}/print`;

  const openHtml = async () => {
    const tab = window.open('about:blank', '_blank');
    setBusy('html');
    try {
      const link = await post<{ url: string }>(`${base}-link`);
      if (tab) {
        tab.opener = null;
        tab.location.href = link.url;
      } else window.location.assign(link.url);
    } catch (e) {
      tab?.close();
      void message.error(errorText(e, lang));
    } finally {
      setBusy(null);
    }
  };
  const pdf = async () => {
    setBusy('pdf');
    try {
      await download(`${base}?format=pdf`, `审批单-${title}.pdf`);
    } catch (e) {
      void message.error(errorText(e, lang));
    } finally {
      setBusy(null);
    }
  };

  return (
    <Space wrap>
      <Button icon={<PrinterOutlined />} loading={busy === 'html'} onClick={() => void openHtml()} data-testid="print-html">
        {t('打印审批单')}
      </Button>
      <Button icon={<FilePdfOutlined />} loading={busy === 'pdf'} onClick={() => void pdf()} data-testid="print-pdf">
        {t('下载 PDF')}
      </Button>
    </Space>
  );
}
