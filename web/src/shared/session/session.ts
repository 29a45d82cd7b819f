// A signed-in device's tokens, and the one place that spends a refresh token.
//
// The API's refresh tokens work once: presenting a used one again revokes the
// whole family, signing the person out everywhere. So every refresh in the
// browser goes through `renew()`, which is a single flight within the tab and
// runs under a Web Lock across the tabs of the origin. Inside the lock it
// spends only the refresh token the store holds *now* (the latest one: whoever
// spent the previous one stored its successor before letting go of the lock),
// and it skips spending altogether when another tab has just renewed and
// hands over its new access token on the BroadcastChannel.
//
// What is kept where:
// - the access token: in memory only (this tab's, and the other tabs of the
//   same origin through the channel; never stored);
// - the refresh token: in IndexedDB (store.ts says why not localStorage), so
//   a reload keeps the session.
//
// The access token is renewed before it expires (the login answer says when,
// `expires_in`), and on a 401 that the token should not have got.

import { signal, type ReadonlySignal } from '@preact/signals';
import type { Me, TokenPair } from '../api/types';
import { ApiProblem } from '../api/problem';
import { memoryStore, type SessionStore, type Stored } from './store';

export type SessionState =
  | { status: 'starting' }
  /**
   * `ended`: the session stopped by itself (expired, revoked) rather than by
   * signing out. `unreachable`: a stored session could not be resumed because
   * the API did not answer; it is retried in the background.
   */
  | { status: 'signed_out'; ended: boolean; unreachable?: boolean }
  | { status: 'signed_in'; user: Me };

/** What the refresh endpoint answered. */
export type RefreshOutcome =
  | { ok: true; pair: TokenPair }
  /** The token is no good (401 `auth.refresh_invalid`): the session is over. */
  | { ok: false; rejected: true }
  /** No answer, or a 5xx: try again later; the session stands. */
  | { ok: false; rejected: false; problem: ApiProblem };

export interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

export interface ChannelLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  close(): void;
}

