import { describe, expect, it } from 'vitest';
import type { ContactRow } from './db';
import {
  addOffer,
  displayValue,
  offersFor,
  pollReading,
  READING_WAITS_MS,
  type FoundContact,
  type PhotoReading,
  type ReadingAnswer,
} from './reading';

const REGION = { x: 0.5, y: 0.3, width: 0.2, height: 0.25 };
const found = (kind: FoundContact['kind'], value: string, confidence = 0.99): FoundContact => ({
  kind,
  value,
  source: 'qr',
  confidence,
  region: REGION,
});
const reading = (r: PhotoReading['reading'], contacts: FoundContact[] = []): ReadingAnswer => ({
  ok: true,
  data: { media_id: 'm-1', reading: r, contacts },
});

/** A poll whose answers are scripted, with waits that take no time and are recorded. */
function script(answers: Array<ReadingAnswer | Error>, opts: { online?: () => boolean } = {}) {
  const asked: number[] = [];
  const waited: number[] = [];
  let n = 0;
  const deps = {
    ask: async () => {
      asked.push(n);
      const a = answers[Math.min(n++, answers.length - 1)]!;
      if (a instanceof Error) throw a;
      return a;
    },
    online: opts.online ?? (() => true),
    sleep: async (ms: number) => {
      waited.push(ms);
    },
  };
  return { deps, asked, waited };
}

