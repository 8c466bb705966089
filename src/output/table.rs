//! A table of typed cells, written to CSV and used as GeoJSON properties, so both outputs say
//! exactly the same thing.

use std::io::Write;

use serde_json::Value;

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    /// A number written with at most `decimals` decimals (trailing zeros dropped); empty when
    /// `None` or not finite.
    Num(Option<f64>, usize),
    /// An attribute carried through as it was.
    Json(Value),
}

impl Cell {
    /// Metres, rounded to 0.1 as the contract says.
    pub fn metres(v: Option<f64>) -> Cell {
        Cell::Num(v, 1)
    }

    /// A share 0..1.
    pub fn share(v: Option<f64>) -> Cell {
        Cell::Num(v, 6)
    }

    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    /// As CSV text.
    pub fn to_csv(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Num(v, d) => format_number(*v, *d),
            Cell::Json(Value::Null) => String::new(),
            Cell::Json(Value::String(s)) => s.clone(),
            Cell::Json(v) => v.to_string(),
        }
    }

    /// As a GeoJSON property.
    pub fn to_json(&self) -> Value {
        match self {
            Cell::Text(s) => Value::String(s.clone()),
            Cell::Num(v, d) => match v.filter(|v| v.is_finite()) {
                Some(_) => format_number(*v, *d)
                    .parse::<f64>()
                    .ok()
                    .and_then(serde_json::Number::from_f64)
                    .map(Value::Number)
                    .unwrap_or(Value::Null),
                None => Value::Null,
            },
            Cell::Json(v) => v.clone(),
        }
    }
}

/// Whether an output column holds identifiers or names: text, whatever its cells look like
/// ("00100" keeps its zeros, a street called "1" stays a name), in the GeoPackage and
/// GeoParquet copies of the CSV files.
pub fn is_text_column(name: &str) -> bool {
    matches!(
        name,
        "id" | "home_id" | "neighbourhood_id" | "name" | "street"
    ) || name.ends_with("_nearest_id")
}

/// Appends one CSV field as the csv crate writes it by default (quoted, with quotes doubled,
/// when it holds a comma, a quote or a line break). Written by hand for `homes.csv`: the csv
/// crate's per-field path was a tenth of a 1 M-home run; a proptest holds the two equal.
pub fn push_csv_field(out: &mut Vec<u8>, field: &str) {
    if field
        .bytes()
        .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
    {
        out.push(b'"');
        for b in field.bytes() {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(field.as_bytes());
    }
}

/// Rounds to `decimals` and drops trailing zeros: 12.50 -> "12.5", 3.0 -> "3".
pub fn format_number(v: Option<f64>, decimals: usize) -> String {
    let mut s = Vec::new();
    push_number(&mut s, v, decimals);
    // Digits, '-' and '.': always UTF-8.
    String::from_utf8(s).unwrap_or_default()
}

/// [`format_number`] appended to `out`, without allocating (millions of cells in `homes.csv`,
/// whose rows are bytes: no copy through a `String` per number).
pub fn push_number(out: &mut Vec<u8>, v: Option<f64>, decimals: usize) {
    let Some(v) = v.filter(|v| v.is_finite()) else {
        return;
    };
    if !push_rounded_integer(out, v, decimals) {
        push_formatted(out, v, decimals);
    }
}

/// The general path: Rust's exact decimal formatting, trimmed.
fn push_formatted(out: &mut Vec<u8>, v: f64, decimals: usize) {
    let start = out.len();
    // Writing to a Vec cannot fail.
    let _ = write!(out, "{v:.decimals$}");
    if out[start..].contains(&b'.') {
        while out.last() == Some(&b'0') {
            out.pop();
        }
        if out.last() == Some(&b'.') {
            out.pop();
        }
    }
    if &out[start..] == b"-0" {
        out.truncate(start);
        out.push(b'0');
    }
}

/// The fast path, profiled as a tenth of a 1 M-home run in exact float formatting: when
/// `|v| 10^decimals` is below 1e9 (so the product is within 1.2e-7 of the exact value) and not
/// within 1e-6 of a rounding tie, rounding it to an integer gives the digits `format!` prints.
/// Returns false, writing nothing, when it cannot decide.
fn push_rounded_integer(out: &mut Vec<u8>, v: f64, decimals: usize) -> bool {
    const POW10: [u64; 7] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000];
    let Some(&scale) = POW10.get(decimals) else {
        return false;
    };
    let x = v.abs() * scale as f64;
    if x >= 1e9 {
        return false;
    }
    // Truncation is the floor of a non-negative number, and unlike `f64::floor` it is no call
    // into libm on the baseline x86-64 target (no SSE4.1 rounding instruction).
    let whole = x as u64;
    let frac = x - whole as f64;
    if (frac - 0.5).abs() < 1e-6 {
        return false;
    }
    let mut n = whole + u64::from(frac > 0.5);
    if n == 0 {
        out.push(b'0');
        return true;
    }
    // The digits of `n` with the point `decimals` from the right, written from the right into
    // one buffer and appended at once: one copy per number instead of one per part, and no
    // division by `scale` (profiled: the copies and the two `itoa` calls were most of this).
    // n < 1e9 + 1, so at most 10 digits, a point, a leading zero and a sign.
    let mut buf = [0u8; 16];
    let mut at = buf.len();
    let mut fraction_digits = decimals;
    while fraction_digits > 0 && n.is_multiple_of(10) {
        n /= 10;
        fraction_digits -= 1;
    }
    if fraction_digits > 0 {
        for _ in 0..fraction_digits {
            at -= 1;
            buf[at] = b'0' + (n % 10) as u8;
            n /= 10;
        }
        at -= 1;
        buf[at] = b'.';
    }
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if v < 0.0 {
        at -= 1;
        buf[at] = b'-';
    }
    out.extend_from_slice(&buf[at..]);
    true
}

