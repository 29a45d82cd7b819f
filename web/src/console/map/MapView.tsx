// The Leaflet map behind ConsoleMap (index.tsx): a lazy chunk. See
// index.tsx for what it draws and how to use it.
import 'leaflet/dist/leaflet.css';
import './map.css';
import L from 'leaflet';
import { useEffect, useRef } from 'preact/hooks';
import { useConsole } from '../state';
import { clusterGrid, countLabel } from './cluster';
import { loadMapConfig, type MapConfig } from './config';
import { displayShift, type LatLon } from './gcj02';
import type { Jurisdiction, MapOutline, MapPoint, MapProps } from './types';

type Shift = (p: LatLon) => LatLon;

function shiftGeometry(g: Jurisdiction, shift: Shift): Jurisdiction {
  const ring = (r: number[][]) =>
    r.map(([lon, lat]) => {
      const p = shift({ lat: lat!, lon: lon! });
      return [p.lon, p.lat];
    });
  if (g.type === 'Polygon') return { type: 'Polygon', coordinates: g.coordinates.map(ring) };
  return { type: 'MultiPolygon', coordinates: g.coordinates.map((poly) => poly.map(ring)) };
}

interface Drawn {
  map: L.Map;
  points: L.LayerGroup;
  outlines: L.LayerGroup;
  shift: Shift;
  fitted: boolean;
}

export function MapView(props: MapProps) {
  const { api } = useConsole();
  const el = useRef<HTMLDivElement>(null);
  const drawn = useRef<Drawn | null>(null);
  const latest = useRef(props);
  latest.current = props;

  // Points: clustered for the zoom, only those in view (with a margin).
  function drawPoints() {
    const d = drawn.current;
    if (!d) return;
    const { points, cellPx = 56, clusterLabel } = latest.current;
    const zoom = d.map.getZoom();
    const view = d.map.getPixelBounds().pad(0.25);
    d.points.clearLayers();
    const shifted = points.map((p) => ({ p, at: d.shift(p) }));
    const clusters = clusterGrid(shifted, (s) => d.map.project([s.at.lat, s.at.lon], zoom), cellPx);
    // The current item is drawn alone, on top.
    const current = shifted.filter((s) => s.p.tone === 'current');
    for (const c of clusters) {
      if (!view.contains([c.x, c.y])) continue;
      const members = c.members.filter((m) => m.p.tone !== 'current');
      if (members.length === 0) continue;
      if (members.length === 1) {
        addPoint(d, members[0]!.p, members[0]!.at);
        continue;
      }
      const at = d.map.unproject([c.x, c.y], zoom);
      const n = members.length;
      const title = clusterLabel ? clusterLabel(n) : String(n);
      const size = n < 10 ? 30 : n < 100 ? 36 : 44;
      const icon = L.divIcon({
        className: 'cmap__cluster',
        html: `<span>${countLabel(n)}</span>`,
        iconSize: [size, size],
      });
      const m = L.marker(at, { icon, title, alt: title, keyboard: true, riseOnHover: true });
      const bounds = L.latLngBounds(members.map((s) => [s.at.lat, s.at.lon] as [number, number]));
      m.on('click', () => d.map.fitBounds(bounds.pad(0.2), { maxZoom: d.map.getMaxZoom() }));
      d.points.addLayer(m);
    }
    for (const s of current) addPoint(d, s.p, s.at);
  }

  function addPoint(d: Drawn, p: MapPoint, at: LatLon) {
    const current = p.tone === 'current';
    const icon = L.divIcon({
      className: current ? 'cmap__point cmap__point--current' : 'cmap__point',
      html: '',
      iconSize: current ? [18, 18] : [12, 12],
    });
    const m = L.marker([at.lat, at.lon], {
      icon,
      title: p.label,
      alt: p.label,
      keyboard: !!latest.current.onPointClick,
      zIndexOffset: current ? 1000 : 0,
      interactive: true,
    });
    m.bindTooltip(p.label, { direction: 'top', offset: [0, -8] });
    m.on('click', () => latest.current.onPointClick?.(p.id));
    d.points.addLayer(m);
  }

  function drawOutlines() {
    const d = drawn.current;
    if (!d) return;
    d.outlines.clearLayers();
    for (const o of latest.current.outlines ?? []) addOutline(d, o);
  }

  function addOutline(d: Drawn, o: MapOutline) {
    const layer = L.geoJSON(shiftGeometry(o.geometry, d.shift) as GeoJSON.GeoJsonObject, {
      style: () => ({
        className: o.tone === 'chosen' ? 'cmap__outline cmap__outline--chosen' : 'cmap__outline',
        weight: o.tone === 'chosen' ? 3 : 2,
        fillOpacity: o.tone === 'chosen' ? 0.12 : 0.06,
      }),
      interactive: true,
    });
    layer.bindTooltip(o.label, { sticky: true });
    d.outlines.addLayer(layer);
  }

  function fit() {
    const d = drawn.current;
    if (!d) return;
    const { points, outlines = [], singleZoom = 16 } = latest.current;
    const b = L.latLngBounds([]);
    for (const p of points) {
      const s = d.shift(p);
      b.extend([s.lat, s.lon]);
    }
    d.outlines.eachLayer((l) => {
      const lb = (l as L.GeoJSON).getBounds?.();
      if (lb?.isValid()) b.extend(lb);
    });
    if (!b.isValid()) return;
    if (points.length === 1 && outlines.length === 0) {
      d.map.setView(b.getCenter(), singleZoom, { animate: false });
    } else {
      d.map.fitBounds(b.pad(0.15), { maxZoom: 17, animate: false });
    }
    d.fitted = true;
  }

  useEffect(() => {
    let cancelled = false;
    let map: L.Map | null = null;
    void loadMapConfig(api).then((config: MapConfig) => {
      if (cancelled || !el.current) return;
      map = L.map(el.current, {
        center: [30, 115],
        zoom: 4,
        minZoom: 2,
        maxZoom: 19,
        attributionControl: !!config.tile_url,
        zoomControl: true,
        // Smooth enough and cheaper on a moderator's many-tab desktop.
        zoomAnimation: true,
      });
      if (config.tile_url) {
        L.tileLayer(config.tile_url, {
          attribution: config.tile_attribution ?? '',
          maxZoom: 19,
        }).addTo(map);
        el.current.classList.add('cmap--tiles');
      }
      L.control.scale({ metric: true, imperial: false, position: 'bottomleft' }).addTo(map);
      const d: Drawn = {
        map,
        outlines: L.layerGroup().addTo(map),
        points: L.layerGroup().addTo(map),
        shift: displayShift(config.tile_datum ?? 'wgs84'),
        fitted: false,
      };
      drawn.current = d;
      map.on('zoomend moveend', drawPoints);
      drawOutlines();
      fit();
      drawPoints();
    });
    return () => {
      cancelled = true;
      map?.remove();
      drawn.current = null;
    };
  }, []);

  // New data: redraw; refit when the set of things changed.
  const pointKey = props.points.map((p) => `${p.id}@${p.lat},${p.lon}:${p.tone ?? ''}`).join('|');
  const outlineKey = (props.outlines ?? []).map((o) => `${o.id}:${o.tone ?? ''}`).join('|');
  useEffect(() => {
    if (!drawn.current) return;
    drawOutlines();
    fit();
    drawPoints();
  }, [pointKey, outlineKey]);

  return (
    <div
      ref={el}
      class="cmap"
      style={{ height: props.height ?? '280px' }}
      role="region"
      aria-label={props.label}
    />
  );
}
