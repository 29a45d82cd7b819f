// The report form: photos (camera first), the place, the category, the
// contacts on the card, a description, send. Everything typed is written to
// the draft as it is typed (IndexedDB), so a reload, a closed tab or a lost
// connection loses nothing; what the service refuses is said at its field.

import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { describeProblem } from '../../shared/api/describe';
import { ProblemMessage } from '../../shared/ui/ProblemMessage';
import { Frame } from '../Frame';
import { useReporter } from '../state';
import { CONTACT_KINDS, checkContact, refusedContact, type ContactKind } from './contact';
import type { ContactRow, Draft, Place } from './db';
import { newId } from './db';
import { emptyDraft, isDefinite, MAX_PHOTOS, missing, type Missing, type PhotoState } from './outbox';
import type { MapPickerProps } from './MapPicker';
import { FoundOffers, useFoundContacts } from './Found';
import { addOffer, offersFor, type Offer } from './reading';

/** Where the map opens when the phone has no position and none was kept. */
const DEFAULT_CENTRE = { lat: 29.3068, lon: 120.0751 };
const LAST_PLACE_KEY = 'tipline.reporter.lastPlace';

function useCurrentDraft(): Draft | null {
  const { outbox, currentDraft } = useReporter();
  const drafts = outbox.drafts.value;
  const id = currentDraft.value;
  const ready = outbox.ready.value;
  useEffect(() => {
    if (!ready) return;
    if (id && drafts.some((d) => d.id === id && d.state !== 'sent')) return;
    // The newest draft not yet sent, or a new one.
    const open = drafts.find((d) => d.state !== 'sent');
    if (open) {
      currentDraft.value = open.id;
      return;
    }
    const d = emptyDraft(Date.now());
    currentDraft.value = d.id;
    void outbox.create(d);
  }, [ready, id, drafts]);
  return drafts.find((d) => d.id === id) ?? null;
}

export function ReportPage() {
  const draft = useCurrentDraft();
  const { outbox, currentDraft } = useReporter();
  const { route, path } = useLocation();
  const sentNow = useRef<string | null>(null);

  // A report sent from this page opens its receipt page when it goes through.
  const drafts = outbox.drafts.value;
  useEffect(() => {
    const id = sentNow.current;
    if (!id) return;
    const d = drafts.find((x) => x.id === id);
    if (d?.state === 'sent' && path === '/') {
      sentNow.current = null;
      route(`/sent/${id}`);
    }
  }, [drafts]);

  if (!draft) return <Frame>{null}</Frame>;
  if (draft.state === 'queued') {
    return (
      <Waiting
        draft={draft}
        onNew={() => {
          sentNow.current = null;
          const d = emptyDraft(Date.now(), draft.category);
          currentDraft.value = d.id;
          void outbox.create(d);
        }}
      />
    );
  }
  return <ReportForm key={draft.id} initial={draft} onSent={(id) => (sentNow.current = id)} />;
}

/** A report sent and waiting: for the network, its photos, or a retry. */
function Waiting({ draft, onNew }: { draft: Draft; onNew(): void }) {
  const { i18n, online, outbox } = useReporter();
  const { t } = i18n;
  const photos = useDraftPhotos(draft);
  const uploading = photos.some((p) => p.status !== 'done');
  const offline = !online.value;
  return (
    <Frame
      actions={
        <button type="button" class="button button--quiet" onClick={onNew}>
          {t('report.another')}
        </button>
      }
    >
      <h1>{t('report.waiting.heading')}</h1>
      <div class="notice" role="status">
        <p>
          {offline
            ? t('report.waiting.offline')
            : uploading
              ? t('report.waiting.photos', { done: photos.filter((p) => p.status === 'done').length, all: photos.length })
              : draft.problem
                ? t('report.waiting.retrying')
                : t('report.waiting.sending')}
        </p>
      </div>
      {draft.problem && !offline && (
        <ProblemMessage problem={draft.problem} onRetry={() => void outbox.pump()} />
      )}
      <PhotoStrip draft={draft} photos={photos} readOnly />
      <p class="muted">{t('report.waiting.kept')}</p>
    </Frame>
  );
}

