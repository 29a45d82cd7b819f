// Drafts and the reports waiting to be sent: never lost, never doubled.
//
// Every draft lives in IndexedDB from its first photo or keystroke. Its
// photos upload at once, one at a time, each under its own Idempotency-Key
// kept with it; the report goes out under the draft's key once the
// reporter has sent it and every photo is up. Anything that did not get a
// definite answer (no network, a timeout, a 5xx, a rate limit) stays queued
// and is tried again — on the `online` event at once, otherwise after a
// growing wait — with the same keys, so the service answers a replay with
// the first outcome (the same tip, the same receipt) rather than a second
// one. A definite refusal (a 4xx) goes back to the form, said at the field.
//
// Idempotency keys are scoped by the service per caller, so a draft keeps
// its caller: an anonymous draft its own anonymous session (one per draft,
// so two reports are not linked by a session), a citizen's draft the
// account. Photos uploaded under another caller (signed in meanwhile, or an
// anonymous session that expired) are uploaded again under the current one.

import { signal, type Signal } from '@preact/signals';
import type { Problem } from '../../shared/api/problem';
import type { Schemas } from '../../shared/api/types';
import type { AnonSession, Draft, DraftPhoto, PhotoOwner, ReporterDb } from './db';
import { newId } from './db';
import type { UploadOutcome } from './upload';
import { checkContact } from './contact';

export type SubmittedTip = Schemas['SubmittedTip'];
export type NewTipRequest = Schemas['NewTipRequest'];

export type Caller =
  | { kind: 'citizen'; userId: string }
  | { kind: 'anonymous'; session: AnonSession };

export type TipOutcome = { ok: true; data: SubmittedTip } | { ok: false; problem: Problem & { message?: string } };

export interface OutboxDeps {
  db: ReporterDb;
  now?: () => number;
  /** The signed-in citizen, or null. */
  citizen(): Promise<{ userId: string; token: string } | null>;
  /** `POST /v1/auth/anonymous`. */
  /**
   * An anonymous session: `previous` renewed when the service still takes
   * it (the same reporter, so a retried tip finds its first attempt), else
   * a new one.
   */
  anonymous(previous?: AnonSession): Promise<AnonSession>;
  upload(photo: DraftPhoto, token: string | null, onProgress: (f: number) => void, signal: AbortSignal): Promise<UploadOutcome>;
  /** `POST /v1/tips`; `anonToken` for anonymous drafts, else the session's token. */
  postTip(body: NewTipRequest, idempotencyKey: string, anonToken: string | null): Promise<TipOutcome>;
  /** Whether the browser says it is online. */
  online(): boolean;
  setTimeout?: (fn: () => void, ms: number) => unknown;
  clearTimeout?: (h: unknown) => void;
}

export type PhotoStatus = 'waiting' | 'uploading' | 'done' | 'failed';

export interface PhotoState {
  id: string;
  status: PhotoStatus;
  progress: number;
  problem?: Problem;
  /** The service's id for it, once uploaded (its card is read from then on). */
  mediaId?: string;
}

/** Statuses after which the same upload would be refused again: the reporter must act. */
export function isDefinite(p: Problem): boolean {
  return p.status >= 400 && p.status < 500 && p.status !== 401 && p.status !== 408 && p.status !== 429 &&
    !(p.status === 409 && p.code === 'idempotency.in_progress');
}

const RETRY_MS = [2_000, 5_000, 15_000, 30_000, 60_000];
/** An anonymous session this close to its end is not started on. */
const ANON_MARGIN_MS = 5 * 60_000;

export const MAX_PHOTOS = 9;

export type Missing = 'photos' | 'place' | 'category' | 'contacts' | 'photo_problem';

/** What keeps a draft from being sent, in the order the form shows its fields. */
export function missing(d: Draft, photos: readonly PhotoState[]): Missing[] {
  const out: Missing[] = [];
  if (photos.length === 0) out.push('photos');
  if (photos.some((p) => p.status === 'failed' && p.problem && isDefinite(p.problem))) out.push('photo_problem');
  if (!d.place) out.push('place');
  if (!d.category) out.push('category');
  if (d.contacts.some((c) => c.value.trim() !== '' && !checkContact(c.kind, c.value).ok)) out.push('contacts');
  return out;
}

