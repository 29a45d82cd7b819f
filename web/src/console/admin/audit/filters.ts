// The audit log's filters, kept in the URL so a view of the log can be
// reloaded and shared: `?actor=<uuid>&action=unit.update&kind=unit&object=<uuid>&from=2026-11-01&to=2026-11-30`.
// Decoded with a whitelist: what does not parse is dropped, not sent.

import { dayStart } from '../../stats/period';

export interface AuditFilters {
  actor: string;
  action: string;
  kind: string;
  object: string;
  /** `YYYY-MM-DD` in UTC+8, the first day. */
  from: string;
  /** `YYYY-MM-DD` in UTC+8, the last day (included). */
  to: string;
}

export const EMPTY: AuditFilters = { actor: '', action: '', kind: '', object: '', from: '', to: '' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ACTION = /^[a-z][a-z0-9_.]{0,79}$/;
const KIND = /^[a-z][a-z0-9_]{0,39}$/;

export function decodeAuditFilters(q: Readonly<Record<string, string | undefined>>): AuditFilters {
  const f = { ...EMPTY };
  if (UUID.test(q.actor ?? '')) f.actor = q.actor!.toLowerCase();
  if (ACTION.test(q.action ?? '')) f.action = q.action!;
  if (KIND.test(q.kind ?? '')) f.kind = q.kind!;
  if (UUID.test(q.object ?? '')) f.object = q.object!.toLowerCase();
  if (q.from && dayStart(q.from) !== undefined) f.from = q.from;
  if (q.to && dayStart(q.to) !== undefined) f.to = q.to;
  if (f.from && f.to && dayStart(f.from)! > dayStart(f.to)!) f.to = '';
  return f;
}

export function encodeAuditFilters(f: AuditFilters): string {
  const p = new URLSearchParams();
  for (const k of ['actor', 'action', 'kind', 'object', 'from', 'to'] as const) if (f[k]) p.set(k, f[k]);
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** The API's query for the filters: days become `[from 00:00, to+1 00:00)` in UTC+8. */
export function auditQuery(f: AuditFilters): {
  actor_id?: string;
  action?: string;
  object_kind?: string;
  object_id?: string;
  from?: string;
  to?: string;
} {
  const q: ReturnType<typeof auditQuery> = {};
  if (f.actor) q.actor_id = f.actor;
  if (f.action) q.action = f.action;
  if (f.kind) q.object_kind = f.kind;
  if (f.object) q.object_id = f.object;
  const a = f.from ? dayStart(f.from) : undefined;
  const b = f.to ? dayStart(f.to) : undefined;
  if (a !== undefined) q.from = new Date(a).toISOString();
  if (b !== undefined) q.to = new Date(b + 86400_000).toISOString();
  return q;
}
