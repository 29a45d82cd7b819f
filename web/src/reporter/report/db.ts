// What the phone keeps so nothing typed or photographed is lost: drafts
// (with their photos as Blobs), the reports waiting to be sent, and the
// receipts of anonymous reports, in the origin's IndexedDB database
// `tipline-reporter` (the session's `tipline` database is left alone).
//
// A reload, a closed tab or a dead battery loses nothing that was written
// here; clearing the browser's data loses all of it (the page says so).

import type { Problem } from '../../shared/api/problem';
import type { ContactKind } from './contact';

export interface Place {
  lat: number;
  lon: number;
  /** Metres; from the phone's position, absent for a pin moved by hand. */
  accuracy_m?: number;
  source: 'gps' | 'map';
}

export interface ContactRow {
  id: string;
  kind: ContactKind;
  value: string;
}

export type DraftState =
  /** Being written. */
  | 'editing'
  /** Sent by the reporter: waiting for photos, the network, or a retry. */
  | 'queued'
  /** The service took it. */
  | 'sent';

export interface AnonSession {
  token: string;
  /** ms since the epoch. */
  expiresAt: number;
  /**
   * Names the service's session across renewals (a renewed token is the
   * same reporter: its photos and Idempotency-Keys still count). Made here,
   * never sent; absent on drafts saved before renewal existed.
   */
  lineage?: string;
}

export interface SentTip {
  tipId: string;
  reference: string;
  receipt?: { code: string; secret: string };
  /** Whether the page has shown the receipt (it is shown once, on purpose). */
  shown: boolean;
}

export interface Draft {
  id: string;
  createdAt: number;
  updatedAt: number;
  state: DraftState;
  category: string;
  description: string;
  address: string;
  place: Place | null;
  contacts: ContactRow[];
  /** The photos, in the order chosen. */
  photoIds: string[];
  /**
   * Made once per draft and kept with it: every attempt to send it carries
   * this key, so a retry after a lost answer gets the first tip back
   * instead of making a second one. Replaced only after a definite refusal
   * (a 4xx that created nothing), when the body will change anyway.
   */
  idempotencyKey: string;
  /** The anonymous session its photos and tip go out under (keys are per caller). */
  anon?: AnonSession;
  /**
   * Contacts read off the photos that the reporter said no to (`kind:value`,
   * normalised), so a reload does not offer them again.
   */
  dismissedFound?: string[];
  /** Contact row ids in the order they were last sent (to place a 422 at its field). */
  sentContactIds?: string[];
  /** Why the last attempt did not go through. */
  problem?: Problem & { detail?: string };
  attempts: number;
  sent?: SentTip;
}

export type PhotoOwner = { kind: 'anonymous'; token: string; lineage?: string } | { kind: 'citizen'; userId: string };

export interface DraftPhoto {
  id: string;
  draftId: string;
  blob: Blob;
  name: string;
  /** One per photo, kept with it: a retried upload is answered with the first one. */
  idempotencyKey: string;
  /** Set once the service stored it. */
  media?: { id: string; owner: PhotoOwner };
  problem?: Problem;
}

export interface SavedReceipt {
  code: string;
  secret: string;
  reference: string;
  tipId: string;
  createdAt: number;
}

export interface ReporterDb {
  drafts: {
    all(): Promise<Draft[]>;
    get(id: string): Promise<Draft | undefined>;
    put(d: Draft): Promise<void>;
    delete(id: string): Promise<void>;
  };
  photos: {
    ofDraft(draftId: string): Promise<DraftPhoto[]>;
    get(id: string): Promise<DraftPhoto | undefined>;
    put(p: DraftPhoto): Promise<void>;
    delete(id: string): Promise<void>;
  };
  receipts: {
    all(): Promise<SavedReceipt[]>;
    get(code: string): Promise<SavedReceipt | undefined>;
    put(r: SavedReceipt): Promise<void>;
    delete(code: string): Promise<void>;
  };
}

export const DB_NAME = 'tipline-reporter';
const VERSION = 1;

function req<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

function open(idb: IDBFactory): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const r = idb.open(DB_NAME, VERSION);
    r.onupgradeneeded = () => {
      const db = r.result;
      db.createObjectStore('drafts', { keyPath: 'id' });
      db.createObjectStore('photos', { keyPath: 'id' }).createIndex('draft', 'draftId');
      db.createObjectStore('receipts', { keyPath: 'code' });
    };
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
    r.onblocked = () => reject(new Error('the reporter database is blocked by another tab'));
  });
}

