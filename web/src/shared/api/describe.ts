// A problem as a person reads it: a message from the catalogue chosen by the
// API's `code` (falling back on the status), whether retrying can help, and
// the request id to quote when the server itself failed.

import type { I18n } from '../i18n/i18n';
import { formatDuration } from '../format/time';
import { NETWORK_UNREACHABLE, type Problem } from './problem';

export interface Described {
  message: string;
  /** Trying again may work (no answer, a 5xx, a rate limit). */
  retryable: boolean;
  /** Shown for failures an administrator may need to look up. */
  requestId?: string;
}

function fallbackKey(status: number): string {
  if (status === 0) return `error.${NETWORK_UNREACHABLE}`;
  if (status === 401) return 'error.auth.unauthorized';
  if (status === 403) return 'error.auth.forbidden';
  if (status === 404) return 'error.not_found';
  if (status === 409) return 'error.status.conflict';
  if (status === 400 || status === 422) return 'error.status.invalid';
  if (status === 429) return 'error.rate.limited';
  if (status >= 500) return 'error.status.server';
  return 'error.status.unknown';
}

export function describeProblem(p: Problem, i18n: I18n<string>): Described {
  const wait = p.retryAfter !== undefined ? formatDuration(p.retryAfter, i18n.lang.value) : '';
  const params = { wait };
  const message =
    i18n.lookup(`error.${p.code}`, params) ??
    i18n.lookup(fallbackKey(p.status), params) ??
    i18n.t('error.status.unknown');
  const retryable = p.status === 0 || p.status === 429 || p.status >= 500;
  return {
    message,
    retryable,
    ...(p.status >= 500 && p.requestId ? { requestId: p.requestId } : {}),
  };
}
