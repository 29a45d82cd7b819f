// A tip's state as a reporter reads it: in words, with the unit's name once
// it was forwarded and the outcome's text once it was closed.
import type { Lang } from '../shared/i18n/i18n';
import type { Schemas } from '../shared/api/types';

export type TipView = Schemas['TipView'];
export type TipStatus = Schemas['TipStatus'];
export type HistoryEntry = Schemas['HistoryEntry'];

const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;

/**
 * A history note the service wrote in both languages, "已转交X / Passed to
 * Y" (or English first, for duplicates): the half in `lang`. A note of one
 * language (a moderator's) is shown as it is.
 */
export function noteIn(note: string, lang: Lang): string {
  const parts = note.split(' / ');
  if (parts.length !== 2) return note;
  const zh = parts.find((p) => CJK.test(p));
  const en = parts.find((p) => !CJK.test(p));
  if (!zh || !en) return note;
  return lang === 'zh-CN' ? zh : en;
}

/** The unit a forwarded tip went to, from the latest forwarding note. */
export function forwardedTo(history: readonly HistoryEntry[], lang: Lang): string | null {
  for (let i = history.length - 1; i >= 0; i--) {
    const h = history[i]!;
    if (h.status !== 'forwarded' || !h.note) continue;
    const text = noteIn(h.note, lang);
    const m = lang === 'zh-CN' ? /^已转交(.+?)(?:处理)?[。.]?$/.exec(text) : /^Passed to (.+?)\.?$/.exec(text);
    return m ? m[1]! : null;
  }
  return null;
}

export function latest(history: readonly HistoryEntry[], status: TipStatus): HistoryEntry | undefined {
  for (let i = history.length - 1; i >= 0; i--) if (history[i]!.status === status) return history[i];
  return undefined;
}

export function textIn(t: { text_zh: string; text_en: string }, lang: Lang): string {
  return lang === 'zh-CN' ? t.text_zh : t.text_en;
}
