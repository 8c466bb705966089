//! GeoParquet layers (`--features parquet`): the geometry column that the file's `geo` metadata
//! names (`primary_column`, WKB encoding; GeoParquet 1.0 and 1.1, and the WKT `crs` of the
//! 0.x drafts), its CRS from that metadata, attributes as the GeoJSON reader gives them.
//!
//! Read with the `parquet` crate's Arrow reader, a batch at a time and a column at a time; the
//! `geoparquet` crate would add the whole GeoArrow stack for what is here a metadata lookup and
//! the WKB decoding the GeoPackage reader already does.

use std::borrow::Cow;
use std::fs::File;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type, UInt64Type};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::DataType;
use geo::Geometry;
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use parquet::arrow::ProjectionMask;
use rayon::prelude::*;
use serde_json::Value;

use super::attributes::Cell;
use super::columns::{Column, Columns};
use super::crs::Crs;
use super::format::{Sniffed, VectorSource};
use super::{Chunks, CrsSource, Feature, Layer, Properties};
use crate::error::{Error, Result};

/// Rows per Arrow batch: large enough that the per-batch work is nothing, small enough that a
/// batch of polygons stays a few megabytes.
const BATCH_ROWS: usize = 1 << 16;

/// Reads the layer in chunks of at most `chunk` features (see [`super::format::read_in_chunks`]).
pub fn read_in_chunks(
    source: VectorSource,
    chunk: usize,
    keep: Option<&[String]>,
    f: impl FnMut(Layer) -> Result<()>,
) -> Result<Layer> {
    let path = source.path;
    let builder = open(path)?;
    let geo = geo_metadata(&builder, path)?;
    let (crs, crs_source) = super::layer_crs(
        path,
        source.crs,
        || match &geo.crs {
            DeclaredCrs::Known(crs) => Ok(Some(crs.clone())),
            DeclaredCrs::Default | DeclaredCrs::Unknown => Ok(None),
            DeclaredCrs::Unreadable(m) => Err(Error::layer(path, m.clone())),
        },
        || {
            match &geo.crs {
            DeclaredCrs::Default => Ok((Crs::wgs84(), CrsSource::GeoParquetDefault)),
            _ => Err(Error::layer(
                path,
                format!("the GeoParquet metadata says the CRS of column \"{}\" is unknown (crs: null); add `crs = \"EPSG:...\"` to the layer in the study file", geo.column),
            )),
        }
        },
    )?;

    let schema = builder.schema().clone();
    let geometry_index = schema.index_of(&geo.column).map_err(|_| {
        Error::layer(
            path,
            format!(
                "the GeoParquet metadata names \"{}\" as the geometry column, but the file has no such column (its columns: {})",
                geo.column,
                listed(schema.fields().iter().map(|f| f.name().as_str()))
            ),
        )
    })?;
    if !matches!(
        schema.field(geometry_index).data_type(),
        DataType::Binary | DataType::LargeBinary | DataType::BinaryView
    ) {
        return Err(Error::layer(
            path,
            format!(
                "the geometry column \"{}\" holds {} values, not WKB (binary) as its `encoding` says",
                geo.column,
                schema.field(geometry_index).data_type()
            ),
        ));
    }
    // Every other column but the other geometry columns (WKB no setting can use), only those
    // in `keep` when given. Top-level Arrow fields are the Parquet schema's roots, in order.
    let attributes: Vec<usize> = (0..schema.fields().len())
        .filter(|&i| {
            let name = schema.field(i).name();
            i != geometry_index
                && !geo.other_geometry_columns.contains(name)
                && keep.is_none_or(|k| k.contains(name))
        })
        .collect();
    let mut roots = attributes.clone();
    roots.push(geometry_index);
    roots.sort_unstable();
    let mask = ProjectionMask::roots(builder.parquet_schema(), roots);
    let chunk = chunk.clamp(1, 1 << 20);
    // Batches of at most a chunk's rows: a chunk of homes (16 384) is then one batch, its
    // features handed on without being moved from one vector to another.
    let mut batches = builder
        .with_projection(mask)
        .with_batch_size(chunk.min(BATCH_ROWS))
        .build()
        .map_err(|e| Error::layer(path, format!("the Parquet file cannot be read: {e}")))?;

    let header = Layer {
        path: path.to_path_buf(),
        crs,
        crs_source,
        features: Vec::new(),
        columns: Default::default(),
    };
    let mut sink = Chunks::new(header, f);
    let mut features: Vec<Feature> = Vec::new();
    let mut index = 0;
    while let Some(batch) = next_batch(&mut batches, path, index)? {
        let (read, columns) = batch_features(&batch, &geo.column, path, index, keep.is_some())?;
        index += batch.num_rows();
        if !columns.is_empty() {
            // A batch has at most a chunk's rows: its columns are the chunk's as they are.
            sink.push_columns(read, columns)?;
            continue;
        }
        if features.is_empty() {
            features = read;
        } else {
            features.extend(read);
        }
        while features.len() >= chunk {
            let rest = features.split_off(chunk);
            sink.push_columns(std::mem::replace(&mut features, rest), Default::default())?;
        }
    }
    if !features.is_empty() {
        sink.push_columns(features, Default::default())?;
    }
    sink.finish()
}

