import { describe, expect, it } from 'vitest';
import { bounds, normaliseGeoJson, parseGeoJson, vertexCount } from './geojson';

const square = (x: number, y: number, s = 1) => [
  [
    [x, y],
    [x + s, y],
    [x + s, y + s],
    [x, y + s],
    [x, y],
  ],
];

describe('GeoJSON to the one geometry the API takes', () => {
  it('keeps a Polygon as it is', () => {
    const r = normaliseGeoJson({ type: 'Polygon', coordinates: square(120, 29) });
    expect(r).toEqual({ ok: true, polygons: 1, geometry: { type: 'Polygon', coordinates: square(120, 29) } });
  });

  it('keeps a MultiPolygon of several areas, and makes one of one a Polygon', () => {
    const two = normaliseGeoJson({ type: 'MultiPolygon', coordinates: [square(0, 0), square(5, 5)] });
    expect(two).toMatchObject({ ok: true, polygons: 2, geometry: { type: 'MultiPolygon', coordinates: [square(0, 0), square(5, 5)] } });
    const one = normaliseGeoJson({ type: 'MultiPolygon', coordinates: [square(0, 0)] });
    expect(one).toMatchObject({ ok: true, geometry: { type: 'Polygon', coordinates: square(0, 0) } });
  });

  it('takes a Feature for its geometry, leaving properties, ids and bbox behind', () => {
    const r = normaliseGeoJson({
      type: 'Feature',
      id: 7,
      bbox: [0, 0, 1, 1],
      properties: { name: '稠城街道' },
      geometry: { type: 'Polygon', coordinates: square(0, 0) },
    });
    expect(r).toEqual({ ok: true, polygons: 1, geometry: { type: 'Polygon', coordinates: square(0, 0) } });
  });

  it('merges a FeatureCollection of polygons and multipolygons into one MultiPolygon', () => {
    const r = normaliseGeoJson({
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: square(0, 0) } },
        { type: 'Feature', properties: {}, geometry: { type: 'MultiPolygon', coordinates: [square(2, 2), square(4, 4)] } },
      ],
    });
    expect(r).toEqual({
      ok: true,
      polygons: 3,
      geometry: { type: 'MultiPolygon', coordinates: [square(0, 0), square(2, 2), square(4, 4)] },
    });
  });

  it('makes a FeatureCollection of one polygon a Polygon', () => {
    const r = normaliseGeoJson({
      type: 'FeatureCollection',
      features: [{ type: 'Feature', properties: null, geometry: { type: 'Polygon', coordinates: square(1, 1) } }],
    });
    expect(r).toMatchObject({ ok: true, geometry: { type: 'Polygon' } });
  });

  it('drops altitudes, which mean nothing to an area', () => {
    const r = normaliseGeoJson({
      type: 'Polygon',
      coordinates: [
        [
          [0, 0, 12],
          [1, 0, 12],
          [1, 1, 12],
          [0, 0, 12],
        ],
      ],
    });
    expect(r).toMatchObject({ ok: true, geometry: { coordinates: [[[0, 0], [1, 0], [1, 1], [0, 0]]] } });
  });

  it('reads text, with or without a byte-order mark', () => {
    const text = JSON.stringify({ type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: square(0, 0) } });
    expect(parseGeoJson(`\uFEFF${text}\n`)).toMatchObject({ ok: true });
  });

  describe('says what is wrong', () => {
    it('with nothing, or with text that is not JSON', () => {
      expect(parseGeoJson('  ')).toEqual({ ok: false, error: { code: 'empty' } });
      expect(parseGeoJson('{"type": "Polygon",')).toEqual({ ok: false, error: { code: 'not_json' } });
    });

    it('with a point or a line, naming where it is', () => {
      expect(normaliseGeoJson({ type: 'Point', coordinates: [1, 2] })).toEqual({
        ok: false,
        error: { code: 'not_area', where: '$', type: 'Point' },
      });
      const r = normaliseGeoJson({
        type: 'FeatureCollection',
        features: [
          { type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: square(0, 0) } },
          { type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: [[0, 0], [1, 1]] } },
        ],
      });
      expect(r).toEqual({ ok: false, error: { code: 'not_area', where: '$.features[1].geometry', type: 'LineString' } });
    });

    it('with a feature without a geometry, or a collection without features', () => {
      expect(normaliseGeoJson({ type: 'Feature', properties: {}, geometry: null })).toEqual({
        ok: false,
        error: { code: 'no_geometry', where: '$' },
      });
      expect(normaliseGeoJson({ type: 'FeatureCollection', features: [] })).toEqual({ ok: false, error: { code: 'no_features' } });
      expect(normaliseGeoJson({ type: 'FeatureCollection' })).toEqual({ ok: false, error: { code: 'no_features' } });
    });

    it('with something that is not GeoJSON at all', () => {
      expect(normaliseGeoJson([1, 2])).toEqual({ ok: false, error: { code: 'not_object', where: '$' } });
      expect(normaliseGeoJson({ coordinates: [] })).toEqual({ ok: false, error: { code: 'no_type', where: '$' } });
    });

    it('with a position that is not two or three numbers', () => {
      const r = normaliseGeoJson({ type: 'Polygon', coordinates: [[[0, 0], ['1', 0], [1, 1], [0, 0]]] });
      expect(r).toEqual({ ok: false, error: { code: 'bad_coordinates', where: '$.coordinates[0][1]' } });
    });

    it('with more areas than the service takes', () => {
      const many = Array.from({ length: 101 }, (_, i) => square(i * 2, 0));
      expect(normaliseGeoJson({ type: 'MultiPolygon', coordinates: many })).toEqual({
        ok: false,
        error: { code: 'too_many_polygons', count: 101, max: 100 },
      });
    });
  });

  it('measures what it read', () => {
    const r = normaliseGeoJson({ type: 'MultiPolygon', coordinates: [square(0, 0), square(5, 5, 2)] });
    if (!r.ok) throw new Error('refused');
    expect(bounds(r.geometry)).toEqual([0, 0, 7, 7]);
    expect(vertexCount(r.geometry)).toBe(8);
  });
});
