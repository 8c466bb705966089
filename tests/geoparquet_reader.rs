//! The GeoParquet reader (`--features parquet`) on small files made here with the `parquet`
//! crate's Arrow writer, each holding one thing to read or one thing wrong: column types read
//! as the GeoJSON reader gives them, the CRS from PROJJSON (or its absence or `null`), chunks,
//! and broken files that must give errors naming the file (and the feature), never a panic. The
//! geometries are WKB written byte by byte here.
#![cfg(feature = "parquet")]

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::builder::StringDictionaryBuilder;
use arrow_array::types::Int32Type;
use arrow_array::{
    ArrayRef, BinaryArray, BooleanArray, Float64Array, Int32Array, RecordBatch, StringArray,
    UInt64Array,
};
use arrow_schema::{Field, Schema};
use geo::Geometry;
use kindscape::layers::format::{read, read_in_chunks as read_chunks, VectorSource};
use kindscape::layers::CrsSource;
use serde_json::Value;

fn point_wkb(x: f64, y: f64) -> Vec<u8> {
    let mut w = vec![1, 1, 0, 0, 0];
    w.extend_from_slice(&x.to_le_bytes());
    w.extend_from_slice(&y.to_le_bytes());
    w
}

/// Writes `columns` to a Parquet file with `geo` as its `geo` metadata (none when `None`).
fn write_file(
    dir: &Path,
    name: &str,
    columns: Vec<(&str, ArrayRef)>,
    geo: Option<&str>,
) -> PathBuf {
    let fields: Vec<Field> = columns
        .iter()
        .map(|(n, a)| Field::new(*n, a.data_type().clone(), true))
        .collect();
    let batch = RecordBatch::try_new(
        Arc::new(Schema::new(fields)),
        columns.into_iter().map(|(_, a)| a).collect(),
    )
    .unwrap();
    let path = dir.join(name);
    let file = File::create(&path).unwrap();
    let mut w = parquet::arrow::ArrowWriter::try_new(file, batch.schema(), None).unwrap();
    w.write(&batch).unwrap();
    if let Some(geo) = geo {
        w.append_key_value_metadata(parquet::file::metadata::KeyValue::new(
            "geo".to_string(),
            geo.to_string(),
        ));
    }
    w.close().unwrap();
    path
}

fn geo(crs: &str) -> String {
    format!(
        r#"{{"version":"1.1.0","primary_column":"geom","columns":{{"geom":{{"encoding":"WKB","geometry_types":["Point"]{crs}}}}}}}"#
    )
}

/// A PROJJSON object as pyproj writes it for RD New, cut to what identifies it.
const RD_NEW: &str = r#","crs":{"type":"ProjectedCRS","name":"Amersfoort / RD New","id":{"authority":"EPSG","code":28992}}"#;

fn points(n: usize) -> ArrayRef {
    let wkb: Vec<Vec<u8>> = (0..n)
        .map(|i| point_wkb(155000.0 + i as f64, 463000.5))
        .collect();
    Arc::new(BinaryArray::from_iter_values(wkb))
}

fn read_err(path: &Path) -> String {
    read(VectorSource::new(path, None, None))
        .unwrap_err()
        .to_string()
}

