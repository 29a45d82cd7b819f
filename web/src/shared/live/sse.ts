// A small server-sent-events client over `fetch`, for streams that need an
// `Authorization` header (EventSource cannot send one). It parses the
// `text/event-stream` format, remembers the last event id and sends it back
// as `Last-Event-ID` when it reconnects, and reconnects:
//
// - at once when a stream that worked ends (the service ends each stream
//   after one access-token lifetime, so this is routine);
// - after a backoff of 1 s, 2 s, 4 s … up to 30 s when a stream ends at
//   once (nothing received and open for less than `quickEndMs`), the
//   connection fails, or the service answers 429/5xx;
// - never after an answer that retrying cannot change (401 once the
//   session could not renew, 403, 404): then it stops and says why.
//
// The caller supplies `connect`, which makes the request (through the one
// typed client, so the token and its renewal are the client's business).

export interface SseEvent {
  /** The `id:` field in force for this event (ids carry over, per the spec). */
  id: string | null;
  /** The `event:` field; `message` when absent. */
  event: string;
  /** The `data:` lines joined with newlines. */
  data: string;
}

/** Incremental parser of the event-stream format (WHATWG HTML, 9.2.6). */
export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private event = '';
  private sawCr = false;
  /** The `id:` of the event being read, until its blank line. */
  private pendingId: string | null | undefined = undefined;
  /**
   * The id in force after the last complete event (a blank line commits
   * it), which the next connection sends back. An event cut short does not
   * move it, so resuming re-sends that event.
   */
  lastEventId: string | null = null;
  /** The last `retry:` the server asked for, in ms. */
  retryMs: number | null = null;

  /** Feeds decoded text; returns the events completed by it. */
  feed(text: string): SseEvent[] {
    const out: SseEvent[] = [];
    let s = this.buffer + text;
    // A CRLF split across chunks: the LF is not a second line end.
    if (this.sawCr && s.startsWith('\n')) s = s.slice(1);
    this.sawCr = false;
    let start = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      this.line(s.slice(start, i), out);
      if (c === 13) {
        if (i + 1 < s.length) {
          if (s.charCodeAt(i + 1) === 10) i++;
        } else {
          this.sawCr = true;
        }
      }
      start = i + 1;
    }
    this.buffer = s.slice(start);
    return out;
  }

  private line(line: string, out: SseEvent[]) {
    if (line === '') {
      if (this.pendingId !== undefined) this.lastEventId = this.pendingId;
      this.pendingId = undefined;
      if (this.data.length > 0) {
        out.push({ id: this.lastEventId, event: this.event || 'message', data: this.data.join('\n') });
      }
      this.data = [];
      this.event = '';
      return;
    }
    if (line.startsWith(':')) return; // a comment: the keep-alive
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'data':
        this.data.push(value);
        break;
      case 'event':
        this.event = value;
        break;
      case 'id':
        if (!value.includes('\u0000')) this.pendingId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retryMs = Number(value);
        break;
      default:
        break; // unknown fields are ignored
    }
  }
}

export type LiveStatus =
  | { state: 'connecting'; attempt: number }
  | { state: 'open' }
  | { state: 'waiting'; retryInMs: number; attempt: number }
  | { state: 'stopped' }
  /** Retrying cannot help (the session ended, or the stream is not ours). */
  | { state: 'failed'; status: number };

export interface LiveOptions {
  /**
   * Opens the stream: `lastEventId` is null on the first connection. Throw
   * (or reject) when no answer came; return the response otherwise.
   */
  connect(lastEventId: string | null, signal: AbortSignal): Promise<Response>;
  onEvent(event: SseEvent): void;
  onStatus?(status: LiveStatus): void;
  /** Where to resume from (an id kept from an earlier stream). */
  lastEventId?: string | null;
  /** Waits between failed attempts; the last repeats. */
  backoffMs?: readonly number[];
  /** A stream that ends sooner than this with nothing received "ended at once". */
  quickEndMs?: number;
  now?: () => number;
  setTimeout?: (fn: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
}

export interface LiveConnection {
  stop(): void;
  lastEventId(): string | null;
}

export const DEFAULT_BACKOFF_MS = [1000, 2000, 4000, 8000, 16000, 30000] as const;

/** Statuses after which trying again is pointless. */
function fatal(status: number): boolean {
  return status === 401 || status === 403 || status === 404 || status === 400 || status === 405;
}

export function openLive(options: LiveOptions): LiveConnection {
  const backoff = options.backoffMs ?? DEFAULT_BACKOFF_MS;
  const quickEndMs = options.quickEndMs ?? 1000;
  const now = options.now ?? (() => Date.now());
  const setT = options.setTimeout ?? ((fn, ms) => globalThis.setTimeout(fn, ms));
  const clearT = options.clearTimeout ?? ((h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>));
  let lastId: string | null = options.lastEventId ?? null;
  let stopped = false;
  let failures = 0;
  let timer: unknown = null;
  let controller: AbortController | null = null;

  const status = (s: LiveStatus) => {
    if (!stopped || s.state === 'stopped') options.onStatus?.(s);
  };

  function retryLater(serverRetryMs: number | null) {
    if (stopped) return;
    const wait = Math.max(serverRetryMs ?? 0, backoff[Math.min(failures, backoff.length - 1)] ?? 30000);
    failures += 1;
    status({ state: 'waiting', retryInMs: wait, attempt: failures });
    timer = setT(() => {
      timer = null;
      void run();
    }, wait);
  }

  async function run() {
    if (stopped) return;
    controller = new AbortController();
    const signal = controller.signal;
    status({ state: 'connecting', attempt: failures });
    let response: Response;
    try {
      response = await options.connect(lastId, signal);
    } catch {
      if (!stopped) retryLater(null);
      return;
    }
    if (stopped) return;
    if (!response.ok || !response.body) {
      try {
        await response.body?.cancel();
      } catch {
        /* nothing to free */
      }
      if (fatal(response.status)) {
        stopped = true;
        options.onStatus?.({ state: 'failed', status: response.status });
        return;
      }
      const ra = response.headers.get('Retry-After');
      retryLater(ra && /^\d+$/.test(ra) ? Number(ra) * 1000 : null);
      return;
    }
    status({ state: 'open' });
    const opened = now();
    const parser = new SseParser();
    parser.lastEventId = lastId;
    const decoder = new TextDecoder();
    const reader = response.body.getReader();
    let received = false;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        const events = parser.feed(decoder.decode(value, { stream: true }));
        for (const e of events) {
          received = true;
          lastId = e.id;
          if (stopped) break;
          try {
            options.onEvent(e);
          } catch (err) {
            // A handler's bug must not end the stream.
            console.error(err);
          }
        }
        if (stopped) break;
      }
    } catch {
      /* the connection broke: reconnect as for an end */
    }
    if (stopped) return;
    // An id-only event (a blank line after `id:`) moves it too.
    lastId = parser.lastEventId;
    if (received || now() - opened >= quickEndMs) {
      failures = 0;
      void run();
    } else {
      retryLater(parser.retryMs);
    }
  }

  void run();

  return {
    stop() {
      if (stopped) return;
      stopped = true;
      if (timer !== null) clearT(timer);
      timer = null;
      controller?.abort();
      options.onStatus?.({ state: 'stopped' });
    },
    lastEventId: () => lastId,
  };
}
