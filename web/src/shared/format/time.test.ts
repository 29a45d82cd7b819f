import { describe, expect, it } from 'vitest';
import { formatAge, formatClock, formatDateTime, formatDuration } from './time';

// 2026-12-01 12:00 UTC is 20:00 in the service's zone.
const T = Date.parse('2026-12-01T12:00:00Z');

describe('times in the service zone (UTC+8)', () => {
  it('shows the date and time in Asia/Shanghai whatever the machine zone', () => {
    expect(formatDateTime('2026-12-01T12:05:00Z', 'zh-CN')).toBe('2026/12/01 20:05');
    expect(formatDateTime('2026-12-01T12:05:00Z', 'en')).toBe('12/01/2026, 20:05');
    // Past midnight in Shanghai while still the day before in UTC.
    expect(formatDateTime('2026-12-01T16:30:00Z', 'zh-CN')).toBe('2026/12/02 00:30');
    expect(formatClock('2026-12-01T16:30:00Z', 'en')).toBe('00:30');
  });

  it('gives relative ages', () => {
    expect(formatAge(T - 20_000, T, 'zh-CN', '刚刚')).toBe('刚刚');
    expect(formatAge(T - 12 * 60_000, T, 'zh-CN', '刚刚')).toBe('12分钟前');
    expect(formatAge(T - 12 * 60_000, T, 'en', 'just now')).toBe('12 min. ago');
    expect(formatAge(T - 3 * 3600_000 - 5, T, 'zh-CN', '刚刚')).toBe('3小时前');
    expect(formatAge(T - 2 * 86400_000, T, 'en', 'just now')).toBe('2 days ago');
    expect(formatAge(T + 3 * 3600_000, T, 'en', 'just now')).toBe('in 3 hr.');
    expect(formatAge(T - 8 * 86400_000, T, 'zh-CN', '刚刚')).toBe('2026/11/23 20:00');
  });

  it('says how long to wait', () => {
    expect(formatDuration(896, 'zh-CN')).toBe('15分钟');
    expect(formatDuration(896, 'en')).toBe('15 minutes');
    expect(formatDuration(30, 'en')).toBe('30 seconds');
    expect(formatDuration(1, 'en')).toBe('1 second');
  });
});
