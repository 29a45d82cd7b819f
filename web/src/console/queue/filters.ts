// The queue's view as the URL holds it: typed decoders with defaults and a
// whitelist, so a view survives reload, back and sharing, and a hand-edited
// or stale address degrades to the default instead of an error. The open
// tip is a parameter too (`tip`). `encodeQueueView` writes only what
// differs from the default, in a fixed order, so equal views have equal
// addresses.
import type { Schemas } from '../../shared/api/types';

export type TipStatus = Schemas['TipStatus'];
export type ContactKind = Schemas['ContactKindName'];

export const TIP_STATUSES: readonly TipStatus[] = [
  'submitted',
  'in_review',
  'needs_info',
  'verified',
  'forwarded',
  'closed',
  'rejected',
  'duplicate',
  'withdrawn',
];

/** The queue's tabs: `waiting` is the API's default (submitted + in_review). */
export const QUEUE_TABS = ['waiting', ...TIP_STATUSES] as const;
export type QueueTab = (typeof QUEUE_TABS)[number];

export const PERIODS = ['24h', '7d', '30d'] as const;
export type Period = (typeof PERIODS)[number];

export const CONTACT_KINDS: readonly ContactKind[] = ['phone', 'wechat', 'qq', 'url'];

export interface Near {
  lat: number;
  lon: number;
  /** Metres, 1–50,000 (the API's limit). */
  radius: number;
}

export interface QueueView {
  tab: QueueTab;
  category: string | null;
  period: Period | null;
  near: Near | null;
  /** `kind:value` as the moderator wrote it (the API normalises). */
  contact: { kind: ContactKind; value: string } | null;
  q: string | null;
  claimed: 'me' | 'none' | null;
  order: 'oldest' | 'newest';
  /** The open tip's id. */
  tip: string | null;
}

export const DEFAULT_QUEUE_VIEW: QueueView = {
  tab: 'waiting',
  category: null,
  period: null,
  near: null,
  contact: null,
  q: null,
  claimed: null,
  order: 'oldest',
  tip: null,
};

/** What a URL's query may be read from: URLSearchParams or preact-iso's `query`. */
export type QueryLike = URLSearchParams | Readonly<Record<string, string | undefined>>;

export function param(query: QueryLike, name: string): string | null {
  if (query instanceof URLSearchParams) return query.get(name);
  const v = query[name];
  return typeof v === 'string' ? v : null;
}

