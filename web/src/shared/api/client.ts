// The one typed client every call goes through: openapi-fetch on the paths
// generated from openapi/tipline.yaml, with one middleware that adds the
// access token and, on a 401, has the session renew it (once for all callers:
// see session.ts) and retries a copy of the request.

import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { paths, TokenPair } from './types';
import { problemFromResponse, toProblem } from './problem';
import {
  createSession,
  type ChannelLike,
  type LockManagerLike,
  type RefreshOutcome,
  type Session,
} from '../session/session';
import { indexedDbStore, type SessionStore } from '../session/store';

export type Api = Client<paths>;

/** Operations that take no access token (and whose 401 is not about one). */
const PUBLIC_PATHS: ReadonlySet<string> = new Set([
  '/v1/auth/login',
  '/v1/auth/register',
  '/v1/auth/refresh',
  '/v1/auth/logout',
  '/v1/auth/anonymous',
  '/v1/auth/anonymous/renew',
]);

export function authMiddleware(session: Session, fetchImpl: typeof fetch): Middleware {
  // Per request: a copy taken before the body is sent, and the token it went
  // out with (to tell "my token is stale" from "someone renewed already").
  const pending = new Map<string, { retry: Request; token: string }>();
  return {
    async onRequest({ request, schemaPath, id }) {
      if (PUBLIC_PATHS.has(schemaPath) || request.headers.has('Authorization')) return undefined;
      const token = await session.accessToken();
      if (!token) return undefined;
      pending.set(id, { retry: request.clone(), token });
      request.headers.set('Authorization', `Bearer ${token}`);
      return request;
    },
    async onResponse({ response, id }) {
      const sent = pending.get(id);
      pending.delete(id);
      if (!sent || response.status !== 401) return undefined;
      const renewed = await session.renewAfter401(sent.token).catch(() => null);
      if (!renewed || renewed === sent.token) return undefined;
      sent.retry.headers.set('Authorization', `Bearer ${renewed}`);
      return fetchImpl(sent.retry);
    },
    onError({ id }) {
      pending.delete(id);
      return undefined;
    },
  };
}

export interface ApiOptions {
  namespace: string;
  /** Where the API is; the page's own origin in the browser. */
  baseUrl?: string;
  fetch?: typeof fetch;
  /** Where the refresh token is kept (IndexedDB in the browser). */
  store?: SessionStore;
  locks?: LockManagerLike | null;
  channel?: ChannelLike | null;
  now?: () => number;
  setTimeout?: (fn: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
  peerWaitMs?: number;
}

/** The browser's storage, locks and channel, where the page has them. */
export function browserDefaults(namespace: string): Partial<ApiOptions> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks ?? null;
  const channel =
    typeof BroadcastChannel === 'function' ? new BroadcastChannel(`tipline.${namespace}.session`) : null;
  return {
    baseUrl: globalThis.location?.origin,
    store: indexedDbStore(namespace),
    locks: locks as LockManagerLike | null,
    channel: channel as ChannelLike | null,
  };
}

/** A session and the client that uses it. */
export function createApi(options: ApiOptions): { api: Api; session: Session } {
  const fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const baseUrl = options.baseUrl ?? '';
  // The session's own calls (refresh, logout) go through a client without
  // the auth middleware: a refresh must never trigger a refresh.
  const bare = createClient<paths>({ baseUrl, fetch: fetchImpl });

  async function refresh(refreshToken: string): Promise<RefreshOutcome> {
    try {
      const { data, error, response } = await bare.POST('/v1/auth/refresh', {
        body: { refresh_token: refreshToken },
      });
      if (data) return { ok: true, pair: data as TokenPair };
      if (response.status === 401 || response.status === 400) return { ok: false, rejected: true };
      return { ok: false, rejected: false, problem: problemFromResponse(response, error) };
    } catch (e) {
      return { ok: false, rejected: false, problem: toProblem(e) };
    }
  }

  async function logout(refreshToken: string): Promise<void> {
    await bare.POST('/v1/auth/logout', { body: { refresh_token: refreshToken } });
  }

  const session = createSession({
    namespace: options.namespace,
    refresh,
    logout,
    ...(options.store ? { store: options.store } : {}),
    locks: options.locks ?? null,
    channel: options.channel ?? null,
    ...(options.now ? { now: options.now } : {}),
    ...(options.setTimeout ? { setTimeout: options.setTimeout } : {}),
    ...(options.clearTimeout ? { clearTimeout: options.clearTimeout } : {}),
    ...(options.peerWaitMs !== undefined ? { peerWaitMs: options.peerWaitMs } : {}),
  });
  const api = createClient<paths>({ baseUrl, fetch: fetchImpl });
  api.use(authMiddleware(session, fetchImpl));
  return { api, session };
}
