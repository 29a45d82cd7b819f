// The decisions that need words: verify (into which lead), reject (which
// reason, a note), ask (the question), duplicate (of which tip). Each is a
// modal form, so the desk's shortcuts rest while it is open; Enter on the
// focused submit button confirms, Esc cancels. The reject form starts with
// the reason used last.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Problem } from '../../shared/api/problem';
import { ProblemMessage } from '../../shared/ui/ProblemMessage';
import { useConsole } from '../state';
import type { Schemas } from '../../shared/api/types';
import { lastRejectReason, loadRejectReasons, type RejectReason } from '../queue/reference';
import { keyLabel } from '../../shared/shortcuts/shortcuts';

interface ModalProps {
  title: string;
  submitLabel: string;
  onClose(): void;
  onSubmit(): void;
  busy?: boolean;
  problem?: Problem | null;
  children: ComponentChildren;
  /** Focus this instead of the submit button when the form opens. */
  initialFocus?: 'submit' | 'first-field';
  danger?: boolean;
  submitDisabled?: boolean;
}

let modalSeq = 0;

export function ModalForm(p: ModalProps) {
  const { t } = useConsole().i18n;
  const ref = useRef<HTMLDialogElement>(null);
  const submit = useRef<HTMLButtonElement>(null);
  const [id] = useState(() => `modal-${++modalSeq}`);
  useEffect(() => {
    const d = ref.current!;
    if (!d.open) d.showModal();
    if (p.initialFocus === 'first-field') {
      d.querySelector<HTMLElement>('textarea, input:not([type=radio]), select')?.focus();
    } else {
      // Enter confirms what is proposed; Tab reaches the choices.
      submit.current?.focus();
    }
    return () => {
      if (d.open) d.close();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      class="dialog desk-dialog"
      aria-labelledby={`${id}-title`}
      onCancel={(e) => {
        e.preventDefault();
        p.onClose();
      }}
    >
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          if (!p.busy && !p.submitDisabled) p.onSubmit();
        }}
        onKeyDown={(e) => {
          // Ctrl/Cmd+Enter sends from a text area too.
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            if (!p.busy && !p.submitDisabled) p.onSubmit();
          }
        }}
      >
        <div class="dialog__head">
          <h2 id={`${id}-title`}>{p.title}</h2>
        </div>
        {p.children}
        {p.problem && <ProblemMessage problem={p.problem} />}
        <div class="desk-dialog__actions">
          <button type="button" class="button button--quiet" onClick={p.onClose}>
            {t('tip.dialog.cancel')}
          </button>
          <button
            ref={submit}
            type="submit"
            class={p.danger ? 'button button--danger' : 'button'}
            disabled={p.busy || p.submitDisabled}
            aria-busy={p.busy ? 'true' : undefined}
          >
            {p.submitLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}

type LeadRef = Schemas['LeadRef'];

export interface VerifyChoice {
  leadId?: string;
  leadTitle?: string;
}

export function VerifyDialog(p: {
  reference: string;
  /** Open leads to offer, the likeliest first (same contact, the last one used). */
  leads: readonly LeadRef[];
  /** Start on "a new lead" even when leads are offered (bulk). */
  preferNew?: boolean;
  busy: boolean;
  problem: Problem | null;
  onClose(): void;
  onSubmit(c: VerifyChoice): void;
}) {
  const { t } = useConsole().i18n;
  const [choice, setChoice] = useState<string>(p.preferNew ? 'new' : (p.leads[0]?.id ?? 'new'));
  const [title, setTitle] = useState('');
  const target = p.leads.find((l) => l.id === choice);
  return (
    <ModalForm
      title={t('tip.verify.title', { ref: p.reference })}
      submitLabel={target ? t('tip.verify.into', { lead: target.reference }) : t('tip.verify.new')}
      busy={p.busy}
      problem={p.problem}
      onClose={p.onClose}
      onSubmit={() => p.onSubmit(target ? { leadId: target.id } : { leadTitle: title })}
    >
      <fieldset class="desk-choices">
        <legend>{t('tip.verify.where')}</legend>
        {p.leads.map((l) => (
          <label key={l.id} class="desk-choice">
            <input type="radio" name="lead" value={l.id} checked={choice === l.id} onChange={() => setChoice(l.id)} />
            <span class="num">{l.reference}</span>
          </label>
        ))}
        <label class="desk-choice">
          <input type="radio" name="lead" value="new" checked={choice === 'new'} onChange={() => setChoice('new')} />
          <span>{t('tip.verify.new_option')}</span>
        </label>
      </fieldset>
      {choice === 'new' && (
        <div class="field">
          <label for="verify-title">{t('tip.verify.lead_title')}</label>
          <input id="verify-title" value={title} maxLength={200} onInput={(e) => setTitle(e.currentTarget.value)} />
        </div>
      )}
    </ModalForm>
  );
}

export function RejectDialog(p: {
  title: string;
  busy: boolean;
  problem: Problem | null;
  onClose(): void;
  onSubmit(reason: string, note: string): void;
}) {
  const { api, i18n } = useConsole();
  const { t } = i18n;
  const lang = i18n.lang.value;
  const [reasons, setReasons] = useState<RejectReason[] | null>(null);
  const [failed, setFailed] = useState<Problem | null>(null);
  const [reason, setReason] = useState<string>('');
  const [note, setNote] = useState('');
  const load = () => {
    setFailed(null);
    loadRejectReasons(api).then(
      (rs) => {
        const usable = rs.filter((r) => !r.retired);
        setReasons(usable);
        const last = lastRejectReason();
        setReason(usable.find((r) => r.code === last)?.code ?? usable[0]?.code ?? '');
      },
      (e: Problem) => setFailed(e),
    );
  };
  useEffect(load, []);
  const chosen = reasons?.find((r) => r.code === reason);
  return (
    <ModalForm
      title={p.title}
      submitLabel={t('tip.reject.submit')}
      busy={p.busy}
      problem={p.problem ?? failed}
      danger
      submitDisabled={!chosen}
      onClose={p.onClose}
      onSubmit={() => chosen && p.onSubmit(chosen.code, note)}
    >
      <div class="field">
        <label for="reject-reason">{t('tip.reject.reason')}</label>
        <select id="reject-reason" value={reason} onChange={(e) => setReason(e.currentTarget.value)} disabled={!reasons}>
          {(reasons ?? []).map((r) => (
            <option key={r.code} value={r.code}>
              {lang === 'zh-CN' ? r.label_zh : r.label_en}
            </option>
          ))}
        </select>
      </div>
      {chosen && (
        <div class="desk-preview">
          <p class="desk-preview__label">{t('tip.reject.reporter_reads')}</p>
          <p lang="zh-CN">{chosen.public_zh}</p>
          <p lang="en">{chosen.public_en}</p>
        </div>
      )}
      <div class="field">
        <label for="reject-note">{t('tip.reject.note')}</label>
        <textarea id="reject-note" rows={3} maxLength={4000} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
      </div>
    </ModalForm>
  );
}

export function AskDialog(p: { reference: string; busy: boolean; problem: Problem | null; onClose(): void; onSubmit(q: string): void }) {
  const { t } = useConsole().i18n;
  const [q, setQ] = useState('');
  return (
    <ModalForm
      title={t('tip.ask.title', { ref: p.reference })}
      submitLabel={t('tip.ask.submit')}
      busy={p.busy}
      problem={p.problem}
      initialFocus="first-field"
      submitDisabled={!q.trim()}
      onClose={p.onClose}
      onSubmit={() => p.onSubmit(q)}
    >
      <div class="field">
        <label for="ask-question">{t('tip.ask.question')}</label>
        <textarea id="ask-question" rows={4} maxLength={4000} required value={q} onInput={(e) => setQ(e.currentTarget.value)} />
        <p class="desk-hint">{t('tip.ask.hint', { key: `Ctrl+${keyLabel('Enter')}` })}</p>
      </div>
    </ModalForm>
  );
}

export interface DuplicateCandidate {
  id: string;
  reference: string;
  thumbnail?: string;
  /** Why it is offered ("完全相同的照片"). */
  why?: string;
}

export function DuplicateDialog(p: {
  reference: string;
  suggestions: readonly DuplicateCandidate[];
  /** Finds a tip by its reference among what the desk knows. */
  lookup(reference: string): DuplicateCandidate | null;
  busy: boolean;
  problem: Problem | null;
  onClose(): void;
  onSubmit(of: DuplicateCandidate): void;
}) {
  const { t } = useConsole().i18n;
  const [choice, setChoice] = useState<string>(p.suggestions[0]?.id ?? 'ref');
  const [ref, setRef] = useState('');
  const [notFound, setNotFound] = useState(false);
  const submit = () => {
    if (choice !== 'ref') {
      const c = p.suggestions.find((s) => s.id === choice);
      if (c) p.onSubmit(c);
      return;
    }
    const found = p.lookup(ref.trim());
    setNotFound(!found);
    if (found) p.onSubmit(found);
  };
  return (
    <ModalForm
      title={t('tip.duplicate.title', { ref: p.reference })}
      submitLabel={t('tip.duplicate.submit')}
      busy={p.busy}
      problem={p.problem}
      initialFocus={p.suggestions.length ? 'submit' : 'first-field'}
      submitDisabled={choice === 'ref' && !ref.trim()}
      onClose={p.onClose}
      onSubmit={submit}
    >
      <fieldset class="desk-choices">
        <legend>{t('tip.duplicate.of')}</legend>
        {p.suggestions.map((s) => (
          <label key={s.id} class="desk-choice">
            <input type="radio" name="dup" value={s.id} checked={choice === s.id} onChange={() => setChoice(s.id)} />
            {s.thumbnail && <img class="desk-choice__thumb" src={s.thumbnail} alt="" width={40} height={40} />}
            <span class="num">{s.reference}</span>
            {s.why && <span class="desk-muted">{s.why}</span>}
          </label>
        ))}
        <label class="desk-choice">
          <input type="radio" name="dup" value="ref" checked={choice === 'ref'} onChange={() => setChoice('ref')} />
          <span>{t('tip.duplicate.by_reference')}</span>
        </label>
      </fieldset>
      {choice === 'ref' && (
        <div class="field">
          <label for="dup-ref">{t('tip.duplicate.reference')}</label>
          <input
            id="dup-ref"
            class="num"
            value={ref}
            placeholder="TL-20261201-7Q3K"
            aria-invalid={notFound ? 'true' : undefined}
            aria-describedby="dup-ref-hint"
            onInput={(e) => {
              setRef(e.currentTarget.value);
              setNotFound(false);
            }}
          />
          <p id="dup-ref-hint" class={notFound ? 'desk-hint desk-hint--error' : 'desk-hint'} role={notFound ? 'alert' : undefined}>
            {notFound ? t('tip.duplicate.not_found', { ref: ref.trim() }) : t('tip.duplicate.reference_hint')}
          </p>
        </div>
      )}
    </ModalForm>
  );
}
