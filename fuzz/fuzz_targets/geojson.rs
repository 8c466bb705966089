#![no_main]
//! The GeoJSON loader, reprojection to EPSG:28992 and polygon cleaning on arbitrary bytes.

use libfuzzer_sys::fuzz_target;

#[path = "../harness.rs"]
mod harness;

fuzz_target!(|bytes: &[u8]| {
    harness::keep_caught_panics_alive();
    let _ = harness::geojson(bytes);
});
