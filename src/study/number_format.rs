//! Numbers written as text, the way municipal tables write them: `1.234,5` in a Dutch CBS
//! export, `1,234.5` in an English one, `12 345` in a Finnish one. A number is never guessed:
//! text that reads as two different numbers depending on the convention ("1.234", "1,234") is an
//! error unless the layer or table says which convention it uses (`decimal`, `thousands`).
//!
//! Written by hand because the crates that parse locale numbers (`num-format` formats only,
//! `lexical` takes one fixed format) neither refuse the ambiguous cases nor check that thousands
//! come in groups of three.

use crate::error::shown;

/// How a layer or table writes its numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NumberFormat {
    /// `.` or `,`.
    pub decimal: char,
    /// The character between groups of three digits, if the file uses one.
    pub thousands: Option<char>,
    /// Whether the study named the decimal separator: without it, "1.234" and "1,234" are
    /// ambiguous and refused.
    pub decimal_given: bool,
}

impl Default for NumberFormat {
    fn default() -> Self {
        NumberFormat {
            decimal: '.',
            thousands: None,
            decimal_given: false,
        }
    }
}

/// What a cell of text holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum NumberText {
    Number(f64),
    /// Empty, or a statistics office's marker for a value that is not there.
    Missing,
}

/// Markers for a missing value: empty, and CBS StatLine's `.` (not available), `x` (secret)
/// and `-` (nil), as the study-file contract counts them; `NA` and `null` from other exports.
pub fn is_missing_marker(text: &str) -> bool {
    let t = text.trim();
    t.is_empty()
        || t == "."
        || t == "-"
        || t.eq_ignore_ascii_case("x")
        || t.eq_ignore_ascii_case("na")
        || t.eq_ignore_ascii_case("n/a")
        || t.eq_ignore_ascii_case("null")
}

impl NumberFormat {
    /// From a section's `decimal` and `thousands` keys; the message says what is wrong.
    pub fn from_keys(decimal: Option<&str>, thousands: Option<&str>) -> Result<Self, String> {
        let decimal_char = match decimal {
            None | Some(".") => '.',
            Some(",") => ',',
            Some(other) => {
                return Err(format!(
                    "decimal = \"{other}\": give \".\" (1234.5) or \",\" (1234,5)"
                ))
            }
        };
        let thousands = match thousands {
            None => None,
            Some(".") => Some('.'),
            Some(",") => Some(','),
            Some(" ") => Some(' '),
            Some("'") => Some('\''),
            Some(other) => {
                return Err(format!(
                    "thousands = \"{other}\": give \".\", \",\", \" \" (a space) or \"'\""
                ))
            }
        };
        if thousands == Some(decimal_char) {
            return Err(format!(
                "thousands = \"{decimal_char}\" is also the decimal separator; set decimal = \"{}\" too",
                if decimal_char == '.' { ',' } else { '.' }
            ));
        }
        Ok(NumberFormat {
            decimal: decimal_char,
            thousands,
            decimal_given: decimal.is_some(),
        })
    }

    /// Reads `text` as a number; the error says what the text is and which setting reads it.
    pub fn parse(&self, text: &str) -> Result<NumberText, String> {
        if is_missing_marker(text) {
            return Ok(NumberText::Missing);
        }
        let t = text.trim();
        let (sign, body) = match t.strip_prefix('-') {
            Some(rest) => ("-", rest),
            None => ("", t.strip_prefix('+').unwrap_or(t)),
        };
        let canonical = self.canonical(body).ok_or_else(|| self.refusal(t))?;
        let v: f64 = format!("{sign}{canonical}")
            .parse()
            .map_err(|_| self.refusal(t))?;
        if !v.is_finite() {
            return Err(format!("\"{t}\" is not a finite number ({})", shown(v)));
        }
        Ok(NumberText::Number(v))
    }

    /// The digits of `body` with a `.` decimal point and no thousands separators, or `None`
    /// when `body` is not a number in this format (or is ambiguous without `decimal`).
    fn canonical(&self, body: &str) -> Option<String> {
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        let (mantissa, exponent) = match body.find(['e', 'E']) {
            Some(at) => (&body[..at], Some(&body[at + 1..])),
            None => (body, None),
        };
        if let Some(e) = exponent {
            let d = e.strip_prefix(['-', '+']).unwrap_or(e);
            if d.is_empty() || !digits(d) {
                return None;
            }
        }
        let (int, frac) = match mantissa.rfind(self.decimal) {
            Some(at) => (&mantissa[..at], &mantissa[at + self.decimal.len_utf8()..]),
            None => (mantissa, ""),
        };
        let int_digits = match self.thousands {
            Some(sep)
                if int.contains(sep) || (sep == ' ' && int.contains(['\u{a0}', '\u{202f}'])) =>
            {
                grouped_digits(int, sep)?
            }
            _ => int.to_string(),
        };
        if (int_digits.is_empty() && frac.is_empty()) || !digits(&int_digits) || !digits(frac) {
            return None;
        }
        // "1.234" or "1,234" with no `decimal` given: thousands or a decimal? Never guessed.
        if !self.decimal_given
            && self.thousands.is_none()
            && exponent.is_none()
            && frac.len() == 3
            && (1..=3).contains(&int_digits.len())
            && !int_digits.starts_with('0')
        {
            return None;
        }
        let mut out = int_digits;
        if !frac.is_empty() {
            out.push('.');
            out.push_str(frac);
        }
        if let Some(e) = exponent {
            out.push('e');
            out.push_str(e);
        }
        Some(out)
    }