function useDraftPhotos(draft: Draft): PhotoState[] {
  const { outbox } = useReporter();
  const states = outbox.photos.value;
  return draft.photoIds.map((id) => states.get(id) ?? { id, status: 'waiting', progress: 0 });
}

function ReportForm({ initial, onSent }: { initial: Draft; onSent(id: string): void }) {
  const r = useReporter();
  const { i18n, outbox, categories, session } = r;
  const { t } = i18n;
  const draft = outbox.drafts.value.find((d) => d.id === initial.id) ?? initial;
  const photos = useDraftPhotos(draft);
  const [description, setDescription] = useState(initial.description);
  const [address, setAddress] = useState(initial.address);
  const [contacts, setContacts] = useState<ContactRow[]>(initial.contacts);
  const [tried, setTried] = useState(false);
  const [lacking, setLacking] = useState<Missing[]>([]);
  const [added, setAdded] = useState<Offer[]>([]);
  const summary = useRef<HTMLDivElement>(null);
  const found = useFoundContacts(photos, draft.state === 'editing');
  const offers = offersFor(
    photos.map((p) => (p.mediaId && found[p.mediaId]) || []),
    contacts,
    draft.dismissedFound ?? [],
  );

  useEffect(() => {
    if (!categories.value) void r.loadCategories();
  }, []);
  // Category preselected: the first (cards, the model case); one tap to change.
  useEffect(() => {
    const first = categories.value?.[0];
    if (!draft.category && first) void outbox.edit(draft.id, { category: first.code });
  }, [categories.value]);
  useEffect(() => {
    if (categories.value) performance.mark('tipline:ready');
  }, [categories.value]);

  const edit = (patch: Partial<Pick<Draft, 'category' | 'description' | 'address' | 'place' | 'contacts' | 'dismissedFound'>>) =>
    void outbox.edit(draft.id, patch);

  function setContactRows(rows: ContactRow[]) {
    setContacts(rows);
    edit({ contacts: rows });
  }

  function addFound(o: Offer) {
    const rows = addOffer(contacts, o);
    if (!rows) return;
    setContactRows(rows);
    setAdded((a) => [...a.filter((x) => x.key !== o.key), o]);
  }

  const refused = useMemo(() => {
    const p = draft.problem;
    if (!p || p.code !== 'tip.invalid_contact' || !p.detail) return null;
    const named = refusedContact(p.detail);
    const rowId = named ? draft.sentContactIds?.[named.index] : undefined;
    return named && rowId ? { rowId, detail: named.detail } : null;
  }, [draft.problem, draft.sentContactIds]);

  async function send() {
    setTried(true);
    const current = { ...draft, description, address, contacts };
    const m = missing(current, photos);
    setLacking(m);
    if (m.length) {
      requestAnimationFrame(() => summary.current?.focus());
      return;
    }
    await outbox.edit(draft.id, { description, address, contacts });
    onSent(draft.id);
    await outbox.submit(draft.id);
  }

  const signedIn = session.state.value.status === 'signed_in';
  const formProblem = draft.problem && !refused ? draft.problem : null;

  return (
    <Frame
      actions={
        <button type="button" class="button button--send" onClick={() => void send()}>
          {t('report.send')}
        </button>
      }
    >
      <h1>{t('reporter.home.heading')}</h1>
      <p class="lead">{t('report.intro')}</p>
      <Queue />
      {lacking.length > 0 && (
        <div class="problem" role="alert" tabIndex={-1} ref={summary}>
          <p>{t('report.missing', { what: lacking.map((m) => t(`report.missing.${m}`)).join(t('report.list_sep')) })}</p>
        </div>
      )}
      {formProblem && <ProblemMessage problem={formProblem} onRetry={() => void send()} />}

      <Section id="photos" title={t('report.photos.heading')} hint={t('report.photos.hint')}>
        <PhotoStrip draft={draft} photos={photos} />
        <FoundOffers
          offers={offers}
          added={added.filter((a) => !offers.some((o) => o.key === a.key))}
          onAdd={addFound}
          onDismiss={(o) => edit({ dismissedFound: [...(draft.dismissedFound ?? []), o.key] })}
        />
      </Section>

      <PlaceField
        draft={draft}
        address={address}
        photosAdded={photos.length > 0}
        onAddress={(v) => {
          setAddress(v);
          edit({ address: v });
        }}
        onPlace={(place) => edit({ place })}
        showMissing={tried && !draft.place}
      />

      <fieldset class="section">
        <legend class="section__title">{t('report.category.heading')}</legend>
        {categories.value ? (
          <div class="chips">
            {categories.value.map((c) => (
              <label key={c.code} class="chip">
                <input
                  type="radio"
                  name="category"
                  value={c.code}
                  checked={draft.category === c.code}
                  onChange={() => edit({ category: c.code })}
                />
                <span>{i18n.lang.value === 'zh-CN' ? c.label_zh : c.label_en}</span>
              </label>
            ))}
          </div>
        ) : r.categoriesProblem.value ? (
          <ProblemMessage problem={r.categoriesProblem.value} onRetry={() => void r.loadCategories()} />
        ) : (
          <p class="muted">{t('state.loading')}</p>
        )}
      </fieldset>

      <ContactsField
        rows={contacts}
        showErrors={tried}
        refused={refused}
        onChange={setContactRows}
      />

      <div class="section field">
        <label for="description" class="section__title">
          {t('report.description.label')}
        </label>
        <textarea
          id="description"
          rows={3}
          maxLength={2000}
          value={description}
          onInput={(e) => {
            const v = e.currentTarget.value;
            setDescription(v);
            edit({ description: v });
          }}
        />
      </div>

      <section class="trust" aria-labelledby="trust-heading">
        <h2 id="trust-heading">{signedIn ? t('report.as_citizen') : t('report.as_anonymous')}</h2>
        <p>{t('reporter.trust.text')}</p>
        {!signedIn && (
          <p>
            <a href="/me">{t('report.sign_in_instead')}</a>
          </p>
        )}
      </section>
    </Frame>
  );
}