#[test]
fn reads_geometries_attributes_and_the_projjson_crs() {
    let dir = tempfile::tempdir().unwrap();
    let mut dict = StringDictionaryBuilder::<Int32Type>::new();
    dict.append_value("a");
    dict.append_null();
    dict.append_value("a");
    let mut wkb: Vec<Option<Vec<u8>>> = (0..3)
        .map(|i| Some(point_wkb(155000.0 + i as f64, 463000.5)))
        .collect();
    wkb[2] = None;
    let path = write_file(
        dir.path(),
        "a.parquet",
        vec![
            (
                "code",
                Arc::new(StringArray::from(vec![Some("0012"), Some("b"), None])) as ArrayRef,
            ),
            (
                "kids",
                Arc::new(Int32Array::from(vec![Some(3), None, Some(-2)])),
            ),
            (
                "share",
                Arc::new(Float64Array::from(vec![0.25, f64::NAN, 1.0])),
            ),
            ("big", Arc::new(UInt64Array::from(vec![u64::MAX, 0, 1]))),
            (
                "ok",
                Arc::new(BooleanArray::from(vec![Some(true), Some(false), None])),
            ),
            ("kind", Arc::new(dict.finish())),
            (
                "blob",
                Arc::new(BinaryArray::from_iter_values([b"x", b"y", b"z"])),
            ),
            ("geom", Arc::new(BinaryArray::from_iter(wkb))),
        ],
        Some(&geo(RD_NEW)),
    );
    let layer = read(VectorSource::new(&path, None, None)).unwrap();
    assert_eq!(layer.crs.epsg, Some(28992));
    assert_eq!(layer.crs_source, CrsSource::File);
    assert_eq!(layer.features.len(), 3);
    let f = &layer.features;
    assert_eq!(f[1].index, 1);
    assert_eq!(
        f[1].geometry,
        Some(Geometry::Point(geo::Point::new(155001.0, 463000.5)))
    );
    assert_eq!(f[2].geometry, None);
    let p = |i: usize, k: &str| f[i].props.get(k).cloned();
    assert_eq!(p(0, "code"), Some(Value::from("0012")));
    assert_eq!(p(2, "code"), Some(Value::Null));
    assert_eq!(p(0, "kids"), Some(Value::from(3)));
    assert!(p(0, "kids").unwrap().is_i64());
    assert_eq!(p(1, "kids"), Some(Value::Null));
    assert_eq!(p(2, "kids"), Some(Value::from(-2)));
    assert_eq!(p(0, "share"), Some(Value::from(0.25)));
    assert_eq!(p(1, "share"), Some(Value::from("NaN")));
    assert_eq!(p(0, "big"), Some(Value::from(u64::MAX)));
    assert_eq!(p(0, "ok"), Some(Value::Bool(true)));
    assert_eq!(p(2, "ok"), Some(Value::Null));
    assert_eq!(p(0, "kind"), Some(Value::from("a")));
    assert_eq!(p(1, "kind"), Some(Value::Null));
    assert_eq!(p(0, "blob"), None, "a binary column is no attribute");
    assert_eq!(p(0, "geom"), None);
}

#[test]
fn chunks_and_kept_attributes() {
    let dir = tempfile::tempdir().unwrap();
    let ids: Vec<String> = (0..5).map(|i| format!("h{i}")).collect();
    let path = write_file(
        dir.path(),
        "h.parquet",
        vec![
            ("id", Arc::new(StringArray::from(ids)) as ArrayRef),
            ("other", Arc::new(Int32Array::from(vec![1, 2, 3, 4, 5]))),
            ("geom", points(5)),
        ],
        Some(&geo(RD_NEW)),
    );
    let mut sizes = Vec::new();
    let mut firsts = Vec::new();
    let keep = vec!["id".to_string()];
    read_chunks(VectorSource::new(&path, None, None), 2, Some(&keep), |l| {
        sizes.push(l.features.len());
        firsts.push(l.features[0].index);
        // Kept attributes come as columns, the features' maps left empty.
        assert!(l.features.iter().all(|f| f.props.is_empty()));
        assert!(l.columns.get("id").is_some() && l.columns.get("other").is_none());
        assert!(l.has_attribute("id") && !l.has_attribute("other"));
        Ok(())
    })
    .unwrap();
    assert_eq!(sizes, vec![2, 2, 1]);
    assert_eq!(firsts, vec![0, 2, 4]);
}