    fn refusal(&self, text: &str) -> String {
        let has = |c: char| text.contains(c);
        let hint = match (self.decimal_given || self.thousands.is_some(), has('.'), has(',')) {
            (false, true, false) | (false, false, true) => {
                let sep = if has('.') { '.' } else { ',' };
                format!(
                    "is \"{sep}\" a decimal separator or a thousands separator? Set decimal = \"{sep}\" or thousands = \"{sep}\" for this layer or table ([neighbourhoods], [homes], [[amenities]], [sites] for its candidates, and tables take these keys)"
                )
            }
            (false, true, true) => "set decimal and thousands for this layer or table (e.g. decimal = \",\", thousands = \".\" for 1.234,5; [neighbourhoods], [homes], [[amenities]], [sites] for its candidates, and tables take these keys)".to_string(),
            _ => format!(
                "the layer or table is read with decimal = \"{}\"{}",
                self.decimal,
                match self.thousands {
                    Some(t) => format!(" and thousands = \"{t}\" (in groups of three digits)"),
                    None => " and no thousands separator".to_string(),
                }
            ),
        };
        format!("\"{text}\" is not a number: {hint}")
    }
}

/// "1.234.567" with `sep` = '.' as "1234567"; `None` unless the groups after the first have
/// exactly three digits and the first one to three.
fn grouped_digits(int: &str, sep: char) -> Option<String> {
    let groups: Vec<&str> = if sep == ' ' {
        int.split([' ', '\u{a0}', '\u{202f}']).collect()
    } else {
        int.split(sep).collect()
    };
    let (first, rest) = groups.split_first()?;
    let digits = |g: &str| g.bytes().all(|b| b.is_ascii_digit());
    if first.is_empty() || first.len() > 3 || !digits(first) {
        return None;
    }
    if rest.iter().any(|g| g.len() != 3 || !digits(g)) {
        return None;
    }
    Some(groups.concat())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(decimal: Option<&str>, thousands: Option<&str>) -> NumberFormat {
        NumberFormat::from_keys(decimal, thousands).unwrap()
    }

    fn num(f: NumberFormat, t: &str) -> Option<f64> {
        match f.parse(t) {
            Ok(NumberText::Number(v)) => Some(v),
            _ => None,
        }
    }

    #[test]
    fn plain_numbers_read_in_every_format() {
        for f in [
            fmt(None, None),
            fmt(Some(","), None),
            fmt(Some(","), Some(".")),
            fmt(Some("."), Some(",")),
        ] {
            assert_eq!(num(f, "12"), Some(12.0));
            assert_eq!(num(f, " 0 "), Some(0.0));
            assert_eq!(num(f, "-99997"), Some(-99997.0));
            assert_eq!(f.parse("."), Ok(NumberText::Missing));
            assert_eq!(f.parse("x"), Ok(NumberText::Missing));
            assert_eq!(f.parse(""), Ok(NumberText::Missing));
        }
    }

    #[test]
    fn ambiguous_thousands_are_refused_without_a_setting() {
        let f = fmt(None, None);
        for t in ["1.234", "1,234", "12.345", "999,000"] {
            let e = f.parse(t).unwrap_err();
            assert!(e.contains("decimal") && e.contains("thousands"), "{t}: {e}");
        }
        // Not a thousands grouping: a decimal point is the only reading.
        assert_eq!(num(f, "0.125"), Some(0.125));
        assert_eq!(num(f, "12.5"), Some(12.5));
        assert_eq!(num(f, "1234.567"), Some(1234.567));
        // A comma is never read as a decimal unless the study says so.
        assert!(f.parse("2,5").is_err());
    }

    #[test]
    fn dutch_numbers_with_decimal_comma_and_thousands_points() {
        let f = fmt(Some(","), Some("."));
        assert_eq!(num(f, "1.234"), Some(1234.0));
        assert_eq!(num(f, "1.234,5"), Some(1234.5));
        assert_eq!(num(f, "2,5"), Some(2.5));
        assert_eq!(num(f, "1.234.567,25"), Some(1234567.25));
        // Groups of other than three digits are not thousands.
        assert!(f.parse("12.34").is_err());
        assert!(f.parse("1.2345").is_err());
        let f = fmt(Some(","), None);
        assert_eq!(num(f, "1,234"), Some(1.234));
        assert!(f.parse("1.234").unwrap_err().contains("decimal = \",\""));
    }

    #[test]
    fn explicit_decimal_point_reads_one_thousand_two_hundred_as_a_fraction() {
        assert_eq!(num(fmt(Some("."), None), "1.234"), Some(1.234));
        assert_eq!(num(fmt(Some("."), Some(",")), "1,234.5"), Some(1234.5));
        assert_eq!(num(fmt(None, Some(" ")), "12 345"), Some(12345.0));
        assert_eq!(num(fmt(None, Some(" ")), "12\u{a0}345"), Some(12345.0));
    }

    #[test]
    fn settings_are_checked() {
        assert!(NumberFormat::from_keys(Some(";"), None).is_err());
        assert!(NumberFormat::from_keys(Some(","), Some(",")).is_err());
        assert!(NumberFormat::from_keys(None, Some(".")).is_err());
        assert!(NumberFormat::from_keys(Some(","), Some("_")).is_err());
    }

    #[test]
    fn words_and_infinities_are_not_numbers() {
        let f = fmt(None, None);
        for t in ["lots", "inf", "NaN", "1.2.3", "--1", "1e", "e5"] {
            assert!(f.parse(t).is_err(), "{t}");
        }
        assert_eq!(num(f, "1e3"), Some(1000.0));
    }
}
