//! GeoPackage layers: one feature table of the SQLite file (the `layer` key picks it when there
//! are several), its CRS from `gpkg_spatial_ref_sys`, attributes as the GeoJSON reader gives
//! them (integers, reals, text, BOOLEAN columns as true/false).

use std::path::Path;
use std::sync::Arc;

use geo::Geometry;
use rayon::prelude::*;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use serde_json::Value;

use super::attributes::Cell as AttributeCell;
use super::columns::{Columns, Scalars};
use super::crs::Crs;
use super::format::{Sniffed, VectorSource};
use super::{Chunks, Feature, Layer, Properties};
use crate::error::{Error, Result};

/// Reads the layer in chunks of at most `chunk` features (see [`super::format::read_in_chunks`]).
pub fn read_in_chunks(
    source: VectorSource,
    chunk: usize,
    keep: Option<&[String]>,
    f: impl FnMut(Layer) -> Result<()>,
) -> Result<Layer> {
    let path = source.path;
    let db = open(path)?;
    let table = pick_layer(&db, path, source.layer)?;
    let sql_error =
        |e: rusqlite::Error| Error::layer(path, format!("layer \"{table}\" cannot be read: {e}"));
    let (geometry_column, srs_id) = db
        .query_row(
            "SELECT column_name, srs_id FROM gpkg_geometry_columns WHERE table_name = ?1",
            [&table],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)),
        )
        .map_err(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Error::layer(
                path,
                format!("layer \"{table}\" has no entry in gpkg_geometry_columns, so its geometry column is unknown; the file is not a valid GeoPackage"),
            ),
            e => sql_error(e),
        })?;
    let (crs, crs_source) = super::layer_crs(
        path,
        source.crs,
        || crs_of(&db, path, &table, srs_id),
        || {
            Err(Error::layer(
                path,
                format!("layer \"{table}\" declares no CRS (srs_id {srs_id}); add `crs = \"EPSG:...\"` to the layer in the study file"),
            ))
        },
    )?;

    let columns = attribute_columns(&db, &table, &geometry_column, keep).map_err(sql_error)?;
    let select: Vec<String> = std::iter::once(quote(&geometry_column))
        .chain(columns.iter().map(|c| quote(&c.name)))
        .collect();
    let mut statement = db
        .prepare(&format!(
            "SELECT {} FROM {}",
            select.join(", "),
            quote(&table)
        ))
        .map_err(sql_error)?;
    let mut rows = statement.query([]).map_err(sql_error)?;

    let header = Layer {
        path: path.to_path_buf(),
        crs,
        crs_source,
        features: Vec::new(),
        columns: Default::default(),
    };
    let mut sink = Chunks::new(header, f);
    let chunk = chunk.clamp(1, 1 << 20);
    let mut pending = Pending {
        columns: match keep {
            Some(_) => vec![Scalars::default(); columns.len()],
            None => Vec::new(),
        },
        ..Pending::default()
    };
    loop {
        // A failure to read a row comes after the errors of the rows before it.
        let row = match rows.next() {
            Ok(Some(row)) => row,
            Ok(None) => break,
            Err(e) => {
                pending.features(path, &columns)?;
                return Err(sql_error(e));
            }
        };
        match row.get_ref(0) {
            Ok(ValueRef::Null) => pending.geometries.push(Cell::Null),
            Ok(ValueRef::Blob(blob)) => {
                let start = pending.blobs.len();
                pending.blobs.extend_from_slice(blob);
                pending
                    .geometries
                    .push(Cell::Blob(start, pending.blobs.len()));
            }
            Ok(other) => {
                let index = pending.first + pending.geometries.len();
                let wrong = Error::feature(
                    path,
                    index,
                    format!(
                        "the geometry column \"{geometry_column}\" holds {} instead of a GeoPackage geometry blob",
                        type_name(other)
                    ),
                );
                pending.features(path, &columns)?;
                return Err(wrong);
            }
            Err(e) => {
                pending.features(path, &columns)?;
                return Err(sql_error(e));
            }
        }
        // Only an index outside the SELECT's columns fails here.
        for (i, column) in columns.iter().enumerate() {
            let value = attribute(row.get_ref(i + 1).map_err(sql_error)?, column.boolean);
            match pending.columns.get_mut(i) {
                Some(scalars) => scalars.push(value),
                None => pending.values.push(value.to_value()),
            }
        }
        if pending.geometries.len() == chunk {
            let (features, read) = pending.chunk(path, &columns)?;
            sink.push_columns(features, read)?;
        }
    }
    if !pending.geometries.is_empty() {
        let (features, read) = pending.chunk(path, &columns)?;
        sink.push_columns(features, read)?;
    }
    sink.finish()
}

