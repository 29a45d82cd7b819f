// A jurisdiction as an administrator brings it: a file from a GIS tool
// (QGIS, geojson.io, a city's open data), pasted or uploaded. Those come as
// a bare Polygon or MultiPolygon, a Feature around one, or a
// FeatureCollection of several; the API takes one geometry, so they are
// turned into one Polygon (a single area) or one MultiPolygon (several)
// here, before anything is sent. Only the shape is checked here; the
// geometry rules (closed rings, ranges, no self-crossing) are the
// service's, and its 422 names the position (see problem.ts).

import type { Schemas } from '../../../shared/api/types';

export type Position = [number, number];
export type Ring = Position[];
export type PolygonCoords = Ring[];
export type Jurisdiction = Schemas['Jurisdiction'];
export type PolygonGeometry = { type: 'Polygon'; coordinates: PolygonCoords };
export type MultiPolygonGeometry = { type: 'MultiPolygon'; coordinates: PolygonCoords[] };
export type Geometry = PolygonGeometry | MultiPolygonGeometry;

/** The API's limits (openapi GeoJsonMultiPolygon). */
export const MAX_POLYGONS = 100;

/** Why a text is not a jurisdiction; `where` is a path into what was given. */
export type GeoJsonError =
  | { code: 'empty' }
  | { code: 'not_json' }
  | { code: 'not_object'; where: string }
  | { code: 'no_type'; where: string }
  | { code: 'not_area'; where: string; type: string }
  | { code: 'no_geometry'; where: string }
  | { code: 'no_features' }
  | { code: 'too_many_polygons'; count: number; max: number }
  | { code: 'bad_coordinates'; where: string };

export type Normalised = { ok: true; geometry: Geometry; polygons: number } | { ok: false; error: GeoJsonError };

class Refusal {
  constructor(readonly error: GeoJsonError) {}
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function position(v: unknown, where: string): Position {
  if (!Array.isArray(v) || v.length < 2 || v.length > 3 || !v.every((n) => typeof n === 'number' && Number.isFinite(n))) {
    throw new Refusal({ code: 'bad_coordinates', where });
  }
  // An altitude, when a tool writes one, means nothing to a jurisdiction.
  return [v[0] as number, v[1] as number];
}

function polygonCoords(v: unknown, where: string): PolygonCoords {
  if (!Array.isArray(v) || v.length === 0) throw new Refusal({ code: 'bad_coordinates', where });
  return v.map((ring, r) => {
    if (!Array.isArray(ring)) throw new Refusal({ code: 'bad_coordinates', where: `${where}[${r}]` });
    return ring.map((p, i) => position(p, `${where}[${r}][${i}]`));
  });
}

/** The polygons of one geometry object (Polygon, MultiPolygon, or a GeometryCollection of them). */
function polygonsOf(g: unknown, where: string): PolygonCoords[] {
  if (!isObject(g)) throw new Refusal({ code: 'not_object', where });
  const type = g.type;
  if (typeof type !== 'string') throw new Refusal({ code: 'no_type', where });
  switch (type) {
    case 'Polygon':
      return [polygonCoords(g.coordinates, `${where}.coordinates`)];
    case 'MultiPolygon': {
      const c = g.coordinates;
      if (!Array.isArray(c) || c.length === 0) throw new Refusal({ code: 'bad_coordinates', where: `${where}.coordinates` });
      return c.map((p, i) => polygonCoords(p, `${where}.coordinates[${i}]`));
    }
    case 'GeometryCollection': {
      const gs = g.geometries;
      if (!Array.isArray(gs)) throw new Refusal({ code: 'no_geometry', where });
      return gs.flatMap((x, i) => polygonsOf(x, `${where}.geometries[${i}]`));
    }
    case 'Feature':
      if (g.geometry === null || g.geometry === undefined) throw new Refusal({ code: 'no_geometry', where });
      return polygonsOf(g.geometry, `${where}.geometry`);
    case 'FeatureCollection': {
      const fs = g.features;
      if (!Array.isArray(fs)) throw new Refusal({ code: 'no_features' });
      return fs.flatMap((f, i) => polygonsOf(f, `${where}.features[${i}]`));
    }
    default:
      throw new Refusal({ code: 'not_area', where, type });
  }
}

/**
 * One geometry the API takes, from parsed GeoJSON: a single polygon stays a
 * Polygon, several (from a MultiPolygon, a collection, several features)
 * become one MultiPolygon. Properties, ids, `bbox` and altitudes are left
 * behind.
 */
export function normaliseGeoJson(value: unknown): Normalised {
  try {
    const polygons = polygonsOf(value, '$');
    if (polygons.length === 0) return { ok: false, error: { code: 'no_features' } };
    if (polygons.length > MAX_POLYGONS) {
      return { ok: false, error: { code: 'too_many_polygons', count: polygons.length, max: MAX_POLYGONS } };
    }
    const geometry: Geometry =
      polygons.length === 1
        ? { type: 'Polygon', coordinates: polygons[0]! }
        : { type: 'MultiPolygon', coordinates: polygons };
    return { ok: true, geometry, polygons: polygons.length };
  } catch (e) {
    if (e instanceof Refusal) return { ok: false, error: e.error };
    throw e;
  }
}

/** The same, from text as pasted or read from a file. */
export function parseGeoJson(text: string): Normalised {
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  if (trimmed === '') return { ok: false, error: { code: 'empty' } };
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    return { ok: false, error: { code: 'not_json' } };
  }
  return normaliseGeoJson(value);
}

/** Every polygon of a geometry, as a MultiPolygon's list. */
export function polygonsOfGeometry(g: Geometry): PolygonCoords[] {
  return g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
}

/** Reads a stored jurisdiction (the API's answer) as a geometry. */
export function geometryOf(j: Jurisdiction | undefined): Geometry | undefined {
  if (!j) return undefined;
  const n = normaliseGeoJson(j);
  return n.ok ? n.geometry : undefined;
}

/** `[west, south, east, north]` of every position. */
export function bounds(g: Geometry): [number, number, number, number] | undefined {
  let w = Infinity;
  let s = Infinity;
  let e = -Infinity;
  let n = -Infinity;
  for (const polygon of polygonsOfGeometry(g)) {
    for (const ring of polygon) {
      for (const [x, y] of ring) {
        if (x < w) w = x;
        if (x > e) e = x;
        if (y < s) s = y;
        if (y > n) n = y;
      }
    }
  }
  return w === Infinity ? undefined : [w, s, e, n];
}

/** How many corners, for "2 个区域，共 14 个点". */
export function vertexCount(g: Geometry): number {
  let n = 0;
  for (const polygon of polygonsOfGeometry(g)) for (const ring of polygon) n += Math.max(0, ring.length - 1);
  return n;
}
