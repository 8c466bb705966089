#![no_main]
//! The GeoPackage reader on arbitrary bytes written to a .gpkg.

use libfuzzer_sys::fuzz_target;

#[path = "../harness.rs"]
mod harness;

fuzz_target!(|bytes: &[u8]| {
    harness::keep_caught_panics_alive();
    let _ = harness::gpkg(bytes);
});
