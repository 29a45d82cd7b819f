import type { Schemas } from '../../shared/api/types';

export type Jurisdiction = Schemas['Jurisdiction'];

/** A place to draw: a tip, in WGS-84 as the API gives it. */
export interface MapPoint {
  id: string;
  lat: number;
  lon: number;
  /** Its name for people (a reference): the marker's title and tooltip. */
  label: string;
  /** `current`: the item open beside the map, drawn on top and larger. */
  tone?: 'default' | 'current';
}

/** An area to outline: a unit's jurisdiction (GeoJSON, WGS-84 `[lon, lat]`). */
export interface MapOutline {
  id: string;
  label: string;
  geometry: Jurisdiction;
  /** `chosen`: the unit the lead goes (or went) to; `suggested`: one of the others. */
  tone?: 'suggested' | 'chosen';
}

export interface MapProps {
  points: readonly MapPoint[];
  outlines?: readonly MapOutline[];
  /** Names the map for screen readers ("这条举报的位置"). */
  label: string;
  /** CSS height, with its unit (Preact 11 adds no `px`): default `'280px'`. */
  height?: string;
  /** A point (not a cluster) was clicked or pressed with Enter. */
  onPointClick?: (id: string) => void;
  /** Grid cell for clustering, in screen pixels (default 56). */
  cellPx?: number;
  /** Zoom used when there is a single point and no outline (default 16). */
  singleZoom?: number;
  /** Text for a cluster's title: `{count}` is filled in. */
  clusterLabel?: (count: number) => string;
}
