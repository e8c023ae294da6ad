import { Segmented } from 'antd';
import { LANGS, useI18n, type Lang } from '../i18n';

export function LanguageSwitch() {
  const { lang, setLang, t } = useI18n();
  return (
    <Segmented<Lang>
      aria-label={t('app.language')}
      value={lang}
      onChange={setLang}
      options={LANGS.map(({ value, label }) => ({ value, label }))}
    />
  );
}