#[test]
fn crs_missing_null_unknown_and_overridden() {
    let dir = tempfile::tempdir().unwrap();
    let lonlat = |name: &str, crs: &str| {
        let wkb = Arc::new(BinaryArray::from_iter_values([point_wkb(5.6, 52.3)]));
        write_file(dir.path(), name, vec![("geom", wkb)], Some(&geo(crs)))
    };
    // No `crs`: OGC:CRS84, as the GeoParquet spec says.
    let layer = read(VectorSource::new(&lonlat("d.parquet", ""), None, None)).unwrap();
    assert_eq!(layer.crs.epsg, Some(4326));
    assert_eq!(layer.crs_source, CrsSource::GeoParquetDefault);
    // `crs: null`: unknown, unless the study file says.
    let null = lonlat("n.parquet", r#","crs":null"#);
    let e = read_err(&null);
    assert!(
        e.starts_with(&format!("{}: ", null.display()))
            && e.contains("unknown")
            && e.contains("crs = \"EPSG:"),
        "{e}"
    );
    let layer = read(VectorSource::new(&null, Some("EPSG:4326"), None)).unwrap();
    assert_eq!(layer.crs_source, CrsSource::StudyFile);
    // A CRS without a code kindscape knows.
    let mars = lonlat(
        "m.parquet",
        r#","crs":{"type":"GeographicCRS","name":"Mars 2015","id":{"authority":"IAU_2015","code":49900}}"#,
    );
    let e = read_err(&mars);
    assert!(
        e.contains("Mars 2015") && e.contains("IAU_2015:49900") && e.contains("crs = \"EPSG:"),
        "{e}"
    );
    let anonymous = lonlat(
        "a.parquet",
        r#","crs":{"type":"GeographicCRS","name":"my own"}"#,
    );
    assert!(read_err(&anonymous).contains("\"my own\" (PROJJSON) has no identifier"));
    // A bound CRS is read by its source CRS's code; OGC:CRS84 by name.
    let bound = lonlat(
        "b.parquet",
        r#","crs":{"type":"BoundCRS","source_crs":{"type":"GeographicCRS","name":"WGS 84 (CRS84)","id":{"authority":"OGC","code":"CRS84"}}}"#,
    );
    assert_eq!(
        read(VectorSource::new(&bound, None, None))
            .unwrap()
            .crs
            .epsg,
        Some(4326)
    );
    // The WKT or code string of the 0.x drafts.
    let code = lonlat("c.parquet", r#","crs":"EPSG:4326""#);
    assert_eq!(
        read(VectorSource::new(&code, None, None)).unwrap().crs.epsg,
        Some(4326)
    );
    // Degrees where the metadata says RD New: the hint names the declaration.
    let e = read_err(&lonlat("r.parquet", RD_NEW));
    assert!(e.contains("longitude/latitude"), "{e}");
}

/// Geometries are decoded in parallel: of several broken rows, the first in file order is named,
/// whether the file is read whole or in chunks (the broken rows lie in the second chunk).
#[test]
fn the_first_broken_row_is_named_in_file_order() {
    let dir = tempfile::tempdir().unwrap();
    let broken = [20_001, 20_000, 39_000];
    let wkb: Vec<Vec<u8>> = (0..40_000)
        .map(|i| match broken.contains(&i) {
            true => vec![1, 99, 0, 0, 0, 1, 2],
            false => point_wkb(155000.0 + i as f64, 463000.5),
        })
        .collect();
    let path = write_file(
        dir.path(),
        "b.parquet",
        vec![(
            "geom",
            Arc::new(BinaryArray::from_iter_values(wkb)) as ArrayRef,
        )],
        Some(&geo(RD_NEW)),
    );
    let e = read_err(&path);
    assert!(e.contains("feature 20000:") && e.contains("WKB"), "{e}");
    let mut handed = 0;
    let e = read_chunks(VectorSource::new(&path, None, None), 16384, None, |chunk| {
        handed += chunk.features.len();
        Ok(())
    })
    .unwrap_err()
    .to_string();
    assert!(e.contains("feature 20000:"), "{e}");
    // The first chunk, before the broken rows, was handed on whole.
    assert_eq!(handed, 16384);
}

#[test]
fn broken_files_get_errors_not_panics() {
    let dir = tempfile::tempdir().unwrap();
    // Not WKB in the geometry column: the feature is named.
    let mut bad = vec![point_wkb(155000.0, 463000.0), vec![1, 99, 0, 0, 0, 1, 2]];
    bad.push(point_wkb(1.0, 2.0));
    let path = write_file(
        dir.path(),
        "w.parquet",
        vec![(
            "geom",
            Arc::new(BinaryArray::from_iter_values(bad)) as ArrayRef,
        )],
        Some(&geo(RD_NEW)),
    );
    let e = read_err(&path);
    assert!(e.contains("feature 1") && e.contains("WKB"), "{e}");
    // A plain Parquet file without `geo` metadata.
    let plain = write_file(dir.path(), "p.parquet", vec![("geom", points(2))], None);
    let e = read_err(&plain);
    assert!(
        e.contains("without GeoParquet metadata") && e.contains("to_parquet"),
        "{e}"
    );
    // Metadata that is not JSON, names a missing column, another encoding, text geometries.
    let m = write_file(
        dir.path(),
        "j.parquet",
        vec![("geom", points(1))],
        Some("{not json"),
    );
    assert!(read_err(&m).contains("the GeoParquet metadata: not valid JSON"));
    let m = write_file(
        dir.path(),
        "c.parquet",
        vec![
            ("g", points(1)),
            ("name", Arc::new(StringArray::from(vec!["x"]))),
        ],
        Some(&geo(RD_NEW)),
    );
    let e = read_err(&m);
    assert!(
        e.contains("\"geom\" as the geometry column") && e.contains("\"g\", \"name\""),
        "{e}"
    );
    let native = geo(RD_NEW).replace("\"WKB\"", "\"point\"");
    let m = write_file(
        dir.path(),
        "e.parquet",
        vec![("geom", points(1))],
        Some(&native),
    );
    assert!(read_err(&m).contains("encoded as \"point\""));
    let m = write_file(
        dir.path(),
        "t.parquet",
        vec![(
            "geom",
            Arc::new(StringArray::from(vec!["POINT (1 2)"])) as ArrayRef,
        )],
        Some(&geo(RD_NEW)),
    );
    assert!(read_err(&m).contains("holds Utf8 values, not WKB"));
    // Cut short: the footer is gone.
    let bytes = std::fs::read(&path).unwrap();
    let cut = dir.path().join("cut.parquet");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let e = read_err(&cut);
    assert!(e.contains("damaged or cut-short Parquet file"), "{e}");
    // Every byte after the magic flipped in turn, the page headers, the values and the footer's
    // row and value counts among them: each read is the layer (where the byte was slack) or an
    // error naming the file, never a panic.
    let ok = write_file(
        dir.path(),
        "ok.parquet",
        vec![
            ("id", Arc::new(Int32Array::from(vec![1, 2, 3])) as ArrayRef),
            ("geom", points(3)),
        ],
        Some(&geo(RD_NEW)),
    );
    let good = std::fs::read(&ok).unwrap();
    let flipped = dir.path().join("flipped.parquet");
    for i in 4..good.len() - 8 {
        let mut b = good.clone();
        b[i] ^= 0x5a;
        std::fs::write(&flipped, &b).unwrap();
        if let Err(e) = read(VectorSource::new(&flipped, None, None)) {
            let e = e.to_string();
            assert!(
                e.starts_with(&format!("{}: ", flipped.display())),
                "byte {i}: {e}"
            );
        }
    }
    // Not Parquet at all, or another format under the extension.
    let text = dir.path().join("x.parquet");
    std::fs::write(&text, "id,x,y\n").unwrap();
    assert!(read_err(&text).contains("not a Parquet file"));
    std::fs::write(&text, b"SQLite format 3\0rest").unwrap();
    assert!(read_err(&text).contains("looks like a SQLite database"));
    std::fs::write(&text, b"").unwrap();
    assert!(read_err(&text).contains("the file is empty"));
}

/// kindscape's own writer and reader agree (pyarrow checks the writer independently in
/// tests/formats_parquet.rs): text stays text ("007" keeps its zeros), whole-number columns
/// come back as integers, empty cells as null, and the geometries in OGC:CRS84.
#[test]
fn written_tables_read_back() {
    use kindscape::output::geoparquet::{table_kinds, write, GeoParquetTable, Kind};
    use kindscape::output::table::{Cell, Table};
    let table = Table {
        columns: vec![
            "id".into(),
            "share".into(),
            "priority_rank".into(),
            "kept".into(),
            "flag".into(),
        ],
        rows: vec![
            vec![
                Cell::text("007"),
                Cell::share(Some(0.5)),
                Cell::Num(Some(2.0), 0),
                Cell::Json(Value::from(7)),
                Cell::Json(Value::Bool(true)),
            ],
            vec![
                Cell::text("8"),
                Cell::share(None),
                Cell::Num(None, 0),
                Cell::Json(Value::Null),
                Cell::Json(Value::Bool(false)),
            ],
        ],
    };
    let kinds = table_kinds(&table);
    assert_eq!(
        kinds,
        vec![Kind::Text, Kind::Float, Kind::Int, Kind::Int, Kind::Bool]
    );
    let mut csv = Vec::new();
    table.write_csv(&mut csv).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.parquet");
    let geometries = vec![
        Geometry::Point(geo::Point::new(5.6, 52.3)),
        Geometry::Point(geo::Point::new(5.7, 52.4)),
    ];
    let file = File::create(&path).unwrap();
    write(
        file,
        &GeoParquetTable {
            csv: &csv,
            kinds,
            geometries: geometries.clone(),
            geometry_type: "Point",
        },
    )
    .unwrap();
    let layer = read(VectorSource::new(&path, None, None)).unwrap();
    assert_eq!(layer.crs_source, CrsSource::GeoParquetDefault);
    let f = &layer.features;
    assert_eq!(f[0].geometry.as_ref(), Some(&geometries[0]));
    assert_eq!(f[0].props["id"], Value::from("007"));
    assert_eq!(f[0].props["share"], Value::from(0.5));
    assert!(f[0].props["priority_rank"].is_i64());
    assert_eq!(f[0].props["kept"], Value::from(7));
    assert_eq!(f[0].props["flag"], Value::Bool(true));
    assert_eq!(f[1].props["share"], Value::Null);
    assert_eq!(f[1].props["priority_rank"], Value::Null);
    // A CSV whose cell does not fit its column type is an error naming row and column.
    let bad = GeoParquetTable {
        csv: b"n\nx\n",
        kinds: vec![Kind::Float],
        geometries: geometries[..1].to_vec(),
        geometry_type: "Point",
    };
    let e = write(Vec::new(), &bad).unwrap_err();
    assert!(
        e.contains("row 1, column \"n\"") && e.contains("not a number"),
        "{e}"
    );
}