function Section({ id, title, hint, children }: { id: string; title: string; hint?: string; children: ComponentChildren }) {
  return (
    <section class="section" aria-labelledby={`${id}-heading`}>
      <h2 class="section__title" id={`${id}-heading`}>
        {title}
      </h2>
      {hint && <p class="muted">{hint}</p>}
      {children}
    </section>
  );
}

/** Other reports this phone holds that wait to be sent, or just went. */
function Queue() {
  const { outbox, online, i18n, currentDraft } = useReporter();
  const { t } = i18n;
  const waiting = outbox.drafts.value.filter((d) => d.state === 'queued' && d.id !== currentDraft.value);
  const sent = outbox.drafts.value.filter((d) => d.state === 'sent' && d.sent && !d.sent.shown);
  if (!waiting.length && !sent.length) return null;
  return (
    <div class="queue">
      {waiting.length > 0 && (
        <div class="notice" role="status">
          <p>{online.value ? t('report.queue.sending', { n: waiting.length }) : t('report.queue.offline', { n: waiting.length })}</p>
        </div>
      )}
      {sent.map((d) => (
        <div class="notice notice--ok" key={d.id}>
          <p>
            {t('report.queue.sent', { reference: d.sent!.reference })} <a href={`/sent/${d.id}`}>{t('report.queue.open')}</a>
          </p>
        </div>
      ))}
    </div>
  );
}

