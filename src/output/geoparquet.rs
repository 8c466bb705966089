//! `homes.parquet` and `neighbourhoods.parquet` (`[study] formats = ["parquet"]`, built with
//! `--features parquet`): GeoParquet 1.1 with the same columns and values as the CSV files,
//! each filled from its CSV text so the two cannot drift apart, and a WKB geometry column.
//!
//! The geometry is in OGC:CRS84 (longitude/latitude), the GeoParquet default that every reader
//! takes without a CRS definition: a projected working CRS would have to be written as a full
//! PROJJSON definition, which needs PROJ's database. The `x` and `y` columns of the homes keep
//! the working CRS, as in `homes.csv`.

use std::io::Write;
use std::sync::Arc;

use arrow_array::builder::{
    BinaryBuilder, BooleanBuilder, Float64Builder, Int64Builder, StringBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use geo::{BoundingRect, Geometry};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use serde_json::{json, Value};

use super::table::{Cell, Table};

/// Rows per written batch.
const BATCH_ROWS: usize = 1 << 16;

/// The Parquet type of a CSV column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Float,
    Int,
    Bool,
}

/// One file: the CSV text of its attributes and one geometry per row, in OGC:CRS84.
pub struct GeoParquetTable<'a> {
    pub csv: &'a [u8],
    /// One per CSV column.
    pub kinds: Vec<Kind>,
    pub geometries: Vec<Geometry>,
    /// The GeoParquet geometry type of every row: `Point` or `MultiPolygon`.
    pub geometry_type: &'static str,
}

/// The types of a table's columns, from its cells: numbers with no decimals as integers, other
/// numbers as floats, text as text; a carried-through attribute by the JSON values it holds.
pub fn table_kinds(table: &Table) -> Vec<Kind> {
    (0..table.columns.len())
        .map(|c| {
            let cells = || table.rows.iter().map(move |r| &r[c]);
            let json = |f: fn(&Value) -> bool| {
                cells().all(|cell| matches!(cell, Cell::Json(v) if v.is_null() || f(v)))
            };
            if cells()
                .all(|cell| matches!(cell, Cell::Num(v, 0) if v.is_none_or(|v| v.abs() < 9e15)))
            {
                Kind::Int
            } else if cells().all(|cell| matches!(cell, Cell::Num(..))) {
                Kind::Float
            } else if json(|v| v.is_i64()) {
                Kind::Int
            } else if json(Value::is_number) {
                Kind::Float
            } else if json(Value::is_boolean) {
                Kind::Bool
            } else {
                Kind::Text
            }
        })
        .collect()
}

