#![no_main]
//! The GeoPackage reader on arbitrary bytes written to a .gpkg.

use libfuzzer_sys::fuzz_target;

#[path = "../harness.rs"]
mod harness;

fuzz_target!(|bytes: &[u8]| {
    let _ = harness::gpkg(bytes);
});
