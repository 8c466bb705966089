//! Replays what the fuzzers found and a handful of interesting corpus entries
//! (`fuzz/regressions/<target>/`) through the same code the fuzz targets run
//! (`fuzz/harness.rs`), on stable Rust and without libFuzzer: no input may panic, and every
//! error must name the file it came from. `expected.txt` beside the inputs says, for some of
//! them, whether they must load or which words their error must hold.

#[path = "../fuzz/harness.rs"]
mod harness;

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

fn inputs(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && !p.ends_with(EXPECTED))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} holds no inputs", dir.display());
    files
}

const EXPECTED: &str = "expected.txt";

/// `expected.txt`: lines `<file>: loads` or `<file>: error <words>`; `#` starts a comment.
fn expectations(target: &str) -> HashMap<String, Option<String>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions")
        .join(target)
        .join(EXPECTED);
    let Ok(text) = std::fs::read_to_string(&path) else {
        return HashMap::new();
    };
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (file, rule) = l.split_once(": ").expect("<file>: <rule>");
            let rule = match rule.trim() {
                "loads" => None,
                r => Some(
                    r.strip_prefix("error ")
                        .expect("loads | error <words>")
                        .to_string(),
                ),
            };
            (file.to_string(), rule)
        })
        .collect()
}

/// Runs `run` (which returns the error message, if any) on every input of `target`; fails
/// listing every input that panicked or did not meet its expectation.
fn replay(target: &str, run: impl Fn(&[u8]) -> Option<String>) {
    let mut expected = expectations(target);
    let mut failures = Vec::new();
    for path in inputs(target) {
        let bytes = std::fs::read(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        match catch_unwind(AssertUnwindSafe(|| run(&bytes))) {
            Err(panic) => {
                let msg = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                failures.push(format!("{name}: panicked: {msg}"));
            }
            Ok(outcome) => match (expected.remove(&name), outcome) {
                (None, _) | (Some(None), None) => {}
                (Some(None), Some(e)) => failures.push(format!("{name}: should load: {e}")),
                (Some(Some(words)), None) => {
                    failures.push(format!("{name}: should fail with \"{words}\" but loads"))
                }
                (Some(Some(words)), Some(e)) if !e.contains(&words) => {
                    failures.push(format!("{name}: error lacks \"{words}\": {e}"))
                }
                _ => {}
            },
        }
    }
    failures.extend(
        expected
            .keys()
            .map(|k| format!("{EXPECTED} names {k}, which is missing")),
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn study_inputs_never_panic_and_errors_name_the_file() {
    replay("study", |bytes| {
        // libFuzzer's `&str` targets skip input that is not UTF-8; so does the replay.
        std::str::from_utf8(bytes).ok().and_then(harness::study)
    });
}

#[test]
fn geojson_inputs_never_panic_and_errors_name_the_file() {
    replay("geojson", harness::geojson);
}

#[test]
fn osm_pbf_inputs_never_panic_and_errors_name_the_file() {
    replay("osm_pbf", harness::osm_pbf);
}

#[test]
fn geotiff_inputs_never_panic_and_errors_name_the_file() {
    replay("geotiff", harness::geotiff);
}

#[test]
fn gpkg_wkb_inputs_never_panic() {
    replay("gpkg_wkb", harness::gpkg_wkb);
}

#[test]
fn gpkg_inputs_never_panic_and_errors_name_the_file() {
    replay("gpkg", harness::gpkg);
}

#[test]
fn shapefile_inputs_never_panic_and_errors_name_the_file() {
    replay("shapefile", harness::shapefile);
}
