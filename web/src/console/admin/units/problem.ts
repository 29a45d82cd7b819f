// The service's 422 `unit.invalid_jurisdiction` says where the shape breaks
// a rule and which rule, in English: `coordinates[0][3]: latitude 200 is
// outside -90..90`, `coordinates[1][0]: the ring crosses itself (edges 2
// and 5)`. The console shows the rule in the user's language beside the
// field and points at the place on the map; this reads the message into
// both (the wording is src/domain/jurisdiction.rs's).

import { polygonsOfGeometry, type Geometry, type Position } from './geojson';

export type ProblemKind =
  | 'crossing'
  | 'not_closed'
  | 'too_few_positions'
  | 'too_many_positions'
  | 'longitude_range'
  | 'latitude_range'
  | 'not_position'
  | 'no_area'
  | 'not_rings'
  | 'no_outer_ring'
  | 'too_many_rings'
  | 'not_positions'
  | 'polygon_count'
  | 'not_polygons'
  | 'type'
  | 'missing_coordinates'
  | 'other';

export interface JurisdictionProblem {
  /** As the service wrote it: `coordinates[0][3]`, or `` when it named none. */
  path: string;
  /** The indices in it: [0, 3]. */
  indices: number[];
  kind: ProblemKind;
  /** Numbers the rule names (edges, the value out of range, a limit). */
  params: Record<string, string | number>;
}

const RULES: Array<[RegExp, ProblemKind, string[]]> = [
  [/^the ring crosses itself \(edges (\d+) and (\d+)\)/, 'crossing', ['a', 'b']],
  [/^the ring is not closed/, 'not_closed', []],
  [/^a ring needs at least (\d+) positions/, 'too_few_positions', ['min']],
  [/^at most (\d+) vertices per ring/, 'too_many_positions', ['max']],
  [/^longitude (\S+) is outside/, 'longitude_range', ['value']],
  [/^latitude (\S+) is outside/, 'latitude_range', ['value']],
  [/^expected \[longitude, latitude\]/, 'not_position', []],
  [/^the ring encloses no area/, 'no_area', []],
  [/^expected an array of rings/, 'not_rings', []],
  [/^a polygon needs an outer ring/, 'no_outer_ring', []],
  [/^at most (\d+) rings/, 'too_many_rings', ['max']],
  [/^expected an array of positions/, 'not_positions', []],
  [/^1 to (\d+) polygons/, 'polygon_count', ['max']],
  [/^expected an array of polygons/, 'not_polygons', []],
  [/^expected "Polygon" or "MultiPolygon"/, 'type', []],
  [/^missing/, 'missing_coordinates', []],
];

/** Reads the service's message; anything unforeseen is kind `other`, at the path it names. */
export function parseJurisdictionProblem(message: string): JurisdictionProblem {
  const m = /^\s*((?:coordinates|type)((?:\[\d+\])*))\s*:\s*(.*)$/s.exec(message);
  const path = m ? m[1]! : '';
  const indices = m ? [...m[2]!.matchAll(/\[(\d+)\]/g)].map((x) => Number(x[1])) : [];
  const rest = m ? m[3]! : message.trim();
  for (const [re, kind, names] of RULES) {
    const r = re.exec(rest);
    if (!r) continue;
    const params: Record<string, string | number> = {};
    names.forEach((n, i) => {
      const v = r[i + 1]!;
      params[n] = /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
    });
    return { path: path.startsWith('type') ? '' : path, indices: path.startsWith('type') ? [] : indices, kind, params };
  }
  return { path: path.startsWith('type') ? '' : path, indices: path.startsWith('type') ? [] : indices, kind: 'other', params: {} };
}

