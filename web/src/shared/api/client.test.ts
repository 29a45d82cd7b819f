import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApi } from './client';
import { call, ApiProblem } from './problem';
import { FakeApi, FakeChannelHub, FakeLocks, USER } from './testing';
import { memoryStore } from '../session/store';

const BASE = 'http://tipline.test';

/** One browser origin: storage, locks and a channel hub shared by its tabs. */
function origin() {
  const server = new FakeApi();
  const store = memoryStore();
  const locks = new FakeLocks();
  const hub = new FakeChannelHub();
  const tabs: Array<ReturnType<typeof createApi>> = [];
  const tab = () => {
    const t = createApi({
      namespace: 'console',
      baseUrl: BASE,
      fetch: server.fetch as typeof fetch,
      store,
      locks,
      channel: hub.join(),
      peerWaitMs: 50,
    });
    tabs.push(t);
    return t;
  };
  return { server, store, locks, hub, tab, tabs };
}

let cleanup: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanup) c();
  cleanup = [];
  vi.useRealTimers();
});

function track(o: ReturnType<typeof origin>) {
  cleanup.push(() => o.tabs.forEach((t) => t.session.dispose()));
  return o;
}

describe('the auth middleware', () => {
  it('sends the access token', async () => {
    const o = track(origin());
    const { api, session } = o.tab();
    await session.signIn(o.server.issue());
    await expect(call(api.GET('/v1/me'))).resolves.toEqual(USER);
  });

  it('renews once for two concurrent 401s, then retries both', async () => {
    const o = track(origin());
    const { api, session } = o.tab();
    await session.signIn(o.server.issue());
    o.server.expireAccessTokens();

    const [a, b] = await Promise.all([call(api.GET('/v1/me')), call(api.GET('/v1/me'))]);

    expect(a).toEqual(USER);
    expect(b).toEqual(USER);
    expect(o.server.refreshCalls).toBe(1);
    expect(o.server.revoked).toBe(false);
  });

  it('renews once for concurrent 401s without Web Locks too (single flight in the tab)', async () => {
    const server = new FakeApi();
    const { api, session } = createApi({
      namespace: 'console',
      baseUrl: BASE,
      fetch: server.fetch as typeof fetch,
      store: memoryStore(),
      locks: null,
    });
    cleanup.push(() => session.dispose());
    await session.signIn(server.issue());
    server.expireAccessTokens();

    const results = await Promise.all([1, 2, 3].map(() => call(api.GET('/v1/me'))));

    expect(results).toEqual([USER, USER, USER]);
    expect(server.refreshCalls).toBe(1);
    expect(server.revoked).toBe(false);
  });

  it('retries a request with a body from a copy taken before it was sent', async () => {
    const o = track(origin());
    const seen: string[] = [];
    const { api, session } = createApi({
      namespace: 'console',
      baseUrl: BASE,
      store: o.store,
      fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
        const req = input instanceof Request ? input : new Request(input, init);
        if (new URL(req.url).pathname === '/v1/me/password') {
          seen.push(`${req.headers.get('Authorization')} ${await req.text()}`);
          return seen.length === 1
            ? new Response(JSON.stringify({ code: 'auth.unauthorized', message: '', request_id: 'x' }), {
                status: 401,
                headers: { 'Content-Type': 'application/json' },
              })
            : new Response(null, { status: 204 });
        }
        return o.server.fetch(req);
      }) as typeof fetch,
    });
    cleanup.push(() => session.dispose());
    await session.signIn(o.server.issue());

    await call(api.POST('/v1/me/password', { body: { current_password: 'old-pass-1', new_password: 'new-pass-2' } }));

    expect(seen).toHaveLength(2);
    expect(seen[0]).toMatch(/^Bearer a1 /);
    expect(seen[1]).toMatch(/^Bearer a2 /);
    expect(seen[1]!.slice(9)).toBe(seen[0]!.slice(9));
  });

  it('leaves the 401 standing and ends the session when the refresh token is refused', async () => {
    const o = track(origin());
    const { api, session } = o.tab();
    await session.signIn(o.server.issue());
    o.server.revoked = true;

    const err = await call(api.GET('/v1/me')).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(ApiProblem);
    expect((err as ApiProblem).code).toBe('auth.unauthorized');
    expect(session.state.value).toEqual({ status: 'signed_out', ended: true });
    expect(await o.store.get()).toBeNull();
  });

  it('keeps the session when the API does not answer the refresh', async () => {
    const o = track(origin());
    const { api, session } = o.tab();
    await session.signIn(o.server.issue());
    o.server.expireAccessTokens();
    o.server.refreshFails = 'unreachable';

    const err = await call(api.GET('/v1/me')).catch((e: unknown) => e);

    expect((err as ApiProblem).status).toBe(401);
    expect(session.state.value.status).toBe('signed_in');
    expect(await o.store.get()).not.toBeNull();
  });

  it('reports a request that got no answer as network.unreachable', async () => {
    const { api, session } = createApi({
      namespace: 'console',
      baseUrl: BASE,
      fetch: (async () => {
        throw new TypeError('Failed to fetch');
      }) as typeof fetch,
    });
    cleanup.push(() => session.dispose());
    const err = await call(api.GET('/v1/categories')).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 0, code: 'network.unreachable' });
  });
});

