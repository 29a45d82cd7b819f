// The unit officer's inbox: the unit's leads by state (tabs with counts),
// overdue ones marked and first, deadlines as time left; the open lead
// beside them (InboxLead). The unit's live feed brings a newly forwarded
// lead in at once, with a visible cue (a line that names it, the row
// marked new, the count in the page's title) and an audible one (chime.ts,
// once the page has had a click or a key press; mute remembered).
import '../queue/desk.css';
import './inbox.css';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { call, toProblem, type Problem } from '../../shared/api/problem';
import { formatAge, formatDateTime, formatNumber } from '../../shared/format/time';
import { useFeed } from '../../shared/live/feed';
import { useShortcut } from '../../shared/shortcuts/preact';
import { ProblemMessage } from '../../shared/ui/ProblemMessage';
import { ListDetail } from '../ListDetail';
import { preloadMap } from '../map';
import { LiveIndicator } from '../queue/LiveIndicator';
import { CategorySelect } from '../queue/CategorySelect';
import { categoryLabel, useCategories } from '../queue/reference';
import { useConsole } from '../state';
import { createChime } from './chime';
import { deadlineText, inboxOrder, isOverdue } from './deadline';
import { InboxLead, outcomeLabel, type Outcome } from './InboxLead';
import { eventStream } from '../queue/live';
import { createInboxStore, type UnitEvent, type UnitLead } from './store';
import { INBOX_TABS, decodeInboxView, encodeInboxView, inboxHref, type InboxTab, type InboxView } from './view';

