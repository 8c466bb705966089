//! Reading attribute values the way municipal files write them: ids as strings (leading zeros
//! kept, `12.0` read as `12`), numbers that may be strings, suppressed values, filters.

use std::borrow::Cow;

use serde_json::Value;

use super::Properties;
use crate::study::{Filter, NumberFormat, NumberText};

/// A number as an id: `12.0` becomes `"12"`, `12.5` stays `"12.5"`.
pub fn number_to_id(n: &serde_json::Number) -> String {
    if let Some(i) = n.as_i64() {
        return i.to_string();
    }
    if let Some(u) = n.as_u64() {
        return u.to_string();
    }
    match n.as_f64() {
        Some(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
        Some(f) => format!("{f}"),
        None => n.to_string(),
    }
}

/// One attribute value of one feature, however the reader holds it: a value of a feature's
/// attribute map, or a row of a typed column (see [`super::columns`]), which the homes read
/// without building a map per feature. Every rule below reads cells, so both give the same
/// values and the same messages.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    /// The feature has no such attribute.
    Missing,
    Null,
    Bool(bool),
    Number(serde_json::Number),
    Text(Cow<'a, str>),
    /// An array or an object (GeoJSON only).
    Other(&'a Value),
}

impl<'a> Cell<'a> {
    /// The cell of an attribute map's value.
    pub fn of(value: Option<&'a Value>) -> Self {
        match value {
            None => Cell::Missing,
            Some(Value::Null) => Cell::Null,
            Some(Value::Bool(b)) => Cell::Bool(*b),
            Some(Value::Number(n)) => Cell::Number(n.clone()),
            Some(Value::String(s)) => Cell::Text(Cow::Borrowed(s)),
            Some(other) => Cell::Other(other),
        }
    }

    /// A real number from a binary file. NaN and infinities have no JSON number: kept as
    /// text, which a count then rejects with a message naming the attribute.
    pub fn real(v: f64) -> Self {
        match serde_json::Number::from_f64(v) {
            Some(n) => Cell::Number(n),
            None => Cell::Text(Cow::Owned(v.to_string())),
        }
    }

    /// The value an attribute map holds for this cell; `None` when missing.
    pub fn to_value(&self) -> Option<Value> {
        Some(match self {
            Cell::Missing => return None,
            Cell::Null => Value::Null,
            Cell::Bool(b) => Value::Bool(*b),
            Cell::Number(n) => Value::Number(n.clone()),
            Cell::Text(s) => Value::String(s.to_string()),
            Cell::Other(v) => (*v).clone(),
        })
    }

    /// The cell as an id, or `None` when it is missing or null.
    pub fn id(self) -> Option<Cow<'a, str>> {
        match self {
            Cell::Missing | Cell::Null => None,
            Cell::Text(s) => Some(s),
            Cell::Number(n) => Some(Cow::Owned(number_to_id(&n))),
            Cell::Bool(b) => Some(Cow::Owned(b.to_string())),
            Cell::Other(v) => Some(Cow::Owned(v.to_string())),
        }
    }
}

/// The attributes of one feature, by name: a reference to its map, or its row of a chunk's
/// columns.
pub trait Attributes<'a>: Copy {
    fn cell(self, key: &str) -> Cell<'a>;
}

impl<'a> Attributes<'a> for &'a Properties {
    fn cell(self, key: &str) -> Cell<'a> {
        Cell::of(self.get(key))
    }
}

/// An attribute as an id string, or `None` when it is missing or null.
pub fn id_value<'a>(props: impl Attributes<'a>, key: &str) -> Option<String> {
    props.cell(key).id().map(Cow::into_owned)
}

/// An attribute as text for display (names); empty when missing.
pub fn text_value<'a>(props: impl Attributes<'a>, key: &str) -> String {
    id_value(props, key).unwrap_or_default()
}

/// What a numeric attribute holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    Value(f64),
    /// Null, missing or empty.
    Missing,
    /// Negative: a sentinel such as CBS's -99997 (suppressed), treated as missing.
    Suppressed(f64),
}

impl Number {
    /// The value when there is one (missing and suppressed alike give `None`).
    pub fn known(self) -> Option<f64> {
        match self {
            Number::Value(v) => Some(v),
            _ => None,
        }
    }
}

/// The largest attribute number read: far above any count of children or residents, area in m2
/// or amount in euros, and low enough that summing a billion such values stays finite.
pub const MAX_NUMBER: f64 = 1e15;

/// Reads a numeric attribute: JSON numbers, or strings holding a number with a decimal point
/// ([`NumberFormat::default`]: "1.234" and "2,5" are refused as ambiguous; a layer or table with
/// `decimal`/`thousands` has its numeric attributes converted when it is read). Missing-value
/// markers (empty, `.`, `x`, `-`) are missing; text that is no number is an error message.
pub fn number_value<'a>(props: impl Attributes<'a>, key: &str) -> Result<Number, String> {
    let n = match props.cell(key) {
        Cell::Missing | Cell::Null => return Ok(Number::Missing),
        Cell::Number(n) => n.as_f64().unwrap_or(f64::NAN),
        Cell::Text(s) => match NumberFormat::default().parse(&s) {
            Ok(NumberText::Missing) => return Ok(Number::Missing),
            Ok(NumberText::Number(v)) => v,
            Err(m) => return Err(format!("attribute \"{key}\" = {m}")),
        },
        Cell::Bool(b) => return Err(format!("attribute \"{key}\" = {b} is not a number")),
        Cell::Other(other) => return Err(format!("attribute \"{key}\" = {other} is not a number")),
    };
    if !n.is_finite() {
        return Err(format!("attribute \"{key}\" = {n} is not a finite number"));
    }
    if n.abs() > MAX_NUMBER {
        return Err(format!(
            "attribute \"{key}\" = {n:e} is too large: kindscape reads counts, areas and amounts up to 1e15 (a larger value is a broken export, and sums of such values overflow)"
        ));
    }
    Ok(if n < 0.0 {
        Number::Suppressed(n)
    } else {
        Number::Value(n)
    })
}