function PhotoStrip({ draft, photos, readOnly }: { draft: Draft; photos: PhotoState[]; readOnly?: boolean }) {
  const { outbox, i18n, db } = useReporter();
  const { t } = i18n;
  const input = useRef<HTMLInputElement>(null);
  const [urls, setUrls] = useState<Record<string, string>>({});

  // Thumbnails from the Blobs the phone keeps (blob: URLs, allowed by the CSP).
  useEffect(() => {
    let live = true;
    const made: string[] = [];
    void (async () => {
      const next: Record<string, string> = {};
      for (const id of draft.photoIds) {
        if (urls[id]) {
          next[id] = urls[id]!;
          continue;
        }
        const p = await db.photos.get(id);
        if (p) {
          next[id] = URL.createObjectURL(p.blob);
          made.push(next[id]!);
        }
      }
      if (live) setUrls(next);
    })();
    return () => {
      live = false;
    };
  }, [draft.photoIds.join(',')]);
  useEffect(() => () => Object.values(urls).forEach((u) => URL.revokeObjectURL(u)), []);

  const room = MAX_PHOTOS - draft.photoIds.length;
  return (
    <div>
      <ul class="photos" aria-label={t('report.photos.list')}>
        {photos.map((p, i) => (
          <PhotoTile
            key={p.id}
            n={i + 1}
            state={p}
            url={urls[p.id]}
            readOnly={readOnly}
            onRemove={() => void outbox.removePhoto(draft.id, p.id)}
            onRetry={() => outbox.retryPhoto(p.id)}
          />
        ))}
      </ul>
      {!readOnly && room > 0 && (
        <div class="photos__add">
          <input
            ref={input}
            id="photo-input"
            class="visually-hidden"
            type="file"
            accept="image/*"
            capture="environment"
            multiple
            onChange={(e) => {
              const files = [...(e.currentTarget.files ?? [])];
              e.currentTarget.value = '';
              if (files.length) void outbox.addPhotos(draft.id, files);
            }}
          />
          <label for="photo-input" class="button button--big">
            {draft.photoIds.length ? t('report.photos.more', { n: room }) : t('report.photos.add')}
          </label>
        </div>
      )}
    </div>
  );
}

function PhotoTile(props: {
  n: number;
  state: PhotoState;
  url: string | undefined;
  readOnly?: boolean;
  onRemove(): void;
  onRetry(): void;
}) {
  const i18n = useReporter().i18n;
  const { t } = i18n;
  const { n, state } = props;
  const pct = Math.round(state.progress * 100);
  const tooLarge = state.problem?.status === 413;
  const problemText = state.problem
    ? tooLarge
      ? t('report.photo.too_large')
      : describeProblem(state.problem, i18n).message
    : '';
  const label = t('report.photo.label', { n });
  return (
    <li class={`photo photo--${state.status}`} aria-label={label}>
      {props.url ? <img src={props.url} alt={label} /> : <span class="photo__blank" aria-hidden="true" />}
      <div class="photo__state">
        {state.status === 'uploading' && (
          <>
            <progress max={100} value={pct} aria-label={t('report.photo.progress', { n })} />
            <span>{t('report.photo.uploading', { pct })}</span>
          </>
        )}
        {state.status === 'waiting' && <span>{t('report.photo.waiting')}</span>}
        {state.status === 'done' && (
          <span class="photo__ok">
            <span aria-hidden="true">✓ </span>
            {t('report.photo.done')}
          </span>
        )}
        {state.status === 'failed' && (
          <span class="photo__problem" role="alert">
            {problemText}
            {!isDefinite(state.problem!) && ` ${t('report.photo.will_retry')}`}
          </span>
        )}
      </div>
      {!props.readOnly && (
        <div class="photo__actions">
          {state.status === 'failed' && !tooLarge && (
            <button type="button" class="button button--small" onClick={props.onRetry}>
              {t('report.photo.retry', { n })}
            </button>
          )}
          <button type="button" class="button button--small button--quiet" onClick={props.onRemove}>
            {t('report.photo.remove', { n })}
          </button>
        </div>
      )}
    </li>
  );
}

type Locating = { s: 'idle' } | { s: 'locating' } | { s: 'failed'; why: 'denied' | 'unavailable' | 'unsupported' };

