//! Standard WKB to a geo-types geometry, for the readers that store geometries as WKB
//! (GeoPackage after its blob header, GeoParquet as it is).

use std::panic::{catch_unwind, AssertUnwindSafe};

use geo::Geometry;
use geo_traits::to_geo::ToGeoGeometry;

/// Decodes WKB (ISO or extended): `None` for an empty point, which geo-types cannot hold.
pub fn geometry(wkb: &[u8]) -> Result<Option<Geometry>, String> {
    if let Some(point) = plain_point(wkb) {
        return Ok(point);
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
}
