// A lead in full, as the unit gets it: its tips' text, places on the map,
// display photos, the contacts they carry, the unit's history — never who
// reported (the API sends nothing of them). Accept a forwarded lead or
// return it with a reason; on an accepted one, progress notes, and the
// resolve form: an outcome from the list, the public note (reporters read
// it, and the form says so beside it) and the internal note. An error is
// said where the action is; what was typed stays.
import { useEffect, useState } from 'preact/hooks';
import { call, toProblem, type Problem } from '../../shared/api/problem';
import type { Schemas } from '../../shared/api/types';
import { formatDateTime } from '../../shared/format/time';
import { ProblemMessage } from '../../shared/ui/ProblemMessage';
import { ConsoleMap } from '../map';
import { categoryLabel } from '../queue/reference';
import { useConsole } from '../state';
import { ModalForm } from '../tip/dialogs';
import { Photos } from '../tip/Photos';
import { contactKindLabel } from '../tip/words';
import { deadlineText, isOverdue } from './deadline';

type Lead = Schemas['UnitLeadView'];
export type Outcome = Schemas['OutcomeView'];
type Action = 'accept' | 'progress' | 'resolve' | 'return';

export interface InboxLeadProps {
  id: string;
  outcomes: Outcome[] | null;
  outcomesProblem: Problem | null;
  onRetryOutcomes(): void;
  /** The newest version the list has seen (a live event): read again when newer. */
  knownVersion?: number;
  /** The lead left the unit meanwhile (returned by a colleague). */
  gone: boolean;
  onChanged(l: Lead): void;
  onReturned(id: string): void;
  onClose(): void;
}

export function outcomeLabel(outcomes: readonly Outcome[] | null, code: string, lang: string): string {
  const o = outcomes?.find((x) => x.code === code);
  if (!o) return code;
  return lang === 'zh-CN' ? o.label_zh : o.label_en;
}

