/**
 * 打印审批单: the printable approval form of an application
 * (GET /api/applications/:id/print, HTML; ?format=pdf, PDF). The route needs
 * the session's token, which a plain link would not carry: the HTML is
 * fetched with it and opened in a new tab (the window is opened at the click,
 * so no pop-up blocker stops it); the PDF is downloaded.
 */
import { useState } from 'react';
import { App, Button, Space } from 'antd';
import { FilePdfOutlined, PrinterOutlined } from '@ant-design/icons';
import { download, fetchBlob } from '../api';
import { errorText } from './ErrorAlert';
import { useI18n } from '../i18n';

export function PrintButtons({ applicationId, title }: { applicationId: string; title: string }) {
  const { t, lang } = useI18n();
  const { message } = App.useApp();
  const [busy, setBusy] = useState<'html' | 'pdf' | null>(null);
  const base = `/api/applications/${encodeURIComponent(applicationId)}/print`;

  const openHtml = async () => {
    const win = window.open('', '_blank');
    setBusy('html');
    try {
      const blob = await fetchBlob(base);
      const url = URL.createObjectURL(new Blob([blob], { type: 'text/html;charset=utf-8' }));
      if (win) win.location.href = url;
      else window.location.href = url;
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (e) {
      win?.close();
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
