//! Attribute tables: a CSV of figures per neighbourhood (a CBS StatLine export, a municipal
//! spreadsheet) joined onto a layer by the layer's id, so that a table never has to be joined in
//! QGIS first.
//!
//! The delimiter is detected from the header line (`,` `;` tab `|`) unless given. Numbers are
//! read with the table's own [`NumberFormat`] in the columns the study reads as numbers; CBS
//! markers for a missing value are counted. Every mismatch is reported: ids without a row, rows
//! without a feature, and attributes the layer already has (the table's value is used).

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use super::attributes;
use super::Layer;
use crate::error::{Error, Result, Warnings};
use crate::study::{NumberFormat, NumberText};

pub use crate::study::TableSpec;

/// A table as read: its columns and its rows by key.
#[derive(Debug, Clone)]
pub struct Table {
    pub spec: TableSpec,
    /// The columns other than the key, in file order.
    pub columns: Vec<String>,
    /// Key -> (line number in the file, the cells of `columns`).
    pub rows: HashMap<String, (u64, Vec<String>)>,
    /// Keys in file order (for messages that list a few).
    pub keys: Vec<String>,
}

/// The delimiters tried, most common first in municipal exports.
const DELIMITERS: [u8; 4] = [b';', b',', b'\t', b'|'];

/// Reads a table (UTF-8, with or without a byte-order mark).
pub fn read(spec: &TableSpec) -> Result<Table> {
    let path = &spec.path;
    // A table is held whole, with its cells as strings: about four times its size.
    if let Ok(meta) = std::fs::metadata(path) {
        crate::memory::check_fits("the table", meta.len().saturating_mul(4))
            .map_err(|m| Error::layer(path, m))?;
    }
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, format!("cannot read: {e}")))?;
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(Error::layer(
            path,
            "the table is UTF-16 text; save it as CSV UTF-8 (Excel: \"CSV UTF-8 (comma delimited)\")",
        ));
    }
    // A workbook is zip (.xlsx, .ods) or OLE (.xls) inside: name it, rather than call it text
    // that is not UTF-8.
    let workbook = if bytes.starts_with(b"PK\x03\x04") {
        Some("an Excel workbook (.xlsx, a zip archive)")
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        Some("an Excel 97-2003 workbook (.xls)")
    } else {
        None
    };
    if let Some(what) = workbook {
        return Err(Error::layer(
            path,
            format!("the table is {what}, not a CSV text table; open it in Excel and save it as CSV UTF-8 (\"CSV UTF-8 (comma delimited)\")"),
        ));
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let text = std::str::from_utf8(body).map_err(|e| {
        Error::layer(
            path,
            format!(
                "the table is not UTF-8 text (byte {}); save it as CSV UTF-8",
                e.valid_up_to()
            ),
        )
    })?;
    let header = text.lines().next().unwrap_or("");
    let delimiter = match spec.delimiter {
        Some(d) => d,
        None => detect_delimiter(header).ok_or_else(|| {
            Error::layer(
                path,
                format!(
                    "no delimiter (; , tab or |) in the header line \"{}\": a table needs the key column and at least one more; give `delimiter` if it uses another",
                    header.chars().take(80).collect::<String>()
                ),
            )
        })?,
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| Error::layer(path, format!("cannot read the header line: {e}")))?
        .iter()
        .map(String::from)
        .collect();
    let Some(key_at) = headers.iter().position(|h| *h == spec.key) else {
        return Err(Error::layer(
            path,
            format!(
                "no column \"{}\" (the table's `key`); columns: {}",
                spec.key,
                headers.join(", ")
            ),
        ));
    };
    let mut seen = HashMap::new();
    for h in &headers {
        if let Some(_previous) = seen.insert(h.as_str(), ()) {
            return Err(Error::layer(
                path,
                format!("the column \"{h}\" appears twice in the header line"),
            ));
        }
    }
    let columns: Vec<String> = headers
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != key_at)
        .map(|(_, h)| h.clone())
        .collect();
    let mut rows = HashMap::new();
    let mut keys = Vec::new();
    // Line numbers counted from each record's byte offset: the csv crate's own count is one
    // short after CRLF line ends. The header is line 1; a quoted cell may span lines.
    let (mut counted_to, mut line) = (0usize, 1u64);
    for record in reader.records() {
        let record = record.map_err(|e| Error::layer(path, format!("{e}")))?;
        if let Some(p) = record.position() {
            let mut at = usize::try_from(p.byte())
                .unwrap_or(usize::MAX)
                .min(text.len());
            // After a CRLF the record's position may point at the line end it follows: a
            // record never starts with one, so those bytes are its previous line's.
            while matches!(text.as_bytes().get(at), Some(b'\r' | b'\n')) {
                at += 1;
            }
            line += text.as_bytes()[counted_to.min(at)..at]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u64;
            counted_to = at;
        }
        let key = record.get(key_at).unwrap_or("").to_string();
        if key.is_empty() {
            return Err(Error::layer(
                path,
                format!("line {line}: the key column \"{}\" is empty", spec.key),
            ));
        }
        let cells: Vec<String> = record
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != key_at)
            .map(|(_, c)| c.to_string())
            .collect();
        if let Some((first, _)) = rows.insert(key.clone(), (line, cells)) {
            return Err(Error::layer(
                path,
                format!(
                    "line {line}: the key \"{key}\" is also on line {first}; each key in \"{}\" must have one row",
                    spec.key
                ),
            ));
        }
        keys.push(key);
    }
    if rows.is_empty() {
        return Err(Error::layer(
            path,
            "the table has a header line but no rows",
        ));
    }
    Ok(Table {
        spec: spec.clone(),
        columns,
        rows,
        keys,
    })
}

