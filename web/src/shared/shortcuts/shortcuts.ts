// Keyboard shortcuts: one table per app (id, keys, description, scope), one
// dispatcher, and the `?` overlay drawn from the same table. A view makes a
// shortcut live by registering a handler for its id while it is shown; the
// overlay lists what is live.
//
// Keys are ignored while a form field has focus, while an input method is
// composing, and with Ctrl/Alt/Meta held (those belong to the browser and
// the system). With a Chinese input method on, `event.key` may be
// "Process" or a full-width character ("？", "ｖ"): then the physical key,
// `event.code`, decides.

import { signal, type ReadonlySignal } from '@preact/signals';

/**
 * A key as the table writes it:
 * - one printable ASCII character: `v` (no Shift), `V` (Shift+V), `?`, `/`, `1`;
 * - a named key, `Escape`, `Enter`, `ArrowDown`, …
 */
export type Key = string;

export interface ShortcutDef<Id extends string = string, Scope extends string = string, Desc extends string = string> {
  id: Id;
  /** Alternatives: any of them triggers it. */
  keys: readonly Key[];
  /** Catalogue key of what it does, for the overlay. */
  description: Desc;
  /** Where it works, for grouping in the overlay (a catalogue key too). */
  scope: Scope;
}

/** The part of a KeyboardEvent the dispatcher reads. */
export interface KeyEventLike {
  key: string;
  code: string;
  shiftKey: boolean;
  ctrlKey: boolean;
  altKey: boolean;
  metaKey: boolean;
  isComposing?: boolean;
  keyCode?: number;
  repeat?: boolean;
  defaultPrevented?: boolean;
  target: unknown;
  preventDefault(): void;
}

const CODE_CHARS: Record<string, [string, string]> = {
  Slash: ['/', '?'],
  Period: ['.', '>'],
  Comma: [',', '<'],
  Minus: ['-', '_'],
  Equal: ['=', '+'],
  Semicolon: [';', ':'],
  Quote: ["'", '"'],
  BracketLeft: ['[', '{'],
  BracketRight: [']', '}'],
  Backslash: ['\\', '|'],
  Backquote: ['`', '~'],
  Space: [' ', ' '],
};

const isAsciiPrintable = (k: string) => k.length === 1 && k >= ' ' && k <= '~';
const isNamedKey = (k: string) => k.length > 1 && /^[A-Za-z][A-Za-z0-9]*$/.test(k);
/** What input methods and dead keys report instead of a key. */
const NOT_A_KEY = new Set(['Process', 'Unidentified', 'Dead']);

function letter(l: string, shift: boolean): string {
  return shift ? l.toUpperCase() : l.toLowerCase();
}

/** The table's name for the key pressed, or null when no shortcut may use it. */
export function keyOf(e: KeyEventLike): Key | null {
  if (e.ctrlKey || e.altKey || e.metaKey) return null;
  const k = e.key;
  if (isAsciiPrintable(k)) return /[a-z]/i.test(k) ? letter(k, e.shiftKey) : k;
  if (isNamedKey(k) && !NOT_A_KEY.has(k)) return k;
  // Not ASCII (an input method's "Process", a full-width "？"): by position.
  const c = e.code;
  const m = /^Key([A-Z])$/.exec(c);
  if (m) return letter(m[1]!, e.shiftKey);
  const d = /^(?:Digit|Numpad)([0-9])$/.exec(c);
  if (d) return e.shiftKey ? null : d[1]!;
  const pair = CODE_CHARS[c];
  if (pair) return e.shiftKey ? pair[1] : pair[0];
  return null;
}

interface ElementLike {
  tagName?: string;
  isContentEditable?: boolean;
  type?: string;
  closest?: (selector: string) => unknown;
}

const TEXT_LIKE = /^(INPUT|TEXTAREA|SELECT)$/;

/** A form field or editable text has focus: keys are typing, not commands. */
export function isTyping(target: unknown): boolean {
  if (!target || typeof target !== 'object') return false;
  const el = target as ElementLike;
  if (el.isContentEditable) return true;
  if (el.tagName && TEXT_LIKE.test(el.tagName.toUpperCase())) return true;
  // Inside a shadow-free editable region, e.g. a <div contenteditable> child.
  return typeof el.closest === 'function' && el.closest('[contenteditable]:not([contenteditable="false"])') !== null;
}

export type Handler = (e: KeyEventLike) => void;

export interface Shortcuts<Def extends ShortcutDef> {
  readonly table: readonly Def[];
  /** Ids with a handler now, as a signal for the overlay. */
  readonly live: ReadonlySignal<ReadonlySet<Def['id']>>;
  /** Makes `id` live until the returned function is called; the latest handler wins. */
  register(id: Def['id'], handler: Handler): () => void;
  /** Runs the shortcut `e` names, if any is live; true when one ran. */
  dispatch(e: KeyEventLike): boolean;
}

export function createShortcuts<const Def extends ShortcutDef>(table: readonly Def[]): Shortcuts<Def> {
  const seen = new Map<string, string>();
  for (const def of table) {
    for (const key of def.keys) {
      // Two live shortcuts may share a key only in different scopes; the
      // table says which: a duplicate within a scope is a mistake.
      const slot = `${def.scope}\u0000${key}`;
      const other = seen.get(slot);
      if (other) throw new Error(`shortcut key ${key} is used by both ${other} and ${def.id} in ${def.scope}`);
      seen.set(slot, def.id);
    }
  }
  const handlers = new Map<string, Handler[]>();
  const live = signal<ReadonlySet<Def['id']>>(new Set());
  const refresh = () => {
    live.value = new Set([...handlers.entries()].filter(([, hs]) => hs.length > 0).map(([id]) => id));
  };

  return {
    table,
    live,
    register(id, handler) {
      const list = handlers.get(id) ?? [];
      list.push(handler);
      handlers.set(id, list);
      refresh();
      return () => {
        const now = handlers.get(id) ?? [];
        handlers.set(
          id,
          now.filter((h) => h !== handler),
        );
        refresh();
      };
    },
    dispatch(e) {
      if (e.defaultPrevented) return false;
      if (e.isComposing) return false;
      if (isTyping(e.target)) return false;
      const key = keyOf(e);
      if (key === null) return false;
      // Later entries of the table are more specific (a view's scope after
      // the global one): the last live match wins.
      for (let i = table.length - 1; i >= 0; i--) {
        const def = table[i]!;
        if (!def.keys.includes(key)) continue;
        const hs = handlers.get(def.id);
        const h = hs?.[hs.length - 1];
        if (!h) continue;
        e.preventDefault();
        h(e);
        return true;
      }
      return false;
    },
  };
}

/** How a key is shown in the overlay and on buttons: `v` is "V", `V` is "Shift+V". */
export function keyLabel(key: Key): string {
  if (/^[A-Z]$/.test(key)) return `Shift+${key}`;
  const names: Record<string, string> = {
    Escape: 'Esc',
    ArrowDown: '↓',
    ArrowUp: '↑',
    ArrowLeft: '←',
    ArrowRight: '→',
    Enter: 'Enter',
    ' ': 'Space',
  };
  return names[key] ?? (key.length === 1 ? key.toUpperCase() : key);
}
