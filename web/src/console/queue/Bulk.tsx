// One decision on the selected rows (`POST /v1/moderation/tips/bulk`):
// reject them with one reason and note, or verify them into one lead (a new
// one, or the lead used last). Each tip is decided on its own, so the
// answer says for each what became of it, the failures in words.
import { useState } from 'preact/hooks';
import { ApiProblem, call, toProblem, type Problem } from '../../shared/api/problem';
import { describeProblem } from '../../shared/api/describe';
import type { Schemas } from '../../shared/api/types';
import { useConsole } from '../state';
import { RejectDialog, VerifyDialog } from '../tip/dialogs';
import { statusLabel } from '../tip/words';
import { leadRef, rememberRejectReason } from './reference';
import type { Row } from './store';

type BulkOutcome = Schemas['BulkOutcome'];
type LeadRef = Schemas['LeadRef'];

export interface BulkProps {
  rows: readonly Row[];
  lastLead: LeadRef | null;
  onDone(outcome: BulkOutcome, action: 'verify' | 'reject'): void;
  onClear(): void;
}

export function BulkBar({ rows, lastLead, onDone, onClear }: BulkProps) {
  const { api, i18n } = useConsole();
  const { t } = i18n;
  const [dialog, setDialog] = useState<'reject' | 'verify' | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);

  async function send(body: Schemas['BulkRequest']) {
    setBusy(true);
    setProblem(null);
    try {
      const out = await call(api.POST('/v1/moderation/tips/bulk', { body }));
      if (body.action === 'reject' && body.reason) rememberRejectReason(body.reason);
      setDialog(null);
      onDone(out, body.action);
    } catch (e) {
      setProblem(toProblem(e));
    } finally {
      setBusy(false);
    }
  }

  const tips = rows.slice(0, 100).map((r) => ({ id: r.id, version: r.version }));
  return (
    <div class="bulk-bar" role="region" aria-label={t('queue.bulk.label')}>
      <span class="num">{t('queue.bulk.count', { n: rows.length })}</span>
      <button type="button" class="button button--small button--danger" onClick={() => setDialog('reject')}>
        {t('queue.bulk.reject')}
      </button>
      <button type="button" class="button button--small" onClick={() => setDialog('verify')}>
        {t('queue.bulk.verify')}
      </button>
      <button type="button" class="button button--quiet button--small" onClick={onClear}>
        {t('queue.bulk.clear')}
      </button>
      {rows.length > 100 && <span class="desk-muted">{t('queue.bulk.limit')}</span>}
      {dialog === 'reject' && (
        <RejectDialog
          title={t('queue.bulk.reject_title', { n: tips.length })}
          busy={busy}
          problem={problem}
          onClose={() => setDialog(null)}
          onSubmit={(reason, note) => send({ action: 'reject', tips, reason, ...(note.trim() ? { note: note.trim() } : {}) })}
        />
      )}
      {dialog === 'verify' && (
        <VerifyDialog
          reference={t('queue.bulk.count', { n: tips.length })}
          leads={lastLead && lastLead.status === 'open' ? [lastLead] : []}
          preferNew
          busy={busy}
          problem={problem}
          onClose={() => setDialog(null)}
          onSubmit={(c) =>
            send({
              action: 'verify',
              tips,
              ...(c.leadId ? { lead_id: c.leadId } : {}),
              ...(!c.leadId && c.leadTitle?.trim() ? { lead_title: c.leadTitle.trim() } : {}),
            })
          }
        />
      )}
    </div>
  );
}

/** What a bulk decision did, item by item. */
export function BulkResults({ outcome, rows, onClose }: { outcome: BulkOutcome; rows: ReadonlyMap<string, Row>; onClose(): void }) {
  const { api, i18n } = useConsole();
  const { t } = i18n;
  const lead = outcome.lead_id ? leadRef(api, outcome.lead_id) : null;
  return (
    <section class="bulk-results" aria-labelledby="bulk-results-h">
      <div class="bulk-results__head">
        <p id="bulk-results-h" class="bulk-results__title" role="status">
          {t('queue.bulk.result', { decided: outcome.decided, failed: outcome.failed })}
          {lead && ` → ${lead}`}
        </p>
        <button type="button" class="button button--quiet button--small" onClick={onClose}>
          {t('action.close')}
        </button>
      </div>
      <ul class="bulk-results__list">
        {outcome.results.map((r) => {
          const ref = rows.get(r.id)?.reference ?? r.id;
          const text = r.ok
            ? statusLabel(t, r.tip!.status)
            : describeProblem(new ApiProblem({ status: r.status ?? 0, code: r.error?.code ?? 'error.status.unknown' }), i18n).message;
          return (
            <li key={r.id} class={r.ok ? 'bulk-results__ok' : 'bulk-results__failed'}>
              <span class="num">{ref}</span> <span>{r.ok ? `✓ ${text}` : `✗ ${text}`}</span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
