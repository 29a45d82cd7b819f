import { describe, expect, it } from 'vitest';
import { format } from '../../shared/i18n/i18n';
import zh from '../i18n/zh-CN.json';
import en from '../i18n/en.json';
import { formatSpan, type SpanKey } from './span';

const say = (messages: Record<string, string>) => (key: SpanKey, params: Record<string, number>) => format(messages[key]!, params);
const zhSpan = (s: number) => formatSpan(s, say(zh));
const enSpan = (s: number) => formatSpan(s, say(en));

describe('durations in words', () => {
  it('hours and minutes', () => {
    expect(zhSpan(3 * 3600 + 20 * 60)).toBe('3 小时 20 分');
    expect(enSpan(3 * 3600 + 20 * 60)).toBe('3 h 20 min');
    expect(zhSpan(2 * 3600)).toBe('2 小时');
    expect(enSpan(2 * 3600 + 10)).toBe('2 h');
  });

  it('seconds and minutes', () => {
    expect(zhSpan(42)).toBe('42 秒');
    expect(enSpan(0)).toBe('< 1 s');
    expect(zhSpan(0.3)).toBe('不到 1 秒');
    expect(zhSpan(0.6)).toBe('1 秒');
    expect(enSpan(59.4)).toBe('59 s');
    expect(enSpan(59.6)).toBe('1 min');
    expect(zhSpan(12 * 60 + 29)).toBe('12 分');
    // 59 min 40 s rounds to the hour, not to "60 min".
    expect(enSpan(59 * 60 + 40)).toBe('1 h');
  });

  it('days and hours', () => {
    expect(zhSpan(2 * 86400 + 4 * 3600)).toBe('2 天 4 小时');
    expect(enSpan(2 * 86400 + 4 * 3600 + 20 * 60)).toBe('2 d 4 h');
    expect(enSpan(7 * 86400)).toBe('7 d');
    // 23 h 59 min 50 s is a day.
    expect(enSpan(86400 - 10)).toBe('1 d');
    expect(enSpan(23 * 3600 + 59 * 60 + 10)).toBe('23 h 59 min');
  });
});