/// The delimiter that splits the header line into the most fields (outside quotes).
fn detect_delimiter(header: &str) -> Option<u8> {
    let count = |d: u8| {
        let mut quoted = false;
        header
            .bytes()
            .filter(|b| {
                if *b == b'"' {
                    quoted = !quoted;
                }
                !quoted && *b == d
            })
            .count()
    };
    DELIMITERS
        .iter()
        .map(|d| (count(*d), *d))
        .filter(|(n, _)| *n > 0)
        .max_by_key(|(n, _)| *n)
        .map(|(_, d)| d)
}

/// Joins `tables` onto the features of `layer` by the attribute `id`. Columns in `numeric` are
/// read as numbers with each table's format (CBS markers become missing values, counted); the
/// others are kept as text. Mismatches become warnings.
pub fn join(
    layer: &mut Layer,
    id: &str,
    tables: &[Table],
    numeric: &[&str],
    role: &str,
    warnings: &Warnings,
) -> Result<()> {
    for table in tables {
        join_one(layer, id, table, numeric, role, warnings)?;
    }
    Ok(())
}

/// A table column named as the join attribute `id` replaces the features' ids: two rows giving
/// the same id must be refused here, where the duplicate is, not later as the layer's.
fn unique_replaced_ids(layer: &Layer, id: &str, table: &Table, role: &str) -> Result<()> {
    let Some(c) = table.columns.iter().position(|col| col == id) else {
        return Ok(());
    };
    let features: std::collections::HashSet<String> = layer
        .features
        .iter()
        .filter_map(|f| attributes::id_value(&f.props, id))
        .collect();
    let mut rows: Vec<(u64, &str, &str)> = table
        .rows
        .iter()
        .filter(|(key, _)| features.contains(key.as_str()))
        .map(|(key, (line, cells))| (*line, key.as_str(), cells[c].trim()))
        .collect();
    rows.sort_unstable();
    let mut seen: HashMap<&str, u64> = HashMap::with_capacity(rows.len());
    for (line, key, value) in rows {
        if let Some(first) = seen.insert(value, line) {
            return Err(Error::layer(
                &table.spec.path,
                format!(
                    "line {line} (key \"{key}\"), column \"{id}\": \"{value}\" is also on line {first}; this column replaces the {role} id attribute \"{id}\", and ids must be unique"
                ),
            ));
        }
    }
    Ok(())
}

