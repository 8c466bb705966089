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

/// Every catalogue text of one language, slots left out.
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
            out.extend(words(&plain));
        }
    }
    out
}