/// Rows stepped through by SQLite (which steps on one thread) but not yet made features: a
/// chunk's geometries are decoded and its attribute maps built on every core.
#[derive(Default)]
struct Pending {
    /// The file index of the first row.
    first: usize,
    /// The rows' geometry blobs, one after the other.
    blobs: Vec<u8>,
    geometries: Vec<Cell>,
    /// The attribute values, row after row (`None` for a BLOB, which no setting can use).
    values: Vec<Option<Value>>,
    /// Instead of `values`, when only some attributes are kept: one column per attribute.
    columns: Vec<Scalars>,
}

/// A row's geometry cell.
enum Cell {
    Null,
    /// Where its blob lies in [`Pending::blobs`].
    Blob(usize, usize),
}

impl Pending {
    /// The pending rows as features (the first failing row's error, in file order); empties
    /// the rows.
    fn features(&mut self, path: &Path, columns: &[Column]) -> Result<Vec<Feature>> {
        Ok(self.chunk(path, columns)?.0)
    }

    /// The pending rows as features, with their attributes as columns when read so.
    fn chunk(&mut self, path: &Path, columns: &[Column]) -> Result<(Vec<Feature>, Columns)> {
        let decoded: Vec<std::result::Result<Option<Geometry>, String>> = self
            .geometries
            .par_iter()
            .map(|cell| match cell {
                Cell::Null => Ok(None),
                Cell::Blob(start, end) => geometry(&self.blobs[*start..*end]),
            })
            .collect();
        let mut features = Vec::with_capacity(decoded.len());
        for (geometry, index) in decoded.into_iter().zip(self.first..) {
            features.push(Feature {
                index,
                geometry: geometry.map_err(|m| Error::feature(path, index, m))?,
                props: Properties::new(),
                id: None,
            });
        }
        let mut read = Columns::default();
        for (column, scalars) in columns.iter().zip(&mut self.columns) {
            read.push(column.name.clone(), Arc::new(std::mem::take(scalars)));
        }
        if self.columns.is_empty() && !columns.is_empty() {
            features
                .par_iter_mut()
                .zip(self.values.par_chunks_mut(columns.len()))
                .for_each(|(feature, values)| {
                    for (column, value) in columns.iter().zip(values) {
                        if let Some(value) = value.take() {
                            feature.props.insert(column.name.clone(), value);
                        }
                    }
                });
        }
        self.first += features.len();
        self.blobs.clear();
        self.geometries.clear();
        self.values.clear();
        Ok((features, read))
    }
}

/// Opens the file read-only (an input is never written), checking first that it is SQLite.
fn open(path: &Path) -> Result<Connection> {
    super::format::expect_content(
        path,
        Sniffed::Sqlite,
        "the file is empty: a GeoPackage is a SQLite database",
        "not a SQLite database (a broken SQLite file, or not a GeoPackage): a GeoPackage starts with \"SQLite format 3\"; export it again",
    )?;
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let db = Connection::open_with_flags(path, flags)
        .map_err(|e| Error::layer(path, format!("cannot open the GeoPackage: {e}")))?;
    // A damaged file fails at its first query; say so once, plainly.
    db.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })
    .map_err(|e| {
        Error::layer(
            path,
            format!("a broken SQLite file ({e}); export the GeoPackage again"),
        )
    })?;
    Ok(db)
}