export interface SessionOptions {
  /** Keeps the console's and the reporter's sessions apart: `console`, `reporter`. */
  namespace: string;
  refresh(refreshToken: string): Promise<RefreshOutcome>;
  /** Revokes a refresh token; failures are ignored (the token expires anyway). */
  logout(refreshToken: string): Promise<void>;
  /** Where the refresh token is kept; shared by the origin's tabs. */
  store?: SessionStore;
  locks?: LockManagerLike | null;
  channel?: ChannelLike | null;
  now?: () => number;
  setTimeout?: (fn: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
  /**
   * How long to wait, under the lock, for the pair of a tab that has just
   * renewed (seen in storage) to arrive on the channel before spending its
   * successor ourselves. Either way no token is spent twice; waiting saves a
   * spend.
   */
  peerWaitMs?: number;
}

interface Held {
  access: string;
  /** ms since the epoch, by this machine's clock. */
  accessExpiresAt: number;
  refresh: string;
  refreshExpiresAt: number;
  user: Me;
  /** Rises with every spend across tabs; a tab never goes back to a lower one. */
  seq: number;
}

type Message =
  | { type: 'pair'; held: Held }
  | { type: 'signed_out' }
  | { type: 'ended' };

/** How long before expiry to renew: a fifth of the lifetime, 1 s to 60 s. */
export function renewMargin(lifetimeMs: number): number {
  return Math.min(60_000, Math.max(1_000, lifetimeMs / 5));
}

const RETRY_AFTER_FAILURE_MS = [2_000, 5_000, 15_000, 30_000];

export interface Session {
  readonly state: ReadonlySignal<SessionState>;
  /** Resumes a stored session; resolves once the state is known. */
  start(): Promise<void>;
  /** Adopts the pair a login (or registration) answered. */
  signIn(pair: TokenPair): Promise<void>;
  signOut(): Promise<void>;
  /** A usable access token, renewed first when it has expired; null when signed out. */
  accessToken(): Promise<string | null>;
  /**
   * After a 401 to `used`: a newer access token (renewing if nobody has), or
   * null when there is none to be had (the session ended).
   */
  renewAfter401(used: string): Promise<string | null>;
  /** Stops timers and listeners (tests, and pages that go away). */
  dispose(): void;
}

export function createSession(options: SessionOptions): Session {
  const ns = options.namespace;
  const lockName = `tipline.${ns}.refresh`;
  const store = options.store ?? memoryStore();
  const locks = options.locks ?? null;
  const channel = options.channel ?? null;
  const now = options.now ?? (() => Date.now());
  const setTimer = options.setTimeout ?? ((fn, ms) => globalThis.setTimeout(fn, ms));
  const clearTimer =
    options.clearTimeout ?? ((h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>));

  const state = signal<SessionState>({ status: 'starting' });
  let held: Held | null = null;
  let inflight: Promise<string | null> | null = null;
  let timer: unknown = null;
  let failures = 0;
  let starting: Promise<void> | null = null;
  const peerWaitMs = options.peerWaitMs ?? 1_000;
  let peerWaiters: Array<() => void> = [];

  /** Resolves when a pair with `seq` or later has been adopted, or after `ms`. */
  function waitForPeer(seq: number, ms: number): Promise<void> {
    if (!channel || (held && held.seq >= seq)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimer(handle);
        peerWaiters = peerWaiters.filter((w) => w !== check);
        resolve();
      };
      const check = () => {
        if (held && held.seq >= seq) done();
      };
      const handle = setTimer(done, ms);
      peerWaiters.push(check);
    });
  }

  async function readStored(): Promise<Stored | null> {
    try {
      const v = await store.get();
      return v && v.refresh_expires_at > now() ? v : null;
    } catch {
      return null;
    }
  }

  async function writeStored(h: Held) {
    try {
      await store.set({ refresh_token: h.refresh, refresh_expires_at: h.refreshExpiresAt, seq: h.seq });
    } catch {
      /* not kept: the session lasts as long as the tab */
    }
  }

  async function clearStored(onlyIf?: string) {
    try {
      await store.clear(onlyIf);
    } catch {
      /* nothing to clear */
    }
  }

  function post(message: Message) {
    try {
      channel?.postMessage(message);
    } catch {
      /* a closed channel: no other tab to tell */
    }
  }

  function fromPair(pair: TokenPair, seq: number): Held {
    const t = now();
    return {
      access: pair.access_token,
      accessExpiresAt: t + pair.expires_in * 1000,
      refresh: pair.refresh_token,
      refreshExpiresAt: t + pair.refresh_expires_in * 1000,
      user: pair.user,
      seq,
    };
  }

  function adopt(h: Held) {
    held = h;
    failures = 0;
    state.value = { status: 'signed_in', user: h.user };
    schedule();
  }

  function drop(ended: boolean) {
    held = null;
    if (timer !== null) clearTimer(timer);
    timer = null;
    state.value = { status: 'signed_out', ended };
  }

  function schedule() {
    if (timer !== null) clearTimer(timer);
    timer = null;
    if (!held) return;
    const lifetime = held.accessExpiresAt - now();
    const wait = Math.max(0, lifetime - renewMargin(lifetime));
    const due = held.access;
    timer = setTimer(() => {
      timer = null;
      renew(due).catch(() => undefined);
    }, wait);
  }

  function scheduleRetry() {
    if (timer !== null) clearTimer(timer);
    const wait = RETRY_AFTER_FAILURE_MS[Math.min(failures, RETRY_AFTER_FAILURE_MS.length - 1)]!;
    failures += 1;
    const due = held?.access ?? null;
    timer = setTimer(() => {
      timer = null;
      renew(due).catch(() => undefined);
    }, wait);
  }

  function fresh(h: Held): boolean {
    return h.accessExpiresAt - now() > 0;
  }

  channel?.addEventListener('message', (event) => {
    const m = event.data as Message;
    if (!m || typeof m !== 'object') return;
    if (m.type === 'pair') {
      // A newer pair another tab got: use its access token, and never go back
      // to an older one when messages cross.
      if (!held || m.held.seq > held.seq) adopt(m.held);
      for (const w of [...peerWaiters]) w();
    } else if (m.type === 'signed_out') {
      if (held) drop(false);
    } else if (m.type === 'ended') {
      if (held) drop(true);
    }
  });

  function withLock<T>(fn: () => Promise<T>): Promise<T> {
    return locks ? locks.request(lockName, fn) : fn();
  }

  /**
   * Makes sure this tab holds an access token newer than `stale` (null: any).
   * At most one refresh token is spent per call, under the lock.
   */
  function renew(stale: string | null): Promise<string | null> {
    if (held && held.access !== stale && fresh(held)) return Promise.resolve(held.access);
    if (inflight) return inflight;
    inflight = withLock(async () => {
      const stored = await readStored();
      if (!stored) {
        // Signed out in another tab, or the refresh token expired.
        if (held || state.value.status !== 'signed_out') drop(held !== null);
        return null;
      }
      // Another tab may have renewed while we waited for the lock: its pair
      // arrives on the channel (and is adopted there), usually within
      // milliseconds of the lock being let go.
      if (held && stored.seq > held.seq) await waitForPeer(stored.seq, peerWaitMs);
      if (held && held.refresh === stored.refresh_token && held.access !== stale && fresh(held)) {
        return held.access;
      }
      const outcome = await options.refresh(stored.refresh_token);
      if (outcome.ok) {
        const next = fromPair(outcome.pair, Math.max(stored.seq, held?.seq ?? 0) + 1);
        // Stored before the lock is let go: the next tab in spends this one.
        await writeStored(next);
        adopt(next);
        post({ type: 'pair', held: next });
        return next.access;
      }
      if (outcome.rejected) {
        await clearStored(stored.refresh_token);
        drop(true);
        post({ type: 'ended' });
        return null;
      }
      // No answer: keep the session, try again soon.
      scheduleRetry();
      throw outcome.problem;
    }).finally(() => {
      inflight = null;
    });
    return inflight;
  }

  return {
    state,

    start() {
      if (starting) return starting;
      starting = (async () => {
        if (!(await readStored())) {
          drop(false);
          return;
        }
        try {
          await renew(null);
        } catch {
          // The API did not answer: the stored session may still be good, but
          // without an access token nothing can be shown. Say so as signed out
          // (not ended); the retry timer keeps trying and signs in when it can.
          if (!held) state.value = { status: 'signed_out', ended: false, unreachable: true };
        }
      })();
      return starting;
    },

    signIn(pair) {
      return withLock(async () => {
        const seq = Math.max((await readStored())?.seq ?? 0, held?.seq ?? 0) + 1;
        const next = fromPair(pair, seq);
        await writeStored(next);
        adopt(next);
        post({ type: 'pair', held: next });
      });
    },

    async signOut() {
      const token = await withLock(async () => {
        const t = held?.refresh ?? (await readStored())?.refresh_token;
        await clearStored();
        drop(false);
        post({ type: 'signed_out' });
        return t;
      });
      if (token) await options.logout(token).catch(() => undefined);
    },

    async accessToken() {
      if (state.value.status === 'starting' && starting) await starting;
      if (!held) return null;
      if (fresh(held)) return held.access;
      return renew(held.access).catch(() => held?.access ?? null);
    },

    renewAfter401(used) {
      return renew(used);
    },

    dispose() {
      if (timer !== null) clearTimer(timer);
      timer = null;
      channel?.close();
    },
  };
}
