// The pin on a map, in a lazy chunk with Leaflet (the report form loads it
// only when the reporter asks for the map).
//
// No tile layer: tiles would come from outside the service, and Chinese
// tile services draw GCJ-02, not the WGS-84 the phone gives. The map is a
// plain background with a faint grid, the phone's position and its
// accuracy circle for reference, the pin, and a scale bar. The pin is
// dragged, or put where the map is tapped; its coordinates stay WGS-84.

import 'leaflet/dist/leaflet.css';
import L from 'leaflet';
import { useEffect, useRef } from 'preact/hooks';

export interface MapPickerProps {
  lat: number;
  lon: number;
  /** The phone's own position, shown for reference. */
  gps?: { lat: number; lon: number; accuracy_m?: number } | null;
  label: string;
  pinLabel: string;
  onMove(lat: number, lon: number): void;
}

export function MapPicker({ lat, lon, gps, label, pinLabel, onMove }: MapPickerProps) {
  const el = useRef<HTMLDivElement>(null);
  const map = useRef<L.Map | null>(null);
  const pin = useRef<L.Marker | null>(null);
  const move = useRef(onMove);
  move.current = onMove;

  useEffect(() => {
    const m = L.map(el.current!, {
      center: [lat, lon],
      zoom: 17,
      minZoom: 3,
      maxZoom: 19,
      attributionControl: false,
      zoomControl: true,
    });
    L.control.scale({ metric: true, imperial: false, position: 'bottomleft' }).addTo(m);
    if (gps) {
      if (gps.accuracy_m) L.circle([gps.lat, gps.lon], { radius: gps.accuracy_m, className: 'map__accuracy', interactive: false }).addTo(m);
      L.circleMarker([gps.lat, gps.lon], { radius: 6, className: 'map__me', interactive: false }).addTo(m);
    }
    // A drawn pin (no image files: Leaflet's default icon paths break in a
    // bundle, and a div styled by CSS needs none).
    const icon = L.divIcon({ className: 'map__pin', iconSize: [28, 40], iconAnchor: [14, 40], html: '' });
    const marker = L.marker([lat, lon], { draggable: true, icon, title: pinLabel, alt: pinLabel, keyboard: true }).addTo(m);
    marker.on('dragend', () => {
      const p = marker.getLatLng();
      move.current(p.lat, p.lng);
    });
    m.on('click', (e: L.LeafletMouseEvent) => {
      marker.setLatLng(e.latlng);
      move.current(e.latlng.lat, e.latlng.lng);
    });
    map.current = m;
    pin.current = marker;
    return () => {
      m.remove();
      map.current = null;
    };
  }, []);

  // The pin follows a new position from outside (the phone found one).
  useEffect(() => {
    const p = pin.current?.getLatLng();
    if (p && (p.lat !== lat || p.lng !== lon)) {
      pin.current!.setLatLng([lat, lon]);
      map.current?.panTo([lat, lon]);
    }
  }, [lat, lon]);

  return <div ref={el} class="map" role="application" aria-label={label} />;
}
