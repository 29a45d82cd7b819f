// Test doubles for the client and the session: an API that issues and
// rotates tokens the way the real one does (a refresh token works once; a
// replay revokes the family), and an origin's shared storage, Web Locks and
// BroadcastChannel for several "tabs" in one test.

import type { Me, TokenPair } from './types';
import type { ChannelLike, LockManagerLike } from '../session/session';

export const USER: Me = {
  id: '01a23197-6822-75c7-9384-8ef2b7ab8a96',
  role: 'moderator',
  username: 'mod1',
  created_at: '2026-12-01T12:00:00Z',
};

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });

export class FakeApi {
  liveAccess = new Set<string>();
  refreshTokens = new Map<string, 'live' | 'used'>();
  revoked = false;
  refreshCalls = 0;
  /** Bodies of the refresh calls, in order. */
  spent: string[] = [];
  refreshDelayMs = 5;
  /** When set, the refresh endpoint answers this instead. */
  refreshFails: 'unreachable' | 503 | null = null;
  private n = 0;
  expiresIn = 900;

  issue(): TokenPair {
    this.n += 1;
    const pair: TokenPair = {
      access_token: `a${this.n}`,
      refresh_token: `r${this.n}`,
      token_type: 'Bearer',
      expires_in: this.expiresIn,
      refresh_expires_in: 30 * 86400,
      user: USER,
    };
    this.liveAccess.add(pair.access_token);
    this.refreshTokens.set(pair.refresh_token, 'live');
    return pair;
  }

  /** Every access token issued so far stops working (as when they expire). */
  expireAccessTokens() {
    this.liveAccess.clear();
  }

  fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request ? input : new Request(input, init);
    const path = new URL(request.url).pathname;
    if (path === '/v1/auth/refresh') {
      this.refreshCalls += 1;
      const { refresh_token } = (await request.json()) as { refresh_token: string };
      this.spent.push(refresh_token);
      await new Promise((r) => setTimeout(r, this.refreshDelayMs));
      if (this.refreshFails === 'unreachable') throw new TypeError('Failed to fetch');
      if (this.refreshFails === 503) return json(503, { code: 'service.unavailable', message: '', request_id: 'x' });
      const state = this.refreshTokens.get(refresh_token);
      if (this.revoked || state === undefined) {
        return json(401, { code: 'auth.refresh_invalid', message: '', request_id: 'x' });
      }
      if (state === 'used') {
        this.revoked = true;
        this.liveAccess.clear();
        return json(401, { code: 'auth.refresh_invalid', message: '', request_id: 'x' });
      }
      this.refreshTokens.set(refresh_token, 'used');
      return json(200, this.issue());
    }
    if (path === '/v1/auth/logout') {
      return new Response(null, { status: 204 });
    }
    if (path === '/v1/me') {
      const token = request.headers.get('Authorization')?.replace(/^Bearer /, '') ?? '';
      if (this.revoked || !this.liveAccess.has(token)) {
        return json(401, { code: 'auth.unauthorized', message: '', request_id: 'x' });
      }
      return json(200, USER);
    }
    return json(404, { code: 'not_found', message: '', request_id: 'x' });
  };
}

/** Exclusive locks by name, granted in request order, like navigator.locks. */
export class FakeLocks implements LockManagerLike {
  private tails = new Map<string, Promise<unknown>>();
  request<T>(name: string, callback: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(name) ?? Promise.resolve();
    const run = prev.then(callback, callback);
    this.tails.set(
      name,
      run.catch(() => undefined),
    );
    return run;
  }
}

/** BroadcastChannel for several tabs: a message reaches every other member. */
export class FakeChannelHub {
  private members = new Set<FakeChannel>();
  /** Delivery delay; `null` drops messages altogether. */
  delayMs: number | null = 0;
  join(): FakeChannel {
    const c = new FakeChannel(this);
    this.members.add(c);
    return c;
  }
  leave(c: FakeChannel) {
    this.members.delete(c);
  }
  send(from: FakeChannel, data: unknown) {
    if (this.delayMs === null) return;
    const copy = structuredClone(data);
    for (const m of this.members) {
      if (m !== from) setTimeout(() => m.deliver(copy), this.delayMs);
    }
  }
}

export class FakeChannel implements ChannelLike {
  private listeners: Array<(e: { data: unknown }) => void> = [];
  constructor(private hub: FakeChannelHub) {}
  postMessage(message: unknown) {
    this.hub.send(this, message);
  }
  addEventListener(_type: 'message', listener: (e: { data: unknown }) => void) {
    this.listeners.push(listener);
  }
  close() {
    this.hub.leave(this);
  }
  deliver(data: unknown) {
    for (const l of this.listeners) l({ data });
  }
}
