//! Standard WKB to a geo-types geometry, for the readers that store geometries as WKB
//! (GeoPackage after its blob header, GeoParquet as it is).

use std::panic::{catch_unwind, AssertUnwindSafe};

use geo::Geometry;
use geo_traits::to_geo::ToGeoGeometry;

/// Decodes WKB (ISO or extended): `None` for an empty point, which geo-types cannot hold.
pub fn geometry(wkb: &[u8]) -> Result<Option<Geometry>, String> {
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
