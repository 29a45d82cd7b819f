// The moderators' queue: tabs per state with their counts, filters kept in
// the URL (filters.ts), saved filters, rows read page by page as the list
// scrolls, the open tip beside them (tip/TipPane), bulk decisions, the CSV
// export, and the live feed that brings new tips and others' claims and
// decisions into the rows without a reload.
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import type { Schemas } from '../../shared/api/types';
import { formatNumber } from '../../shared/format/time';
import { useShortcut } from '../../shared/shortcuts/preact';
import { ProblemMessage } from '../../shared/ui/ProblemMessage';
import './desk.css';
import { ListDetail } from '../ListDetail';
import { useConsole } from '../state';
import { TipPane, type ModeratorTip } from '../tip/TipPane';
import type { Decision, TipState } from '../tip/decide';
import type { DuplicateCandidate } from '../tip/dialogs';
import { statusLabel } from '../tip/words';
import { BulkBar, BulkResults } from './Bulk';
import { ExportButton } from './Export';
import { QueueFilters } from './QueueFilters';
import { QueueRow } from './Row';
import {
  CONTACT_KINDS,
  QUEUE_TABS,
  decodeQueueView,
  encodeQueueView,
  filtersOf,
  isFiltered,
  queueQuery,
  sameFilters,
  type QueueTab,
  type QueueView,
} from './filters';
import { leadRef, leadRefs, rememberLead, useCategories } from './reference';
import { createQueueStore, waiting, type Row, type StatusCounts } from './store';
import { useModerationFeed } from './live';
import { LiveIndicator } from './LiveIndicator';

type LeadRef = Schemas['LeadRef'];
type BulkOutcome = Schemas['BulkOutcome'];

export function queueHref(v: QueueView): string {
  const q = encodeQueueView(v);
  return q ? `/console/queue?${q}` : '/console/queue';
}

function tabCount(counts: StatusCounts | null, tab: QueueTab): number | null {
  if (!counts) return null;
  if (tab === 'waiting') return counts.submitted + counts.in_review;
  return counts[tab];
}

/** Where the last decision sent a tip, said once in the list's status line. */
interface Said {
  reference: string;
  status: Schemas['TipStatus'];
  leadId?: string;
}

