// The inbox's view as the URL holds it (the queue's rules: typed decoders,
// defaults, a whitelist): the state tab, the category and overdue filters,
// and the open lead.
import type { Schemas } from '../../shared/api/types';
import { decodeCode, decodeUuid, oneOf, param, type QueryLike } from '../queue/filters';

export const INBOX_TABS = ['forwarded', 'accepted', 'resolved'] as const satisfies readonly Schemas['LeadStatus'][];
export type InboxTab = (typeof INBOX_TABS)[number];

export interface InboxView {
  tab: InboxTab;
  category: string | null;
  /** Only leads the service found past their deadline. */
  overdue: boolean;
  lead: string | null;
}

export const DEFAULT_INBOX_VIEW: InboxView = { tab: 'forwarded', category: null, overdue: false, lead: null };

export function decodeInboxView(query: QueryLike): InboxView {
  return {
    tab: oneOf(param(query, 'tab'), INBOX_TABS) ?? DEFAULT_INBOX_VIEW.tab,
    category: decodeCode(param(query, 'category')),
    overdue: param(query, 'overdue') === '1',
    lead: decodeUuid(param(query, 'lead')),
  };
}

export function encodeInboxView(v: InboxView): string {
  const p = new URLSearchParams();
  if (v.tab !== DEFAULT_INBOX_VIEW.tab) p.set('tab', v.tab);
  if (v.category) p.set('category', v.category);
  if (v.overdue) p.set('overdue', '1');
  if (v.lead) p.set('lead', v.lead);
  return p.toString();
}

export function inboxHref(v: InboxView): string {
  const q = encodeInboxView(v);
  return q ? `/console/inbox?${q}` : '/console/inbox';
}
