// Every keyboard shortcut of the console, in one table: the dispatcher and
// the `?` overlay both read it. Add a desk's shortcuts here (scope: its
// own), and make them live with `useShortcut(id, handler)` in its view.
// Later entries win over earlier ones sharing a key, so put a view's
// scope after the global one.
import type { ShortcutDef } from '../shared/shortcuts/shortcuts';
import type { ConsoleKey } from './i18n/keys';

export const CONSOLE_SHORTCUTS = [
  { id: 'help', keys: ['?'], description: 'shortcuts.help', scope: 'shortcuts.scope.global' },
  // The moderator's desk: the queue's list, then the open tip.
  { id: 'queue.next', keys: ['j', 'ArrowDown'], description: 'queue.key.next', scope: 'queue.key.scope' },
  { id: 'queue.prev', keys: ['k', 'ArrowUp'], description: 'queue.key.prev', scope: 'queue.key.scope' },
  { id: 'queue.open', keys: ['Enter'], description: 'queue.key.open', scope: 'queue.key.scope' },
  { id: 'queue.search', keys: ['/'], description: 'queue.key.search', scope: 'queue.key.scope' },
  { id: 'queue.select', keys: ['x'], description: 'queue.key.select', scope: 'queue.key.scope' },
  { id: 'queue.close', keys: ['Escape'], description: 'queue.key.close', scope: 'queue.key.scope' },
  { id: 'tip.claim', keys: ['c'], description: 'tip.key.claim', scope: 'tip.key.scope' },
  { id: 'tip.verify', keys: ['v'], description: 'tip.key.verify', scope: 'tip.key.scope' },
  { id: 'tip.reject', keys: ['r'], description: 'tip.key.reject', scope: 'tip.key.scope' },
  { id: 'tip.ask', keys: ['a'], description: 'tip.key.ask', scope: 'tip.key.scope' },
  { id: 'tip.duplicate', keys: ['d'], description: 'tip.key.duplicate', scope: 'tip.key.scope' },
  { id: 'tip.note', keys: ['n'], description: 'tip.key.note', scope: 'tip.key.scope' },
  { id: 'leads.next', keys: ['j', 'ArrowDown'], description: 'leads.key.next', scope: 'leads.key.scope' },
  { id: 'leads.prev', keys: ['k', 'ArrowUp'], description: 'leads.key.prev', scope: 'leads.key.scope' },
  { id: 'leads.close', keys: ['Escape'], description: 'leads.key.close', scope: 'leads.key.scope' },
  // The unit's inbox.
  { id: 'inbox.next', keys: ['j', 'ArrowDown'], description: 'inbox.key.next', scope: 'inbox.key.scope' },
  { id: 'inbox.prev', keys: ['k', 'ArrowUp'], description: 'inbox.key.prev', scope: 'inbox.key.scope' },
  { id: 'inbox.close', keys: ['Escape'], description: 'inbox.key.close', scope: 'inbox.key.scope' },
] as const satisfies readonly ShortcutDef<string, ConsoleKey, ConsoleKey>[];

export type ConsoleShortcutId = (typeof CONSOLE_SHORTCUTS)[number]['id'];
