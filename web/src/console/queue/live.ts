// The moderators' live feed (`GET /v1/moderation/events`) for a desk while
// it is shown: opened through the typed client (so the token goes along and
// is renewed on a 401), resumed with `Last-Event-ID`, reconnected with
// backoff by the shared SSE client.
import { signal, type ReadonlySignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import type { Api } from '../../shared/api/client';
import type { Schemas } from '../../shared/api/types';
import { openLive, type LiveStatus } from '../../shared/live/sse';

export type ModerationEvent = Schemas['ModerationEvent'];

export interface FeedHandlers {
  onEvent(e: ModerationEvent): void;
  /** Events were missed (`resync`): reload what the desk shows. */
  onResync(): void;
}

export function connectModerationFeed(api: Api, handlers: FeedHandlers, status?: (s: LiveStatus) => void) {
  return openLive({
    async connect(last, abort) {
      const id = last !== null && /^\d+$/.test(last) ? Number(last) : undefined;
      const { response } = await api.GET('/v1/moderation/events', {
        params: { header: id !== undefined ? { 'Last-Event-ID': id } : {} },
        parseAs: 'stream',
        signal: abort,
      });
      return response;
    },
    onEvent(e) {
      if (e.event === 'resync') {
        handlers.onResync();
        return;
      }
      let data: ModerationEvent;
      try {
        data = JSON.parse(e.data) as ModerationEvent;
      } catch {
        return;
      }
      handlers.onEvent(data);
    },
    ...(status ? { onStatus: status } : {}),
  });
}

/** Keeps the feed open while the calling component is shown. */
export function useModerationFeed(api: Api, handlers: FeedHandlers): ReadonlySignal<LiveStatus> {
  const latest = useRef(handlers);
  latest.current = handlers;
  const status = useRef(signal<LiveStatus>({ state: 'connecting', attempt: 0 })).current;
  useEffect(() => {
    const conn = connectModerationFeed(
      api,
      {
        onEvent: (e) => latest.current.onEvent(e),
        onResync: () => latest.current.onResync(),
      },
      (s) => {
        status.value = s;
      },
    );
    return () => conn.stop();
  }, [api]);
  return status;
}