/// The feature table to read: `wanted`, or the only one there is.
fn pick_layer(db: &Connection, path: &Path, wanted: Option<&str>) -> Result<String> {
    let has_contents: bool = db
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type IN ('table', 'view') AND name = 'gpkg_contents'",
            [],
            |r| r.get::<_, i64>(0),
        )
        .map(|n| n > 0)
        .map_err(|e| Error::layer(path, format!("a broken SQLite file ({e})")))?;
    if !has_contents {
        return Err(Error::layer(
            path,
            "a SQLite database but not a GeoPackage (it has no gpkg_contents table); export the layer as GeoPackage, e.g. `ogr2ogr -f GPKG out.gpkg in`",
        ));
    }
    let contents: Vec<(String, String)> = (|| {
        let mut s =
            db.prepare("SELECT table_name, data_type FROM gpkg_contents ORDER BY table_name")?;
        let rows = s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
    })()
    .map_err(|e| Error::layer(path, format!("gpkg_contents cannot be read: {e}")))?;
    let features: Vec<&str> = contents
        .iter()
        .filter(|(_, kind)| kind == "features")
        .map(|(name, _)| name.as_str())
        .collect();
    let listed = |names: &[&str]| {
        names
            .iter()
            .map(|n| format!("\"{n}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match wanted {
        Some(name) if features.contains(&name) => Ok(name.to_string()),
        Some(name) => {
            let other = contents.iter().find(|(n, _)| n == name);
            let what = match other {
                Some((_, kind)) => format!("layer \"{name}\" is a table without geometry (data_type \"{kind}\")"),
                None => format!("the GeoPackage has no layer \"{name}\""),
            };
            Err(Error::layer(
                path,
                if features.is_empty() {
                    format!("{what}, and no layer with geometry")
                } else {
                    format!("{what}; its layers with geometry are {}", listed(&features))
                },
            ))
        }
        None => match features.as_slice() {
            [one] => Ok(one.to_string()),
            [] => Err(Error::layer(
                path,
                if contents.is_empty() {
                    "the GeoPackage has no layers".to_string()
                } else {
                    let tables: Vec<&str> = contents.iter().map(|(n, _)| n.as_str()).collect();
                    format!(
                        "the GeoPackage has no layer with geometry, only tables without: {}",
                        listed(&tables)
                    )
                },
            )),
            several => Err(Error::layer(
                path,
                format!(
                    "the GeoPackage has {} layers: {}; pick one with `layer = \"...\"` in the study file",
                    several.len(),
                    listed(several)
                ),
            )),
        },
    }
}

/// The CRS of `srs_id`: its EPSG code, else its WKT definition; `None` when undefined.
fn crs_of(db: &Connection, path: &Path, table: &str, srs_id: i64) -> Result<Option<Crs>> {
    let row = db.query_row(
        "SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys WHERE srs_id = ?1",
        [srs_id],
        |r| {
            Ok((
                r.get::<_, Option<String>>(0)?,
                r.get::<_, Option<i64>>(1)?,
                r.get::<_, Option<String>>(2)?,
            ))
        },
    );
    let (organization, code, definition) = match row {
        Ok(row) => row,
        Err(rusqlite::Error::QueryReturnedNoRows) => {
            return Err(Error::layer(
                path,
                format!("layer \"{table}\" uses srs_id {srs_id}, which gpkg_spatial_ref_sys does not define; add `crs = \"EPSG:...\"` to the layer in the study file"),
            ))
        }
        Err(e) => return Err(Error::layer(path, format!("gpkg_spatial_ref_sys cannot be read: {e}"))),
    };
    // srs_id 0 and -1 are the GeoPackage's "undefined geographic / cartesian" entries.
    if srs_id <= 0 {
        return Ok(None);
    }
    let in_layer = |e: String| Error::layer(path, format!("layer \"{table}\": {e}"));
    if organization.is_some_and(|o| o.eq_ignore_ascii_case("EPSG")) {
        if let Some(code) = code.and_then(|c| u32::try_from(c).ok()) {
            return Crs::from_epsg(code).map(Some).map_err(in_layer);
        }
    }
    match definition {
        Some(wkt) if !wkt.trim().is_empty() && wkt.trim() != "undefined" => {
            super::prj::crs_from_wkt(&wkt).map(Some).map_err(in_layer)
        }
        _ => Ok(None),
    }
}

/// An attribute column to read.
struct Column {
    name: String,
    /// Declared BOOLEAN: stored as 0/1, read as false/true.
    boolean: bool,
}

/// The table's columns but the geometry and the primary key (the feature id, which GeoJSON
/// keeps outside the properties), only those in `keep` when given.
fn attribute_columns(
    db: &Connection,
    table: &str,
    geometry_column: &str,
    keep: Option<&[String]>,
) -> rusqlite::Result<Vec<Column>> {
    let mut s = db.prepare(&format!("PRAGMA table_info({})", quote(table)))?;
    let rows = s.query_map([], |r| {
        Ok((
            r.get::<_, String>(1)?,
            r.get::<_, Option<String>>(2)?.unwrap_or_default(),
            r.get::<_, i64>(5)?,
        ))
    })?;
    let mut columns = Vec::new();
    for row in rows {
        let (name, declared, primary_key) = row?;
        if name == geometry_column || primary_key > 0 {
            continue;
        }
        if keep.is_some_and(|k| !k.contains(&name)) {
            continue;
        }
        columns.push(Column {
            boolean: declared.eq_ignore_ascii_case("BOOLEAN"),
            name,
        });
    }
    Ok(columns)
}

/// A SQLite value as the attribute value GeoJSON would hold; missing for a BLOB, which no
/// setting can use.
fn attribute(value: ValueRef, boolean: bool) -> AttributeCell {
    match value {
        ValueRef::Null => AttributeCell::Null,
        ValueRef::Integer(i) if boolean => AttributeCell::Bool(i != 0),
        ValueRef::Integer(i) => AttributeCell::Number(i.into()),
        ValueRef::Real(r) => AttributeCell::real(r),
        ValueRef::Text(t) => AttributeCell::Text(String::from_utf8_lossy(t)),
        ValueRef::Blob(_) => AttributeCell::Missing,
    }
}

fn type_name(value: ValueRef) -> &'static str {
    match value {
        ValueRef::Null => "NULL",
        ValueRef::Integer(_) => "an integer",
        ValueRef::Real(_) => "a real number",
        ValueRef::Text(_) => "text",
        ValueRef::Blob(_) => "a blob",
    }
}

