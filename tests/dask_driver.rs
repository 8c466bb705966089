//! scripts/dask_regions.py on a Dask LocalCluster of 2 workers: split, every region's run as a
//! task, merge as the last task; the merged outputs equal the single run's.
//!
//! The driver runs on `$KINDSCAPE_PYTHON` (else `python3`) with `dask` and `distributed`
//! installed. Without them the test says so and passes, unless `KINDSCAPE_REQUIRE_DASK=1`
//! (set by .ci/run), where it fails.
#![cfg(feature = "parquet")]

use std::path::Path;
use std::process::Command;

use kindscape::run::{run_study, RunOptions};
use kindscape::sample::{write_sample, SampleOptions};

fn python() -> String {
    std::env::var("KINDSCAPE_PYTHON").unwrap_or_else(|_| "python3".into())
}

/// Whether the Python has Dask distributed; without it, a skip (or a failure in CI).
fn has_dask() -> bool {
    let ok = Command::new(python())
        .args(["-c", "import dask.distributed"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        let why = format!(
            "{} cannot import dask.distributed (pip install dask distributed, and set KINDSCAPE_PYTHON to that python)",
            python()
        );
        if std::env::var("KINDSCAPE_REQUIRE_DASK").as_deref() == Ok("1") {
            panic!("KINDSCAPE_REQUIRE_DASK=1: {why}");
        }
        eprintln!("skipped: {why}");
    }
    ok
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_dask_driver_on_two_workers_gives_the_single_runs_outputs() {
    if !has_dask() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let study = write_sample(
        &dir.path().join("city"),
        &SampleOptions {
            homes: 15_000,
            seed: 5,
            ..SampleOptions::default()
        },
    )
    .unwrap()
    .study;
    let single = dir.path().join("single");
    run_study(
        &study,
        &RunOptions {
            out: Some(single.clone()),
            quiet: true,
            ..RunOptions::default()
        },
    )
    .unwrap();

    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/dask_regions.py");
    let (work, merged) = (dir.path().join("regions"), dir.path().join("merged"));
    let out = Command::new(python())
        .arg(&script)
        .arg(&study)
        .args(["--tiles", "4", "--workers", "2", "--threads", "1"])
        .arg("--work")
        .arg(&work)
        .arg("--out")
        .arg(&merged)
        .arg("--kindscape")
        .arg(env!("CARGO_BIN_EXE_kindscape"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the driver failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Four region tasks ran, each reporting its time and memory.
    let timings: serde_json::Value =
        serde_json::from_str(&read(&work.join("timings.json"))).unwrap();
    let regions = timings["regions"].as_array().unwrap();
    assert_eq!(regions.len(), 4, "{stdout}");
    assert!(
        regions
            .iter()
            .all(|r| r["seconds"].as_f64().unwrap() > 0.0
                && r["peak_rss_mib"].as_f64().unwrap() > 1.0)
    );
    assert_eq!(timings["merge"]["regions"], 4);

    for file in ["homes.csv", "neighbourhoods.csv", "equity.csv"] {
        assert!(
            read(&single.join(file)) == read(&merged.join(file)),
            "{file} of the Dask run differs from the single run's"
        );
    }
}