fn join_one(
    layer: &mut Layer,
    id: &str,
    table: &Table,
    numeric: &[&str],
    role: &str,
    warnings: &Warnings,
) -> Result<()> {
    let path = &table.spec.path;
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().to_string(),
    );
    // The columns the study reads as numbers must parse; any other column is numbers when all
    // its cells are (without zero-padded codes such as "0012"), so a kept attribute is written
    // as the layer would have it; else text.
    let format = &table.spec.format;
    let inferred: Vec<bool> = (0..table.columns.len())
        .map(|c| {
            let mut any = false;
            let all = table.rows.values().all(|(_, cells)| {
                let cell = cells[c].as_str();
                let padded = cell.len() > 1
                    && cell.starts_with('0')
                    && !cell.starts_with("0.")
                    && !cell.starts_with("0,");
                match format.parse(cell) {
                    Ok(NumberText::Number(_)) if !padded => {
                        any = true;
                        true
                    }
                    Ok(NumberText::Missing) => true,
                    _ => false,
                }
            });
            any && all
        })
        .collect();
    let mut values: HashMap<&str, Vec<Value>> = HashMap::with_capacity(table.rows.len());
    let mut markers: BTreeMap<&str, usize> = BTreeMap::new();
    for (key, (line, cells)) in &table.rows {
        let mut row = Vec::with_capacity(cells.len());
        for (c, (column, cell)) in table.columns.iter().zip(cells).enumerate() {
            let required = numeric.contains(&column.as_str());
            if !required && !inferred[c] {
                row.push(Value::String(cell.clone()));
                continue;
            }
            let value = number_cell(cell, format).map_err(|m| {
                Error::layer(
                    path,
                    format!("line {line} (key \"{key}\"), column \"{column}\": {m}"),
                )
            })?;
            if required && value.is_null() {
                *markers.entry(column).or_default() += 1;
            }
            row.push(value);
        }
        values.insert(key.as_str(), row);
    }
    unique_replaced_ids(layer, id, table, role)?;
    let mut matched: HashMap<&str, ()> = HashMap::with_capacity(table.rows.len());
    let mut without_row: Vec<String> = Vec::new();
    let mut overridden: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &mut layer.features {
        let Some(fid) = attributes::id_value(&f.props, id) else {
            continue;
        };
        let Some((key, row)) = values.get_key_value(fid.as_str()) else {
            without_row.push(fid);
            continue;
        };
        matched.insert(key, ());
        for (column, value) in table.columns.iter().zip(row) {
            if f.props.insert(column.clone(), value.clone()).is_some() {
                *overridden.entry(column.as_str()).or_default() += 1;
            }
        }
    }
    let few = |ids: &[String]| {
        let shown: Vec<String> = ids.iter().take(5).map(|i| format!("\"{i}\"")).collect();
        let more = ids.len().saturating_sub(5);
        if more > 0 {
            format!("{} and {more} more", shown.join(", "))
        } else {
            shown.join(", ")
        }
    };
    if matched.is_empty() {
        return Err(Error::layer(
            path,
            format!(
                "no key of column \"{}\" matches a {role} id (\"{id}\" of {}): table keys look like {}, layer ids like {}",
                table.spec.key,
                layer.path.display(),
                few(&table.keys[..table.keys.len().min(3)]),
                few(&without_row[..without_row.len().min(3)])
            ),
        ));
    }
    if !without_row.is_empty() {
        warnings.push(format!(
            "{name}: {} {role} feature(s) have no row (ids {}); their table attributes are missing",
            without_row.len(),
            few(&without_row)
        ));
    }
    let unmatched: Vec<String> = table
        .keys
        .iter()
        .filter(|k| !matched.contains_key(k.as_str()))
        .cloned()
        .collect();
    if !unmatched.is_empty() {
        warnings.push(format!(
            "{name}: {} row(s) match no {role} feature (keys {}); they are not used",
            unmatched.len(),
            few(&unmatched)
        ));
    }
    for (column, n) in overridden {
        warnings.push(format!(
            "{name}: column \"{column}\" is also an attribute of {}; the table's value is used for {n} feature(s)",
            layer.path.display()
        ));
    }
    for (column, n) in markers {
        warnings.push(format!(
            "{name}: {n} value(s) of column \"{column}\" are missing (empty or a CBS marker . x -)"
        ));
    }
    Ok(())
}

/// Text read as a number in `format`, as a JSON value: null for a missing-value marker.
fn number_cell(text: &str, format: &NumberFormat) -> std::result::Result<Value, String> {
    Ok(match format.parse(text)? {
        NumberText::Number(v) => json_number(v, text, format),
        NumberText::Missing => Value::Null,
    })
}