/// A SQL identifier in double quotes (table and column names may hold spaces or quotes).
fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Decodes a GeoPackage geometry blob: `None` for an empty geometry.
///
/// The blob is a small header before standard WKB (GeoPackage 1.3, section 2.1.3): "GP", a
/// version byte, a flags byte (bit 5: extended type, bit 4: empty, bits 1-3: envelope size
/// code, bit 0: byte order of the header), a 4-byte srs_id and the envelope. The `wkb` crate
/// reads only the WKB, so the header is read here.
pub fn geometry(blob: &[u8]) -> std::result::Result<Option<Geometry>, String> {
    if blob.len() < 8 || &blob[..2] != b"GP" {
        return Err(format!(
            "the geometry is not a GeoPackage geometry blob (it does not start with \"GP\"; {} bytes)",
            blob.len()
        ));
    }
    let flags = blob[3];
    if flags & 0b0010_0000 != 0 {
        return Err(
            "the geometry is an extended GeoPackage geometry, which kindscape does not read".into(),
        );
    }
    let envelope = match (flags >> 1) & 0b111 {
        0 => 0,
        1 => 32,
        2 | 3 => 48,
        4 => 64,
        code => {
            return Err(format!(
                "the geometry header has an invalid envelope code {code}"
            ))
        }
    };
    let start = 8 + envelope;
    if blob.len() < start {
        return Err(format!(
            "the geometry blob is cut short: {} bytes, its header alone needs {start}",
            blob.len()
        ));
    }
    if flags & 0b0001_0000 != 0 {
        return Ok(None);
    }
    super::wkb_reader::geometry(&blob[start..])
}

