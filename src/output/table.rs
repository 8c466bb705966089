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

/// Rounds to `decimals` and drops trailing zeros: 12.50 -> "12.5", 3.0 -> "3".
pub fn format_number(v: Option<f64>, decimals: usize) -> String {
    match v {
        Some(v) if v.is_finite() => {
            let s = format!("{v:.decimals$}");
            let s = if s.contains('.') {
                s.trim_end_matches('0').trim_end_matches('.').to_string()
            } else {
                s
            };
            if s == "-0" {
                "0".to_string()
            } else {
                s
            }
        }
        _ => String::new(),
    }
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

    #[test]
    fn numbers_round_and_trim() {
        assert_eq!(format_number(Some(12.345), 1), "12.3");
        assert_eq!(format_number(Some(3.0), 1), "3");
        assert_eq!(format_number(Some(0.5), 6), "0.5");
        assert_eq!(format_number(Some(-0.01), 1), "0");
        assert_eq!(format_number(Some(f64::INFINITY), 1), "");
        assert_eq!(format_number(None, 1), "");
        assert_eq!(Cell::metres(Some(7.25)).to_json(), serde_json::json!(7.2));
    }
}
