// Data the desks read once per page and share: categories (public), reject
// reasons (moderators), lead references by id (for "→ LD-…").
import { signal, type Signal } from '@preact/signals';
import { call } from '../../shared/api/problem';
import type { Api } from '../../shared/api/client';
import type { Schemas } from '../../shared/api/types';
import type { Lang } from '../../shared/i18n/i18n';

export type Category = Schemas['Category'];
export type RejectReason = Schemas['RejectReasonView'];

const categories: Signal<Category[] | null> = signal(null);
let categoriesLoading: Promise<void> | null = null;

export function useCategories(api: Api): Category[] | null {
  if (!categoriesLoading) {
    categoriesLoading = call(api.GET('/v1/categories'))
      .then((c) => {
        categories.value = c;
      })
      .catch(() => {
        categoriesLoading = null;
      });
  }
  return categories.value;
}

export function categoryLabel(code: string, lang: Lang): string {
  const c = categories.value?.find((x) => x.code === code);
  if (!c) return code;
  return lang === 'zh-CN' ? c.label_zh : c.label_en;
}

let reasons: Promise<RejectReason[]> | null = null;
export function loadRejectReasons(api: Api): Promise<RejectReason[]> {
  reasons ??= call(api.GET('/v1/moderation/reject-reasons')).catch((e: unknown) => {
    reasons = null;
    throw e;
  });
  return reasons;
}

/** Lead references by id, learned from answers and live events. */
export const leadRefs: Signal<Record<string, string>> = signal({});

export function rememberLead(id: string, reference: string) {
  if (leadRefs.value[id] === reference) return;
  leadRefs.value = { ...leadRefs.value, [id]: reference };
}

const asking = new Set<string>();
/** The lead's reference, fetching it once when not yet known. */
export function leadRef(api: Api, id: string): string | null {
  const known = leadRefs.value[id];
  if (known) return known;
  if (!asking.has(id)) {
    asking.add(id);
    void call(api.GET('/v1/leads/{id}', { params: { path: { id } } }))
      .then((l) => rememberLead(l.id, l.reference))
      .catch(() => asking.delete(id));
  }
  return null;
}

const LAST_REASON_KEY = 'tipline.console.last_reject_reason';
export function lastRejectReason(): string | null {
  try {
    return localStorage.getItem(LAST_REASON_KEY);
  } catch {
    return null;
  }
}
export function rememberRejectReason(code: string) {
  try {
    localStorage.setItem(LAST_REASON_KEY, code);
  } catch {
    /* not remembered */
  }
}