/** Where two segments cross (or touch), if they do. */
export function crossingPoint(p1: Position, p2: Position, p3: Position, p4: Position): Position | undefined {
  const d = (p2[0] - p1[0]) * (p4[1] - p3[1]) - (p2[1] - p1[1]) * (p4[0] - p3[0]);
  if (d === 0) {
    // Parallel (folding back along each other): the shared stretch starts
    // at whichever end of one edge lies on the other.
    for (const p of [p3, p4, p1, p2]) {
      const onA = between(p, p1, p2);
      const onB = between(p, p3, p4);
      if (onA && onB) return p;
    }
    return undefined;
  }
  const t = ((p3[0] - p1[0]) * (p4[1] - p3[1]) - (p3[1] - p1[1]) * (p4[0] - p3[0])) / d;
  const u = ((p3[0] - p1[0]) * (p2[1] - p1[1]) - (p3[1] - p1[1]) * (p2[0] - p1[0])) / d;
  if (t < 0 || t > 1 || u < 0 || u > 1) return undefined;
  return [p1[0] + t * (p2[0] - p1[0]), p1[1] + t * (p2[1] - p1[1])];
}

function between(p: Position, a: Position, b: Position): boolean {
  const cross = (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]);
  return (
    Math.abs(cross) < 1e-12 &&
    p[0] >= Math.min(a[0], b[0]) &&
    p[0] <= Math.max(a[0], b[0]) &&
    p[1] >= Math.min(a[1], b[1]) &&
    p[1] <= Math.max(a[1], b[1])
  );
}

/**
 * The place on the map the problem is at, in the geometry that was sent:
 * the position it names; for a ring that crosses itself, where its two
 * edges cross; for a ring left open, its last position (the one that should
 * repeat the first); otherwise the ring's or polygon's first position.
 */
export function locateProblem(g: Geometry, p: JurisdictionProblem): Position | undefined {
  const polygons = polygonsOfGeometry(g);
  // A Polygon's paths are coordinates[ring][position]; a MultiPolygon's
  // coordinates[polygon][ring][position].
  const idx = g.type === 'Polygon' ? [0, ...p.indices] : p.indices;
  const polygon = polygons[idx[0] ?? 0];
  if (!polygon) return undefined;
  const ring = polygon[idx[1] ?? 0];
  if (!ring || ring.length === 0) return undefined;
  const at = idx[2];
  if (at !== undefined) {
    const q = ring[at];
    // An out-of-range or malformed position cannot be drawn where it is:
    // point at the one before it.
    if (q && Math.abs(q[0]) <= 180 && Math.abs(q[1]) <= 90) return q;
    const before = ring[at - 1];
    return before && Math.abs(before[0]) <= 180 && Math.abs(before[1]) <= 90 ? before : undefined;
  }
  if (p.kind === 'crossing') {
    const a = Number(p.params.a);
    const b = Number(p.params.b);
    const [a1, a2, b1, b2] = [ring[a], ring[a + 1], ring[b], ring[b + 1]];
    if (a1 && a2 && b1 && b2) return crossingPoint(a1, a2, b1, b2) ?? b1;
  }
  if (p.kind === 'not_closed') return ring[ring.length - 1];
  return ring[0];
}

/** Positions a ring may have, as the spec's schema states (GeoJsonPolygon). */
export const RING_POSITIONS = { min: 4, max: 2000 } as const;
export const MAX_RINGS = 100;

/**
 * What the spec's schema would refuse with a 400 naming no position (a ring
 * of three positions, too many rings): found here first, and said the way
 * the service says the rest, so it is shown and pointed at the same way.
 */
export function shapeProblem(g: Geometry): JurisdictionProblem | undefined {
  const polygons = polygonsOfGeometry(g);
  for (let i = 0; i < polygons.length; i++) {
    const polygon = polygons[i]!;
    const base = g.type === 'Polygon' ? [] : [i];
    const at = (idx: number[]) => `coordinates${idx.map((n) => `[${n}]`).join('')}`;
    if (polygon.length > MAX_RINGS) {
      return { path: at(base), indices: base, kind: 'too_many_rings', params: { max: MAX_RINGS } };
    }
    for (let r = 0; r < polygon.length; r++) {
      const ring = polygon[r]!;
      const idx = [...base, r];
      if (ring.length < RING_POSITIONS.min) {
        return { path: at(idx), indices: idx, kind: 'too_few_positions', params: { min: RING_POSITIONS.min } };
      }
      if (ring.length > RING_POSITIONS.max) {
        return { path: at(idx), indices: idx, kind: 'too_many_positions', params: { max: RING_POSITIONS.max } };
      }
    }
  }
  return undefined;
}
