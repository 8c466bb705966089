//! `kindscape.gpkg`: the output tables as GeoPackage layers for QGIS users (`[study] formats =
//! ["gpkg"]`), with the same columns and values as the CSV files: each layer is filled from its
//! CSV text, so the two cannot drift apart.
//!
//! Written with rusqlite (SQLite compiled in) and the `wkb` crate; the GeoPackage tables and the
//! geometry header (OGC 12-128r19, 2.1.3) are a few statements, which no well-kept Rust crate
//! writes for us.

use std::path::Path;

use geo::{BoundingRect, Geometry};
use rusqlite::{params, Connection};

use crate::error::{Error, Result};
use crate::layers::crs::Crs;

/// One layer: its name, geometry type, and the CSV text of its attributes with one geometry per
/// row (in the working CRS).
pub struct GpkgLayer<'a> {
    pub name: &'a str,
    /// `POINT` or `MULTIPOLYGON`.
    pub geometry_type: &'a str,
    pub csv: Vec<u8>,
    pub geometries: Vec<Geometry>,
}

/// Writes `layers` to a new GeoPackage at `path`.
pub fn write(path: &Path, crs: &Crs, layers: &[GpkgLayer]) -> Result<()> {
    let err = |e: rusqlite::Error| Error::io(path, format!("GeoPackage: {e}"));
    let mut db = Connection::open(path).map_err(err)?;
    db.execute_batch(
        "PRAGMA application_id = 1196444487; PRAGMA user_version = 10300; PRAGMA journal_mode = OFF;",
    )
    .map_err(err)?;
    let tx = db.transaction().map_err(err)?;
    tx.execute_batch(
        "CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY,
           organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL,
           definition TEXT NOT NULL, description TEXT);
         INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system');
         INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system');
         CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL,
           identifier TEXT UNIQUE, description TEXT DEFAULT '',
           last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
           min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER);
         CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL,
           geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL,
           m TINYINT NOT NULL, PRIMARY KEY (table_name, column_name));",
    )
    .map_err(err)?;
    // The working CRS by its EPSG code (GDAL and QGIS resolve the definition from it); a
    // `+proj=` CRS under a code of our own with its WKT, which is what they read without a code.
    let (srs_id, organization, code, definition) = match crs.epsg {
        Some(c) => (i64::from(c), "EPSG", i64::from(c), "undefined".to_string()),
        None => (
            100_000,
            "NONE",
            100_000,
            crate::layers::wkt::wkt_of_proj(&crs.name).unwrap_or_else(|| "undefined".into()),
        ),
    };
    tx.execute(
        "INSERT INTO gpkg_spatial_ref_sys VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![crs.name, srs_id, organization, code, definition, crs.name],
    )
    .map_err(err)?;
    for layer in layers {
        write_layer(&tx, layer, srs_id).map_err(|e| match e {
            LayerError::Sql(e) => err(e),
            LayerError::Other(m) => Error::io(path, format!("layer {}: {m}", layer.name)),
        })?;
    }
    tx.commit().map_err(err)?;
    Ok(())
}

enum LayerError {
    Sql(rusqlite::Error),
    Other(String),
}

impl From<rusqlite::Error> for LayerError {
    fn from(e: rusqlite::Error) -> Self {
        LayerError::Sql(e)
    }
}

fn write_layer(
    tx: &rusqlite::Transaction,
    layer: &GpkgLayer,
    srs_id: i64,
) -> std::result::Result<(), LayerError> {
    let mut reader = csv::Reader::from_reader(layer.csv.as_slice());
    let columns: Vec<String> = reader
        .headers()
        .map_err(|e| LayerError::Other(e.to_string()))?
        .iter()
        .map(String::from)
        .collect();
    let rows: Vec<csv::StringRecord> = reader
        .records()
        .collect::<std::result::Result<_, _>>()
        .map_err(|e| LayerError::Other(e.to_string()))?;
    if rows.len() != layer.geometries.len() {
        return Err(LayerError::Other(format!(
            "{} rows but {} geometries",
            rows.len(),
            layer.geometries.len()
        )));
    }
    // REAL where every cell is empty or a number, TEXT otherwise.
    let real: Vec<bool> = (0..columns.len())
        .map(|c| {
            !super::table::is_text_column(&columns[c])
                && rows
                    .iter()
                    .all(|r| r[c].is_empty() || r[c].parse::<f64>().is_ok())
        })
        .collect();
    let quote = |name: &str| format!("\"{}\"", name.replace('"', "\"\""));
    let definitions: Vec<String> = columns
        .iter()
        .zip(&real)
        .map(|(c, r)| format!("{} {}", quote(c), if *r { "REAL" } else { "TEXT" }))
        .collect();
    tx.execute_batch(&format!(
        "CREATE TABLE {} (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom {}{}{});",
        quote(layer.name),
        layer.geometry_type,
        if definitions.is_empty() { "" } else { ", " },
        definitions.join(", ")
    ))?;
    let extent = layer
        .geometries
        .iter()
        .filter_map(|g| g.bounding_rect())
        .reduce(|a, b| {
            geo::Rect::new(
                geo::coord! { x: a.min().x.min(b.min().x), y: a.min().y.min(b.min().y) },
                geo::coord! { x: a.max().x.max(b.max().x), y: a.max().y.max(b.max().y) },
            )
        });
    let (min, max) = extent.map_or(((None, None), (None, None)), |r| {
        (
            (Some(r.min().x), Some(r.min().y)),
            (Some(r.max().x), Some(r.max().y)),
        )
    });
    tx.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, min_x, min_y, max_x, max_y, srs_id)
         VALUES (?1, 'features', ?1, ?2, ?3, ?4, ?5, ?6)",
        params![layer.name, min.0, min.1, max.0, max.1, srs_id],
    )?;
    tx.execute(
        "INSERT INTO gpkg_geometry_columns VALUES (?1, 'geom', ?2, ?3, 0, 0)",
        params![layer.name, layer.geometry_type, srs_id],
    )?;
    let placeholders: Vec<String> = (0..=columns.len()).map(|i| format!("?{}", i + 1)).collect();
    let names: Vec<String> = std::iter::once("geom".to_string())
        .chain(columns.iter().map(|c| quote(c)))
        .collect();
    let mut insert = tx.prepare(&format!(
        "INSERT INTO {} ({}) VALUES ({})",
        quote(layer.name),
        names.join(", "),
        placeholders.join(", ")
    ))?;
    let mut values: Vec<rusqlite::types::Value> = Vec::with_capacity(columns.len() + 1);
    for (row, geometry) in rows.iter().zip(&layer.geometries) {
        values.clear();
        values.push(rusqlite::types::Value::Blob(
            geometry_blob(geometry, srs_id).map_err(LayerError::Other)?,
        ));
        for (c, cell) in row.iter().enumerate() {
            values.push(match (cell.is_empty(), real[c]) {
                (true, _) => rusqlite::types::Value::Null,
                (false, true) => rusqlite::types::Value::Real(cell.parse().unwrap_or(f64::NAN)),
                (false, false) => rusqlite::types::Value::Text(cell.to_string()),
            });
        }
        insert.execute(rusqlite::params_from_iter(values.iter()))?;
    }
    Ok(())
}

