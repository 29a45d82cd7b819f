// The leads desk: the list (state tabs; category, contact, unit and
// overdue filters in the URL), a lead in full beside it (LeadPane), kept
// current by the moderators' live feed.
import '../queue/desk.css';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { signal } from '@preact/signals';
import { call, toProblem, type Problem } from '../../shared/api/problem';
import type { Schemas } from '../../shared/api/types';
import { formatAge, formatDateTime } from '../../shared/format/time';
import { useShortcut } from '../../shared/shortcuts/preact';
import { ProblemMessage } from '../../shared/ui/ProblemMessage';
import { ListDetail } from '../ListDetail';
import { useConsole } from '../state';
import { preloadMap } from '../map';
import { CONTACT_KINDS, decodeContact } from '../queue/filters';
import { CategorySelect } from '../queue/CategorySelect';
import { categoryLabel, rememberLead, useCategories } from '../queue/reference';
import { useModerationFeed } from '../queue/live';
import { contactKindLabel, leadStatusLabel } from '../tip/words';
import { LEAD_TABS, decodeLeadsView, encodeLeadsView, leadsHref, leadsQuery, type LeadsView } from './filters';
import { LeadPane } from './LeadPane';
import { unitName, units } from './units';

type LeadSummary = Schemas['LeadSummary'];

function createLeadsStore(api: ReturnType<typeof useConsole>['api']) {
  const rows = signal<LeadSummary[]>([]);
  const cursor = signal<string | null>(null);
  const state = signal<'idle' | 'loading' | 'more'>('idle');
  const problem = signal<Problem | null>(null);
  let view: LeadsView | null = null;
  let gen = 0;
  async function page(v: LeadsView, after: string | null) {
    return call(api.GET('/v1/leads', { params: { query: { ...leadsQuery(v), limit: 50, ...(after ? { cursor: after } : {}) } } }));
  }
  return {
    rows,
    cursor,
    state,
    problem,
    async load(v: LeadsView) {
      view = v;
      const g = ++gen;
      state.value = 'loading';
      problem.value = null;
      try {
        const p = await page(v, null);
        if (g !== gen) return;
        rows.value = p.items;
        cursor.value = p.next_cursor ?? null;
        for (const l of p.items) rememberLead(l.id, l.reference);
      } catch (e) {
        if (g === gen) problem.value = toProblem(e);
      } finally {
        if (g === gen) state.value = 'idle';
      }
    },
    async more() {
      if (!view || !cursor.value || state.value !== 'idle') return;
      const g = gen;
      state.value = 'more';
      try {
        const p = await page(view, cursor.value);
        if (g !== gen) return;
        const have = new Set(rows.value.map((r) => r.id));
        rows.value = [...rows.value, ...p.items.filter((i) => !have.has(i.id))];
        cursor.value = p.next_cursor ?? null;
      } catch (e) {
        problem.value = toProblem(e);
      } finally {
        state.value = 'idle';
      }
    },
    patch(id: string, patch: Partial<LeadSummary>) {
      const i = rows.value.findIndex((r) => r.id === id);
      if (i < 0) return false;
      const next = rows.value.slice();
      next[i] = { ...next[i]!, ...patch };
      rows.value = next;
      return true;
    },
    reload() {
      if (view) void this.load(view);
    },
  };
}

