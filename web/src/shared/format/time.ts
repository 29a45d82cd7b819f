// Times as people at the service read them: in the service's zone (UTC+8,
// Asia/Shanghai) whatever the browser's zone, with relative ages for recent
// ones ("12 分钟前", "12 min. ago"). Intl only, no date library.

import type { Lang } from '../i18n/i18n';

export const SERVICE_TIME_ZONE = 'Asia/Shanghai';

const cache = new Map<string, Intl.DateTimeFormat | Intl.RelativeTimeFormat | Intl.NumberFormat>();

function memo<T extends Intl.DateTimeFormat | Intl.RelativeTimeFormat | Intl.NumberFormat>(
  key: string,
  make: () => T,
): T {
  let f = cache.get(key) as T | undefined;
  if (!f) {
    f = make();
    cache.set(key, f);
  }
  return f;
}

function toDate(t: string | number | Date): Date {
  return t instanceof Date ? t : new Date(t);
}

/** "2026/12/01 20:05" / "12/01/2026, 20:05": date and time in UTC+8. */
export function formatDateTime(t: string | number | Date, lang: Lang): string {
  return memo(`dt:${lang}`, () =>
    new Intl.DateTimeFormat(lang, {
      timeZone: SERVICE_TIME_ZONE,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }),
  ).format(toDate(t));
}

/** "20:05": the time of day in UTC+8. */
export function formatClock(t: string | number | Date, lang: Lang): string {
  return memo(`clock:${lang}`, () =>
    new Intl.DateTimeFormat(lang, {
      timeZone: SERVICE_TIME_ZONE,
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }),
  ).format(toDate(t));
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * How long ago `t` was, from `now`: "刚刚" under a minute, then minutes,
 * hours and days; past a week, the date and time instead. Future times
 * (a deadline) read "in 3 hours" / "3小时后".
 */
export function formatAge(t: string | number | Date, now: number, lang: Lang, justNow: string): string {
  const diff = toDate(t).getTime() - now;
  const abs = Math.abs(diff);
  if (abs < MINUTE) return justNow;
  if (abs >= 7 * DAY) return formatDateTime(t, lang);
  const rtf = memo(`rel:${lang}`, () => new Intl.RelativeTimeFormat(lang, { numeric: 'always', style: 'short' }));
  const sign = diff < 0 ? -1 : 1;
  if (abs < HOUR) return rtf.format(sign * Math.floor(abs / MINUTE), 'minute');
  if (abs < DAY) return rtf.format(sign * Math.floor(abs / HOUR), 'hour');
  return rtf.format(sign * Math.floor(abs / DAY), 'day');
}

/** A span of seconds as "15分钟" / "15 minutes" (Retry-After, time left on a claim). */
export function formatDuration(seconds: number, lang: Lang): string {
  const s = Math.max(0, Math.ceil(seconds));
  const [value, unit] =
    s < 60 ? [s, 'second'] : s < 3600 ? [Math.ceil(s / 60), 'minute'] : [Math.ceil(s / 3600), 'hour'];
  return memo(`dur:${lang}:${unit}`, () =>
    new Intl.NumberFormat(lang, { style: 'unit', unit, unitDisplay: 'long' }),
  ).format(value);
}

export function formatNumber(n: number, lang: Lang): string {
  return memo(`num:${lang}`, () => new Intl.NumberFormat(lang)).format(n);
}
