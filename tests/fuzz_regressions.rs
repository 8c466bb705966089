//! Replays what the fuzzers found and a handful of interesting corpus entries
//! (`fuzz/regressions/<target>/`) through the same code the fuzz targets run
//! (`fuzz/harness.rs`), on stable Rust and without libFuzzer: no input may panic, and every
//! error must name the file it came from.

#[path = "../fuzz/harness.rs"]
mod harness;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

fn inputs(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} holds no inputs", dir.display());
    files
}

/// Runs `run` on every input of `target`; fails listing every input that panicked.
fn replay(target: &str, run: impl Fn(&[u8])) {
    let mut failures = Vec::new();
    for path in inputs(target) {
        let bytes = std::fs::read(&path).unwrap();
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| run(&bytes))) {
            let msg = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            failures.push(format!("{}: {msg}", path.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn study_inputs_never_panic_and_errors_name_the_file() {
    replay("study", |bytes| {
        // libFuzzer's `&str` targets skip input that is not UTF-8; so does the replay.
        if let Ok(text) = std::str::from_utf8(bytes) {
            let _ = harness::study(text);
        }
    });
}

#[test]
fn geojson_inputs_never_panic_and_errors_name_the_file() {
    replay("geojson", |bytes| {
        let _ = harness::geojson(bytes);
    });
}

#[test]
fn osm_pbf_inputs_never_panic() {
    replay("osm_pbf", |bytes| {
        let _ = harness::osm_pbf(bytes);
    });
}

#[test]
fn geotiff_inputs_never_panic() {
    replay("geotiff", |bytes| {
        let _ = harness::geotiff(bytes);
    });
}
