// The contacts desk: the hot contacts (most tips in a window) on the left, a
// contact's cluster on the right — every tip and lead carrying it, first
// and last seen, its places on a map. A contact is looked up in any usual
// spelling (the service normalises). The URL holds the contact and window.
import '../queue/desk.css';
import { useEffect, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { call, toProblem, type Problem } from '../../shared/api/problem';
import type { Schemas } from '../../shared/api/types';
import { formatDateTime, formatNumber } from '../../shared/format/time';
import { ProblemMessage } from '../../shared/ui/ProblemMessage';
import { ListDetail } from '../ListDetail';
import { useConsole } from '../state';
import { ConsoleMap } from '../map';
import { CONTACT_KINDS, decodeContact, oneOf, param } from '../queue/filters';
import { categoryLabel, useCategories } from '../queue/reference';
import { contactKindLabel, leadStatusLabel, queueHrefForContact, statusLabel } from '../tip/words';

type Cluster = Schemas['ContactCluster'];
type Hot = Schemas['HotContact'];
const WINDOWS = ['1', '7', '30', '90'] as const;

function contactsHref(contact: string | null, days: string) {
  const p = new URLSearchParams();
  if (days !== '7') p.set('days', days);
  if (contact) p.set('contact', contact);
  const q = p.toString();
  return q ? `/console/contacts?${q}` : '/console/contacts';
}

export function ContactsPage() {
  const { api, i18n } = useConsole();
  const { t } = i18n;
  const lang = i18n.lang.value;
  const { query, route } = useLocation();
  const days = oneOf(param(query, 'days'), WINDOWS) ?? '7';
  const contact = decodeContact(param(query, 'contact'));
  const contactKey = contact ? `${contact.kind}:${contact.value}` : null;
  const [hot, setHot] = useState<Hot[] | null>(null);
  const [hotProblem, setHotProblem] = useState<Problem | null>(null);
  const [kind, setKind] = useState(contact?.kind ?? 'phone');
  const [value, setValue] = useState(contact?.value ?? '');
  useCategories(api);

  const loadHot = () => {
    setHotProblem(null);
    call(api.GET('/v1/moderation/contacts/hot', { params: { query: { days: Number(days), limit: 50 } } })).then(setHot, (e) =>
      setHotProblem(toProblem(e)),
    );
  };
  useEffect(loadHot, [days]);

  const list = (
    <div class="queue">
      <div class="queue__head">
        <h1 class="queue__title">{t('desk.contacts')}</h1>
      </div>
      <form
        class="queue-filters"
        role="search"
        aria-label={t('contacts.lookup')}
        onSubmit={(e) => {
          e.preventDefault();
          if (value.trim()) route(contactsHref(`${kind}:${value.trim()}`, days));
        }}
      >
        <div class="queue-filters__row">
          <select aria-label={t('queue.filter.contact_kind')} value={kind} onChange={(e) => setKind(e.currentTarget.value as typeof kind)}>
            {CONTACT_KINDS.map((k) => (
              <option key={k} value={k}>
                {contactKindLabel(t, k)}
              </option>
            ))}
          </select>
          <label class="visually-hidden" for="contacts-value">
            {t('contacts.value')}
          </label>
          <input
            id="contacts-value"
            class="queue-filters__q"
            value={value}
            placeholder={t('contacts.value_placeholder')}
            onInput={(e) => setValue(e.currentTarget.value)}
          />
          <button type="submit" class="button button--small">
            {t('contacts.find')}
          </button>
        </div>
      </form>
      <div class="queue__head">
        <h2 class="queue__title" id="hot-h">
          {t('contacts.hot')}
        </h2>
        <label class="visually-hidden" for="contacts-days">
          {t('contacts.window')}
        </label>
        <select id="contacts-days" value={days} onChange={(e) => route(contactsHref(contactKey, e.currentTarget.value))}>
          {WINDOWS.map((d) => (
            <option key={d} value={d}>
              {t('contacts.days', { n: d })}
            </option>
          ))}
        </select>
      </div>
      {hotProblem && <ProblemMessage problem={hotProblem} onRetry={loadHot} />}
      {hot === null && !hotProblem && <p class="desk-muted queue__empty">{t('state.loading')}</p>}
      {hot && hot.length === 0 && <p class="desk-muted queue__empty">{t('contacts.hot_none')}</p>}
      <ol class="queue-rows" aria-labelledby="hot-h">
        {(hot ?? []).map((h) => {
          const key = `${h.kind}:${h.value}`;
          const open = key === contactKey;
          return (
            <li key={key} class={open ? 'qrow crow qrow--open' : 'qrow crow'}>
              <a
                class="qrow__link"
                href={contactsHref(key, days)}
                aria-current={open ? 'true' : undefined}
                onClick={(e) => {
                  if (e.ctrlKey || e.metaKey) return;
                  e.preventDefault();
                  route(contactsHref(key, days), !!contactKey);
                }}
              >
                <span class="qrow__line">
                  <span class="contact-kind">{contactKindLabel(t, h.kind)}</span>
                  <span class="qrow__ref num">{h.value}</span>
                  <span class="qrow__age num">{t(h.tips === 1 ? 'contacts.tips_n_one' : 'contacts.tips_n', { n: formatNumber(h.tips, lang) })}</span>
                </span>
              </a>
            </li>
          );
        })}
      </ol>
    </div>
  );

  return (
    <ListDetail
      listLabel={t('desk.contacts')}
      itemLabel={t('contacts.item')}
      itemOpen={!!contact}
      list={list}
      item={
        contact ? (
          <ClusterPane key={contactKey} kind={contact.kind} value={contact.value} onClose={() => route(contactsHref(null, days))} />
        ) : (
          <div class="tip-pane tip-pane--empty">
            <p class="desk-muted">{t('contacts.none_open')}</p>
          </div>
        )
      }
    />
  );
}

function ClusterPane({ kind, value, onClose }: { kind: Schemas['ContactKindName']; value: string; onClose(): void }) {
  const { api, i18n } = useConsole();
  const { t } = i18n;
  const lang = i18n.lang.value;
  const [cluster, setCluster] = useState<Cluster | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const load = () => {
    setProblem(null);
    call(api.GET('/v1/moderation/contacts/{kind}/{value}', { params: { path: { kind, value } } })).then(setCluster, (e) => setProblem(toProblem(e)));
  };
  useEffect(load, [kind, value]);
  return (
    <article class="tip-pane" aria-labelledby="cluster-h">
      <div class="tip-back">
        <button type="button" class="button button--quiet button--small" onClick={onClose}>
          ← {t('tip.back')}
        </button>
      </div>
      {problem && <ProblemMessage problem={problem} onRetry={load} />}
      {!cluster && !problem && <p class="desk-muted">{t('state.loading')}</p>}
      {cluster && (
        <>
          <header class="tip-head">
            <span class="contact-kind">{contactKindLabel(t, cluster.kind)}</span>
            <h2 id="cluster-h" class="tip-head__ref num">
              {cluster.value}
            </h2>
          </header>
          <dl class="tip-facts">
            <dt>{t('contacts.tip_count')}</dt>
            <dd class="num">{formatNumber(cluster.tip_count, lang)}</dd>
            {cluster.first_seen && (
              <>
                <dt>{t('contacts.first_seen')}</dt>
                <dd>
                  <time dateTime={cluster.first_seen}>{formatDateTime(cluster.first_seen, lang)}</time>
                </dd>
              </>
            )}
            {cluster.last_seen && (
              <>
                <dt>{t('contacts.last_seen')}</dt>
                <dd>
                  <time dateTime={cluster.last_seen}>{formatDateTime(cluster.last_seen, lang)}</time>
                </dd>
              </>
            )}
          </dl>
          <p>
            <a href={queueHrefForContact(cluster)}>{t('contacts.in_queue')}</a> ·{' '}
            <a href={`/console/leads?${new URLSearchParams({ tab: 'all', contact: `${cluster.kind}:${cluster.value}` })}`}>{t('contacts.in_leads')}</a>
          </p>
          <section class="tip-section" aria-labelledby="cluster-map-h">
            <h3 id="cluster-map-h">{t('contacts.map')}</h3>
            <ConsoleMap
              label={t('contacts.map.label', { value: cluster.value })}
              points={cluster.tips.map((x) => ({ id: x.id, lat: x.lat, lon: x.lon, label: x.reference }))}
              height="300px"
              clusterLabel={(n) => t('map.cluster', { n })}
            />
          </section>
          <section class="tip-section" aria-labelledby="cluster-leads-h">
            <h3 id="cluster-leads-h">{t('contacts.leads', { n: cluster.leads.length })}</h3>
            {cluster.leads.length === 0 ? (
              <p class="desk-muted">{t('contacts.leads_none')}</p>
            ) : (
              <ul class="tip-list">
                {cluster.leads.map((l) => (
                  <li key={l.id}>
                    <a class="num" href={`/console/leads?tab=all&lead=${l.id}`}>
                      {l.reference}
                    </a>{' '}
                    <span class={`status-label status-label--${l.status}`}>{leadStatusLabel(t, l.status)}</span>{' '}
                    <span class="desk-muted">{categoryLabel(l.category, lang)}</span>
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section class="tip-section" aria-labelledby="cluster-tips-h">
            <h3 id="cluster-tips-h">{t('contacts.tips', { n: cluster.tips.length })}</h3>
            <table class="desk-table">
              <thead>
                <tr>
                  <th scope="col">{t('contacts.col.reference')}</th>
                  <th scope="col">{t('contacts.col.status')}</th>
                  <th scope="col">{t('contacts.col.category')}</th>
                  <th scope="col">{t('contacts.col.when')}</th>
                </tr>
              </thead>
              <tbody>
                {cluster.tips.map((x) => (
                  <tr key={x.id}>
                    <td>
                      <a class="num" href={`/console/queue?tab=${x.status}&tip=${x.id}`}>
                        {x.reference}
                      </a>
                    </td>
                    <td>
                      <span class={`status-label status-label--${x.status}`}>{statusLabel(t, x.status)}</span>
                    </td>
                    <td>{categoryLabel(x.category, lang)}</td>
                    <td>
                      <time dateTime={x.created_at}>{formatDateTime(x.created_at, lang)}</time>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </>
      )}
    </article>
  );
}
