//! What the raster tests share: where the fixtures and the shared data are.
#![allow(dead_code)] // each test binary uses its own part

use std::path::{Path, PathBuf};

/// tests/fixtures/rasters, written by scripts/make_test_rasters.sh.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rasters")
}

/// A JSON fixture of tests/fixtures/rasters.
pub fn json(name: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(fixtures().join(name)).expect("fixture present");
    serde_json::from_str(&text).expect("fixture is JSON")
}

#[path = "../common/mod.rs"]
mod common;

/// The shared data folder, or `None` (the caller skips) when it is absent; see
/// `tests/common/mod.rs`.
pub fn shared_data() -> Option<PathBuf> {
    common::shared_data_dir()
}

/// The Helsinki elevation GeoTIFF in the shared data.
pub fn helsinki_elevation(shared: &Path) -> PathBuf {
    shared.join("helsinki-centre/raster/helsinki_elevation_2021_lapinlahti_epsg4326.tif")
}
