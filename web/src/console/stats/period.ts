// The statistics page's period, kept in the URL (`?period=last_week`,
// `?period=custom&from=2026-11-01&to=2026-11-30`): decoded with a whitelist
// and a default, and turned into the `[from, to)` instants the API takes.
// Days and weeks are the service's (UTC+8; weeks start on Monday) whatever
// the browser's zone.

export const PRESETS = ['7d', '30d', 'this_week', 'last_week', 'this_month', 'last_month', 'custom'] as const;
export type Preset = (typeof PRESETS)[number];
export const DEFAULT_PRESET: Preset = '7d';

export interface Period {
  preset: Preset;
  /** `YYYY-MM-DD`, the first day (custom only). */
  from?: string;
  /** `YYYY-MM-DD`, the last day, included (custom only). */
  to?: string;
}

const OFFSET_MS = 8 * 3600_000;
const DAY_MS = 86400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A `YYYY-MM-DD` that names a real day, as its UTC+8 midnight. */
export function dayStart(date: string): number | undefined {
  const m = DATE.exec(date);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = Date.UTC(y, mo - 1, d);
  const back = new Date(t);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return undefined;
  return t - OFFSET_MS;
}

/** The UTC+8 day of an instant, as `YYYY-MM-DD`. */
export function dayOf(t: number): string {
  return new Date(t + OFFSET_MS).toISOString().slice(0, 10);
}

export function decodePeriod(query: Readonly<Record<string, string | undefined>>): Period {
  const preset = (PRESETS as readonly string[]).includes(query.period ?? '') ? (query.period as Preset) : DEFAULT_PRESET;
  if (preset !== 'custom') return { preset };
  const from = query.from ?? '';
  const to = query.to ?? '';
  const a = dayStart(from);
  const b = dayStart(to);
  if (a === undefined || b === undefined || a > b) return { preset: DEFAULT_PRESET };
  return { preset, from, to };
}

/** The URL's query for a period (the default leaves it empty). */
export function encodePeriod(p: Period): Record<string, string> {
  if (p.preset === 'custom' && p.from && p.to) return { period: 'custom', from: p.from, to: p.to };
  if (p.preset === DEFAULT_PRESET || p.preset === 'custom') return {};
  return { period: p.preset };
}

/**
 * The instants `[from, to)`. Periods that run to now end at the next whole
 * minute, so the figures and the CSV fetched a moment apart cover the same
 * leads.
 */
export function resolvePeriod(p: Period, now: number): { from: Date; to: Date } {
  const end = Math.ceil((now + 1) / 60_000) * 60_000;
  const today = Math.floor((now + OFFSET_MS) / DAY_MS) * DAY_MS - OFFSET_MS;
  // Monday = 0 in the service's zone.
  const weekday = (new Date(now + OFFSET_MS).getUTCDay() + 6) % 7;
  const thisWeek = today - weekday * DAY_MS;
  const local = new Date(now + OFFSET_MS);
  const monthStart = (y: number, m: number) => Date.UTC(y, m, 1) - OFFSET_MS;
  const [y, m] = [local.getUTCFullYear(), local.getUTCMonth()];
  switch (p.preset) {
    case '30d':
      return { from: new Date(end - 30 * DAY_MS), to: new Date(end) };
    case 'this_week':
      return { from: new Date(thisWeek), to: new Date(end) };
    case 'last_week':
      return { from: new Date(thisWeek - 7 * DAY_MS), to: new Date(thisWeek) };
    case 'this_month':
      return { from: new Date(monthStart(y, m)), to: new Date(end) };
    case 'last_month':
      return { from: new Date(monthStart(y, m - 1)), to: new Date(monthStart(y, m)) };
    case 'custom': {
      const a = p.from ? dayStart(p.from) : undefined;
      const b = p.to ? dayStart(p.to) : undefined;
      if (a !== undefined && b !== undefined && a <= b) return { from: new Date(a), to: new Date(b + DAY_MS) };
      return { from: new Date(end - 7 * DAY_MS), to: new Date(end) };
    }
    default:
      return { from: new Date(end - 7 * DAY_MS), to: new Date(end) };
  }
}
