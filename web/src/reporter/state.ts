// What the reporter's views share, from one factory (a fresh one per test).
// The session here is a citizen's (registered with a mobile number);
// anonymous reporters have a session per draft in the outbox and follow
// their tips by receipt.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { signal, type Signal } from '@preact/signals';
import { browserDefaults, createApi, type Api, type ApiOptions } from '../shared/api/client';
import type { Session } from '../shared/session/session';
import { applyDocumentLang, createI18n, storedLang, type I18n, type Lang, type Messages } from '../shared/i18n/i18n';
import { call, toProblem, type Problem } from '../shared/api/problem';
import type { Schemas } from '../shared/api/types';
import type { ReporterKey } from './i18n/keys';
import { loadReporterMessages, ZH_CN } from './i18n/load';
import { memoryReporterDb, newId, openReporterDb, type ReporterDb } from './report/db';
import { createOutbox, type Outbox, type OutboxDeps } from './report/outbox';
import { uploadPhoto } from './report/upload';
import type { ReadingAnswer } from './report/reading';

export type Category = Schemas['Category'];

export interface ReporterState {
  api: Api;
  session: Session;
  i18n: I18n<ReporterKey>;
  db: ReporterDb;
  outbox: Outbox;
  /** What the browser says of the network. */
  online: Signal<boolean>;
  categories: Signal<Category[] | null>;
  categoriesProblem: Signal<Problem | null>;
  loadCategories(): Promise<void>;
  /** The citizen's unread notifications (0 when signed out). */
  unread: Signal<number>;
  refreshUnread(): Promise<void>;
  /** The draft the report form shows. */
  currentDraft: Signal<string | null>;
  /**
   * What the service read off one of this phone's uploaded photos, asked as
   * its uploader: `token` is an anonymous draft's session, null the
   * citizen's. Never throws.
   */
  readPhoto(mediaId: string, token: string | null, signal: AbortSignal): Promise<ReadingAnswer>;
}

export const NAMESPACE = 'reporter';

export interface ReporterOptions {
  lang: Lang;
  messages: Messages;
  api?: Partial<ApiOptions>;
  db?: ReporterDb;
  outbox?: Partial<OutboxDeps>;
}