export function InboxPage() {
  const { api, i18n, now } = useConsole();
  const { t } = i18n;
  const lang = i18n.lang.value;
  const { query, route } = useLocation();
  const view = decodeInboxView(query);
  const store = useMemo(() => createInboxStore(api), [api]);
  const chime = useMemo(createChime, []);
  // Read once, for the rows' category names.
  useCategories(api);
  const [outcomes, setOutcomes] = useState<Outcome[] | null>(null);
  const [outcomesProblem, setOutcomesProblem] = useState<Problem | null>(null);
  const [arrived, setArrived] = useState<UnitLead | null>(null);
  const [gone, setGone] = useState<ReadonlySet<string>>(new Set());
  const listRef = useRef<HTMLUListElement>(null);
  useEffect(preloadMap, []);

  async function loadOutcomes() {
    setOutcomesProblem(null);
    try {
      setOutcomes(await call(api.GET('/v1/unit/outcomes')));
    } catch (e) {
      setOutcomesProblem(toProblem(e));
    }
  }
  useEffect(() => void loadOutcomes(), [api]);

  // The filters changed (not the tab or the open lead): read the inbox again.
  const filterKey = encodeInboxView({ ...view, tab: 'forwarded', lead: null });
  useLayoutEffect(() => void store.load(view), [filterKey, store]);

  // Sound needs a gesture first: the first click or key anywhere allows it
  // (on click, not pointerdown: the hint's change then moves nothing under
  // the pointer mid-click).
  useEffect(() => {
    const stop = () => {
      document.removeEventListener('click', arm, true);
      document.removeEventListener('keydown', arm, true);
    };
    const arm = () => {
      chime.arm();
      stop();
    };
    document.addEventListener('click', arm, true);
    document.addEventListener('keydown', arm, true);
    return () => {
      stop();
      chime.close();
    };
  }, [chime]);

  const live = useFeed<UnitEvent>(api, eventStream(api, '/v1/unit/events'), {
    onEvent(e) {
      if (e.kind === 'lead' && e.lead) {
        const l = e.lead;
        const isNew = store.apply(l);
        if (gone.has(l.id)) setGone((g) => new Set([...g].filter((x) => x !== l.id)));
        if (isNew && l.status === 'forwarded') {
          store.markFresh(l.id);
          setArrived(l);
          chime.play();
        }
      } else if (e.kind === 'lead_gone' && e.lead_id) {
        store.remove(e.lead_id);
        setGone((g) => new Set([...g, e.lead_id!]));
      }
    },
    onResync: () => store.reload(),
  });

  // The count of new leads not yet opened, in the page's title (seen from another tab).
  const freshCount = store.fresh.value.size;
  useEffect(() => {
    const base = t('console.title');
    document.title = freshCount > 0 ? `(${freshCount}) ${t('desk.inbox')} · ${base}` : base;
    return () => {
      document.title = base;
    };
  }, [freshCount, lang]);

  useEffect(() => {
    if (view.lead) store.seen(view.lead);
  }, [view.lead, store.fresh.value]);

  const go = (v: InboxView, replace = false) => route(inboxHref(v), replace);
  const rows = inboxOrder(store.rowsOf(view.tab), now.value);
  const counts = store.counts.value;
  const openIndex = view.lead ? rows.findIndex((r) => r.id === view.lead) : -1;
  const openRow = openIndex >= 0 ? rows[openIndex] : store.byId.value.get(view.lead ?? '');

  function move(step: 1 | -1) {
    if (!rows.length) return;
    const i = openIndex < 0 ? (step === 1 ? 0 : rows.length - 1) : Math.max(0, Math.min(rows.length - 1, openIndex + step));
    const r = rows[i]!;
    go({ ...view, lead: r.id }, view.lead !== null);
    requestAnimationFrame(() => listRef.current?.querySelector(`[data-id="${r.id}"]`)?.scrollIntoView({ block: 'nearest' }));
  }
  useShortcut('inbox.next', () => move(1));
  useShortcut('inbox.prev', () => move(-1));
  useShortcut('inbox.close', () => view.lead && go({ ...view, lead: null }), !!view.lead);

  const tabLabel = (tab: InboxTab) => t(`inbox.tab.${tab}`);

  const list = (
    <div class="queue">
      <div class="queue__head">
        <h1 class="queue__title">{t('desk.inbox')}</h1>
        <LiveIndicator status={live.value} />
        <SoundToggle chime={chime} />
      </div>
      <SoundHint chime={chime} />
      <div class="inbox-arrived-region" role="status">
        {arrived && (
          <p class="inbox-arrived">
            <span class="inbox-arrived__text">
              {t('inbox.arrived', { ref: arrived.reference, category: categoryLabel(arrived.category, lang) })}
            </span>{' '}
            <a
              href={inboxHref({ ...view, tab: 'forwarded', lead: arrived.id })}
              onClick={(e) => {
                e.preventDefault();
                go({ ...view, tab: 'forwarded', lead: arrived.id });
              }}
            >
              {t('inbox.arrived.open', { ref: arrived.reference })}
            </a>{' '}
            <button type="button" class="button button--quiet button--small" onClick={() => setArrived(null)} aria-label={t('inbox.arrived.dismiss')}>
              ×
            </button>
          </p>
        )}
      </div>
      <div class="queue-tabs" role="group" aria-label={t('inbox.tabs')}>
        <ul>
          {INBOX_TABS.map((tab) => {
            const late = tab === 'resolved' ? 0 : store.rowsOf(tab).filter((l) => isOverdue(l, now.value)).length;
            return (
              <li key={tab}>
                <a
                  href={inboxHref({ ...view, tab, lead: null })}
                  aria-current={view.tab === tab ? 'page' : undefined}
                  onClick={(e) => {
                    e.preventDefault();
                    go({ ...view, tab, lead: null });
                  }}
                >
                  {tabLabel(tab)}
                  <span class="queue-tabs__count num">
                    {formatNumber(counts[tab].n, lang)}
                    {counts[tab].exact ? '' : '+'}
                  </span>
                  {late > 0 && <span class="queue-tabs__count queue-tabs__count--overdue num">{t('inbox.tab.overdue', { n: formatNumber(late, lang) })}</span>}
                </a>
              </li>
            );
          })}
        </ul>
      </div>
      <div class="queue-filters" role="group" aria-label={t('inbox.filters')}>
        <div class="queue-filters__row">
          <CategorySelect id="inbox-category" value={view.category} onChange={(category) => go({ ...view, lead: null, category })} />
          <label class="queue-filters__check">
            <input type="checkbox" checked={view.overdue} onChange={(e) => go({ ...view, lead: null, overdue: e.currentTarget.checked })} />{' '}
            {t('leads.filter.overdue')}
          </label>
        </div>
      </div>
      {store.problem.value && <ProblemMessage problem={store.problem.value} onRetry={() => store.reload()} />}
      {store.state.value === 'loading' && rows.length === 0 && <p class="desk-muted queue__empty">{t('state.loading')}</p>}
      {store.state.value !== 'loading' && rows.length === 0 && !store.problem.value && (
        <p class="desk-muted queue__empty">{t(`inbox.empty.${view.tab}`)}</p>
      )}
      <ul ref={listRef} class="queue-rows" aria-label={t('inbox.rows', { tab: tabLabel(view.tab) })} aria-busy={store.state.value === 'loading' ? 'true' : undefined}>
        {rows.map((l) => (
          <InboxRow
            key={l.id}
            lead={l}
            open={l.id === view.lead}
            fresh={store.fresh.value.has(l.id)}
            outcome={l.outcome_code ? outcomeLabel(outcomes, l.outcome_code, lang) : null}
            href={inboxHref({ ...view, lead: l.id })}
            onOpen={() => go({ ...view, lead: l.id }, view.lead !== null)}
          />
        ))}
      </ul>
      {store.cursors.value[view.tab] && (
        <button type="button" class="button button--quiet queue__more" disabled={store.state.value !== 'idle'} onClick={() => void store.more(view.tab)}>
          {store.state.value === 'more' ? t('state.loading') : t('queue.more')}
        </button>
      )}
    </div>
  );

  return (
    <ListDetail
      listLabel={t('desk.inbox')}
      itemLabel={t('inbox.item')}
      itemOpen={!!view.lead}
      list={list}
      item={
        view.lead ? (
          <InboxLead
            key={view.lead}
            id={view.lead}
            outcomes={outcomes}
            outcomesProblem={outcomesProblem}
            onRetryOutcomes={() => void loadOutcomes()}
            {...(openRow ? { knownVersion: openRow.version } : {})}
            gone={gone.has(view.lead)}
            onChanged={(l) => store.apply(l)}
            onReturned={(id) => store.remove(id)}
            onClose={() => go({ ...view, lead: null })}
          />
        ) : (
          <div class="tip-pane tip-pane--empty">
            <p class="desk-muted">{t('inbox.none_open')}</p>
          </div>
        )
      }
    />
  );
}

