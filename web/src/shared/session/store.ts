// Where a session's refresh token is kept between page loads.
//
// IndexedDB, not localStorage: the refresh token is read and written under
// a Web Lock shared by the origin's tabs, and the reader must see the last
// writer's token. Chromium keeps a copy of localStorage in each renderer and
// brings it up to date asynchronously, so a tab that takes the lock right
// after another let go of it can still read the token the other tab just
// spent, and presenting it again revokes the session everywhere (the browser
// tests caught exactly that). An IndexedDB transaction that completed before
// the lock was let go is seen by every later one, whatever the tab.

export interface Stored {
  refresh_token: string;
  /** ms since the epoch. */
  refresh_expires_at: number;
  /** Rises with every spend; see session.ts. */
  seq: number;
}

export interface SessionStore {
  get(): Promise<Stored | null>;
  set(value: Stored): Promise<void>;
  /** Removes the stored token; with `onlyIf`, only while it is that one. */
  clear(onlyIf?: string): Promise<void>;
}

function valid(v: unknown): v is Stored {
  if (!v || typeof v !== 'object') return false;
  const s = v as Partial<Stored>;
  return typeof s.refresh_token === 'string' && typeof s.refresh_expires_at === 'number' && typeof s.seq === 'number';
}

/** For tests, and for browsers without IndexedDB: the session lasts as long as the tab. */
export function memoryStore(): SessionStore {
  let value: Stored | null = null;
  return {
    async get() {
      return value;
    },
    async set(v) {
      value = { ...v };
    },
    async clear(onlyIf) {
      if (onlyIf === undefined || value?.refresh_token === onlyIf) value = null;
    },
  };
}

const DB = 'tipline';
const STORE = 'sessions';

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

/**
 * One key (`namespace`) in the origin's `tipline` database. Falls back to
 * memory when IndexedDB cannot be opened (some private modes).
 */
export function indexedDbStore(namespace: string, idb: IDBFactory | undefined = globalThis.indexedDB): SessionStore {
  let opened: Promise<IDBDatabase | null> | null = null;
  const fallback = memoryStore();

  function open(): Promise<IDBDatabase | null> {
    if (!opened) {
      opened = new Promise<IDBDatabase | null>((resolve) => {
        if (!idb) return resolve(null);
        try {
          const r = idb.open(DB, 1);
          r.onupgradeneeded = () => r.result.createObjectStore(STORE);
          r.onsuccess = () => resolve(r.result);
          r.onerror = () => resolve(null);
          r.onblocked = () => resolve(null);
        } catch {
          resolve(null);
        }
      });
    }
    return opened;
  }

  return {
    async get() {
      const db = await open();
      if (!db) return fallback.get();
      const tx = db.transaction(STORE, 'readonly');
      const v: unknown = await request(tx.objectStore(STORE).get(namespace));
      return valid(v) ? v : null;
    },
    async set(value) {
      const db = await open();
      if (!db) return fallback.set(value);
      const tx = db.transaction(STORE, 'readwrite');
      tx.objectStore(STORE).put({ ...value }, namespace);
      await done(tx);
    },
    async clear(onlyIf) {
      const db = await open();
      if (!db) return fallback.clear(onlyIf);
      const tx = db.transaction(STORE, 'readwrite');
      const store = tx.objectStore(STORE);
      if (onlyIf === undefined) {
        store.delete(namespace);
      } else {
        const v: unknown = await request(store.get(namespace));
        if (valid(v) && v.refresh_token === onlyIf) store.delete(namespace);
      }
      await done(tx);
    },
  };
}