export function QueuePage() {
  const state = useConsole();
  const { api, i18n, session, now } = state;
  const { t } = i18n;
  const lang = i18n.lang.value;
  const me = session.state.value.status === 'signed_in' ? session.state.value.user.id : '';
  const { query, route } = useLocation();
  const view = decodeQueueView(query);
  const store = useMemo(() => createQueueStore(api, me), [api, me]);
  const [said, setSaid] = useState<Said | null>(null);
  const [bulkOutcome, setBulkOutcome] = useState<BulkOutcome | null>(null);
  const [lastLead, setLastLead] = useState<LeadRef | null>(null);
  const listRef = useRef<HTMLUListElement>(null);
  const sentinel = useRef<HTMLDivElement>(null);
  useCategories(api);

  // Filters changed (not the open tip): read the list again.
  // A layout effect: the request leaves before the first paint, not after it.
  const filterKey = encodeQueueView(filtersOf(view));
  useLayoutEffect(() => {
    void store.load(view);
    setBulkOutcome(null);
  }, [filterKey, store]);

  const live = useModerationFeed(api, {
    onEvent(e) {
      if (e.kind === 'tip' && e.tip) {
        store.applyTip(e.tip, e.action ? { action: e.action, mine: e.by === me, ...(e.by ? { by: e.by } : {}) } : null);
      } else if (e.kind === 'lead' && e.lead) {
        rememberLead(e.lead.id, e.lead.reference);
        setLastLead((l) => (l && l.id === e.lead!.id ? { ...l, status: e.lead!.status } : l));
      } else if (e.kind === 'counts' && e.counts) {
        store.setCounts(e.counts);
      }
    },
    onResync() {
      void store.reload();
    },
  });

  // Keyset paging as the list scrolls: the sentinel under the last row.
  useEffect(() => {
    const el = sentinel.current;
    if (!el) return;
    const root = el.closest('.list-detail__list');
    const io = new IntersectionObserver((entries) => entries.some((x) => x.isIntersecting) && void store.more(), {
      root,
      rootMargin: '800px 0px',
    });
    io.observe(el);
    return () => io.disconnect();
  }, [store]);

  const rows = store.rows.value;
  const counts = store.counts.value;
  const selected = store.selected.value;
  const openId = view.tip;
  const openIndex = openId ? (store.byId.value.get(openId) ?? -1) : -1;
  const openRow = openIndex >= 0 ? rows[openIndex] : undefined;
  const refs = leadRefs.value;

  function go(v: QueueView, replace = false) {
    route(queueHref(v), replace);
  }

  function openTip(id: string | null, replace?: boolean) {
    // Opening from the list pushes (back closes it); moving between tips replaces.
    go({ ...view, tip: id }, replace ?? (view.tip !== null && id !== null));
  }

  function move(step: 1 | -1) {
    if (rows.length === 0) return;
    const i = openIndex < 0 ? (step === 1 ? 0 : rows.length - 1) : Math.min(rows.length - 1, Math.max(0, openIndex + step));
    const r = rows[i]!;
    openTip(r.id);
    requestAnimationFrame(() =>
      listRef.current?.querySelector(`[data-id="${r.id}"]`)?.scrollIntoView({ block: 'nearest' }),
    );
    if (i >= rows.length - 5) void store.more();
  }

  /** The next tip to work on after `from`: waiting, not held by someone else, not just decided. */
  function nextAfter(fromId: string): Row | null {
    const list = store.rows.value;
    const start = store.byId.value.get(fromId) ?? -1;
    const ok = (r: Row) =>
      r.id !== fromId &&
      waiting(r.status) &&
      !(r.change && !waiting(r.status)) &&
      !(r.claimed_by && r.claimed_by !== me && Date.parse(r.claim_expires_at ?? '') > Date.now());
    for (let i = start + 1; i < list.length; i++) if (ok(list[i]!)) return list[i]!;
    for (let i = 0; i < start; i++) if (ok(list[i]!)) return list[i]!;
    return null;
  }

  function onDecided(before: ModeratorTip, after: TipState, d: Decision) {
    store.applyTip(after, null);
    store.update(before.id, { change: { action: `tip.${d.kind}`, mine: true, by: me }, lastBy: me });
    setSaid({ reference: before.reference, status: after.status, ...(after.lead_id ? { leadId: after.lead_id } : {}) });
    if (d.kind === 'verify' && after.lead_id) {
      const id = after.lead_id;
      // The lead is open until forwarded; its reference comes with it or is fetched once.
      setLastLead({ id, reference: leadRef(api, id) ?? '', status: 'open', category: before.category });
    }
    const next = nextAfter(before.id);
    openTip(next ? next.id : null, true);
  }

  // The last lead's reference arrives after the verify answer.
  useEffect(() => {
    if (lastLead && !lastLead.reference && refs[lastLead.id]) setLastLead({ ...lastLead, reference: refs[lastLead.id]! });
  }, [refs, lastLead]);

  function onBulkDone(out: BulkOutcome, action: 'verify' | 'reject') {
    for (const r of out.results) {
      if (r.ok && r.tip) {
        store.applyTip(r.tip, null);
        store.update(r.id, { change: { action: `tip.${action}`, mine: true, by: me }, lastBy: me });
      }
    }
    if (out.lead_id) setLastLead({ id: out.lead_id, reference: leadRef(api, out.lead_id) ?? '', status: 'open', category: '' });
    store.clearSelection();
    setBulkOutcome(out);
  }

  function lookup(reference: string): DuplicateCandidate | null {
    const r = reference.trim().toUpperCase();
    const row = store.rows.value.find((x) => x.reference.toUpperCase() === r);
    if (row) return { id: row.id, reference: row.reference };
    if (/^[0-9a-f-]{36}$/i.test(reference.trim())) return { id: reference.trim().toLowerCase(), reference: reference.trim() };
    return null;
  }

  // Keys of the list. The tip's own (c v r a d n) live in TipPane.
  useShortcut('queue.next', () => move(1));
  useShortcut('queue.prev', () => move(-1));
  useShortcut('queue.open', (e) => {
    const target = e.target as HTMLElement | null;
    // Enter on a control does what the control does.
    if (target && target !== document.body && target.closest?.('button, a, summary, [role=button]')) {
      target.click();
      return;
    }
    if (openId) return;
    const first = rows[0];
    if (first) openTip(first.id);
  });
  useShortcut('queue.search', () => document.getElementById('queue-q')?.focus());
  useShortcut('queue.select', () => openId && store.toggle(openId));
  useShortcut('queue.close', () => openId && openTip(null, false), !!openId);

  const selectedRows = rows.filter((r) => selected.has(r.id));
  const saidLead = said?.leadId ? refs[said.leadId] ?? null : null;

  const list = (
    <div class="queue">
      <div class="queue__head">
        <h1 class="queue__title">{t('desk.queue')}</h1>
        <LiveIndicator status={live.value} />
        <ExportButton query={queueQuery(view, now.value)} />
      </div>
      <div class="queue-tabs" role="group" aria-label={t('queue.tabs')}>
        <ul>
          {QUEUE_TABS.map((tab) => {
            const n = tabCount(counts, tab);
            return (
              <li key={tab}>
                <a
                  href={queueHref({ ...filtersOf(view), tab })}
                  aria-current={view.tab === tab ? 'page' : undefined}
                  onClick={(e) => {
                    e.preventDefault();
                    go({ ...filtersOf(view), tab });
                  }}
                >
                  {tab === 'waiting' ? t('queue.tab.waiting') : statusLabel(t, tab)}
                  {n !== null && <span class="queue-tabs__count num">{formatNumber(n, lang)}</span>}
                </a>
              </li>
            );
          })}
        </ul>
      </div>
      <QueueFilters view={view} onApply={(v) => go(v)} openTip={openRow ?? null} />
      {isFiltered(view) && store.state.value !== 'loading' && (
        <p class="queue-shown desk-muted num">
          {store.cursor.value ? t('queue.shown_more', { n: formatNumber(rows.length, lang) }) : t('queue.shown', { n: formatNumber(rows.length, lang) })}
        </p>
      )}
      {said && (
        <p class="queue-said" role="status">
          {t('queue.said', { ref: said.reference, status: statusLabel(t, said.status) })}
          {said.leadId && (
            <>
              {' → '}
              <a class="num" href={`/console/leads?lead=${said.leadId}`}>
                {saidLead ?? '…'}
              </a>
            </>
          )}
        </p>
      )}
      {bulkOutcome && <BulkResults outcome={bulkOutcome} rows={new Map(rows.map((r) => [r.id, r]))} onClose={() => setBulkOutcome(null)} />}
      {selectedRows.length > 0 && (
        <BulkBar rows={selectedRows} lastLead={lastLead} onDone={onBulkDone} onClear={() => store.clearSelection()} />
      )}
      {store.problem.value && (
        <ProblemMessage problem={store.problem.value} onRetry={() => void (rows.length ? store.more() : store.reload())} />
      )}
      {store.state.value === 'loading' && rows.length === 0 && <p class="desk-muted queue__empty">{t('state.loading')}</p>}
      {store.state.value !== 'loading' && rows.length === 0 && !store.problem.value && (
        <p class="desk-muted queue__empty">{t('queue.empty')}</p>
      )}
      <ul
        ref={listRef}
        class="queue-rows"
        aria-label={t('queue.rows')}
        aria-busy={store.state.value === 'loading' ? 'true' : undefined}
      >
        {rows.map((r) => (
          <QueueRow
            key={r.id}
            row={r}
            href={queueHref({ ...view, tip: r.id })}
            open={r.id === openId}
            selected={selected.has(r.id)}
            me={me}
            now={now.value}
            lang={lang}
            t={t}
            leadRef={r.lead_id ? (refs[r.lead_id] ?? null) : null}
            onOpen={(id) => openTip(id)}
            onSelect={(id, e) => (e.shiftKey ? store.selectRange(id) : store.toggle(id))}
          />
        ))}
      </ul>
      <div ref={sentinel} class="queue__sentinel" />
      {store.cursor.value && (
        <button type="button" class="button button--quiet queue__more" onClick={() => void store.more()} disabled={store.state.value !== 'idle'}>
          {store.state.value === 'more' ? t('state.loading') : t('queue.more')}
        </button>
      )}
    </div>
  );

  return (
    <ListDetail
      listLabel={t('desk.queue')}
      itemLabel={t('queue.item')}
      itemOpen={!!openId}
      list={list}
      item={
        openId ? (
          <TipPane
            key={openId}
            id={openId}
            me={me}
            {...(openRow ? { knownVersion: openRow.version } : {})}
            {...(openRow && openRow.lastBy !== undefined ? { changedBy: openRow.lastBy } : {})}
            lastLead={lastLead}
            lookup={lookup}
            onDecided={onDecided}
            onState={(s) => store.applyTip(s, null)}
            onContacts={(id, contacts) => store.update(id, { contacts })}
            onClose={() => openTip(null, false)}
          />
        ) : (
          <div class="tip-pane tip-pane--empty">
            <p class="desk-muted">{t('queue.none_open')}</p>
          </div>
        )
      }
    />
  );
}

export { CONTACT_KINDS, sameFilters };
