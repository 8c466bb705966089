#![no_main]
//! The GeoJSON loader, reprojection to EPSG:28992 and polygon cleaning on arbitrary bytes.

use libfuzzer_sys::fuzz_target;

#[path = "../harness.rs"]
mod harness;

fuzz_target!(|bytes: &[u8]| {
    let _ = harness::geojson(bytes);
});