/// Opens the file, checking first that it is Parquet.
fn open(path: &Path) -> Result<ParquetRecordBatchReaderBuilder<File>> {
    super::format::expect_content(
        path,
        Sniffed::Parquet,
        "the file is empty: a GeoParquet file is a Parquet file",
        "not a Parquet file (it does not start with \"PAR1\"); export the layer again as GeoParquet",
    )?;
    let file = File::open(path).map_err(|e| Error::io(path, format!("cannot read: {e}")))?;
    catch_unwind(AssertUnwindSafe(|| {
        ParquetRecordBatchReaderBuilder::try_new(file)
    }))
    .unwrap_or_else(|_| {
        Err(parquet::errors::ParquetError::General(
            "its footer is malformed".into(),
        ))
    })
    .map_err(|e| {
        Error::layer(
            path,
            format!("a damaged or cut-short Parquet file ({e}); export the layer again"),
        )
    })
}

/// The next batch; a decoding failure names the feature where the batch starts.
fn next_batch(
    batches: &mut ParquetRecordBatchReader,
    path: &Path,
    first: usize,
) -> Result<Option<RecordBatch>> {
    // The parquet crate returns errors for the damage it checks and has panicked on some it
    // does not (a page header whose sizes lie): either is a damaged file, not a crash.
    match catch_unwind(AssertUnwindSafe(|| batches.next())) {
        Ok(None) => Ok(None),
        Ok(Some(Ok(batch))) => Ok(Some(batch)),
        Ok(Some(Err(e))) => Err(Error::feature(
            path,
            first,
            format!("the rows from here on cannot be read, the Parquet file is damaged: {e}"),
        )),
        Err(_) => Err(Error::feature(
            path,
            first,
            "the rows from here on cannot be read: the Parquet file is damaged",
        )),
    }
}

/// What the `geo` metadata says about the layer.
#[derive(Debug)]
struct GeoMetadata {
    /// The primary geometry column.
    column: String,
    crs: DeclaredCrs,
    /// The other geometry columns, left out of the attributes.
    other_geometry_columns: Vec<String>,
}

/// The CRS a GeoParquet column declares.
#[derive(Debug)]
enum DeclaredCrs {
    /// No `crs` key: OGC:CRS84.
    Default,
    /// `crs: null`: the CRS is unknown.
    Unknown,
    Known(Crs),
    /// A CRS kindscape cannot use, with the message (an error only when the study file gives
    /// no `crs` key).
    Unreadable(String),
}

fn geo_metadata(
    builder: &ParquetRecordBatchReaderBuilder<File>,
    path: &Path,
) -> Result<GeoMetadata> {
    let text = builder
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .and_then(|kv| kv.iter().find(|kv| kv.key == "geo"))
        .and_then(|kv| kv.value.clone())
        .ok_or_else(|| {
            Error::layer(
                path,
                "a Parquet file without GeoParquet metadata (no \"geo\" key), so no column is known to hold the geometry; write it as GeoParquet (e.g. GeoPandas `to_parquet`, or `ogr2ogr -f Parquet`)",
            )
        })?;
    parse_geo_metadata(&text)
        .map_err(|m| Error::layer(path, format!("the GeoParquet metadata: {m}")))
}

/// Reads the `geo` metadata's JSON.
fn parse_geo_metadata(text: &str) -> std::result::Result<GeoMetadata, String> {
    let geo: Value = serde_json::from_str(text).map_err(|e| format!("not valid JSON ({e})"))?;
    let column = geo
        .get("primary_column")
        .and_then(Value::as_str)
        .ok_or("it has no \"primary_column\" naming the geometry column")?
        .to_string();
    let columns = geo
        .get("columns")
        .and_then(Value::as_object)
        .ok_or("it has no \"columns\" object describing the geometry columns")?;
    let meta = columns
        .get(&column)
        .ok_or_else(|| format!("\"columns\" does not describe the primary column \"{column}\""))?;
    let encoding = meta
        .get("encoding")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("column \"{column}\" has no \"encoding\""))?;
    if !encoding.eq_ignore_ascii_case("WKB") {
        return Err(format!(
            "column \"{column}\" is encoded as \"{encoding}\"; kindscape reads WKB geometries: write the file with WKB encoding (the GeoParquet default)"
        ));
    }
    Ok(GeoMetadata {
        crs: declared_crs(meta.get("crs")),
        other_geometry_columns: columns.keys().filter(|k| **k != column).cloned().collect(),
        column,
    })
}

