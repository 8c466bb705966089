//! Turning layer geometries into clean polygons and points, with invalid polygons repaired.

use geo::{Area, Centroid, Coord, Geometry, MakeValid, MultiPolygon, Validation};

const MIN_AREA_M2: f64 = 1e-4;

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
            "{layer}: {} invalid polygon(s) could not be repaired and were skipped",
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

    #[test]
    fn zero_area_and_lines() {
        let flat = polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 2.0, y: 0.0), (x: 0.0, y: 0.0)];
        let mut c = Cleaning::default();
        assert!(shape(&Geometry::Polygon(flat), &mut c).unwrap().is_none());
        let line = Geometry::LineString(geo::wkt!(LINESTRING(0. 0.,1. 1.)));
        assert_eq!(shape(&line, &mut c).err(), Some("LineString"));
    }
}