/// Column names and rows.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// Writes the table as CSV.
    pub fn write_csv(&self, w: impl Write) -> csv::Result<()> {
        let mut out = csv::Writer::from_writer(w);
        out.write_record(&self.columns)?;
        for row in &self.rows {
            out.write_record(row.iter().map(Cell::to_csv))?;
        }
        out.flush()?;
        Ok(())
    }

    /// One row as a JSON object.
    pub fn row_object(&self, row: usize) -> serde_json::Map<String, Value> {
        self.columns
            .iter()
            .zip(&self.rows[row])
            .map(|(c, v)| (c.clone(), v.to_json()))
            .collect()
    }

    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn numbers_round_and_trim() {
        assert_eq!(format_number(Some(12.345), 1), "12.3");
        assert_eq!(format_number(Some(3.0), 1), "3");
        assert_eq!(format_number(Some(0.5), 6), "0.5");
        assert_eq!(format_number(Some(-0.01), 1), "0");
        assert_eq!(format_number(Some(f64::INFINITY), 1), "");
        assert_eq!(format_number(None, 1), "");
        assert_eq!(Cell::metres(Some(7.25)).to_json(), serde_json::json!(7.2));
        // Ties and near-ties go to the exact formatter: 0.125 is exact (half to even: 0.12),
        // 0.35 is 0.34999... in binary.
        assert_eq!(format_number(Some(0.125), 2), "0.12");
        assert_eq!(format_number(Some(0.35), 1), "0.3");
        assert_eq!(format_number(Some(-2.5), 0), "-2");
        assert_eq!(format_number(Some(1e12 + 0.25), 1), "1000000000000.2");
        // The fast path's digits, by hand: zeros after the point kept, trailing ones dropped,
        // an integer part of 0, a minus, and the largest integers it takes.
        assert_eq!(format_number(Some(1.05), 3), "1.05");
        assert_eq!(format_number(Some(0.007), 3), "0.007");
        assert_eq!(format_number(Some(-0.0071), 3), "-0.007");
        assert_eq!(format_number(Some(100.0), 2), "100");
        assert_eq!(format_number(Some(140203.46), 2), "140203.46");
        assert_eq!(format_number(Some(-452641.95), 2), "-452641.95");
        assert_eq!(format_number(Some(99.96), 1), "100");
        assert_eq!(format_number(Some(999_999_999.4), 0), "999999999");
        assert_eq!(format_number(Some(999.999_999_4), 6), "999.999999");
        assert_eq!(format_number(Some(0.000_001), 6), "0.000001");
        let mut fast = Vec::new();
        assert!(push_rounded_integer(&mut fast, 0.000_001, 6));
        assert!(push_rounded_integer(&mut fast, -999.999_999_4, 6));
        assert_eq!(fast, b"0.000001-999.999999");
    }

    proptest! {
        /// Rows written field by field are the csv crate's rows.
        #[test]
        fn csv_fields_equal_the_csv_crate(
            fields in proptest::collection::vec("[a-z0-9 ,\"\r\n;é'-]{0,6}", 2..6),
        ) {
            let mut ours = Vec::new();
            for (i, f) in fields.iter().enumerate() {
                if i > 0 {
                    ours.push(b',');
                }
                push_csv_field(&mut ours, f);
            }
            ours.push(b'\n');
            let mut theirs = csv::Writer::from_writer(Vec::new());
            theirs.write_record(&fields).unwrap();
            prop_assert_eq!(ours, theirs.into_inner().unwrap());
        }

        /// The integer fast path prints what Rust's exact formatter prints, whenever it answers.
        #[test]
        fn fast_path_equals_exact_formatting(
            v in prop_oneof![
                -1e7..1e7f64,
                -10.0..10.0f64,
                (-100_000i64..100_000).prop_map(|i| i as f64 / 1000.0),
                (-100_000i64..100_000).prop_map(|i| i as f64 / 8.0),
            ],
            decimals in 0usize..8,
        ) {
            let mut fast = Vec::new();
            let mut exact = Vec::new();
            push_formatted(&mut exact, v, decimals);
            if push_rounded_integer(&mut fast, v, decimals) {
                prop_assert_eq!(fast, exact, "{} with {} decimals", v, decimals);
            }
        }

        /// Every number, whichever path writes it, is what `format!` prints, trimmed of
        /// trailing zeros and of a minus on a zero: any bit pattern (NaN, infinities, -0.0,
        /// subnormals, huge), ties and near-ties at each number of decimals.
        #[test]
        fn numbers_are_format_trimmed(
            v in prop_oneof![
                any::<u64>().prop_map(f64::from_bits),
                (-1_000_000i64..1_000_000, 0u32..7).prop_map(|(k, d)| (k as f64 + 0.5) / 10f64.powi(d as i32)),
                (-1_000_000i64..1_000_000, 0u32..7, -3i32..4).prop_map(|(k, d, ulps)| {
                    let tie = (k as f64 + 0.5) / 10f64.powi(d as i32);
                    f64::from_bits((tie.to_bits() as i64 + i64::from(ulps)) as u64)
                }),
                -1e12..1e12f64,
                // Negative ties that round to zero: format! prints "-0".
                (0i32..7).prop_map(|d| -0.5 / 10f64.powi(d)),
                Just(-0.0),
                Just(0.0),
            ],
            decimals in 0usize..8,
        ) {
            let expected = if v.is_finite() {
                let text = format!("{v:.decimals$}");
                let text = if text.contains('.') {
                    text.trim_end_matches('0').trim_end_matches('.').to_string()
                } else {
                    text
                };
                if text == "-0" { "0".to_string() } else { text }
            } else {
                String::new()
            };
            prop_assert_eq!(format_number(Some(v), decimals), expected.clone(), "{:e} with {} decimals", v, decimals);
            let mut appended = b"x,".to_vec();
            push_number(&mut appended, Some(v), decimals);
            prop_assert_eq!(&appended[2..], expected.as_bytes());
        }
    }
}
