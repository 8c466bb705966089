//! The data flows one way: no stage refers to a later one. Every `crate::<module>` in the code
//! of a stage (comments left out) is checked against the order of the flow.

use std::fs;
use std::path::{Path, PathBuf};

/// The stages in flow order. `cba` is the cost-benefit arithmetic (present values of new
/// children reached): it takes nothing from the site planner, which prices its sites with it.
/// `regions` splits a study and merges the regions' outputs: it reads every stage and writes
/// through `output`.
const FLOW: [&str; 12] = [
    "study",
    "layers",
    "scene",
    "reach",
    "measures",
    "neighbourhoods",
    "equity",
    "scenarios",
    "cba",
    "sites",
    "output",
    "regions",
];

/// References back up that are being removed: each must still exist (a stale entry fails, so the
/// list only shrinks). Empty since equity returns typed results that output turns into tables.
const PENDING: [(&str, &str); 0] = [];

/// Used by every stage, depending on none.
const UTILITIES: [&str; 4] = ["error", "progress", "memory", "phrase"];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The files of a module: `src/<name>.rs` and everything under `src/<name>/`.
fn module_files(src: &Path, name: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let single = src.join(format!("{name}.rs"));
    if single.is_file() {
        files.push(single);
    }
    if src.join(name).is_dir() {
        rust_files(&src.join(name), &mut files);
    }
    files
}

/// The modules named as `crate::<module>` in `code`, line by line, with comments removed.
fn references(code: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (n, line) in code.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            // The crate root re-exports the error types.
            let name = match name.as_str() {
                "Error" | "Result" | "Warnings" => "error".to_string(),
                _ => name,
            };
            out.push((n + 1, name));
        }
    }
    out
}

/// Every reference from a stage to a later stage, or from a utility to any stage, as
/// (from, to, where).
fn back_references(src: &Path) -> Vec<(String, String, String)> {
    let mut found = Vec::new();
    let ranked = FLOW.iter().chain(&UTILITIES).enumerate();
    for (rank, module) in ranked {
        let files = module_files(src, module);
        assert!(!files.is_empty(), "no source for the module {module}");
        for file in files {
            let code = fs::read_to_string(&file).unwrap();
            for (line, name) in references(&code) {
                let target = FLOW.iter().position(|m| *m == name);
                let is_utility = UTILITIES.contains(&name.as_str());
                let allowed = match target {
                    // A utility may not depend on a stage.
                    Some(_) if rank >= FLOW.len() => false,
                    Some(t) => t <= rank,
                    None => is_utility,
                };
                if !allowed {
                    found.push((
                        module.to_string(),
                        name.clone(),
                        format!(
                            "{}:{line}: {module} refers to crate::{name}",
                            file.display()
                        ),
                    ));
                }
            }
        }
    }
    found
}

#[test]
fn no_stage_refers_to_a_later_one() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let found = back_references(&src);
    let is_pending = |from: &str, to: &str| PENDING.contains(&(from, to));
    let back: Vec<&str> = found
        .iter()
        .filter(|(from, to, _)| !is_pending(from, to))
        .map(|(_, _, at)| at.as_str())
        .collect();
    assert!(
        back.is_empty(),
        "the flow runs back up:\n{}",
        back.join("\n")
    );
    for (from, to) in PENDING {
        assert!(
            found.iter().any(|(f, t, _)| f == from && t == to),
            "{from} no longer refers to {to}: remove the entry from PENDING"
        );
    }
}

#[test]
fn the_check_sees_a_reference_back_up() {
    let dir = tempfile::tempdir().unwrap();
    for module in FLOW.iter().chain(&UTILITIES) {
        fs::write(dir.path().join(format!("{module}.rs")), "").unwrap();
    }
    fs::create_dir(dir.path().join("scene")).unwrap();
    fs::write(
        dir.path().join("scene/network.rs"),
        "use crate::layers::Layer;\n// crate::output in a comment is fine\nuse crate::reach::network::WalkNetwork;\n",
    )
    .unwrap();
    let found = back_references(dir.path());
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0]
        .2
        .ends_with("network.rs:3: scene refers to crate::reach"));
}

#[test]
fn a_utility_depending_on_a_stage_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    for module in FLOW.iter().chain(&UTILITIES) {
        fs::write(dir.path().join(format!("{module}.rs")), "").unwrap();
    }
    fs::write(
        dir.path().join("error.rs"),
        "fn f(s: &crate::study::Study) {}\n",
    )
    .unwrap();
    let found = back_references(dir.path());
    let at = format!(
        "{}:1: error refers to crate::study",
        dir.path().join("error.rs").display()
    );
    assert_eq!(found, vec![("error".into(), "study".into(), at)]);
}
