// WGS-84 → GCJ-02, for drawing on Chinese map tiles only. GPS positions and
// everything the API stores are WGS-84; tiles from Chinese services are drawn
// in GCJ-02, so a point drawn unshifted on them lands a few hundred metres
// off. Shift for display, never for what is sent (the API takes `crs`).
//
// The published forward transform, with the constants of the service's
// inverse (src/domain/geo.rs).

const A = 6_378_245.0;
const EE = 0.006_693_421_622_965_943;

export interface LatLon {
  lat: number;
  lon: number;
}

/** GCJ-02 applies only inside mainland China (the rough box the SDKs use). */
export function outsideChina(p: LatLon): boolean {
  return !(p.lon >= 72.004 && p.lon <= 137.8347) || !(p.lat >= 0.8293 && p.lat <= 55.8271);
}

function transformLat(x: number, y: number): number {
  let r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
  r += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0;
  r += ((20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin((y / 3.0) * Math.PI)) * 2.0) / 3.0;
  r += ((160.0 * Math.sin((y / 12.0) * Math.PI) + 320.0 * Math.sin((y * Math.PI) / 30.0)) * 2.0) / 3.0;
  return r;
}

function transformLon(x: number, y: number): number {
  let r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
  r += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0;
  r += ((20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin((x / 3.0) * Math.PI)) * 2.0) / 3.0;
  r += ((150.0 * Math.sin((x / 12.0) * Math.PI) + 300.0 * Math.sin((x / 30.0) * Math.PI)) * 2.0) / 3.0;
  return r;
}

/** A WGS-84 point as GCJ-02 tiles draw it; unchanged outside China. */
export function wgs84ToGcj02(p: LatLon): LatLon {
  if (outsideChina(p)) return { lat: p.lat, lon: p.lon };
  const dLat0 = transformLat(p.lon - 105.0, p.lat - 35.0);
  const dLon0 = transformLon(p.lon - 105.0, p.lat - 35.0);
  const radLat = (p.lat / 180.0) * Math.PI;
  const magic = 1.0 - EE * Math.sin(radLat) * Math.sin(radLat);
  const sqrtMagic = Math.sqrt(magic);
  const dLat = (dLat0 * 180.0) / (((A * (1.0 - EE)) / (magic * sqrtMagic)) * Math.PI);
  const dLon = (dLon0 * 180.0) / ((A / sqrtMagic) * Math.cos(radLat) * Math.PI);
  return { lat: p.lat + dLat, lon: p.lon + dLon };
}

/** The display shift for a datum: identity for WGS-84 tiles (or none). */
export function displayShift(datum: 'wgs84' | 'gcj02' | undefined): (p: LatLon) => LatLon {
  return datum === 'gcj02' ? wgs84ToGcj02 : (p) => p;
}