export function tipBody(d: Draft, mediaIds: string[]): { body: NewTipRequest; contactIds: string[] } {
  const rows = d.contacts.filter((c) => c.value.trim() !== '');
  const place = d.place!;
  return {
    body: {
      category: d.category,
      description: d.description,
      location: {
        lat: place.lat,
        lon: place.lon,
        ...(place.accuracy_m !== undefined ? { accuracy_m: Math.min(100_000, Math.max(0, place.accuracy_m)) } : {}),
      },
      ...(d.address.trim() ? { address: d.address.trim() } : {}),
      contacts: rows.map((c) => ({ kind: c.kind, value: c.value })),
      media_ids: mediaIds,
    },
    contactIds: rows.map((c) => c.id),
  };
}

/** A draft nobody wrote anything in. */
export function isBlank(d: Draft): boolean {
  return (
    d.state === 'editing' &&
    d.photoIds.length === 0 &&
    !d.description.trim() &&
    !d.address.trim() &&
    d.contacts.every((c) => !c.value.trim())
  );
}

export function emptyDraft(now: number, category = ''): Draft {
  return {
    id: newId(),
    createdAt: now,
    updatedAt: now,
    state: 'editing',
    category,
    description: '',
    address: '',
    place: null,
    contacts: [{ id: newId(), kind: 'phone', value: '' }],
    photoIds: [],
    idempotencyKey: newId(),
    attempts: 0,
  };
}

/** The fields the form writes; the rest belong to the queue. */
export type FormField = 'category' | 'description' | 'address' | 'place' | 'contacts' | 'dismissedFound';

export interface Outbox {
  /** Every draft not yet sent, and the sent ones still kept (newest first). */
  readonly drafts: Signal<Draft[]>;
  /** Per photo id: its upload's progress. */
  readonly photos: Signal<ReadonlyMap<string, PhotoState>>;
  /** Loads what the phone kept and starts sending what waits. */
  start(): Promise<void>;
  /** A new draft (stored at once). */
  create(d: Draft): Promise<void>;
  /** The form's fields of a draft, merged into what is stored. */
  edit(id: string, patch: Partial<Pick<Draft, FormField>>): Promise<Draft | undefined>;
  addPhotos(draftId: string, files: readonly Blob[]): Promise<void>;
  removePhoto(draftId: string, photoId: string): Promise<void>;
  retryPhoto(photoId: string): void;
  /** The reporter pressed send. */
  submit(id: string): Promise<void>;
  /** The receipt page of a sent draft was shown. */
  markShown(id: string): Promise<void>;
  /** Forgets a sent draft (its receipt stays in the receipts store). */
  discard(id: string): Promise<void>;
  /** Runs the queue now (also on `online`). */
  pump(): Promise<void>;
  /** Whether the queue is being worked on right now. */
  readonly busy: Signal<boolean>;
  /** Whether what the phone kept has been read (the form waits for it). */
  readonly ready: Signal<boolean>;
  dispose(): void;
}

