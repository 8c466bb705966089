#![no_main]
//! The GeoPackage geometry blob decoder (GP header, then WKB) and polygon cleaning on arbitrary bytes.

use libfuzzer_sys::fuzz_target;

#[path = "../harness.rs"]
mod harness;

fuzz_target!(|bytes: &[u8]| {
    harness::keep_caught_panics_alive();
    let _ = harness::gpkg_wkb(bytes);
});
