// The queue's list: the rows of the view in the URL, page by page (keyset,
// `next_cursor`), the tabs' counts, the rows selected for a bulk decision,
// and what live events and decisions did to rows. Rows stay where they are
// when their tip moves on (decided here or by someone else): they change in
// place and say what happened, so the list keeps its place.
import { batch, computed, signal } from '@preact/signals';
import { ApiProblem, call, toProblem } from '../../shared/api/problem';
import type { Api } from '../../shared/api/client';
import type { Schemas } from '../../shared/api/types';
import { queueQuery, tabStatuses, type QueueView, type TipStatus } from './filters';

export type QueueItem = Schemas['QueueItem'];
export type StatusCounts = Schemas['StatusCounts'];
export type LiveTip = Schemas['LiveTip'];
export type TipState = Schemas['TipState'];

/** A row: the item as listed, and what happened to it since. */
export interface Row extends QueueItem {
  lead_id?: string;
  /** Set when the tip changed after the list was read. */
  change?: RowChange;
  /** Arrived through the live feed after the list was read. */
  fresh?: boolean;
  /** Who made the last change the feed told of (null: the reporter or the service). */
  lastBy?: string | null;
}

export interface RowChange {
  /** The staff account that acted; absent for the reporter or the service. */
  by?: string;
  action: string;
  /** The moderator at this desk did it. */
  mine: boolean;
}

export const PAGE_SIZE = 50;

export function waiting(status: TipStatus): boolean {
  return status === 'submitted' || status === 'in_review';
}

/** Ordering of the queue: by id (v7, so by time), oldest or newest first. */
function before(a: string, b: string, order: QueueView['order']): boolean {
  return order === 'newest' ? a > b : a < b;
}

