//! Standard WKB to a geo-types geometry, for the readers that store geometries as WKB
//! (GeoPackage after its blob header, GeoParquet as it is): ISO and extended WKB, the curve
//! types of ISO WKB linearised.

use std::panic::{catch_unwind, AssertUnwindSafe};

use geo::{Coord, Geometry, LineString};
use geo_traits::to_geo::ToGeoGeometry;

/// Decodes WKB (ISO or extended): `None` for an empty point, which geo-types cannot hold.
pub fn geometry(wkb: &[u8]) -> Result<Option<Geometry>, String> {
    if let Some(point) = plain_point(wkb) {
        return Ok(point);
    }
    // Curve types, outside or nested, are read here; the rest as before by the crate, which
    // reads type codes modulo 8 and so must not see them. A blob that the walk finds broken
    // is left to the crate, whose errors say what they said.
    if curve_name(wkb).is_some() {
        return Reader::new(wkb).geometry(0).map_err(|f| message(wkb, f));
    }
    match Reader::new(wkb).skim(0) {
        Ok(false) | Err(Fail::Malformed) => {}
        Ok(true) => return Reader::new(wkb).geometry(0).map_err(|f| message(wkb, f)),
        Err(f) => return Err(message(wkb, f)),
    }
    // The wkb crate (0.9.3) checks lengths when it reads the outer geometry but reads nested
    // parts lazily, and unwraps there: a MultiPoint whose inner point header sets the EWKB SRID
    // flag makes it read past the blob and panic (found by fuzzing). Such a blob is an error.
    let decoded = catch_unwind(AssertUnwindSafe(|| {
        wkb::reader::read_wkb(wkb).map(|wkb| {
            // An empty point (NaN coordinates) has no geo-types form: an empty geometry.
            wkb.try_to_geometry()
        })
    }));
    match decoded {
        Ok(Ok(geometry)) => Ok(geometry),
        Ok(Err(e)) => Err(format!("the geometry's WKB cannot be read: {e}")),
        Err(_) => Err(
            "the geometry's WKB is malformed (a part nested in it runs past the end of the blob)"
                .into(),
        ),
    }
}

/// The curve reader's failure as the error of a feature.
fn message(wkb: &[u8], fail: Fail) -> String {
    match fail {
        Fail::Unsupported(what) => format!("the geometry is {what}, which kindscape does not read"),
        Fail::Bad(what) => format!("the geometry's WKB cannot be read: {what}"),
        Fail::Malformed => format!(
            "the geometry's WKB is malformed (a {} cut short or with impossible counts)",
            curve_name(wkb).unwrap_or("geometry")
        ),
    }
}

/// The name of the outer geometry's type when it is one of the curve types.
fn curve_name(wkb: &[u8]) -> Option<&'static str> {
    let mut r = Reader::new(wkb);
    match r.header() {
        Ok(h) if h.base >= 8 => type_name(h.base),
        _ => None,
    }
}

/// A two-dimensional point, the whole of a homes layer, read straight from its 21 bytes: the
/// `wkb` crate's reader and the geo-traits conversion cost more than the point (a million
/// homes). `None` for anything else, which the crate reads. An empty point (both coordinates
/// NaN) is `Some(None)`, as the crate gives it.
fn plain_point(wkb: &[u8]) -> Option<Option<Geometry>> {
    let bytes: &[u8; 21] = wkb.try_into().ok()?;
    let little = match bytes[0] {
        0 => false,
        1 => true,
        _ => return None,
    };
    let word = |b: &[u8]| -> [u8; 8] { b.try_into().expect("8 bytes") };
    let (kind, x, y) = if little {
        (
            u32::from_le_bytes([bytes[1], bytes[2], bytes[3], bytes[4]]),
            f64::from_le_bytes(word(&bytes[5..13])),
            f64::from_le_bytes(word(&bytes[13..21])),
        )
    } else {
        (
            u32::from_be_bytes([bytes[1], bytes[2], bytes[3], bytes[4]]),
            f64::from_be_bytes(word(&bytes[5..13])),
            f64::from_be_bytes(word(&bytes[13..21])),
        )
    };
    if kind != 1 {
        return None;
    }
    if x.is_nan() && y.is_nan() {
        return Some(None);
    }
    Some(Some(Geometry::Point(geo::Point::new(x, y))))
}

