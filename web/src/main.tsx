/**
 * The web app of the union organizing-drive engine: React + Ant Design
 * (zh-CN by default, English switchable) + ECharts, built by Vite into
 * web/dist and served by the API at /.
 */
import type { ReactNode } from 'react';
import { App as AntApp } from 'antd';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { useI18n } from './i18n';
import { SessionProvider } from './session';
import { renderThemed } from './theme';
import { App } from './App';

/** Dates in the staff app speak the chosen language. */
function DayjsLocale({ children }: { children: ReactNode }) {
  const { lang } = useI18n();
  dayjs.locale(lang === 'zh' ? 'zh-cn' : 'en');
  return children;
}

renderThemed(
  <DayjsLocale>
    <AntApp>
      <SessionProvider>
        <App />
      </SessionProvider>
    </AntApp>
  </DayjsLocale>,
);
