import { describe, expect, it } from 'vitest';
import { orderSuggestions, regionStyle, suggestionBoxes, type Suggestion } from './suggested';

const REGION = { x: 0.52, y: 0.3, width: 0.24, height: 0.32 };
function s(id: string, extra: Partial<Suggestion> = {}): Suggestion {
  return { id, media_id: 'm1', kind: 'phone', value: '+8613800138000', source: 'qr', confidence: 0.9, region: REGION, state: 'suggested', ...extra };
}

describe('the suggestions on a tip', () => {
  it('lists those waiting first, surest first, then the confirmed, never the dismissed', () => {
    const list = [
      s('a', { confidence: 0.6 }),
      s('b', { state: 'confirmed', confidence: 1 }),
      s('c', { state: 'dismissed', confidence: 1 }),
      s('d', { confidence: 0.95 }),
    ];
    expect(orderSuggestions(list).map((x) => x.id)).toEqual(['d', 'a', 'b']);
    // The tip's own list is left as it was.
    expect(list.map((x) => x.id)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('draws a box for each, on its own photo, named for screen readers', () => {
    const boxes = suggestionBoxes([s('a'), s('b', { media_id: 'm2', state: 'confirmed' }), s('c', { state: 'dismissed' })], (x) => ({ label: `box ${x.id}`, tag: x.id }));
    expect(boxes).toEqual([
      { id: 'a', mediaId: 'm1', region: REGION, label: 'box a', tag: 'a' },
      { id: 'b', mediaId: 'm2', region: REGION, label: 'box b', tag: 'b' },
    ]);
  });

  it('places a box in percentages of the picture, kept inside it', () => {
    expect(regionStyle(REGION)).toEqual({ left: '52%', top: '30%', width: '24%', height: '32%' });
    expect(regionStyle({ x: 0.9, y: -0.1, width: 0.5, height: 2 })).toEqual({ left: '90%', top: '0%', width: '10%', height: '100%' });
    expect(regionStyle({ x: 1 / 3, y: 0, width: 0.25, height: 0.5 }).left).toBe('33.333%');
  });
});
