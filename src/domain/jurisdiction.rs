//! A unit's jurisdiction: GeoJSON `Polygon` or `MultiPolygon` in WGS-84,
//! checked (closed rings, sane coordinates, no ring crossing itself), and
//! the questions routing asks of it: does it hold a point, and how large is
//! it (the smaller of two matching units is the more specific).

use serde_json::Value;

use super::geo::Point;

/// Vertices one ring may have: enough for a district drawn by hand or
/// exported from a GIS, few enough that checking for self-crossings (every
/// pair of edges) stays cheap.
pub const MAX_RING_VERTICES: usize = 2_000;
/// Polygons one jurisdiction may have.
pub const MAX_POLYGONS: usize = 100;
/// Rings (the outer one and its holes) one polygon may have.
pub const MAX_RINGS: usize = 100;

/// How much checking a parse does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Check {
    /// Everything, for what an admin sends.
    Full,
    /// All but self-crossings (the costly pairwise test), for shapes that
    /// passed the full check when they were stored.
    Stored,
}

/// A ring: closed, first position repeated last, `(lon, lat)` as GeoJSON has
/// them.
type Ring = Vec<(f64, f64)>;

/// An outer ring and its holes.
#[derive(Clone, Debug, PartialEq)]
struct Polygon {
    rings: Vec<Ring>,
}

/// A checked jurisdiction.
#[derive(Clone, Debug, PartialEq)]
pub struct Jurisdiction {
    polygons: Vec<Polygon>,
}

/// What is wrong with a jurisdiction, worded for the 422 the API answers.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidJurisdiction(pub String);

fn invalid(message: impl Into<String>) -> InvalidJurisdiction {
    InvalidJurisdiction(message.into())
}

impl Jurisdiction {
    /// Reads and checks a GeoJSON geometry (a `Feature` is taken for its
    /// geometry).
    pub fn parse(geojson: &Value) -> Result<Self, InvalidJurisdiction> {
        Self::parse_checking(geojson, Check::Full)
    }

    /// Reads a jurisdiction that was checked by [`Jurisdiction::parse`]
    /// when it was stored, without repeating the self-crossing test (routing
    /// reads every unit's on each request).
    pub fn parse_stored(geojson: &Value) -> Result<Self, InvalidJurisdiction> {
        Self::parse_checking(geojson, Check::Stored)
    }

    fn parse_checking(geojson: &Value, check: Check) -> Result<Self, InvalidJurisdiction> {
        let geometry = match geojson.get("type").and_then(Value::as_str) {
            Some("Feature") => geojson
                .get("geometry")
                .ok_or_else(|| invalid("a Feature needs a geometry"))?,
            _ => geojson,
        };
        let kind = geometry
            .get("type")
            .and_then(Value::as_str)
            .ok_or_else(|| invalid("type: expected \"Polygon\" or \"MultiPolygon\""))?;
        let coordinates = geometry
            .get("coordinates")
            .ok_or_else(|| invalid("coordinates: missing"))?;
        let polygons = match kind {
            "Polygon" => vec![polygon(coordinates, "coordinates", check)?],
            "MultiPolygon" => {
                let list = coordinates
                    .as_array()
                    .ok_or_else(|| invalid("coordinates: expected an array of polygons"))?;
                if list.is_empty() || list.len() > MAX_POLYGONS {
                    return Err(invalid(format!(
                        "coordinates: 1 to {MAX_POLYGONS} polygons"
                    )));
                }
                list.iter()
                    .enumerate()
                    .map(|(i, p)| polygon(p, &format!("coordinates[{i}]"), check))
                    .collect::<Result<_, _>>()?
            }
            other => {
                return Err(invalid(format!(
                    "type: expected \"Polygon\" or \"MultiPolygon\", not \"{other}\""
                )));
            }
        };
        if check == Check::Full {
            let at = |p: usize| {
                if kind == "Polygon" {
                    "coordinates".to_owned()
                } else {
                    format!("coordinates[{p}]")
                }
            };
            layout(&polygons, at)?;
        }
        Ok(Jurisdiction { polygons })
    }

