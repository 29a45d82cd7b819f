// A duration in words, as people at a weekly meeting say it: "3 小时 20 分",
// "3 h 20 min", "2 天 4 小时". Two units at most, the smaller one rounded;
// the words are in the catalogues (stats.span.*).

type Words = (key: SpanKey, params: Record<string, number>) => string;

export type SpanKey =
  | 'stats.span.under_second'
  | 'stats.span.seconds'
  | 'stats.span.minutes'
  | 'stats.span.hours'
  | 'stats.span.hours_minutes'
  | 'stats.span.days'
  | 'stats.span.days_hours';

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export function formatSpan(seconds: number, words: Words): string {
  const s = Math.max(0, seconds);
  if (s < 0.5) return words('stats.span.under_second', {});
  if (s < MINUTE - 0.5) return words('stats.span.seconds', { s: Math.round(s) });
  const minutes = Math.round(s / MINUTE);
  if (minutes < 60) return words('stats.span.minutes', { m: minutes });
  if (s < DAY - 30) {
    const h = Math.floor(minutes / 60);
    const m = minutes % 60;
    if (h >= 24) return words('stats.span.days', { d: 1 });
    return m === 0 ? words('stats.span.hours', { h }) : words('stats.span.hours_minutes', { h, m });
  }
  const hours = Math.round(s / HOUR);
  const d = Math.floor(hours / 24);
  const h = hours % 24;
  return h === 0 ? words('stats.span.days', { d }) : words('stats.span.days_hours', { d, h });
}
