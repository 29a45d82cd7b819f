import { useI18n } from '../i18n/preact';
import type { Lang } from '../i18n/i18n';

/**
 * One click to the other language. The button is named in the language it
 * switches to ("English" / "中文"), marked with that language for screen
 * readers.
 */
export function LanguageSwitch({ class: className = 'button button--quiet' }: { class?: string }) {
  const i18n = useI18n();
  const other = i18n.t('lang.other.code') as Lang;
  return (
    <button type="button" class={className} lang={other} onClick={() => void i18n.setLang(other)}>
      {i18n.t('lang.other')}
    </button>
  );
}
