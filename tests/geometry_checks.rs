//! Geometry that used to give wrong numbers silently (issue 18): multipolygons whose parts
//! repeat or overlap, run end to end and checked against areas computed by hand.

mod common;

use std::path::Path;

use serde_json::json;

const X: f64 = 150_000.0;
const Y: f64 = 460_000.0;

fn square(x: f64, y: f64, side: f64) -> serde_json::Value {
    json!([[
        [x, y],
        [x + side, y],
        [x + side, y + side],
        [x, y + side],
        [x, y]
    ]])
}

fn collection(features: Vec<serde_json::Value>) -> String {
    json!({
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}},
        "features": features,
    })
    .to_string()
}

/// Runs a study (working CRS RD New, so areas are those of the coordinates) whose first
/// neighbourhood is `first` (a MultiPolygon's coordinates) and returns its neighbourhoods.csv
/// rows and what the run printed (the summary on stdout, then the warnings on stderr).
fn run_with_first_neighbourhood(
    dir: &Path,
    first: serde_json::Value,
) -> (Vec<std::collections::HashMap<String, String>>, String) {
    let nb = collection(vec![
        json!({"type": "Feature", "properties": {"code": "A", "kids": 40},
               "geometry": {"type": "MultiPolygon", "coordinates": first}}),
        json!({"type": "Feature", "properties": {"code": "B", "kids": 20},
               "geometry": {"type": "Polygon", "coordinates": square(X + 2000.0, Y, 1000.0)}}),
    ]);
    let homes = collection(vec![
        json!({"type": "Feature", "properties": {"hid": "a"},
               "geometry": {"type": "Point", "coordinates": [X + 100.0, Y + 100.0]}}),
        json!({"type": "Feature", "properties": {"hid": "b"},
               "geometry": {"type": "Point", "coordinates": [X + 2500.0, Y + 500.0]}}),
    ]);
    let playgrounds = collection(vec![json!({"type": "Feature", "properties": {},
        "geometry": {"type": "Point", "coordinates": [X + 150.0, Y + 100.0]}})]);
    std::fs::write(dir.join("nb.geojson"), nb).unwrap();
    std::fs::write(dir.join("homes.geojson"), homes).unwrap();
    std::fs::write(dir.join("p.geojson"), playgrounds).unwrap();
    let study = dir.join("study.toml");
    std::fs::write(
        &study,
        "[study]\nname = \"parts\"\ncrs = \"EPSG:28992\"\noutput = \"out\"\n\n\
         [neighbourhoods]\npath = \"nb.geojson\"\nid = \"code\"\nchildren = \"kids\"\n\n\
         [homes]\npath = \"homes.geojson\"\nid = \"hid\"\n\n\
         [[amenities]]\nkind = \"playground\"\npath = \"p.geojson\"\n",
    )
    .unwrap();
    let out = common::kindscape().arg("run").arg(&study).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = common::read_csv(&dir.join("out/neighbourhoods.csv"));
    (
        rows,
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn area_and_children(rows: &[std::collections::HashMap<String, String>], id: &str) -> (f64, f64) {
    let row = rows
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("neighbourhood {id} is missing from neighbourhoods.csv"));
    (
        common::num(row, "area_m2").unwrap(),
        common::num(row, "children").unwrap(),
    )
}

#[test]
fn a_repeated_part_keeps_the_neighbourhood_and_its_area() {
    // The 1000 m square twice: once 1 000 000 m2, with its 40 children (even-odd filling made
    // it empty, and the neighbourhood was dropped as "zero-area").
    let dir = tempfile::tempdir().unwrap();
    let part = square(X, Y, 1000.0);
    let (rows, stdout) = run_with_first_neighbourhood(dir.path(), json!([part, part]));
    let (area, children) = area_and_children(&rows, "A");
    assert!((area - 1_000_000.0).abs() < 1.0, "{area}");
    assert_eq!(children, 40.0);
    assert!(
        stdout.contains(
            "1 multipolygon(s) have parts that overlap or repeat others (1 such part(s))"
        ),
        "{stdout}"
    );
}

#[test]
fn overlapping_parts_count_their_union() {
    // Squares of 600 m at (0, 0) and (300, 300): each 360 000 m2, sharing 300 x 300 = 90 000,
    // so the union is 630 000 m2 (even-odd gave 540 000, the shared quarter lost).
    let dir = tempfile::tempdir().unwrap();
    let (rows, _) = run_with_first_neighbourhood(
        dir.path(),
        json!([square(X, Y, 600.0), square(X + 300.0, Y + 300.0, 600.0)]),
    );
    let (area, children) = area_and_children(&rows, "A");
    assert!((area - 630_000.0).abs() < 1.0, "{area}");
    assert_eq!(children, 40.0);
    // The other neighbourhood, a plain polygon, is untouched.
    let (area, _) = area_and_children(&rows, "B");
    assert!((area - 1_000_000.0).abs() < 1.0, "{area}");
}