    /// Whether the point lies inside (holes excepted). Points on an edge
    /// may fall either way; jurisdictions meet along roads, not on them.
    pub fn contains(&self, point: Point) -> bool {
        let p = (point.lon, point.lat);
        self.polygons.iter().any(|polygon| {
            let mut rings = polygon.rings.iter();
            let outer = rings.next().is_some_and(|r| ring_contains(r, p));
            outer && !rings.any(|hole| ring_contains(hole, p))
        })
    }

    /// Approximate area in square kilometres (holes subtracted), to rank
    /// matching units from the most specific.
    pub fn area_km2(&self) -> f64 {
        self.polygons
            .iter()
            .map(|polygon| {
                let mut rings = polygon.rings.iter();
                let outer = rings.next().map_or(0.0, |r| ring_area_km2(r));
                outer - rings.map(|r| ring_area_km2(r)).sum::<f64>()
            })
            .sum()
    }
}

fn polygon(value: &Value, at: &str, check: Check) -> Result<Polygon, InvalidJurisdiction> {
    let rings = value
        .as_array()
        .ok_or_else(|| invalid(format!("{at}: expected an array of rings")))?;
    if rings.is_empty() {
        return Err(invalid(format!("{at}: a polygon needs an outer ring")));
    }
    if rings.len() > MAX_RINGS {
        return Err(invalid(format!(
            "{at}: at most {MAX_RINGS} rings (an outer ring and its holes)"
        )));
    }
    let rings = rings
        .iter()
        .enumerate()
        .map(|(i, r)| ring(r, &format!("{at}[{i}]"), check))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Polygon { rings })
}

fn ring(value: &Value, at: &str, check: Check) -> Result<Ring, InvalidJurisdiction> {
    let positions = value
        .as_array()
        .ok_or_else(|| invalid(format!("{at}: expected an array of positions")))?;
    if positions.len() < 4 {
        return Err(invalid(format!(
            "{at}: a ring needs at least 4 positions (3 corners and the first again)"
        )));
    }
    if positions.len() > MAX_RING_VERTICES + 1 {
        return Err(invalid(format!(
            "{at}: at most {MAX_RING_VERTICES} vertices per ring"
        )));
    }
    let mut ring = Vec::with_capacity(positions.len());
    for (i, position) in positions.iter().enumerate() {
        let numbers: Vec<f64> = position
            .as_array()
            .filter(|p| (2..=3).contains(&p.len()))
            .and_then(|p| p.iter().map(Value::as_f64).collect())
            .ok_or_else(|| invalid(format!("{at}[{i}]: expected [longitude, latitude]")))?;
        let (lon, lat) = (numbers[0], numbers[1]);
        if !(-180.0..=180.0).contains(&lon) {
            return Err(invalid(format!(
                "{at}[{i}]: longitude {lon} is outside -180..180"
            )));
        }
        if !(-90.0..=90.0).contains(&lat) {
            return Err(invalid(format!(
                "{at}[{i}]: latitude {lat} is outside -90..90"
            )));
        }
        ring.push((lon, lat));
    }
    if ring.first() != ring.last() {
        return Err(invalid(format!(
            "{at}: the ring is not closed (its last position must repeat the first)"
        )));
    }
    if check == Check::Full
        && let Some((a, b)) = self_crossing(&ring)
    {
        return Err(invalid(format!(
            "{at}: the ring crosses itself (edges {a} and {b})"
        )));
    }
    if ring_area_km2(&ring) == 0.0 {
        return Err(invalid(format!("{at}: the ring encloses no area")));
    }
    Ok(ring)
}

