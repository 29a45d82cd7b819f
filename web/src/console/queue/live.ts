// The moderators' live feed (`GET /v1/moderation/events`) for a desk while
// it is shown; the stream's life is the shared feed's (shared/live/feed.ts).
import type { ReadonlySignal } from '@preact/signals';
import type { Api } from '../../shared/api/client';
import type { Schemas } from '../../shared/api/types';
import { connectFeed, useFeed, type FeedHandlers, type OpenFeed } from '../../shared/live/feed';
import type { LiveStatus } from '../../shared/live/sse';

export type ModerationEvent = Schemas['ModerationEvent'];
export type { FeedHandlers };

/** One of the service's event streams, through the typed client (the token goes along). */
export function eventStream(api: Api, path: '/v1/moderation/events' | '/v1/unit/events'): OpenFeed {
  return async (id, abort) => {
    const { response } = await api.GET(path, {
      params: { header: id !== undefined ? { 'Last-Event-ID': id } : {} },
      parseAs: 'stream',
      signal: abort,
    });
    return response;
  };
}

const moderationEvents = (api: Api) => eventStream(api, '/v1/moderation/events');

export function connectModerationFeed(api: Api, handlers: FeedHandlers<ModerationEvent>, status?: (s: LiveStatus) => void) {
  return connectFeed(moderationEvents(api), handlers, status);
}

/** Keeps the feed open while the calling component is shown. */
export function useModerationFeed(api: Api, handlers: FeedHandlers<ModerationEvent>): ReadonlySignal<LiveStatus> {
  return useFeed(api, moderationEvents(api), handlers);
}