interface RowProps {
  lead: UnitLead;
  open: boolean;
  fresh: boolean;
  outcome: string | null;
  href: string;
  onOpen(): void;
}

function InboxRow({ lead: l, open, fresh, outcome, href, onOpen }: RowProps) {
  const { i18n, now } = useConsole();
  const { t } = i18n;
  const lang = i18n.lang.value;
  const overdue = isOverdue(l, now.value);
  const deadline = deadlineText(l, now.value, t);
  const when = l.status === 'resolved' ? l.resolved_at : l.status === 'accepted' ? l.accepted_at : l.forwarded_at;
  const classes = ['qrow', 'lrow', 'inbox-row'];
  if (open) classes.push('qrow--open');
  if (fresh) classes.push('qrow--fresh', 'inbox-row--new');
  if (overdue) classes.push('inbox-row--overdue');
  return (
    <li class={classes.join(' ')} data-id={l.id}>
      <a
        class="qrow__link"
        href={href}
        aria-current={open ? 'true' : undefined}
        onClick={(e) => {
          if (e.ctrlKey || e.metaKey || e.shiftKey) return;
          e.preventDefault();
          onOpen();
        }}
      >
        <span class="qrow__line">
          <span class="qrow__ref num">{l.reference}</span>
          {fresh && <span class="status-label status-label--new">{t('inbox.new')}</span>}
          {overdue && <span class="status-label status-label--overdue">{t('leads.overdue')}</span>}
          <span class="qrow__cat">{categoryLabel(l.category, lang)}</span>
          {when && (
            <time class="qrow__age" dateTime={when} title={formatDateTime(when, lang)}>
              {formatAge(when, now.value, lang, t('time.just_now'))}
            </time>
          )}
        </span>
        <span class="qrow__line qrow__line--sub">
          {deadline && <span class={deadline.over ? 'inbox-row__due inbox-row__due--over' : 'inbox-row__due'}>{deadline.text}</span>}
          {outcome && <span class="qrow__contacts">{outcome}</span>}
          {l.title && <span class="qrow__place">{l.title}</span>}
        </span>
      </a>
    </li>
  );
}

/** A bell (struck through when muted), drawn here: no icon font, no emoji font needed. */
function Bell({ muted }: { muted: boolean }) {
  return (
    <svg class="inbox-sound__icon" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false">
      <path d="M8 1.5a4.5 4.5 0 0 0-4.5 4.5v3L2 11.5h12L12.5 9V6A4.5 4.5 0 0 0 8 1.5zM6.3 13a1.8 1.8 0 0 0 3.4 0z" fill="currentColor" />
      {muted && <path d="M2 2l12 12" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" />}
    </svg>
  );
}

function SoundToggle({ chime }: { chime: ReturnType<typeof createChime> }) {
  const { t } = useConsole().i18n;
  const on = !chime.muted.value;
  return (
    <button
      type="button"
      class="button button--quiet button--small inbox-sound"
      aria-pressed={on ? 'true' : 'false'}
      aria-describedby="inbox-sound-hint"
      onClick={() => {
        chime.arm();
        chime.setMuted(on);
        // Unmuted: one ring, so the officer hears what it sounds like.
        if (!on) chime.play();
      }}
    >
      <Bell muted={!on} /> {t('inbox.sound')}
    </button>
  );
}

function SoundHint({ chime }: { chime: ReturnType<typeof createChime> }) {
  const { t } = useConsole().i18n;
  const text = chime.muted.value ? t('inbox.sound.off') : chime.armed.value ? t('inbox.sound.on') : t('inbox.sound.unarmed');
  return (
    <p id="inbox-sound-hint" class={chime.armed.value || chime.muted.value ? 'visually-hidden' : 'desk-hint inbox-sound__hint'}>
      {text}
    </p>
  );
}