/// A GeoPackage geometry: the header (magic, version 0, little-endian with an xy envelope, the
/// SRS id, the envelope) and the geometry as little-endian WKB.
fn geometry_blob(g: &Geometry, srs_id: i64) -> std::result::Result<Vec<u8>, String> {
    let mut blob = Vec::with_capacity(64);
    blob.extend_from_slice(b"GP");
    blob.push(0);
    let rect = g.bounding_rect();
    // Flags: bit 0 little-endian; bits 1-3 the envelope (1: minx, maxx, miny, maxy); bit 4 empty.
    blob.push(if rect.is_some() {
        0b0000_0011
    } else {
        0b0001_0001
    });
    blob.extend_from_slice(&(srs_id as i32).to_le_bytes());
    if let Some(r) = rect {
        for v in [r.min().x, r.max().x, r.min().y, r.max().y] {
            blob.extend_from_slice(&v.to_le_bytes());
        }
    }
    wkb::writer::write_geometry(
        &mut blob,
        g,
        &wkb::writer::WriteOptions {
            endianness: wkb::Endianness::LittleEndian,
        },
    )
    .map_err(|e| e.to_string())?;
    Ok(blob)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_read_back_with_kindscapes_own_reader() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.gpkg");
        let crs = Crs::from_epsg(28992).unwrap();
        let square = geo::MultiPolygon(vec![geo::Polygon::new(
            geo::LineString::from(vec![
                (150000.0, 460000.0),
                (150100.0, 460000.0),
                (150100.0, 460100.0),
                (150000.0, 460000.0),
            ]),
            vec![],
        )]);
        write(
            &path,
            &crs,
            &[
                GpkgLayer {
                    name: "homes",
                    geometry_type: "POINT",
                    csv: b"home_id,d_m,note\n007,12.5,\n8,,x\n".to_vec(),
                    geometries: vec![
                        Geometry::Point(geo::Point::new(150000.0, 460000.0)),
                        Geometry::Point(geo::Point::new(150010.0, 460020.0)),
                    ],
                },
                GpkgLayer {
                    name: "neighbourhoods",
                    geometry_type: "MULTIPOLYGON",
                    csv: b"id,children\nA,40\n".to_vec(),
                    geometries: vec![Geometry::MultiPolygon(square)],
                },
            ],
        )
        .unwrap();
        let homes = crate::layers::format::read(crate::layers::format::VectorSource::new(
            &path,
            None,
            Some("homes"),
        ))
        .unwrap();
        assert_eq!(homes.crs.epsg, Some(28992));
        assert_eq!(homes.features.len(), 2);
        let p = &homes.features[0].props;
        assert_eq!(p["home_id"], serde_json::json!("007"));
        assert_eq!(p["d_m"], serde_json::json!(12.5));
        assert_eq!(homes.features[1].props["d_m"], serde_json::Value::Null);
        assert_eq!(
            homes.features[1].geometry,
            Some(Geometry::Point(geo::Point::new(150010.0, 460020.0)))
        );
        let nbs = crate::layers::format::read(crate::layers::format::VectorSource::new(
            &path,
            None,
            Some("neighbourhoods"),
        ))
        .unwrap();
        assert_eq!(nbs.features[0].props["children"], serde_json::json!(40.0));
        assert!(matches!(
            nbs.features[0].geometry,
            Some(Geometry::MultiPolygon(_))
        ));
    }
}
