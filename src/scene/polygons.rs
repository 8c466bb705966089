//! Turning layer geometries into clean polygons and points, with invalid polygons repaired.

use std::panic::{catch_unwind, AssertUnwindSafe};

use geo::orient::{Direction, Orient};
use geo::sweep::Intersections;
use geo::{
    unary_union, Area, BoundingRect, Coord, Geometry, Intersects, LineIntersection, LinesIter,
    MakeValid, MultiPolygon, Polygon, Relate, Validation,
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
    /// A MultiPoint of two or more distinct points: several places, not one.
    Points(Vec<Coord>),
    Polygon(MultiPolygon),
}

/// How a geometry was cleaned, for the warnings a layer reports.
#[derive(Debug, Default, Clone, Copy)]
pub struct Cleaning {
    pub repaired: usize,
    pub unrepairable: usize,
    pub empty: usize,
    /// Multipolygons with parts overlapping (or repeating) an earlier part, filled as their union.
    pub overlapping: usize,
    /// The parts, over those multipolygons, that overlap an earlier part.
    pub overlapping_parts: usize,
}

impl Cleaning {
    /// Counts what another reading (of other features) cleaned.
    pub fn add(&mut self, other: Cleaning) {
        self.repaired += other.repaired;
        self.unrepairable += other.unrepairable;
        self.empty += other.empty;
        self.overlapping += other.overlapping;
        self.overlapping_parts += other.overlapping_parts;
    }
}

