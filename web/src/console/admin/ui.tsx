// The admin pages' form parts: every control has its label, its hint and
// its error tied to it (aria-describedby, aria-invalid), so a screen reader
// reads the problem with the field and tests find fields by label.

import type { ComponentChildren } from 'preact';
import { useI18n } from '../../shared/i18n/preact';
import type { Issue } from './problems';

/** An issue in the user's language: its own key, else the shared `error.<code>`, else a plain "not accepted". */
export function useIssueText() {
  const i18n = useI18n<string>();
  return (issue: Issue | undefined): string | undefined => {
    if (!issue) return undefined;
    return (
      i18n.lookup(issue.key, issue.params) ??
      (issue.code ? i18n.lookup(`error.${issue.code}`, issue.params) : undefined) ??
      i18n.t('admin.field.invalid')
    );
  };
}

interface FieldProps {
  id: string;
  label: string;
  hint?: string | undefined;
  error?: string | undefined;
  children: (a11y: { id: string; 'aria-invalid'?: 'true'; 'aria-describedby'?: string }) => ComponentChildren;
  class?: string;
}

/** A label, the control, its hint and its error, tied together. */
export function Field({ id, label, hint, error, children, class: cls }: FieldProps) {
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div class={`field admin-field${cls ? ` ${cls}` : ''}`}>
      <label for={id}>{label}</label>
      {children({
        id,
        ...(error ? { 'aria-invalid': 'true' as const } : {}),
        ...(described ? { 'aria-describedby': described } : {}),
      })}
      {hint && (
        <p class="admin-field__hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p class="admin-field__error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

/** The input attributes the admin forms use. */
interface InputAttrs {
  type?: 'text' | 'url' | 'password' | 'search' | 'email';
  inputMode?: 'text' | 'numeric' | 'url' | 'email';
  autocomplete?: 'off' | 'new-password' | 'username';
  autocapitalize?: 'none' | 'off';
  spellcheck?: boolean;
  maxLength?: number;
  required?: boolean;
  lang?: string;
  placeholder?: string;
}

export function TextField(
  props: { id: string; label: string; value: string; onValue: (v: string) => void; hint?: string | undefined; error?: string | undefined } & InputAttrs,
) {
  const { id, label, value, onValue, hint, error, ...rest } = props;
  return (
    <Field id={id} label={label} hint={hint} error={error}>
      {(a11y) => (
        // The props are a plain subset; preact types `type` as a union it cannot narrow here.
        <input {...(rest as object)} {...a11y} value={value} onInput={(e) => onValue((e.currentTarget as HTMLInputElement).value)} />
      )}
    </Field>
  );
}

export function TextArea(props: {
  id: string;
  label: string;
  value: string;
  onValue: (v: string) => void;
  hint?: string | undefined;
  error?: string | undefined;
  rows?: number;
  maxLength?: number;
  required?: boolean;
}) {
  const { id, label, value, onValue, hint, error, ...rest } = props;
  return (
    <Field id={id} label={label} hint={hint} error={error}>
      {(a11y) => (
        <textarea {...rest} {...a11y} value={value} onInput={(e) => onValue((e.currentTarget as HTMLTextAreaElement).value)} />
      )}
    </Field>
  );
}

export function SelectField<V extends string>(props: {
  id: string;
  label: string;
  value: V;
  options: ReadonlyArray<{ value: V; label: string }>;
  onValue: (v: V) => void;
  hint?: string | undefined;
  error?: string | undefined;
  disabled?: boolean;
}) {
  const { id, label, value, options, onValue, hint, error, disabled } = props;
  return (
    <Field id={id} label={label} hint={hint} error={error}>
      {(a11y) => (
        <select {...a11y} value={value} disabled={disabled} onChange={(e) => onValue((e.currentTarget as HTMLSelectElement).value as V)}>
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/** A coloured label with its text (state is never colour alone). */
export function Badge({ tone, children }: { tone: 'ok' | 'muted' | 'warn' | 'bad' | 'info'; children: ComponentChildren }) {
  return <span class={`admin-badge admin-badge--${tone}`}>{children}</span>;
}

/** "更多" under a keyset list: the next page, appended. */
export function MoreButton({ busy, onMore }: { busy: boolean; onMore: () => void }) {
  const i18n = useI18n<string>();
  return (
    <div class="admin-more">
      <button type="button" class="button button--quiet" onClick={onMore} disabled={busy}>
        {busy ? i18n.t('state.loading') : i18n.t('admin.more')}
      </button>
    </div>
  );
}

/** The first field with an issue gets the focus, so the keyboard lands on what to fix. */
export function focusFirstIssue(form: HTMLElement | null) {
  const el = form?.querySelector<HTMLElement>('[aria-invalid="true"]');
  el?.focus();
}
