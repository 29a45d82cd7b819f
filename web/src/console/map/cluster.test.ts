import { describe, expect, it } from 'vitest';
import { clusterGrid, countLabel } from './cluster';

const pt = (x: number, y: number, id = `${x},${y}`) => ({ id, x, y });
const same = (p: { x: number; y: number }) => p;

describe('clusterGrid', () => {
  it('puts points of one cell together at their mean', () => {
    const cs = clusterGrid([pt(1, 1), pt(9, 9), pt(59, 30)], same, 60);
    expect(cs).toHaveLength(1);
    expect(cs[0]!.members).toHaveLength(3);
    expect(cs[0]!.x).toBeCloseTo(23);
    expect(cs[0]!.y).toBeCloseTo(40 / 3);
  });

  it('keeps points of different cells apart, in the order they came', () => {
    const cs = clusterGrid([pt(61, 0, 'b'), pt(0, 0, 'a'), pt(62, 1, 'c')], same, 60);
    expect(cs.map((c) => c.members.map((m) => m.id))).toEqual([['b', 'c'], ['a']]);
    expect(cs.map((c) => c.key)).toEqual(['1:0', '0:0']);
  });

  it('anchors the grid at the origin, so negative coordinates floor too', () => {
    const cs = clusterGrid([pt(-1, -1), pt(1, 1)], same, 60);
    expect(cs).toHaveLength(2);
  });

  it('leaves out what cannot be projected', () => {
    const cs = clusterGrid([pt(1, 1), pt(Number.NaN, 1)], (p) => (p.x === 1 ? p : null), 60);
    expect(cs).toHaveLength(1);
  });

  it('clusters 2,000 points, losing none', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const points = Array.from({ length: 2000 }, (_, i) => pt(rnd() * 2000, rnd() * 1200, String(i)));
    const cs = clusterGrid(points, same, 60);
    expect(cs.reduce((n, c) => n + c.members.length, 0)).toBe(2000);
    expect(cs.length).toBeLessThanOrEqual(Math.ceil(2000 / 60) * Math.ceil(1200 / 60));
  });

  it('refuses a cell of no size', () => {
    expect(() => clusterGrid([], same, 0)).toThrow();
  });
});

describe('countLabel', () => {
  it('shortens large counts', () => {
    expect([7, 999, 1000, 1250, 9999, 12_345].map(countLabel)).toEqual(['7', '999', '1k', '1.2k', '9.9k', '12k']);
  });
});