describe('renewing across tabs', () => {
  it('spends one refresh token when two tabs hit a 401 at once', async () => {
    const o = track(origin());
    const one = o.tab();
    const two = o.tab();
    const pair = o.server.issue();
    await one.session.signIn(pair);
    await vi.waitFor(() => expect(two.session.state.value.status).toBe('signed_in'));
    o.server.expireAccessTokens();

    const [a, b] = await Promise.all([call(one.api.GET('/v1/me')), call(two.api.GET('/v1/me'))]);

    expect(a).toEqual(USER);
    expect(b).toEqual(USER);
    expect(o.server.refreshCalls).toBe(1);
    expect(o.server.revoked).toBe(false);
  });

  it('never spends a used token, even when the other tab is slow to tell', async () => {
    const o = track(origin());
    o.hub.delayMs = null; // messages between tabs are lost
    const one = o.tab();
    const two = o.tab();
    const pair = o.server.issue();
    await one.session.signIn(pair);
    // The second tab resumes from storage, as after a reload.
    await two.session.start();
    o.server.expireAccessTokens();

    const [a, b] = await Promise.all([call(one.api.GET('/v1/me')), call(two.api.GET('/v1/me'))]);

    expect(a).toEqual(USER);
    expect(b).toEqual(USER);
    expect(o.server.revoked).toBe(false);
    expect(new Set(o.server.spent).size).toBe(o.server.spent.length);
  });

  it('signs every tab out when one signs out', async () => {
    const o = track(origin());
    const one = o.tab();
    const two = o.tab();
    await one.session.signIn(o.server.issue());
    await vi.waitFor(() => expect(two.session.state.value.status).toBe('signed_in'));

    await one.session.signOut();

    await vi.waitFor(() => expect(two.session.state.value).toEqual({ status: 'signed_out', ended: false }));
    expect(await o.store.get()).toBeNull();
  });

  it('tells every tab when the session ended', async () => {
    const o = track(origin());
    const one = o.tab();
    const two = o.tab();
    await one.session.signIn(o.server.issue());
    await vi.waitFor(() => expect(two.session.state.value.status).toBe('signed_in'));
    o.server.revoked = true;

    await one.api.GET('/v1/me');

    await vi.waitFor(() => expect(two.session.state.value).toEqual({ status: 'signed_out', ended: true }));
  });
});

describe('the session', () => {
  it('resumes from storage after a reload', async () => {
    const o = track(origin());
    const first = o.tab();
    await first.session.signIn(o.server.issue());
    first.session.dispose();

    const again = o.tab();
    await again.session.start();

    expect(again.session.state.value).toEqual({ status: 'signed_in', user: USER });
    expect(o.server.spent).toEqual(['r1']);
    await expect(call(again.api.GET('/v1/me'))).resolves.toEqual(USER);
  });

  it('starts signed out with nothing stored', async () => {
    const o = track(origin());
    const { session } = o.tab();
    await session.start();
    expect(session.state.value).toEqual({ status: 'signed_out', ended: false });
    expect(o.server.refreshCalls).toBe(0);
  });

  it('renews before the access token expires', async () => {
    vi.useFakeTimers();
    const o = track(origin());
    o.server.refreshDelayMs = 0;
    o.server.expiresIn = 10;
    const { session } = o.tab();
    await session.signIn(o.server.issue());

    await vi.advanceTimersByTimeAsync(7_900);
    expect(o.server.refreshCalls).toBe(0);
    await vi.advanceTimersByTimeAsync(200);
    expect(o.server.refreshCalls).toBe(1);
    // …and again a margin before the new token's expiry.
    await vi.advanceTimersByTimeAsync(8_000);
    expect(o.server.refreshCalls).toBe(2);
    expect(session.state.value.status).toBe('signed_in');
  });

  it('lets only one of two tabs renew when their timers fire together', async () => {
    vi.useFakeTimers();
    const o = track(origin());
    o.server.refreshDelayMs = 0;
    o.server.expiresIn = 10;
    const one = o.tab();
    const two = o.tab();
    await one.session.signIn(o.server.issue());
    await vi.advanceTimersByTimeAsync(1);
    expect(two.session.state.value.status).toBe('signed_in');

    await vi.advanceTimersByTimeAsync(8_000);

    expect(o.server.refreshCalls).toBe(1);
    expect(o.server.revoked).toBe(false);
  });
});
