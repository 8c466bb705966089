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

/// The shared data folder (`$KINDSCAPE_SHARED_DATA`, else `../shared/data` beside the crate), or
/// `None` when it is absent: the caller skips, unless `KINDSCAPE_REQUIRE_SHARED=1` (CI), which
/// makes its absence a failure.
pub fn shared_data() -> Option<PathBuf> {
    let dir = std::env::var_os("KINDSCAPE_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data"));
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("KINDSCAPE_REQUIRE_SHARED").as_deref() == Ok("1") {
        panic!("shared data not found at {}", dir.display());
    }
    eprintln!("skipped: shared data not found at {}", dir.display());
    None
}

/// The Helsinki elevation GeoTIFF in the shared data.
pub fn helsinki_elevation(shared: &Path) -> PathBuf {
    shared.join("helsinki-centre/raster/helsinki_elevation_2021_lapinlahti_epsg4326.tif")
}
