// A desk's live feed while it is shown: one of the service's event streams
// (the moderators' `GET /v1/moderation/events`, a unit's
// `GET /v1/unit/events`), opened through the typed client by `open` (so the
// token goes along and is renewed on a 401), resumed with `Last-Event-ID`,
// reconnected with backoff by openLive. Each stream sends `resync` when
// events were missed; every other event's data is JSON of type `E`.
import { signal, type ReadonlySignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import { openLive, type LiveConnection, type LiveStatus } from './sse';

export interface FeedHandlers<E> {
  onEvent(e: E): void;
  /** Events were missed (`resync`): reload what the desk shows. */
  onResync(): void;
}

/** Opens the stream: `lastEventId` is the id to resume after, if any. */
export type OpenFeed = (lastEventId: number | undefined, abort: AbortSignal) => Promise<Response>;

export function connectFeed<E>(open: OpenFeed, handlers: FeedHandlers<E>, status?: (s: LiveStatus) => void): LiveConnection {
  return openLive({
    connect(last, abort) {
      return open(last !== null && /^\d+$/.test(last) ? Number(last) : undefined, abort);
    },
    onEvent(e) {
      if (e.event === 'resync') {
        handlers.onResync();
        return;
      }
      let data: E;
      try {
        data = JSON.parse(e.data) as E;
      } catch {
        return;
      }
      handlers.onEvent(data);
    },
    ...(status ? { onStatus: status } : {}),
  });
}

/** Keeps the feed open while the calling component is shown; `key` reopens it. */
export function useFeed<E>(key: unknown, open: OpenFeed, handlers: FeedHandlers<E>): ReadonlySignal<LiveStatus> {
  const latest = useRef(handlers);
  latest.current = handlers;
  const status = useRef(signal<LiveStatus>({ state: 'connecting', attempt: 0 })).current;
  useEffect(() => {
    const conn = connectFeed<E>(
      open,
      {
        onEvent: (e) => latest.current.onEvent(e),
        onResync: () => latest.current.onResync(),
      },
      (s) => {
        status.value = s;
      },
    );
    return () => conn.stop();
  }, [key]);
  return status;
}