export function oneOf<T extends string>(value: string | null, allowed: readonly T[]): T | null {
  return value !== null && (allowed as readonly string[]).includes(value) ? (value as T) : null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export function decodeUuid(v: string | null): string | null {
  return v !== null && UUID.test(v) ? v.toLowerCase() : null;
}

/** Free text: trimmed, 1–`max` characters, else absent. */
export function decodeText(v: string | null, max = 200): string | null {
  if (v === null) return null;
  const t = v.trim();
  return t.length > 0 && t.length <= max ? t : null;
}

const CODE = /^[a-z][a-z0-9_]{0,39}$/;
export function decodeCode(v: string | null): string | null {
  return v !== null && CODE.test(v) ? v : null;
}

export function decodeNear(v: string | null): Near | null {
  if (v === null) return null;
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*,\s*(\d+(?:\.\d+)?)\s*$/.exec(v);
  if (!m) return null;
  const lat = Number(m[1]);
  const lon = Number(m[2]);
  const radius = Math.round(Number(m[3]));
  if (!(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180 && radius >= 1 && radius <= 50_000)) return null;
  return { lat, lon, radius };
}

export function encodeNear(n: Near): string {
  // Six decimals: ten centimetres, and a short address.
  return `${+n.lat.toFixed(6)},${+n.lon.toFixed(6)},${n.radius}`;
}

export function decodeContact(v: string | null): { kind: ContactKind; value: string } | null {
  if (v === null) return null;
  const i = v.indexOf(':');
  if (i < 0) return null;
  const kind = oneOf(v.slice(0, i).trim().toLowerCase(), CONTACT_KINDS);
  const value = decodeText(v.slice(i + 1), 2000);
  return kind && value ? { kind, value } : null;
}

export function decodeQueueView(query: QueryLike): QueueView {
  return {
    tab: oneOf(param(query, 'tab'), QUEUE_TABS) ?? DEFAULT_QUEUE_VIEW.tab,
    category: decodeCode(param(query, 'category')),
    period: oneOf(param(query, 'period'), PERIODS),
    near: decodeNear(param(query, 'near')),
    contact: decodeContact(param(query, 'contact')),
    q: decodeText(param(query, 'q')),
    claimed: oneOf(param(query, 'claimed'), ['me', 'none'] as const),
    order: oneOf(param(query, 'order'), ['oldest', 'newest'] as const) ?? 'oldest',
    tip: decodeUuid(param(query, 'tip')),
  };
}

/** The view's query string without `?`; defaults left out, fixed order. */
export function encodeQueueView(v: QueueView): string {
  const p = new URLSearchParams();
  if (v.tab !== 'waiting') p.set('tab', v.tab);
  if (v.category) p.set('category', v.category);
  if (v.period) p.set('period', v.period);
  if (v.near) p.set('near', encodeNear(v.near));
  if (v.contact) p.set('contact', `${v.contact.kind}:${v.contact.value}`);
  if (v.q) p.set('q', v.q);
  if (v.claimed) p.set('claimed', v.claimed);
  if (v.order !== 'oldest') p.set('order', v.order);
  if (v.tip) p.set('tip', v.tip);
  return p.toString();
}

/** The filters alone (no open tip): what a saved filter keeps. */
export function filtersOf(v: QueueView): QueueView {
  return { ...v, tip: null };
}

export function sameFilters(a: QueueView, b: QueueView): boolean {
  return encodeQueueView(filtersOf(a)) === encodeQueueView(filtersOf(b));
}

export const PERIOD_MS: Record<Period, number> = {
  '24h': 24 * 3600_000,
  '7d': 7 * 24 * 3600_000,
  '30d': 30 * 24 * 3600_000,
};

/** The statuses a tab lists. */
export function tabStatuses(tab: QueueTab): TipStatus[] {
  return tab === 'waiting' ? ['submitted', 'in_review'] : [tab];
}

export interface QueueQuery {
  status?: TipStatus[];
  category?: string;
  created_from?: string;
  near?: string;
  contact?: string;
  q?: string;
  claimed_by?: 'me' | 'none';
  order?: 'oldest' | 'newest';
}

/** The API's query for a view (`now` fixes the period's start). */
export function queueQuery(v: QueueView, now: number): QueueQuery {
  const out: QueueQuery = { status: tabStatuses(v.tab) };
  if (v.category) out.category = v.category;
  if (v.period) out.created_from = new Date(now - PERIOD_MS[v.period]).toISOString();
  if (v.near) out.near = encodeNear(v.near);
  if (v.contact) out.contact = `${v.contact.kind}:${v.contact.value}`;
  if (v.q) out.q = v.q;
  if (v.claimed) out.claimed_by = v.claimed;
  if (v.order !== 'oldest') out.order = v.order;
  return out;
}

/** The same query as URL parameters (the CSV export is a plain GET). */
export function queueSearchParams(q: QueueQuery): URLSearchParams {
  const p = new URLSearchParams();
  for (const s of q.status ?? []) p.append('status', s);
  for (const k of ['category', 'created_from', 'near', 'contact', 'q', 'claimed_by', 'order'] as const) {
    const v = q[k];
    if (v) p.set(k, v);
  }
  return p;
}

/** Whether filters beyond the tab narrow the list. */
export function isFiltered(v: QueueView): boolean {
  return !!(v.category || v.period || v.near || v.contact || v.q || v.claimed);
}
