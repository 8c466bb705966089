#![no_main]
//! The pure-Rust GeoTIFF reader on arbitrary bytes.

use libfuzzer_sys::fuzz_target;

#[path = "../harness.rs"]
mod harness;

fuzz_target!(|bytes: &[u8]| {
    harness::keep_caught_panics_alive();
    let _ = harness::geotiff(bytes);
});
