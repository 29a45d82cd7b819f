// The audit log, oldest first as the API keeps it, in keyset pages; filters
// by who, what, which object and when (in the URL); and the hash chain's
// state, walked on demand (it reads the whole log, so only when asked).

import { useEffect, useRef, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { useConsole } from '../../state';
import { ProblemMessage } from '../../../shared/ui/ProblemMessage';
import { call, toProblem, type Problem } from '../../../shared/api/problem';
import { formatDateTime, formatNumber } from '../../../shared/format/time';
import type { Schemas } from '../../../shared/api/types';
import type { SectionProps } from '../AdminPage';
import { allStaff, shortId, useLoad } from '../data';
import { MoreButton } from '../ui';
import { auditQuery, decodeAuditFilters, encodeAuditFilters, type AuditFilters } from './filters';

type AuditEvent = Schemas['AuditEventView'];
type Verification = Schemas['AuditVerification'];

const ACTIONS = [
  'tip.submit',
  'tip.claim',
  'tip.verify',
  'tip.reject',
  'tip.withdraw',
  'tip.read_reporter_contact',
  'media.upload',
  'media.read_original',
  'lead.create',
  'lead.forward',
  'lead.accept',
  'lead.resolve',
  'lead.return',
  'unit.create',
  'unit.update',
  'user.create',
  'user.update',
  'user.password_reset',
  'category.create',
  'category.update',
  'outcome.create',
  'outcome.update',
  'reject_reason.create',
  'reject_reason.update',
  'webhook_event.retry',
];
const KINDS = ['tip', 'lead', 'media', 'unit', 'user', 'category', 'outcome', 'reject_reason', 'webhook_event'];

export function AuditSection(_: SectionProps) {
  const { api, i18n } = useConsole();
  const { t } = i18n;
  const lang = i18n.lang.value;
  const { query, route } = useLocation();
  const filters = decodeAuditFilters(query);
  const key = encodeAuditFilters(filters);
  const staff = useLoad(allStaff);
  const [draft, setDraft] = useState<AuditFilters>(filters);
  const [items, setItems] = useState<AuditEvent[]>([]);
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(true);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const gen = useRef(0);

  useEffect(() => setDraft(filters), [key]);

  async function load(from: string | undefined) {
    const g = ++gen.current;
    setBusy(true);
    setProblem(undefined);
    if (!from) setItems([]);
    try {
      const page = await call(api.GET('/v1/admin/audit', { params: { query: { ...auditQuery(filters), limit: 50, ...(from ? { cursor: from } : {}) } } }));
      if (g !== gen.current) return;
      setItems((l) => (from ? [...l, ...page.items] : page.items));
      setCursor(page.next_cursor);
    } catch (e) {
      if (g === gen.current) setProblem(toProblem(e));
    } finally {
      if (g === gen.current) setBusy(false);
    }
  }

  useEffect(() => {
    void load(undefined);
  }, [key]);

  function apply(e: Event) {
    e.preventDefault();
    route(`/console/admin/audit${encodeAuditFilters(decodeAuditFilters({ ...draft }))}`);
  }

  const who = (ev: AuditEvent) => {
    if (ev.actor_kind !== 'user') return t(`admin.audit.actor.${ev.actor_kind}`);
    const u = staff.data?.find((x) => x.id === ev.actor_id);
    if (u?.username) return u.username;
    if (!ev.actor_id) return t('admin.audit.actor.user');
    // A citizen (or an account no longer staff): its id, to filter by.
    return (
      <a href={`/console/admin/audit${encodeAuditFilters({ ...filters, actor: ev.actor_id })}`} title={ev.actor_id}>
        {t('admin.audit.actor.account', { id: shortId(ev.actor_id) })}
      </a>
    );
  };
  const set = <K extends keyof AuditFilters>(k: K, v: string) => setDraft((d) => ({ ...d, [k]: v }));

  return (
    <div class="page admin-page">
      <h1>{t('admin.audit.heading')}</h1>
      <ChainCheck />
      <form class="admin-filters admin-filters--row" role="search" aria-label={t('admin.filters')} onSubmit={apply}>
        <div class="field">
          <label for="audit-actor">{t('admin.audit.actor')}</label>
          <select id="audit-actor" value={draft.actor} onChange={(e) => set('actor', (e.currentTarget as HTMLSelectElement).value)}>
            <option value="">{t('admin.audit.anyone')}</option>
            {(staff.data ?? []).map((u) => (
              <option key={u.id} value={u.id}>
                {u.username ?? u.id} ({t(`role.${u.role}`)})
              </option>
            ))}
            {draft.actor && !staff.data?.some((u) => u.id === draft.actor) && <option value={draft.actor}>{shortId(draft.actor)}</option>}
          </select>
        </div>
        <div class="field">
          <label for="audit-action">{t('admin.audit.action')}</label>
          <input id="audit-action" list="audit-actions" value={draft.action} autocapitalize="none" spellcheck={false} onInput={(e) => set('action', (e.currentTarget as HTMLInputElement).value.trim())} />
          <datalist id="audit-actions">
            {ACTIONS.map((a) => (
              <option key={a} value={a} />
            ))}
          </datalist>
        </div>
        <div class="field">
          <label for="audit-kind">{t('admin.audit.kind')}</label>
          <select id="audit-kind" value={draft.kind} onChange={(e) => set('kind', (e.currentTarget as HTMLSelectElement).value)}>
            <option value="">{t('admin.all')}</option>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {i18n.lookup(`admin.audit.kind.${k}`) ?? k}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="audit-object">{t('admin.audit.object')}</label>
          <input id="audit-object" value={draft.object} spellcheck={false} autocapitalize="none" placeholder="01a2…" onInput={(e) => set('object', (e.currentTarget as HTMLInputElement).value.trim())} />
        </div>
        <div class="field">
          <label for="audit-from">{t('admin.audit.from')}</label>
          <input id="audit-from" type="date" value={draft.from} onInput={(e) => set('from', (e.currentTarget as HTMLInputElement).value)} />
        </div>
        <div class="field">
          <label for="audit-to">{t('admin.audit.to')}</label>
          <input id="audit-to" type="date" value={draft.to} onInput={(e) => set('to', (e.currentTarget as HTMLInputElement).value)} />
        </div>
        <div class="admin-filters__actions">
          <button type="submit" class="button">
            {t('admin.apply')}
          </button>
          {key && (
            <a class="button button--quiet" href="/console/admin/audit">
              {t('admin.clear')}
            </a>
          )}
        </div>
      </form>
      <p class="admin-field__hint">{t('admin.audit.order_hint')}</p>
      {problem && <ProblemMessage problem={problem} onRetry={() => void load(undefined)} />}
      {!busy && !problem && items.length === 0 && <p class="admin-empty">{t('admin.audit.none')}</p>}
      {items.length > 0 && (
        <div class="admin-table-wrap">
          <table class="admin-table">
            <caption class="visually-hidden">{t('admin.audit.heading')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.audit.seq')}</th>
                <th scope="col">{t('admin.audit.time')}</th>
                <th scope="col">{t('admin.audit.actor')}</th>
                <th scope="col">{t('admin.audit.action')}</th>
                <th scope="col">{t('admin.audit.object_col')}</th>
                <th scope="col">{t('admin.audit.details')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((ev) => (
                <tr key={ev.id}>
                  <td class="num">{ev.seq}</td>
                  <td>
                    <time dateTime={ev.occurred_at}>{formatDateTime(ev.occurred_at, lang)}</time>
                  </td>
                  <td>{who(ev)}</td>
                  <td>
                    <code>{ev.action}</code>
                  </td>
                  <td>
                    {i18n.lookup(`admin.audit.kind.${ev.object_kind}`) ?? ev.object_kind}
                    {ev.object_id && (
                      <>
                        {' '}
                        <a href={`/console/admin/audit${encodeAuditFilters({ ...filters, kind: ev.object_kind, object: ev.object_id })}`} title={ev.object_id}>
                          <code>{shortId(ev.object_id)}</code>
                        </a>
                      </>
                    )}
                  </td>
                  <td>
                    <details class="admin-details">
                      <summary>{t('admin.audit.show')}</summary>
                      <dl class="admin-facts admin-facts--small">
                        <dt>{t('admin.audit.event_id')}</dt>
                        <dd>
                          <code>{ev.id}</code>
                        </dd>
                        <dt>{t('admin.audit.request_id')}</dt>
                        <dd>
                          <code>{ev.request_id}</code>
                        </dd>
                        <dt>{t('admin.audit.hash')}</dt>
                        <dd>
                          <code class="admin-hash">{ev.hash}</code>
                        </dd>
                      </dl>
                      {ev.details && <pre>{pretty(ev.details)}</pre>}
                    </details>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cursor && <MoreButton busy={busy} onMore={() => void load(cursor)} />}
      {busy && items.length === 0 && <p class="admin-empty">{t('state.loading')}</p>}
      {items.length > 0 && <p class="admin-field__hint">{t('admin.audit.shown', { n: formatNumber(items.length, lang) })}</p>}
    </div>
  );
}

/** "Verified up to event N", on demand; a broken chain said plainly, with the event and the problem. */
function ChainCheck() {
  const { api, i18n } = useConsole();
  const { t } = i18n;
  const lang = i18n.lang.value;
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<Verification | undefined>(undefined);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);

  async function run() {
    setBusy(true);
    setProblem(undefined);
    try {
      setResult(await call(api.GET('/v1/admin/audit/verification')));
    } catch (e) {
      setProblem(toProblem(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="admin-chain" aria-labelledby="audit-chain-heading">
      <h2 id="audit-chain-heading">{t('admin.audit.chain')}</h2>
      <p class="admin-field__hint">{t('admin.audit.chain_hint')}</p>
      <button type="button" class="button button--quiet" onClick={() => void run()} disabled={busy} aria-describedby="audit-chain-result">
        {busy ? t('admin.audit.checking') : t('admin.audit.check')}
      </button>
      <div id="audit-chain-result" aria-live="polite">
        {problem && <ProblemMessage problem={problem} onRetry={() => void run()} />}
        {result?.intact && (
          <p class="admin-chain__ok" role="status">
            {t('admin.audit.intact', { n: formatNumber(result.verified_up_to, lang), at: formatDateTime(result.checked_at, lang) })}
          </p>
        )}
        {result && !result.intact && (
          <div class="problem" role="alert">
            <p>
              <strong>{t('admin.audit.broken', { at: result.broken_at ?? '?', n: formatNumber(result.verified_up_to, lang) })}</strong>
            </p>
            {result.broken_event_id && (
              <p>
                {t('admin.audit.broken_event')}: <code>{result.broken_event_id}</code>
              </p>
            )}
            {result.problem && (
              <p>
                {t('admin.audit.broken_problem')}: <span lang="en">{result.problem}</span>
              </p>
            )}
            <p>{t('admin.audit.broken_what_now', { at: formatDateTime(result.checked_at, lang) })}</p>
          </div>
        )}
      </div>
    </section>
  );
}

function pretty(s: string): string {
  try {
    return JSON.stringify(JSON.parse(s), null, 2);
  } catch {
    return s;
  }
}