/// A column's `crs`: PROJJSON (GeoParquet 1.x) taken by its EPSG id, or a string (an
/// `EPSG:` code, or the WKT of the 0.x drafts).
fn declared_crs(crs: Option<&Value>) -> DeclaredCrs {
    let crs = match crs {
        None => return DeclaredCrs::Default,
        Some(Value::Null) => return DeclaredCrs::Unknown,
        Some(c) => c,
    };
    let known = match crs {
        Value::String(s) => Crs::parse(s).or_else(|_| super::prj::crs_from_wkt(s)),
        Value::Object(_) => projjson_crs(crs),
        other => Err(format!("the CRS is {other}, not a PROJJSON object")),
    };
    match known {
        Ok(crs) => DeclaredCrs::Known(crs),
        Err(m) => DeclaredCrs::Unreadable(format!(
            "{m}; add `crs = \"EPSG:...\"` to the layer in the study file"
        )),
    }
}

/// The CRS of a PROJJSON object by its identifier: its `id` (or first of `ids`), for a bound
/// CRS its source CRS's, for a compound CRS its horizontal component's.
fn projjson_crs(projjson: &Value) -> std::result::Result<Crs, String> {
    let name = projjson
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("unnamed");
    let id = projjson
        .get("id")
        .or_else(|| projjson.get("ids").and_then(|ids| ids.get(0)));
    let Some(id) = id else {
        if let Some(inner) = projjson
            .get("source_crs")
            .or_else(|| projjson.get("components").and_then(|c| c.get(0)))
        {
            return projjson_crs(inner);
        }
        return Err(format!(
            "the CRS \"{name}\" (PROJJSON) has no identifier such as an EPSG code, and kindscape reads a CRS by its code"
        ));
    };
    let authority = id.get("authority").and_then(Value::as_str).unwrap_or("");
    let code = match id.get("code") {
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) => s.clone(),
        _ => String::new(),
    };
    let crs = if authority.eq_ignore_ascii_case("EPSG") {
        code.parse::<u32>()
            .map_err(|_| format!("EPSG code \"{code}\" is not a number"))
            .and_then(Crs::from_epsg)
    } else if authority.eq_ignore_ascii_case("OGC") && code.eq_ignore_ascii_case("CRS84") {
        Ok(Crs::wgs84())
    } else {
        Err(format!("kindscape does not know {authority}:{code}"))
    };
    crs.map_err(|e| format!("the CRS \"{name}\" ({authority}:{code}): {e}"))
}

/// The features of one batch, the first at file index `first`. A batch is tens of thousands of
/// rows: geometries are decoded and features built in parallel (a `serde_json` map per feature
/// costs more than reading its values), errors reported for the first failing row in file order.
/// With `columnar`, the attributes are handed on as the batch's columns, the features' maps left
/// empty.
fn batch_features(
    batch: &RecordBatch,
    geometry_column: &str,
    path: &Path,
    first: usize,
    columnar: bool,
) -> Result<(Vec<Feature>, Columns)> {
    let schema = batch.schema();
    let geometries = batch
        .column_by_name(geometry_column)
        .expect("the geometry column is projected");
    let decoded: Vec<std::result::Result<Option<Geometry>, String>> = (0..batch.num_rows())
        .into_par_iter()
        .map(|row| match wkb_at(geometries, row) {
            None => Ok(None),
            Some(bytes) => super::wkb_reader::geometry(bytes),
        })
        .collect();
    let mut features = Vec::with_capacity(batch.num_rows());
    let mut columns = Columns::default();
    for (row, geometry) in decoded.into_iter().enumerate() {
        let index = first + row;
        features.push(Feature {
            index,
            geometry: geometry.map_err(|m| Error::feature(path, index, m))?,
            props: Properties::new(),
            id: None,
        });
    }
    for (field, column) in schema.fields().iter().zip(batch.columns()) {
        if field.name() == geometry_column {
            continue;
        }
        let name = field.name();
        let values = attribute_column(column)
            .map_err(|m| Error::layer(path, format!("column \"{name}\" cannot be read: {m}")))?;
        let Some(values) = values else { continue };
        if columnar {
            columns.push(name.clone(), Arc::new(values));
            continue;
        }
        features
            .par_iter_mut()
            .enumerate()
            .for_each(|(row, feature)| {
                if let Some(value) = values.cell(row).to_value() {
                    feature.props.insert(name.clone(), value);
                }
            });
    }
    Ok((features, columns))
}

