//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The shared real data (`$KINDSCAPE_SHARED_DATA`, else `../shared/data` beside the repository).
///
/// `None` (with a message) when it is absent, unless `KINDSCAPE_REQUIRE_SHARED=1` (set by
/// `.ci/run`), which turns the skip into a failure so CI always runs these tests.
pub fn shared_data_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("KINDSCAPE_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data"));
    if dir.join("harderwijk").is_dir() {
        return Some(dir);
    }
    if std::env::var("KINDSCAPE_REQUIRE_SHARED").is_ok_and(|v| v == "1") {
        panic!(
            "KINDSCAPE_REQUIRE_SHARED=1 but the shared data is not at {}",
            dir.display()
        );
    }
    eprintln!(
        "skipped: the shared data is not at {} (set KINDSCAPE_SHARED_DATA)",
        dir.display()
    );
    None
}

/// Copies an example study into `dir`, pointing it at `data` and writing outputs to `dir/out`.
pub fn example_study(name: &str, data: &Path, dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples")
            .join(name),
    )
    .unwrap();
    let mut out = String::new();
    for line in text.lines() {
        if line.starts_with("output = ") {
            out.push_str("output = \"out\"\n");
        } else {
            out.push_str(&line.replace("../../shared/data", &data.display().to_string()));
            out.push('\n');
        }
    }
    let path = dir.join(name);
    std::fs::write(&path, out).unwrap();
    path
}

/// A CSV file as rows of column -> text.
pub fn read_csv(path: &Path) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            headers
                .iter()
                .map(String::from)
                .zip(rec.iter().map(String::from))
                .collect()
        })
        .collect()
}

pub fn num(row: &HashMap<String, String>, col: &str) -> Option<f64> {
    let v = row.get(col).unwrap_or_else(|| panic!("no column {col}"));
    if v.is_empty() {
        None
    } else {
        Some(
            v.parse()
                .unwrap_or_else(|_| panic!("{col} = {v} is not a number")),
        )
    }
}

pub fn kindscape() -> std::process::Command {
    std::process::Command::new(env!("CARGO_BIN_EXE_kindscape"))
}

/// A rectangle as a multipolygon, corner `(x, y)`, width `w`, height `h`.
pub fn rectangle(x: f64, y: f64, w: f64, h: f64) -> geo::MultiPolygon {
    geo::MultiPolygon(vec![geo::Polygon::new(
        vec![(x, y), (x + w, y), (x + w, y + h), (x, y + h), (x, y)].into(),
        vec![],
    )])
}

/// A scene built by hand, in RD New: one neighbourhood `area` holding every home, each home at
/// `(x, y)` with its children per band (home-major, `bands.len()` per home).
pub fn one_neighbourhood_scene(
    bands: &[&str],
    area: geo::MultiPolygon,
    homes: &[(f64, f64)],
    children: Vec<f64>,
    amenities: Vec<kindscape::scene::AmenityKind>,
) -> kindscape::scene::Scene {
    use geo::Area;
    use kindscape::scene::{Homes, Neighbourhood, Scene};
    assert_eq!(children.len(), homes.len() * bands.len());
    Scene {
        crs: kindscape::layers::crs::Crs::parse("EPSG:28992").unwrap(),
        bands: bands.iter().map(|b| b.to_string()).collect(),
        neighbourhoods: vec![Neighbourhood {
            id: "A".into(),
            name: String::new(),
            population: None,
            children: vec![None; bands.len()],
            area_m2: area.unsigned_area(),
            geometry: area,
            kept: vec![],
            props: Default::default(),
        }],
        homes: Homes {
            ids: (0..homes.len()).map(|i| i.to_string()).collect(),
            coords: homes
                .iter()
                .map(|h| geo::Coord { x: h.0, y: h.1 })
                .collect(),
            neighbourhood: vec![Some(0); homes.len()],
            children,
            bands: bands.len(),
            estimated: vec![false; homes.len()],
        },
        amenities,
        inputs: vec![],
    }
}
