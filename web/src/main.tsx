/**
 * The web app of the union organizing-drive engine: React + Ant Design
 * (zh-CN by default, English switchable) + ECharts, built by Vite into
 * web/dist and served by the API at /.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App as AntApp, ConfigProvider } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import enUS from 'antd/locale/en_US';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { LangProvider, useI18n } from './i18n';
import { SessionProvider } from './session';
import { App } from './App';
import './styles.css';

/** People who ask their system for less motion get no animations (antd's motion token off). */
const reducedMotion = typeof window.matchMedia === 'function' && window.matchMedia('(prefers-reduced-motion: reduce)').matches;

function Themed() {
  const { lang } = useI18n();
  dayjs.locale(lang === 'zh' ? 'zh-cn' : 'en');
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
      <AntApp>
        <SessionProvider>
          <App />
        </SessionProvider>
      </AntApp>
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
