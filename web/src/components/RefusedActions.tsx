/**
 * The actions of the task and application pages by name, and the refused ones
 * shown as disabled buttons with the reason written beside them (readable on
 * a phone, not only in a tooltip), grouped by reason.
 */
import { Button, Space, Typography } from 'antd';
import { useI18n } from '../i18n';

/** Each action's button name (中文, English). */
export const ACTION_BUTTONS: Record<string, [string, string]> = {
  approve: ['同意', 'Approve'],
  reject: ['不同意', 'Reject'],
  return: ['退回', 'Return'],
  transfer: ['转办', 'Transfer'],
  delegate: ['委派', 'Delegate'],
  addSigner: ['加签', 'Add signer'],
  removeSigner: ['减签', 'Remove signer'],
  comment: ['评论', 'Comment'],
  cc: ['抄送', 'Copy to'],
  assign: ['人工分拣', 'Assign to a union'],
  retract: ['撤回审批', 'Retract my approval'],
  withdraw: ['撤回申请', 'Withdraw'],
  resubmit: ['修改后重新提交', 'Revise and resubmit'],
  urge: ['催办', 'Urge'],
};

export function actionName(action: string, lang: 'zh' | 'en'): string {
  return ACTION_BUTTONS[action]?.[lang === 'zh' ? 0 : 1] ?? action;
}

export function RefusedActions({ refused }: { refused?: { action: string; reason: string }[] }) {
  const { t, lang, m } = useI18n();
  if (!refused?.length) return null;
  const groups = new Map<string, string[]>();
  for (const r of refused) groups.set(r.reason, [...(groups.get(r.reason) ?? []), r.action]);
  return (
    <div data-testid="refused-actions" style={{ marginTop: 12 }}>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {t('暂不可办理')}
      </Typography.Text>
      {[...groups].map(([reason, actions]) => (
        <div key={reason} style={{ marginTop: 6 }} data-testid="refused-group">
          <Space wrap size={[6, 4]} align="center">
            {actions.map((a) => (
              <Button key={a} size="small" disabled data-testid={`refused-${a}`}>
                {actionName(a, lang)}
              </Button>
            ))}
            <Typography.Text type="secondary" style={{ fontSize: 13 }} data-testid="refused-reason">
              {m(reason)}
            </Typography.Text>
          </Space>
        </div>
      ))}
    </div>
  );
}
