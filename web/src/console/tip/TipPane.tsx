// A tip in full, beside the queue (or in its place on a narrow screen):
// the action bar (each action with its key), photos, place on a map,
// contacts and how far they reach, leads to add it to, similar photos, the
// conversation, internal notes, the public timeline and the audit trail.
// A decision carries the version shown; one that lost a race says so and
// the tip is read again, so what is shown is what is now true.
import { useEffect, useRef, useState } from 'preact/hooks';
import { call, toProblem, type ApiProblem, type Problem } from '../../shared/api/problem';
import { describeProblem } from '../../shared/api/describe';
import { ProblemMessage } from '../../shared/ui/ProblemMessage';
import type { Schemas } from '../../shared/api/types';
import { formatAge, formatClock, formatDateTime } from '../../shared/format/time';
import { useShortcut } from '../../shared/shortcuts/preact';
import { keyLabel } from '../../shared/shortcuts/shortcuts';
import { useConsole } from '../state';
import { ConsoleMap } from '../map';
import { categoryLabel, leadRef, rememberLead, rememberRejectReason } from '../queue/reference';
import { claim, decide, release, type Decision, type TipState } from './decide';
import { AskDialog, DuplicateDialog, RejectDialog, VerifyDialog, type DuplicateCandidate, type VerifyChoice } from './dialogs';
import { Photos } from './Photos';
import { boxesOf, Suggestions } from './Suggestions';
import { claimText, contactHref, contactKindLabel, leadStatusLabel, queueHrefForContact, statusLabel, who } from './words';

export type ModeratorTip = Schemas['ModeratorTip'];
type LeadRef = Schemas['LeadRef'];

export interface TipPaneProps {
  id: string;
  me: string;
  /** The version the queue last heard of: newer than shown means re-read. */
  knownVersion?: number;
  /** Who changed it last, as the live feed said (null: the reporter or the service). */
  changedBy?: string | null;
  /** A decision was made here. */
  onDecided(before: ModeratorTip, after: TipState, d: Decision): void;
  /** A claim or release here, or a fresh read: the queue's row follows. */
  onState(s: TipState): void;
  /** The tip's contacts changed here (a suggestion confirmed): the queue's row follows. */
  onContacts?(id: string, contacts: Schemas['ContactOut'][]): void;
  /** Back to the list (narrow screens). */
  onClose(): void;
  /** The lead this moderator verified into last, offered first when open. */
  lastLead: LeadRef | null;
  /** Tips the desk knows by reference, for "duplicate of TL-…". */
  lookup(reference: string): DuplicateCandidate | null;
}

type Dialog = 'verify' | 'reject' | 'ask' | 'duplicate' | null;

const KEY = { claim: 'c', verify: 'v', reject: 'r', ask: 'a', duplicate: 'd', note: 'n' } as const;

