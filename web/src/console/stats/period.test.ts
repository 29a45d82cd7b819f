import { describe, expect, it } from 'vitest';
import { dayOf, dayStart, decodePeriod, encodePeriod, resolvePeriod } from './period';

// Wednesday 2 December 2026, 01:30 in UTC+8 (still Tuesday in UTC).
const NOW = Date.parse('2026-12-01T17:30:00Z');
const iso = (r: { from: Date; to: Date }) => [r.from.toISOString(), r.to.toISOString()];

describe('the period in the URL', () => {
  it('defaults to the last 7 days, and keeps only what it knows', () => {
    expect(decodePeriod({})).toEqual({ preset: '7d' });
    expect(decodePeriod({ period: 'forever' })).toEqual({ preset: '7d' });
    expect(decodePeriod({ period: 'last_week' })).toEqual({ preset: 'last_week' });
  });

  it('takes a custom range of real days, first before last', () => {
    expect(decodePeriod({ period: 'custom', from: '2026-11-01', to: '2026-11-30' })).toEqual({
      preset: 'custom',
      from: '2026-11-01',
      to: '2026-11-30',
    });
    expect(decodePeriod({ period: 'custom', from: '2026-11-31', to: '2026-12-01' })).toEqual({ preset: '7d' });
    expect(decodePeriod({ period: 'custom', from: '2026-12-02', to: '2026-12-01' })).toEqual({ preset: '7d' });
    expect(decodePeriod({ period: 'custom', from: '2026-12-01' })).toEqual({ preset: '7d' });
  });

  it('writes back only what differs from the default', () => {
    expect(encodePeriod({ preset: '7d' })).toEqual({});
    expect(encodePeriod({ preset: 'this_month' })).toEqual({ period: 'this_month' });
    expect(encodePeriod({ preset: 'custom', from: '2026-11-01', to: '2026-11-02' })).toEqual({
      period: 'custom',
      from: '2026-11-01',
      to: '2026-11-02',
    });
  });
});

describe('the instants the API gets, in UTC+8', () => {
  it('days start at midnight in Shanghai', () => {
    expect(new Date(dayStart('2026-12-02')!).toISOString()).toBe('2026-12-01T16:00:00.000Z');
    expect(dayOf(NOW)).toBe('2026-12-02');
  });

  it('rolling periods end at the next whole minute', () => {
    expect(iso(resolvePeriod({ preset: '7d' }, NOW + 5_000))).toEqual(['2026-11-24T17:31:00.000Z', '2026-12-01T17:31:00.000Z']);
    expect(iso(resolvePeriod({ preset: '30d' }, NOW))).toEqual(['2026-11-01T17:31:00.000Z', '2026-12-01T17:31:00.000Z']);
  });

  it('weeks start on Monday, months on the first, in the service zone', () => {
    // Monday 30 November 2026, 00:00 UTC+8.
    expect(iso(resolvePeriod({ preset: 'this_week' }, NOW))[0]).toBe('2026-11-29T16:00:00.000Z');
    expect(iso(resolvePeriod({ preset: 'last_week' }, NOW))).toEqual(['2026-11-22T16:00:00.000Z', '2026-11-29T16:00:00.000Z']);
    expect(iso(resolvePeriod({ preset: 'this_month' }, NOW))[0]).toBe('2026-11-30T16:00:00.000Z');
    expect(iso(resolvePeriod({ preset: 'last_month' }, NOW))).toEqual(['2026-10-31T16:00:00.000Z', '2026-11-30T16:00:00.000Z']);
  });

  it('a custom range includes its last day', () => {
    expect(iso(resolvePeriod({ preset: 'custom', from: '2026-11-01', to: '2026-11-30' }, NOW))).toEqual([
      '2026-10-31T16:00:00.000Z',
      '2026-11-30T16:00:00.000Z',
    ]);
  });
});