/** Resolves when a write transaction has committed (not merely been asked for). */
function committed(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'));
  });
}

export function openReporterDb(idb: IDBFactory = globalThis.indexedDB): ReporterDb {
  let db: Promise<IDBDatabase> | null = null;
  const get = () => (db ??= open(idb));

  async function read<T>(store: string, fn: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
    const tx = (await get()).transaction(store, 'readonly');
    return req(fn(tx.objectStore(store)));
  }
  async function write(store: string, fn: (s: IDBObjectStore) => void): Promise<void> {
    const tx = (await get()).transaction(store, 'readwrite');
    fn(tx.objectStore(store));
    await committed(tx);
  }

  return {
    drafts: {
      all: () => read('drafts', (s) => s.getAll() as IDBRequest<Draft[]>),
      get: (id) => read('drafts', (s) => s.get(id) as IDBRequest<Draft | undefined>),
      put: (d) => write('drafts', (s) => s.put(structuredCloneable(d))),
      async delete(id) {
        const tx = (await get()).transaction(['drafts', 'photos'], 'readwrite');
        tx.objectStore('drafts').delete(id);
        const photos = tx.objectStore('photos');
        const keys = await req(photos.index('draft').getAllKeys(id));
        for (const k of keys) photos.delete(k);
        await committed(tx);
      },
    },
    photos: {
      ofDraft: (draftId) => read('photos', (s) => s.index('draft').getAll(draftId) as IDBRequest<DraftPhoto[]>),
      get: (id) => read('photos', (s) => s.get(id) as IDBRequest<DraftPhoto | undefined>),
      put: (p) => write('photos', (s) => s.put(structuredCloneable(p))),
      delete: (id) => write('photos', (s) => s.delete(id)),
    },
    receipts: {
      all: () => read('receipts', (s) => s.getAll() as IDBRequest<SavedReceipt[]>),
      get: (code) => read('receipts', (s) => s.get(code) as IDBRequest<SavedReceipt | undefined>),
      put: (r) => write('receipts', (s) => s.put({ ...r })),
      delete: (code) => write('receipts', (s) => s.delete(code)),
    },
  };
}

/** Drops what IndexedDB cannot clone (an ApiProblem's Error prototype, functions). */
function structuredCloneable<T extends { problem?: unknown }>(v: T): T {
  if (!v.problem) return { ...v };
  const p = v.problem as Problem & { detail?: string };
  return {
    ...v,
    problem: {
      status: p.status,
      code: p.code,
      ...(p.requestId ? { requestId: p.requestId } : {}),
      ...(p.retryAfter !== undefined ? { retryAfter: p.retryAfter } : {}),
      ...(p.detail ? { detail: p.detail } : {}),
    },
  };
}

/** For tests and browsers without IndexedDB (some private modes): kept for the tab's life. */
export function memoryReporterDb(): ReporterDb {
  const drafts = new Map<string, Draft>();
  const photos = new Map<string, DraftPhoto>();
  const receipts = new Map<string, SavedReceipt>();
  const copy = <T>(v: T): T => ({ ...v });
  return {
    drafts: {
      all: async () => [...drafts.values()].map(copy),
      get: async (id) => (drafts.has(id) ? copy(drafts.get(id)!) : undefined),
      put: async (d) => void drafts.set(d.id, structuredCloneable(d)),
      delete: async (id) => {
        drafts.delete(id);
        for (const [k, p] of photos) if (p.draftId === id) photos.delete(k);
      },
    },
    photos: {
      ofDraft: async (draftId) => [...photos.values()].filter((p) => p.draftId === draftId).map(copy),
      get: async (id) => (photos.has(id) ? copy(photos.get(id)!) : undefined),
      put: async (p) => void photos.set(p.id, structuredCloneable(p)),
      delete: async (id) => void photos.delete(id),
    },
    receipts: {
      all: async () => [...receipts.values()].map(copy),
      get: async (code) => (receipts.has(code) ? copy(receipts.get(code)!) : undefined),
      put: async (r) => void receipts.set(r.code, copy(r)),
      delete: async (code) => void receipts.delete(code),
    },
  };
}

export function newId(): string {
  return globalThis.crypto.randomUUID();
}
