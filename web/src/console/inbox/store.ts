// The unit's inbox: every lead of the unit the filters let through, read
// per state (the tabs count them), kept current by the unit's live feed
// (`GET /v1/unit/events`): a lead that reaches the unit or changes is put
// in its place, one returned leaves, `resync` reads everything again. A
// state with more leads than are read is counted by the service
// (`GET /v1/unit/counts`), read again shortly after each change.
import { computed, signal } from '@preact/signals';
import type { Api } from '../../shared/api/client';
import { call, toProblem, type Problem } from '../../shared/api/problem';
import type { Schemas } from '../../shared/api/types';
import { INBOX_TABS, type InboxTab, type InboxView } from './view';

export type UnitLead = Schemas['UnitLeadSummary'];
export type UnitEvent = Schemas['UnitEvent'];

const PAGE = 100;

/** Whether a lead belongs in the list the filters make. */
export function inView(l: UnitLead, v: Pick<InboxView, 'category' | 'overdue'>): boolean {
  if (v.category && l.category !== v.category) return false;
  if (v.overdue && !l.overdue_since) return false;
  return true;
}

export function createInboxStore(api: Api) {
  const byId = signal<ReadonlyMap<string, UnitLead>>(new Map());
  /** Per state: where the next page starts, when there is one. */
  const cursors = signal<Partial<Record<InboxTab, string>>>({});
  const state = signal<'idle' | 'loading' | 'more'>('idle');
  const problem = signal<Problem | null>(null);
  /** Arrived while the page was open and not opened yet. */
  const fresh = signal<ReadonlySet<string>>(new Set());
  /** The service's count per state, for the filters in view. */
  const totals = signal<Partial<Record<InboxTab, number>>>({});
  let view: InboxView | null = null;
  let gen = 0;
  let countsTimer: ReturnType<typeof setTimeout> | null = null;

  async function readTotals(v: InboxView) {
    try {
      const c = await call(api.GET('/v1/unit/counts', { params: { query: v.category ? { category: v.category } : {} } }));
      if (view !== v) return;
      const next: Partial<Record<InboxTab, number>> = {};
      for (const s of c.states) if ((INBOX_TABS as readonly string[]).includes(s.status)) next[s.status as InboxTab] = v.overdue ? s.overdue : s.leads;
      totals.value = next;
    } catch {
      // The tabs fall back to what was read ("100+"); the list says why if it failed too.
    }
  }

  /** After a change: counted again once the burst of events is over. */
  function recount() {
    if (!view || countsTimer !== null) return;
    const v = view;
    countsTimer = setTimeout(() => {
      countsTimer = null;
      void readTotals(v);
    }, 300);
  }

  function page(v: InboxView, status: InboxTab, cursor?: string) {
    return call(
      api.GET('/v1/unit/leads', {
        params: {
          query: {
            status: [status],
            ...(v.category ? { category: v.category } : {}),
            ...(v.overdue ? { overdue: true } : {}),
            limit: PAGE,
            ...(cursor ? { cursor } : {}),
          },
        },
      }),
    );
  }

  function put(rows: readonly UnitLead[]) {
    const next = new Map(byId.value);
    for (const r of rows) next.set(r.id, r);
    byId.value = next;
  }

  /** Per state: how many, and whether that is exact. Read in full, the list counts itself. */
  const counts = computed(() => {
    const n: Record<InboxTab, { n: number; exact: boolean }> = {
      forwarded: { n: 0, exact: true },
      accepted: { n: 0, exact: true },
      resolved: { n: 0, exact: true },
    };
    for (const l of byId.value.values()) if (l.status in n) n[l.status as InboxTab].n += 1;
    for (const tab of INBOX_TABS) {
      if (!cursors.value[tab]) continue;
      const total = totals.value[tab];
      n[tab] = total !== undefined ? { n: Math.max(total, n[tab].n), exact: true } : { n: n[tab].n, exact: false };
    }
    return n;
  });

  return {
    byId,
    cursors,
    state,
    problem,
    fresh,
    counts,
    rowsOf(tab: InboxTab): UnitLead[] {
      return [...byId.value.values()].filter((l) => l.status === tab);
    },
    async load(v: InboxView) {
      view = v;
      const g = ++gen;
      state.value = 'loading';
      problem.value = null;
      totals.value = {};
      void readTotals(v);
      try {
        const pages = await Promise.all(INBOX_TABS.map((s) => page(v, s)));
        if (g !== gen) return;
        byId.value = new Map(pages.flatMap((p) => p.items).map((l) => [l.id, l]));
        const c: Partial<Record<InboxTab, string>> = {};
        INBOX_TABS.forEach((s, i) => {
          const next = pages[i]!.next_cursor;
          if (next) c[s] = next;
        });
        cursors.value = c;
      } catch (e) {
        if (g === gen) problem.value = toProblem(e);
      } finally {
        if (g === gen) state.value = 'idle';
      }
    },
    async more(tab: InboxTab) {
      const cursor = cursors.value[tab];
      if (!view || !cursor || state.value !== 'idle') return;
      const g = gen;
      state.value = 'more';
      try {
        const p = await page(view, tab, cursor);
        if (g !== gen) return;
        put(p.items);
        const c = { ...cursors.value };
        if (p.next_cursor) c[tab] = p.next_cursor;
        else delete c[tab];
        cursors.value = c;
      } catch (e) {
        problem.value = toProblem(e);
      } finally {
        if (g === gen) state.value = 'idle';
      }
    },
    reload() {
      if (view) void this.load(view);
    },
    /**
     * A lead as an event or an answer has it now. Returns true when it was
     * not in the list before (it has just reached the unit).
     */
    apply(l: UnitLead): boolean {
      const had = byId.value.get(l.id);
      // Events can arrive after a fresher answer: keep the newer version.
      if (had && had.version > l.version) return false;
      if (!had && view && !inView(l, view)) return false;
      put([{ ...had, ...l }]);
      recount();
      return !had;
    },
    remove(id: string) {
      if (!byId.value.has(id)) return;
      const next = new Map(byId.value);
      next.delete(id);
      byId.value = next;
      this.seen(id);
      recount();
    },
    markFresh(id: string) {
      fresh.value = new Set([...fresh.value, id]);
    },
    seen(id: string) {
      if (!fresh.value.has(id)) return;
      const next = new Set(fresh.value);
      next.delete(id);
      fresh.value = next;
    },
  };
}

export type InboxStore = ReturnType<typeof createInboxStore>;
