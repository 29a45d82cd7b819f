import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { I18n } from './i18n';
import type { SharedKey } from './keys';

export const I18nContext = createContext<I18n<string> | null>(null);

/**
 * The app's i18n. Feature code asks for its own key type:
 * `useI18n<ConsoleKey>()`; shared components use the shared keys.
 */
export function useI18n<K extends string = SharedKey>(): I18n<K> {
  const i18n = useContext(I18nContext);
  if (!i18n) throw new Error('useI18n outside an I18nContext provider');
  return i18n as I18n<K>;
}
