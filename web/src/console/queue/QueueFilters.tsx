// The queue's filters: text search (`/` focuses it), category, period,
// claims (mine / unclaimed), order, a contact in any spelling, and "near a
// point" with a radius; saved filters by name. Selects apply at once; text
// applies on Enter or the Apply button. Everything ends up in the URL.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { useConsole } from '../state';
import {
  CONTACT_KINDS,
  DEFAULT_QUEUE_VIEW,
  PERIODS,
  decodeContact,
  decodeNear,
  decodeQueueView,
  encodeNear,
  encodeQueueView,
  filtersOf,
  isFiltered,
  type QueueView,
} from './filters';
import { CategorySelect } from './CategorySelect';
import { createSavedFilters } from './saved';
import { contactKindLabel } from '../tip/words';
import type { Row } from './store';

const RADII = [200, 500, 1000, 2000, 5000, 20000, 50000];

export function QueueFilters({ view, onApply, openTip }: { view: QueueView; onApply(v: QueueView): void; openTip: Row | null }) {
  const { i18n } = useConsole();
  const { t } = i18n;
  const saved = useMemo(() => createSavedFilters(), []);
  const [q, setQ] = useState(view.q ?? '');
  const [contactKind, setContactKind] = useState(view.contact?.kind ?? 'phone');
  const [contact, setContact] = useState(view.contact?.value ?? '');
  const [near, setNear] = useState(view.near ? `${view.near.lat},${view.near.lon}` : '');
  const [radius, setRadius] = useState(view.near?.radius ?? 1000);
  const [nearInvalid, setNearInvalid] = useState(false);
  // Open when those filters are in use, except on a phone, where the list comes first.
  const [more, setMore] = useState(
    () => !!(view.contact || view.near || view.period || view.order !== 'oldest') && !globalThis.matchMedia?.('(max-width: 799px)').matches,
  );
  const [naming, setNaming] = useState(false);
  const [name, setName] = useState('');

  // Back, forward or a saved filter changed the view: the fields follow.
  useEffect(() => {
    setQ(view.q ?? '');
    setContact(view.contact?.value ?? '');
    if (view.contact) setContactKind(view.contact.kind);
    setNear(view.near ? `${view.near.lat},${view.near.lon}` : '');
    if (view.near) setRadius(view.near.radius);
  }, [encodeQueueView(filtersOf(view))]);

  function apply(patch: Partial<QueueView> = {}) {
    let nearValue = view.near;
    if (near.trim()) {
      nearValue = decodeNear(`${near},${radius}`);
      setNearInvalid(!nearValue);
      if (!nearValue) return;
    } else {
      nearValue = null;
      setNearInvalid(false);
    }
    const c = contact.trim() ? decodeContact(`${contactKind}:${contact}`) : null;
    onApply({ ...view, tip: null, q: q.trim() || null, contact: c, near: nearValue, ...patch });
  }

  const current = encodeQueueView(filtersOf(view));
  const savedMatch = saved.list.value.find((s) => s.query === current);
  const active = [view.category, view.period, view.claimed, view.contact, view.near, view.q].filter(Boolean).length;

  return (
    <form
      class="queue-filters"
      role="search"
      aria-label={t('queue.filters')}
      onSubmit={(e) => {
        e.preventDefault();
        apply();
      }}
    >
      <div class="queue-filters__row">
        <label class="visually-hidden" for="queue-q">
          {t('queue.filter.q')}
        </label>
        <input
          id="queue-q"
          type="search"
          class="queue-filters__q"
          placeholder={t('queue.filter.q_placeholder')}
          value={q}
          maxLength={200}
          onInput={(e) => setQ(e.currentTarget.value)}
          onKeyDown={(e) => e.key === 'Escape' && e.currentTarget.blur()}
        />
        <CategorySelect id="queue-category" value={view.category} onChange={(category) => apply({ category })} />
        <label class="visually-hidden" for="queue-claimed">
          {t('queue.filter.claimed')}
        </label>
        <select
          id="queue-claimed"
          value={view.claimed ?? ''}
          onChange={(e) => apply({ claimed: (e.currentTarget.value || null) as QueueView['claimed'] })}
        >
          <option value="">{t('queue.filter.claimed_any')}</option>
          <option value="me">{t('queue.filter.claimed_me')}</option>
          <option value="none">{t('queue.filter.claimed_none')}</option>
        </select>
        <button
          type="button"
          class="button button--quiet button--small"
          aria-expanded={more ? 'true' : 'false'}
          aria-controls="queue-more-filters"
          onClick={() => setMore(!more)}
        >
          {active > 0 ? t('queue.filter.more_n', { n: active }) : t('queue.filter.more')}
        </button>
      </div>
      {more && (
        <div class="queue-filters__more" id="queue-more-filters">
          <div class="queue-filters__field">
            <label for="queue-period">{t('queue.filter.period')}</label>
            <select id="queue-period" value={view.period ?? ''} onChange={(e) => apply({ period: (e.currentTarget.value || null) as QueueView['period'] })}>
              <option value="">{t('queue.filter.period_any')}</option>
              {PERIODS.map((p) => (
                <option key={p} value={p}>
                  {t(`queue.filter.period_${p}`)}
                </option>
              ))}
            </select>
          </div>
          <div class="queue-filters__field">
            <label for="queue-order">{t('queue.filter.order')}</label>
            <select id="queue-order" value={view.order} onChange={(e) => apply({ order: e.currentTarget.value as QueueView['order'] })}>
              <option value="oldest">{t('queue.filter.order_oldest')}</option>
              <option value="newest">{t('queue.filter.order_newest')}</option>
            </select>
          </div>
          <div class="queue-filters__field queue-filters__field--wide">
            <label for="queue-contact">{t('queue.filter.contact')}</label>
            <span class="queue-filters__pair">
              <select aria-label={t('queue.filter.contact_kind')} value={contactKind} onChange={(e) => setContactKind(e.currentTarget.value as typeof contactKind)}>
                {CONTACT_KINDS.map((k) => (
                  <option key={k} value={k}>
                    {contactKindLabel(t, k)}
                  </option>
                ))}
              </select>
              <input id="queue-contact" value={contact} maxLength={2000} onInput={(e) => setContact(e.currentTarget.value)} />
            </span>
          </div>
          <div class="queue-filters__field queue-filters__field--wide">
            <label for="queue-near">{t('queue.filter.near')}</label>
            <span class="queue-filters__pair">
              <input
                id="queue-near"
                class="num"
                value={near}
                placeholder="29.30612,120.07528"
                aria-invalid={nearInvalid ? 'true' : undefined}
                aria-describedby={nearInvalid ? 'queue-near-error' : undefined}
                onInput={(e) => setNear(e.currentTarget.value)}
              />
              <select aria-label={t('queue.filter.radius')} value={radius} onChange={(e) => setRadius(Number(e.currentTarget.value))}>
                {RADII.map((r) => (
                  <option key={r} value={r}>
                    {r >= 1000 ? `${r / 1000} km` : `${r} m`}
                  </option>
                ))}
              </select>
              {openTip && (
                <button type="button" class="button button--quiet button--small" onClick={() => setNear(encodeNear({ lat: openTip.lat, lon: openTip.lon, radius }).split(',').slice(0, 2).join(','))}>
                  {t('queue.filter.near_open')}
                </button>
              )}
            </span>
            {nearInvalid && (
              <span id="queue-near-error" class="desk-hint desk-hint--error">
                {t('queue.filter.near_invalid')}
              </span>
            )}
          </div>
        </div>
      )}
      <div class="queue-filters__row queue-filters__row--end">
        <button type="submit" class="button button--small">
          {t('queue.filter.apply')}
        </button>
        {isFiltered(view) && (
          <button type="button" class="button button--quiet button--small" onClick={() => onApply({ ...DEFAULT_QUEUE_VIEW, tab: view.tab })}>
            {t('queue.filter.clear')}
          </button>
        )}
        <label class="visually-hidden" for="queue-saved">
          {t('queue.saved')}
        </label>
        <select
          id="queue-saved"
          value={savedMatch?.name ?? ''}
          onChange={(e) => {
            const s = saved.list.value.find((x) => x.name === e.currentTarget.value);
            if (s) onApply(decodeQueueView(new URLSearchParams(s.query)));
          }}
        >
          <option value="">{t('queue.saved.choose')}</option>
          {saved.list.value.map((s) => (
            <option key={s.name} value={s.name}>
              {s.name}
            </option>
          ))}
        </select>
        {savedMatch ? (
          <button type="button" class="button button--quiet button--small" onClick={() => saved.remove(savedMatch.name)}>
            {t('queue.saved.remove')}
          </button>
        ) : naming ? (
          <span class="queue-filters__pair">
            <label class="visually-hidden" for="queue-saved-name">
              {t('queue.saved.name')}
            </label>
            <input
              id="queue-saved-name"
              value={name}
              maxLength={60}
              placeholder={t('queue.saved.name')}
              onInput={(e) => setName(e.currentTarget.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter') {
                  e.preventDefault();
                  saved.save(name, current);
                  setNaming(false);
                  setName('');
                }
                if (e.key === 'Escape') setNaming(false);
              }}
            />
            <button
              type="button"
              class="button button--small"
              disabled={!name.trim()}
              onClick={() => {
                saved.save(name, current);
                setNaming(false);
                setName('');
              }}
            >
              {t('queue.saved.save')}
            </button>
          </span>
        ) : (
          <button type="button" class="button button--quiet button--small" onClick={() => setNaming(true)}>
            {t('queue.saved.new')}
          </button>
        )}
      </div>
    </form>
  );
}
