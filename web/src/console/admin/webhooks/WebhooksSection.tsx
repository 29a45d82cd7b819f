// Units' webhook events, newest first, with where each delivery stands:
// attempts, the last status code and error, the next attempt; a failed one
// can be queued again. Filters (unit, status) live in the URL.

import { useEffect, useRef, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { useConsole } from '../../state';
import { ProblemMessage } from '../../../shared/ui/ProblemMessage';
import { call, toProblem, type Problem } from '../../../shared/api/problem';
import { formatAge, formatDateTime } from '../../../shared/format/time';
import type { Schemas } from '../../../shared/api/types';
import type { SectionProps } from '../AdminPage';
import { allUnits, unitName, useLoad } from '../data';
import { Badge, MoreButton } from '../ui';

type Event = Schemas['WebhookEventView'];
type Status = Schemas['WebhookEventStatus'];
const STATUSES: readonly Status[] = ['pending', 'delivered', 'failed'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TONE: Record<Status, 'info' | 'ok' | 'bad'> = { pending: 'info', delivered: 'ok', failed: 'bad' };

export function WebhooksSection(_: SectionProps) {
  const { api, i18n, now } = useConsole();
  const { t } = i18n;
  const lang = i18n.lang.value;
  const { query, route } = useLocation();
  const unit = UUID.test(query.unit ?? '') ? query.unit! : '';
  const status = (STATUSES as readonly string[]).includes(query.status ?? '') ? (query.status as Status) : '';
  const units = useLoad(allUnits);
  const [items, setItems] = useState<Event[]>([]);
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(true);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const [retrying, setRetrying] = useState<string | null>(null);
  const [rowProblem, setRowProblem] = useState<{ id: string; problem: Problem } | undefined>(undefined);
  const gen = useRef(0);

  async function load(from: string | undefined) {
    const g = ++gen.current;
    setBusy(true);
    setProblem(undefined);
    if (!from) setItems([]);
    try {
      const page = await call(
        api.GET('/v1/admin/webhook-events', {
          params: { query: { limit: 50, ...(unit ? { unit_id: unit } : {}), ...(status ? { status } : {}), ...(from ? { cursor: from } : {}) } },
        }),
      );
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
  }, [unit, status]);

  function setFilter(next: { unit?: string; status?: string }) {
    const p = new URLSearchParams();
    const u = next.unit ?? unit;
    const s = next.status ?? status;
    if (u) p.set('unit', u);
    if (s) p.set('status', s);
    const q = p.toString();
    route(`/console/admin/webhooks${q ? `?${q}` : ''}`, true);
  }

  async function retry(ev: Event) {
    setRetrying(ev.id);
    setRowProblem(undefined);
    try {
      const updated = await call(api.POST('/v1/admin/webhook-events/{id}/retry', { params: { path: { id: ev.id } } }));
      setItems((l) => l.map((x) => (x.id === ev.id ? updated : x)));
    } catch (e) {
      setRowProblem({ id: ev.id, problem: toProblem(e) });
    } finally {
      setRetrying(null);
    }
  }

  const unitLabel = (id: string) => {
    const u = units.data?.find((x) => x.id === id);
    return u ? unitName(u, lang) : id;
  };
  const n = now.value;

  return (
    <div class="page admin-page">
      <h1>{t('admin.webhooks.heading')}</h1>
      <div class="admin-filters admin-filters--row" role="search" aria-label={t('admin.filters')}>
        <div class="field">
          <label for="webhooks-unit">{t('admin.webhooks.unit')}</label>
          <select id="webhooks-unit" value={unit} onChange={(e) => setFilter({ unit: (e.currentTarget as HTMLSelectElement).value })}>
            <option value="">{t('admin.all')}</option>
            {(units.data ?? []).map((u) => (
              <option key={u.id} value={u.id}>
                {unitName(u, lang)}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="webhooks-status">{t('admin.webhooks.status')}</label>
          <select id="webhooks-status" value={status} onChange={(e) => setFilter({ status: (e.currentTarget as HTMLSelectElement).value })}>
            <option value="">{t('admin.all')}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`admin.webhooks.status.${s}`)}
              </option>
            ))}
          </select>
        </div>
      </div>
      {problem && <ProblemMessage problem={problem} onRetry={() => void load(undefined)} />}
      {!busy && !problem && items.length === 0 && <p class="admin-empty">{t('admin.webhooks.none')}</p>}
      {items.length > 0 && (
        <div class="admin-table-wrap">
          <table class="admin-table">
            <caption class="visually-hidden">{t('admin.webhooks.heading')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.webhooks.event')}</th>
                <th scope="col">{t('admin.webhooks.unit')}</th>
                <th scope="col">{t('admin.webhooks.status')}</th>
                <th scope="col">{t('admin.webhooks.attempts')}</th>
                <th scope="col">{t('admin.webhooks.last')}</th>
                <th scope="col">{t('admin.webhooks.next')}</th>
                <th scope="col">
                  <span class="visually-hidden">{t('admin.webhooks.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((ev) => (
                <tr key={ev.id}>
                  <td>
                    {t(`admin.webhooks.kind.${ev.event}`)} <code class="admin-code-small">{ev.event}</code>
                    <details class="admin-details">
                      <summary>{t('admin.webhooks.payload')}</summary>
                      <p class="admin-field__hint">
                        {t('admin.webhooks.event_id')}: <code>{ev.id}</code>
                      </p>
                      <pre>{pretty(ev.payload)}</pre>
                    </details>
                  </td>
                  <td>{unitLabel(ev.unit_id)}</td>
                  <td>
                    <Badge tone={TONE[ev.status]}>{t(`admin.webhooks.status.${ev.status}`)}</Badge>
                  </td>
                  <td class="num">{ev.attempts}</td>
                  <td>
                    {ev.last_status_code !== undefined && <span class="num">HTTP {ev.last_status_code}</span>}
                    {ev.last_error && (
                      <span class="admin-error-text" lang="en">
                        {ev.last_error}
                      </span>
                    )}
                    {ev.last_status_code === undefined && !ev.last_error && '—'}
                  </td>
                  <td>
                    {ev.status === 'pending' ? (
                      <time dateTime={ev.next_attempt_at} title={formatDateTime(ev.next_attempt_at, lang)}>
                        {formatAge(ev.next_attempt_at, n, lang, t('time.just_now'))}
                      </time>
                    ) : ev.delivered_at ? (
                      <time dateTime={ev.delivered_at}>{t('admin.webhooks.delivered_at', { at: formatDateTime(ev.delivered_at, lang) })}</time>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td>
                    {ev.status === 'failed' && (
                      <button type="button" class="button button--quiet" disabled={retrying === ev.id} onClick={() => void retry(ev)}>
                        {t('admin.webhooks.retry')}
                      </button>
                    )}
                    {rowProblem?.id === ev.id && <ProblemMessage problem={rowProblem.problem} />}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cursor && <MoreButton busy={busy} onMore={() => void load(cursor)} />}
      {busy && items.length === 0 && <p class="admin-empty">{t('state.loading')}</p>}
    </div>
  );
}

function pretty(payload: string): string {
  try {
    return JSON.stringify(JSON.parse(payload), null, 2);
  } catch {
    return payload;
  }
}
