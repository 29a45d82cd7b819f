import { describe, expect, it } from 'vitest';
import { openLive, SseParser, type LiveStatus, type SseEvent } from './sse';

describe('SseParser', () => {
  it('reads events, whatever the chunks', () => {
    const text = 'id: 1\nevent: tip\ndata: {"a":1}\n\n: keep-alive\n\nid: 2\nevent: counts\ndata: {"b":2}\n\n';
    for (let cut = 1; cut < text.length; cut++) {
      const p = new SseParser();
      const events = [...p.feed(text.slice(0, cut)), ...p.feed(text.slice(cut))];
      expect(events, `cut at ${cut}`).toEqual([
        { id: '1', event: 'tip', data: '{"a":1}' },
        { id: '2', event: 'counts', data: '{"b":2}' },
      ]);
      expect(p.lastEventId).toBe('2');
    }
  });

  it('takes CRLF and CR line ends, also split between chunks', () => {
    const p = new SseParser();
    expect(p.feed('data: a\r')).toEqual([]);
    expect(p.feed('\n\r\ndata: b\r\r')).toEqual([
      { id: null, event: 'message', data: 'a' },
      { id: null, event: 'message', data: 'b' },
    ]);
  });

  it('joins data lines, keeps the id for later events, ignores comments and unknown fields', () => {
    const p = new SseParser();
    const events = p.feed('id: 7\ndata: one\ndata:two\nfoo: bar\n\n:comment\ndata: three\n\n');
    expect(events).toEqual([
      { id: '7', event: 'message', data: 'one\ntwo' },
      { id: '7', event: 'message', data: 'three' },
    ]);
  });

  it('does not move the last id for an event cut short', () => {
    const p = new SseParser();
    p.feed('id: 1\ndata: x\n\nid: 2\ndata: y\n');
    expect(p.lastEventId).toBe('1');
  });

  it('reads retry', () => {
    const p = new SseParser();
    p.feed('retry: 2500\n\n');
    expect(p.retryMs).toBe(2500);
  });
});

/** A stream the test writes to and ends. */
function controllable() {
  let ctl!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      ctl = c;
    },
  });
  const enc = new TextEncoder();
  return {
    response: new Response(body, { status: 200, headers: { 'Content-Type': 'text/event-stream' } }),
    write: (s: string) => ctl.enqueue(enc.encode(s)),
    end: () => ctl.close(),
    error: () => ctl.error(new TypeError('network')),
  };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

function harness() {
  let clock = 0;
  const timers: Array<{ fn: () => void; ms: number; at: number }> = [];
  const calls: Array<string | null> = [];
  const events: SseEvent[] = [];
  const statuses: LiveStatus[] = [];
  const answers: Array<() => Promise<Response>> = [];
  const live = (lastEventId: string | null = null) =>
    openLive({
      lastEventId,
      connect: (last, signal) => {
        calls.push(last);
        const next = answers.shift();
        if (!next) return new Promise<Response>((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
        return next();
      },
      onEvent: (e) => events.push(e),
      onStatus: (s) => statuses.push(s),
      now: () => clock,
      setTimeout: (fn, ms) => {
        const t = { fn, ms, at: clock + ms };
        timers.push(t);
        return t;
      },
      clearTimeout: (h) => {
        const i = timers.indexOf(h as (typeof timers)[number]);
        if (i >= 0) timers.splice(i, 1);
      },
    });
  return {
    calls,
    events,
    statuses,
    timers,
    answers,
    live,
    advance(ms: number) {
      clock += ms;
    },
    async fire() {
      const t = timers.shift();
      if (!t) throw new Error('no timer');
      clock = Math.max(clock, t.at);
      t.fn();
      await flush();
      return t.ms;
    },
  };
}

describe('openLive', () => {
  it('resumes from the last id at once when a working stream ends', async () => {
    const h = harness();
    const first = controllable();
    const second = controllable();
    h.answers.push(async () => first.response, async () => second.response);
    const conn = h.live();
    await flush();
    first.write('id: 41\nevent: tip\ndata: {}\n\nid: 42\nevent: counts\ndata: {}\n\n');
    await flush();
    h.advance(5000);
    first.end();
    await flush();
    await flush();
    expect(h.calls).toEqual([null, '42']);
    expect(h.timers).toHaveLength(0);
    expect(h.events.map((e) => e.event)).toEqual(['tip', 'counts']);
    expect(conn.lastEventId()).toBe('42');
    conn.stop();
  });

  it('backs off 1 s, 2 s, 4 s … 30 s while streams end at once, and resets after one works', async () => {
    const h = harness();
    const quick = () => async () => {
      const s = controllable();
      queueMicrotask(() => s.end());
      return s.response;
    };
    for (let i = 0; i < 8; i++) h.answers.push(quick());
    const conn = h.live('9');
    await flush();
    await flush();
    const waits: number[] = [];
    for (let i = 0; i < 7; i++) {
      await flush();
      waits.push(await h.fire());
      await flush();
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    expect(h.calls.every((c) => c === '9')).toBe(true);

    // Then one that works: the next failure waits 1 s again.
    const good = controllable();
    h.answers.push(async () => good.response);
    await flush();
    await h.fire();
    await flush();
    good.write('id: 10\ndata: x\n\n');
    await flush();
    h.answers.push(quick());
    good.end();
    await flush();
    await flush();
    // That end reconnected at once (an answer that ends at once again).
    await flush();
    expect(h.calls.at(-1)).toBe('10');
    await flush();
    expect(h.timers[0]?.ms).toBe(1000);
    conn.stop();
  });

  it('retries after no answer and after a 503, honouring Retry-After', async () => {
    const h = harness();
    h.answers.push(
      async () => {
        throw new TypeError('Failed to fetch');
      },
      async () => new Response('{}', { status: 503, headers: { 'Retry-After': '5' } }),
    );
    const conn = h.live();
    await flush();
    expect(await h.fire()).toBe(1000);
    await flush();
    expect(h.timers[0]?.ms).toBe(5000);
    conn.stop();
    expect(h.timers).toHaveLength(0);
  });

  it('stops, saying so, when retrying cannot help', async () => {
    const h = harness();
    h.answers.push(async () => new Response('{}', { status: 404 }));
    h.live();
    await flush();
    await flush();
    expect(h.statuses.at(-1)).toEqual({ state: 'failed', status: 404 });
    expect(h.timers).toHaveLength(0);
    expect(h.calls).toHaveLength(1);
  });

  it('reconnects after the connection breaks mid-stream, from the last complete event', async () => {
    const h = harness();
    const s = controllable();
    h.answers.push(async () => s.response);
    const conn = h.live();
    await flush();
    s.write('id: 5\ndata: a\n\nid: 6\ndata: b');
    await flush();
    s.error();
    await flush();
    await flush();
    expect(h.events.map((e) => e.data)).toEqual(['a']);
    // Received something: at once, from 5 (event 6 was cut short).
    expect(h.calls).toEqual([null, '5']);
    conn.stop();
  });

  it('stop() aborts the open request and schedules nothing', async () => {
    const h = harness();
    const conn = h.live();
    await flush();
    conn.stop();
    await flush();
    expect(h.statuses.at(-1)).toEqual({ state: 'stopped' });
    expect(h.timers).toHaveLength(0);
  });
});