/// The WKB of a row of a binary column; `None` when null.
fn wkb_at(column: &ArrayRef, row: usize) -> Option<&[u8]> {
    if column.is_null(row) {
        return None;
    }
    Some(match column.data_type() {
        DataType::Binary => column.as_binary::<i32>().value(row),
        DataType::LargeBinary => column.as_binary::<i64>().value(row),
        _ => column.as_binary_view().value(row),
    })
}

/// An attribute column cast to one of the few types whose values convert to the attribute
/// values GeoJSON would hold (see its [`Column::cell`]).
enum AttributeColumn {
    Null,
    Boolean(ArrayRef),
    UInt64(ArrayRef),
    Int64(ArrayRef),
    Float64(ArrayRef),
    Utf8(ArrayRef),
    LargeUtf8(ArrayRef),
    Utf8View(ArrayRef),
}

/// A column as attribute values: integers, reals, text, booleans, null; dates and other types
/// as their text. `None` for a binary column, which no setting can use.
fn attribute_column(column: &ArrayRef) -> std::result::Result<Option<AttributeColumn>, String> {
    let cast = |to: &DataType| arrow_cast::cast(column, to).map_err(|e| e.to_string());
    Ok(Some(match column.data_type() {
        DataType::Binary
        | DataType::LargeBinary
        | DataType::BinaryView
        | DataType::FixedSizeBinary(_) => return Ok(None),
        DataType::Null => AttributeColumn::Null,
        DataType::Boolean => AttributeColumn::Boolean(column.clone()),
        DataType::UInt64 => AttributeColumn::UInt64(column.clone()),
        t if t.is_integer() => AttributeColumn::Int64(cast(&DataType::Int64)?),
        t if t.is_floating()
            || matches!(
                t,
                DataType::Decimal128(..)
                    | DataType::Decimal256(..)
                    | DataType::Decimal32(..)
                    | DataType::Decimal64(..)
            ) =>
        {
            AttributeColumn::Float64(cast(&DataType::Float64)?)
        }
        DataType::Utf8 => AttributeColumn::Utf8(column.clone()),
        DataType::LargeUtf8 => AttributeColumn::LargeUtf8(column.clone()),
        DataType::Utf8View => AttributeColumn::Utf8View(column.clone()),
        DataType::Dictionary(_, inner) if inner.is_integer() || inner.is_floating() => {
            return attribute_column(&cast(inner)?);
        }
        DataType::Dictionary(..) => AttributeColumn::Utf8(cast(&DataType::Utf8)?),
        _ => {
            let options = arrow_cast::display::FormatOptions::default();
            let text = arrow_cast::display::ArrayFormatter::try_new(column.as_ref(), &options)
                .map_err(|e| e.to_string())?;
            let strings: arrow_array::StringArray = (0..column.len())
                .map(|i| (!column.is_null(i)).then(|| text.value(i).to_string()))
                .collect();
            AttributeColumn::Utf8(std::sync::Arc::new(strings))
        }
    }))
}

impl Column for AttributeColumn {
    fn cell(&self, row: usize) -> Cell<'_> {
        match self {
            AttributeColumn::Null => Cell::Null,
            AttributeColumn::Boolean(a)
            | AttributeColumn::UInt64(a)
            | AttributeColumn::Int64(a)
            | AttributeColumn::Float64(a)
            | AttributeColumn::Utf8(a)
            | AttributeColumn::LargeUtf8(a)
            | AttributeColumn::Utf8View(a)
                if a.is_null(row) =>
            {
                Cell::Null
            }
            AttributeColumn::Boolean(a) => Cell::Bool(a.as_boolean().value(row)),
            AttributeColumn::UInt64(a) => {
                Cell::Number(a.as_primitive::<UInt64Type>().value(row).into())
            }
            AttributeColumn::Int64(a) => {
                Cell::Number(a.as_primitive::<Int64Type>().value(row).into())
            }
            AttributeColumn::Float64(a) => Cell::real(a.as_primitive::<Float64Type>().value(row)),
            AttributeColumn::Utf8(a) => Cell::Text(Cow::Borrowed(a.as_string::<i32>().value(row))),
            AttributeColumn::LargeUtf8(a) => {
                Cell::Text(Cow::Borrowed(a.as_string::<i64>().value(row)))
            }
            AttributeColumn::Utf8View(a) => {
                Cell::Text(Cow::Borrowed(a.as_string_view().value(row)))
            }
        }
    }
}

fn listed<'a>(names: impl Iterator<Item = &'a str>) -> String {
    names
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ")
}
