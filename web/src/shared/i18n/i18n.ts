// Messages by key, one catalogue per language (zh-CN.json, en.json beside
// the code that uses them), zh-CN by default and English one click away.
// The choice is remembered in localStorage for both apps of the origin.
//
// Strings hold no markup: a message with a link is two messages and the
// component puts them together. Parameters are `{name}`.

import { signal, type ReadonlySignal } from '@preact/signals';

export const LANGS = ['zh-CN', 'en'] as const;
export type Lang = (typeof LANGS)[number];
export const DEFAULT_LANG: Lang = 'zh-CN';
export const LANG_STORAGE_KEY = 'tipline.lang';

export type Messages = Readonly<Record<string, string>>;
export type Params = Readonly<Record<string, string | number>>;

export interface I18n<K extends string = string> {
  readonly lang: ReadonlySignal<Lang>;
  /** The message for `key`, with `{param}`s filled in. */
  t(key: K, params?: Params): string;
  /** For keys made at run time (error codes): undefined when not catalogued. */
  lookup(key: string, params?: Params): string | undefined;
  setLang(lang: Lang): Promise<void>;
}

export function isLang(v: unknown): v is Lang {
  return typeof v === 'string' && (LANGS as readonly string[]).includes(v);
}

/** The remembered language, else zh-CN. */
export function storedLang(storage: Pick<Storage, 'getItem'> | null = safeStorage()): Lang {
  try {
    const v = storage?.getItem(LANG_STORAGE_KEY);
    return isLang(v) ? v : DEFAULT_LANG;
  } catch {
    return DEFAULT_LANG;
  }
}

function safeStorage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

export function format(template: string, params?: Params): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole,
  );
}

export interface I18nOptions {
  lang: Lang;
  /** The catalogue of `lang`, already loaded (so the first render needs no wait). */
  messages: Messages;
  /** Loads a language's catalogue (a lazy chunk for the non-default one). */
  load(lang: Lang): Promise<Messages>;
  storage?: Pick<Storage, 'setItem'> | null;
  /** Called after a change, e.g. to set `<html lang>` and the title. */
  onChange?(lang: Lang): void;
}

export function createI18n<K extends string>(options: I18nOptions): I18n<K> {
  const lang = signal<Lang>(options.lang);
  const messages = signal<Messages>(options.messages);
  const storage = options.storage === undefined ? safeStorage() : options.storage;

  return {
    lang,
    t(key, params) {
      const m = messages.value[key];
      // A missing key is a bug the catalogue test catches; show the key
      // rather than nothing.
      return m === undefined ? key : format(m, params);
    },
    lookup(key, params) {
      const m = messages.value[key];
      return m === undefined ? undefined : format(m, params);
    },
    async setLang(next) {
      if (next === lang.value) return;
      const loaded = await options.load(next);
      messages.value = loaded;
      lang.value = next;
      try {
        storage?.setItem(LANG_STORAGE_KEY, next);
      } catch {
        /* not remembered, still switched */
      }
      options.onChange?.(next);
    },
  };
}

/** Sets the document's language; apps call it on start and on a change. */
export function applyDocumentLang(lang: Lang, title?: string) {
  if (typeof document === 'undefined') return;
  document.documentElement.lang = lang;
  if (title !== undefined) document.title = title;
}
