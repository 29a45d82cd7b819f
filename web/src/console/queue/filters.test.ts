import { describe, expect, it } from 'vitest';
import {
  DEFAULT_QUEUE_VIEW,
  decodeContact,
  decodeNear,
  decodeQueueView,
  encodeQueueView,
  queueQuery,
  queueSearchParams,
  type QueueView,
} from './filters';

const q = (s: string) => new URLSearchParams(s);

describe('decodeQueueView', () => {
  it('gives the default view for an empty address', () => {
    expect(decodeQueueView(q(''))).toEqual(DEFAULT_QUEUE_VIEW);
  });

  it('reads every filter', () => {
    const v = decodeQueueView(
      q('tab=needs_info&category=illicit_card_ads&period=7d&near=29.3,120.07,500&contact=phone:138-0013-8000&q=%E5%8D%A1%E7%89%87&claimed=me&order=newest&tip=01A12722-FF39-733D-A301-8D76E1D4530F'),
    );
    expect(v).toEqual({
      tab: 'needs_info',
      category: 'illicit_card_ads',
      period: '7d',
      near: { lat: 29.3, lon: 120.07, radius: 500 },
      contact: { kind: 'phone', value: '138-0013-8000' },
      q: '卡片',
      claimed: 'me',
      order: 'newest',
      tip: '01a12722-ff39-733d-a301-8d76e1d4530f',
    });
  });

  it('drops what is not on the whitelist, keeping the rest', () => {
    const v = decodeQueueView(
      q('tab=everything&category=DROP%20TABLE&period=1y&near=91,0,10&contact=email:a@b&q=%20%20&claimed=you&order=random&tip=42&status=closed'),
    );
    expect(v).toEqual(DEFAULT_QUEUE_VIEW);
  });

  it('reads preact-iso query objects too', () => {
    expect(decodeQueueView({ tab: 'rejected', q: ' x ' })).toMatchObject({ tab: 'rejected', q: 'x' });
  });

  it('limits near to the API range', () => {
    expect(decodeNear('29.3,120.07,50000')).toEqual({ lat: 29.3, lon: 120.07, radius: 50000 });
    expect(decodeNear('29.3,120.07,50001')).toBeNull();
    expect(decodeNear('29.3,120.07,0')).toBeNull();
    expect(decodeNear('29.3,181,10')).toBeNull();
    expect(decodeNear('abc')).toBeNull();
  });

  it('reads contacts in any spelling, with a known kind', () => {
    expect(decodeContact('WeChat:abc_123')).toEqual({ kind: 'wechat', value: 'abc_123' });
    expect(decodeContact('url:https://x.example/a?b=c')).toEqual({ kind: 'url', value: 'https://x.example/a?b=c' });
    expect(decodeContact('phone:')).toBeNull();
    expect(decodeContact('13800138000')).toBeNull();
  });
});

describe('encodeQueueView', () => {
  it('leaves defaults out', () => {
    expect(encodeQueueView(DEFAULT_QUEUE_VIEW)).toBe('');
  });

  it('round-trips', () => {
    const v: QueueView = {
      tab: 'in_review',
      category: 'fraud',
      period: '24h',
      near: { lat: 29.306123456789, lon: 120.0752, radius: 800 },
      contact: { kind: 'qq', value: '12345 678' },
      q: 'a&b=c',
      claimed: 'none',
      order: 'newest',
      tip: '01a12722-ff39-733d-a301-8d76e1d4530f',
    };
    const back = decodeQueueView(q(encodeQueueView(v)));
    expect(back).toEqual({ ...v, near: { lat: 29.306123, lon: 120.0752, radius: 800 } });
    expect(encodeQueueView(back)).toBe(encodeQueueView(decodeQueueView(q(encodeQueueView(back)))));
  });
});

describe('queueQuery', () => {
  it('asks the API for the tab and filters, the period from now', () => {
    const now = Date.parse('2026-12-01T12:00:00Z');
    const v = decodeQueueView(q('period=24h&category=fraud&claimed=none&contact=phone:138 0013 8000'));
    const query = queueQuery(v, now);
    expect(query).toEqual({
      status: ['submitted', 'in_review'],
      category: 'fraud',
      created_from: '2026-11-30T12:00:00.000Z',
      contact: 'phone:138 0013 8000',
      claimed_by: 'none',
    });
    expect(queueSearchParams(query).toString()).toBe(
      'status=submitted&status=in_review&category=fraud&created_from=2026-11-30T12%3A00%3A00.000Z&contact=phone%3A138+0013+8000&claimed_by=none',
    );
  });
});
