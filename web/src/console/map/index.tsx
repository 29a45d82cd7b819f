// The console's map, for every desk that draws places: the queue's tip, a
// lead (its tips and the suggested units' outlines), a contact's cluster,
// and later the unit's inbox and the statistics.
//
//     import { ConsoleMap } from '../map';
//     <ConsoleMap label={t('tip.map')} points={[{ id, lat, lon, label: reference }]}
//                 outlines={[{ id: unitId, label: name, geometry, tone: 'suggested' }]}
//                 onPointClick={(id) => open(id)} height="320px" />
//
// - Leaflet is in a lazy chunk of its own: importing this module costs a
//   few hundred bytes; the chunk loads when a map is first drawn.
// - No tile layer unless `GET /v1/client-config` names one: a plain
//   background, a scale bar, outlines and clustered points. With tiles, their
//   attribution is shown, and with `tile_datum: gcj02` points and outlines
//   are shifted WGS-84 → GCJ-02 for display only (gcj02.ts).
// - Points are clustered on a screen grid (cluster.ts) and only those in
//   view are drawn, so thousands stay fast.
// - Give coordinates in WGS-84, as the API does; never shift them yourself.
import { useEffect, useState } from 'preact/hooks';
import type { ComponentType } from 'preact';
import type { MapProps } from './types';

export type { MapOutline, MapPoint, MapProps, Jurisdiction } from './types';

let loaded: ComponentType<MapProps> | null = null;
let loading: Promise<ComponentType<MapProps>> | null = null;

function load(): Promise<ComponentType<MapProps>> {
  loading ??= import('./MapView').then((m) => (loaded = m.MapView));
  loading.catch(() => (loading = null));
  return loading;
}

/** Starts loading the map's chunk early (e.g. when a list appears). */
export function preloadMap(): void {
  void load().catch(() => undefined);
}

export function ConsoleMap(props: MapProps) {
  const [View, setView] = useState<ComponentType<MapProps> | null>(() => loaded);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (View) return;
    let live = true;
    load().then(
      (v) => live && setView(() => v),
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, [View]);
  if (View) return <View {...props} />;
  return (
    <div
      class={failed ? 'cmap cmap--placeholder cmap--failed' : 'cmap cmap--placeholder'}
      style={{ height: props.height ?? '280px' }}
      role="img"
      aria-label={props.label}
      aria-busy={failed ? undefined : 'true'}
    />
  );
}
