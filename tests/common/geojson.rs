//! Hand-made GeoJSON layers in RD New (EPSG:28992), features placed in metres from one origin
//! (`X`, `Y`), for the whole-run tests that build a town whose every distance is known.

use std::path::Path;

use serde_json::{json, Value};

/// The origin of the hand-made towns, in RD New metres.
pub const X: f64 = 150000.0;
pub const Y: f64 = 460000.0;

/// A FeatureCollection in RD New.
pub fn collection(features: Vec<Value>) -> Value {
    json!({
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}},
        "features": features,
    })
}

/// Writes a layer beside the study.
pub fn write(dir: &Path, name: &str, v: &Value) {
    std::fs::write(dir.join(name), v.to_string()).unwrap();
}

/// A point `x`, `y` metres from the origin.
pub fn point(props: Value, x: f64, y: f64) -> Value {
    json!({"type": "Feature", "properties": props,
        "geometry": {"type": "Point", "coordinates": [X + x, Y + y]}})
}

/// A line through points given in metres from the origin.
pub fn line(props: Value, coords: &[(f64, f64)]) -> Value {
    let c: Vec<[f64; 2]> = coords.iter().map(|&(x, y)| [X + x, Y + y]).collect();
    json!({"type": "Feature", "properties": props,
        "geometry": {"type": "LineString", "coordinates": c}})
}

/// The study-file part every hand-made town shares, after its `[study]`: neighbourhoods
/// `nb.geojson` by `code`, homes `homes.geojson` by `hid` with `children` (a TOML value), and a
/// playground entry for `p.geojson` that the caller may go on with.
pub fn town_layers(children: &str) -> String {
    format!(
        r#"[neighbourhoods]
path = "nb.geojson"
id = "code"
[homes]
path = "homes.geojson"
id = "hid"
children = {children}
[[amenities]]
kind = "playground"
path = "p.geojson"
"#
    )
}

/// Writes `text` as `dir/study.toml`; returns its path.
pub fn write_study(dir: &Path, text: &str) -> std::path::PathBuf {
    let path = dir.join("study.toml");
    std::fs::write(&path, text).unwrap();
    path
}
