//! Reading attribute values the way municipal files write them: ids as strings (leading zeros
//! kept, `12.0` read as `12`), numbers that may be strings, suppressed values, filters.

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

/// An attribute as an id string, or `None` when it is missing or null.
pub fn id_value(props: &Properties, key: &str) -> Option<String> {
    match props.get(key)? {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(number_to_id(n)),
        Value::Bool(b) => Some(b.to_string()),
        other => Some(other.to_string()),
    }
}

/// An attribute as text for display (names); empty when missing.
pub fn text_value(props: &Properties, key: &str) -> String {
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

/// Reads a numeric attribute: JSON numbers, or strings holding a number with a decimal point
/// ([`NumberFormat::default`]: "1.234" and "2,5" are refused as ambiguous; a layer or table with
/// `decimal`/`thousands` has its numeric attributes converted when it is read). Missing-value
/// markers (empty, `.`, `x`, `-`) are missing; text that is no number is an error message.
pub fn number_value(props: &Properties, key: &str) -> Result<Number, String> {
    let n = match props.get(key) {
        None | Some(Value::Null) => return Ok(Number::Missing),
        Some(Value::Number(n)) => n.as_f64().unwrap_or(f64::NAN),
        Some(Value::String(s)) => match NumberFormat::default().parse(s) {
            Ok(NumberText::Missing) => return Ok(Number::Missing),
            Ok(NumberText::Number(v)) => v,
            Err(m) => return Err(format!("attribute \"{key}\" = {m}")),
        },
        Some(other) => return Err(format!("attribute \"{key}\" = {other} is not a number")),
    };
    if !n.is_finite() {
        return Err(format!("attribute \"{key}\" = {n} is not a finite number"));
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
pub fn amount_value(props: &Properties, key: &str) -> Result<Option<f64>, String> {
    match number_value(props, key)? {
        Number::Value(v) => Ok(Some(v)),
        Number::Missing => Ok(None),
        Number::Suppressed(v) => Err(format!(
            "attribute \"{key}\" = {v}: an amount in euros must not be negative"
        )),
    }
}

/// True when the feature's attributes match every entry of the filter (a list = any of them).
pub fn matches(props: &Properties, filter: &Filter) -> bool {
    filter.iter().all(|(key, wanted)| {
        let have = props.get(key).unwrap_or(&Value::Null);
        match wanted {
            toml::Value::Array(options) => options.iter().any(|w| equal(have, w)),
            w => equal(have, w),
        }
    })
}

fn equal(have: &Value, wanted: &toml::Value) -> bool {
    match (have, wanted) {
        (Value::Bool(a), toml::Value::Boolean(b)) => a == b,
        (Value::String(a), toml::Value::Boolean(b)) => {
            a.eq_ignore_ascii_case(if *b { "true" } else { "false" })
        }
        (Value::Number(a), toml::Value::Integer(b)) => a.as_f64() == Some(*b as f64),
        (Value::Number(a), toml::Value::Float(b)) => a.as_f64() == Some(*b),
        (Value::String(a), toml::Value::String(b)) => a == b,
        (Value::String(a), toml::Value::Integer(b)) => {
            a.trim().parse::<f64>().ok() == Some(*b as f64)
        }
        (Value::Number(a), toml::Value::String(b)) => number_to_id(a) == *b,
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
