/**
 * The public join pages (扫码入会: /join and /join/status), their own entry
 * (public.html): React, the antd components these pages use and nothing of
 * the staff app (no charts, inbox, session), so a worker's phone on 3G shows
 * the form quickly. The join form is in the entry itself (it is what the QR
 * posters open); the status page loads on demand.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ConfigProvider } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import enUS from 'antd/locale/en_US';
import { LangProvider, useI18n } from './i18n';
import { PublicApp } from './PublicApp';
import './styles.css';

const reducedMotion = typeof window.matchMedia === 'function' && window.matchMedia('(prefers-reduced-motion: reduce)').matches;

function Themed() {
  const { lang } = useI18n();
  return (
    <ConfigProvider
      locale={lang === 'zh' ? zhCN : enUS}
      theme={{
        token: {
          colorPrimary: '#c8102e',
          borderRadius: 6,
          motion: !reducedMotion,
          fontFamily: `-apple-system, BlinkMacSystemFont, 'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', 'Source Han Sans SC', 'Helvetica Neue', Arial, sans-serif`,
        },
      }}
    >
      <PublicApp />
    </ConfigProvider>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <LangProvider>
      <Themed />
    </LangProvider>
  </StrictMode>,
);