/// Polygons and multipolygons as one valid multipolygon (repaired when invalid, overlapping
/// parts unioned); points and multipoints of one distinct point as a point, other multipoints as
/// their points; anything else `Err(type name)`.
///
/// `Ok(None)` is an empty geometry (no coordinates, or a polygon of zero area that could not be
/// repaired), counted in `cleaning`.
pub fn shape(g: &Geometry, cleaning: &mut Cleaning) -> Result<Option<Shape>, &'static str> {
    match g {
        Geometry::Point(p) => Ok(Some(Shape::Point(p.0))),
        Geometry::MultiPoint(mp) if mp.0.is_empty() => {
            cleaning.empty += 1;
            Ok(None)
        }
        Geometry::MultiPoint(mp) => {
            let mut distinct: Vec<Coord> = Vec::with_capacity(mp.0.len());
            for p in &mp.0 {
                if !distinct.contains(&p.0) {
                    distinct.push(p.0);
                }
            }
            Ok(Some(match distinct.as_slice() {
                [one] => Shape::Point(*one),
                _ => Shape::Points(distinct),
            }))
        }
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

/// [`clean_polygon`] with panics caught. geo's validity check and repair (`relate`, the sweep)
/// and i_overlay's union assert on some degenerate rings, e.g. a hole whose corners lie within
/// 1e-230 of the shell's corner, with denormal coordinates ("topology position conflict"),
/// found by fuzzing GeoPackage blobs. Most of these are debug assertions (and overflow checks),
/// so they panic in builds that keep them (tests, the fuzzers, debug runs) while a release build
/// goes on; either way such a polygon ends up counted as unrepairable and skipped.
fn polygon(mp: MultiPolygon, cleaning: &mut Cleaning) -> Option<MultiPolygon> {
    let mut counted = Cleaning::default();
    match catch_unwind(AssertUnwindSafe(|| clean_polygon(mp, &mut counted))) {
        Ok(cleaned) => {
            cleaning.add(counted);
            cleaned
        }
        Err(_) => {
            cleaning.unrepairable += 1;
            None
        }
    }
}

fn clean_polygon(mut mp: MultiPolygon, cleaning: &mut Cleaning) -> Option<MultiPolygon> {
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
        let overlapping = parts_overlapping_an_earlier_one(&mp);
        let repaired = if overlapping > 0 {
            cleaning.overlapping += 1;
            cleaning.overlapping_parts += overlapping;
            union_of_parts(&mp, cleaning)
        } else {
            cleaning.repaired += 1;
            mp.make_valid()
        };
        match repaired {
            Ok(fixed) if fixed.unsigned_area() >= MIN_AREA_M2 => {
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

/// How many parts of a multipolygon overlap (share interior with) an earlier part: a repeated
/// part, or one drawn over another. Filled even-odd, as `MakeValid` fills, a repeated part would
/// cancel its twin and an overlap would become a hole.
fn parts_overlapping_an_earlier_one(mp: &MultiPolygon) -> usize {
    let boxes: Vec<_> = mp.0.iter().map(|p| p.bounding_rect()).collect();
    (1..mp.0.len())
        .filter(|&j| {
            (0..j).any(|i| {
                matches!((boxes[i], boxes[j]), (Some(a), Some(b)) if a.intersects(&b))
                    && mp.0[i]
                        .relate(&mp.0[j])
                        .matches("2********")
                        .unwrap_or(false)
            })
        })
        .count()
}

/// The union (nonzero fill) of a multipolygon's parts, each repaired on its own first when
/// invalid; a part repaired counts once in `cleaning.repaired` for the whole multipolygon.
fn union_of_parts(
    mp: &MultiPolygon,
    cleaning: &mut Cleaning,
) -> Result<MultiPolygon, geo::algorithm::repair_polygon::RepairPolygonError> {
    let mut parts: Vec<Polygon> = Vec::with_capacity(mp.0.len());
    let mut any_repaired = false;
    for p in &mp.0 {
        if p.is_valid() {
            parts.push(p.clone());
        } else {
            any_repaired = true;
            parts.extend(p.make_valid()?.0);
        }
    }
    cleaning.repaired += usize::from(any_repaired);
    // The union's fill rule follows the first ring's winding: every part wound alike.
    let oriented: Vec<Polygon> = parts
        .into_iter()
        .map(|p| p.orient(Direction::Default))
        .collect();
    Ok(unary_union(&oriented))
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
    if c.overlapping > 0 {
        out.push(format!(
            "{layer}: {} multipolygon(s) have parts that overlap or repeat others ({} such part(s)); each is filled as the union of its parts",
            c.overlapping, c.overlapping_parts
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

    #[test]
    fn a_polygon_geo_asserts_on_is_skipped_as_unrepairable() {
        // Found by fuzzing GeoPackage blobs: geo's validity check panics ("topology position
        // conflict") on this square with a sliver hole of denormal coordinates at its corner.
        let c = |x: u64, y: u64| Coord {
            x: f64::from_bits(x),
            y: f64::from_bits(y),
        };
        let ten = 10f64.to_bits();
        let shell = vec![
            c(0x80000, 0),
            c(ten, 0),
            c(ten, 0x2400000000),
            c(0x40, ten),
            c(0, 0),
        ];
        let hole = vec![
            c(2f64.to_bits(), 0xcc0000),
            c(0x40, 0x1000000000000040),
            c(0x9000040, 0x1000000000000000),
            c(0x1000000000400040, 0x40),
            c(0x4010, 0),
        ];
        let p = geo::Polygon::new(shell.into(), vec![hole.into()]);
        let mut c = Cleaning::default();
        assert!(shape(&Geometry::Polygon(p), &mut c).unwrap().is_none());
        // With debug assertions geo panics in the validity check (nothing counted but the
        // skip); without, the check says invalid and MakeValid fails (a repair tried, then the
        // skip).
        assert_eq!((c.unrepairable, c.empty), (1, 0));
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

    fn square(x: f64, y: f64, side: f64) -> geo::Polygon {
        polygon![(x: x, y: y), (x: x + side, y: y), (x: x + side, y: y + side), (x: x, y: y + side), (x: x, y: y)]
    }

    fn cleaned(parts: Vec<geo::Polygon>) -> (MultiPolygon, Cleaning) {
        let mut c = Cleaning::default();
        let Some(Shape::Polygon(mp)) =
            shape(&Geometry::MultiPolygon(MultiPolygon(parts)), &mut c).unwrap()
        else {
            panic!("expected a polygon")
        };
        (mp, c)
    }

    #[test]
    fn a_repeated_part_is_kept_once_not_cancelled() {
        // A 100 m square given twice: 10 000 m2, not the zero an even-odd fill gives.
        let (mp, c) = cleaned(vec![square(0.0, 0.0, 100.0), square(0.0, 0.0, 100.0)]);
        assert!(
            (mp.unsigned_area() - 10_000.0).abs() < 1e-6,
            "{}",
            mp.unsigned_area()
        );
        assert_eq!((c.overlapping, c.overlapping_parts, c.repaired), (1, 1, 0));
        // Three copies, one wound clockwise: still one square.
        let mut cw = square(0.0, 0.0, 100.0);
        cw.exterior_mut(|r| r.0.reverse());
        let (mp, c) = cleaned(vec![square(0.0, 0.0, 100.0), cw, square(0.0, 0.0, 100.0)]);
        assert!(
            (mp.unsigned_area() - 10_000.0).abs() < 1e-6,
            "{}",
            mp.unsigned_area()
        );
        assert_eq!((c.overlapping, c.overlapping_parts), (1, 2));
    }

    #[test]
    fn overlapping_parts_give_their_union() {
        // Two 100 m squares, the second shifted by (50, 50): they share a quarter (50 x 50), so
        // the union is 2 x 10 000 - 2 500 = 17 500 m2 (even-odd: 15 000).
        let (mp, c) = cleaned(vec![square(0.0, 0.0, 100.0), square(50.0, 50.0, 100.0)]);
        assert!(
            (mp.unsigned_area() - 17_500.0).abs() < 1e-6,
            "{}",
            mp.unsigned_area()
        );
        assert_eq!((c.overlapping, c.overlapping_parts), (1, 1));
        // A bow-tie part beside an overlapping pair: repaired (area 2 x 1 = 2... of 20 x 20
        // triangles: 2 x 100) and unioned with the squares it does not touch.
        let bow = polygon![(x: 500.0, y: 0.0), (x: 520.0, y: 20.0), (x: 520.0, y: 0.0), (x: 500.0, y: 20.0), (x: 500.0, y: 0.0)];
        let (mp, c) = cleaned(vec![
            square(0.0, 0.0, 100.0),
            square(50.0, 50.0, 100.0),
            bow,
        ]);
        assert!(
            (mp.unsigned_area() - 17_700.0).abs() < 1e-6,
            "{}",
            mp.unsigned_area()
        );
        assert_eq!((c.overlapping, c.repaired), (1, 1));
        // Parts that only touch along an edge are not overlaps (and keep their area).
        let (mp, c) = cleaned(vec![square(0.0, 0.0, 100.0), square(100.0, 0.0, 100.0)]);
        assert!(
            (mp.unsigned_area() - 20_000.0).abs() < 1e-6,
            "{}",
            mp.unsigned_area()
        );
        assert_eq!(c.overlapping, 0);
    }

    #[test]
    fn multipoints_keep_their_points() {
        let mut c = Cleaning::default();
        let twice = Geometry::MultiPoint(geo::MultiPoint::from(vec![(1.0, 2.0), (1.0, 2.0)]));
        assert!(
            matches!(shape(&twice, &mut c), Ok(Some(Shape::Point(p))) if p == Coord { x: 1.0, y: 2.0 })
        );
        let three = Geometry::MultiPoint(geo::MultiPoint::from(vec![
            (0.0, 0.0),
            (9.0, 0.0),
            (0.0, 0.0),
            (0.0, 9.0),
        ]));
        let Ok(Some(Shape::Points(points))) = shape(&three, &mut c) else {
            panic!("expected the points")
        };
        assert_eq!(points.len(), 3);
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