/// A chord of a linearised arc strays at most this far from the arc, in the layer's units
/// (metres in a projected CRS).
const ARC_DEVIATION: f64 = 0.05;
/// And turns at most this much (radians, 5 degrees): in degrees of longitude and latitude the
/// deviation above would allow kilometres, and a small arc keeps its shape.
const ARC_MAX_STEP: f64 = 5.0 * std::f64::consts::PI / 180.0;
/// Pieces per arc at most: an arc of a huge radius (three nearly collinear points) is nearly
/// straight, and a blob must not make millions of points.
const ARC_MAX_PIECES: usize = 10_000;
/// Collections nested deeper than this are an error, not a stack overflow.
const MAX_DEPTH: usize = 32;

/// The name of ISO WKB geometry type `base` (the code without its Z/M thousands).
fn type_name(base: u32) -> Option<&'static str> {
    Some(match base {
        0 => "Geometry",
        1 => "Point",
        2 => "LineString",
        3 => "Polygon",
        4 => "MultiPoint",
        5 => "MultiLineString",
        6 => "MultiPolygon",
        7 => "GeometryCollection",
        8 => "CircularString",
        9 => "CompoundCurve",
        10 => "CurvePolygon",
        11 => "MultiCurve",
        12 => "MultiSurface",
        13 => "Curve",
        14 => "Surface",
        15 => "PolyhedralSurface",
        16 => "TIN",
        17 => "Triangle",
        18 => "Circle",
        19 => "GeodesicString",
        20 => "EllipticalCurve",
        21 => "NurbsCurve",
        22 => "Clothoid",
        23 => "SpiralCurve",
        24 => "CompoundSurface",
        _ => return None,
    })
}

/// Why the curve reader gave up: a type kindscape does not read (named), a curve it cannot
/// make sense of, or a blob cut short or garbled (which the `wkb` crate's reading reports as
/// before, unless the geometry is a curve type).
enum Fail {
    Unsupported(String),
    Bad(String),
    Malformed,
}

/// A WKB reader for what the `wkb` crate does not know: the ISO curve types (8 CircularString,
/// 9 CompoundCurve, 10 CurvePolygon, 11 MultiCurve, 12 MultiSurface), which GDAL writes to
/// GeoPackages from GML with arcs (BGT). The crate reads a type code modulo 8 and so takes a
/// CurvePolygon for a LineString, a MultiSurface for a MultiPoint.
struct Reader<'a> {
    buf: &'a [u8],
    at: usize,
    little: bool,
}

/// A geometry header: the base type and the coordinates per point.
struct Header {
    base: u32,
    dims: usize,
}

impl<'a> Reader<'a> {
    fn new(buf: &'a [u8]) -> Self {
        Reader {
            buf,
            at: 0,
            little: true,
        }
    }

    fn take<const N: usize>(&mut self) -> Result<[u8; N], Fail> {
        let bytes = self.buf.get(self.at..self.at + N).ok_or(Fail::Malformed)?;
        self.at += N;
        Ok(bytes.try_into().expect("N bytes"))
    }