/// The types of `homes.csv`'s columns: the ids are text, every other column a number.
pub fn homes_kinds(csv: &[u8]) -> Vec<Kind> {
    let header = csv.split(|b| *b == b'\n').next().unwrap_or_default();
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(header)
        .records()
        .next()
        .and_then(|r| r.ok())
        .map(|r| {
            r.iter()
                .map(|name| {
                    if super::table::is_text_column(name) {
                        Kind::Text
                    } else {
                        Kind::Float
                    }
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Writes `table` as GeoParquet to `w`.
pub fn write(w: impl Write + Send, table: &GeoParquetTable) -> Result<(), String> {
    let mut reader = csv::Reader::from_reader(table.csv);
    let columns: Vec<String> = reader
        .headers()
        .map_err(|e| e.to_string())?
        .iter()
        .map(String::from)
        .collect();
    if columns.len() != table.kinds.len() {
        return Err(format!(
            "{} columns but {} column types",
            columns.len(),
            table.kinds.len()
        ));
    }
    // The geometry column's name, clear of the attributes' names.
    let mut geometry_name = "geometry".to_string();
    while columns.contains(&geometry_name) {
        geometry_name.insert(0, '_');
    }
    let mut fields: Vec<Field> = columns
        .iter()
        .zip(&table.kinds)
        .map(|(name, kind)| {
            let t = match kind {
                Kind::Text => DataType::Utf8,
                Kind::Float => DataType::Float64,
                Kind::Int => DataType::Int64,
                Kind::Bool => DataType::Boolean,
            };
            Field::new(name, t, true)
        })
        .collect();
    fields.push(Field::new(&geometry_name, DataType::Binary, true));
    // In the Arrow schema's metadata, which pyarrow (and so GeoPandas) reads from the schema
    // stored in the file, and in the file's own key-value metadata, where the GeoParquet
    // specification puts it and other readers (ours, GDAL, DuckDB) look: arrow-rs keeps a
    // schema's metadata inside its encoded schema only.
    let geo_text = geo_metadata(&geometry_name, table).to_string();
    let geo = [("geo".to_string(), geo_text.clone())];
    let schema = Arc::new(Schema::new_with_metadata(fields, geo.into_iter().collect()));
    let properties = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_key_value_metadata(Some(vec![parquet::file::metadata::KeyValue::new(
            "geo".to_string(),
            geo_text,
        )]))
        .build();
    let mut writer =
        ArrowWriter::try_new(w, schema.clone(), Some(properties)).map_err(|e| e.to_string())?;

    let mut records = reader.records();
    let mut geometries = table.geometries.iter();
    let mut row = 0;
    loop {
        let mut builders: Vec<ColumnBuilder> =
            table.kinds.iter().map(|k| ColumnBuilder::new(*k)).collect();
        let mut wkb = BinaryBuilder::new();
        let mut buf = Vec::new();
        let mut rows = 0;
        while rows < BATCH_ROWS {
            let Some(record) = records.next() else { break };
            let record = record.map_err(|e| e.to_string())?;
            let geometry = geometries.next().ok_or_else(|| {
                format!("more rows than the {} geometries", table.geometries.len())
            })?;
            for ((cell, builder), name) in record.iter().zip(&mut builders).zip(&columns) {
                builder
                    .push(cell)
                    .map_err(|m| format!("row {}, column \"{name}\": {m}", row + rows + 1))?;
            }
            buf.clear();
            wkb::writer::write_geometry(
                &mut buf,
                geometry,
                &wkb::writer::WriteOptions {
                    endianness: wkb::Endianness::LittleEndian,
                },
            )
            .map_err(|e| e.to_string())?;
            wkb.append_value(&buf);
            rows += 1;
        }
        if rows == 0 && row > 0 {
            break;
        }
        let mut arrays: Vec<ArrayRef> = builders.into_iter().map(ColumnBuilder::finish).collect();
        arrays.push(Arc::new(wkb.finish()));
        let batch = RecordBatch::try_new(schema.clone(), arrays).map_err(|e| e.to_string())?;
        writer.write(&batch).map_err(|e| e.to_string())?;
        row += rows;
        if rows < BATCH_ROWS {
            break;
        }
    }
    if geometries.next().is_some() {
        return Err(format!(
            "{row} rows but {} geometries",
            table.geometries.len()
        ));
    }
    writer.close().map_err(|e| e.to_string())?;
    Ok(())
}

/// The `geo` metadata (GeoParquet 1.1): the one WKB column, no `crs` (OGC:CRS84), its
/// geometry type and bounding box.
fn geo_metadata(geometry_name: &str, table: &GeoParquetTable) -> Value {
    let mut column = json!({
        "encoding": "WKB",
        "geometry_types": [table.geometry_type],
    });
    let extent =
        crate::layers::union_rect(table.geometries.iter().filter_map(|g| g.bounding_rect()));
    if let Some(r) = extent {
        column["bbox"] = json!([r.min().x, r.min().y, r.max().x, r.max().y]);
    }
    json!({
        "version": "1.1.0",
        "primary_column": geometry_name,
        "columns": { geometry_name: column },
    })
}

/// One column being filled from CSV text; an empty cell is null.
enum ColumnBuilder {
    Text(StringBuilder),
    Float(Float64Builder),
    Int(Int64Builder),
    Bool(BooleanBuilder),
}

impl ColumnBuilder {
    fn new(kind: Kind) -> Self {
        match kind {
            Kind::Text => ColumnBuilder::Text(StringBuilder::new()),
            Kind::Float => ColumnBuilder::Float(Float64Builder::new()),
            Kind::Int => ColumnBuilder::Int(Int64Builder::new()),
            Kind::Bool => ColumnBuilder::Bool(BooleanBuilder::new()),
        }
    }

    fn push(&mut self, cell: &str) -> Result<(), String> {
        let bad = |what: &str| format!("\"{cell}\" is not {what}");
        match self {
            ColumnBuilder::Text(b) if cell.is_empty() => b.append_null(),
            ColumnBuilder::Text(b) => b.append_value(cell),
            ColumnBuilder::Float(b) if cell.is_empty() => b.append_null(),
            ColumnBuilder::Float(b) => b.append_value(cell.parse().map_err(|_| bad("a number"))?),
            ColumnBuilder::Int(b) if cell.is_empty() => b.append_null(),
            ColumnBuilder::Int(b) => b.append_value(cell.parse().map_err(|_| bad("an integer"))?),
            ColumnBuilder::Bool(b) => match cell {
                "" => b.append_null(),
                "true" => b.append_value(true),
                "false" => b.append_value(false),
                _ => return Err(bad("true or false")),
            },
        }
        Ok(())
    }

    fn finish(self) -> ArrayRef {
        match self {
            ColumnBuilder::Text(mut b) => Arc::new(b.finish()),
            ColumnBuilder::Float(mut b) => Arc::new(b.finish()),
            ColumnBuilder::Int(mut b) => Arc::new(b.finish()),
            ColumnBuilder::Bool(mut b) => Arc::new(b.finish()),
        }
    }
}