/// A number read from `text` as a JSON value: an integer when the text has no decimal separator
/// or exponent, as a GeoJSON file would hold "370" and "370.0" (so kept attributes are written as
/// the layer would write them).
fn json_number(v: f64, text: &str, format: &NumberFormat) -> Value {
    let whole = !text.contains(format.decimal) && !text.contains(['e', 'E']);
    if whole && v.fract() == 0.0 && v.abs() < 9.0e15 {
        Value::from(v as i64)
    } else {
        serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number)
    }
}

/// Reads the attributes in `numeric` of every feature as numbers in `format` (for a layer whose
/// text attributes use a decimal comma or thousands separators): numbers become JSON numbers,
/// missing markers null. Other attributes (ids with leading zeros) are left as they are.
pub fn read_numbers(layer: &mut Layer, numeric: &[&str], format: &NumberFormat) -> Result<()> {
    if !layer.columns.is_empty() {
        return read_number_columns(layer, numeric, format);
    }
    for f in &mut layer.features {
        for field in numeric {
            let Some(Value::String(text)) = f.props.get(*field) else {
                continue;
            };
            let value = number_cell(text, format).map_err(|m| {
                Error::feature(&layer.path, f.index, format!("attribute \"{field}\" = {m}"))
            })?;
            f.props.insert(field.to_string(), value);
        }
    }
    Ok(())
}

