/** 中文 / EN: the language switch of the header, the login page and the public join page. */
import { Segmented } from 'antd';
import { useI18n, type Lang } from '../i18n';

export function LangSwitch() {
  const { t, lang, setLang } = useI18n();
  return (
    <Segmented<Lang>
      size="small"
      value={lang}
      onChange={setLang}
      options={[
        { label: '中文', value: 'zh' },
        { label: 'EN', value: 'en' },
      ]}
      aria-label={t('语言')}
    />
  );
}
