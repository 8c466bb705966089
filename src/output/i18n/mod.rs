//! The words of `report.html`, `summary.md` and the terminal summary, one catalogue per
//! language (`en.toml`, `nl.toml`, compiled in), so that a council reads its report in its own
//! language and a translator edits one file. Numbers and data (names, paths, warnings from the
//! stages) are not translated.

use std::collections::BTreeMap;
use std::fmt::Display;
use std::sync::OnceLock;

pub use crate::study::Language;

const EN: &str = include_str!("en.toml");
const NL: &str = include_str!("nl.toml");

/// One language's texts, by `table.key`.
#[derive(Debug)]
pub struct Texts {
    pub language: Language,
    texts: BTreeMap<String, String>,
}

/// The texts of `language`, parsed once.
pub fn texts(language: Language) -> &'static Texts {
    static EN_TEXTS: OnceLock<Texts> = OnceLock::new();
    static NL_TEXTS: OnceLock<Texts> = OnceLock::new();
    let (cell, source) = match language {
        Language::En => (&EN_TEXTS, EN),
        Language::Nl => (&NL_TEXTS, NL),
    };
    cell.get_or_init(|| Texts {
        language,
        texts: parse(source),
    })
}

/// A catalogue's `[table] key = "text"` lines as `table.key` -> text. The catalogues are part
/// of the program: one that does not parse is a bug, which the tests catch.
fn parse(source: &str) -> BTreeMap<String, String> {
    let table: toml::Table = toml::from_str(source).expect("a catalogue is valid TOML");
    let mut out = BTreeMap::new();
    for (section, entries) in table {
        let toml::Value::Table(entries) = entries else {
            panic!("catalogue entry {section} is outside a table");
        };
        for (key, text) in entries {
            let toml::Value::String(text) = text else {
                panic!("catalogue entry {section}.{key} is not a string");
            };
            out.insert(format!("{section}.{key}"), text);
        }
    }
    out
}

impl Texts {
    /// The text of `key`; the key itself when the catalogue lacks it (the tests make sure every
    /// key the code asks for is in both catalogues).
    pub fn get<'a>(&'a self, key: &'a str) -> &'a str {
        debug_assert!(self.texts.contains_key(key), "no text for {key}");
        self.texts.get(key).map(String::as_str).unwrap_or(key)
    }

    /// The text of `key`, if the catalogue has one (for keys made from data, such as a kind).
    pub fn lookup(&self, key: &str) -> Option<&str> {
        self.texts.get(key).map(String::as_str)
    }

    /// An input's role ("amenities: playground") in this language: the catalogue's word for the
    /// part before the colon; the rest is the study's own key and stays as written.
    pub fn role(&self, role: &str) -> String {
        let (head, rest) = role.split_once(": ").unwrap_or((role, ""));
        let head = self.lookup(&format!("role.{head}")).unwrap_or(head);
        if rest.is_empty() {
            head.to_string()
        } else {
            format!("{head}: {rest}")
        }
    }

    /// The cost-benefit totals line `key` (the report's or the terminal's), its five amounts
    /// written by `number` (each front formats its numbers its own way).
    pub fn cba_totals(
        &self,
        key: &str,
        total: &crate::cba::npv::Appraisal,
        number: fn(Option<f64>, usize) -> String,
    ) -> String {
        self.fmt(
            key,
            &[
                ("capital", &number(Some(total.capex_pv), 0)),
                ("maintenance", &number(Some(total.maintenance_pv), 0)),
                ("benefits", &number(Some(total.benefit_pv), 0)),
                ("npv", &number(Some(total.npv), 0)),
                ("bcr", &number(total.bcr, 2)),
            ],
        )
    }

    /// The text of `key` with every `{name}` replaced by its value.
    pub fn fmt(&self, key: &str, args: &[(&str, &dyn Display)]) -> String {
        let mut out = String::new();
        for piece in pieces(self.get(key)) {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Slot(name) => match args.iter().find(|(n, _)| *n == name) {
                    Some((_, v)) => out.push_str(&v.to_string()),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                },
            }
        }
        out
    }

    /// Every key, in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.texts.keys().map(String::as_str)
    }

    /// Every text, in key order.
    pub fn values(&self) -> impl Iterator<Item = &str> {
        self.texts.values().map(String::as_str)
    }

    /// An amenity kind's name as a title: the catalogue's for the kinds it knows, else the kind
    /// itself ("sports_field" -> "Sports field").
    pub fn kind(&self, kind: &str) -> String {
        match self.lookup(&format!("kind.{kind}")) {
            Some(t) => t.to_string(),
            None => {
                let words = kind.replace('_', " ");
                let mut c = words.chars();
                match c.next() {
                    Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
                    None => String::new(),
                }
            }
        }
    }

    /// Children's age bands as a list; the band kindscape names "all" (every child, when the
    /// study counts children in one attribute) in the catalogue's words.
    pub fn bands(&self, labels: &[String]) -> String {
        labels
            .iter()
            .map(|b| match b.as_str() {
                "all" => self.get("summary.all_bands"),
                b => b,
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// An amenity kind's name within a sentence ("green space").
    pub fn kind_lower(&self, kind: &str) -> String {
        self.kind(kind).to_lowercase()
    }
}

/// A piece of a catalogue text: literal text or a `{slot}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece<'a> {
    Text(&'a str),
    Slot(&'a str),
}

/// Splits a text into literal pieces and `{slot}`s (a `{` without a closing `}` is text).
pub fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        if open > 0 {
            out.push(Piece::Text(&rest[..open]));
        }
        out.push(Piece::Slot(&rest[open + 1..open + close]));
        rest = &rest[open + close + 1..];
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn slots(text: &str) -> BTreeSet<&str> {
        pieces(text)
            .into_iter()
            .filter_map(|p| match p {
                Piece::Slot(s) => Some(s),
                Piece::Text(_) => None,
            })
            .collect()
    }

    #[test]
    fn every_key_has_its_dutch_text_with_the_same_slots() {
        let (en, nl) = (texts(Language::En), texts(Language::Nl));
        let missing: Vec<&str> = en.keys().filter(|k| !nl.texts.contains_key(*k)).collect();
        assert!(missing.is_empty(), "no Dutch text for {missing:?}");
        let extra: Vec<&str> = nl.keys().filter(|k| !en.texts.contains_key(*k)).collect();
        assert!(
            extra.is_empty(),
            "Dutch texts without an English key: {extra:?}"
        );
        for key in en.keys() {
            assert!(!nl.get(key).trim().is_empty(), "empty Dutch text for {key}");
            assert_eq!(slots(en.get(key)), slots(nl.get(key)), "slots of {key}");
        }
    }

    #[test]
    fn slots_are_filled_by_name() {
        let en = texts(Language::En);
        assert_eq!(
            en.fmt("facts.norm_for", &[("band", &"0-5"), ("metres", &"400")]),
            "400 m for 0-5"
        );
        assert_eq!(
            pieces("a {b} c {d"),
            vec![Piece::Text("a "), Piece::Slot("b"), Piece::Text(" c {d")]
        );
    }

    #[test]
    fn known_kinds_are_translated_others_titled() {
        let nl = texts(Language::Nl);
        assert_eq!(nl.kind("playground"), "Speelplek");
        assert_eq!(nl.kind_lower("community_centre"), "buurthuis");
        assert_eq!(texts(Language::En).kind("sports_field"), "Sports field");
        assert_eq!(texts(Language::En).kind_lower("green_space"), "green space");
    }
}
