// A lead's deadline as the officer reads it: time left ("还剩 3 小时") or
// how far past it is ("已超时 2 小时"); and the inbox's order, overdue
// leads first.
import type { Schemas } from '../../shared/api/types';
import { formatSpan, type SpanKey } from '../stats/span';

type Lead = Pick<Schemas['UnitLeadSummary'], 'status' | 'due_at' | 'overdue_since' | 'resolved_at' | 'forwarded_at'>;
type Words = (key: SpanKey | 'inbox.due.left' | 'inbox.due.over', params: Record<string, string | number>) => string;

/** Past its deadline: the service found it so, or the deadline has gone by. Resolved leads are done. */
export function isOverdue(l: Lead, now: number): boolean {
  if (l.status === 'resolved') return false;
  return !!l.overdue_since || (!!l.due_at && Date.parse(l.due_at) <= now);
}

/** "还剩 3 小时 20 分" / "overdue by 2 h", or null when no deadline runs. */
export function deadlineText(l: Lead, now: number, t: Words): { text: string; over: boolean } | null {
  if (l.status === 'resolved' || !l.due_at) return null;
  const diff = (Date.parse(l.due_at) - now) / 1000;
  const words = (k: SpanKey, p: Record<string, number>) => t(k, p);
  if (diff > 0 && !l.overdue_since) return { text: t('inbox.due.left', { left: formatSpan(diff, words) }), over: false };
  return { text: t('inbox.due.over', { over: formatSpan(Math.max(0, -diff), words) }), over: true };
}

const time = (s: string | undefined, fallback: number) => (s ? Date.parse(s) : fallback);

/**
 * The inbox's order: overdue leads first, then the nearest deadline first
 * (those with none last); resolved leads newest first.
 */
export function inboxOrder<L extends Lead & { reference: string }>(rows: readonly L[], now: number): L[] {
  return rows.slice().sort((a, b) => {
    if (a.status === 'resolved' || b.status === 'resolved') {
      return time(b.resolved_at, 0) - time(a.resolved_at, 0) || a.reference.localeCompare(b.reference);
    }
    const oa = isOverdue(a, now);
    const ob = isOverdue(b, now);
    if (oa !== ob) return oa ? -1 : 1;
    return time(a.due_at, Infinity) - time(b.due_at, Infinity) || time(a.forwarded_at, 0) - time(b.forwarded_at, 0) || a.reference.localeCompare(b.reference);
  });
}
