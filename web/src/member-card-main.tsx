/**
 * The electronic member card (电子会员卡) and its verify page, their own
 * entry (member-card.html): React alone, no antd — a member opens the card
 * on a phone, a union's staff scan its QR code on theirs.
 *   /member-card/<code>         the card (printable)
 *   /member-card/<code>/verify  ✓ 有效会员 or ✗ 无效
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { match, useLocation } from './router';
import { MemberCardPage } from './member-card/MemberCardPage';
import { VerifyPage } from './member-card/VerifyPage';
import './member-card/member-card.css';

function CardApp() {
  const { path } = useLocation();
  let p: Record<string, string> | null;
  if ((p = match('/member-card/:code/verify', path))) return <VerifyPage code={p.code!} />;
  if ((p = match('/member-card/:code', path))) return <MemberCardPage code={p.code!} />;
  return (
    <main className="mc-page">
      <p className="mc-note">页面不存在 / page not found</p>
    </main>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <CardApp />
  </StrictMode>,
);