export function createOutbox(deps: OutboxDeps): Outbox {
  const now = deps.now ?? (() => Date.now());
  const setTimer = deps.setTimeout ?? ((fn, ms) => globalThis.setTimeout(fn, ms));
  const clearTimer = deps.clearTimeout ?? ((h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>));
  const drafts = signal<Draft[]>([]);
  const photos = signal<ReadonlyMap<string, PhotoState>>(new Map());
  const busy = signal(false);
  const ready = signal(false);
  const uploads = new Map<string, AbortController>();
  let running: Promise<void> | null = null;
  let again = false;
  let timer: unknown = null;
  let failures = 0;
  let disposed = false;

  function setPhoto(id: string, patch: Partial<PhotoState>) {
    const next = new Map(photos.value);
    const prev = next.get(id) ?? { id, status: 'waiting' as PhotoStatus, progress: 0 };
    next.set(id, { ...prev, ...patch });
    photos.value = next;
  }

  function photoStateOf(p: DraftPhoto): PhotoState {
    if (p.media) return { id: p.id, status: 'done', progress: 1, mediaId: p.media.id };
    if (p.problem) return { id: p.id, status: 'failed', progress: 0, problem: p.problem };
    return { id: p.id, status: 'waiting', progress: 0 };
  }

  function publish(d: Draft) {
    const list = drafts.value.filter((x) => x.id !== d.id);
    list.push(d);
    list.sort((a, b) => b.createdAt - a.createdAt);
    drafts.value = list;
  }

  // Every write is read-latest, change, write, one at a time: the form and
  // the queue change different fields of the same draft while an upload is
  // under way, and neither may undo the other's change.
  let writes: Promise<unknown> = Promise.resolve();
  function update(id: string, change: (d: Draft) => void): Promise<Draft | undefined> {
    const run = writes.then(async () => {
      const d = await deps.db.drafts.get(id);
      if (!d) return undefined;
      change(d);
      d.updatedAt = now();
      await deps.db.drafts.put(d);
      publish({ ...d });
      return d;
    });
    writes = run.catch(() => undefined);
    return run;
  }

  async function create(d: Draft) {
    const run = writes.then(async () => {
      await deps.db.drafts.put(d);
      publish({ ...d });
    });
    writes = run.catch(() => undefined);
    await run;
  }

  function schedule() {
    if (timer !== null || disposed) return;
    const wait = RETRY_MS[Math.min(failures, RETRY_MS.length - 1)]!;
    failures += 1;
    timer = setTimer(() => {
      timer = null;
      void pump();
    }, wait);
  }

  function ownerMatches(owner: PhotoOwner, caller: Caller): boolean {
    return owner.kind === 'citizen'
      ? caller.kind === 'citizen' && caller.userId === owner.userId
      : caller.kind === 'anonymous' &&
          (owner.lineage && caller.session.lineage
            ? owner.lineage === caller.session.lineage
            : caller.session.token === owner.token);
  }

  /** Who this draft goes out as, now: the citizen signed in, else its anonymous session. */
  async function callerFor(d: Draft): Promise<{ caller: Caller; token: string }> {
    const citizen = await deps.citizen();
    if (citizen) return { caller: { kind: 'citizen', userId: citizen.userId }, token: citizen.token };
    let anon = d.anon;
    if (!anon || anon.expiresAt - now() < ANON_MARGIN_MS) {
      const fresh = await deps.anonymous(anon);
      anon = fresh;
      await update(d.id, (x) => {
        x.anon = fresh;
      });
    }
    return { caller: { kind: 'anonymous', session: anon }, token: anon.token };
  }

  type Step = 'done' | 'wait' | 'blocked';

  async function uploadAll(d: Draft, caller: Caller, token: string): Promise<Step> {
    let blocked = false;
    for (const id of d.photoIds) {
      const p = await deps.db.photos.get(id);
      if (!p) continue;
      if (p.media && ownerMatches(p.media.owner, caller)) continue;
      if (p.media) {
        // Uploaded as someone else: the service would refuse it in this tip.
        delete p.media;
        p.idempotencyKey = newId();
      }
      if (p.problem && isDefinite(p.problem)) {
        blocked = true;
        continue;
      }
      if (!deps.online()) return 'wait';
      const abort = new AbortController();
      uploads.set(id, abort);
      setPhoto(id, { status: 'uploading', progress: 0, problem: undefined, mediaId: undefined });
      let out: UploadOutcome;
      try {
        out = await deps.upload(p, token, (f) => setPhoto(id, { progress: f }), abort.signal);
      } finally {
        uploads.delete(id);
      }
      // Removed while it went up: nothing to keep.
      if (!(await deps.db.photos.get(id))) continue;
      if (out.ok) {
        delete p.problem;
        p.media = {
          id: out.media.id,
          owner:
            caller.kind === 'citizen'
              ? { kind: 'citizen', userId: caller.userId }
              : { kind: 'anonymous', token, ...(caller.session.lineage ? { lineage: caller.session.lineage } : {}) },
        };
        await deps.db.photos.put(p);
        setPhoto(id, { status: 'done', progress: 1, problem: undefined, mediaId: out.media.id });
        continue;
      }
      if (out.problem.status === 401 && caller.kind === 'anonymous') {
        // The anonymous token ended: renewed (or a new session) next round.
        await update(d.id, expireAnon);
        return 'wait';
      }
      p.problem = out.problem;
      await deps.db.photos.put(p);
      setPhoto(id, { status: 'failed', progress: 0, problem: out.problem });
      if (!isDefinite(out.problem)) return 'wait';
      blocked = true;
    }
    return blocked ? 'blocked' : 'done';
  }

  /** Kept to be renewed: a new session would not find the first attempt. */
  function expireAnon(x: Draft) {
    if (x.anon) x.anon = { ...x.anon, expiresAt: 0 };
  }

  async function resetMedia(d: Draft) {
    for (const id of d.photoIds) {
      const p = await deps.db.photos.get(id);
      if (p?.media) {
        delete p.media;
        p.idempotencyKey = newId();
        await deps.db.photos.put(p);
        setPhoto(id, { status: 'waiting', progress: 0, mediaId: undefined });
      }
    }
  }

  async function send(d: Draft, caller: Caller, token: string): Promise<Step> {
    const list = await Promise.all(d.photoIds.map((id) => deps.db.photos.get(id)));
    const mediaIds = list.map((p) => p?.media?.id).filter((x): x is string => !!x);
    if (mediaIds.length === 0 || mediaIds.length !== d.photoIds.length) return 'blocked';
    const { body, contactIds } = tipBody(d, mediaIds);
    const key = d.idempotencyKey;
    const attempts = d.attempts + 1;
    await update(d.id, (x) => {
      x.sentContactIds = contactIds;
      x.attempts = attempts;
    });
    if (!deps.online()) return 'wait';
    const out = await deps.postTip(body, key, caller.kind === 'anonymous' ? token : null);
    if (out.ok) {
      const { tip, receipt } = out.data;
      if (receipt) {
        await deps.db.receipts.put({
          code: receipt.code,
          secret: receipt.secret,
          reference: tip.reference,
          tipId: tip.id,
          createdAt: now(),
        });
      }
      await update(d.id, (x) => {
        x.state = 'sent';
        delete x.problem;
        delete x.anon;
        x.sent = {
          tipId: tip.id,
          reference: tip.reference,
          ...(receipt ? { receipt: { code: receipt.code, secret: receipt.secret } } : {}),
          shown: false,
        };
      });
      // The photos are the service's now; the phone need not keep them.
      for (const id of d.photoIds) await deps.db.photos.delete(id);
      return 'done';
    }
    const p = out.problem;
    if (p.status === 401 && caller.kind === 'anonymous') {
      await update(d.id, expireAnon);
      return 'wait';
    }
    if (p.code === 'tip.invalid_media' && attempts < 5) {
      // The photos were removed by the service (a day unused) or belong to
      // a session that ended: up again, then the tip.
      await resetMedia(d);
      return 'wait';
    }
    const problem = { status: p.status, code: p.code, ...(p.requestId ? { requestId: p.requestId } : {}),
      ...(p.retryAfter !== undefined ? { retryAfter: p.retryAfter } : {}), ...(p.message ? { detail: p.message } : {}) };
    if (isDefinite(p)) {
      // Refused for good: nothing was made, and the reporter will change
      // something, so the next attempt is a new request with a new key.
      await update(d.id, (x) => {
        x.problem = problem;
        x.state = 'editing';
        x.idempotencyKey = newId();
      });
      return 'blocked';
    }
    await update(d.id, (x) => {
      x.problem = problem;
    });
    return 'wait';
  }

  async function work(d: Draft): Promise<Step> {
    if (d.state === 'sent') return 'done';
    if (d.photoIds.length === 0) return 'done';
    if (!deps.online()) return 'wait';
    let who: { caller: Caller; token: string };
    try {
      who = await callerFor(d);
    } catch {
      return 'wait';
    }
    const up = await uploadAll(d, who.caller, who.token);
    if (up === 'blocked' && d.state === 'queued') {
      // A photo the service will never take (too large, not a photo): back
      // to the form, where the photo says why and can be removed.
      await update(d.id, (x) => {
        x.state = 'editing';
      });
      return up;
    }
    if (up !== 'done' || d.state !== 'queued') return up;
    return send(d, who.caller, who.token);
  }

  async function runOnce() {
    busy.value = true;
    let waiting = false;
    try {
      do {
        again = false;
        // Oldest first: what the reporter sent first goes first.
        const list = [...drafts.value].filter((d) => d.state !== 'sent').sort((a, b) => a.createdAt - b.createdAt);
        for (const snapshot of list) {
          if (disposed) return;
          const d = await deps.db.drafts.get(snapshot.id);
          if (!d) continue;
          const step = await work(d).catch(() => 'wait' as Step);
          if (step === 'wait') waiting = true;
        }
      } while (again && !disposed);
    } finally {
      busy.value = false;
    }
    if (waiting) schedule();
    else failures = 0;
  }

  function pump(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = runOnce().finally(() => {
      running = null;
    });
    return running;
  }

  return {
    drafts,
    photos,
    busy,
    ready,
    async start() {
      let all: Draft[] = [];
      try {
        all = await deps.db.drafts.all();
      } catch {
        /* nothing kept can be read: start empty */
      }
      // Sent drafts are kept a month for their receipt page, then forgotten;
      // drafts never written in are dropped.
      const keep: Draft[] = [];
      for (const d of all) {
        const old = d.state === 'sent' && now() - d.updatedAt > 30 * 86400_000;
        if (old || isBlank(d)) await deps.db.drafts.delete(d.id).catch(() => undefined);
        else keep.push(d);
      }
      keep.sort((a, b) => b.createdAt - a.createdAt);
      drafts.value = keep;
      const states = new Map<string, PhotoState>();
      for (const d of keep) {
        for (const p of await deps.db.photos.ofDraft(d.id)) states.set(p.id, photoStateOf(p));
      }
      photos.value = states;
      ready.value = true;
      void pump();
    },
    create,
    edit(id, patch) {
      return update(id, (d) => {
        Object.assign(d, patch);
        // A change to what was refused: the field shows its own state again.
        const refusedField = Object.keys(patch).some((k) => k !== 'description' && k !== 'address' && k !== 'dismissedFound');
        if (d.state === 'editing' && d.problem && isDefinite(d.problem) && refusedField) delete d.problem;
      });
    },
    async addPhotos(draftId, files) {
      const added: string[] = [];
      const d = await deps.db.drafts.get(draftId);
      if (!d) return;
      const room = MAX_PHOTOS - d.photoIds.length;
      for (const file of files.slice(0, Math.max(0, room))) {
        const p: DraftPhoto = {
          id: newId(),
          draftId,
          blob: file,
          name: (file as File).name ?? 'photo',
          idempotencyKey: newId(),
        };
        await deps.db.photos.put(p);
        added.push(p.id);
        setPhoto(p.id, { status: 'waiting', progress: 0 });
      }
      await update(draftId, (x) => {
        x.photoIds = [...x.photoIds, ...added].slice(0, MAX_PHOTOS);
      });
      failures = 0;
      void pump();
    },
    async removePhoto(draftId, photoId) {
      uploads.get(photoId)?.abort();
      await deps.db.photos.delete(photoId);
      await update(draftId, (x) => {
        x.photoIds = x.photoIds.filter((id) => id !== photoId);
      });
      const next = new Map(photos.value);
      next.delete(photoId);
      photos.value = next;
    },
    retryPhoto(photoId) {
      void (async () => {
        const p = await deps.db.photos.get(photoId);
        if (!p) return;
        delete p.problem;
        await deps.db.photos.put(p);
        setPhoto(photoId, { status: 'waiting', problem: undefined });
        failures = 0;
        await pump();
      })();
    },
    async submit(id) {
      await update(id, (d) => {
        d.state = 'queued';
        delete d.problem;
      });
      failures = 0;
      await pump();
    },
    async markShown(id) {
      await update(id, (d) => {
        if (d.sent) d.sent.shown = true;
      });
    },
    async discard(id) {
      const run = writes.then(() => deps.db.drafts.delete(id));
      writes = run.catch(() => undefined);
      await run;
      drafts.value = drafts.value.filter((d) => d.id !== id);
    },
    pump() {
      failures = 0;
      if (timer !== null) {
        clearTimer(timer);
        timer = null;
      }
      return pump();
    },
    dispose() {
      disposed = true;
      if (timer !== null) clearTimer(timer);
      for (const a of uploads.values()) a.abort();
    },
  };
}
