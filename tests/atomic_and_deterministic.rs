//! Outputs are atomic (a killed run leaves the previous outputs intact) and deterministic
//! (byte-identical across runs and thread counts).

mod common;

use std::path::Path;
use std::time::Duration;

use common::*;

fn outputs(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_file())
        .map(|e| {
            (
                e.file_name().to_string_lossy().to_string(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

#[test]
fn same_outputs_whatever_the_thread_count() {
    let Some(data) = shared_data_dir() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let study = example_study("helsinki.toml", &data, dir.path());
    let mut runs = Vec::new();
    for (i, threads) in ["1", "2", "4", "1"].iter().enumerate() {
        let out = dir.path().join(format!("out{i}"));
        let status = kindscape()
            .args(["run", "--quiet", "--threads", threads, "--out"])
            .arg(&out)
            .arg(&study)
            .status()
            .unwrap();
        assert!(status.success());
        // run.json holds timings; everything else must match byte for byte.
        runs.push(
            outputs(&out)
                .into_iter()
                .filter(|(n, _)| n != "run.json")
                .collect::<Vec<_>>(),
        );
    }
    assert!(
        runs[0].len() >= 5,
        "{:?}",
        runs[0].iter().map(|r| &r.0).collect::<Vec<_>>()
    );
    for r in &runs[1..] {
        assert_eq!(r.len(), runs[0].len());
        for (a, b) in runs[0].iter().zip(r) {
            assert_eq!(a.0, b.0);
            assert!(a.1 == b.1, "{} differs between runs", a.0);
        }
    }
}

#[test]
fn a_killed_run_leaves_the_previous_outputs_intact() {
    let Some(data) = shared_data_dir() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let study = example_study("helsinki.toml", &data, dir.path());
    let out = dir.path().join("out");
    assert!(kindscape()
        .args(["run", "--quiet", "--out"])
        .arg(&out)
        .arg(&study)
        .status()
        .unwrap()
        .success());
    let before = outputs(&out);
    // Kill runs at several moments: before, during and after the writing of outputs.
    for delay_ms in [50u64, 150, 300, 500, 700, 900] {
        let mut child = kindscape()
            .args(["run", "--quiet", "--threads", "1", "--out"])
            .arg(&out)
            .arg(&study)
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill(); // SIGKILL on Unix
        let _ = child.wait();
        let after = outputs(&out);
        // Each output is the previous one or a complete new one: same names, and identical
        // content, since the inputs did not change (run.json differs only in timings).
        assert_eq!(
            after.iter().map(|f| &f.0).collect::<Vec<_>>(),
            before.iter().map(|f| &f.0).collect::<Vec<_>>()
        );
        for (a, b) in before.iter().zip(&after) {
            if a.0 != "run.json" {
                assert!(a.1 == b.1, "{} changed after a kill at {delay_ms} ms", a.0);
            } else {
                serde_json::from_slice::<serde_json::Value>(&b.1).expect("run.json is whole");
            }
        }
    }
    // The next run removes what killed runs left in their staging folders.
    assert!(kindscape()
        .args(["run", "--quiet", "--out"])
        .arg(&out)
        .arg(&study)
        .status()
        .unwrap()
        .success());
    let leftovers: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
