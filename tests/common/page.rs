//! The words a reader sees in a report, for the language checks.

use std::collections::BTreeSet;

/// Lower-case words of three letters or more (letters of any script; digits split words).
pub fn words(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !c.is_alphabetic())
        .filter(|w| w.chars().count() >= 3)
        .map(|w| w.to_lowercase())
        .collect()
}

/// The text a reader sees: tags, the inline style and script and entities removed.
pub fn visible_text(html: &str) -> String {
    let mut rest = html;
    let mut text = String::new();
    while let Some(open) = rest.find('<') {
        text.push_str(&rest[..open]);
        text.push(' ');
        let tag = &rest[open..];
        let skip_to = ["<style", "<script"]
            .iter()
            .find(|t| tag.starts_with(**t))
            .map(|t| format!("</{}>", &t[1..]));
        rest = match skip_to {
            Some(end) => &tag[tag.find(&end).unwrap() + end.len()..],
            None => &tag[tag.find('>').unwrap() + 1..],
        };
    }
    text.push_str(rest);
    text.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&middot;", "·")
}

/// Every catalogue text of one language, slots and identifiers left out.
pub fn catalogue_words(path: &str) -> BTreeSet<String> {
    let table: toml::Table = toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut out = BTreeSet::new();
    for entries in table.values() {
        for text in entries.as_table().unwrap().values() {
            let text = text.as_str().unwrap();
            let mut plain = String::new();
            let mut in_slot = false;
            for c in text.chars() {
                match c {
                    '{' => in_slot = true,
                    '}' => in_slot = false,
                    c if !in_slot => plain.push(c),
                    _ => {}
                }
            }
            // "[priority] deprivation_weight" quotes the study file: its words are not Dutch.
            out.extend(words(&without_identifiers(&plain)));
        }
    }
    out
}

/// The words of the English catalogue that the Dutch one does not use too (as it does "score",
/// "norm" and "index"): a Dutch text holding one says something in English.
pub fn english_only_words() -> BTreeSet<String> {
    let root = env!("CARGO_MANIFEST_DIR");
    let english = catalogue_words(&format!("{root}/src/output/i18n/en.toml"));
    let dutch = catalogue_words(&format!("{root}/src/output/i18n/nl.toml"));
    english.into_iter().filter(|w| !dutch.contains(w)).collect()
}

/// The text without what names things by the contract's words in any language: code in
/// backticks, the study file's `[sections]` (`[costs]`, `[[scenarios]]`), identifiers
/// (`deprivation_weight`, anything with an underscore) and file names (`scenarios.csv`).
pub fn without_identifiers(text: &str) -> String {
    let text: String = text
        .split('`')
        .enumerate()
        .filter(|(i, _)| i % 2 == 0)
        .map(|(_, piece)| piece)
        .collect::<Vec<_>>()
        .join(" ");
    const FILES: [&str; 9] = [
        ".csv", ".json", ".geojson", ".html", ".md", ".pdf", ".gpkg", ".parquet", ".toml",
    ];
    let mut unbracketed = String::new();
    let mut rest = text.as_str();
    while let Some(open) = rest.find('[') {
        unbracketed.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find(']') {
            Some(close)
                if after[..close]
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_' || c == '[') =>
            {
                rest = &after[close + 1..];
            }
            _ => {
                unbracketed.push('[');
                rest = after;
            }
        }
    }
    unbracketed.push_str(rest);
    unbracketed
        .split_whitespace()
        .filter(|token| {
            let token = token.trim_matches(|c: char| !c.is_alphanumeric() && c != '_');
            !token.contains('_') && !FILES.iter().any(|ext| token.ends_with(ext))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The English-only words of a Dutch text, once its data (`data`: names, ids, paths as the
/// inputs and the study file hold them) and identifiers are taken out. Data is taken out where
/// it stands, whole, so a word of a name ("Playground 12") does not excuse the same word
/// elsewhere.
pub fn english_leaks(text: &str, data: &[String], english: &BTreeSet<String>) -> BTreeSet<String> {
    let mut text = text.to_string();
    for d in data {
        if words(d).iter().any(|w| english.contains(w)) {
            text = text.replace(d.as_str(), " ");
        }
    }
    words(&without_identifiers(&text))
        .into_iter()
        .filter(|w| english.contains(w))
        .collect()
}

/// The data a report shows as it is, longest first (so that a name is taken out before a
/// shorter one inside it): the study file's values that name things (the study's name,
/// scenario names, the attributes it names), the values of those attributes and the feature
/// ids in every GeoJSON input, and the inputs' paths and file names (from `run.json`).
pub fn data_strings(study: &std::path::Path, out: &std::path::Path) -> Vec<String> {
    let toml: toml::Table = toml::from_str(&std::fs::read_to_string(study).unwrap()).unwrap();
    let mut named: BTreeSet<String> = BTreeSet::new();
    collect_named(&toml::Value::Table(toml), false, &mut named);
    let mut data = named.clone();
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    for input in run["inputs"].as_array().unwrap() {
        let path = std::path::Path::new(input["path"].as_str().unwrap());
        data.insert(path.display().to_string());
        data.insert(path.file_name().unwrap().to_string_lossy().to_string());
        if path.extension().is_none_or(|e| e != "geojson") {
            continue;
        }
        let layer: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        for f in layer["features"].as_array().into_iter().flatten() {
            let id = match &f["id"] {
                serde_json::Value::String(s) => Some(s.clone()),
                serde_json::Value::Number(n) => Some(n.to_string()),
                _ => None,
            };
            data.extend(id);
            for field in named.iter().chain([&"name".to_string()]) {
                if let Some(v) = f["properties"][field.as_str()].as_str() {
                    data.insert(v.to_string());
                }
            }
        }
    }
    let mut data: Vec<String> = data.into_iter().filter(|d| !d.trim().is_empty()).collect();
    data.sort_by_key(|d| std::cmp::Reverse(d.len()));
    data
}

/// The study file's values that name things the report shows as they are: under `name`, `id`,
/// `by`, `keep`, `population` and `children` (the study's and scenarios' names, attributes).
/// Kinds and other keys are the contract's and not data: a leaked "Playground" must not pass
/// for `kind = "playground"`.
fn collect_named(v: &toml::Value, named: bool, out: &mut BTreeSet<String>) {
    const NAMING: [&str; 6] = ["name", "id", "by", "keep", "population", "children"];
    match v {
        toml::Value::String(s) if named => {
            out.insert(s.clone());
        }
        toml::Value::Array(a) => a.iter().for_each(|x| collect_named(x, named, out)),
        toml::Value::Table(t) => {
            for (k, x) in t {
                collect_named(x, named || NAMING.contains(&k.as_str()), out);
            }
        }
        _ => {}
    }
}
