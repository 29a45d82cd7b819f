import { describe, expect, it } from 'vitest';
import type { Geometry } from './geojson';
import { crossingPoint, locateProblem, parseJurisdictionProblem, shapeProblem } from './problem';

// Messages as the service (src/domain/jurisdiction.rs) words them.
describe("reading the service's 422 unit.invalid_jurisdiction", () => {
  it('names a position and a value out of range', () => {
    expect(parseJurisdictionProblem('coordinates[0][1]: latitude 300 is outside -90..90')).toEqual({
      path: 'coordinates[0][1]',
      indices: [0, 1],
      kind: 'latitude_range',
      params: { value: 300 },
    });
    expect(parseJurisdictionProblem('coordinates[2][0][7]: longitude -181.5 is outside -180..180')).toMatchObject({
      path: 'coordinates[2][0][7]',
      indices: [2, 0, 7],
      kind: 'longitude_range',
      params: { value: -181.5 },
    });
  });

  it('names a ring that crosses itself, with its edges', () => {
    expect(parseJurisdictionProblem('coordinates[0]: the ring crosses itself (edges 0 and 2)')).toEqual({
      path: 'coordinates[0]',
      indices: [0],
      kind: 'crossing',
      params: { a: 0, b: 2 },
    });
  });

  it('knows the other rules', () => {
    const kind = (m: string) => parseJurisdictionProblem(m).kind;
    expect(kind('coordinates[0]: the ring is not closed (its last position must repeat the first)')).toBe('not_closed');
    expect(kind('coordinates[1][0]: a ring needs at least 4 positions (3 corners and the first again)')).toBe('too_few_positions');
    expect(kind('coordinates[0]: the ring encloses no area')).toBe('no_area');
    expect(kind('coordinates[0][4]: expected [longitude, latitude]')).toBe('not_position');
    expect(kind('coordinates: 1 to 100 polygons')).toBe('polygon_count');
    expect(kind('coordinates[3]: at most 100 rings (an outer ring and its holes)')).toBe('too_many_rings');
    expect(parseJurisdictionProblem('type: expected "Polygon" or "MultiPolygon", not "Point"')).toMatchObject({ kind: 'type', path: '' });
  });

  it('keeps a message it does not know as `other`, at the path it names', () => {
    expect(parseJurisdictionProblem('coordinates[0][1]: something new')).toEqual({
      path: 'coordinates[0][1]',
      indices: [0, 1],
      kind: 'other',
      params: {},
    });
    expect(parseJurisdictionProblem('a Feature needs a geometry')).toEqual({ path: '', indices: [], kind: 'other', params: {} });
  });
});

describe('pointing at the problem', () => {
  const bowTie: Geometry = {
    type: 'Polygon',
    coordinates: [
      [
        [120, 29],
        [121, 30],
        [121, 29],
        [120, 30],
        [120, 29],
      ],
    ],
  };

  it('puts a crossing where the two edges cross', () => {
    const p = parseJurisdictionProblem('coordinates[0]: the ring crosses itself (edges 0 and 2)');
    expect(locateProblem(bowTie, p)).toEqual([120.5, 29.5]);
  });

  it('puts a named position where it is, in a Polygon and in a MultiPolygon', () => {
    expect(locateProblem(bowTie, parseJurisdictionProblem('coordinates[0][3]: something'))).toEqual([120, 30]);
    const multi: Geometry = { type: 'MultiPolygon', coordinates: [bowTie.coordinates, [[[1, 1], [2, 1], [2, 2], [1, 1]]]] };
    expect(locateProblem(multi, parseJurisdictionProblem('coordinates[1][0][2]: something'))).toEqual([2, 2]);
    expect(locateProblem(multi, parseJurisdictionProblem('coordinates[1][0]: the ring encloses no area'))).toEqual([1, 1]);
  });

  it('points next to a position that cannot be drawn', () => {
    const far: Geometry = { type: 'Polygon', coordinates: [[[0, 0], [1, 300], [1, 0], [0, 0]]] };
    expect(locateProblem(far, parseJurisdictionProblem('coordinates[0][1]: latitude 300 is outside -90..90'))).toEqual([0, 0]);
  });

  it('puts an open ring at its last position', () => {
    const open: Geometry = { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 1]]] };
    expect(locateProblem(open, parseJurisdictionProblem('coordinates[0]: the ring is not closed'))).toEqual([0, 1]);
  });

  it('finds nothing for a path the geometry does not have', () => {
    expect(locateProblem(bowTie, parseJurisdictionProblem('coordinates[4][0]: something'))).toBeUndefined();
  });

  it('crossingPoint handles touching, parallel and apart', () => {
    expect(crossingPoint([0, 0], [2, 0], [1, -1], [1, 1])).toEqual([1, 0]);
    expect(crossingPoint([0, 0], [1, 0], [2, 1], [3, 1])).toBeUndefined();
    expect(crossingPoint([0, 0], [2, 0], [1, 0], [3, 0])).toEqual([1, 0]);
    expect(crossingPoint([0, 0], [1, 0], [0, 5], [1, 6])).toBeUndefined();
  });
});

describe('shapes the schema refuses without a position', () => {
  it('a ring of three positions', () => {
    const g: Geometry = { type: 'MultiPolygon', coordinates: [[[[0, 0], [1, 0], [1, 1], [0, 0]]], [[[5, 5], [6, 5], [5, 5]]]] };
    expect(shapeProblem(g)).toEqual({ path: 'coordinates[1][0]', indices: [1, 0], kind: 'too_few_positions', params: { min: 4 } });
  });

  it('a ring of too many positions', () => {
    const ring = Array.from({ length: 2001 }, (_, i) => [i / 10000, Math.sin(i)] as [number, number]);
    expect(shapeProblem({ type: 'Polygon', coordinates: [ring] })).toMatchObject({ path: 'coordinates[0]', kind: 'too_many_positions' });
  });

  it('nothing for a fine shape', () => {
    expect(shapeProblem({ type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 0]]] })).toBeUndefined();
  });
});
