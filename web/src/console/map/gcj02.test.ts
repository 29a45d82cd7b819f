import { describe, expect, it } from 'vitest';
import { displayShift, outsideChina, wgs84ToGcj02 } from './gcj02';

// Known pairs. The first is the example of the widely used coordtransform
// library (wgs84togcj02(116.404, 39.915)); the others were read from the
// service itself: a tip sent with `crs: "gcj02"` at the GCJ-02 point comes
// back with the WGS-84 point the service's inverse found
// (`location.lat/lon` beside `lat_original/lon_original`), so the forward
// transform of that point must give the point sent.
const PAIRS: Array<{ name: string; wgs: [number, number]; gcj: [number, number]; tol: number }> = [
  { name: 'Beijing (coordtransform example)', wgs: [39.915, 116.404], gcj: [39.91640428150164, 116.41024449916938], tol: 1e-9 },
  { name: 'Yiwu (the service)', wgs: [29.30861178233227, 120.0705453681302], gcj: [29.30612, 120.07528], tol: 1e-7 },
  { name: 'Shenzhen (the service)', wgs: [22.545583320410067, 114.05445011921894], gcj: [22.54286, 114.05956], tol: 1e-7 },
  { name: 'Shanghai (the service)', wgs: [31.232299252849696, 121.46916226591888], gcj: [31.23037, 121.4737], tol: 1e-7 },
];

describe('wgs84ToGcj02', () => {
  for (const p of PAIRS) {
    it(`shifts ${p.name}`, () => {
      const g = wgs84ToGcj02({ lat: p.wgs[0], lon: p.wgs[1] });
      expect(Math.abs(g.lat - p.gcj[0])).toBeLessThan(p.tol);
      expect(Math.abs(g.lon - p.gcj[1])).toBeLessThan(p.tol);
    });
  }

  it('moves points in China by a few hundred metres', () => {
    const w = { lat: 29.30612, lon: 120.07528 }; // Yiwu
    const g = wgs84ToGcj02(w);
    const dy = (g.lat - w.lat) * 111_320;
    const dx = (g.lon - w.lon) * 111_320 * Math.cos((w.lat * Math.PI) / 180);
    const d = Math.hypot(dx, dy);
    expect(d).toBeGreaterThan(100);
    expect(d).toBeLessThan(900);
  });

  it('leaves points outside China alone', () => {
    const paris = { lat: 48.8566, lon: 2.3522 };
    expect(outsideChina(paris)).toBe(true);
    expect(wgs84ToGcj02(paris)).toEqual(paris);
  });

  it('is applied only for gcj02 tiles', () => {
    const w = { lat: 39.915, lon: 116.404 };
    expect(displayShift('wgs84')(w)).toEqual(w);
    expect(displayShift(undefined)(w)).toEqual(w);
    expect(displayShift('gcj02')(w)).not.toEqual(w);
  });
});
