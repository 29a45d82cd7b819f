// Saved queue filters: named views kept in this browser (localStorage),
// each the filters' query string (never the open tip).
import { signal, type Signal } from '@preact/signals';

export interface SavedFilter {
  name: string;
  query: string;
}

const KEY = 'tipline.console.queue.saved';

function read(storage: Pick<Storage, 'getItem'> | null): SavedFilter[] {
  try {
    const raw = storage?.getItem(KEY);
    const parsed: unknown = raw ? JSON.parse(raw) : [];
    if (!Array.isArray(parsed)) return [];
    return parsed.filter(
      (x): x is SavedFilter =>
        typeof x === 'object' && x !== null && typeof (x as SavedFilter).name === 'string' && typeof (x as SavedFilter).query === 'string',
    );
  } catch {
    return [];
  }
}

function store(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

export function createSavedFilters(storage: Pick<Storage, 'getItem' | 'setItem'> | null = store()) {
  const list: Signal<SavedFilter[]> = signal(read(storage));
  const write = (next: SavedFilter[]) => {
    list.value = next;
    try {
      storage?.setItem(KEY, JSON.stringify(next));
    } catch {
      /* kept for this page only */
    }
  };
  return {
    list,
    /** Saves (or replaces, by name) a view. */
    save(name: string, query: string) {
      const n = name.trim().slice(0, 60);
      if (!n) return;
      write([...list.value.filter((f) => f.name !== n), { name: n, query }].sort((a, b) => a.name.localeCompare(b.name)));
    },
    remove(name: string) {
      write(list.value.filter((f) => f.name !== name));
    },
  };
}
