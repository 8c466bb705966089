//! Which folder may receive a run's outputs.
//!
//! A run replaces its output folder as a whole (see [`super::atomic`]), so the rule is:
//! * no input (the study file or any layer) may lie inside the output folder, at any depth: that
//!   refuses `output = "."`, `output = ""`, `--out` naming the study's own folder or one above it,
//!   and any output path equal to an input path;
//! * an existing output folder may hold only files kindscape writes (and what its killed runs left):
//!   anything else (a user's notes, a folder named `report.html`) is refused, never deleted.
//!
//! A dedicated subfolder, such as the default `out/<study>`, meets both. Paths are compared after
//! resolving symbolic links and `..`, so two spellings of one folder are one folder.

use std::path::{Component, Path, PathBuf};

use crate::error::{Error, Result};
use crate::study::Input;

/// Every file a run may write into its output folder.
pub const OUTPUT_FILES: &[&str] = &[
    "neighbourhoods.csv",
    "neighbourhoods.geojson",
    "homes.csv",
    "equity.csv",
    "meeting_places.csv",
    "sites.csv",
    "sites.geojson",
    "catchments.geojson",
    "cba.csv",
    "closures.csv",
    "closures_by_neighbourhood.csv",
    "scenarios.csv",
    "kindscape.gpkg",
    "homes.parquet",
    "neighbourhoods.parquet",
    // A region study's own files (`kindscape split`), which `kindscape merge` reads.
    "region_homes.csv",
    "region_neighbourhoods.csv",
    "report.html",
    "report.pdf",
    "summary.md",
    "run.json",
];

/// What staging folders of earlier kindscape versions were called (inside the output folder).
const OLD_STAGING_PREFIX: &str = ".kindscape-staging-";

/// `path` made absolute, with symbolic links and `..` resolved as far as the path exists (the
/// rest, not yet created, is appended as written).
pub fn resolved(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(real) = std::fs::canonicalize(existing) {
            let mut out = real;
            for c in rest.iter().rev() {
                match c {
                    Component::ParentDir => {
                        out.pop();
                    }
                    Component::Normal(n) => out.push(n),
                    _ => {}
                }
            }
            return out;
        }
        match (existing.parent(), existing.components().next_back()) {
            (Some(parent), Some(last)) => {
                rest.push(last);
                existing = parent;
            }
            _ => return absolute,
        }
    }
}

/// Refuses an output folder that holds an input, or that is itself an input file.
pub fn check_against_inputs(
    out_dir: &Path,
    target: &Path,
    inputs: &[Input],
    study: &Path,
) -> Result<()> {
    for input in inputs {
        let input_path = resolved(&input.path);
        if input_path.starts_with(target) {
            let suggestion = study
                .file_stem()
                .map(|s| format!("out/{}", s.to_string_lossy()))
                .unwrap_or_else(|| "out/study".into());
            let how = if input_path == target {
                "is that input itself"
            } else {
                "holds that input"
            };
            return Err(Error::io(
                out_dir,
                format!(
                    "the output folder {how} ({} {}), and a run replaces the whole output folder; write to a dedicated folder instead, e.g. `--out {suggestion}` or `output = \"{suggestion}\"` in [study]",
                    input.key,
                    input.path.display()
                ),
            ));
        }
    }
    Ok(())
}

/// What a run checks of its output folder before any work, without creating, locking or
/// writing anything: `kindscape check` stops where `run` would.
pub fn check_before_run(out_dir: &Path, inputs: &[Input], study: &Path) -> Result<()> {
    let target = resolved(out_dir);
    check_against_inputs(out_dir, &target, inputs, study)?;
    check_contents(out_dir, &target)
}

