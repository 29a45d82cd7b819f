// The map settings from `GET /v1/client-config`, read once per page and
// shared by every map. No token is needed; a failure means "no tiles".
import { call } from '../../shared/api/problem';
import type { Api } from '../../shared/api/client';
import type { Schemas } from '../../shared/api/types';

export type MapConfig = Schemas['MapConfig'];

const NO_TILES: MapConfig = { tile_datum: 'wgs84' };
let pending: Promise<MapConfig> | null = null;

export function loadMapConfig(api: Api): Promise<MapConfig> {
  if (!pending) {
    pending = call(api.GET('/v1/client-config'))
      .then((c) => c.map)
      .catch(() => {
        pending = null; // try again next time
        return NO_TILES;
      });
  }
  return pending;
}