/// Reads an amount of money (a site's cost): `None` when missing, so that the study's default
/// applies; a negative value is an error here, not a suppressed count, since a cost below zero
/// means nothing.
pub fn amount_value<'a>(props: impl Attributes<'a>, key: &str) -> Result<Option<f64>, String> {
    match number_value(props, key)? {
        Number::Value(v) => Ok(Some(v)),
        Number::Missing => Ok(None),
        Number::Suppressed(v) => Err(format!(
            "attribute \"{key}\" = {v}: an amount in euros must not be negative"
        )),
    }
}

/// True when the feature's attributes match every entry of the filter (a list = any of them).
pub fn matches<'a>(props: impl Attributes<'a>, filter: &Filter) -> bool {
    filter.iter().all(|(key, wanted)| {
        let have = props.cell(key);
        match wanted {
            toml::Value::Array(options) => options.iter().any(|w| equal(&have, w)),
            w => equal(&have, w),
        }
    })
}

fn equal(have: &Cell, wanted: &toml::Value) -> bool {
    match (have, wanted) {
        (Cell::Bool(a), toml::Value::Boolean(b)) => a == b,
        (Cell::Text(a), toml::Value::Boolean(b)) => {
            a.eq_ignore_ascii_case(if *b { "true" } else { "false" })
        }
        (Cell::Number(a), toml::Value::Integer(b)) => a.as_f64() == Some(*b as f64),
        (Cell::Number(a), toml::Value::Float(b)) => a.as_f64() == Some(*b),
        (Cell::Text(a), toml::Value::String(b)) => a == b,
        // A number in the filter matches the same number written as text, whether the filter
        // writes it `1` or `1.0`.
        (Cell::Text(a), toml::Value::Integer(b)) => a.trim().parse::<f64>().ok() == Some(*b as f64),
        (Cell::Text(a), toml::Value::Float(b)) => a.trim().parse::<f64>().ok() == Some(*b),
        (Cell::Number(a), toml::Value::String(b)) => number_to_id(a) == *b,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn props(v: serde_json::Value) -> Properties {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn a_filter_number_matches_whether_written_1_or_1_0() {
        let homes = [
            json!({"n": 1}),
            json!({"n": 1.0}),
            json!({"n": "1"}),
            json!({"n": "2"}),
        ];
        let kept = |wanted: toml::Value| -> Vec<usize> {
            let filter: Filter = [("n".to_string(), wanted)].into_iter().collect();
            (0..homes.len())
                .filter(|&i| matches(&props(homes[i].clone()), &filter))
                .collect()
        };
        assert_eq!(kept(toml::Value::Integer(1)), [0, 1, 2]);
        assert_eq!(kept(toml::Value::Float(1.0)), [0, 1, 2]);
    }

    #[test]
    fn ids_keep_leading_zeros_and_drop_float_zero() {
        let p = props(json!({"a": "00100", "b": 12.0, "c": 12.5, "d": null, "e": 7}));
        assert_eq!(id_value(&p, "a").unwrap(), "00100");
        assert_eq!(id_value(&p, "b").unwrap(), "12");
        assert_eq!(id_value(&p, "c").unwrap(), "12.5");
        assert_eq!(id_value(&p, "d"), None);
        assert_eq!(id_value(&p, "e").unwrap(), "7");
    }

    #[test]
    fn numbers_suppressed_and_text() {
        let p = props(
            json!({"a": 5, "b": -99997, "c": "3,5", "d": "x", "e": "", "f": true,
            "g": "1.234", "h": "lots", "i": "12.5"}),
        );
        assert_eq!(number_value(&p, "a").unwrap(), Number::Value(5.0));
        assert_eq!(number_value(&p, "b").unwrap(), Number::Suppressed(-99997.0));
        // Never guessed: a comma or a lone group of three needs the layer's `decimal`/`thousands`.
        assert!(number_value(&p, "c")
            .unwrap_err()
            .contains("decimal = \",\""));
        assert!(number_value(&p, "g")
            .unwrap_err()
            .contains("thousands = \".\""));
        assert!(number_value(&p, "h").unwrap_err().contains("not a number"));
        assert_eq!(number_value(&p, "i").unwrap(), Number::Value(12.5));
        assert_eq!(number_value(&p, "d").unwrap(), Number::Missing);
        assert_eq!(number_value(&p, "e").unwrap(), Number::Missing);
        assert_eq!(number_value(&p, "zz").unwrap(), Number::Missing);
        assert!(number_value(&p, "f").is_err());
    }

    #[test]
    fn filters() {
        let p = props(json!({"residential": true, "type": "house", "n": 3}));
        let f: Filter =
            toml::from_str("residential = true\ntype = [\"flat\", \"house\"]\nn = 3").unwrap();
        assert!(matches(&p, &f));
        let f: Filter = toml::from_str("type = \"flat\"").unwrap();
        assert!(!matches(&p, &f));
    }
}