/// Refuses an existing output folder that holds anything a run did not write, since committing
/// replaces the folder whole. A missing folder is fine.
pub fn check_contents(out_dir: &Path, target: &Path) -> Result<()> {
    let meta = match std::fs::metadata(target) {
        Ok(m) => m,
        Err(_) => return Ok(()),
    };
    if !meta.is_dir() {
        return Err(Error::io(
            out_dir,
            "the output folder is a file, not a folder; choose another with --out",
        ));
    }
    let entries = std::fs::read_dir(target)
        .map_err(|e| Error::io(out_dir, format!("cannot read the output folder: {e}")))?;
    let mut foreign = Vec::new();
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        let is_file = e.file_type().map(|t| t.is_file()).unwrap_or(false);
        let is_dir = e.file_type().map(|t| t.is_dir()).unwrap_or(false);
        let ours = (is_file && OUTPUT_FILES.contains(&name.as_str()))
            || (is_dir && name.starts_with(OLD_STAGING_PREFIX));
        if !ours {
            foreign.push(if is_file {
                name
            } else {
                format!("{name} (not a file)")
            });
        }
    }
    if foreign.is_empty() {
        return Ok(());
    }
    foreign.sort();
    Err(Error::io(
        out_dir,
        format!(
            "the output folder holds {} that kindscape did not write: {}; a run replaces the whole output folder, so move {} out or choose an empty or new folder with --out",
            if foreign.len() == 1 { "an entry" } else { "entries" },
            foreign.join(", "),
            if foreign.len() == 1 { "it" } else { "them" },
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(key: &str, p: &Path) -> Input {
        Input {
            key: key.into(),
            path: p.to_path_buf(),
        }
    }

    #[test]
    fn resolving_follows_dots_and_links_into_missing_folders() {
        let dir = tempfile::tempdir().unwrap();
        let real = resolved(dir.path());
        std::fs::create_dir(real.join("a")).unwrap();
        assert_eq!(resolved(&real.join("a/../b/c")), real.join("b/c"));
        assert_eq!(resolved(&real.join("a/.")), real.join("a"));
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(real.join("a"), real.join("link")).unwrap();
            assert_eq!(resolved(&real.join("link/new")), real.join("a/new"));
        }
    }

    #[test]
    fn an_output_folder_holding_an_input_is_refused_a_subfolder_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let root = resolved(dir.path());
        let study = root.join("study.toml");
        let inputs = [
            input("the study file", &study),
            input("[homes] path", &root.join("layers/homes.geojson")),
        ];
        let refuse = |out: &Path| {
            check_against_inputs(out, &resolved(out), &inputs, &study)
                .unwrap_err()
                .to_string()
        };
        let msg = refuse(&root);
        assert!(msg.contains("holds that input (the study file"), "{msg}");
        assert!(msg.contains("--out out/study"), "{msg}");
        assert!(refuse(&root.join("layers")).contains("[homes] path"));
        assert!(refuse(&root.join("layers/x/..")).contains("[homes] path"));
        assert!(refuse(&root.join("layers/homes.geojson")).contains("is that input itself"));
        for ok in ["out/study", "layers/out", "layers-out"] {
            let out = root.join(ok);
            assert!(
                check_against_inputs(&out, &resolved(&out), &inputs, &study).is_ok(),
                "{ok}"
            );
        }
    }

    #[test]
    fn only_kindscape_outputs_may_be_in_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        assert!(
            check_contents(&out, &out).is_ok(),
            "a missing folder is fine"
        );
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("homes.csv"), "x").unwrap();
        std::fs::create_dir(out.join(".kindscape-staging-12")).unwrap();
        assert!(check_contents(&out, &out).is_ok());
        std::fs::create_dir(out.join("report.html")).unwrap();
        std::fs::write(out.join("notes.txt"), "mine").unwrap();
        let msg = check_contents(&out, &out).unwrap_err().to_string();
        assert!(
            msg.contains(
                "holds entries that kindscape did not write: notes.txt, report.html (not a file)"
            ),
            "{msg}"
        );
        std::fs::write(dir.path().join("file"), "x").unwrap();
        let file = dir.path().join("file");
        assert!(check_contents(&file, &file)
            .unwrap_err()
            .to_string()
            .contains("is a file"));
    }
}
