// A lead in full: its tips (with their places on a map), the contacts they
// carry, its history; tips added and removed with the lead's version; the
// routing suggestions with their reasons and a forward to one of them with
// a note. The map draws the suggested units' outlines where the caller may
// read them (admins); see units.ts.
import { useEffect, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { call, toProblem, type ApiProblem, type Problem } from '../../shared/api/problem';
import type { Schemas } from '../../shared/api/types';
import { formatAge, formatDateTime } from '../../shared/format/time';
import { ProblemMessage } from '../../shared/ui/ProblemMessage';
import { useConsole } from '../state';
import { ConsoleMap, type MapOutline } from '../map';
import { categoryLabel, rememberLead } from '../queue/reference';
import { ModalForm } from '../tip/dialogs';
import { contactHref, contactKindLabel, leadStatusLabel, statusLabel, who } from '../tip/words';
import { loadUnitAsAdmin, rememberUnit, unitName, units } from './units';

type LeadView = Schemas['LeadView'];
type Suggestion = Schemas['RoutingSuggestion'];

export interface LeadPaneProps {
  id: string;
  me: string;
  admin: boolean;
  knownVersion?: number;
  onChanged(l: LeadView): void;
  onClose(): void;
}

export function LeadPane(p: LeadPaneProps) {
  const { api, i18n, now } = useConsole();
  const { route } = useLocation();
  const { t } = i18n;
  const lang = i18n.lang.value;
  const [lead, setLead] = useState<LeadView | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [actionProblem, setActionProblem] = useState<ApiProblem | null>(null);
  const [routing, setRouting] = useState<Suggestion[] | null>(null);
  const [routingProblem, setRoutingProblem] = useState<Problem | null>(null);
  const [forwardTo, setForwardTo] = useState<Suggestion | null>(null);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [said, setSaid] = useState<string | null>(null);
  const [addRef, setAddRef] = useState('');
  const [notFound, setNotFound] = useState<string | null>(null);

  async function load() {
    setProblem(null);
    try {
      const l = await call(api.GET('/v1/leads/{id}', { params: { path: { id: p.id } } }));
      rememberLead(l.id, l.reference);
      setLead(l);
      if (l.unit_id && p.admin) loadUnitAsAdmin(api, l.unit_id);
      return l;
    } catch (e) {
      setProblem(toProblem(e));
      return null;
    }
  }

  async function loadRouting() {
    setRoutingProblem(null);
    try {
      const r = await call(api.GET('/v1/leads/{id}/routing', { params: { path: { id: p.id } } }));
      for (const s of r.suggestions) {
        rememberUnit({ id: s.unit_id, name_zh: s.name_zh, name_en: s.name_en, kind: s.kind });
        if (p.admin) loadUnitAsAdmin(api, s.unit_id);
      }
      setRouting(r.suggestions);
    } catch (e) {
      setRoutingProblem(toProblem(e));
    }
  }

  useEffect(() => {
    void load();
    void loadRouting();
  }, [p.id]);

  useEffect(() => {
    if (lead && p.knownVersion !== undefined && p.knownVersion > lead.version) void load();
  }, [p.knownVersion]);

  async function act(fn: () => Promise<LeadView>, done?: (l: LeadView) => string) {
    setBusy(true);
    setActionProblem(null);
    try {
      const l = await fn();
      setLead(l);
      p.onChanged(l);
      if (done) setSaid(done(l));
      void loadRouting();
      return true;
    } catch (e) {
      const prob = toProblem(e);
      setActionProblem(prob);
      if (prob.status === 409) void load();
      return false;
    } finally {
      setBusy(false);
    }
  }

  if (!lead) {
    return (
      <div class="tip-pane" aria-busy={problem ? undefined : 'true'}>
        <div class="tip-back">
          <button type="button" class="button button--quiet button--small" onClick={p.onClose}>
            ← {t('tip.back')}
          </button>
        </div>
        {problem ? <ProblemMessage problem={problem} onRetry={() => void load()} /> : <p class="desk-muted">{t('state.loading')}</p>}
      </div>
    );
  }

  const open = lead.status === 'open';
  const unitLabel = (id: string) => unitName(id, lang, t('leads.unit.unknown', { id: id.slice(-4) }));
  const known = units.value;
  const outlines: MapOutline[] = [];
  const outlineIds = new Set<string>([...(routing ?? []).map((s) => s.unit_id), ...(lead.unit_id ? [lead.unit_id] : [])]);
  for (const id of outlineIds) {
    const u = known[id];
    if (u?.jurisdiction) outlines.push({ id, label: unitLabel(id), geometry: u.jurisdiction, tone: id === lead.unit_id ? 'chosen' : 'suggested' });
  }
  const removed = lead.history
    .filter((h) => h.action === 'tip_removed' && h.tip_id && !lead.tips.some((x) => x.id === h.tip_id))
    .map((h) => h.tip_id!)
    .filter((id, i, a) => a.indexOf(id) === i);

  function forward() {
    if (!forwardTo) return;
    const s = forwardTo;
    void act(
      () =>
        call(
          api.POST('/v1/leads/{id}/forward', {
            params: { path: { id: lead!.id } },
            body: { version: lead!.version, unit_id: s.unit_id, ...(note.trim() ? { note: note.trim() } : {}) },
          }),
        ),
      (l) => t('leads.forwarded_to', { ref: l.reference, unit: lang === 'zh-CN' ? s.name_zh : s.name_en }),
    ).then((ok) => {
      if (ok) {
        setForwardTo(null);
        setNote('');
      }
    });
  }

  function removeTip(tipId: string) {
    void act(() =>
      call(api.DELETE('/v1/leads/{id}/tips/{tip_id}', { params: { path: { id: lead!.id, tip_id: tipId }, query: { version: lead!.version } } })),
    );
  }

  /**
   * A tip by reference or id. The API finds tips by id only, so a reference
   * is looked up among the verified tips that share one of the lead's
   * contacts (where a tip for this lead would be).
   */
  async function findAndAdd(v: string) {
    setNotFound(null);
    if (/^[0-9a-f-]{36}$/i.test(v)) return addTip(v.toLowerCase());
    const want = v.toUpperCase();
    for (const c of lead!.contacts.slice(0, 5)) {
      try {
        const page = await call(
          api.GET('/v1/moderation/tips', { params: { query: { status: ['verified'], contact: `${c.kind}:${c.value}`, limit: 100 } } }),
        );
        const hit = page.items.find((x) => x.reference.toUpperCase() === want);
        if (hit) return addTip(hit.id);
      } catch {
        /* try the next contact */
      }
    }
    setNotFound(v);
  }

  function addTip(tipId: string) {
    void act(() => call(api.POST('/v1/leads/{id}/tips', { params: { path: { id: lead!.id } }, body: { version: lead!.version, tip_id: tipId } })));
  }

  return (
    <article class="tip-pane" aria-labelledby="lead-heading">
      <div class="tip-back">
        <button type="button" class="button button--quiet button--small" onClick={p.onClose}>
          ← {t('tip.back')}
        </button>
      </div>
      <header class="tip-head">
        <h2 id="lead-heading" class="tip-head__ref num">
          {lead.reference}
        </h2>
        <span class={`status-label status-label--${lead.status}`}>{leadStatusLabel(t, lead.status)}</span>
        {lead.overdue_since && <span class="status-label status-label--overdue">{t('leads.overdue')}</span>}
        <span>{categoryLabel(lead.category, lang)}</span>
        <time dateTime={lead.created_at} title={formatDateTime(lead.created_at, lang)}>
          {formatAge(lead.created_at, now.value, lang, t('time.just_now'))}
        </time>
      </header>
      {lead.title && <p class="tip-description">{lead.title}</p>}
      {said && (
        <p class="queue-said" role="status">
          {said}
        </p>
      )}
      {actionProblem && <ProblemMessage problem={actionProblem} />}
      {lead.unit_id && (
        <dl class="tip-facts">
          <dt>{t('leads.unit')}</dt>
          <dd>
            <strong>{unitLabel(lead.unit_id)}</strong> · {leadStatusLabel(t, lead.status)}
          </dd>
          {lead.forwarded_at && (
            <>
              <dt>{t('leads.forwarded_at')}</dt>
              <dd>
                <time dateTime={lead.forwarded_at}>{formatDateTime(lead.forwarded_at, lang)}</time>
              </dd>
            </>
          )}
          {lead.due_at && (
            <>
              <dt>{t('leads.due_at')}</dt>
              <dd>
                <time dateTime={lead.due_at}>{formatDateTime(lead.due_at, lang)}</time> ({formatAge(lead.due_at, now.value, lang, t('time.just_now'))})
              </dd>
            </>
          )}
          {lead.outcome_code && (
            <>
              <dt>{t('leads.outcome')}</dt>
              <dd>
                <code>{lead.outcome_code}</code> {lead.public_note}
              </dd>
            </>
          )}
          {lead.internal_note && (
            <>
              <dt>{t('leads.internal_note')}</dt>
              <dd>{lead.internal_note}</dd>
            </>
          )}
        </dl>
      )}

      <section class="tip-section" aria-labelledby="lead-map-h">
        <h3 id="lead-map-h">{t('leads.map')}</h3>
        <ConsoleMap
          label={t('leads.map.label', { ref: lead.reference })}
          points={lead.tips.map((x) => ({ id: x.id, lat: x.lat, lon: x.lon, label: x.reference }))}
          outlines={outlines}
          height="300px"
          onPointClick={(id) => {
            const x = lead.tips.find((tt) => tt.id === id);
            if (x) route(`/console/queue?tab=${x.status}&tip=${id}`);
          }}
          clusterLabel={(n) => t('map.cluster', { n })}
        />
        {!p.admin && (routing?.length ?? 0) > 0 && <p class="desk-hint">{t('leads.map.no_outlines')}</p>}
      </section>

      {open && (
        <section class="tip-section" aria-labelledby="lead-routing-h">
          <h3 id="lead-routing-h">{t('leads.routing')}</h3>
          {routingProblem && <ProblemMessage problem={routingProblem} onRetry={() => void loadRouting()} />}
          {routing === null && !routingProblem && <p class="desk-muted">{t('state.loading')}</p>}
          <ul class="tip-list">
            {(routing ?? []).map((s, i) => (
              <li key={s.unit_id} class="routing">
                <span class="routing__text">
                  <span class="routing__name">
                    <strong>{lang === 'zh-CN' ? s.name_zh : s.name_en}</strong> <span class="desk-muted">{t(`leads.unit_kind.${s.kind}`)}</span>{' '}
                    {i === 0 && <span class="status-label status-label--verified">{t('leads.routing.best')}</span>}
                  </span>
                  <span class="desk-muted routing__reason" lang="en">
                    {s.reason}
                    {s.area_km2 !== undefined && ` · ${t('leads.routing.area', { km2: s.area_km2 < 10 ? s.area_km2.toFixed(2) : Math.round(s.area_km2) })}`}
                  </span>
                </span>
                <button type="button" class={i === 0 ? 'button button--small' : 'button button--quiet button--small'} disabled={busy} onClick={() => setForwardTo(s)}>
                  {t('leads.forward_to', { unit: lang === 'zh-CN' ? s.name_zh : s.name_en })}
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}

      <section class="tip-section" aria-labelledby="lead-tips-h">
        <h3 id="lead-tips-h">{t('leads.tips', { n: lead.tips.length })}</h3>
        <ul class="tip-list">
          {lead.tips.map((x) => (
            <li key={x.id} class="lead-tip">
              <span class="lead-tip__text">
                <a class="num" href={`/console/queue?tab=${x.status}&tip=${x.id}`}>
                  {x.reference}
                </a>{' '}
                <span class={`status-label status-label--${x.status}`}>{statusLabel(t, x.status)}</span>{' '}
                <span class="desk-muted">{x.address ?? `${x.lat.toFixed(4)}, ${x.lon.toFixed(4)}`}</span>
                {x.description && <span class="lead-tip__description">{x.description}</span>}
              </span>
              {open && lead.tips.length > 1 && (
                <button
                  type="button"
                  class="button button--quiet button--small"
                  disabled={busy}
                  aria-label={t('leads.remove_tip', { ref: x.reference })}
                  onClick={() => removeTip(x.id)}
                >
                  {t('leads.remove')}
                </button>
              )}
            </li>
          ))}
        </ul>
        {open && (
          <form
            class="queue-filters__pair lead-add"
            onSubmit={(e) => {
              e.preventDefault();
              void findAndAdd(addRef.trim());
            }}
          >
            <label for="lead-add-tip">{t('leads.add_tip')}</label>
            <input id="lead-add-tip" class="num" value={addRef} placeholder={t('leads.add_tip_placeholder')} onInput={(e) => setAddRef(e.currentTarget.value)} />
            <button type="submit" class="button button--small" disabled={busy || !addRef.trim()}>
              {t('leads.add')}
            </button>
          </form>
        )}
        {notFound && (
          <p class="desk-hint desk-hint--error" role="alert">
            {t('leads.add_not_found', { ref: notFound })}
          </p>
        )}
        {open && removed.length > 0 && (
          <p class="desk-muted">
            {t('leads.removed_tips')}{' '}
            {removed.map((id) => (
              <button key={id} type="button" class="button button--quiet button--small" disabled={busy} onClick={() => addTip(id)}>
                {t('leads.readd', { id: id.slice(-4) })}
              </button>
            ))}
          </p>
        )}
      </section>

      <section class="tip-section" aria-labelledby="lead-contacts-h">
        <h3 id="lead-contacts-h">{t('tip.contacts')}</h3>
        <ul class="tip-list">
          {lead.contacts.map((c) => (
            <li key={`${c.kind}:${c.value}`}>
              <span class="contact-kind">{contactKindLabel(t, c.kind)}</span> <span class="num contact-value">{c.value}</span>{' '}
              <span class="desk-muted">{t(c.tips === 1 ? 'leads.contact.tips_one' : 'leads.contact.tips', { n: c.tips })}</span> <a href={contactHref(c)}>{t('tip.contact.cluster')}</a>
            </li>
          ))}
        </ul>
      </section>

      <section class="tip-section" aria-labelledby="lead-history-h">
        <h3 id="lead-history-h">{t('leads.history')}</h3>
        <ol class="tip-timeline">
          {lead.history.map((h, i) => (
            <li key={i}>
              <time dateTime={h.at}>{formatDateTime(h.at, lang)}</time> <strong>{t(`leads.action.${h.action}`)}</strong>
              {h.actor_id && <span class="desk-muted"> · {who(t, h.actor_id, p.me)}</span>}
              {h.unit_id && <span> · {unitLabel(h.unit_id)}</span>}
              {h.note && <p class="desk-muted">{h.note}</p>}
            </li>
          ))}
        </ol>
      </section>

      {forwardTo && (
        <ModalForm
          title={t('leads.forward.title', { ref: lead.reference })}
          submitLabel={t('leads.forward_to', { unit: lang === 'zh-CN' ? forwardTo.name_zh : forwardTo.name_en })}
          busy={busy}
          problem={actionProblem}
          onClose={() => setForwardTo(null)}
          onSubmit={forward}
        >
          <p>
            <strong>{lang === 'zh-CN' ? forwardTo.name_zh : forwardTo.name_en}</strong> · <span class="desk-muted">{forwardTo.reason}</span>
          </p>
          <div class="field">
            <label for="forward-note">{t('leads.forward.note')}</label>
            <textarea id="forward-note" rows={3} maxLength={2000} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
          </div>
        </ModalForm>
      )}
    </article>
  );
}
