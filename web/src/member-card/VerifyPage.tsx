/**
 * 会员卡验证: what a union sees when it scans a member card's QR code — a
 * big ✓ 有效会员 or ✗ 无效, the union, the member number and the name with
 * all but its first character hidden.
 */
import { groupDigits } from './MemberCardPage';
import { useCardLoad } from './useCardLoad';

interface Verification {
  valid: boolean;
  status: 'active' | 'pending' | 'revoked';
  unionName: string | null;
  nameMasked: string | null;
  memberNo: string | null;
  checkedAt: string;
}

const WHY: Record<Verification['status'], string> = {
  active: '',
  pending: '该会员尚未完成实名认证 / real-name verification not complete',
  revoked: '该会员卡已失效 / this card is no longer valid',
};

const beijingTime = (iso: string) => new Date(new Date(iso).getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');

export function VerifyPage({ code }: { code: string }) {
  const loaded = useCardLoad<Verification>(`/api/public/member-cards/${encodeURIComponent(code)}/verify`);
  if (loaded.state === 'loading')
    return (
      <main className="mc-page">
        <p className="mc-note">正在验证… / verifying…</p>
      </main>
    );
  if (loaded.state === 'error' && loaded.status !== 404)
    return (
      <main className="mc-page">
        <div className="mc-problem" role="alert">
          <div className="mc-problem-title">暂时无法验证，请稍后重试</div>
          <div>{loaded.detail}</div>
        </div>
      </main>
    );
  const v = loaded.state === 'ok' ? loaded.data : undefined;
  const valid = !!v?.valid;
  return (
    <main className="mc-page">
      <section className={`mc-verdict ${valid ? 'mc-valid' : 'mc-invalid'}`} data-testid="verdict" aria-live="polite">
        <div className="mc-verdict-mark" aria-hidden="true">
          {valid ? '✓' : '✗'}
        </div>
        <div className="mc-verdict-text">{valid ? '有效会员' : '无效'}</div>
        <div className="mc-verdict-en">{valid ? 'Valid member' : 'Not valid'}</div>
        {!valid && <div className="mc-verdict-why">{v ? WHY[v.status] : '未找到该会员卡 / no such member card'}</div>}
      </section>
      {v && (
        <dl className="mc-verify-fields">
          {v.nameMasked && (
            <div>
              <dt>姓名 / Name</dt>
              <dd data-testid="verify-name">{v.nameMasked}</dd>
            </div>
          )}
          {v.unionName && (
            <div>
              <dt>所在工会 / Union</dt>
              <dd data-testid="verify-union">{v.unionName}</dd>
            </div>
          )}
          {v.memberNo && (
            <div>
              <dt>会员编号 / No.</dt>
              <dd className="mc-number">{groupDigits(v.memberNo)}</dd>
            </div>
          )}
          <div>
            <dt>验证时间 / Checked</dt>
            <dd title="北京时间 / Beijing time">{beijingTime(v.checkedAt)}</dd>
          </div>
        </dl>
      )}
      <p className="mc-note">为保护会员个人信息，验证页只显示姓氏。/ Only the first character of the name is shown.</p>
    </main>
  );
}
