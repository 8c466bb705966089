//! Whose children `[sites]` and `[closures]` count, through whole runs on hand-made scenes: a
//! site's capacity caps the children it serves even when deprivation weights rank the sites.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use serde_json::json;

const X: f64 = 150_000.0;
const Y: f64 = 460_000.0;

fn point(props: serde_json::Value, x: f64, y: f64) -> serde_json::Value {
    json!({"type": "Feature", "properties": props,
           "geometry": {"type": "Point", "coordinates": [X + x, Y + y]}})
}

fn square(props: serde_json::Value, x: f64) -> serde_json::Value {
    json!({"type": "Feature", "properties": props,
        "geometry": {"type": "Polygon", "coordinates": [[[X + x, Y], [X + x + 1000.0, Y],
            [X + x + 1000.0, Y + 1000.0], [X + x, Y + 1000.0], [X + x, Y]]]}})
}

fn write_layer(dir: &Path, name: &str, features: Vec<serde_json::Value>) {
    let fc = json!({"type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}},
        "features": features});
    std::fs::write(dir.join(name), fc.to_string()).unwrap();
}

/// West (x 0-1000, income 30) and Oost (x 1000-2000, income 20: the fewer chances); every norm
/// 100 m, so a home's children count wherever a site or playground stands within 100 m of it.
/// Homes: W1 (300, 500) with 9 children, O1 (1500, 500) with 15, OUT (2050, 500) with 100
/// outside both neighbourhoods. Candidates at the homes: "Plein West", "Plein Oost" and "Rand"
/// (1990, 500), 60 m from OUT only.
fn study(dir: &Path, playgrounds: Vec<serde_json::Value>, sections: &str) -> PathBuf {
    write_layer(
        dir,
        "n.geojson",
        vec![
            square(json!({"code": "W", "income": 30}), 0.0),
            square(json!({"code": "O", "income": 20}), 1000.0),
        ],
    );
    write_layer(
        dir,
        "h.geojson",
        vec![
            point(json!({"hid": "W1", "kids": 9}), 300.0, 500.0),
            point(json!({"hid": "O1", "kids": 15}), 1500.0, 500.0),
            point(json!({"hid": "OUT", "kids": 100}), 2050.0, 500.0),
        ],
    );
    write_layer(dir, "p.geojson", playgrounds);
    write_layer(
        dir,
        "c.geojson",
        vec![
            point(json!({"name": "Plein West"}), 300.0, 500.0),
            point(json!({"name": "Plein Oost"}), 1500.0, 500.0),
            point(json!({"name": "Rand"}), 1990.0, 500.0),
        ],
    );
    let file = dir.join("study.toml");
    std::fs::write(
        &file,
        format!(
            "[study]\nname = \"t\"\ncrs = \"EPSG:28992\"\n\
             [neighbourhoods]\npath = \"n.geojson\"\nid = \"code\"\nkeep = [\"income\"]\n\
             [homes]\npath = \"h.geojson\"\nid = \"hid\"\nchildren = \"kids\"\n\
             [[amenities]]\nkind = \"playground\"\npath = \"p.geojson\"\nid = \"pid\"\n\
             [norms]\nplayground = {{ \"0-17\" = 100 }}\n\
             [equity]\nby = \"income\"\n{sections}"
        ),
    )
    .unwrap();
    file
}

/// A playground far from every home, so that every child is outside the norm.
fn far_playground() -> Vec<serde_json::Value> {
    vec![point(json!({"pid": "far"}), 500.0, 950.0)]
}

#[test]
fn capacity_caps_the_children_a_site_serves_not_their_weight() {
    // Oost is the worst quintile (weight 1 + 1 = 2), West a better one (weight at most 2).
    // Capacity 10: Plein Oost reaches 15 children (weight 30), serves 10 of them, weight 20;
    // Plein West reaches 9 children (weight <= 18), serves all 9. So Plein Oost, with 10 new
    // children. Capacity counted in weight would have credited it 10 / 2 = 5.
    let dir = tempfile::tempdir().unwrap();
    let file = study(
        dir.path(),
        far_playground(),
        "[sites]\ncount = 1\ncandidates = \"c.geojson\"\ncapacity = 10\n\
         weight_by_deprivation = true\n",
    );
    let out = dir.path().join("out");
    run_quiet(&file, &out);
    let sites = read_csv(&out.join("sites.csv"));
    assert_eq!(sites.len(), 1);
    assert_eq!(sites[0]["name"], "Plein Oost");
    assert!((num(&sites[0], "new_children").unwrap() - 10.0).abs() < 1e-9);
}

