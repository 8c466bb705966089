//! GeoParquet in and out (`--features parquet`):
//! - the Harderwijk and Helsinki studies run from GeoParquet copies of their GeoJSON layers
//!   (written by `scripts/make_geoparquet_copies.py` with pyarrow, shapely and pyproj, not by
//!   kindscape) write the same files as the GeoJSON runs, byte for byte, `run.json` aside (it
//!   records the input files, which differ by design);
//! - `[study] formats = ["parquet"]` writes `homes.parquet` and `neighbourhoods.parquet`, which
//!   `scripts/check_geoparquet_output.py` reads back with pyarrow and compares with the CSVs.
//!
//! The Python side runs on `$KINDSCAPE_PYTHON` (else `python3`). Without pyarrow, shapely and
//! pyproj there the tests skip with a message, unless `KINDSCAPE_REQUIRE_PYARROW=1` (set by
//! `.ci/run`), which makes that a failure.
#![cfg(feature = "parquet")]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn python() -> String {
    std::env::var("KINDSCAPE_PYTHON").unwrap_or_else(|_| "python3".into())
}

/// Whether the Python side can run; `false` with a message (or a failure, when required).
fn have_pyarrow() -> bool {
    let ok = Command::new(python())
        .args(["-c", "import pyarrow, shapely, pyproj"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        let what = format!(
            "{} cannot import pyarrow, shapely and pyproj (pip install pyarrow shapely pyproj, and set KINDSCAPE_PYTHON to that python)",
            python()
        );
        if std::env::var("KINDSCAPE_REQUIRE_PYARROW").is_ok_and(|v| v == "1") {
            panic!("KINDSCAPE_REQUIRE_PYARROW=1 but {what}");
        }
        eprintln!("skipped: {what}");
    }
    ok
}

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scripts")
        .join(name)
}

/// Runs a Python script, failing the test with its output when it fails.
fn run_python(args: &[&std::ffi::OsStr]) {
    let o = Command::new(python()).args(args).output().unwrap();
    assert!(
        o.status.success(),
        "{:?} failed:\n{}{}",
        args,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

/// The GeoParquet copies of the shared data, or `None` (with a message) when the shared data or
/// the Python side is missing.
fn copies(dir: &Path) -> Option<(PathBuf, PathBuf)> {
    let data = common::shared_data_dir()?;
    if !have_pyarrow() {
        return None;
    }
    let out = dir.join("copies");
    let script = script("make_geoparquet_copies.py");
    run_python(&[script.as_os_str(), data.as_os_str(), out.as_os_str()]);
    Some((data, out))
}

/// Rewrites a GeoJSON study to read every layer of the shared data from its GeoParquet copy.
fn study_from(geojson_study: &Path, data: &Path, copies: &Path, name: &str) -> PathBuf {
    let text = std::fs::read_to_string(geojson_study).unwrap();
    let prefix = format!("path = \"{}/", data.display());
    let mut out = String::new();
    let mut replaced = 0;
    for line in text.lines() {
        match line
            .strip_prefix(&prefix)
            .and_then(|r| r.strip_suffix(".geojson\""))
        {
            Some(rel) => {
                let copy = copies.join(format!("{rel}.parquet"));
                assert!(copy.exists(), "no copy of {rel}");
                out.push_str(&format!("path = \"{}\"\n", copy.display()));
                replaced += 1;
            }
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    assert!(replaced >= 3, "only {replaced} layers moved to GeoParquet");
    // In a folder of its own under the same file name: the report names the study file.
    let dir = geojson_study.with_file_name(name);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(geojson_study.file_name().unwrap());
    std::fs::write(&path, out).unwrap();
    path
}

/// The GeoJSON run and the GeoParquet run of an example study write the same files.
fn same_outputs_from_geoparquet(example: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let Some((data, copies)) = copies(tmp.path()) else {
        return;
    };
    let geojson = common::example_study(example, &data, tmp.path());
    let out = |name: &str| tmp.path().join(name);
    common::run_quiet(&geojson, &out("out-geojson"));
    let parquet = study_from(&geojson, &data, &copies, "from-parquet");
    common::run_quiet(&parquet, &out("out-parquet"));
    common::assert_same_outputs(&out("out-geojson"), &out("out-parquet"), &[]);
}

#[test]
fn harderwijk_from_geoparquet_equals_geojson() {
    same_outputs_from_geoparquet("harderwijk.toml");
}

#[test]
fn helsinki_from_geoparquet_equals_geojson() {
    same_outputs_from_geoparquet("helsinki.toml");
}

/// `formats = ["parquet"]` on an example study: the two files, read back by pyarrow, hold the
/// CSVs' rows; every other output is the run's without the option.
fn written_geoparquet_reads_back(example: &str) {
    let Some(data) = common::shared_data_dir() else {
        return;
    };
    if !have_pyarrow() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let study = common::example_study(example, &data, tmp.path());
    let out = |name: &str| tmp.path().join(name);
    common::run_quiet(&study, &out("out-plain"));
    let text = std::fs::read_to_string(&study).unwrap();
    let text = text.replacen("[study]\n", "[study]\nformats = [\"parquet\"]\n", 1);
    assert!(text.contains("formats = [\"parquet\"]"));
    let with = tmp.path().join("with-parquet");
    std::fs::create_dir_all(&with).unwrap();
    let with = with.join(example);
    std::fs::write(&with, text).unwrap();
    common::run_quiet(&with, &out("out-parquet"));
    for name in ["homes.parquet", "neighbourhoods.parquet"] {
        assert!(out("out-parquet").join(name).is_file(), "no {name}");
        assert!(
            !out("out-plain").join(name).exists(),
            "{name} without the option"
        );
    }
    common::assert_same_outputs(&out("out-plain"), &out("out-parquet"), &[]);
    let check = script("check_geoparquet_output.py");
    run_python(&[check.as_os_str(), out("out-parquet").as_os_str()]);
}

#[test]
fn harderwijk_geoparquet_output_reads_back_with_pyarrow() {
    written_geoparquet_reads_back("harderwijk.toml");
}

#[test]
fn helsinki_geoparquet_output_reads_back_with_pyarrow() {
    written_geoparquet_reads_back("helsinki.toml");
}
