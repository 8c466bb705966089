//! The output folder: never an input's folder, committed as one step (a kill at any step leaves
//! the whole old or the whole new set), one run at a time, and never a user's file deleted.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use common::kindscape;

/// Every file of a folder (not its subfolders), name -> bytes; `run.json` without its timings (they change per run).
fn contents(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_file())
        .map(|e| {
            let name = e.file_name().to_string_lossy().to_string();
            let mut bytes = std::fs::read(e.path()).unwrap();
            if name == "run.json" {
                let mut v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
                v.as_object_mut().unwrap().remove("timings_s");
                bytes = v.to_string().into_bytes();
            }
            (name, bytes)
        })
        .collect()
}

/// The sample town in `dir`, and a second study of it whose outputs differ: another name, and no
/// `[sites]` and `[costs]`, so three files fewer.
fn sample_town(dir: &Path) -> (PathBuf, PathBuf) {
    let status = kindscape().arg("sample").arg(dir).output().unwrap();
    assert!(status.status.success());
    let old = dir.join("sample-town.toml");
    let text = std::fs::read_to_string(&old).unwrap();
    let cut = text.find("[sites]").unwrap();
    let new_text = text[..cut].replace("name = \"Sample Town\"", "name = \"New Town\"");
    let new = dir.join("new-town.toml");
    std::fs::write(&new, new_text).unwrap();
    (old, new)
}

fn run(study: &Path, out: &Path, env: &[(&str, &str)]) -> Output {
    let mut cmd = kindscape();
    cmd.args(["run", "--quiet", "--out"]).arg(out).arg(study);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn ok(o: &Output) {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

fn refused(o: &Output) -> String {
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stderr).to_string()
}

#[test]
fn an_output_folder_holding_an_input_is_refused_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let (study, _) = sample_town(dir.path());
    let inputs_before = contents(dir.path());
    let text = std::fs::read_to_string(&study).unwrap();
    for output in [".", "", "./", "out/..", "homes.geojson"] {
        std::fs::write(
            &study,
            text.replace("output = \"out\"", &format!("output = \"{output}\"")),
        )
        .unwrap();
        let o = kindscape()
            .args(["run", "--quiet"])
            .arg(&study)
            .output()
            .unwrap();
        let msg = refused(&o);
        assert!(msg.contains("output folder"), "{output}: {msg}");
        assert!(msg.contains("--out out/sample-town"), "{output}: {msg}");
        assert!(
            msg.contains("the study file") || msg.contains("[homes] path"),
            "{output}: {msg}"
        );
    }
    std::fs::write(&study, &text).unwrap();
    for out in [
        dir.path().to_path_buf(),
        dir.path().join("homes.geojson"),
        dir.path().join("sub/../"),
    ] {
        let msg = refused(&run(&study, &out, &[]));
        assert!(
            msg.contains("a run replaces the whole output folder"),
            "{msg}"
        );
    }
    assert_eq!(
        contents(dir.path()),
        inputs_before,
        "no input was touched, nothing was written"
    );
    // The default, a dedicated subfolder of the study's folder, is fine.
    ok(&kindscape()
        .args(["run", "--quiet"])
        .arg(&study)
        .output()
        .unwrap());
    assert!(dir.path().join("out/summary.md").is_file());
}

#[test]
fn a_folder_with_files_kindscape_did_not_write_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let (study, new_study) = sample_town(dir.path());
    let out = dir.path().join("result");
    ok(&run(&study, &out, &[]));
    let old = contents(&out);
    std::fs::write(out.join("my notes.txt"), "mine").unwrap();
    let msg = refused(&run(&new_study, &out, &[]));
    assert!(
        msg.contains("kindscape did not write: my notes.txt"),
        "{msg}"
    );
    std::fs::remove_file(out.join("my notes.txt")).unwrap();
    // A folder where an output file belongs (it would fail the write of that one file).
    std::fs::remove_file(out.join("report.html")).unwrap();
    std::fs::create_dir(out.join("report.html")).unwrap();
    std::fs::write(out.join("report.html/keep.txt"), "mine").unwrap();
    let msg = refused(&run(&new_study, &out, &[]));
    assert!(msg.contains("report.html (not a file)"), "{msg}");
    assert_eq!(
        std::fs::read_to_string(out.join("report.html/keep.txt")).unwrap(),
        "mine"
    );
    let mut left = contents(&out.clone());
    left.remove("report.html");
    let mut want = old.clone();
    want.remove("report.html");
    assert_eq!(left, want, "the other old outputs are whole");
}

