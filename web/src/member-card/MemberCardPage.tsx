/**
 * 电子会员卡: the member's card — name, union, member number, date joined —
 * and the QR code a union scans to verify it. Red card, Chinese first,
 * printable (the print keeps the colours, without the buttons).
 */
import { useCardLoad } from './useCardLoad';

export interface MemberCard {
  name: string;
  union: { id: string; name: string };
  memberNo: string;
  joinedOn: string;
  status: 'active' | 'pending' | 'revoked';
  valid: boolean;
  verifyUrl: string;
  qr: string;
}

/** 202600000123 → 2026 0000 0123: read out in groups of four. */
export const groupDigits = (s: string) => s.replace(/(\d{4})(?=\d)/g, '$1 ');

const date = (d: string) => {
  const [y, m, day] = d.split('-');
  return `${y}年${Number(m)}月${Number(day)}日`;
};

export function MemberCardPage({ code }: { code: string }) {
  const loaded = useCardLoad<MemberCard>(`/api/public/member-cards/${encodeURIComponent(code)}`);
  return (
    <main className="mc-page">
      {loaded.state === 'loading' && <p className="mc-note">正在加载会员卡… / loading…</p>}
      {loaded.state === 'error' && (
        <div className="mc-problem" role="alert" data-testid="card-error">
          <div className="mc-problem-title">{loaded.status === 404 ? '会员卡不存在或已失效' : '暂时无法显示会员卡'}</div>
          <div>{loaded.status === 404 ? 'No such member card, or it is no longer valid.' : loaded.detail}</div>
        </div>
      )}
      {loaded.state === 'ok' && <Card card={loaded.data} />}
    </main>
  );
}

function Card({ card }: { card: MemberCard }) {
  return (
    <>
      <section className="mc-card" aria-label="电子会员卡 / member card" data-testid="member-card">
        <header className="mc-card-head">
          <div className="mc-emblem" aria-hidden="true">
            工
          </div>
          <div>
            <div className="mc-title">中国工会会员卡</div>
            <div className="mc-subtitle">电子会员卡 · Trade union member card</div>
          </div>
        </header>
        <div className="mc-name" data-testid="card-name">
          {card.name}
        </div>
        <dl className="mc-fields">
          <div>
            <dt>所在工会 / Union</dt>
            <dd data-testid="card-union">{card.union.name}</dd>
          </div>
          <div>
            <dt>会员编号 / No.</dt>
            <dd className="mc-number" data-testid="card-number">
              {groupDigits(card.memberNo)}
            </dd>
          </div>
          <div>
            <dt>入会日期 / Joined</dt>
            <dd>{date(card.joinedOn)}</dd>
          </div>
        </dl>
        <div className="mc-qr-row">
          <img className="mc-qr" src={card.qr} alt="会员卡验证二维码 / QR code to verify this card" width={132} height={132} data-testid="card-qr" />
          <div className="mc-qr-text">
            <div>工会扫码验证</div>
            <div className="mc-small">Scan to verify membership</div>
            {!card.valid && (
              <div className="mc-pending" data-testid="card-pending">
                {card.status === 'pending' ? '实名认证未完成，暂不能验证' : '会员卡已失效'}
              </div>
            )}
          </div>
        </div>
        <footer className="mc-card-foot">工会是职工之家 · 请妥善保管本卡链接，勿转发他人</footer>
      </section>
      <div className="mc-actions mc-no-print">
        <button type="button" className="mc-button" onClick={() => window.print()}>
          打印 / Print
        </button>
        <a className="mc-button mc-button-light" href={card.verifyUrl}>
          验证页面 / Verify page
        </a>
      </div>
      <p className="mc-note mc-no-print">本卡由工会网上入会系统签发。截图或打印均可出示；工会扫描二维码即可核验会籍。</p>
    </>
  );
}
