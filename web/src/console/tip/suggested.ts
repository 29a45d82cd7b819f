// What the tip pane makes of the suggestions the service read off a tip's
// photos: the order they are listed in, and the boxes drawn on the photos.
import type { Schemas } from '../../shared/api/types';

export type Suggestion = Schemas['SuggestionView'];
export type Region = Schemas['RegionView'];

/** A box to draw on a photo: where a contact was read. */
export interface PhotoBox {
  id: string;
  mediaId: string;
  region: Region;
  /** What was read there, for screen readers ("识别位置：电话 +86…"). */
  label: string;
  /** The same, short, shown beside the box in the large view ("电话 +86…"). */
  tag: string;
}

/** Waiting ones first, surest first; then those already confirmed; never dismissed ones. */
export function orderSuggestions(list: readonly Suggestion[]): Suggestion[] {
  const rank = (s: Suggestion) => (s.state === 'suggested' ? 0 : 1);
  return list.filter((s) => s.state !== 'dismissed').sort((a, b) => rank(a) - rank(b) || b.confidence - a.confidence);
}

export function suggestionBoxes(
  list: readonly Suggestion[],
  words: (s: Suggestion) => { label: string; tag: string },
): PhotoBox[] {
  return list
    .filter((s) => s.state !== 'dismissed')
    .map((s) => ({ id: s.id, mediaId: s.media_id, region: s.region, ...words(s) }));
}

const pct = (f: number) => `${+(Math.min(1, Math.max(0, Number.isFinite(f) ? f : 0)) * 100).toFixed(3)}%`;

/**
 * Where a box goes over its photo's frame (the frame is exactly the
 * picture), as percentages; kept inside the picture whatever the numbers.
 */
export function regionStyle(r: Region): { left: string; top: string; width: string; height: string } {
  const x = Math.min(1, Math.max(0, r.x));
  const y = Math.min(1, Math.max(0, r.y));
  return { left: pct(x), top: pct(y), width: pct(Math.min(r.width, 1 - x)), height: pct(Math.min(r.height, 1 - y)) };
}