/// Kills a run at every step of writing and committing, through the one-rename exchange and
/// through the portable two-rename path: the folder then holds the whole old set or the whole
/// new one, never a mix (after the portable path's kill between its renames, the next run puts
/// the old set back before anything else).
#[test]
fn a_kill_at_every_step_of_the_commit_leaves_the_old_or_the_new_set() {
    let dir = tempfile::tempdir().unwrap();
    let (old_study, new_study) = sample_town(dir.path());
    let reference = dir.path().join("reference-new");
    ok(&run(&new_study, &reference, &[]));
    let new_set = contents(&reference);
    let out = dir.path().join("result");
    ok(&run(&old_study, &out, &[]));
    let old_set = contents(&out);
    assert_ne!(old_set.len(), new_set.len());
    let mut steps: Vec<String> = new_set.keys().map(|n| format!("wrote:{n}")).collect();
    steps.extend(["staged", "exchanged", "old-moved", "renamed"].map(String::from));
    for portable in [false, true] {
        for step in &steps {
            let mut env = vec![("KINDSCAPE_TEST_KILL_AT", step.as_str())];
            if portable {
                env.push(("KINDSCAPE_TEST_NO_EXCHANGE", "1"));
            }
            let o = run(&new_study, &out, &env);
            let reached = !o.status.success();
            let on_path = if portable {
                step != "exchanged"
            } else {
                step != "old-moved" && step != "renamed"
            };
            assert_eq!(
                reached, on_path,
                "{step} (portable {portable}): the kill hook"
            );
            let now = if out.is_dir() {
                contents(&out)
            } else {
                assert!(portable && step == "old-moved", "{step}: no output folder");
                // The next run puts the old set back first; it is killed before its own swap.
                let o = run(&new_study, &out, &[("KINDSCAPE_TEST_KILL_AT", "staged")]);
                assert!(!o.status.success());
                contents(&out)
            };
            let expected_new = matches!(step.as_str(), "exchanged" | "renamed") || !reached;
            if expected_new {
                assert!(
                    now == new_set,
                    "kill at {step} (portable {portable}): not the new set"
                );
            } else {
                assert!(
                    now == old_set,
                    "kill at {step} (portable {portable}): not the old set"
                );
            }
            // Back to the old set for the next step.
            ok(&run(&old_study, &out, &[]));
            assert!(contents(&out) == old_set);
        }
    }
    let leftovers: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with(".result.kindscape-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// Two runs into one folder, the second started a second after the first: the second refuses at
/// once naming the first, the first finishes with its whole set, and a run after it succeeds.
#[test]
fn a_second_run_into_a_busy_folder_refuses_at_once_and_harms_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (old_study, new_study) = sample_town(dir.path());
    let reference = dir.path().join("reference");
    ok(&run(&old_study, &reference, &[]));
    let out = dir.path().join("result");
    // The first run holds the folder 3 s at the end of its work (a test hook), so the second
    // surely starts while it runs.
    let first = kindscape()
        .args(["run", "--quiet", "--out"])
        .arg(&out)
        .arg(&old_study)
        .env("KINDSCAPE_TEST_PAUSE_AT", "staged")
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(1));
    let started = Instant::now();
    let second = run(&new_study, &out, &[]);
    let took = started.elapsed();
    let msg = refused(&second);
    assert!(
        msg.contains(&format!(
            "another kindscape run (pid {}, started ",
            first.id()
        )),
        "{msg}"
    );
    assert!(
        took < Duration::from_millis(1500),
        "refused after {took:?}, not at once"
    );
    let first = first.wait_with_output().unwrap();
    ok(&first);
    assert!(
        contents(&out) == contents(&reference),
        "the first run's set is whole"
    );
    ok(&run(&new_study, &out, &[]));
    assert!(String::from_utf8_lossy(&contents(&out)["summary.md"]).contains("New Town"));
    assert!(
        !out.join("sites.csv").exists(),
        "the new set replaced the old one whole"
    );
}