#[test]
fn a_closure_saves_the_playgrounds_own_upkeep() {
    // Playgrounds by W1 (onderhoud 1000) and by O1 (none: the default 7,500). Closing both
    // saves each its own upkeep; 15 years at 2.25%: x 12.6122 (docs/STUDY.md).
    let dir = tempfile::tempdir().unwrap();
    let file = study(
        dir.path(),
        vec![
            point(json!({"pid": "west", "onderhoud": 1000}), 310.0, 500.0),
            point(json!({"pid": "oost"}), 1510.0, 500.0),
        ],
        "[closures]\ncount = 2\n[costs]\nmaintenance = \"onderhoud\"\n",
    );
    let out = dir.path().join("out");
    let stderr = run_quiet(&file, &out);
    assert!(!stderr.contains("[costs] has no effect"), "{stderr}");
    let closures = read_csv(&out.join("closures.csv"));
    let saved = |id: &str| {
        let row = closures.iter().find(|r| r["amenity_id"] == id).unwrap();
        (
            num(row, "maintenance_saved_eur_per_year").unwrap(),
            num(row, "saved_pv").unwrap(),
        )
    };
    let factor = (1.0 - 1.0225f64.powi(-15)) / 0.0225;
    let (west, west_pv) = saved("west");
    let (oost, oost_pv) = saved("oost");
    assert_eq!((west, oost), (1000.0, 7500.0));
    assert!((west_pv - 1000.0 * factor).abs() < 0.01);
    assert!((oost_pv - 7500.0 * factor).abs() < 0.01);
}

#[test]
fn a_multipoint_playgrounds_upkeep_is_saved_once_over_its_points() {
    // One feature "pair" of two points, by W1 and by O1, with onderhoud 9000 for the feature:
    // its points share it as they share a capacity, 4500 each, so closing both saves 9000 a
    // year, not 18000.
    let dir = tempfile::tempdir().unwrap();
    let pair = json!({"type": "Feature", "properties": {"pid": "pair", "onderhoud": 9000},
        "geometry": {"type": "MultiPoint",
                     "coordinates": [[X + 310.0, Y + 500.0], [X + 1510.0, Y + 500.0]]}});
    let file = study(
        dir.path(),
        vec![pair],
        "[closures]\ncount = 2\n[costs]\nmaintenance = \"onderhoud\"\n",
    );
    let out = dir.path().join("out");
    let stderr = run_quiet(&file, &out);
    let closures = read_csv(&out.join("closures.csv"));
    assert_eq!(closures.len(), 2);
    let saved: Vec<f64> = closures
        .iter()
        .map(|r| num(r, "maintenance_saved_eur_per_year").unwrap())
        .collect();
    assert_eq!(saved, vec![4500.0, 4500.0]);
    assert!(
        stderr.contains("upkeep attribute is the feature's"),
        "{stderr}"
    );
}

#[test]
fn an_amenity_layer_reads_its_text_numbers_with_its_own_decimal_and_thousands() {
    // One playground by W1 (9 children, the only ones within its 100 m) with capacity
    // "1.234,5" and upkeep "1.000" as Dutch text: play space 1234.5 / 9 = 137.17 m2 per child
    // at W1 (weight 1 at 10 m), and its closure saves EUR 1000 a year.
    let dir = tempfile::tempdir().unwrap();
    let file = study(
        dir.path(),
        vec![point(
            json!({"pid": "west", "cap": "1.234,5", "onderhoud": "1.000"}),
            310.0,
            500.0,
        )],
        "[closures]\ncount = 1\n[costs]\nmaintenance = \"onderhoud\"\n",
    );
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        text.replace(
            "id = \"pid\"\n",
            "id = \"pid\"\ncapacity = \"cap\"\ndecimal = \",\"\nthousands = \".\"\n",
        ),
    )
    .unwrap();
    let out = dir.path().join("out");
    run_quiet(&file, &out);
    let homes = read_csv(&out.join("homes.csv"));
    let w1 = homes.iter().find(|r| r["home_id"] == "W1").unwrap();
    let per_child = num(w1, "play_m2_per_child").unwrap();
    assert!((per_child - 1234.5 / 9.0).abs() < 0.01, "{per_child}");
    let closures = read_csv(&out.join("closures.csv"));
    assert_eq!(
        num(&closures[0], "maintenance_saved_eur_per_year"),
        Some(1000.0)
    );
}

#[test]
fn homes_outside_every_neighbourhood_drive_neither_sites_nor_closures() {
    // OUT's 100 children are outside the study (its totals and coverage leave them out). Sites:
    // Rand would bring them within the norm, but Plein Oost's 15 are the most in the study.
    // Closures: the playground by OUT loses no child of the study, the one by W1 loses 9.
    let dir = tempfile::tempdir().unwrap();
    let file = study(
        dir.path(),
        far_playground(),
        "[sites]\ncount = 1\ncandidates = \"c.geojson\"\n",
    );
    let out = dir.path().join("sites");
    run_quiet(&file, &out);
    let sites = read_csv(&out.join("sites.csv"));
    assert_eq!(sites[0]["name"], "Plein Oost");
    assert_eq!(num(&sites[0], "new_children"), Some(15.0));

    let file = study(
        dir.path(),
        vec![
            point(json!({"pid": "west"}), 310.0, 500.0),
            point(json!({"pid": "rand"}), 2040.0, 500.0),
        ],
        "[closures]\ncount = 1\n",
    );
    let out = dir.path().join("closures");
    run_quiet(&file, &out);
    let closures = read_csv(&out.join("closures.csv"));
    assert_eq!(closures[0]["amenity_id"], "rand");
    assert_eq!(num(&closures[0], "children_losing_coverage"), Some(0.0));
}
