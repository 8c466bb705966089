//! `[[scenarios]]`: each scenario measured against the base study, checked against hand
//! computations, against the base itself (a scenario that changes nothing, or removes a
//! playground and adds it back, changes no figure), and against the site planner (building the
//! proposed sites newly covers the children the planner counted for them).

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use common::{num, read_csv, run_quiet};
use kindscape::neighbourhoods::NeighbourhoodFigures;
use kindscape::run::{run_study, RunOptions, RunResult};
use kindscape::scenarios::compared;

const RD: &str = r#"{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::28992"}}"#;

fn collection(features: &[String]) -> String {
    format!(
        r#"{{"type":"FeatureCollection","crs":{RD},"features":[{}]}}"#,
        features.join(",")
    )
}

fn point(props: &str, x: f64, y: f64) -> String {
    format!(
        r#"{{"type":"Feature","properties":{{{props}}},"geometry":{{"type":"Point","coordinates":[{x},{y}]}}}}"#
    )
}

/// The hand-made town: one neighbourhood of 1 km2, four homes, two playgrounds, a 100 m norm.
///
/// | home | at | children | nearest playground |
/// |---|---|---|---|
/// | h1 | (150100, 460100) | 2 | P1 at (150150, 460100): 50 m |
/// | h2 | (150500, 460500) | 3 | P2 at (150520, 460530): 36.1 m |
/// | h3 | (150560, 460500) | 4 | P2: 50 m |
/// | h4 | (150900, 460900) | 5 | P2: 530.3 m |
///
/// 9 of 14 children are within 100 m. Without P2, h2 is 531.5 m and h3 565.7 m from P1: only
/// h1's 2 children are covered.
fn hand_made_town(dir: &Path, scenarios: &str) -> PathBuf {
    let square = r#"{"type":"Feature","properties":{"code":"A","name":"Square","kids":14},"geometry":{"type":"Polygon","coordinates":[[[150000,460000],[151000,460000],[151000,461000],[150000,461000],[150000,460000]]]}}"#;
    std::fs::write(dir.join("nb.geojson"), collection(&[square.to_string()])).unwrap();
    let homes = [
        ("h1", 150100.0, 460100.0, 2),
        ("h2", 150500.0, 460500.0, 3),
        ("h3", 150560.0, 460500.0, 4),
        ("h4", 150900.0, 460900.0, 5),
    ];
    let homes: Vec<String> = homes
        .iter()
        .map(|(id, x, y, c)| point(&format!(r#""hid":"{id}","c":{c}"#), *x, *y))
        .collect();
    std::fs::write(dir.join("homes.geojson"), collection(&homes)).unwrap();
    let p1 = point(r#""pid":"P1","status":"goed""#, 150150.0, 460100.0);
    let p2 = point(r#""pid":"P2","status":"te saneren""#, 150520.0, 460530.0);
    std::fs::write(
        dir.join("playgrounds.geojson"),
        collection(&[p1, p2.clone()]),
    )
    .unwrap();
    std::fs::write(dir.join("p2_again.geojson"), collection(&[p2])).unwrap();
    let moved = point(r#""pid":"P2b""#, 150900.0, 460880.0);
    std::fs::write(dir.join("moved.geojson"), collection(&[moved])).unwrap();
    let study = format!(
        r#"[study]
name = "hand-made"
crs = "EPSG:28992"

[neighbourhoods]
path = "nb.geojson"
id = "code"
name = "name"
children = "kids"

[homes]
path = "homes.geojson"
id = "hid"
children = "c"

[[amenities]]
kind = "playground"
path = "playgrounds.geojson"
id = "pid"

[norms]
playground = {{ all = 100 }}
{scenarios}"#
    );
    let path = dir.join("study.toml");
    std::fs::write(&path, study).unwrap();
    path
}

/// The study-area row of each scenario in `scenarios.csv`, by scenario.
fn study_area_rows(out: &Path) -> HashMap<String, HashMap<String, String>> {
    read_csv(&out.join("scenarios.csv"))
        .into_iter()
        .filter(|r| r["neighbourhood_id"] == "study area")
        .map(|r| (r["scenario"].clone(), r))
        .collect()
}

#[test]
fn closing_one_playground_uncovers_the_children_of_two_homes() {
    let dir = tempfile::tempdir().unwrap();
    let study = hand_made_town(
        dir.path(),
        r#"
[[scenarios]]
name = "close P2"
remove = { kind = "playground", where = { status = "te saneren" } }

[[scenarios]]
name = "move P2 to the north-east"
remove = { kind = "playground", ids = ["P2"] }
add = [{ kind = "playground", path = "moved.geojson" }]
"#,
    );
    let out = dir.path().join("out");
    run_quiet(&study, &out);
    let rows = study_area_rows(&out);
    let close = &rows["close P2"];
    // By hand (see `hand_made_town`): 9 of 14 covered, then 2 of 14; h2 and h3 lose 3 + 4.
    assert_eq!(num(close, "children"), Some(14.0));
    assert_eq!(num(close, "playground_coverage_base"), Some(0.642857)); // 9/14
    assert_eq!(num(close, "playground_coverage"), Some(0.142857)); // 2/14
    assert_eq!(num(close, "playground_coverage_delta"), Some(-0.5)); // -7/14
    assert_eq!(num(close, "gap_children_base"), Some(5.0));
    assert_eq!(num(close, "gap_children"), Some(12.0));
    assert_eq!(num(close, "gap_children_delta"), Some(7.0));
    // No network: the network columns are empty.
    assert_eq!(num(close, "playground_net_coverage_delta"), None);
    // Moved to (150900, 460880): h4 is 20 m from it, h2 and h3 lose theirs: 2 + 5 of 14.
    let moved = &rows["move P2 to the north-east"];
    assert_eq!(num(moved, "playground_coverage"), Some(0.5));
    assert_eq!(num(moved, "gap_children_delta"), Some(2.0));
    // The neighbourhood's row says the same as the study area's (one neighbourhood).
    let nb: Vec<_> = read_csv(&out.join("scenarios.csv"))
        .into_iter()
        .filter(|r| r["scenario"] == "close P2" && r["neighbourhood_id"] == "A")
        .collect();
    assert_eq!(nb.len(), 1);
    assert_eq!(num(&nb[0], "gap_children_delta"), Some(7.0));
    assert_eq!(nb[0]["name"], "Square");
}

/// Every compared figure of a scenario, per neighbourhood and for the study area, and every
/// inequality index, against the base study's.
fn assert_no_change(r: &RunResult, scenario: usize, play_tolerance: f64) {
    let res = &r.results;
    let s = &res.scenarios[scenario];
    let kinds: Vec<&str> = res
        .scene
        .amenities
        .iter()
        .map(|k| k.kind.as_str())
        .collect();
    let groups: Vec<(&NeighbourhoodFigures, &NeighbourhoodFigures)> = s
        .figures
        .iter()
        .zip(&res.figures)
        .chain([(&s.study_area, &res.study_area)])
        .collect();
    assert_eq!(groups.len(), res.figures.len() + 1);
    let mut checked = 0;
    for (scenario_figures, base) in groups {
        for (name, c) in compared(&kinds, scenario_figures, base) {
            assert_eq!(c.scenario.is_some(), c.base.is_some(), "{}: {name}", s.name);
            let Some(d) = c.delta() else { continue };
            if name == "play_m2_per_child" {
                // The same sums in another order (the re-added playground is last).
                assert!(
                    d.abs() <= play_tolerance,
                    "{}: {name} changes by {d}",
                    s.name
                );
            } else {
                assert_eq!(d, 0.0, "{}: {name}", s.name);
            }
            checked += 1;
        }
    }
    assert!(
        checked > 10 * res.figures.len(),
        "{checked} figures compared"
    );
    let base = &res
        .equity
        .as_ref()
        .expect("the sample town has [equity]")
        .indices;
    assert_eq!(s.indices.as_ref(), Some(base), "{}: indices", s.name);
}

#[test]
fn nothing_removed_and_a_playground_removed_and_added_back_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let town = common::write_sample(dir.path());
    // P001 (a point of 200 m2 by the entry's point_area_m2) as a layer of its own.
    let layer: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(town.join("playgrounds.geojson")).unwrap())
            .unwrap();
    let p001: Vec<serde_json::Value> = layer["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["properties"]["id"] == "P001")
        .cloned()
        .collect();
    assert_eq!(p001.len(), 1);
    let mut again = layer.clone();
    again["features"] = serde_json::Value::Array(p001);
    std::fs::write(town.join("p001.geojson"), again.to_string()).unwrap();
    let study_path = town.join("sample-town.toml");
    let study = std::fs::read_to_string(&study_path).unwrap();
    let study = study.replacen(
        "point_area_m2 = 200\n",
        "point_area_m2 = 200\nid = \"id\"\n",
        1,
    ) + r#"
[[scenarios]]
name = "nothing"

[[scenarios]]
name = "P001 out and back in"
remove = { kind = "playground", ids = ["P001"] }
add = [{ kind = "playground", path = "p001.geojson", capacity = "area", point_area_m2 = 200 }]

[[scenarios]]
name = "P001 out"
remove = { kind = "playground", ids = ["P001"] }
"#;
    std::fs::write(&study_path, study).unwrap();
    let r = run_study(
        &study_path,
        &RunOptions {
            out: Some(dir.path().join("out")),
            quiet: true,
            language: None,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(r.results.distances.has_network(), "the sample town walks");
    assert_no_change(&r, 0, 0.0);
    assert_no_change(&r, 1, 1e-9);
    // The check above can fail: removing P001 alone changes the figures.
    let out = &r.results.scenarios[2];
    assert_eq!(out.removed, 1);
    assert!(out.study_area.gap_children > r.results.study_area.gap_children);
    // In the file, every delta of the first two scenarios is written as 0.
    for row in read_csv(&dir.path().join("out/scenarios.csv")) {
        if row["scenario"] == "P001 out" {
            continue;
        }
        for (col, v) in &row {
            if col.ends_with("_delta") && !v.is_empty() {
                assert_eq!(
                    v, "0",
                    "{} {}: {col}",
                    row["scenario"], row["neighbourhood_id"]
                );
            }
        }
    }
}

/// Runs `study` once for its sites, then again with a scenario that builds them (the first
/// run's `sites.geojson` as a playground layer); returns the sites' new children and the
/// scenario's study-area row.
fn build_the_sites(study: &Path, dir: &Path) -> (Vec<f64>, HashMap<String, String>) {
    let first = dir.join("first");
    run_quiet(study, &first);
    let sites = read_csv(&first.join("sites.csv"));
    let new: Vec<f64> = sites
        .iter()
        .map(|s| num(s, "new_children").unwrap())
        .collect();
    let text = std::fs::read_to_string(study).unwrap()
        + &format!(
            "\n[[scenarios]]\nname = \"build the sites\"\nadd = [{{ kind = \"playground\", path = \"{}\" }}]\n",
            first.join("sites.geojson").display()
        );
    // Beside the study: its paths are relative to it.
    let with = study.with_file_name("with-scenario.toml");
    std::fs::write(&with, text).unwrap();
    let second = dir.join("second");
    run_quiet(&with, &second);
    let row = study_area_rows(&second).remove("build the sites").unwrap();
    (new, row)
}

/// The sites count each (home, band) whose children are outside the band's norm today and
/// within it of the site, exactly as `gap_children` counts (home, band) pairs outside the norm;
/// so building them lowers the gap by the sum of their new children. The sum is compared to
/// 0.01 child: `new_children` is written to 0.01, and the sites are re-read from WGS84
/// coordinates rounded to 1e-7 degree (about 1 cm), which moves a home across a norm only if it
/// lies within a centimetre of it.
fn assert_gap_falls_by_the_sites(new: &[f64], row: &HashMap<String, String>) {
    assert!(!new.is_empty());
    let total: f64 = new.iter().sum();
    assert!(total > 0.0);
    let fall = -num(row, "gap_children_delta").unwrap();
    let tolerance = 0.01 * new.len() as f64;
    assert!(
        (fall - total).abs() <= tolerance,
        "gap falls by {fall}, the sites' new children sum to {total}"
    );
}

#[test]
fn building_the_sample_towns_sites_over_the_network_covers_their_new_children() {
    let dir = tempfile::tempdir().unwrap();
    let town = common::write_sample(dir.path());
    let (new, row) = build_the_sites(&town.join("sample-town.toml"), dir.path());
    assert_gap_falls_by_the_sites(&new, &row);
    // Over the network: coverage walked rises too.
    assert!(num(&row, "playground_net_coverage_delta").unwrap() > 0.0);
}

#[test]
fn building_harderwijks_five_proposed_sites_covers_their_new_children() {
    let Some(data) = common::shared_data_dir() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let study = common::example_study("harderwijk.toml", &data, dir.path());
    let (new, row) = build_the_sites(&study, dir.path());
    assert_eq!(new.len(), 5);
    assert_gap_falls_by_the_sites(&new, &row);
    // Straight line only: the coverage share rises by the same children over all children.
    let children = num(&row, "children").unwrap();
    let share = num(&row, "playground_coverage_delta").unwrap();
    // The share is written to 6 decimals: 5e-7 of the children.
    assert!((share * children - new.iter().sum::<f64>()).abs() <= 0.01 + 5e-7 * children);
}

/// Where each scenario changes things, home by home (what its map draws), against distances
/// worked out from the hand-made town's coordinates: closing P2 uncovers h2 (3 children) and h3
/// (4), each now nearest to P1, and sends h4 (no coverage either way) to P1 too; moving P2 to
/// the north-east uncovers h2 and h3 and covers h4 (5), 20 m from P2b. h1 keeps P1 at 50 m.
#[test]
fn scenario_changes_home_by_home_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let study = hand_made_town(
        dir.path(),
        r#"
[[scenarios]]
name = "close P2"
remove = { kind = "playground", ids = ["P2"] }

[[scenarios]]
name = "move P2 to the north-east"
remove = { kind = "playground", ids = ["P2"] }
add = [{ kind = "playground", path = "moved.geojson" }]
"#,
    );
    let r = run_study(
        &study,
        &RunOptions {
            out: Some(dir.path().join("out")),
            quiet: true,
            ..Default::default()
        },
    )
    .unwrap();
    let d = |a: (f64, f64), b: (f64, f64)| (a.0 - b.0).hypot(a.1 - b.1);
    let (p1, p2, p2b) = (
        (150150.0, 460100.0),
        (150520.0, 460530.0),
        (150900.0, 460880.0),
    );
    let (h2, h3, h4) = (
        (150500.0, 460500.0),
        (150560.0, 460500.0),
        (150900.0, 460900.0),
    );
    // Per scenario, by home: (children gaining (+) or losing (-) coverage, metres farther).
    let expected = [
        vec![
            (h2, -3.0, d(h2, p1) - d(h2, p2)),
            (h3, -4.0, d(h3, p1) - d(h3, p2)),
            (h4, 0.0, d(h4, p1) - d(h4, p2)),
        ],
        vec![
            (h2, -3.0, d(h2, p1) - d(h2, p2)),
            (h3, -4.0, d(h3, p2b) - d(h3, p2)),
            (h4, 5.0, d(h4, p2b) - d(h4, p2)),
        ],
    ];
    let homes = &r.results.scene.homes;
    for (s, want) in r.results.scenarios.iter().zip(&expected) {
        let c = &s.changes;
        assert_eq!(c.kind, Some(0), "{}", s.name);
        let mut got: Vec<((f64, f64), f64, f64)> = c
            .homes
            .iter()
            .map(|h| {
                let at = homes.coords[h.home as usize];
                ((at.x, at.y), h.covered, h.metres)
            })
            .collect();
        // The expected homes run west to east.
        got.sort_by(|a, b| a.0 .0.total_cmp(&b.0 .0));
        assert_eq!(got.len(), want.len(), "{}: {got:?}", s.name);
        for (g, w) in got.iter().zip(want) {
            assert_eq!(g.0, w.0, "{}", s.name);
            assert!((g.1 - w.1).abs() < 1e-9, "{}: {g:?} vs {w:?}", s.name);
            assert!((g.2 - w.2).abs() < 1e-6, "{}: {g:?} vs {w:?}", s.name);
        }
        let removed: Vec<&str> = c.removed.iter().map(|(_, a)| a.id.as_str()).collect();
        assert_eq!(removed, ["P2"], "{}", s.name);
    }
    // The added layer names no id attribute: its amenity is known by where it stands.
    let added: Vec<geo::Coord> = r.results.scenarios[1]
        .changes
        .added
        .iter()
        .map(|(_, a)| a.anchor())
        .collect();
    assert_eq!(added, [geo::Coord { x: p2b.0, y: p2b.1 }]);
    assert!(r.results.scenarios[0].changes.added.is_empty());
}