function PlaceField(props: {
  draft: Draft;
  address: string;
  photosAdded: boolean;
  onAddress(v: string): void;
  onPlace(p: Place): void;
  showMissing: boolean;
}) {
  const { i18n } = useReporter();
  const { t } = i18n;
  const { draft } = props;
  const [loc, setLoc] = useState<Locating>({ s: 'idle' });
  const [gps, setGps] = useState<{ lat: number; lon: number; accuracy_m?: number } | null>(
    draft.place?.source === 'gps' ? draft.place : null,
  );
  const [Map, setMap] = useState<((p: MapPickerProps) => unknown) | null>(null);
  const [mapOpen, setMapOpen] = useState(false);
  const tried = useRef(false);

  function locate() {
    tried.current = true;
    if (!('geolocation' in navigator)) {
      setLoc({ s: 'failed', why: 'unsupported' });
      return;
    }
    setLoc({ s: 'locating' });
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        const place: Place = {
          lat: pos.coords.latitude,
          lon: pos.coords.longitude,
          accuracy_m: Math.round(pos.coords.accuracy),
          source: 'gps',
        };
        setGps(place);
        setLoc({ s: 'idle' });
        try {
          localStorage.setItem(LAST_PLACE_KEY, JSON.stringify({ lat: place.lat, lon: place.lon }));
        } catch {
          /* not kept */
        }
        props.onPlace(place);
      },
      (err) => setLoc({ s: 'failed', why: err.code === err.PERMISSION_DENIED ? 'denied' : 'unavailable' }),
      { enableHighAccuracy: true, timeout: 20_000, maximumAge: 60_000 },
    );
  }

  // Found by itself when the phone already lets the page know where it is;
  // otherwise asked for with the first photo (the reporter is on the spot).
  useEffect(() => {
    if (draft.place || tried.current) return;
    const perms = navigator.permissions as Permissions | undefined;
    perms
      ?.query({ name: 'geolocation' })
      .then((p) => {
        if (p.state === 'granted' && !tried.current) locate();
      })
      .catch(() => undefined);
  }, []);
  useEffect(() => {
    if (props.photosAdded && !draft.place && !tried.current) locate();
  }, [props.photosAdded]);

  async function openMap() {
    setMapOpen(true);
    if (!Map) {
      const m = await import('./MapPicker');
      setMap(() => m.MapPicker);
    }
  }

  const centre = draft.place ?? gps ?? lastPlace() ?? DEFAULT_CENTRE;
  const place = draft.place;
  return (
    <section class="section" aria-labelledby="place-heading">
      <h2 class="section__title" id="place-heading">
        {t('report.place.heading')}
      </h2>
      <div role="status" class="place__status">
        {loc.s === 'locating' && <p>{t('report.place.locating')}</p>}
        {loc.s === 'idle' && place?.source === 'gps' && (
          <p>
            {place.accuracy_m !== undefined
              ? t('report.place.found', { m: place.accuracy_m })
              : t('report.place.found_plain')}
          </p>
        )}
        {loc.s === 'idle' && place?.source === 'map' && <p>{t('report.place.pinned')}</p>}
        {loc.s === 'failed' && <p class="error-text">{t(`report.place.failed.${loc.why}`)}</p>}
        {!place && loc.s === 'idle' && (
          <p class={props.showMissing ? 'error-text' : 'muted'}>{t('report.place.none')}</p>
        )}
        {place && (
          <p class="muted num">
            {place.lat.toFixed(5)}, {place.lon.toFixed(5)}
          </p>
        )}
      </div>
      <div class="row">
        <button type="button" class="button button--quiet" onClick={locate} disabled={loc.s === 'locating'}>
          {t('report.place.locate')}
        </button>
        <button type="button" class="button button--quiet" onClick={() => (mapOpen ? setMapOpen(false) : void openMap())} aria-expanded={mapOpen}>
          {mapOpen ? t('report.place.map_close') : place ? t('report.place.map_adjust') : t('report.place.map_pick')}
        </button>
      </div>
      {mapOpen && (
        <div class="map-wrap">
          {Map ? (
            <>
              {Map({
                lat: centre.lat,
                lon: centre.lon,
                gps,
                label: t('report.place.map_label'),
                pinLabel: t('report.place.pin'),
                onMove: (lat, lon) => props.onPlace({ lat, lon, source: 'map' }),
              }) as never}
              <p class="muted">{t('report.place.map_hint')}</p>
            </>
          ) : (
            <p class="muted">{t('state.loading')}</p>
          )}
        </div>
      )}
      <div class="field">
        <label for="address">{t('report.place.address')}</label>
        <input
          id="address"
          type="text"
          maxLength={500}
          autoComplete="street-address"
          value={props.address}
          onInput={(e) => props.onAddress(e.currentTarget.value)}
        />
      </div>
    </section>
  );
}