export function createReporterState(options: ReporterOptions): ReporterState {
  const { api, session } = createApi({ namespace: NAMESPACE, ...browserDefaults(NAMESPACE), ...options.api });
  const i18n = createI18n<ReporterKey>({
    lang: options.lang,
    messages: options.messages,
    load: loadReporterMessages,
    onChange: (lang) => applyDocumentLang(lang, i18n.t('reporter.title')),
  });
  const db = options.db ?? (globalThis.indexedDB ? openReporterDb() : memoryReporterDb());
  const online = signal(globalThis.navigator?.onLine ?? true);
  const base = globalThis.location?.origin ?? '';

  async function citizen() {
    const s = session.state.value;
    if (s.status !== 'signed_in' || s.user.role !== 'citizen') return null;
    const token = await session.accessToken();
    return token ? { userId: s.user.id, token } : null;
  }

  const outbox = createOutbox({
    db,
    online: () => online.value,
    citizen,
    async anonymous(previous) {
      if (previous) {
        try {
          const t = await call(api.POST('/v1/auth/anonymous/renew', { body: { token: previous.token } }));
          return { token: t.access_token, expiresAt: Date.now() + t.expires_in * 1000, lineage: previous.lineage ?? newId() };
        } catch (e) {
          // Past the day renewal allows: a new session, so a new reporter.
          if (toProblem(e).status !== 401) throw e;
        }
      }
      const t = await call(api.POST('/v1/auth/anonymous'));
      return { token: t.access_token, expiresAt: Date.now() + t.expires_in * 1000, lineage: newId() };
    },
    async upload(photo, token, onProgress, abort) {
      const send = (tok: string | null) =>
        uploadPhoto({
          url: `${base}/v1/media`,
          blob: photo.blob,
          name: photo.name,
          idempotencyKey: photo.idempotencyKey,
          token: tok,
          onProgress,
          signal: abort,
        });
      const first = await send(token);
      // A citizen's token that just expired: renewed once, for every caller.
      if (!first.ok && first.problem.status === 401 && (await citizen())) {
        const renewed = await session.renewAfter401(token ?? '').catch(() => null);
        if (renewed && renewed !== token) return send(renewed);
      }
      return first;
    },
    async postTip(body, key, anonToken) {
      try {
        const { data, error, response } = await api.POST('/v1/tips', {
          body,
          headers: { 'Idempotency-Key': key, ...(anonToken ? { Authorization: `Bearer ${anonToken}` } : {}) },
        });
        if (data) return { ok: true, data };
        const e = error as { code?: string; message?: string; request_id?: string } | undefined;
        const retry = response.headers.get('Retry-After');
        return {
          ok: false,
          problem: {
            status: response.status,
            code: typeof e?.code === 'string' ? e.code : 'response.unreadable',
            ...(e?.request_id ? { requestId: e.request_id } : {}),
            ...(retry && /^\d+$/.test(retry) ? { retryAfter: Number(retry) } : {}),
            ...(typeof e?.message === 'string' ? { message: e.message } : {}),
          },
        };
      } catch {
        return { ok: false, problem: { status: 0, code: 'network.unreachable' } };
      }
    },
    ...options.outbox,
  });

  const categories = signal<Category[] | null>(null);
  const categoriesProblem = signal<Problem | null>(null);
  let loading: Promise<void> | null = null;
  function loadCategories(): Promise<void> {
    loading ??= fetchCategories().finally(() => {
      loading = null;
    });
    return loading;
  }
  async function fetchCategories() {
    categoriesProblem.value = null;
    try {
      const list = await call(api.GET('/v1/categories'));
      categories.value = list.filter((c) => !c.retired);
      try {
        localStorage.setItem('tipline.reporter.categories', JSON.stringify(categories.value));
      } catch {
        /* not kept */
      }
    } catch (e) {
      // Offline: the list this phone saw last, so a report can still be written.
      try {
        const kept = JSON.parse(localStorage.getItem('tipline.reporter.categories') ?? 'null') as Category[] | null;
        if (kept?.length) {
          categories.value = kept;
          return;
        }
      } catch {
        /* nothing kept */
      }
      categoriesProblem.value = e as Problem;
    }
  }

  const unread = signal(0);
  async function refreshUnread() {
    if (!(await citizen())) {
      unread.value = 0;
      return;
    }
    try {
      const page = await call(api.GET('/v1/me/notifications', { params: { query: { limit: 1 } } }));
      unread.value = page.unread;
    } catch {
      /* keep the last count */
    }
  }

  async function readPhoto(mediaId: string, token: string | null, abort: AbortSignal): Promise<ReadingAnswer> {
    try {
      const { data, response } = await api.GET('/v1/media/{id}/suggestions', {
        params: { path: { id: mediaId } },
        ...(token ? { headers: { Authorization: `Bearer ${token}` } } : {}),
        signal: abort,
      });
      return data ? { ok: true, data } : { ok: false, status: response.status };
    } catch {
      return { ok: false, status: 0 };
    }
  }

  return {
    api,
    session,
    i18n,
    db,
    outbox,
    online,
    categories,
    categoriesProblem,
    loadCategories,
    unread,
    refreshUnread,
    currentDraft: signal<string | null>(null),
    readPhoto,
  };
}

export async function startReporterState(): Promise<ReporterState> {
  const lang = storedLang();
  if (lang !== 'zh-CN') {
    try {
      return createReporterState({ lang, messages: await loadReporterMessages(lang) });
    } catch {
      // Offline and the chunk is not cached: Chinese rather than nothing.
    }
  }
  return createReporterState({ lang: 'zh-CN', messages: ZH_CN });
}

export const ReporterContext = createContext<ReporterState | null>(null);

export function useReporter(): ReporterState {
  const s = useContext(ReporterContext);
  if (!s) throw new Error('useReporter outside the reporter app');
  return s;
}