export function LeadsPage() {
  const { api, i18n, now, session } = useConsole();
  const { t } = i18n;
  const lang = i18n.lang.value;
  const user = session.state.value.status === 'signed_in' ? session.state.value.user : null;
  const { query, route } = useLocation();
  const view = decodeLeadsView(query);
  const store = useMemo(() => createLeadsStore(api), [api]);
  // Read once, for the rows' category names.
  useCategories(api);
  const [version, setVersion] = useState<Record<string, number>>({});
  useEffect(preloadMap, []);

  const key = encodeLeadsView({ ...view, lead: null });
  useEffect(() => void store.load(view), [key, store]);

  useModerationFeed(api, {
    onEvent(e) {
      if (e.kind === 'lead' && e.lead) {
        const l = e.lead;
        rememberLead(l.id, l.reference);
        const known = store.patch(l.id, {
          status: l.status,
          version: l.version,
          ...(l.unit_id ? { unit_id: l.unit_id } : {}),
          ...(l.overdue_since ? { overdue_since: l.overdue_since } : {}),
        });
        if (!known && (view.tab === 'all' || view.tab === l.status) && e.action === 'lead.create') store.reload();
        setVersion((v) => ({ ...v, [l.id]: l.version }));
      }
    },
    onResync: () => store.reload(),
  });

  const go = (v: LeadsView, replace = false) => route(leadsHref(v), replace);
  const rows = store.rows.value;
  const openIndex = view.lead ? rows.findIndex((r) => r.id === view.lead) : -1;
  const move = (step: 1 | -1) => {
    if (!rows.length) return;
    const i = openIndex < 0 ? 0 : Math.max(0, Math.min(rows.length - 1, openIndex + step));
    go({ ...view, lead: rows[i]!.id }, view.lead !== null);
  };
  useShortcut('leads.next', () => move(1));
  useShortcut('leads.prev', () => move(-1));
  useShortcut('leads.close', () => view.lead && go({ ...view, lead: null }), !!view.lead);

  const [contactKind, setContactKind] = useState(view.contact?.kind ?? 'phone');
  const [contact, setContact] = useState(view.contact?.value ?? '');
  useEffect(() => setContact(view.contact?.value ?? ''), [view.contact?.value]);
  const knownUnits = Object.values(units.value);

  const list = (
    <div class="queue">
      <div class="queue__head">
        <h1 class="queue__title">{t('desk.leads')}</h1>
      </div>
      <div class="queue-tabs" role="group" aria-label={t('leads.tabs')}>
        <ul>
          {LEAD_TABS.map((tab) => (
            <li key={tab}>
              <a
                href={leadsHref({ ...view, tab, lead: null })}
                aria-current={view.tab === tab ? 'page' : undefined}
                onClick={(e) => {
                  e.preventDefault();
                  go({ ...view, tab, lead: null });
                }}
              >
                {tab === 'all' ? t('leads.tab.all') : leadStatusLabel(t, tab)}
              </a>
            </li>
          ))}
        </ul>
      </div>
      <form
        class="queue-filters"
        role="search"
        aria-label={t('leads.filters')}
        onSubmit={(e) => {
          e.preventDefault();
          go({ ...view, lead: null, contact: contact.trim() ? decodeContact(`${contactKind}:${contact}`) : null });
        }}
      >
        <div class="queue-filters__row">
          <CategorySelect id="leads-category" value={view.category} onChange={(category) => go({ ...view, lead: null, category })} />
          <label class="visually-hidden" for="leads-unit">
            {t('leads.filter.unit')}
          </label>
          <select id="leads-unit" value={view.unit ?? ''} onChange={(e) => go({ ...view, lead: null, unit: e.currentTarget.value || null })}>
            <option value="">{t('leads.filter.unit_any')}</option>
            {view.unit && !units.value[view.unit] && <option value={view.unit}>{t('leads.unit.unknown', { id: view.unit.slice(-4) })}</option>}
            {knownUnits.map((u) => (
              <option key={u.id} value={u.id}>
                {lang === 'zh-CN' ? u.name_zh : u.name_en}
              </option>
            ))}
          </select>
          <label class="queue-filters__check">
            <input type="checkbox" checked={view.overdue} onChange={(e) => go({ ...view, lead: null, overdue: e.currentTarget.checked })} />{' '}
            {t('leads.filter.overdue')}
          </label>
        </div>
        <div class="queue-filters__row">
          <label class="visually-hidden" for="leads-contact">
            {t('queue.filter.contact')}
          </label>
          <select aria-label={t('queue.filter.contact_kind')} value={contactKind} onChange={(e) => setContactKind(e.currentTarget.value as typeof contactKind)}>
            {CONTACT_KINDS.map((k) => (
              <option key={k} value={k}>
                {contactKindLabel(t, k)}
              </option>
            ))}
          </select>
          <input
            id="leads-contact"
            class="queue-filters__q"
            value={contact}
            placeholder={t('queue.filter.contact')}
            onInput={(e) => setContact(e.currentTarget.value)}
          />
          <button type="submit" class="button button--small">
            {t('queue.filter.apply')}
          </button>
        </div>
      </form>
      {store.problem.value && <ProblemMessage problem={store.problem.value} onRetry={() => store.reload()} />}
      {store.state.value === 'loading' && rows.length === 0 && <p class="desk-muted queue__empty">{t('state.loading')}</p>}
      {store.state.value !== 'loading' && rows.length === 0 && !store.problem.value && <p class="desk-muted queue__empty">{t('leads.empty')}</p>}
      <ul class="queue-rows" aria-label={t('leads.rows')}>
        {rows.map((l) => {
          const open = l.id === view.lead;
          return (
            <li key={l.id} class={open ? 'qrow lrow qrow--open' : 'qrow lrow'}>
              <a
                class="qrow__link"
                href={leadsHref({ ...view, lead: l.id })}
                aria-current={open ? 'true' : undefined}
                onClick={(e) => {
                  if (e.ctrlKey || e.metaKey || e.shiftKey) return;
                  e.preventDefault();
                  go({ ...view, lead: l.id }, view.lead !== null);
                }}
              >
                <span class="qrow__line">
                  <span class="qrow__ref num">{l.reference}</span>
                  <span class={`status-label status-label--${l.status}`}>{leadStatusLabel(t, l.status)}</span>
                  {l.overdue_since && <span class="status-label status-label--overdue">{t('leads.overdue')}</span>}
                  <span class="qrow__cat">{categoryLabel(l.category, lang)}</span>
                  <time class="qrow__age" dateTime={l.created_at} title={formatDateTime(l.created_at, lang)}>
                    {formatAge(l.created_at, now.value, lang, t('time.just_now'))}
                  </time>
                </span>
                <span class="qrow__line qrow__line--sub">
                  {l.title && <span class="qrow__place">{l.title}</span>}
                  {l.unit_id && <span class="qrow__contacts">→ {unitName(l.unit_id, lang, t('leads.unit.unknown', { id: l.unit_id.slice(-4) }))}</span>}
                  {l.due_at && (
                    <span class="qrow__contacts">
                      {t('leads.due', { when: formatAge(l.due_at, now.value, lang, t('time.just_now')) })}
                    </span>
                  )}
                </span>
              </a>
            </li>
          );
        })}
      </ul>
      {store.cursor.value && (
        <button type="button" class="button button--quiet queue__more" onClick={() => void store.more()}>
          {t('queue.more')}
        </button>
      )}
    </div>
  );

  return (
    <ListDetail
      listLabel={t('desk.leads')}
      itemLabel={t('leads.item')}
      itemOpen={!!view.lead}
      list={list}
      item={
        view.lead ? (
          <LeadPane
            key={view.lead}
            id={view.lead}
            me={user?.id ?? ''}
            admin={user?.role === 'admin'}
            {...(version[view.lead] !== undefined ? { knownVersion: version[view.lead]! } : {})}
            onChanged={(l) => store.patch(l.id, l)}
            onClose={() => go({ ...view, lead: null })}
          />
        ) : (
          <div class="tip-pane tip-pane--empty">
            <p class="desk-muted">{t('leads.none_open')}</p>
          </div>
        )
      }
    />
  );
}
