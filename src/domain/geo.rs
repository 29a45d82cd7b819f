//! Coordinates: WGS-84 as stored, and the GCJ-02 datum that Chinese map SDKs
//! return, converted on the way in.

/// A WGS-84 point.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    pub lat: f64,
    pub lon: f64,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidPoint(&'static str);

impl Point {
    pub fn new(lat: f64, lon: f64) -> Result<Self, InvalidPoint> {
        if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
            return Err(InvalidPoint("lat must be between -90 and 90"));
        }
        if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
            return Err(InvalidPoint("lon must be between -180 and 180"));
        }
        Ok(Self { lat, lon })
    }
}

const A: f64 = 6_378_245.0;
const EE: f64 = 0.006_693_421_622_965_943;

/// GCJ-02 applies only inside mainland China (a rough box, as the SDKs use).
fn outside_china(p: Point) -> bool {
    !(72.004..=137.8347).contains(&p.lon) || !(0.8293..=55.8271).contains(&p.lat)
}

fn transform_lat(x: f64, y: f64) -> f64 {
    use std::f64::consts::PI;
    let mut r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
    r
}

fn transform_lon(x: f64, y: f64) -> f64 {
    use std::f64::consts::PI;
    let mut r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
    r
}

/// WGS-84 to GCJ-02 (the published forward transform).
pub fn wgs84_to_gcj02(p: Point) -> Point {
    use std::f64::consts::PI;
    if outside_china(p) {
        return p;
    }
    let d_lat = transform_lat(p.lon - 105.0, p.lat - 35.0);
    let d_lon = transform_lon(p.lon - 105.0, p.lat - 35.0);
    let rad_lat = p.lat / 180.0 * PI;
    let magic = 1.0 - EE * rad_lat.sin() * rad_lat.sin();
    let sqrt_magic = magic.sqrt();
    let d_lat = (d_lat * 180.0) / ((A * (1.0 - EE)) / (magic * sqrt_magic) * PI);
    let d_lon = (d_lon * 180.0) / (A / sqrt_magic * rad_lat.cos() * PI);
    Point {
        lat: p.lat + d_lat,
        lon: p.lon + d_lon,
    }
}

/// GCJ-02 to WGS-84: the forward transform has no closed inverse, so it is
/// inverted by iteration to well under a centimetre.
pub fn gcj02_to_wgs84(gcj: Point) -> Point {
    if outside_china(gcj) {
        return gcj;
    }
    let mut wgs = gcj;
    for _ in 0..30 {
        let forward = wgs84_to_gcj02(wgs);
        let (d_lat, d_lon) = (forward.lat - gcj.lat, forward.lon - gcj.lon);
        wgs = Point {
            lat: wgs.lat - d_lat,
            lon: wgs.lon - d_lon,
        };
        if d_lat.abs() < 1e-9 && d_lon.abs() < 1e-9 {
            break;
        }
    }
    wgs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gcj02_round_trips_inside_china_and_is_identity_outside() {
        // Tiananmen, as a WGS-84 GPS reads it.
        let wgs = Point::new(39.908_692, 116.397_477).unwrap();
        let gcj = wgs84_to_gcj02(wgs);
        // The shift in Beijing is a few hundred metres.
        assert!(
            (gcj.lat - wgs.lat).abs() > 0.0005 && (gcj.lon - wgs.lon).abs() > 0.004,
            "{gcj:?}"
        );
        let back = gcj02_to_wgs84(gcj);
        assert!(
            (back.lat - wgs.lat).abs() < 1e-7 && (back.lon - wgs.lon).abs() < 1e-7,
            "{back:?}"
        );

        let paris = Point::new(48.8566, 2.3522).unwrap();
        assert_eq!(gcj02_to_wgs84(paris), paris);
    }

    #[test]
    fn points_must_be_on_earth() {
        assert!(Point::new(91.0, 0.0).is_err());
        assert!(Point::new(0.0, -180.5).is_err());
        assert!(Point::new(f64::NAN, 0.0).is_err());
        assert!(Point::new(-90.0, 180.0).is_ok());
    }
}
