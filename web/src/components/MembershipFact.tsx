/**
 * 会籍核查: whether the application's person is a member already, shown to
 * the one reviewer who must decide on it (the API sends `membership` only to
 * the holder of the pending identity or receiving review). A 身份冲突
 * conflict — a member's ID number with another name or phone — is flagged.
 */
import { Alert } from 'antd';
import { useI18n } from '../i18n';

export interface MembershipFactView {
  member: boolean;
  name?: string;
  union?: { id: string; name: string };
  sameUnion?: boolean;
  nameMatches?: boolean;
  phoneMatches?: boolean;
  conflict?: boolean;
}

export function MembershipFact({ fact, type }: { fact: MembershipFactView; type: string }) {
  const { t } = useI18n();
  const yesNo = (v: boolean | undefined) => (v ? t('一致') : t('不一致'));
  if (!fact.member)
    // A new worker's online application is the usual case: nothing to flag. A transfer of a non-member is.
    return type === 'transfer' ? (
      <Alert
        data-testid="membership-fact"
        type="warning"
        showIcon
        title={t('会籍核查（仅本步骤办理人可见）')}
        description={t('该身份证号不是会员，无会籍可转移')}
      />
    ) : null;
  const where = fact.union?.name ?? fact.union?.id ?? '';
  const lines = [
    t('该身份证号已是{union}会员（{name}）', { union: where, name: fact.name ?? '' }),
    fact.sameUnion ? t('已在本工会') : undefined,
    fact.nameMatches !== undefined ? t('姓名：{v}；手机号：{p}', { v: yesNo(fact.nameMatches), p: yesNo(fact.phoneMatches) }) : undefined,
    fact.conflict ? t('身份冲突：请当面或电话核实申请人是否本人。同意则按会籍转移办理（会员转入本工会并更新手机号），不同意则会员记录不变。') : undefined,
  ].filter(Boolean);
  return (
    <Alert
      data-testid="membership-fact"
      type={fact.conflict || fact.sameUnion ? 'warning' : 'info'}
      showIcon
      title={fact.conflict ? t('身份冲突（仅本步骤办理人可见）') : t('会籍核查（仅本步骤办理人可见）')}
      description={lines.map((l) => (
        <div key={l}>{l}</div>
      ))}
    />
  );
}