function lastPlace(): { lat: number; lon: number } | null {
  try {
    const v = JSON.parse(localStorage.getItem(LAST_PLACE_KEY) ?? 'null') as { lat: number; lon: number } | null;
    return v && Number.isFinite(v.lat) && Number.isFinite(v.lon) ? v : null;
  } catch {
    return null;
  }
}

const INPUT: Record<ContactKind, { type: 'text'; inputMode: 'tel' | 'text' | 'numeric' | 'url'; autoCapitalize?: 'off' }> = {
  // type=text everywhere: the keyboard comes from inputmode, and a url input
  // would let the browser refuse what the service's own check should judge.
  phone: { type: 'text', inputMode: 'tel' },
  wechat: { type: 'text', inputMode: 'text', autoCapitalize: 'off' },
  qq: { type: 'text', inputMode: 'numeric' },
  url: { type: 'text', inputMode: 'url', autoCapitalize: 'off' },
};

function ContactsField(props: {
  rows: ContactRow[];
  showErrors: boolean;
  refused: { rowId: string; detail: string } | null;
  onChange(rows: ContactRow[]): void;
}) {
  const { i18n } = useReporter();
  const { t } = i18n;
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const set = (id: string, patch: Partial<ContactRow>) =>
    props.onChange(props.rows.map((r) => (r.id === id ? { ...r, ...patch } : r)));
  return (
    <fieldset class="section">
      <legend class="section__title">{t('report.contacts.heading')}</legend>
      <p class="muted">{t('report.contacts.hint')}</p>
      {props.rows.map((row, i) => {
        const n = i + 1;
        const value = row.value.trim();
        const checked = value ? checkContact(row.kind, row.value) : null;
        const refused = props.refused?.rowId === row.id ? props.refused.detail : null;
        const showBad = !!checked && !checked.ok && (touched[row.id] || props.showErrors);
        const msgId = `contact-${row.id}-msg`;
        const kindLabel = t(`contact.kind.${row.kind}`);
        return (
          <div class="contact" key={row.id} role="group" aria-label={t('report.contact.group', { n })}>
            <div class="contact__row">
              <select
                aria-label={t('report.contact.kind', { n })}
                value={row.kind}
                onChange={(e) => set(row.id, { kind: e.currentTarget.value as ContactKind })}
              >
                {CONTACT_KINDS.map((k) => (
                  <option key={k} value={k}>
                    {t(`contact.kind.${k}`)}
                  </option>
                ))}
              </select>
              <input
                id={`contact-${row.id}`}
                aria-label={t('report.contact.value', { n, kind: kindLabel })}
                type={INPUT[row.kind].type}
                inputMode={INPUT[row.kind].inputMode}
                autoCapitalize={INPUT[row.kind].autoCapitalize}
                autoComplete="off"
                spellcheck={false}
                maxLength={2000}
                value={row.value}
                aria-invalid={showBad || !!refused ? 'true' : undefined}
                aria-describedby={msgId}
                onInput={(e) => set(row.id, { value: e.currentTarget.value })}
                onBlur={() => setTouched({ ...touched, [row.id]: true })}
              />
              {props.rows.length > 1 && (
                <button
                  type="button"
                  class="button button--small button--quiet"
                  aria-label={t('report.contact.remove', { n })}
                  onClick={() => props.onChange(props.rows.filter((r) => r.id !== row.id))}
                >
                  {t('report.contact.remove.short')}
                </button>
              )}
            </div>
            <p id={msgId} class="contact__msg" aria-live="polite">
              {refused ? (
                <span class="error-text">
                  {t('report.contact.refused')} <span lang="en">{refused}</span>
                </span>
              ) : showBad ? (
                <span class="error-text">{t(`report.contact.bad.${row.kind}`)}</span>
              ) : checked?.ok ? (
                <span class="ok-text">
                  <span aria-hidden="true">✓ </span>
                  {t('report.contact.ok', { value: checked.value })}
                </span>
              ) : null}
            </p>
          </div>
        );
      })}
      {props.rows.length < 20 && (
        <button
          type="button"
          class="button button--quiet"
          onClick={() => props.onChange([...props.rows, { id: newId(), kind: 'phone', value: '' }])}
        >
          {t('report.contact.add')}
        </button>
      )}
    </fieldset>
  );
}