    fn u32(&mut self) -> Result<u32, Fail> {
        let b = self.take::<4>()?;
        Ok(if self.little {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    }

    fn f64(&mut self) -> Result<f64, Fail> {
        let b = self.take::<8>()?;
        Ok(if self.little {
            f64::from_le_bytes(b)
        } else {
            f64::from_be_bytes(b)
        })
    }

    /// A count of items each at least `min_bytes` long, checked against what is left so that a
    /// bad count cannot allocate.
    fn count(&mut self, min_bytes: usize) -> Result<usize, Fail> {
        let n = self.u32()? as usize;
        if n.saturating_mul(min_bytes) > self.buf.len() - self.at {
            return Err(Fail::Malformed);
        }
        Ok(n)
    }

    /// Byte order, type code (ISO thousands for Z/M, or the EWKB flags, and an EWKB SRID
    /// skipped).
    fn header(&mut self) -> Result<Header, Fail> {
        self.little = match self.take::<1>()?[0] {
            0 => false,
            1 => true,
            _ => return Err(Fail::Malformed),
        };
        let code = self.u32()?;
        let (z_flag, m_flag, srid_flag) = (
            code & 0x8000_0000 != 0,
            code & 0x4000_0000 != 0,
            code & 0x2000_0000 != 0,
        );
        let iso = code & 0x0fff_ffff;
        let (base, thousands) = (iso % 1000, iso / 1000);
        let (z, m) = match thousands {
            0 => (z_flag, m_flag),
            1 => (true, m_flag),
            2 => (z_flag, true),
            3 => (true, true),
            _ => return Err(unknown(code)),
        };
        if srid_flag {
            self.u32()?;
        }
        match type_name(base) {
            Some(_) if base <= 12 && base != 0 => Ok(Header {
                base,
                dims: 2 + usize::from(z) + usize::from(m),
            }),
            Some(name) => Err(Fail::Unsupported(format!("a {name} (WKB type {code})"))),
            None => Err(unknown(code)),
        }
    }

    fn coord(&mut self, dims: usize) -> Result<Coord, Fail> {
        let c = Coord {
            x: self.f64()?,
            y: self.f64()?,
        };
        for _ in 2..dims {
            self.f64()?;
        }
        Ok(c)
    }

    fn coords(&mut self, dims: usize) -> Result<Vec<Coord>, Fail> {
        let n = self.count(8 * dims)?;
        (0..n).map(|_| self.coord(dims)).collect()
    }

    /// Walks a geometry without building it: true when it holds a curve type anywhere.
    fn skim(&mut self, depth: usize) -> Result<bool, Fail> {
        if depth > MAX_DEPTH {
            return Err(Fail::Malformed);
        }
        let h = self.header()?;
        let point = 8 * h.dims;
        match h.base {
            1 => self.skip(point)?,
            2 | 8 => {
                let n = self.count(point)?;
                self.skip(n * point)?;
                return Ok(h.base == 8);
            }
            3 => {
                for _ in 0..self.count(4)? {
                    let n = self.count(point)?;
                    self.skip(n * point)?;
                }
            }
            _ => {
                let mut curved = h.base >= 8;
                for _ in 0..self.count(5)? {
                    curved |= self.skim(depth + 1)?;
                }
                return Ok(curved);
            }
        }
        Ok(false)
    }

    fn skip(&mut self, n: usize) -> Result<(), Fail> {
        if n > self.buf.len() - self.at {
            return Err(Fail::Malformed);
        }
        self.at += n;
        Ok(())
    }

    /// Reads a geometry, curves linearised: CircularString and CompoundCurve as LineString,
    /// CurvePolygon as Polygon, MultiCurve as MultiLineString, MultiSurface as MultiPolygon.
    /// `None` for an empty point.
    fn geometry(&mut self, depth: usize) -> Result<Option<Geometry>, Fail> {
        if depth > MAX_DEPTH {
            return Err(Fail::Malformed);
        }
        let h = self.header()?;
        let parts = |r: &mut Self| -> Result<Vec<Option<Geometry>>, Fail> {
            (0..r.count(5)?).map(|_| r.geometry(depth + 1)).collect()
        };
        Ok(Some(match h.base {
            1 => {
                let c = self.coord(h.dims)?;
                if c.x.is_nan() && c.y.is_nan() {
                    return Ok(None);
                }
                Geometry::Point(c.into())
            }
            2 => Geometry::LineString(LineString(self.coords(h.dims)?)),
            3 => {
                let rings = (0..self.count(4)?)
                    .map(|_| self.coords(h.dims).map(LineString))
                    .collect::<Result<Vec<_>, _>>()?;
                Geometry::Polygon(polygon(rings))
            }
            8 | 9 => Geometry::LineString(self.curve_body(h, depth)?),
            10 => {
                let rings = (0..self.count(5)?)
                    .map(|_| self.curve(depth + 1))
                    .collect::<Result<Vec<_>, _>>()?;
                Geometry::Polygon(polygon(rings))
            }
            4 => {
                let mut points = Vec::new();
                for part in parts(self)?.into_iter().flatten() {
                    match part {
                        Geometry::Point(p) => points.push(p),
                        _ => return Err(Fail::Malformed),
                    }
                }
                Geometry::MultiPoint(geo::MultiPoint(points))
            }
            5 | 11 => {
                let mut lines = Vec::new();
                for part in parts(self)?.into_iter().flatten() {
                    match part {
                        Geometry::LineString(l) => lines.push(l),
                        _ => return Err(Fail::Malformed),
                    }
                }
                Geometry::MultiLineString(geo::MultiLineString(lines))
            }
            6 | 12 => {
                let mut polygons = Vec::new();
                for part in parts(self)?.into_iter().flatten() {
                    match part {
                        Geometry::Polygon(p) => polygons.push(p),
                        _ => return Err(Fail::Malformed),
                    }
                }
                Geometry::MultiPolygon(geo::MultiPolygon(polygons))
            }
            7 => Geometry::GeometryCollection(geo::GeometryCollection(
                parts(self)?.into_iter().flatten().collect(),
            )),
            _ => unreachable!("header() passes types 1 to 12 only"),
        }))
    }

    /// A ring of a CurvePolygon or a part of a CompoundCurve: a LineString, CircularString or
    /// CompoundCurve with its own header.
    fn curve(&mut self, depth: usize) -> Result<LineString, Fail> {
        if depth > MAX_DEPTH {
            return Err(Fail::Malformed);
        }
        let h = self.header()?;
        match h.base {
            2 => Ok(LineString(self.coords(h.dims)?)),
            8 | 9 => self.curve_body(h, depth),
            other => Err(Fail::Unsupported(format!(
                "a curve made of a {} (WKB type {other}; only LineString, CircularString and \
                 CompoundCurve make curves)",
                type_name(other).unwrap_or("?")
            ))),
        }
    }

    /// The points of a CircularString or CompoundCurve after its header.
    fn curve_body(&mut self, h: Header, depth: usize) -> Result<LineString, Fail> {
        if h.base == 8 {
            let points = self.coords(h.dims)?;
            if points.len() > 1 && points.len() % 2 == 0 {
                return Err(Fail::Bad(format!(
                    "a CircularString of {} points (arcs of three points sharing their ends \
                     need an odd number)",
                    points.len()
                )));
            }
            return Ok(LineString(linearise(&points)));
        }
        let mut out: Vec<Coord> = Vec::new();
        for _ in 0..self.count(5)? {
            let part = self.curve(depth + 1)?;
            // Each part starts where the last ended: that point once.
            let skip = usize::from(out.last().is_some() && out.last() == part.0.first());
            out.extend_from_slice(&part.0[skip.min(part.0.len())..]);
        }
        Ok(LineString(out))
    }
}

fn unknown(code: u32) -> Fail {
    Fail::Unsupported(format!("of an unknown WKB geometry type (code {code})"))
}

fn polygon(mut rings: Vec<LineString>) -> geo::Polygon {
    if rings.is_empty() {
        return geo::Polygon::new(LineString(vec![]), vec![]);
    }
    let exterior = rings.remove(0);
    geo::Polygon::new(exterior, rings)
}

/// A CircularString as straight pieces: every three points (the end of one arc the start of the
/// next) an arc from the first through the second to the third, cut into equal steps of angle
/// such that no chord strays more than [`ARC_DEVIATION`] from the arc nor turns more than
/// [`ARC_MAX_STEP`] ([`ARC_MAX_PIECES`] pieces at most). The given points are kept exactly (a
/// ring closes where it was closed); three collinear points are two straight pieces.
fn linearise(points: &[Coord]) -> Vec<Coord> {
    let Some(&first) = points.first() else {
        return vec![];
    };
    let mut out = vec![first];
    for arc in points.windows(3).step_by(2) {
        let (a, m, b) = (arc[0], arc[1], arc[2]);
        match circle(a, m, b) {
            Some((centre, r, start, sweep)) => {
                let step =
                    (4.0 * (ARC_DEVIATION / (2.0 * r)).min(1.0).sqrt().asin()).min(ARC_MAX_STEP);
                let pieces = ((sweep.abs() / step).ceil() as usize).clamp(1, ARC_MAX_PIECES);
                for k in 1..pieces {
                    let angle = start + sweep * k as f64 / pieces as f64;
                    out.push(Coord {
                        x: centre.x + r * angle.cos(),
                        y: centre.y + r * angle.sin(),
                    });
                }
            }
            None => out.push(m),
        }
        out.push(b);
    }
    out.dedup();
    out
}

/// The circle through `a`, `m` and `b` and the arc on it from `a` through `m` to `b`: centre,
/// radius, start angle and sweep (positive counter-clockwise). `a == b` is a whole circle with
/// `m` opposite `a`, drawn counter-clockwise. `None` when the points are collinear.
fn circle(a: Coord, m: Coord, b: Coord) -> Option<(Coord, f64, f64, f64)> {
    use std::f64::consts::TAU;
    if a == b {
        if a == m {
            return None;
        }
        let centre = Coord {
            x: (a.x + m.x) / 2.0,
            y: (a.y + m.y) / 2.0,
        };
        let r = (a.x - centre.x).hypot(a.y - centre.y);
        return Some((centre, r, (a.y - centre.y).atan2(a.x - centre.x), TAU));
    }
    // Relative to `a`, so that large coordinates (RD New) keep their precision.
    let (mx, my, bx, by) = (m.x - a.x, m.y - a.y, b.x - a.x, b.y - a.y);
    let d = 2.0 * (mx * by - my * bx);
    let scale = (mx * mx + my * my).max(bx * bx + by * by);
    if d.abs() <= 1e-12 * scale || !d.is_finite() {
        return None;
    }
    let (m2, b2) = (mx * mx + my * my, bx * bx + by * by);
    let (cx, cy) = ((by * m2 - my * b2) / d, (mx * b2 - bx * m2) / d);
    let r = cx.hypot(cy);
    let centre = Coord {
        x: a.x + cx,
        y: a.y + cy,
    };
    let angle = |p: Coord| (p.y - centre.y).atan2(p.x - centre.x);
    let (start, end) = (angle(a), angle(b));
    // Counter-clockwise when m lies left of a -> b.
    let sweep = if d > 0.0 {
        (end - start).rem_euclid(TAU)
    } else {
        -(start - end).rem_euclid(TAU)
    };
    (r.is_finite() && r > 0.0).then_some((centre, r, start, sweep))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The crate's reading, which the short cut must equal.
    fn by_crate(wkb: &[u8]) -> Option<Geometry> {
        wkb::reader::read_wkb(wkb).unwrap().try_to_geometry()
    }

    #[test]
    fn plain_points_read_as_the_wkb_crate_reads_them() {
        let cases = [
            (155000.5, 463000.25),
            (-0.0, 1e-300),
            (f64::NAN, f64::NAN),
            (f64::NAN, 2.0),
            (f64::INFINITY, -3.5),
        ];
        for (x, y) in cases {
            for little in [true, false] {
                let mut w = vec![u8::from(little)];
                if little {
                    w.extend_from_slice(&1u32.to_le_bytes());
                    w.extend_from_slice(&x.to_le_bytes());
                    w.extend_from_slice(&y.to_le_bytes());
                } else {
                    w.extend_from_slice(&1u32.to_be_bytes());
                    w.extend_from_slice(&x.to_be_bytes());
                    w.extend_from_slice(&y.to_be_bytes());
                }
                let fast = plain_point(&w).expect("a plain point takes the short cut");
                let slow = by_crate(&w);
                // NaN != NaN: compare the bits of the coordinates.
                let bits = |g: &Option<Geometry>| match g {
                    Some(Geometry::Point(p)) => Some((p.x().to_bits(), p.y().to_bits())),
                    None => None,
                    other => panic!("{other:?}"),
                };
                assert_eq!(
                    bits(&fast),
                    bits(&slow),
                    "({x}, {y}), little-endian {little}"
                );
            }
        }
    }

    #[test]
    fn other_geometries_and_broken_points_are_left_to_the_crate() {
        let mut point = vec![1];
        point.extend_from_slice(&1u32.to_le_bytes());
        point.extend_from_slice(&[0; 16]);
        // A point Z (type 1001) is 29 bytes; with a 21-byte buffer it is cut short.
        let mut z = point.clone();
        z[1..5].copy_from_slice(&1001u32.to_le_bytes());
        assert!(plain_point(&z).is_none());
        assert!(geometry(&z).is_err());
        // A byte-order byte that is neither 0 nor 1.
        let mut order = point.clone();
        order[0] = 7;
        assert!(plain_point(&order).is_none());
        assert!(geometry(&order).is_err());
        // One byte short or long.
        assert!(plain_point(&point[..20]).is_none());
        assert!(geometry(&point[..20]).is_err());
        let mut long = point.clone();
        long.push(0);
        assert!(plain_point(&long).is_none());
    }

    /// Little-endian WKB builders, by hand after ISO 13249-3 / OGC 06-103r4 (type codes as
    /// there: 2 LineString, 3 Polygon, 6 MultiPolygon, 8 CircularString, 9 CompoundCurve,
    /// 10 CurvePolygon, 11 MultiCurve, 12 MultiSurface).
    fn head(code: u32, n: usize) -> Vec<u8> {
        let mut w = vec![1];
        w.extend_from_slice(&code.to_le_bytes());
        w.extend_from_slice(&(n as u32).to_le_bytes());
        w
    }

    fn points(code: u32, pts: &[(f64, f64)]) -> Vec<u8> {
        let mut w = head(code, pts.len());
        for &(x, y) in pts {
            w.extend_from_slice(&x.to_le_bytes());
            w.extend_from_slice(&y.to_le_bytes());
        }
        w
    }

    fn of(code: u32, parts: &[Vec<u8>]) -> Vec<u8> {
        let mut w = head(code, parts.len());
        for p in parts {
            w.extend_from_slice(p);
        }
        w
    }

    fn by_hand_point(x: f64, y: f64) -> Vec<u8> {
        let mut w = vec![1];
        w.extend_from_slice(&1u32.to_le_bytes());
        w.extend_from_slice(&x.to_le_bytes());
        w.extend_from_slice(&y.to_le_bytes());
        w
    }

    /// A Polygon's body: rings without headers.
    fn polygon_wkb(rings: &[&[(f64, f64)]]) -> Vec<u8> {
        let mut w = head(3, rings.len());
        for ring in rings {
            w.extend_from_slice(&(ring.len() as u32).to_le_bytes());
            for &(x, y) in *ring {
                w.extend_from_slice(&x.to_le_bytes());
                w.extend_from_slice(&y.to_le_bytes());
            }
        }
        w
    }

    const OUTER: [(f64, f64); 5] = [
        (149900.0, 459900.0),
        (150100.0, 459900.0),
        (150100.0, 460100.0),
        (149900.0, 460100.0),
        (149900.0, 459900.0),
    ];
    const HOLE: [(f64, f64); 4] = [
        (150000.0, 460000.0),
        (150010.0, 460010.0),
        (150020.0, 460000.0),
        (150000.0, 460000.0),
    ];

    #[test]
    fn straight_curve_types_read_as_the_linear_types() {
        let polygon = by_crate(&polygon_wkb(&[&OUTER, &HOLE])).unwrap();
        // Rings as LineStrings, or as CompoundCurves of straight pieces.
        let plain = of(10, &[points(2, &OUTER), points(2, &HOLE)]);
        let compound = of(
            10,
            &[
                of(9, &[points(2, &OUTER[..2]), points(2, &OUTER[1..])]),
                of(9, &[points(2, &HOLE)]),
            ],
        );
        for wkb in [&plain, &compound] {
            assert_eq!(geometry(wkb).unwrap(), Some(polygon.clone()));
        }
        let multi = by_crate(&of(6, &[polygon_wkb(&[&OUTER, &HOLE])])).unwrap();
        assert_eq!(
            geometry(&of(12, &[polygon_wkb(&[&OUTER, &HOLE])])).unwrap(),
            Some(multi.clone())
        );
        assert_eq!(
            geometry(&of(12, std::slice::from_ref(&plain))).unwrap(),
            Some(multi)
        );
        // Z (ISO 1010, 1002) and big-endian: the same polygon.
        let mut z = head(1010, 1);
        z.extend_from_slice(&head(1002, OUTER.len()));
        for (x, y) in OUTER {
            for v in [x, y, 7.5] {
                z.extend_from_slice(&v.to_le_bytes());
            }
        }
        let mut be = vec![0, 0, 0, 0, 10, 0, 0, 0, 1, 0, 0, 0, 0, 2, 0, 0, 0, 5];
        for (x, y) in OUTER {
            be.extend_from_slice(&x.to_be_bytes());
            be.extend_from_slice(&y.to_be_bytes());
        }
        let outer = by_crate(&polygon_wkb(&[&OUTER])).unwrap();
        assert_eq!(geometry(&z).unwrap(), Some(outer.clone()));
        assert_eq!(geometry(&be).unwrap(), Some(outer));
        // A collection holding a straight CircularString and a Point.
        let three = [(1.0, 1.0), (2.0, 2.0), (3.0, 3.0)];
        assert_eq!(
            geometry(&of(7, &[points(8, &three), by_hand_point(5.0, 6.0)])).unwrap(),
            Some(Geometry::GeometryCollection(geo::GeometryCollection(vec![
                Geometry::LineString(LineString::from(three.to_vec())),
                Geometry::Point(geo::Point::new(5.0, 6.0)),
            ])))
        );
        // A MultiCurve of a LineString is a MultiLineString.
        assert_eq!(
            geometry(&of(11, &[points(2, &OUTER)])).unwrap(),
            by_crate(&of(5, &[points(2, &OUTER)]))
        );
    }

    /// Shoelace area of a ring, relative to its first point (RD New coordinates squared would
    /// drown the figures checked).
    fn area(ring: &[Coord]) -> f64 {
        let o = ring[0];
        ring.windows(2)
            .map(|w| (w[0].x - o.x) * (w[1].y - o.y) - (w[1].x - o.x) * (w[0].y - o.y))
            .sum::<f64>()
            / 2.0
    }

    #[test]
    fn arcs_are_cut_into_chords_on_their_circle() {
        // A quarter disc of radius 30 m around (150000, 460000): the arc from east to north
        // through 45 degrees, then straight back through the centre.
        let (cx, cy, r) = (150000.0, 460000.0, 30.0);
        let s = std::f64::consts::FRAC_1_SQRT_2 * r;
        let arc = [(cx + r, cy), (cx + s, cy + s), (cx, cy + r)];
        let ring = of(
            9,
            &[
                points(8, &arc),
                points(2, &[(cx, cy + r), (cx, cy), (cx + r, cy)]),
            ],
        );
        let Some(Geometry::Polygon(p)) = geometry(&of(10, &[ring])).unwrap() else {
            panic!("not a polygon");
        };
        let v = &p.exterior().0;
        assert_eq!(v.first(), v.last(), "the ring closes");
        let on_arc = &v[..v.len() - 2];
        // At least the 5-degree step: 18 chords over 90 degrees.
        assert!(on_arc.len() > 18, "{} points", on_arc.len());
        for w in on_arc.windows(2) {
            for c in [w[0], w[1]] {
                assert!(
                    ((c.x - cx).hypot(c.y - cy) - r).abs() < 1e-6,
                    "{c:?} off the circle"
                );
                assert!(
                    c.x >= cx - 1e-9 && c.y >= cy - 1e-9,
                    "{c:?} outside the quarter"
                );
            }
            let mid = ((w[0].x + w[1].x) / 2.0, (w[0].y + w[1].y) / 2.0);
            assert!(
                r - (mid.0 - cx).hypot(mid.1 - cy) <= 0.05 + 1e-9,
                "chord too far from the arc"
            );
        }
        // Counter-clockwise as drawn; inscribed chords lose less than the arc length times the
        // deviation (each segment of the disc cut off lies in a chord x sagitta rectangle).
        let exact = std::f64::consts::PI * r * r / 4.0;
        let got = area(v);
        let bound = (std::f64::consts::PI * r / 2.0) * 0.05;
        assert!(got < exact && exact - got < bound, "{got} vs {exact}");
        // The same arc drawn the other way (clockwise) covers the same quarter.
        let back = [arc[2], arc[1], arc[0]];
        let ring = of(
            9,
            &[
                points(2, &[(cx + r, cy), (cx, cy), (cx, cy + r)]),
                points(8, &back),
            ],
        );
        let Some(Geometry::Polygon(q)) = geometry(&of(10, &[ring])).unwrap() else {
            panic!("not a polygon");
        };
        assert!((area(&q.exterior().0) + got).abs() < 1e-6, "{got}");
        // A whole circle (first point repeated, the middle one opposite) of radius 1000 m:
        // area within the same bound of pi r^2, every point on the circle.
        let big = 1000.0;
        let circle = points(8, &[(cx + big, cy), (cx - big, cy), (cx + big, cy)]);
        let Some(Geometry::LineString(l)) = geometry(&circle).unwrap() else {
            panic!("not a line");
        };
        let exact = std::f64::consts::PI * big * big;
        let bound = (2.0 * std::f64::consts::PI * big) * 0.05;
        assert!((exact - area(&l.0)).abs() < bound && area(&l.0) < exact);
        assert!(l
            .0
            .iter()
            .all(|c| ((c.x - cx).hypot(c.y - cy) - big).abs() < 1e-6));
        // Three collinear points are two straight pieces.
        let straight = points(8, &[(0.0, 0.0), (1.0, 1.0), (3.0, 3.0)]);
        assert_eq!(
            geometry(&straight).unwrap(),
            Some(Geometry::LineString(LineString::from(vec![
                (0.0, 0.0),
                (1.0, 1.0),
                (3.0, 3.0)
            ])))
        );
    }

    #[test]
    fn unsupported_and_broken_curves_are_named() {
        // A PolyhedralSurface of one face, a TIN, a Triangle: named, never read as another type.
        for (code, name) in [(15, "PolyhedralSurface"), (16, "TIN"), (1017, "Triangle")] {
            let wkb = of(code, &[polygon_wkb(&[&OUTER])]);
            let e = geometry(&wkb).unwrap_err();
            assert!(e.contains(name) && e.contains("does not read"), "{e}");
        }
        // Also inside a collection, where the crate would read type 15 as 7.
        let nested = of(7, &[of(15, &[polygon_wkb(&[&OUTER])])]);
        assert!(geometry(&nested).unwrap_err().contains("PolyhedralSurface"));
        let e = geometry(&points(99, &OUTER)).unwrap_err();
        assert!(e.contains("unknown WKB geometry type (code 99)"), "{e}");
        // An even number of arc points, a Point as a ring, a CurvePolygon cut short.
        let e = geometry(&points(8, &OUTER[..4])).unwrap_err();
        assert!(e.contains("CircularString of 4 points"), "{e}");
        let e = geometry(&of(10, &[points(1, &[])])).unwrap_err();
        assert!(e.contains("Point"), "{e}");
        let whole = of(10, &[points(2, &OUTER)]);
        let e = geometry(&whole[..whole.len() - 3]).unwrap_err();
        assert!(e.contains("CurvePolygon cut short"), "{e}");
    }
}