/// [`read_numbers`] for a chunk read as columns: the same values, and the same error (the
/// first failing feature, and in it the first failing field of `numeric`).
fn read_number_columns(layer: &mut Layer, numeric: &[&str], format: &NumberFormat) -> Result<()> {
    let rows = layer.features.len();
    let mut first_error: Option<(usize, Error)> = None;
    for field in numeric {
        let Some(column) = layer.columns.get(field) else {
            continue;
        };
        let mut values = Vec::with_capacity(rows);
        for row in 0..rows {
            let cell = column.cell(row);
            let value = match &cell {
                attributes::Cell::Text(text) => match number_cell(text, format) {
                    Ok(v) => Some(v),
                    Err(m) => {
                        if first_error.as_ref().is_none_or(|(r, _)| row < *r) {
                            let index = layer.features[row].index;
                            let e = Error::feature(
                                &layer.path,
                                index,
                                format!("attribute \"{field}\" = {m}"),
                            );
                            first_error = Some((row, e));
                        }
                        break;
                    }
                },
                other => other.to_value(),
            };
            values.push(value);
        }
        if first_error.is_none() {
            layer.columns.set(field, std::sync::Arc::new(values));
        }
    }
    match first_error {
        Some((_, e)) => Err(e),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::{CrsSource, Feature};
    use std::path::PathBuf;

    fn layer(ids: &[&str]) -> Layer {
        Layer {
            path: PathBuf::from("wijken.geojson"),
            crs: crate::layers::crs::Crs::wgs84(),
            crs_source: CrsSource::Rfc7946,
            features: ids
                .iter()
                .enumerate()
                .map(|(i, id)| Feature {
                    index: i,
                    geometry: None,
                    props: serde_json::json!({ "code": id, "name": "old" })
                        .as_object()
                        .unwrap()
                        .clone(),
                    id: None,
                })
                .collect(),
            columns: Default::default(),
        }
    }

    fn table(text: &str, format: NumberFormat) -> Result<Table> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, text).unwrap();
        read(&TableSpec {
            path,
            key: "code".into(),
            delimiter: None,
            format,
        })
    }

    #[test]
    fn delimiters_are_detected_outside_quotes() {
        assert_eq!(detect_delimiter("a;b;c"), Some(b';'));
        assert_eq!(detect_delimiter("\"a,1\";\"b,2\""), Some(b';'));
        assert_eq!(detect_delimiter("a\tb"), Some(b'\t'));
        assert_eq!(detect_delimiter("a,b,c"), Some(b','));
        assert_eq!(detect_delimiter("abc"), None);
    }

    #[test]
    fn dutch_table_joins_with_decimal_commas_markers_and_every_mismatch_reported() {
        let dutch = NumberFormat::from_keys(Some(","), Some(".")).unwrap();
        let t = table(
            "\u{feff}code;kinderen;inkomen;name\n0001;1.234;27,5;nieuw\n0002;.;x;nieuw\n0009;3;1;nieuw\n",
            dutch,
        )
        .unwrap();
        let mut l = layer(&["0001", "0002", "0003"]);
        let w = Warnings::new();
        join(
            &mut l,
            "code",
            &[t],
            &["kinderen", "inkomen"],
            "neighbourhood",
            &w,
        )
        .unwrap();
        let p = &l.features[0].props;
        assert_eq!(p["kinderen"], serde_json::json!(1234));
        assert_eq!(p["inkomen"], serde_json::json!(27.5));
        assert_eq!(p["name"], serde_json::json!("nieuw"));
        // The id keeps its leading zeros: only the numeric columns are read as numbers.
        assert_eq!(p["code"], serde_json::json!("0001"));
        assert_eq!(l.features[1].props["kinderen"], Value::Null);
        assert!(!l.features[2].props.contains_key("kinderen"));
        let w = w.to_vec().join("\n");
        assert!(
            w.contains("1 neighbourhood feature(s) have no row (ids \"0003\")"),
            "{w}"
        );
        assert!(
            w.contains("1 row(s) match no neighbourhood feature (keys \"0009\")"),
            "{w}"
        );
        assert!(w.contains("column \"name\" is also an attribute"), "{w}");
        assert!(
            w.contains("1 value(s) of column \"inkomen\" are missing"),
            "{w}"
        );
        assert!(
            w.contains("1 value(s) of column \"kinderen\" are missing"),
            "{w}"
        );
    }

    fn join_error(mut l: Layer, t: Table) -> String {
        join(
            &mut l,
            "code",
            &[t],
            &["kids"],
            "neighbourhood",
            &Warnings::new(),
        )
        .unwrap_err()
        .to_string()
    }

    #[test]
    fn ambiguous_numbers_name_the_table_line_key_and_column() {
        let t = table("code,kids\n0001,\"1,234\"\n", NumberFormat::default()).unwrap();
        let e = join_error(layer(&["0001"]), t);
        assert!(
            e.contains("t.csv")
                && e.contains("line 2")
                && e.contains("\"0001\"")
                && e.contains("\"kids\""),
            "{e}"
        );
        assert!(e.contains("thousands"), "{e}");
    }

    #[test]
    fn a_workbook_is_named_as_one() {
        let f = NumberFormat::default();
        let e = table("PK\u{3}\u{4}\u{14}\0\u{6}\0[Content_Types].xml", f)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("t.csv")
                && e.contains("Excel workbook (.xlsx")
                && e.contains("save it as CSV UTF-8"),
            "{e}"
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.xls");
        std::fs::write(
            &path,
            [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0],
        )
        .unwrap();
        let spec = TableSpec {
            path,
            key: "code".into(),
            delimiter: None,
            format: f,
        };
        let e = read(&spec).unwrap_err().to_string();
        assert!(e.contains("Excel 97-2003 workbook (.xls)"), "{e}");
    }

    #[test]
    fn line_numbers_count_file_lines_with_crlf_and_quoted_newlines() {
        let f = NumberFormat::default();
        // Header on line 1, "1" on line 2, a quoted cell over lines 3 and 4, "1" again on 5.
        let e = table("code;kids\r\n1;2\r\n\"x\r\ny\";3\r\n1;4\r\n", f)
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 5") && e.contains("also on line 2"), "{e}");
        let e = table("\u{feff}code;kids\n1;2\n\"x\ny\";3\n1;4\n", f)
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 5") && e.contains("also on line 2"), "{e}");
    }

    #[test]
    fn broken_tables_are_refused_with_their_reason() {
        let f = NumberFormat::default();
        let e = table("code;kids\n1;2\n1;3\n", f).unwrap_err().to_string();
        assert!(e.contains("line 3") && e.contains("also on line 2"), "{e}");
        let e = table("kode;kids\n1;2\n", f).unwrap_err().to_string();
        assert!(
            e.contains("no column \"code\"") && e.contains("kode"),
            "{e}"
        );
        let e = table("code\n1\n", f).unwrap_err().to_string();
        assert!(e.contains("no delimiter"), "{e}");
        let e = table("code;kids\n", f).unwrap_err().to_string();
        assert!(e.contains("no rows"), "{e}");
        let e = table("code;kids\n1;2;3\n", f).unwrap_err().to_string();
        assert!(e.contains("t.csv"), "{e}");
        let t = table("code;kids\nB;2\n", f).unwrap();
        let e = join_error(layer(&["A"]), t);
        assert!(
            e.contains("no key") && e.contains("\"B\"") && e.contains("\"A\""),
            "{e}"
        );
    }
}
