#![no_main]
//! The Shapefile reader on arbitrary .shp and .dbf bytes (see `harness::split_shapefile`).

use libfuzzer_sys::fuzz_target;

#[path = "../harness.rs"]
mod harness;

fuzz_target!(|bytes: &[u8]| {
    harness::keep_caught_panics_alive();
    let _ = harness::shapefile(bytes);
});