export function TipPane(p: TipPaneProps) {
  const { api, i18n, now } = useConsole();
  const { t } = i18n;
  const lang = i18n.lang.value;
  const [tip, setTip] = useState<ModeratorTip | null>(null);
  const [loadProblem, setLoadProblem] = useState<Problem | null>(null);
  const [conflict, setConflict] = useState<ApiProblem | null>(null);
  const [changedNotice, setChangedNotice] = useState<string | null>(null);
  const [dialog, setDialog] = useState<Dialog>(null);
  const [busy, setBusy] = useState(false);
  const [dialogProblem, setDialogProblem] = useState<Problem | null>(null);
  const [actionProblem, setActionProblem] = useState<Problem | null>(null);
  const [reporter, setReporter] = useState<Schemas['ReporterContact'] | null>(null);
  /** The suggestion pointed at in the list: its box is highlighted on the photo. */
  const [pointed, setPointed] = useState<string | null>(null);
  const note = useRef<HTMLTextAreaElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const gen = useRef(0);

  async function load(quiet = false) {
    const g = ++gen.current;
    if (!quiet) setLoadProblem(null);
    try {
      const t0 = await call(api.GET('/v1/moderation/tips/{id}', { params: { path: { id: p.id } } }));
      if (g !== gen.current) return null;
      setTip(t0);
      if (t0.lead) rememberLead(t0.lead.id, t0.lead.reference);
      for (const l of t0.suggested_leads) rememberLead(l.id, l.reference);
      p.onState({
        id: t0.id,
        status: t0.status,
        version: t0.version,
        ...(t0.claimed_by ? { claimed_by: t0.claimed_by } : {}),
        ...(t0.claim_expires_at ? { claim_expires_at: t0.claim_expires_at } : {}),
        ...(t0.lead ? { lead_id: t0.lead.id } : {}),
      });
      return t0;
    } catch (e) {
      if (g === gen.current) setLoadProblem(toProblem(e));
      return null;
    }
  }

  useEffect(() => {
    setTip(null);
    setConflict(null);
    setChangedNotice(null);
    setDialog(null);
    setActionProblem(null);
    setReporter(null);
    setPointed(null);
    void load();
  }, [p.id]);

  // Someone else changed it while it is open: read it again, and say so.
  useEffect(() => {
    if (!tip || p.knownVersion === undefined || p.knownVersion <= tip.version) return;
    if (p.changedBy !== p.me) setChangedNotice(who(t, p.changedBy ?? undefined, p.me));
    void load(true);
  }, [p.knownVersion]);

  const claimedByOther = !!tip?.claimed_by && tip.claimed_by !== p.me && Date.parse(tip.claim_expires_at ?? '') > now.value;
  const mine = !!tip?.claimed_by && tip.claimed_by === p.me && tip.status === 'in_review';
  const open = tip ? tip.status === 'submitted' || tip.status === 'in_review' : false;

  async function lost(e: unknown) {
    const prob = toProblem(e);
    if (prob.status === 409 || prob.status === 404) {
      setDialog(null);
      setConflict(prob);
      await load(true);
      return true;
    }
    return false;
  }

  async function run(d: Decision) {
    if (!tip) return;
    setBusy(true);
    setDialogProblem(null);
    setConflict(null);
    try {
      const after = await decide(api, tip, p.me, d);
      if (d.kind === 'reject') rememberRejectReason(d.reason);
      setDialog(null);
      p.onDecided(tip, after, d);
    } catch (e) {
      if (!(await lost(e))) setDialogProblem(toProblem(e));
    } finally {
      setBusy(false);
    }
  }

  async function doClaim(fn: typeof claim | typeof release) {
    if (!tip) return;
    setBusy(true);
    setConflict(null);
    setActionProblem(null);
    try {
      const s = await fn(api, tip.id);
      setTip({ ...tip, ...s, claimed_by: s.claimed_by, claim_expires_at: s.claim_expires_at } as ModeratorTip);
      p.onState(s);
    } catch (e) {
      if (!(await lost(e))) setActionProblem(toProblem(e));
    } finally {
      setBusy(false);
    }
  }

  function openDialog(d: Exclude<Dialog, null>) {
    if (!tip || busy) return;
    setDialogProblem(null);
    setDialog(d);
  }

  const ready = !!tip && !busy && dialog === null;
  useShortcut('tip.claim', () => tip && open && doClaim(claim), ready);
  useShortcut('tip.verify', () => open && openDialog('verify'), ready);
  useShortcut('tip.reject', () => open && openDialog('reject'), ready);
  useShortcut('tip.ask', () => open && openDialog('ask'), ready);
  useShortcut('tip.duplicate', () => open && openDialog('duplicate'), ready);
  useShortcut('tip.note', () => note.current?.focus(), ready);

  if (loadProblem && !tip) {
    return (
      <div class="tip-pane">
        <BackBar onClose={p.onClose} />
        <ProblemMessage problem={loadProblem} onRetry={() => void load()} />
      </div>
    );
  }
  if (!tip) {
    return (
      <div class="tip-pane" aria-busy="true">
        <BackBar onClose={p.onClose} />
        <p class="desk-muted">{t('state.loading')}</p>
      </div>
    );
  }

  // Leads to offer: open ones with the same contact, then the last one used.
  const offers: LeadRef[] = tip.suggested_leads.filter((l) => l.status === 'open');
  if (p.lastLead && p.lastLead.status === 'open' && !offers.some((l) => l.id === p.lastLead!.id)) offers.push(p.lastLead);

  const similar: DuplicateCandidate[] = [];
  for (const s of tip.similar_photos) {
    if (similar.some((c) => c.id === s.other_tip_id)) continue;
    similar.push({
      id: s.other_tip_id,
      reference: s.other_tip_reference,
      thumbnail: s.other_thumbnail_url,
      why: s.exact ? t('tip.similar.exact') : t('tip.similar.distance', { bits: s.distance }),
    });
  }

  const claimLine = claimText(t, lang, tip, p.me, now.value);
  const conflictText = conflict ? conflictMessage(conflict, tip) : null;

  function conflictMessage(prob: ApiProblem, current: ModeratorTip): string {
    const holder = current.claimed_by && current.claimed_by !== p.me ? who(t, current.claimed_by, p.me) : null;
    if (prob.code === 'tip.claimed' && holder && current.claim_expires_at) {
      return t('tip.conflict.claimed', { who: holder, until: formatClock(current.claim_expires_at, lang) });
    }
    if (prob.code === 'tip.stale_version') return t('tip.conflict.stale');
    if (prob.code === 'tip.invalid_state' || prob.code === 'tip.claimed') {
      return t('tip.conflict.state', { status: statusLabel(t, current.status) });
    }
    return describeProblem(prob, i18n).message;
  }

  async function showReporter() {
    try {
      setReporter(await call(api.GET('/v1/moderation/tips/{id}/reporter', { params: { path: { id: tip!.id } } })));
    } catch (e) {
      setActionProblem(toProblem(e));
    }
  }

  const leadOf = tip.lead ? tip.lead.reference : null;

  return (
    <article class="tip-pane" aria-labelledby="tip-heading">
      <BackBar onClose={p.onClose} />
      <header class="tip-head">
        <h2 id="tip-heading" ref={heading} tabIndex={-1} class="tip-head__ref num">
          {tip.reference}
        </h2>
        <span class={`status-label status-label--${tip.status}`}>{statusLabel(t, tip.status)}</span>
        <span>{categoryLabel(tip.category, lang)}</span>
        <time dateTime={tip.created_at} title={formatDateTime(tip.created_at, lang)}>
          {formatAge(tip.created_at, now.value, lang, t('time.just_now'))}
        </time>
        {leadOf && tip.lead && (
          <a class="num" href={`/console/leads?lead=${tip.lead.id}`}>
            → {leadOf}
          </a>
        )}
      </header>
      {claimLine && (
        <p class={claimedByOther ? 'tip-claim tip-claim--other' : 'tip-claim'} role="status">
          {claimLine}
        </p>
      )}
      {changedNotice && !conflictText && (
        <p class="notice" role="status">
          {t('tip.changed_by', { who: changedNotice, status: statusLabel(t, tip.status) })}
        </p>
      )}
      {conflictText && (
        <div class="problem" role="alert">
          <p>{conflictText}</p>
          <p>{t('tip.conflict.nothing_changed')}</p>
        </div>
      )}
      {actionProblem && <ProblemMessage problem={actionProblem} />}

      <div class="action-bar" role="toolbar" aria-label={t('tip.actions')}>
        {!mine ? (
          <ActionButton label={t('tip.action.claim')} k={KEY.claim} disabled={!open || busy} onClick={() => doClaim(claim)} />
        ) : (
          <ActionButton label={t('tip.action.release')} disabled={busy} onClick={() => doClaim(release)} />
        )}
        <ActionButton label={t('tip.action.verify')} k={KEY.verify} disabled={!open || busy} onClick={() => openDialog('verify')} primary />
        <ActionButton label={t('tip.action.reject')} k={KEY.reject} disabled={!open || busy} onClick={() => openDialog('reject')} />
        <ActionButton label={t('tip.action.ask')} k={KEY.ask} disabled={!open || busy} onClick={() => openDialog('ask')} />
        <ActionButton label={t('tip.action.duplicate')} k={KEY.duplicate} disabled={!open || busy} onClick={() => openDialog('duplicate')} />
      </div>

      {offers.length > 0 && open && (
        <section class="tip-section" aria-labelledby="tip-leads-h">
          <h3 id="tip-leads-h">{t('tip.suggested_leads')}</h3>
          <ul class="tip-list">
            {offers.map((l) => (
              <li key={l.id}>
                <a class="num" href={`/console/leads?lead=${l.id}`}>
                  {l.reference}
                </a>{' '}
                <span class="desk-muted">{categoryLabel(l.category, lang)}</span>{' '}
                <button type="button" class="button button--small" disabled={busy} onClick={() => run({ kind: 'verify', leadId: l.id })}>
                  {t('tip.add_to_lead', { lead: l.reference })}
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}

      <section class="tip-section" aria-labelledby="tip-what-h">
        <h3 id="tip-what-h" class="visually-hidden">
          {t('tip.what')}
        </h3>
        <Photos photos={tip.photos} reference={tip.reference} boxes={boxesOf(t, tip.suggestions)} highlight={pointed} />
        <Suggestions
          tipId={tip.id}
          suggestions={tip.suggestions}
          photoNumber={new Map(tip.photos.map((ph, i) => [ph.id, i + 1]))}
          highlight={pointed}
          onHighlight={setPointed}
          onChanged={async () => {
            const now = await load(true);
            if (now) p.onContacts?.(now.id, now.contacts.map(({ kind, value }) => ({ kind, value })));
          }}
        />
        {tip.description && <p class="tip-description">{tip.description}</p>}
        <dl class="tip-facts">
          {tip.address && (
            <>
              <dt>{t('tip.address')}</dt>
              <dd>{tip.address}</dd>
            </>
          )}
          {tip.occurred_at && (
            <>
              <dt>{t('tip.occurred_at')}</dt>
              <dd>
                <time dateTime={tip.occurred_at}>{formatDateTime(tip.occurred_at, lang)}</time>
              </dd>
            </>
          )}
          <dt>{t('tip.submitted_at')}</dt>
          <dd>
            <time dateTime={tip.created_at}>{formatDateTime(tip.created_at, lang)}</time>
          </dd>
          <dt>{t('tip.place')}</dt>
          <dd class="num">
            {tip.location.lat.toFixed(5)}, {tip.location.lon.toFixed(5)}
            {tip.location.accuracy_m !== undefined && ` ±${Math.round(tip.location.accuracy_m)} m`}{' '}
            <a href={`/console/queue?${new URLSearchParams({ near: `${tip.location.lat.toFixed(5)},${tip.location.lon.toFixed(5)},500` })}`}>
              {t('tip.nearby')}
            </a>
          </dd>
          <dt>{t('tip.reporter')}</dt>
          <dd>
            {tip.reporter.anonymous ? (
              t('tip.reporter.anonymous')
            ) : reporter ? (
              <span class="num">{reporter.phone ?? t('tip.reporter.anonymous')}</span>
            ) : (
              <button type="button" class="button button--small button--quiet" onClick={showReporter}>
                {t('tip.reporter.show')}
              </button>
            )}
          </dd>
        </dl>
        <ConsoleMap
          label={t('tip.map', { ref: tip.reference })}
          points={[{ id: tip.id, lat: tip.location.lat, lon: tip.location.lon, label: tip.reference, tone: 'current' }]}
          height="220px"
        />
      </section>

      <section class="tip-section" aria-labelledby="tip-contacts-h">
        <h3 id="tip-contacts-h">{t('tip.contacts')}</h3>
        {tip.contacts.length === 0 ? (
          <p class="desk-muted">{t('tip.contacts.none')}</p>
        ) : (
          <ul class="tip-list">
            {tip.contacts.map((c) => (
              <li key={`${c.kind}:${c.value}`}>
                <span class="contact-kind">{contactKindLabel(t, c.kind)}</span> <span class="num contact-value">{c.value}</span>{' '}
                <span class="desk-muted">{t('tip.contact.reach', { tips: c.other_tips, leads: c.leads })}</span>{' '}
                <a href={contactHref(c)}>{t('tip.contact.cluster')}</a> · <a href={queueHrefForContact(c)}>{t('tip.contact.queue')}</a>
              </li>
            ))}
          </ul>
        )}
      </section>

      {similar.length > 0 && (
        <section class="tip-section" aria-labelledby="tip-similar-h">
          <h3 id="tip-similar-h">{t('tip.similar')}</h3>
          <ul class="tip-similar">
            {similar.map((s) => (
              <li key={s.id}>
                <img src={s.thumbnail} alt="" width={56} height={56} loading="lazy" />
                <span>
                  <a class="num" href={`/console/queue?tab=${tip.status}&tip=${s.id}`} onClick={(e) => e.stopPropagation()}>
                    {s.reference}
                  </a>
                  <br />
                  <span class="desk-muted">{s.why}</span>
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}

      <section class="tip-section" aria-labelledby="tip-conv-h">
        <h3 id="tip-conv-h">{t('tip.conversation')}</h3>
        {tip.messages.length === 0 ? (
          <p class="desk-muted">{t('tip.conversation.none')}</p>
        ) : (
          <ol class="tip-messages">
            {tip.messages.map((m) => (
              <li key={m.id} class={`tip-message tip-message--${m.author}`}>
                <span class="tip-message__who">{t(m.author === 'reporter' ? 'tip.message.reporter' : 'tip.message.moderator')}</span>{' '}
                <time dateTime={m.created_at}>{formatDateTime(m.created_at, lang)}</time>
                <p>{m.body}</p>
              </li>
            ))}
          </ol>
        )}
      </section>

      <Notes tip={tip} me={p.me} noteRef={note} onAdded={(n) => setTip({ ...tip, notes: [...tip.notes, n] })} />

      <section class="tip-section" aria-labelledby="tip-history-h">
        <h3 id="tip-history-h">{t('tip.history')}</h3>
        <ol class="tip-timeline">
          {tip.history.map((h, i) => (
            <li key={i}>
              <time dateTime={h.at}>{formatDateTime(h.at, lang)}</time> <strong>{statusLabel(t, h.status)}</strong>
              {h.reason && <span> · {lang === 'zh-CN' ? h.reason.text_zh : h.reason.text_en}</span>}
              {h.outcome && <span> · {lang === 'zh-CN' ? h.outcome.text_zh : h.outcome.text_en}</span>}
              {h.note && <p class="desk-muted">{h.note}</p>}
            </li>
          ))}
        </ol>
      </section>

      <details class="tip-section tip-audit">
        <summary>{t('tip.audit', { n: tip.audit.length })}</summary>
        <table class="desk-table">
          <thead>
            <tr>
              <th scope="col">{t('tip.audit.when')}</th>
              <th scope="col">{t('tip.audit.who')}</th>
              <th scope="col">{t('tip.audit.what')}</th>
            </tr>
          </thead>
          <tbody>
            {tip.audit.map((a) => (
              <tr key={a.id}>
                <td>
                  <time dateTime={a.occurred_at}>{formatDateTime(a.occurred_at, lang)}</time>
                </td>
                <td>{a.actor_kind === 'user' ? who(t, a.actor_id, p.me) : t(`tip.actor.${a.actor_kind}`)}</td>
                <td>
                  <code>{a.action}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>

      {dialog === 'verify' && (
        <VerifyDialog
          reference={tip.reference}
          leads={offers}
          busy={busy}
          problem={dialogProblem}
          onClose={() => setDialog(null)}
          onSubmit={(c: VerifyChoice) => run({ kind: 'verify', ...c })}
        />
      )}
      {dialog === 'reject' && (
        <RejectDialog
          title={t('tip.reject.title', { ref: tip.reference })}
          busy={busy}
          problem={dialogProblem}
          onClose={() => setDialog(null)}
          onSubmit={(reason, n) => run({ kind: 'reject', reason, note: n })}
        />
      )}
      {dialog === 'ask' && (
        <AskDialog
          reference={tip.reference}
          busy={busy}
          problem={dialogProblem}
          onClose={() => setDialog(null)}
          onSubmit={(q) => run({ kind: 'ask', question: q })}
        />
      )}
      {dialog === 'duplicate' && (
        <DuplicateDialog
          reference={tip.reference}
          suggestions={similar}
          lookup={(r) => (r.toUpperCase() === tip.reference.toUpperCase() ? null : p.lookup(r))}
          busy={busy}
          problem={dialogProblem}
          onClose={() => setDialog(null)}
          onSubmit={(c) => run({ kind: 'duplicate', of: c.id })}
        />
      )}
    </article>
  );
}

function BackBar({ onClose }: { onClose(): void }) {
  const { t } = useConsole().i18n;
  return (
    <div class="tip-back">
      <button type="button" class="button button--quiet button--small" onClick={onClose}>
        ← {t('tip.back')}
      </button>
    </div>
  );
}

/** A button of the action bar: its name and its key (`核实 V`). */
export function ActionButton(p: { label: string; k?: string; onClick(): void; disabled?: boolean; primary?: boolean }) {
  return (
    <button
      type="button"
      class={p.primary ? 'button action-bar__button' : 'button button--quiet action-bar__button'}
      disabled={p.disabled}
      onClick={p.onClick}
      aria-keyshortcuts={p.k ? p.k.toUpperCase() : undefined}
    >
      {p.label}
      {p.k && <kbd aria-hidden="true">{keyLabel(p.k)}</kbd>}
    </button>
  );
}

function Notes({
  tip,
  me,
  noteRef,
  onAdded,
}: {
  tip: ModeratorTip;
  me: string;
  noteRef: { current: HTMLTextAreaElement | null };
  onAdded(n: Schemas['NoteView']): void;
}) {
  const { api, i18n } = useConsole();
  const { t } = i18n;
  const lang = i18n.lang.value;
  const [body, setBody] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  async function add(e: Event) {
    e.preventDefault();
    if (!body.trim()) return;
    setBusy(true);
    setProblem(null);
    try {
      const n = await call(api.POST('/v1/moderation/tips/{id}/notes', { params: { path: { id: tip.id } }, body: { body: body.trim() } }));
      onAdded(n);
      setBody('');
    } catch (err) {
      setProblem(toProblem(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <section class="tip-section" aria-labelledby="tip-notes-h">
      <h3 id="tip-notes-h">{t('tip.notes')}</h3>
      {tip.notes.length > 0 && (
        <ol class="tip-notes">
          {tip.notes.map((n) => (
            <li key={n.id}>
              <span class="desk-muted">
                {who(t, n.author_id, me)} · <time dateTime={n.created_at}>{formatDateTime(n.created_at, lang)}</time>
              </span>
              <p>{n.body}</p>
            </li>
          ))}
        </ol>
      )}
      <form class="tip-note-form" onSubmit={add}>
        <label for={`note-${tip.id}`}>
          {t('tip.note.label')} <kbd aria-hidden="true">N</kbd>
        </label>
        <textarea
          id={`note-${tip.id}`}
          ref={noteRef}
          rows={2}
          maxLength={4000}
          value={body}
          onInput={(e) => setBody(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void add(e);
            if (e.key === 'Escape') e.currentTarget.blur();
          }}
        />
        <button type="submit" class="button button--small" disabled={busy || !body.trim()}>
          {t('tip.note.add')}
        </button>
        {problem && <ProblemMessage problem={problem} />}
      </form>
    </section>
  );
}

/** "→ LD-…": where a tip went, for the queue's status line. */
export function whereItWent(api: Parameters<typeof leadRef>[0], s: TipState): string | null {
  return s.lead_id ? leadRef(api, s.lead_id) : null;
}

export { leadStatusLabel };
