import { createContext } from 'preact';
import { useContext, useEffect, useRef } from 'preact/hooks';
import type { Handler, ShortcutDef, Shortcuts } from './shortcuts';

export const ShortcutsContext = createContext<Shortcuts<ShortcutDef> | null>(null);

/** Makes shortcut `id` live while the calling component is shown. */
export function useShortcut(id: string, handler: Handler, enabled = true) {
  const shortcuts = useContext(ShortcutsContext);
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => {
    if (!shortcuts || !enabled) return undefined;
    return shortcuts.register(id, (e) => latest.current(e));
  }, [shortcuts, id, enabled]);
}

/**
 * Sends the page's key presses to the dispatcher, except while a modal
 * dialog is open (its own controls and Esc belong to it).
 */
export function listenForShortcuts(shortcuts: Shortcuts<ShortcutDef>, doc: Document = document): () => void {
  const onKey = (e: KeyboardEvent) => {
    if (modalOpen(doc)) return;
    shortcuts.dispatch(e);
  };
  doc.addEventListener('keydown', onKey);
  return () => doc.removeEventListener('keydown', onKey);
}

function modalOpen(doc: Document): boolean {
  try {
    return doc.querySelector('dialog:modal') !== null;
  } catch {
    return doc.querySelector('dialog[open]') !== null;
  }
}