describe('pollReading', () => {
  it('asks again while the reading is pending, and gives what was found once done', async () => {
    const phone = found('phone', '+8613800138000');
    const s = script([reading('pending'), reading('pending'), reading('done', [phone])]);
    expect(await pollReading(s.deps, new AbortController().signal)).toEqual([phone]);
    expect(s.asked).toHaveLength(3);
    expect(s.waited).toEqual(READING_WAITS_MS.slice(0, 3));
  });

  it('stops at a failed reading with nothing', async () => {
    const s = script([reading('failed')]);
    expect(await pollReading(s.deps, new AbortController().signal)).toEqual([]);
    expect(s.asked).toHaveLength(1);
  });

  it('gives up after a bounded number of asks', async () => {
    const s = script([reading('pending')]);
    expect(await pollReading(s.deps, new AbortController().signal)).toEqual([]);
    expect(s.asked).toHaveLength(READING_WAITS_MS.length);
    // About a minute in all: long enough for a busy service, not for ever.
    const total = READING_WAITS_MS.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(30_000);
    expect(total).toBeLessThan(120_000);
  });

  it('offline, lets the turns pass without calling, and never throws', async () => {
    const s = script([reading('done', [found('qq', '12345678')])], { online: () => false });
    expect(await pollReading(s.deps, new AbortController().signal)).toEqual([]);
    expect(s.asked).toHaveLength(0);
  });

  it('keeps asking past a lost answer or a busy service', async () => {
    const phone = found('phone', '+8613800138000');
    const s = script([new TypeError('Failed to fetch'), { ok: false, status: 0 }, { ok: false, status: 503 }, { ok: false, status: 429 }, reading('done', [phone])]);
    expect(await pollReading(s.deps, new AbortController().signal)).toEqual([phone]);
    expect(s.asked).toHaveLength(5);
  });

  it('stops when the photo is not (or no longer) the caller’s', async () => {
    for (const status of [404, 401, 403]) {
      const s = script([{ ok: false, status }, reading('done', [found('qq', '12345678')])]);
      expect(await pollReading(s.deps, new AbortController().signal)).toEqual([]);
      expect(s.asked, `after ${status}`).toHaveLength(1);
    }
  });

  it('stops asking when the page goes away', async () => {
    const abort = new AbortController();
    const s = script([reading('pending')]);
    const deps = {
      ...s.deps,
      ask: async (signal: AbortSignal) => {
        const a = await s.deps.ask();
        if (s.asked.length === 2) abort.abort();
        expect(signal).toBe(abort.signal);
        return a;
      },
    };
    expect(await pollReading(deps, abort.signal)).toEqual([]);
    expect(s.asked).toHaveLength(2);
  });

  it('waits for real between asks, and an abort cuts the wait short', async () => {
    const abort = new AbortController();
    let asked = 0;
    const started = Date.now();
    const run = pollReading(
      {
        ask: async () => {
          asked += 1;
          return reading('pending');
        },
        online: () => true,
        waits: [20, 60_000],
      },
      abort.signal,
    );
    await new Promise((r) => setTimeout(r, 80));
    abort.abort();
    expect(await run).toEqual([]);
    expect(asked).toBe(1);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

const row = (kind: ContactRow['kind'], value: string, id = `${kind}:${value}`): ContactRow => ({ id, kind, value });

describe('offersFor', () => {
  it('offers each contact once, in the order of the photos, written as on a card', () => {
    const offers = offersFor(
      [
        [found('phone', '+8613800138000'), found('wechat', 'card_girl_2024')],
        [found('phone', '+8613800138000', 0.7)],
        [found('url', 'https://example.com/x')],
      ],
      [row('phone', '')],
      [],
    );
    expect(offers).toEqual([
      { key: 'phone:+8613800138000', kind: 'phone', value: '+8613800138000', display: '138 0013 8000' },
      { key: 'wechat:card_girl_2024', kind: 'wechat', value: 'card_girl_2024', display: 'card_girl_2024' },
      { key: 'url:https://example.com/x', kind: 'url', value: 'https://example.com/x', display: 'https://example.com/x' },
    ]);
  });

  it('leaves out what the draft has, however it was typed', () => {
    const photos = [[found('phone', '+8613800138000'), found('qq', '13800138000'), found('wechat', 'card_girl_2024')]];
    const offers = offersFor(photos, [row('phone', ' 138-0013-8000 '), row('wechat', 'Card_Girl_2024')], []);
    // The same digits as a QQ number are another contact.
    expect(offers.map((o) => o.key)).toEqual(['qq:13800138000']);
  });

  it('a row not valid yet does not hide an offer', () => {
    const offers = offersFor([[found('phone', '+8613800138000')]], [row('phone', '138001')], []);
    expect(offers.map((o) => o.key)).toEqual(['phone:+8613800138000']);
  });

  it('leaves out what the reporter dismissed, and what the form could not take', () => {
    const offers = offersFor(
      [[found('phone', '+8613800138000'), found('phone', '12345'), found('wechat', 'card_girl_2024')]],
      [],
      ['phone:+8613800138000'],
    );
    expect(offers.map((o) => o.key)).toEqual(['wechat:card_girl_2024']);
  });

  it('offers nothing when nothing was found', () => {
    expect(offersFor([[], []], [row('phone', '')], [])).toEqual([]);
  });
});

describe('addOffer', () => {
  const phone = { key: 'phone:+8613800138000', kind: 'phone' as const, value: '+8613800138000', display: '138 0013 8000' };
  const wechat = { key: 'wechat:card_girl_2024', kind: 'wechat' as const, value: 'card_girl_2024', display: 'card_girl_2024' };

  it('fills the first empty row, whatever kind it was set to', () => {
    const rows = [row('qq', '12345678', 'a'), row('phone', '  ', 'b'), row('phone', '', 'c')];
    expect(addOffer(rows, wechat)).toEqual([row('qq', '12345678', 'a'), row('wechat', 'card_girl_2024', 'b'), row('phone', '', 'c')]);
  });

  it('adds a row rather than write over anything typed', () => {
    const rows = [row('phone', '1390000', 'a')];
    expect(addOffer(rows, phone, () => 'new')).toEqual([row('phone', '1390000', 'a'), row('phone', '138 0013 8000', 'new')]);
  });

  it('refuses when the form is full', () => {
    const rows = Array.from({ length: 20 }, (_, i) => row('qq', `1000${i + 10}`, `r${i}`));
    expect(addOffer(rows, phone)).toBeNull();
  });
});

describe('displayValue', () => {
  it('writes a mainland mobile as on a card, and everything else as normalised', () => {
    expect(displayValue('phone', '+8613800138000')).toBe('138 0013 8000');
    expect(displayValue('phone', '+861062345678')).toBe('+861062345678');
    expect(displayValue('qq', '13800138000')).toBe('13800138000');
    expect(displayValue('wechat', 'card_girl_2024')).toBe('card_girl_2024');
  });
});