/// How rings lie against each other: every hole inside its outer ring and
/// apart from the other holes, every polygon apart from the others (one may
/// sit in another's hole), and so some area left in each. Without it a hole
/// drawn outside its ring would shrink the unit's area, and the unit win
/// "smallest area first" routing for places it does not hold.
fn layout(polygons: &[Polygon], at: impl Fn(usize) -> String) -> Result<(), InvalidJurisdiction> {
    for (p, polygon) in polygons.iter().enumerate() {
        let (outer, holes) = polygon
            .rings
            .split_first()
            .expect("a polygon has an outer ring");
        for (h, hole) in holes.iter().enumerate() {
            let here = format!("{}[{}]", at(p), h + 1);
            if let Some((a, b)) = rings_meet(hole, outer) {
                return Err(invalid(format!(
                    "{here}: the hole crosses or touches its outer ring (its edge {a}, the ring's edge {b})"
                )));
            }
            if !ring_contains(outer, hole[0]) {
                return Err(invalid(format!(
                    "{here}: the hole is not inside its outer ring"
                )));
            }
            for (o, other) in holes.iter().enumerate().take(h) {
                let there = format!("{}[{}]", at(p), o + 1);
                if rings_meet(hole, other).is_some()
                    || ring_contains(other, hole[0])
                    || ring_contains(hole, other[0])
                {
                    return Err(invalid(format!(
                        "{here}: the hole overlaps the hole {there}"
                    )));
                }
            }
        }
        let area = ring_area_km2(outer) - holes.iter().map(|h| ring_area_km2(h)).sum::<f64>();
        if area <= 0.0 {
            return Err(invalid(format!("{}: the holes leave no area", at(p))));
        }
        for (q, other) in polygons.iter().enumerate().take(p) {
            let touching = polygon
                .rings
                .iter()
                .any(|r| other.rings.iter().any(|o| rings_meet(r, o).is_some()));
            let inside = |a: &Polygon, b: &Polygon| {
                let point = b.rings[0][0];
                let mut rings = a.rings.iter();
                rings.next().is_some_and(|r| ring_contains(r, point))
                    && !rings.any(|hole| ring_contains(hole, point))
            };
            if touching || inside(polygon, other) || inside(other, polygon) {
                return Err(invalid(format!(
                    "{}: the polygon overlaps or touches {}",
                    at(p),
                    at(q)
                )));
            }
        }
    }
    Ok(())
}

/// The first edges of two rings that cross or touch, when their boxes meet.
fn rings_meet(a: &[(f64, f64)], b: &[(f64, f64)]) -> Option<(usize, usize)> {
    let bounds = |r: &[(f64, f64)]| {
        r.iter().fold(
            (f64::MAX, f64::MAX, f64::MIN, f64::MIN),
            |(x0, y0, x1, y1), &(x, y)| (x0.min(x), y0.min(y), x1.max(x), y1.max(y)),
        )
    };
    let (ax0, ay0, ax1, ay1) = bounds(a);
    let (bx0, by0, bx1, by1) = bounds(b);
    if ax1 < bx0 || bx1 < ax0 || ay1 < by0 || by1 < ay0 {
        return None;
    }
    for i in 0..a.len() - 1 {
        for j in 0..b.len() - 1 {
            if segments_meet(a[i], a[i + 1], b[j], b[j + 1]) {
                return Some((i, j));
            }
        }
    }
    None
}

/// The first two edges of a closed ring that cross or touch, other than
/// neighbours meeting at their shared vertex.
fn self_crossing(ring: &[(f64, f64)]) -> Option<(usize, usize)> {
    let edges = ring.len() - 1;
    for a in 0..edges {
        for b in a + 1..edges {
            let neighbours = b == a + 1 || (a == 0 && b == edges - 1);
            if neighbours {
                // Neighbours share one vertex; they only go wrong by
                // folding back along each other.
                if collinear_overlap(ring[a], ring[a + 1], ring[b], ring[b + 1]) {
                    return Some((a, b));
                }
                continue;
            }
            if segments_meet(ring[a], ring[a + 1], ring[b], ring[b + 1]) {
                return Some((a, b));
            }
        }
    }
    None
}

fn cross(o: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    (a.0 - o.0) * (b.1 - o.1) - (a.1 - o.1) * (b.0 - o.0)
}

