//! The corpus of bad inputs (`tests/bad_inputs/<case>/`, made by `scripts/make_bad_inputs.py`):
//! each case is a study with one thing wrong and an `expect.txt` saying whether kindscape must
//! stop with an error, finish with a warning, or finish cleanly, and which words the message
//! must hold (and, with a line `unchanged`, that the run leaves every file as it was). Never a
//! panic. An error `run` finds, `check` finds too, with the same message, unless the case says
//! `error run-only` (an error about the output folder, which `check` never writes). A line
//! `default-build` marks a case about what a build without the `parquet` feature lacks.

mod common;

use std::path::Path;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// Every file under `dir` (relative path -> bytes).
fn snapshot(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut files = std::collections::BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                todo.push(p);
            } else {
                let name = p.strip_prefix(dir).unwrap().display().to_string();
                files.insert(name, std::fs::read(&p).unwrap());
            }
        }
    }
    files
}

#[test]
fn every_bad_input_gets_its_message_and_never_a_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad_inputs");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() && !p.ends_with("_base"))
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 40,
        "the corpus should hold at least 40 cases, found {}",
        cases.len()
    );
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let tmp = tempfile::tempdir().unwrap();
        copy_dir(&root.join("_base"), &tmp.path().join("_base"));
        copy_dir(case, &tmp.path().join(&name));
        let expect = std::fs::read_to_string(case.join("expect.txt")).unwrap();
        // A case about what a default build lacks (GeoParquet) holds only there, and one about
        // what only the `parquet` feature does (split) only in that build.
        let marked = |m: &str| expect.lines().any(|l| l.trim() == m);
        if cfg!(feature = "parquet") && marked("default-build") {
            continue;
        }
        if !cfg!(feature = "parquet") && marked("parquet-build") {
            continue;
        }
        // A case of another verb (split, merge) gives its arguments, `{case}` for its folder.
        let case_dir = tmp.path().join(&name);
        let args: Option<Vec<String>> =
            std::fs::read_to_string(case.join("args.txt"))
                .ok()
                .map(|t| {
                    t.lines()
                        .map(|l| l.replace("{case}", &case_dir.to_string_lossy()))
                        .collect()
                });
        let mut lines = expect.lines();
        let status = lines.next().unwrap().trim().to_string();
        let before = snapshot(tmp.path());
        let out = common::kindscape()
            .args(args.clone().unwrap_or_else(|| {
                vec![
                    "run".into(),
                    case_dir.join("study.toml").to_string_lossy().into_owned(),
                ]
            }))
            // The memory checks answer the same on every machine.
            .env("KINDSCAPE_MEMORY_LIMIT", "1G")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        // Errors and warnings are on stderr, the summary on stdout.
        let text = if status.starts_with("error") {
            stderr.to_string()
        } else {
            format!("{stdout}{stderr}")
        };
        let mut problems = Vec::new();
        let (unchanged, wants): (Vec<&str>, Vec<&str>) = lines
            .filter(|l| {
                !l.trim().is_empty() && !matches!(l.trim(), "default-build" | "parquet-build")
            })
            .partition(|l| l.trim() == "unchanged");
        if !unchanged.is_empty() && snapshot(tmp.path()) != before {
            problems.push("the run changed or added files".to_string());
        }
        if stderr.contains("panicked") {
            problems.push("panicked".to_string());
        }
        // `check` resolves and loads exactly as `run` does, so it finds the same error, with
        // the same message, before anything is computed; only what needs the output folder
        // (marked `error run-only`) is left to `run`.
        if status == "error" && args.is_none() {
            let checked = common::kindscape()
                .arg("check")
                .arg(tmp.path().join(&name).join("study.toml"))
                .env("KINDSCAPE_MEMORY_LIMIT", "1G")
                .output()
                .unwrap();
            let check_stderr = String::from_utf8_lossy(&checked.stderr);
            if checked.status.code() != Some(1) || check_stderr != stderr {
                problems.push(format!(
                    "check (exit {:?}) differs from run: {}",
                    checked.status.code(),
                    check_stderr.trim()
                ));
            }
        }
        match status.as_str() {
            "error" | "error run-only" if out.status.code() != Some(1) => {
                problems.push(format!("exit status {:?}, expected 1", out.status.code()))
            }
            "warning" | "ok" if !out.status.success() => problems.push(format!("failed: {stderr}")),
            _ => {}
        }
        for want in wants {
            if !text.contains(want) {
                problems.push(format!("message lacks `{want}`"));
            }
        }
        if !problems.is_empty() {
            failures.push(format!(
                "{name}: {}\n    stdout: {}\n    stderr: {}",
                problems.join("; "),
                stdout.trim(),
                stderr.trim()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
