//! The foundation on real data, checked against figures computed independently in Python
//! (shapely / pyproj brute force; `scripts/fixtures_real_areas.py`, fixtures in
//! `tests/fixtures/*_expected.json`, each with a "how" field saying how).

mod common;

use std::collections::HashMap;

use common::*;
use serde_json::Value;

fn fixture(name: &str) -> Value {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

/// Distances are written rounded to 0.1 m.
fn assert_metres(ours: Option<f64>, expected: f64, what: &str) {
    let ours = ours.unwrap_or_else(|| panic!("{what}: empty, expected {expected}"));
    assert!(
        (ours - expected).abs() <= 0.051,
        "{what}: {ours} vs {expected}"
    );
}

fn assert_share(ours: Option<f64>, expected: Option<f64>, what: &str) {
    match (ours, expected) {
        (Some(a), Some(b)) => assert!((a - b).abs() <= 1e-6, "{what}: {a} vs {b}"),
        (None, None) => {}
        _ => panic!("{what}: {ours:?} vs {expected:?}"),
    }
}

/// The fixture's quantile ties as (area, kind, quantile, the neighbouring value a float sum may
/// give); `kind` is the fixture's when it lists one, else `default_kind`.
fn quantile_ties(
    expected: &Value,
    area_key: &str,
    default_kind: Option<&str>,
) -> Vec<(String, String, String, f64)> {
    expected["quantile_ties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t[area_key].as_str().unwrap().to_string(),
                default_kind
                    .or_else(|| t["kind"].as_str())
                    .unwrap()
                    .to_string(),
                t["quantile"].as_str().unwrap().to_string(),
                t["float_may_give"].as_f64().unwrap(),
            )
        })
        .collect()
}

/// A quantile: the exact value, or at a listed tie the neighbouring value a float sum may give.
fn assert_quantile(
    ours: Option<f64>,
    expected: &Value,
    ties: &[(String, String, String, f64)],
    key: (&str, &str, &str),
) {
    let Some(e) = expected.as_f64() else {
        assert!(ours.is_none(), "{key:?}: expected empty, got {ours:?}");
        return;
    };
    let ours = ours.unwrap_or_else(|| panic!("{key:?}: empty"));
    let alt = ties
        .iter()
        .find(|t| t.0 == key.0 && t.1 == key.1 && t.2 == key.2)
        .map(|t| t.3);
    let ok = (ours - e).abs() <= 0.051 || alt.is_some_and(|a| (ours - a).abs() <= 0.051);
    assert!(ok, "{key:?}: {ours} vs {e} (tie alternative {alt:?})");
}

#[test]
fn harderwijk_matches_independent_computation() {
    let Some(data) = shared_data_dir() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let study = example_study("harderwijk.toml", &data, dir.path());
    let out = kindscape()
        .args(["run", "--quiet"])
        .arg(&study)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected = fixture("harderwijk_expected.json");

    // Every home: its wijk, children (estimated where suppressed) and distance to a playground.
    let homes = read_csv(&dir.path().join("out/homes.csv"));
    assert_eq!(homes.len(), 984);
    let by_id: HashMap<&str, &HashMap<String, String>> =
        homes.iter().map(|r| (r["home_id"].as_str(), r)).collect();
    for row in expected["homes"].as_array().unwrap() {
        let id = row[0].as_str().unwrap();
        let ours = by_id[id];
        assert_eq!(
            ours["neighbourhood_id"],
            row[1].as_str().unwrap_or(""),
            "home {id}"
        );
        let children = num(ours, "children").unwrap();
        assert!(
            (children - row[2].as_f64().unwrap()).abs() <= 0.0006,
            "home {id} children {children} vs {}",
            row[2]
        );
        assert_metres(
            num(ours, "playground_m"),
            row[4].as_f64().unwrap(),
            &format!("home {id} playground_m"),
        );
    }

    let ties = quantile_ties(&expected, "wijk", Some("playground"));
    let nbs = read_csv(&dir.path().join("out/neighbourhoods.csv"));
    assert_eq!(nbs.len(), 16);
    for w in expected["wijken"].as_array().unwrap() {
        let id = w["id"].as_str().unwrap();
        let ours = nbs.iter().find(|r| r["id"] == id).unwrap();
        assert!(
            (num(ours, "children").unwrap() - w["children"].as_f64().unwrap()).abs() < 0.01,
            "{id} children"
        );
        for band in ["0-5", "6-11", "12-17"] {
            let col = format!("playground_coverage_{band}");
            assert_share(num(ours, &col), w[&col].as_f64(), &format!("{id} {col}"));
        }
        assert_share(
            num(ours, "playground_coverage"),
            w["playground_coverage"].as_f64(),
            id,
        );
        assert_quantile(
            num(ours, "playground_median_m"),
            &w["playground_median_m"],
            &ties,
            (id, "playground", "median"),
        );
        assert_quantile(
            num(ours, "playground_p90_m"),
            &w["playground_p90_m"],
            &ties,
            (id, "playground", "p90"),
        );
        let area = num(ours, "play_area_m2").unwrap();
        assert!(
            (area - w["play_area_m2"].as_f64().unwrap()).abs() <= 0.06,
            "{id} play area {area}"
        );
        assert_share(
            num(ours, "play_area_share"),
            w["play_area_share"].as_f64(),
            &format!("{id} play_area_share"),
        );
    }
}

