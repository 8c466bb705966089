//! A place farther than `[network] attach_limit_m` from every walkable way drops out of every
//! network measure: the run must say so, naming the layer, how many and one of them, on stderr
//! and in `run.json`'s warnings, for amenities and for the `[sites] candidates` alike.

mod common;

use common::geojson::{collection, line, point, town_layers, write, write_study};
use common::*;
use serde_json::json;

/// One street along y = 100 (x 0-2000). Playgrounds "near" 10 m from it and "far" 300 m from it
/// (the default limit is 200 m); candidates "c-on" on the street and "c-off" 400 m from it.
fn town(dir: &std::path::Path, far: bool) -> std::path::PathBuf {
    let square = json!({"type": "Polygon", "coordinates": [[[X, Y], [X + 2000.0, Y], [X + 2000.0, Y + 2000.0], [X, Y + 2000.0], [X, Y]]]});
    write(
        dir,
        "nb.geojson",
        &collection(vec![
            json!({"type": "Feature", "properties": {"code": "N"}, "geometry": square}),
        ]),
    );
    write(
        dir,
        "homes.geojson",
        &collection(vec![
            point(json!({"hid": "h0", "kids": 2}), 100.0, 110.0),
            point(json!({"hid": "h1", "kids": 2}), 1900.0, 110.0),
        ]),
    );
    let far_y = if far { 400.0 } else { 150.0 };
    write(
        dir,
        "p.geojson",
        &collection(vec![
            point(json!({"code": "near"}), 500.0, 110.0),
            point(json!({"code": "far"}), 1000.0, far_y),
        ]),
    );
    write(
        dir,
        "cand.geojson",
        &collection(vec![
            json!({"type": "Feature", "id": "c-on", "properties": {}, "geometry": {"type": "Point", "coordinates": [X + 1500.0, Y + 100.0]}}),
            json!({"type": "Feature", "id": "c-off", "properties": {}, "geometry": {"type": "Point", "coordinates": [X + 1700.0, Y + if far { 500.0 } else { 120.0 }]}}),
        ]),
    );
    write(
        dir,
        "walk.geojson",
        &collection(vec![line(
            json!({"highway": "residential"}),
            &[(0.0, 100.0), (1000.0, 100.0), (2000.0, 100.0)],
        )]),
    );
    let layers = town_layers("\"kids\"");
    write_study(
        dir,
        &format!(
            "[study]\nname = \"attach\"\ncrs = \"EPSG:28992\"\n{layers}id = \"code\"\n[norms]\nplayground = {{ all = 300 }}\n[network]\npath = \"walk.geojson\"\n[sites]\ncount = 1\ncandidates = \"cand.geojson\"\n"
        ),
    )
}

use common::geojson::{X, Y};

#[test]
fn amenities_and_candidates_beyond_the_attach_limit_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let study = town(dir.path(), true);
    let out = dir.path().join("out");
    let stderr = run_quiet(&study, &out);
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    let warnings: Vec<&str> = run["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    for (what, layer, id) in [
        ("playground amenities", "p.geojson", "far"),
        ("candidate sites", "cand.geojson", "c-off"),
    ] {
        let found: Vec<&&str> = warnings
            .iter()
            .filter(|w| w.starts_with(&format!("network: 1 of 2 {what} in ")))
            .collect();
        assert_eq!(found.len(), 1, "{what}: {warnings:?}");
        let w = found[0];
        assert!(w.contains(layer), "{w}");
        assert!(w.contains("attach limit (200 m)"), "{w}");
        assert!(w.contains(&format!("(e.g. id \"{id}\")")), "{w}");
        assert!(stderr.contains(w), "not on stderr: {w}\n{stderr}");
    }
    // h0 walks 10 m to the street, 400 m along it and 10 m to "near".
    let homes = read_csv(&out.join("homes.csv"));
    assert_eq!(num(&homes[0], "playground_net_m"), Some(420.0));
}

#[test]
fn no_warning_when_everything_joins() {
    let dir = tempfile::tempdir().unwrap();
    let study = town(dir.path(), false);
    let out = dir.path().join("out");
    let stderr = run_quiet(&study, &out);
    assert!(!stderr.contains("attach limit"), "{stderr}");
}
