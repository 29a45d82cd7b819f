// Everything the console's views share, made by one factory so a test can
// build a fresh one (and pass fakes) without touching globals.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { browserDefaults, createApi, type Api, type ApiOptions } from '../shared/api/client';
import type { Session } from '../shared/session/session';
import { applyDocumentLang, createI18n, storedLang, type I18n, type Lang, type Messages } from '../shared/i18n/i18n';
import { createClock } from '../shared/format/clock';
import { createShortcuts, type ShortcutDef, type Shortcuts } from '../shared/shortcuts/shortcuts';
import type { ReadonlySignal } from '@preact/signals';
import type { ConsoleKey } from './i18n/keys';
import { loadConsoleMessages, ZH_CN } from './i18n/load';
import { CONSOLE_SHORTCUTS } from './shortcuts';

export interface ConsoleState {
  api: Api;
  session: Session;
  i18n: I18n<ConsoleKey>;
  shortcuts: Shortcuts<ShortcutDef>;
  now: ReadonlySignal<number>;
}

export interface ConsoleStateOptions {
  lang: Lang;
  messages: Messages;
  api?: Partial<ApiOptions>;
}

export const NAMESPACE = 'console';

export function createConsoleState(options: ConsoleStateOptions): ConsoleState {
  const { api, session } = createApi({
    namespace: NAMESPACE,
    ...browserDefaults(NAMESPACE),
    ...options.api,
  });
  const i18n = createI18n<ConsoleKey>({
    lang: options.lang,
    messages: options.messages,
    load: loadConsoleMessages,
    onChange: (lang) => applyDocumentLang(lang, i18n.t('console.title')),
  });
  return {
    api,
    session,
    i18n,
    shortcuts: createShortcuts(CONSOLE_SHORTCUTS),
    now: createClock().now,
  };
}

/** The state for the page as loaded: its remembered language, its catalogue. */
export async function startConsoleState(): Promise<ConsoleState> {
  const lang = storedLang();
  if (lang !== 'zh-CN') {
    try {
      return createConsoleState({ lang, messages: await loadConsoleMessages(lang) });
    } catch {
      // The chunk did not load (offline): Chinese, rather than nothing.
    }
  }
  return createConsoleState({ lang: 'zh-CN', messages: ZH_CN });
}

export const ConsoleContext = createContext<ConsoleState | null>(null);

export function useConsole(): ConsoleState {
  const s = useContext(ConsoleContext);
  if (!s) throw new Error('useConsole outside the console');
  return s;
}