export function InboxLead(p: InboxLeadProps) {
  const { api, i18n, now } = useConsole();
  const { t } = i18n;
  const lang = i18n.lang.value;
  const [lead, setLead] = useState<Lead | null>(null);
  const [loadProblem, setLoadProblem] = useState<Problem | null>(null);
  const [failed, setFailed] = useState<{ where: Action; problem: Problem } | null>(null);
  const [busy, setBusy] = useState<Action | null>(null);
  const [said, setSaid] = useState<string | null>(null);
  const [returned, setReturned] = useState<string | null>(null);
  // What the officer types: kept through errors and re-reads.
  const [progress, setProgress] = useState('');
  const [outcome, setOutcome] = useState('');
  const [publicNote, setPublicNote] = useState('');
  const [internalNote, setInternalNote] = useState('');
  const [returning, setReturning] = useState(false);
  const [reason, setReason] = useState('');

  async function load() {
    setLoadProblem(null);
    try {
      const l = await call(api.GET('/v1/unit/leads/{id}', { params: { path: { id: p.id } } }));
      setLead(l);
      return l;
    } catch (e) {
      setLoadProblem(toProblem(e));
      return null;
    }
  }

  useEffect(() => void load(), [p.id]);
  useEffect(() => {
    if (lead && p.knownVersion !== undefined && p.knownVersion > lead.version) void load();
  }, [p.knownVersion]);

  async function act(where: Action, fn: () => Promise<Lead | null>, done: string): Promise<boolean> {
    setBusy(where);
    setFailed(null);
    setSaid(null);
    try {
      const l = (await fn()) ?? (await call(api.GET('/v1/unit/leads/{id}', { params: { path: { id: p.id } } })));
      setLead(l);
      p.onChanged(l);
      setSaid(done);
      return true;
    } catch (e) {
      const problem = toProblem(e);
      setFailed({ where, problem });
      // Someone changed it first: show it as it now is (the form keeps its text).
      if (problem.status === 409) void load();
      return false;
    } finally {
      setBusy(null);
    }
  }

  const back = (
    <div class="tip-back">
      <button type="button" class="button button--quiet button--small" onClick={p.onClose}>
        ← {t('inbox.back')}
      </button>
    </div>
  );

  if (returned) {
    return (
      <div class="tip-pane">
        {back}
        <p class="queue-said" role="status">
          {returned}
        </p>
      </div>
    );
  }

  const notFound = loadProblem?.status === 404 || (failed?.problem.status === 404 && !returned);
  if (notFound || (p.gone && !lead)) {
    return (
      <div class="tip-pane">
        {back}
        <div class="inbox-missing" role="alert">
          <h2>{t('inbox.not_found.heading')}</h2>
          <p>{t('inbox.not_found.text')}</p>
        </div>
      </div>
    );
  }

  if (!lead) {
    return (
      <div class="tip-pane" aria-busy={loadProblem ? undefined : 'true'}>
        {back}
        {loadProblem ? <ProblemMessage problem={loadProblem} onRetry={() => void load()} /> : <p class="desk-muted">{t('state.loading')}</p>}
      </div>
    );
  }

  const l = lead;
  const problemAt = (where: Action) => (failed?.where === where ? <ProblemMessage problem={failed.problem} /> : null);
  const deadline = deadlineText(l, now.value, t);
  const overdue = isOverdue(l, now.value);
  const chosen = p.outcomes?.find((o) => o.code === outcome) ?? null;
  const resolvedOutcome = l.outcome_code ? p.outcomes?.find((o) => o.code === l.outcome_code) : undefined;

  function accept() {
    void act('accept', () => call(api.POST('/v1/unit/leads/{id}/accept', { params: { path: { id: l.id } }, body: { version: l.version } })), t('inbox.said.accepted', { ref: l.reference }));
  }

  function addProgress(e: Event) {
    e.preventDefault();
    const note = progress.trim();
    if (!note || busy) return;
    void act(
      'progress',
      async () => {
        await call(api.POST('/v1/unit/leads/{id}/progress', { params: { path: { id: l.id } }, body: { note } }));
        return null;
      },
      t('inbox.said.progress'),
    ).then((ok) => ok && setProgress(''));
  }

  function resolve(e: Event) {
    e.preventDefault();
    if (!outcome || busy) return;
    void act(
      'resolve',
      () =>
        call(
          api.POST('/v1/unit/leads/{id}/resolve', {
            params: { path: { id: l.id } },
            body: {
              version: l.version,
              outcome,
              ...(publicNote.trim() ? { public_note: publicNote.trim() } : {}),
              ...(internalNote.trim() ? { internal_note: internalNote.trim() } : {}),
            },
          }),
        ),
      t('inbox.said.resolved', { ref: l.reference }),
    ).then((ok) => {
      if (!ok) return;
      setOutcome('');
      setPublicNote('');
      setInternalNote('');
    });
  }

  async function giveBack() {
    const why = reason.trim();
    if (!why) return;
    setBusy('return');
    setFailed(null);
    try {
      await call(api.POST('/v1/unit/leads/{id}/return', { params: { path: { id: l.id } }, body: { version: l.version, reason: why } }));
      setReturning(false);
      setReturned(t('inbox.said.returned', { ref: l.reference }));
      p.onReturned(l.id);
    } catch (e) {
      const problem = toProblem(e);
      setFailed({ where: 'return', problem });
      if (problem.status === 409) void load();
    } finally {
      setBusy(null);
    }
  }

  return (
    <article class="tip-pane inbox-lead" aria-labelledby="inbox-lead-heading">
      {back}
      <header class="tip-head">
        <h2 id="inbox-lead-heading" class="tip-head__ref num">
          {l.reference}
        </h2>
        <span class={`status-label status-label--${l.status}`}>{t(`inbox.status.${l.status}` as 'inbox.status.forwarded')}</span>
        {overdue && <span class="status-label status-label--overdue">{t('leads.overdue')}</span>}
        <span>{categoryLabel(l.category, lang)}</span>
      </header>
      {l.title && <p class="tip-description">{l.title}</p>}
      {deadline && (
        <p class={deadline.over ? 'inbox-deadline inbox-deadline--over' : 'inbox-deadline'}>
          {t(l.status === 'forwarded' ? 'inbox.deadline.accept' : 'inbox.deadline.resolve')}{' '}
          <time dateTime={l.due_at}>{formatDateTime(l.due_at!, lang)}</time> · <strong>{deadline.text}</strong>
        </p>
      )}
      <dl class="tip-facts">
        <When label={t('leads.forwarded_at')} at={l.forwarded_at} />
        <When label={t('inbox.accepted_at')} at={l.accepted_at} />
      </dl>
      {p.gone && (
        <p class="desk-hint desk-hint--error" role="alert">
          {t('inbox.gone')}
        </p>
      )}
      <div role="status">
        {said && <p class="queue-said">{said}</p>}
      </div>

      {l.status === 'forwarded' && !p.gone && (
        <div class="action-bar" role="group" aria-label={t('inbox.actions')}>
          <button type="button" class="button action-bar__button" disabled={!!busy} aria-busy={busy === 'accept' ? 'true' : undefined} onClick={accept}>
            {t('inbox.accept')}
          </button>
          <button type="button" class="button button--quiet action-bar__button" disabled={!!busy} onClick={() => setReturning(true)}>
            {t('inbox.return')}
          </button>
        </div>
      )}
      {problemAt('accept')}

      {l.status === 'resolved' && (
        <section class="tip-section" aria-labelledby="inbox-outcome-h">
          <h3 id="inbox-outcome-h">{t('inbox.outcome')}</h3>
          <dl class="tip-facts">
            <dt>{t('inbox.outcome.code')}</dt>
            <dd>{l.outcome_code ? outcomeLabel(p.outcomes, l.outcome_code, lang) : '—'}</dd>
            {resolvedOutcome && (
              <>
                <dt>{t('inbox.outcome.public_text')}</dt>
                <dd>{lang === 'zh-CN' ? resolvedOutcome.public_zh : resolvedOutcome.public_en}</dd>
              </>
            )}
            <dt>{t('inbox.public_note')}</dt>
            <dd data-testid="inbox-public-note">{l.public_note ?? '—'}</dd>
            <dt>{t('inbox.internal_note')}</dt>
            <dd data-testid="inbox-internal-note">{l.internal_note ?? '—'}</dd>
            <When label={t('inbox.resolved_at')} at={l.resolved_at} />
          </dl>
        </section>
      )}

      <section class="tip-section" aria-labelledby="inbox-tips-h">
        <h3 id="inbox-tips-h">{t('inbox.tips', { n: l.tips.length })}</h3>
        <ol class="tip-list inbox-tips">
          {l.tips.map((x) => (
            <li key={x.reference}>
              <p class="inbox-tip__head">
                <span class="num">{x.reference}</span> <span class="desk-muted">{categoryLabel(x.category, lang)}</span>
              </p>
              <Photos photos={x.photos} reference={x.reference} />
              {x.description && <p class="tip-description">{x.description}</p>}
              <dl class="tip-facts">
                <dt>{t('tip.place')}</dt>
                <dd>
                  {x.address && <>{x.address} · </>}
                  <span class="num">
                    {x.lat.toFixed(5)}, {x.lon.toFixed(5)}
                  </span>
                </dd>
                <When label={t('tip.occurred_at')} at={x.occurred_at} />
                <When label={t('tip.submitted_at')} at={x.submitted_at} />
              </dl>
            </li>
          ))}
        </ol>
      </section>

      <section class="tip-section" aria-labelledby="inbox-map-h">
        <h3 id="inbox-map-h">{t('leads.map')}</h3>
        <ConsoleMap
          label={t('inbox.map.label', { ref: l.reference })}
          points={l.tips.map((x) => ({ id: x.reference, lat: x.lat, lon: x.lon, label: x.reference, tone: 'current' as const }))}
          height="280px"
          clusterLabel={(n) => t('map.cluster', { n })}
        />
      </section>

      <section class="tip-section" aria-labelledby="inbox-contacts-h">
        <h3 id="inbox-contacts-h">{t('inbox.contacts')}</h3>
        {l.contacts.length === 0 ? (
          <p class="desk-muted">{t('tip.contacts.none')}</p>
        ) : (
          <ul class="tip-list">
            {l.contacts.map((c) => (
              <li key={`${c.kind}:${c.value}`}>
                <span class="contact-kind">{contactKindLabel(t, c.kind)}</span> <span class="num contact-value">{c.value}</span>{' '}
                <span class="desk-muted">{t(c.tips === 1 ? 'leads.contact.tips_one' : 'leads.contact.tips', { n: c.tips })}</span>
              </li>
            ))}
          </ul>
        )}
      </section>

      {l.status === 'accepted' && !p.gone && (
        <>
          <section class="tip-section" aria-labelledby="inbox-progress-h">
            <h3 id="inbox-progress-h">{t('inbox.progress')}</h3>
            <form class="tip-note-form" onSubmit={addProgress}>
              <NoteField id="inbox-progress" label={t('inbox.progress.label')} hint={t('inbox.progress.hint')} max={4000} value={progress} onInput={setProgress} />
              <button type="submit" class="button button--small" disabled={!!busy || !progress.trim()} aria-busy={busy === 'progress' ? 'true' : undefined}>
                {t('inbox.progress.add')}
              </button>
              {problemAt('progress')}
            </form>
          </section>

          <section class="tip-section" aria-labelledby="inbox-resolve-h">
            <h3 id="inbox-resolve-h">{t('inbox.resolve')}</h3>
            <form class="tip-note-form inbox-resolve" onSubmit={resolve} aria-labelledby="inbox-resolve-h">
              <label for="inbox-outcome">{t('inbox.resolve.outcome')}</label>
              {p.outcomesProblem && <ProblemMessage problem={p.outcomesProblem} onRetry={p.onRetryOutcomes} />}
              <select id="inbox-outcome" required value={outcome} onChange={(e) => setOutcome(e.currentTarget.value)} aria-describedby="inbox-outcome-text">
                <option value="">{p.outcomes ? t('inbox.resolve.choose') : t('state.loading')}</option>
                {(p.outcomes ?? []).map((o) => (
                  <option key={o.code} value={o.code}>
                    {lang === 'zh-CN' ? o.label_zh : o.label_en}
                  </option>
                ))}
              </select>
              <p id="inbox-outcome-text" class="desk-hint">
                {chosen ? t('inbox.resolve.outcome_text', { text: lang === 'zh-CN' ? chosen.public_zh : chosen.public_en }) : t('inbox.resolve.outcome_hint')}
              </p>

              <NoteField
                id="inbox-public-note"
                label={t('inbox.public_note')}
                hint={t('inbox.public_note.hint')}
                loud
                max={1000}
                value={publicNote}
                onInput={setPublicNote}
              />
              <NoteField
                id="inbox-internal-note"
                label={t('inbox.internal_note')}
                hint={t('inbox.internal_note.hint')}
                max={4000}
                value={internalNote}
                onInput={setInternalNote}
              />
              <button type="submit" class="button" disabled={!!busy || !outcome} aria-busy={busy === 'resolve' ? 'true' : undefined}>
                {t('inbox.resolve.submit')}
              </button>
              {problemAt('resolve')}
            </form>
          </section>
        </>
      )}

      <section class="tip-section" aria-labelledby="inbox-history-h">
        <h3 id="inbox-history-h">{t('leads.history')}</h3>
        <ol class="tip-timeline" aria-labelledby="inbox-history-h">
          {l.history.map((h, i) => (
            <li key={i}>
              <time dateTime={h.at}>{formatDateTime(h.at, lang)}</time> <strong>{t(`leads.action.${h.action}`)}</strong>
              {h.note && <p>{h.note}</p>}
            </li>
          ))}
        </ol>
      </section>

      {returning && (
        <ModalForm
          title={t('inbox.return.title', { ref: l.reference })}
          submitLabel={t('inbox.return.submit')}
          busy={busy === 'return'}
          problem={failed?.where === 'return' ? failed.problem : null}
          initialFocus="first-field"
          submitDisabled={!reason.trim()}
          onClose={() => setReturning(false)}
          onSubmit={() => void giveBack()}
        >
          <div class="field">
            <NoteField id="inbox-return-reason" label={t('inbox.return.reason')} hint={t('inbox.return.hint')} max={2000} value={reason} onInput={setReason} />
          </div>
        </ModalForm>
      )}
    </article>
  );
}

/** A labelled text area with its hint (read as its description) above it; `loud` when reporters will read what is typed. */
function NoteField(p: { id: string; label: string; hint: string; loud?: boolean; max: number; value: string; onInput(v: string): void }) {
  return (
    <>
      <label for={p.id}>{p.label}</label>
      <p id={`${p.id}-hint`} class={p.loud ? 'inbox-reporters-read' : 'desk-hint'}>
        {p.hint}
      </p>
      <textarea id={p.id} rows={3} maxLength={p.max} value={p.value} aria-describedby={`${p.id}-hint`} onInput={(e) => p.onInput(e.currentTarget.value)} />
    </>
  );
}

/** A moment of the lead's, as a term and its time (UTC+8); nothing when it has not happened. */
function When({ label, at }: { label: string; at: string | undefined }) {
  const lang = useConsole().i18n.lang.value;
  if (!at) return null;
  return (
    <>
      <dt>{label}</dt>
      <dd>
        <time dateTime={at}>{formatDateTime(at, lang)}</time>
      </dd>
    </>
  );
}