/// The SQL that makes an empty GeoPackage of one layer "homes" in RD New, its geometry column
/// `geom` of `geometry_type`, its other columns `columns` (as in CREATE TABLE), and opens a
/// transaction for the rows: for the tests of this reader and of the homes read from it.
#[cfg(test)]
pub(crate) fn test_homes_schema(geometry_type: &str, columns: &str) -> String {
    format!(
        "CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT, srs_id INTEGER PRIMARY KEY, organization TEXT, organization_coordsys_id INTEGER, definition TEXT, description TEXT);
         INSERT INTO gpkg_spatial_ref_sys VALUES ('RD New', 28992, 'EPSG', 28992, 'undefined', NULL);
         CREATE TABLE gpkg_contents (table_name TEXT PRIMARY KEY, data_type TEXT, identifier TEXT, description TEXT, last_change TEXT, min_x REAL, min_y REAL, max_x REAL, max_y REAL, srs_id INTEGER);
         INSERT INTO gpkg_contents (table_name, data_type, srs_id) VALUES ('homes', 'features', 28992);
         CREATE TABLE gpkg_geometry_columns (table_name TEXT, column_name TEXT, geometry_type_name TEXT, srs_id INTEGER, z TINYINT, m TINYINT);
         INSERT INTO gpkg_geometry_columns VALUES ('homes', 'geom', '{geometry_type}', 28992, 0, 0);
         CREATE TABLE homes (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom BLOB, {columns});
         BEGIN;"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A GeoPackage blob with no envelope around little-endian WKB.
    fn blob(wkb: &[u8]) -> Vec<u8> {
        let mut b = vec![b'G', b'P', 0, 0b0000_0001, 0x40, 0x71, 0, 0];
        b.extend_from_slice(wkb);
        b
    }

    fn point_wkb(x: f64, y: f64) -> Vec<u8> {
        let mut w = vec![1, 1, 0, 0, 0];
        w.extend_from_slice(&x.to_le_bytes());
        w.extend_from_slice(&y.to_le_bytes());
        w
    }

    #[test]
    fn reads_a_point_after_the_header_with_and_without_envelope() {
        let g = geometry(&blob(&point_wkb(155000.5, 463000.25))).unwrap();
        assert_eq!(
            g,
            Some(Geometry::Point(geo::Point::new(155000.5, 463000.25)))
        );
        // Envelope code 1: four doubles (32 bytes) between the srs_id and the WKB.
        let mut with_envelope = vec![b'G', b'P', 0, 0b0000_0011, 0, 0, 0, 0];
        with_envelope.extend_from_slice(&[0u8; 32]);
        with_envelope.extend_from_slice(&point_wkb(1.0, 2.0));
        assert_eq!(
            geometry(&with_envelope).unwrap(),
            Some(Geometry::Point(geo::Point::new(1.0, 2.0)))
        );
    }

    #[test]
    fn empty_and_broken_blobs() {
        // The empty flag (bit 4).
        assert_eq!(
            geometry(&[b'G', b'P', 0, 0b0001_0001, 0, 0, 0, 0]).unwrap(),
            None
        );
        assert!(geometry(b"XY\0\0\0\0\0\0").unwrap_err().contains("\"GP\""));
        assert!(geometry(&[b'G', b'P', 0, 0b0000_1110, 0, 0, 0, 0])
            .unwrap_err()
            .contains("envelope code 7"));
        assert!(geometry(&[b'G', b'P', 0, 0b0000_0010, 0, 0, 0, 0])
            .unwrap_err()
            .contains("cut short"));
        let mut cut = blob(&point_wkb(1.0, 2.0));
        cut.truncate(cut.len() - 4);
        assert!(geometry(&cut).unwrap_err().contains("WKB"));
    }

    /// A GeoPackage of one layer "homes" in RD New, with an attribute `n` = the row number,
    /// its geometries the given blobs (`None` for NULL).
    fn geopackage(path: &Path, geometries: &[Option<Vec<u8>>]) {
        let db = Connection::open(path).unwrap();
        db.execute_batch(&super::test_homes_schema("POINT", "n INTEGER"))
            .unwrap();
        for (n, g) in geometries.iter().enumerate() {
            db.execute(
                "INSERT INTO homes (geom, n) VALUES (?1, ?2)",
                rusqlite::params![g, n as i64],
            )
            .unwrap();
        }
        db.execute_batch("COMMIT;").unwrap();
    }

    fn read(path: &Path, chunk: usize) -> Result<Vec<Feature>> {
        let mut features = Vec::new();
        read_in_chunks(VectorSource::new(path, None, None), chunk, None, |c| {
            features.extend(c.features);
            Ok(())
        })?;
        Ok(features)
    }

    #[test]
    fn rows_read_in_parallel_keep_their_order_and_attributes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("homes.gpkg");
        let geometries: Vec<Option<Vec<u8>>> = (0..5000)
            .map(|i| (i % 7 != 3).then(|| blob(&point_wkb(155000.0 + i as f64, 463000.0))))
            .collect();
        geopackage(&path, &geometries);
        for chunk in [1000, 1 << 20] {
            let features = read(&path, chunk).unwrap();
            assert_eq!(features.len(), 5000);
            for (i, f) in features.iter().enumerate() {
                assert_eq!(f.index, i);
                assert_eq!(f.props.get("n"), Some(&Value::from(i)));
                let expected = (i % 7 != 3)
                    .then(|| Geometry::Point(geo::Point::new(155000.0 + i as f64, 463000.0)));
                assert_eq!(f.geometry, expected, "feature {i}");
            }
        }
    }

    #[test]
    fn the_first_broken_row_is_named_in_file_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("homes.gpkg");
        let mut geometries: Vec<Option<Vec<u8>>> = (0..5000)
            .map(|i| Some(blob(&point_wkb(i as f64, 0.0))))
            .collect();
        for broken in [2001, 2000, 4500] {
            geometries[broken] = Some(b"XY\0\0\0\0\0\0".to_vec());
        }
        geopackage(&path, &geometries);
        for chunk in [1000, 1 << 20] {
            let e = read(&path, chunk).unwrap_err().to_string();
            assert!(e.contains("feature 2000:") && e.contains("\"GP\""), "{e}");
        }
        // A row whose geometry is text, after a broken blob in the same chunk: the blob's error.
        geometries[4500] = None;
        let text = dir.path().join("text.gpkg");
        geopackage(&text, &geometries);
        let db = Connection::open(&text).unwrap();
        db.execute("UPDATE homes SET geom = 'POINT (1 2)' WHERE n = 2500", [])
            .unwrap();
        drop(db);
        let e = read(&text, 1 << 20).unwrap_err().to_string();
        assert!(e.contains("feature 2000:"), "{e}");
        // Without the broken blobs, the text is named.
        let db = Connection::open(&text).unwrap();
        db.execute("DELETE FROM homes WHERE n IN (2000, 2001)", [])
            .unwrap();
        drop(db);
        let e = read(&text, 1 << 20).unwrap_err().to_string();
        assert!(
            e.contains("feature 2498:") && e.contains("holds text"),
            "{e}"
        );
    }

    #[test]
    fn sqlite_values_become_geojson_attribute_values() {
        assert_eq!(
            attribute(ValueRef::Integer(7), false).to_value(),
            Some(Value::from(7))
        );
        assert_eq!(
            attribute(ValueRef::Integer(1), true).to_value(),
            Some(Value::Bool(true))
        );
        assert_eq!(
            attribute(ValueRef::Real(2.5), false).to_value(),
            Some(Value::from(2.5))
        );
        assert_eq!(
            attribute(ValueRef::Text(b"0012"), false).to_value(),
            Some(Value::from("0012"))
        );
        assert_eq!(
            attribute(ValueRef::Null, false).to_value(),
            Some(Value::Null)
        );
        assert_eq!(attribute(ValueRef::Blob(b"x"), false).to_value(), None);
        assert_eq!(
            attribute(ValueRef::Real(f64::INFINITY), false).to_value(),
            Some(Value::from("inf"))
        );
    }
}