#[test]
fn helsinki_matches_independent_computation() {
    let Some(data) = shared_data_dir() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let study = example_study("helsinki.toml", &data, dir.path());
    let out = kindscape()
        .args(["run", "--quiet"])
        .arg(&study)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected = fixture("helsinki_expected.json");
    let kinds = ["playground", "green_space", "library", "community_centre"];

    let homes = read_csv(&dir.path().join("out/homes.csv"));
    assert_eq!(homes.len(), 1080);
    let by_id: HashMap<&str, &HashMap<String, String>> =
        homes.iter().map(|r| (r["home_id"].as_str(), r)).collect();
    for row in expected["homes"].as_array().unwrap() {
        let id = row[0].as_str().unwrap();
        let ours = by_id[id];
        assert_eq!(
            ours["neighbourhood_id"],
            row[1].as_str().unwrap_or(""),
            "home {id}"
        );
        let children: f64 = (2..5).map(|i| row[i].as_f64().unwrap()).sum();
        assert!(
            (num(ours, "children").unwrap() - children).abs() <= 0.0006,
            "home {id} children"
        );
        for (k, kind) in kinds.iter().enumerate() {
            assert_metres(
                num(ours, &format!("{kind}_m")),
                row[5 + k].as_f64().unwrap(),
                &format!("home {id} {kind}"),
            );
        }
        // Scores are written with 2 decimals; homes outside every area have none in the fixture.
        if let Some(s) = row[9].as_f64() {
            assert!(
                (num(ours, "score").unwrap() - s).abs() <= 0.0051,
                "home {id} score"
            );
        }
    }

    let ties = quantile_ties(&expected, "area", None);
    let nbs = read_csv(&dir.path().join("out/neighbourhoods.csv"));
    assert_eq!(nbs.len(), 15);
    for a in expected["areas"].as_array().unwrap() {
        let id = a["id"].as_str().unwrap();
        let ours = nbs.iter().find(|r| r["id"] == id).unwrap();
        for kind in kinds {
            for band in ["0-6", "7-12", "13-15"] {
                let col = format!("{kind}_coverage_{band}");
                assert_share(num(ours, &col), a[&col].as_f64(), &format!("{id} {col}"));
            }
            let col = format!("{kind}_coverage");
            assert_share(num(ours, &col), a[&col].as_f64(), &format!("{id} {col}"));
            assert_quantile(
                num(ours, &format!("{kind}_median_m")),
                &a[format!("{kind}_median_m")],
                &ties,
                (id, kind, "median"),
            );
            assert_quantile(
                num(ours, &format!("{kind}_p90_m")),
                &a[format!("{kind}_p90_m")],
                &ties,
                (id, kind, "p90"),
            );
        }
        match a["score"].as_f64() {
            Some(s) => assert!(
                (num(ours, "score").unwrap() - s).abs() <= 0.0051,
                "{id} score"
            ),
            None => assert_eq!(num(ours, "score"), None, "{id} score"),
        }
    }
}

#[test]
fn check_prints_counts_crs_and_warnings() {
    let Some(data) = shared_data_dir() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    for (name, expect) in [
        (
            "harderwijk.toml",
            [
                "Working CRS: EPSG:28992",
                "Homes: 984 (9 outside every neighbourhood, 437 with estimated children)",
                "playground         219",
            ],
        ),
        (
            "helsinki.toml",
            [
                "Working CRS: EPSG:32635",
                "Homes: 1080 (14 outside every neighbourhood",
                "green space        81",
            ],
        ),
    ] {
        let study = example_study(name, &data, dir.path());
        let out = kindscape().arg("check").arg(&study).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        for e in expect {
            assert!(text.contains(e), "{name}: `{e}` not in\n{text}");
        }
        assert!(!dir.path().join("out").exists(), "check must write nothing");
    }
    // In Dutch: the same counts in the words of the English lines above. Harderwijk's areas are
    // CBS wijken (WK codes), so the Dutch lines call them wijken, never buurten.
    let study = example_study("harderwijk.toml", &data, dir.path());
    let out = kindscape()
        .args(["check", "--lang", "nl"])
        .arg(&study)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for e in [
        "Werk-CRS: EPSG:28992",
        "Woningen: 984 (9 buiten elke wijk, 437 met geschatte kinderen)",
        "speelplek          219",
        "4 waarschuwingen (op stderr, in het Engels)",
    ] {
        assert!(text.contains(e), "nl: `{e}` not in\n{text}");
    }
    let buurt_words = text
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| matches!(w.to_lowercase().as_str(), "buurt" | "buurten"))
        .count();
    assert_eq!(buurt_words, 0, "nl: wijken called buurten in\n{text}");
}
