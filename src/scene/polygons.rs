//! Turning layer geometries into clean polygons and points, with invalid polygons repaired.

use geo::sweep::Intersections;
use geo::{
    Area, Centroid, Coord, Geometry, LineIntersection, LinesIter, MakeValid, MultiPolygon,
    Validation,
};

const MIN_AREA_M2: f64 = 1e-4;

/// Repair by triangulation (geo's `MakeValid`) takes time that grows faster than the number of
/// places where the boundary crosses itself: a tenth of a second at 650 crossings, 12 s at
/// 40 000, many minutes for a 2001-point star polygon of 82 KB (found while fuzzing). Digitising
/// errors cross a handful of times; a boundary that crosses itself more often than this is no
/// shape anyone meant, so it is skipped as unrepairable instead of stalling the run.
const MAX_REPAIR_CROSSINGS: usize = 1000;

/// What a feature's geometry became.
pub enum Shape {
    Point(Coord),
    Polygon(MultiPolygon),
}

/// How a geometry was cleaned, for the warnings a layer reports.
#[derive(Debug, Default, Clone, Copy)]
pub struct Cleaning {
    pub repaired: usize,
    pub unrepairable: usize,
    pub empty: usize,
}

impl Cleaning {
    /// Counts what another reading (of other features) cleaned.
    pub fn add(&mut self, other: Cleaning) {
        self.repaired += other.repaired;
        self.unrepairable += other.unrepairable;
        self.empty += other.empty;
    }
}

/// Polygons and multipolygons as one valid multipolygon (repaired when invalid); points and
/// single-point multipoints as a point; anything else `Err(type name)`.
///
/// `Ok(None)` is an empty geometry (no coordinates, or a polygon of zero area that could not be
/// repaired), counted in `cleaning`.
pub fn shape(g: &Geometry, cleaning: &mut Cleaning) -> Result<Option<Shape>, &'static str> {
    match g {
        Geometry::Point(p) => Ok(Some(Shape::Point(p.0))),
        Geometry::MultiPoint(mp) if mp.0.len() == 1 => Ok(Some(Shape::Point(mp.0[0].0))),
        Geometry::MultiPoint(mp) if mp.0.is_empty() => {
            cleaning.empty += 1;
            Ok(None)
        }
        Geometry::MultiPoint(mp) => Ok(mp.centroid().map(|c| Shape::Point(c.0))),
        Geometry::Polygon(p) => {
            Ok(polygon(MultiPolygon(vec![p.clone()]), cleaning).map(Shape::Polygon))
        }
        Geometry::MultiPolygon(mp) => Ok(polygon(mp.clone(), cleaning).map(Shape::Polygon)),
        Geometry::Rect(r) => {
            Ok(polygon(MultiPolygon(vec![r.to_polygon()]), cleaning).map(Shape::Polygon))
        }
        Geometry::Triangle(t) => {
            Ok(polygon(MultiPolygon(vec![t.to_polygon()]), cleaning).map(Shape::Polygon))
        }
        Geometry::GeometryCollection(c) if c.0.len() == 1 => shape(&c.0[0], cleaning),
        Geometry::GeometryCollection(_) => Err("GeometryCollection"),
        Geometry::LineString(_) => Err("LineString"),
        Geometry::MultiLineString(_) => Err("MultiLineString"),
        Geometry::Line(_) => Err("Line"),
    }
}

fn polygon(mut mp: MultiPolygon, cleaning: &mut Cleaning) -> Option<MultiPolygon> {
    mp.0.retain(|p| p.exterior().0.len() >= 4);
    if mp.0.is_empty() {
        cleaning.empty += 1;
        return None;
    }
    if !mp.is_valid() {
        if crosses_itself_more_than(&mp, MAX_REPAIR_CROSSINGS) {
            cleaning.unrepairable += 1;
            return None;
        }
        match mp.make_valid() {
            Ok(fixed) if fixed.unsigned_area() >= MIN_AREA_M2 => {
                cleaning.repaired += 1;
                mp = fixed;
            }
            Ok(_) => {
                cleaning.empty += 1;
                return None;
            }
            Err(_) => {
                cleaning.unrepairable += 1;
                return None;
            }
        }
    }
    // Colinear rings come out of reprojection with a rounding-error area: under a square
    // centimetre no real polygon is meant.
    if mp.unsigned_area() < MIN_AREA_M2 {
        cleaning.empty += 1;
        return None;
    }
    Some(mp)
}

