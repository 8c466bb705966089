//! Helpers shared by integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// The shared real-data folder: `$KINDSCAPE_SHARED_DATA`, else `<CARGO_MANIFEST_DIR>/../shared/data`.
/// `None` (after printing a skip message) when it is absent, unless `KINDSCAPE_REQUIRE_SHARED=1`,
/// in which case the test panics: CI with the data must not skip silently.
pub fn shared_data_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("KINDSCAPE_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data"));
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("KINDSCAPE_REQUIRE_SHARED").as_deref() == Ok("1") {
        panic!(
            "shared data not found at {} (KINDSCAPE_REQUIRE_SHARED=1)",
            dir.display()
        );
    }
    eprintln!("skipped: shared data not found at {}", dir.display());
    None
}
