// The console's desks: which role sees which, in the top bar's order. A
// desk is listed here only once it exists; its page is a lazy chunk.
import type { ComponentType } from 'preact';
import type { Role } from '../shared/api/types';
import type { ConsoleKey } from './i18n/keys';

export interface Desk {
  id: string;
  /** Under /console/. */
  path: string;
  label: ConsoleKey;
  roles: readonly Role[];
  load: () => Promise<ComponentType>;
}

export const DESKS: readonly Desk[] = [
  {
    id: 'queue',
    path: '/console/queue',
    label: 'desk.queue',
    roles: ['moderator', 'admin'],
    load: () => import('./queue/QueuePage').then((m) => m.QueuePage),
  },
  {
    id: 'leads',
    path: '/console/leads',
    label: 'desk.leads',
    roles: ['moderator', 'admin'],
    load: () => import('./leads/LeadsPage').then((m) => m.LeadsPage),
  },
  {
    id: 'contacts',
    path: '/console/contacts',
    label: 'desk.contacts',
    roles: ['moderator', 'admin'],
    load: () => import('./contacts/ContactsPage').then((m) => m.ContactsPage),
  },
  {
    id: 'inbox',
    path: '/console/inbox',
    label: 'desk.inbox',
    roles: ['unit_officer'],
    load: () => import('./inbox/InboxPage').then((m) => m.InboxPage),
  },
  {
    id: 'admin',
    path: '/console/admin',
    label: 'desk.admin',
    roles: ['admin'],
    load: () => import('./admin/AdminPage').then((m) => m.AdminPage),
  },
  {
    id: 'stats',
    path: '/console/stats',
    label: 'desk.stats',
    roles: ['moderator', 'admin'],
    load: () => import('./stats/StatsPage').then((m) => m.StatsPage),
  },
];

export function desksFor(role: Role): Desk[] {
  return DESKS.filter((d) => d.roles.includes(role));
}

/** Where a role lands after signing in at /console/. */
export function homeOf(role: Role): string {
  return desksFor(role)[0]?.path ?? '/console/';
}