/// True when the edges of `mp` cross each other (properly, not at shared vertices) more than
/// `limit` times; the sweep stops at the first crossing over the limit.
fn crosses_itself_more_than(mp: &MultiPolygon, limit: usize) -> bool {
    Intersections::from_iter(mp.lines_iter())
        .filter(|(_, _, i)| {
            matches!(
                i,
                LineIntersection::SinglePoint {
                    is_proper: true,
                    ..
                }
            )
        })
        .nth(limit)
        .is_some()
}

/// The warnings a layer's cleaning deserves, in the words a user understands.
pub fn cleaning_warnings(layer: &str, c: &Cleaning) -> Vec<String> {
    let mut out = Vec::new();
    if c.repaired > 0 {
        out.push(format!(
            "{layer}: {} invalid polygon(s) (self-intersecting or badly nested rings) were repaired",
            c.repaired
        ));
    }
    if c.unrepairable > 0 {
        out.push(format!(
            "{layer}: {} invalid polygon(s) could not be repaired (or cross themselves too often to repair) and were skipped",
            c.unrepairable
        ));
    }
    if c.empty > 0 {
        out.push(format!(
            "{layer}: {} feature(s) with an empty or zero-area geometry were skipped",
            c.empty
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{polygon, Area};

    #[test]
    fn bow_tie_is_repaired_and_keeps_its_area() {
        // A bow tie (0,0)-(2,2)-(2,0)-(0,2): two triangles of area 1 each.
        let p = polygon![(x: 0.0, y: 0.0), (x: 2.0, y: 2.0), (x: 2.0, y: 0.0), (x: 0.0, y: 2.0), (x: 0.0, y: 0.0)];
        let mut c = Cleaning::default();
        let Some(Shape::Polygon(mp)) = shape(&Geometry::Polygon(p), &mut c).unwrap() else {
            panic!("expected a polygon")
        };
        assert_eq!(c.repaired, 1);
        assert!(
            (mp.unsigned_area() - 2.0).abs() < 1e-9,
            "{}",
            mp.unsigned_area()
        );
    }

    /// The regular star polygon {n/k}: n points on a circle, each joined to the k-th next.
    fn star(n: usize, k: usize) -> MultiPolygon {
        let ring: Vec<Coord> = (0..=n)
            .map(|i| {
                let a = std::f64::consts::TAU * (k * i % n) as f64 / n as f64;
                Coord {
                    x: 1000.0 * a.cos(),
                    y: 1000.0 * a.sin(),
                }
            })
            .collect();
        MultiPolygon(vec![geo::Polygon::new(ring.into(), vec![])])
    }

    #[test]
    fn crossings_are_counted_up_to_the_limit() {
        // A regular star {n/k} crosses itself n (k - 1) times: 5 for the pentagram {5/2},
        // 14 for the heptagram {7/3}; shared vertices are not crossings.
        assert!(crosses_itself_more_than(&star(5, 2), 4));
        assert!(!crosses_itself_more_than(&star(5, 2), 5));
        assert!(crosses_itself_more_than(&star(7, 3), 13));
        assert!(!crosses_itself_more_than(&star(7, 3), 14));
        let square =
            polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 1.0)];
        assert!(!crosses_itself_more_than(&MultiPolygon(vec![square]), 0));
    }

    #[test]
    fn a_boundary_tangled_beyond_repair_is_skipped_not_stalled() {
        // {101/50} crosses itself 101 * 49 = 4949 times, over the limit: skipped at once.
        let mut c = Cleaning::default();
        let tangled = Geometry::MultiPolygon(star(101, 50));
        assert!(shape(&tangled, &mut c).unwrap().is_none());
        assert_eq!((c.unrepairable, c.repaired), (1, 0));
        // The pentagram's 5 crossings are repaired as before.
        let mut c = Cleaning::default();
        assert!(shape(&Geometry::MultiPolygon(star(5, 2)), &mut c)
            .unwrap()
            .is_some());
        assert_eq!((c.unrepairable, c.repaired), (0, 1));
    }

    #[test]
    fn zero_area_and_lines() {
        let flat = polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 2.0, y: 0.0), (x: 0.0, y: 0.0)];
        let mut c = Cleaning::default();
        assert!(shape(&Geometry::Polygon(flat), &mut c).unwrap().is_none());
        let line = Geometry::LineString(geo::wkt!(LINESTRING(0. 0.,1. 1.)));
        assert_eq!(shape(&line, &mut c).err(), Some("LineString"));
    }
}
