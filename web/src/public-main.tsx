/**
 * The public join pages (扫码入会: /join and /join/status), their own entry
 * (public.html): React and a small style sheet (web/src/public/public.css),
 * no antd, no dayjs and nothing of the staff app, so a worker's phone on 3G
 * shows the form quickly (npm run bench:public-page measures it).
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { LangProvider } from './public/i18n';
import { PublicApp } from './PublicApp';
import './public/public.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <LangProvider>
      <PublicApp />
    </LangProvider>
  </StrictMode>,
);
