//! docs/STUDY.md is the reference of the study file: every key the parser accepts is described
//! there, and every key it describes is one the parser accepts.
//!
//! The keys are not listed by hand here: they are read from the parser itself. Every section is
//! a serde struct with `deny_unknown_fields`, whose error for an unknown key lists the keys it
//! knows ("unknown field `x`, expected one of `a`, `b`"), so asking each section for an unknown
//! key walks the whole schema, including sections and keys added later.

use std::collections::BTreeMap;
use std::path::Path;

use kindscape::study::Study;

const UNKNOWN: &str = "zz_no_such_key";

/// The keys named in a deny_unknown_fields error, if the error is one.
fn known_keys(text: &str) -> Option<Vec<String>> {
    let err = match Study::parse(text, Path::new("reference.toml")) {
        Ok(_) => return None,
        Err(e) => e.to_string(),
    };
    let at = err.find(&format!("unknown field `{UNKNOWN}`"))?;
    let rest = &err[at + UNKNOWN.len() + 16..];
    let line = rest.lines().next().unwrap_or("");
    if line.contains("there are no fields") {
        return Some(Vec::new());
    }
    Some(
        line.split('`')
            .skip(1)
            .step_by(2)
            .map(String::from)
            .collect(),
    )
}

/// Every section (`network`, and nested struct sections as `network.x`) with its keys. A section
/// whose keys are free (`[norms]`, a map) has none listed.
fn parser_schema() -> BTreeMap<String, (bool, Vec<String>)> {
    let sections = known_keys(&format!("{UNKNOWN} = 1\n")).expect("the top level lists sections");
    let mut out = BTreeMap::new();
    for s in sections {
        // A section is a table ([s]) or an array of tables ([[s]]).
        // Neither: its keys are free (a map such as `[norms]`).
        let table = known_keys(&format!("[{s}]\n{UNKNOWN} = 1\n"));
        let array = known_keys(&format!("[[{s}]]\n{UNKNOWN} = 1\n"));
        let (array, keys) = match (table, array) {
            (Some(k), _) => (false, k),
            (None, Some(k)) => (true, k),
            (None, None) => (false, Vec::new()),
        };
        for k in &keys {
            let header = if array {
                format!("[[{s}]]\n[{s}.{k}]\n{UNKNOWN} = 1\n")
            } else {
                format!("[{s}.{k}]\n{UNKNOWN} = 1\n")
            };
            if let Some(sub) = known_keys(&header) {
                out.insert(format!("{s}.{k}"), (false, sub));
            }
        }
        out.insert(s, (array, keys));
    }
    out
}

/// The text of docs/STUDY.md under the heading that names `[section]` (or `[[section]]`), up to
/// the next heading.
fn doc_section<'a>(doc: &'a str, section: &str, array: bool) -> Option<&'a str> {
    let title = if array {
        format!("`[[{section}]]`")
    } else {
        format!("`[{section}]`")
    };
    let start = doc
        .lines()
        .position(|l| l.starts_with('#') && l.contains(&title))?;
    let lines: Vec<&str> = doc.lines().collect();
    let end = lines[start + 1..]
        .iter()
        .position(|l| l.starts_with('#'))
        .map_or(lines.len(), |e| start + 1 + e);
    let from = doc.find(lines[start])?;
    let to = if end < lines.len() {
        doc[from..].find(lines[end]).map_or(doc.len(), |e| from + e)
    } else {
        doc.len()
    };
    Some(&doc[from..to])
}

/// The keys a section's table documents: its rows' first cells, `| `key` | ...`.
fn documented_keys(section_text: &str) -> Vec<String> {
    section_text
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split('`').next())
        .map(String::from)
        .collect()
}

fn study_md() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/STUDY.md")).unwrap()
}

#[test]
fn every_key_the_parser_knows_is_documented_and_nothing_else() {
    let doc = study_md();
    let schema = parser_schema();
    // The walk found the schema (a change of the error wording would make it find nothing).
    assert!(schema.len() >= 14, "{schema:?}");
    assert!(schema["homes"].1.contains(&"share_by".to_string()));
    assert!(schema["amenities"].0, "[[amenities]] is an array of tables");
    let mut problems = Vec::new();
    for (section, (array, keys)) in &schema {
        let Some(text) = doc_section(&doc, section, *array) else {
            problems.push(format!("no heading names section [{section}]"));
            continue;
        };
        let documented = documented_keys(text);
        for k in keys {
            if !documented.contains(k) {
                problems.push(format!("[{section}] {k}: not in the section's table"));
            }
        }
        // Free-form sections ([norms]: a preset and a table per kind) document their own shape.
        if !keys.is_empty() {
            for k in &documented {
                if !keys.contains(k) {
                    problems.push(format!(
                        "[{section}] {k}: documented, but the parser does not accept it"
                    ));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "docs/STUDY.md and the parser disagree:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_complete_example_parses() {
    let doc = study_md();
    let start = doc
        .find("```toml\n")
        .expect("docs/STUDY.md has a TOML example")
        + 8;
    let end = start + doc[start..].find("```").unwrap();
    let study = Study::parse(&doc[start..end], Path::new("example.toml"))
        .unwrap_or_else(|e| panic!("the example of docs/STUDY.md: {e}"));
    assert_eq!(study.file.study.name, "Sample Town");
}

#[test]
fn the_walk_sees_a_key_that_is_missing_from_a_table() {
    // The check itself can fail: a section table without one of the parser's keys is caught.
    let doc = study_md();
    let text = doc_section(&doc, "equity", false).unwrap();
    assert_eq!(
        documented_keys(text),
        vec!["by", "higher_is_worse", "quintile"]
    );
    let without = text.replace("| `higher_is_worse` |", "| higher_is_worse |");
    assert!(!documented_keys(&without).contains(&"higher_is_worse".to_string()));
}