export function createQueueStore(api: Api, me: string) {
  const rows = signal<Row[]>([]);
  const counts = signal<StatusCounts | null>(null);
  const cursor = signal<string | null>(null);
  const state = signal<'idle' | 'loading' | 'more' | 'failed'>('idle');
  const problem = signal<ApiProblem | null>(null);
  const selected = signal<ReadonlySet<string>>(new Set());
  /** The tip whose row a shift-click extends a selection from. */
  let anchor: string | null = null;
  let view: QueueView | null = null;
  let generation = 0;
  let abort: AbortController | null = null;

  const byId = computed(() => new Map(rows.value.map((r, i) => [r.id, i])));

  async function fetchPage(v: QueueView, after: string | null, signal: AbortSignal) {
    const query = { ...queueQuery(v, Date.now()), limit: PAGE_SIZE, ...(after ? { cursor: after } : {}) };
    return call(api.GET('/v1/moderation/tips', { params: { query }, signal }));
  }

  async function load(v: QueueView) {
    view = v;
    const gen = ++generation;
    abort?.abort();
    abort = new AbortController();
    state.value = 'loading';
    problem.value = null;
    try {
      const page = await fetchPage(v, null, abort.signal);
      if (gen !== generation) return;
      batch(() => {
        rows.value = page.items;
        counts.value = page.counts;
        cursor.value = page.next_cursor ?? null;
        state.value = 'idle';
        selected.value = new Set();
      });
    } catch (e) {
      if (gen !== generation || (e instanceof DOMException && e.name === 'AbortError')) return;
      batch(() => {
        problem.value = toProblem(e);
        state.value = 'failed';
      });
    }
  }

  async function more() {
    if (!view || !cursor.value || state.value !== 'idle') return;
    const gen = generation;
    state.value = 'more';
    try {
      const page = await fetchPage(view, cursor.value, abort?.signal ?? new AbortController().signal);
      if (gen !== generation) return;
      batch(() => {
        const known = byId.value;
        rows.value = [...rows.value, ...page.items.filter((i) => !known.has(i.id))];
        counts.value = page.counts;
        cursor.value = page.next_cursor ?? null;
        state.value = 'idle';
      });
    } catch (e) {
      if (gen !== generation) return;
      batch(() => {
        problem.value = toProblem(e);
        state.value = 'idle';
      });
    }
  }

  function update(id: string, patch: Partial<Row>) {
    const i = byId.value.get(id);
    if (i === undefined) return false;
    const next = rows.value.slice();
    next[i] = { ...next[i]!, ...patch };
    rows.value = next;
    return true;
  }

  /**
   * A tip as the live feed or a decision gave it. Rows in the list change
   * in place; a tip the list does not hold that belongs in the view is
   * fetched (the feed's row lacks place, contacts and thumbnail) and put
   * in its place when that place is among the rows read so far.
   */
  function applyTip(tip: LiveTip | (TipState & { reference?: string }), change: RowChange | null) {
    const patch: Partial<Row> = {
      status: tip.status,
      version: tip.version,
      claimed_by: tip.claimed_by,
      claim_expires_at: tip.claim_expires_at,
      ...(tip.lead_id ? { lead_id: tip.lead_id } : {}),
    };
    const row = rows.value[byId.value.get(tip.id) ?? -1];
    if (row) {
      // Events can arrive after a fresher answer: keep the newer version.
      if (tip.version < row.version) return;
      const moved = row.status !== tip.status;
      // Say what happened when the tip left the waiting states, or came
      // back to them (the reporter answered); a claim shows as the claim.
      const say = !!change && moved && (!waiting(tip.status) || !waiting(row.status));
      update(tip.id, {
        ...patch,
        ...(say ? { change: change! } : {}),
        ...(change ? { lastBy: change.by ?? null } : {}),
      });
      return;
    }
    if (!view || !tabStatuses(view.tab).includes(tip.status)) return;
    if ('category' in tip && view.category && tip.category !== view.category) return;
    void fetchIntoPlace(tip.id);
  }

  const fetching = new Set<string>();
  async function fetchIntoPlace(id: string) {
    if (fetching.has(id) || !view) return;
    fetching.add(id);
    const v = view;
    const gen = generation;
    try {
      const t = await call(api.GET('/v1/moderation/tips/{id}', { params: { path: { id } } }));
      if (gen !== generation || byId.value.has(id) || !matches(v, t, me)) return;
      const item: Row = {
        id: t.id,
        reference: t.reference,
        status: t.status,
        version: t.version,
        category: t.category,
        description: t.description,
        lat: t.location.lat,
        lon: t.location.lon,
        ...(t.address ? { address: t.address } : {}),
        created_at: t.created_at,
        contacts: t.contacts.map((c) => ({ kind: c.kind, value: c.value })),
        photo_count: t.photos.length,
        ...(t.photos[0] ? { thumbnail_url: t.photos[0].thumbnail_url } : {}),
        ...(t.claimed_by ? { claimed_by: t.claimed_by } : {}),
        ...(t.claim_expires_at ? { claim_expires_at: t.claim_expires_at } : {}),
        ...(t.lead ? { lead_id: t.lead.id } : {}),
        fresh: true,
      };
      const list = rows.value;
      // Its place by the queue's order; past the last row read, it comes
      // with the next page unless the list is complete.
      let at = list.findIndex((r) => before(id, r.id, v.order));
      if (at < 0) {
        if (cursor.value) return;
        at = list.length;
      }
      rows.value = [...list.slice(0, at), item, ...list.slice(at)];
    } catch {
      /* it shows on the next reload */
    } finally {
      fetching.delete(id);
    }
  }

  function toggle(id: string, on?: boolean) {
    const next = new Set(selected.value);
    const want = on ?? !next.has(id);
    if (want) next.add(id);
    else next.delete(id);
    selected.value = next;
    anchor = id;
  }

  /** Shift-click: selects every row between the last one toggled and this one. */
  function selectRange(id: string) {
    const idx = byId.value;
    const from = anchor !== null ? idx.get(anchor) : undefined;
    const to = idx.get(id);
    if (from === undefined || to === undefined) return toggle(id, true);
    const next = new Set(selected.value);
    for (let i = Math.min(from, to); i <= Math.max(from, to); i++) next.add(rows.value[i]!.id);
    selected.value = next;
    anchor = id;
  }

  return {
    rows,
    counts,
    cursor,
    state,
    problem,
    selected,
    byId,
    load,
    more,
    update,
    applyTip,
    toggle,
    selectRange,
    clearSelection() {
      selected.value = new Set();
    },
    setCounts(c: StatusCounts) {
      counts.value = c;
    },
    reload() {
      if (view) return load(view);
      return Promise.resolve();
    },
  };
}

export type QueueStore = ReturnType<typeof createQueueStore>;

type ModeratorTip = Schemas['ModeratorTip'];

const EARTH_M = 6_371_008.8;
export function distanceM(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

const digits = (s: string) => s.replace(/\D/g, '');

/**
 * Whether a tip read in full belongs in a view, as far as the client can
 * tell: the API normalises contacts and searches text its own way, so this
 * errs towards showing (a row too many is corrected by the next reload).
 */
export function matches(v: QueueView, t: ModeratorTip, me: string): boolean {
  if (!tabStatuses(v.tab).includes(t.status)) return false;
  if (v.claimed === 'none' && t.claimed_by) return false;
  if (v.claimed === 'me' && t.claimed_by !== me) return false;
  if (v.category && t.category !== v.category) return false;
  if (v.near && distanceM(v.near, t.location) > v.near.radius) return false;
  if (v.q) {
    const hay = `${t.description}\n${t.address ?? ''}`.toLowerCase();
    if (!hay.includes(v.q.toLowerCase())) return false;
  }
  if (v.contact) {
    const { kind, value } = v.contact;
    const want = kind === 'phone' ? digits(value).slice(-11) : value.trim().toLowerCase();
    const hit = t.contacts.some((c) =>
      c.kind === kind && (kind === 'phone' ? digits(c.value).endsWith(want) : c.value.toLowerCase().includes(want)),
    );
    if (!hit) return false;
  }
  return true;
}
