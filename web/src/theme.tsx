/**
 * What the staff app renders inside: the language switch and one antd theme — the union red, CJK fonts, zh-CN or
 * English, no animations for people who ask for less motion. (The public join pages and the member card carry no
 * antd: their own plain styles, web/src/public/ and web/src/member-card/.)
 */
import { StrictMode, useEffect, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { ConfigProvider, Spin } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import enUS from 'antd/locale/en_US';
import { LangProvider, useI18n } from './i18n';
import './styles.css';

/** People who ask their system for less motion get no animations (antd's motion token off). */
const reducedMotion = typeof window.matchMedia === 'function' && window.matchMedia('(prefers-reduced-motion: reduce)').matches;

/** Field focus colours (blue, the error colour stays red). */
const FOCUS = '#1677ff';
const FIELD_FOCUS = { activeBorderColor: FOCUS, hoverBorderColor: '#4096ff', activeShadow: '0 0 0 2px rgba(22, 119, 255, 0.12)' };
const SELECT_FOCUS = { activeBorderColor: FOCUS, hoverBorderColor: '#4096ff', activeOutlineColor: 'rgba(22, 119, 255, 0.12)' };

function Themed({ children }: { children: ReactNode }) {
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
        // A focused or hovered field is outlined in blue, never in the union red: red on a field means an error.
        components: { Input: FIELD_FOCUS, InputNumber: FIELD_FOCUS, DatePicker: FIELD_FOCUS, Mentions: FIELD_FOCUS, Select: SELECT_FOCUS },
      }}
    >
      {children}
    </ConfigProvider>
  );
}

/** Renders an entry's app into #root, themed. */
export function renderThemed(app: ReactNode): void {
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <LangProvider>
        <Themed>{app}</Themed>
      </LangProvider>
    </StrictMode>,
  );
}

/** The spinner a page shows while its code loads. */
export const pageLoading = (
  <div style={{ padding: 80, textAlign: 'center' }}>
    <Spin size="large" />
  </div>
);

/** A path another entry serves (the staff app, the public pages, the member card): loaded from the server. */
export function Elsewhere({ to }: { to: string }) {
  useEffect(() => window.location.replace(to), [to]);
  return pageLoading;
}
