// The leads list's view as the URL holds it (same rules as the queue's:
// typed decoders, defaults, a whitelist; the open lead is `lead`).
import type { Schemas } from '../../shared/api/types';
import { decodeCode, decodeContact, decodeUuid, oneOf, param, type ContactKind, type QueryLike } from '../queue/filters';

export type LeadStatus = Schemas['LeadStatus'];
export const LEAD_STATUSES: readonly LeadStatus[] = ['open', 'forwarded', 'accepted', 'resolved'];
export const LEAD_TABS = ['all', ...LEAD_STATUSES] as const;
export type LeadTab = (typeof LEAD_TABS)[number];

export interface LeadsView {
  tab: LeadTab;
  category: string | null;
  contact: { kind: ContactKind; value: string } | null;
  /** A unit's id: leads forwarded to it. */
  unit: string | null;
  overdue: boolean;
  lead: string | null;
}

export const DEFAULT_LEADS_VIEW: LeadsView = { tab: 'open', category: null, contact: null, unit: null, overdue: false, lead: null };

export function decodeLeadsView(query: QueryLike): LeadsView {
  return {
    tab: oneOf(param(query, 'tab'), LEAD_TABS) ?? DEFAULT_LEADS_VIEW.tab,
    category: decodeCode(param(query, 'category')),
    contact: decodeContact(param(query, 'contact')),
    unit: decodeUuid(param(query, 'unit')),
    overdue: param(query, 'overdue') === '1',
    lead: decodeUuid(param(query, 'lead')),
  };
}

export function encodeLeadsView(v: LeadsView): string {
  const p = new URLSearchParams();
  if (v.tab !== 'open') p.set('tab', v.tab);
  if (v.category) p.set('category', v.category);
  if (v.contact) p.set('contact', `${v.contact.kind}:${v.contact.value}`);
  if (v.unit) p.set('unit', v.unit);
  if (v.overdue) p.set('overdue', '1');
  if (v.lead) p.set('lead', v.lead);
  return p.toString();
}

export function leadsHref(v: LeadsView): string {
  const q = encodeLeadsView(v);
  return q ? `/console/leads?${q}` : '/console/leads';
}

export interface LeadsQuery {
  status?: LeadStatus[];
  category?: string;
  contact?: string;
  unit?: string;
  overdue?: boolean;
}

export function leadsQuery(v: LeadsView): LeadsQuery {
  const q: LeadsQuery = {};
  if (v.tab !== 'all') q.status = [v.tab];
  if (v.category) q.category = v.category;
  if (v.contact) q.contact = `${v.contact.kind}:${v.contact.value}`;
  if (v.unit) q.unit = v.unit;
  if (v.overdue) q.overdue = true;
  return q;
}