fn on_segment(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> bool {
    p.0 >= a.0.min(b.0) && p.0 <= a.0.max(b.0) && p.1 >= a.1.min(b.1) && p.1 <= a.1.max(b.1)
}

/// Whether segments `p1p2` and `p3p4` share any point.
fn segments_meet(p1: (f64, f64), p2: (f64, f64), p3: (f64, f64), p4: (f64, f64)) -> bool {
    let d1 = cross(p3, p4, p1);
    let d2 = cross(p3, p4, p2);
    let d3 = cross(p1, p2, p3);
    let d4 = cross(p1, p2, p4);
    if ((d1 > 0.0 && d2 < 0.0) || (d1 < 0.0 && d2 > 0.0))
        && ((d3 > 0.0 && d4 < 0.0) || (d3 < 0.0 && d4 > 0.0))
    {
        return true;
    }
    (d1 == 0.0 && on_segment(p1, p3, p4))
        || (d2 == 0.0 && on_segment(p2, p3, p4))
        || (d3 == 0.0 && on_segment(p3, p1, p2))
        || (d4 == 0.0 && on_segment(p4, p1, p2))
}

/// Two edges on one line that overlap in more than a point.
fn collinear_overlap(p1: (f64, f64), p2: (f64, f64), p3: (f64, f64), p4: (f64, f64)) -> bool {
    if cross(p1, p2, p3) != 0.0 || cross(p1, p2, p4) != 0.0 {
        return false;
    }
    let shared = [p1, p2].into_iter().find(|p| *p == p3 || *p == p4);
    let others: Vec<(f64, f64)> = [p1, p2, p3, p4]
        .into_iter()
        .filter(|p| Some(*p) != shared)
        .collect();
    // Folding back: the far end of one edge lies on the other.
    others.len() == 2
        && (on_segment(others[0], p3, p4) && others[0] != p3 && others[0] != p4
            || on_segment(others[1], p1, p2) && others[1] != p1 && others[1] != p2)
}

/// Even-odd ray casting.
fn ring_contains(ring: &[(f64, f64)], p: (f64, f64)) -> bool {
    let mut inside = false;
    for pair in ring.windows(2) {
        let ((x1, y1), (x2, y2)) = (pair[0], pair[1]);
        if (y1 > p.1) != (y2 > p.1) {
            let x = x1 + (p.1 - y1) * (x2 - x1) / (y2 - y1);
            if p.0 < x {
                inside = !inside;
            }
        }
    }
    inside
}

/// Shoelace area on a local flat projection around the ring: plenty for
/// ranking districts.
fn ring_area_km2(ring: &[(f64, f64)]) -> f64 {
    let lat0 = ring.iter().map(|p| p.1).sum::<f64>() / ring.len() as f64;
    let kx = 111.32 * lat0.to_radians().cos();
    let ky = 110.57;
    let twice: f64 = ring
        .windows(2)
        .map(|w| (w[0].0 * kx) * (w[1].1 * ky) - (w[1].0 * kx) * (w[0].1 * ky))
        .sum();
    (twice / 2.0).abs()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn square(lon: f64, lat: f64, size: f64) -> Value {
        json!({"type": "Polygon", "coordinates": [[
            [lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]
        ]]})
    }

    fn point(lat: f64, lon: f64) -> Point {
        Point::new(lat, lon).unwrap()
    }

    #[test]
    fn a_square_holds_what_is_inside_it() {
        let j = Jurisdiction::parse(&square(114.0, 22.5, 0.1)).unwrap();
        assert!(j.contains(point(22.55, 114.05)));
        assert!(!j.contains(point(22.65, 114.05)));
        let area = j.area_km2();
        assert!((110.0..125.0).contains(&area), "{area}");
    }

    #[test]
    fn rings_must_lie_as_a_map_would_draw_them() {
        let square = |x: f64, y: f64, d: f64| {
            json!([[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]])
        };
        let cases = [
            (
                json!({"type": "Polygon", "coordinates": [square(0.0, 0.0, 10.0), square(20.0, 20.0, 1.0)]}),
                "coordinates[1]: the hole is not inside its outer ring",
            ),
            (
                json!({"type": "Polygon", "coordinates": [square(0.0, 0.0, 10.0), square(-1.0, -1.0, 12.0)]}),
                "coordinates[1]: the hole is not inside its outer ring",
            ),
            (
                json!({"type": "Polygon", "coordinates": [square(0.0, 0.0, 10.0), square(5.0, 5.0, 10.0)]}),
                "coordinates[1]: the hole crosses or touches its outer ring",
            ),
            (
                json!({"type": "Polygon", "coordinates": [square(0.0, 0.0, 10.0), square(2.0, 2.0, 4.0), square(3.0, 3.0, 1.0)]}),
                "coordinates[2]: the hole overlaps the hole coordinates[1]",
            ),
            (
                json!({"type": "MultiPolygon", "coordinates": [[square(0.0, 0.0, 10.0)], [square(5.0, 5.0, 10.0)]]}),
                "coordinates[1]: the polygon overlaps or touches coordinates[0]",
            ),
            (
                json!({"type": "MultiPolygon", "coordinates": [[square(0.0, 0.0, 10.0)], [square(2.0, 2.0, 1.0)]]}),
                "coordinates[1]: the polygon overlaps or touches coordinates[0]",
            ),
        ];
        for (shape, problem) in cases {
            let err = Jurisdiction::parse(&shape).unwrap_err();
            assert!(err.0.starts_with(problem), "{problem}: {err}");
        }
        // An island in a lake is fine.
        let island = json!({"type": "MultiPolygon", "coordinates": [
            [square(0.0, 0.0, 10.0), square(2.0, 2.0, 6.0)],
            [square(4.0, 4.0, 1.0)]
        ]});
        let j = Jurisdiction::parse(&island).unwrap();
        assert!(j.contains(point(4.5, 4.5)));
        assert!(!j.contains(point(3.0, 3.0)));
        assert!(j.area_km2() > 0.0);
    }

    #[test]
    fn holes_and_several_polygons() {
        let j = Jurisdiction::parse(&json!({"type": "MultiPolygon", "coordinates": [
            [
                [[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0], [0.0, 0.0]],
                [[4.0, 4.0], [6.0, 4.0], [6.0, 6.0], [4.0, 6.0], [4.0, 4.0]]
            ],
            [[[20.0, 20.0], [21.0, 20.0], [21.0, 21.0], [20.0, 20.0]]]
        ]}))
        .unwrap();
        assert!(j.contains(point(2.0, 2.0)));
        assert!(!j.contains(point(5.0, 5.0)), "inside the hole");
        assert!(j.contains(point(20.2, 20.8)));
        assert!(!j.contains(point(15.0, 15.0)));
    }

    #[test]
    fn a_feature_is_read_for_its_geometry() {
        let feature =
            json!({"type": "Feature", "properties": {}, "geometry": square(1.0, 1.0, 1.0)});
        assert!(Jurisdiction::parse(&feature).is_ok());
    }

    #[test]
    fn bad_shapes_are_named() {
        let open = json!({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]});
        let e = Jurisdiction::parse(&open).unwrap_err().0;
        assert!(e.contains("not closed"), "{e}");

        let bow_tie =
            json!({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]});
        let e = Jurisdiction::parse(&bow_tie).unwrap_err().0;
        assert!(e.contains("crosses itself"), "{e}");
        // Stored shapes were checked once; reading them skips that test
        // but not the cheap ones.
        let stored = Jurisdiction::parse_stored(&bow_tie).unwrap_err().0;
        assert!(stored.contains("no area"), "{stored}");

        let far = json!({"type": "Polygon", "coordinates": [[[0, 0], [1, 200], [1, 0], [0, 0]]]});
        let e = Jurisdiction::parse(&far).unwrap_err().0;
        assert!(e.contains("latitude 200"), "{e}");
        assert!(Jurisdiction::parse_stored(&far).is_err());
        assert!(e.contains("coordinates[0][1]"), "{e}");

        let line = json!({"type": "LineString", "coordinates": [[0, 0], [1, 1]]});
        let e = Jurisdiction::parse(&line).unwrap_err().0;
        assert!(e.contains("LineString"), "{e}");

        let flat = json!({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [2, 0], [0, 0]]]});
        assert!(Jurisdiction::parse(&flat).is_err());

        let short = json!({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]});
        let e = Jurisdiction::parse(&short).unwrap_err().0;
        assert!(e.contains("at least 4"), "{e}");

        let text = json!({"type": "Polygon", "coordinates": [[[0, 0], ["a", 0], [1, 1], [0, 0]]]});
        assert!(Jurisdiction::parse(&text).is_err());
    }
}
