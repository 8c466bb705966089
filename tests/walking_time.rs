//! Norms as walking times, through a whole run: on a hand-made street where every distance is
//! known, a time norm covers the homes its minutes at the band's speed reach, `K_net_min` is the
//! distance over the speed, and the same norms written in metres give the same coverage.

mod common;

use std::path::Path;

use common::geojson::{collection, point, town_layers, write, write_study, X, Y};
use common::*;
use serde_json::{json, Value};

/// One footway along y = Y + 100 from x = X to X + 2000, a playground on it at X + 100, and three
/// homes on it 100, 300 and 700 m farther east, each with one child per band.
fn street(dir: &Path) {
    let square = json!({"type": "Polygon", "coordinates": [[[X, Y], [X + 2000.0, Y], [X + 2000.0, Y + 2000.0], [X, Y + 2000.0], [X, Y]]]});
    write(
        dir,
        "nb.geojson",
        &collection(vec![
            json!({"type": "Feature", "properties": {"code": "A", "kids": 3}, "geometry": square}),
        ]),
    );
    let homes = [100.0, 300.0, 700.0]
        .iter()
        .enumerate()
        .map(|(i, d)| {
            point(
                json!({"hid": format!("h{i}"), "a": 1, "b": 1, "c": 1, "all": 3}),
                100.0 + d,
                100.0,
            )
        })
        .collect();
    write(dir, "homes.geojson", &collection(homes));
    write(
        dir,
        "p.geojson",
        &collection(vec![point(json!({}), 100.0, 100.0)]),
    );
    write(
        dir,
        "walk.geojson",
        &collection(vec![
            json!({"type": "Feature", "properties": {"highway": "footway"},
            "geometry": {"type": "LineString", "coordinates": [[X, Y + 100.0], [X + 2000.0, Y + 100.0]]}}),
        ]),
    );
}

fn study(dir: &Path, norms: &str, network: &str) -> std::path::PathBuf {
    let layers = town_layers(BANDS);
    let text = format!(
        "[study]\nname = \"time\"\ncrs = \"EPSG:28992\"\n{layers}[norms]\n{norms}\n{network}\n"
    );
    write_study(dir, &text)
}

/// Children in three bands, one attribute each.
const BANDS: &str = r#"{ "0-5" = "a", "6-11" = "b", "12-17" = "c" }"#;

const TIMES: &str = r#"playground = { "0-5" = "2 min", "6-11" = "300 s", "12-17" = "12min" }"#;
const SPEEDS: &str = "[network]\npath = \"walk.geojson\"\nspeed_m_s = { \"0-5\" = 0.8, \"6-11\" = 1.1, \"12-17\" = 1.3 }\n";

#[test]
fn a_time_norm_is_walked_at_the_band_speed() {
    let dir = tempfile::tempdir().unwrap();
    street(dir.path());
    let s = study(dir.path(), TIMES, SPEEDS);
    let out = dir.path().join("out");
    let stderr = run_quiet(&s, &out);
    // By hand: 2 min x 60 x 0.8 = 96 m, 5 min x 60 x 1.1 = 330 m, 12 min x 60 x 1.3 = 936 m.
    assert!(stderr.contains("0-5 2 min (96 m) at 0.8 m/s"), "{stderr}");
    assert!(stderr.contains("6-11 5 min (330 m) at 1.1 m/s"), "{stderr}");
    assert!(
        stderr.contains("12-17 12 min (936 m) at 1.3 m/s"),
        "{stderr}"
    );

    let homes = read_csv(&out.join("homes.csv"));
    for (row, d) in homes.iter().zip([100.0, 300.0, 700.0]) {
        assert!((num(row, "playground_net_m").unwrap() - d).abs() < 1e-6);
        for (band, speed) in [("0-5", 0.8), ("6-11", 1.1), ("12-17", 1.3)] {
            let got = num(row, &format!("playground_net_min_{band}")).unwrap();
            assert!((got - d / speed / 60.0).abs() <= 0.005, "{band}: {got}");
        }
        // The fewest minutes: the fastest band's.
        let best = num(row, "playground_net_min").unwrap();
        assert!((best - d / 1.3 / 60.0).abs() <= 0.005, "{best}");
    }

    // Coverage by hand: 0-5 (96 m) reaches none of 100/300/700 m; 6-11 (330 m) two; 12-17 all.
    let nb = read_csv(&out.join("neighbourhoods.csv"));
    let cov = |c: &str| num(&nb[0], c).unwrap();
    let share = |n: f64| {
        // Shares are written as fractions or percentages: accept either scale.
        let v = cov("playground_net_coverage_12-17");
        if v > 1.5 {
            n * 100.0
        } else {
            n
        }
    };
    assert!((cov("playground_net_coverage_0-5") - share(0.0)).abs() < 1e-3);
    assert!((cov("playground_net_coverage_6-11") - share(2.0 / 3.0)).abs() < 1e-3);
    assert!((cov("playground_net_coverage_12-17") - share(1.0)).abs() < 1e-3);

    // The same norms in metres: the same coverage, and no minutes columns.
    let dir2 = tempfile::tempdir().unwrap();
    street(dir2.path());
    let s2 = study(
        dir2.path(),
        r#"playground = { "0-5" = 96, "6-11" = 330, "12-17" = 936 }"#,
        "[network]\npath = \"walk.geojson\"\n",
    );
    let out2 = dir2.path().join("out");
    run_quiet(&s2, &out2);
    let nb2 = read_csv(&out2.join("neighbourhoods.csv"));
    for (k, v) in &nb[0] {
        if k.contains("coverage") {
            assert_eq!(v, &nb2[0][k], "{k}");
        }
    }
    let homes2 = read_csv(&out2.join("homes.csv"));
    assert!(!homes2[0].contains_key("playground_net_min"));

    // The summary shows the norm as the time given.
    let summary = std::fs::read_to_string(out.join("summary.md")).unwrap();
    assert!(summary.contains("0-5 2 min (96 m)"), "{summary}");
    let run: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    let band = &run["norms"]["kinds"]["playground"]["bands"][0];
    assert_eq!(
        (band["minutes"].as_f64(), band["speed_m_s"].as_f64()),
        (Some(2.0), Some(0.8))
    );
}

#[test]
fn default_speeds_and_a_time_without_a_network() {
    let dir = tempfile::tempdir().unwrap();
    street(dir.path());
    // 5 min for everyone; no [network]: straight lines at the default speeds, with a warning.
    let s = study(dir.path(), r#"playground = { all = "5 min" }"#, "");
    let out = dir.path().join("out");
    let stderr = run_quiet(&s, &out);
    assert!(
        stderr.contains("a walking time with no [network] is measured as a straight line"),
        "{stderr}"
    );
    // 5 x 60 x 0.88 = 264 m (0-5), x 1.1 = 330 m (6-11), x 1.3 = 390 m (12-17).
    for part in [
        "0-5 5 min (264 m)",
        "6-11 5 min (330 m)",
        "12-17 5 min (390 m)",
    ] {
        assert!(stderr.contains(part), "{part}: {stderr}");
    }
    assert!(stderr.contains("(default speed)"), "{stderr}");
    let homes = read_csv(&out.join("homes.csv"));
    assert!(!homes[0].contains_key("playground_net_min"));
    let nb = read_csv(&out.join("neighbourhoods.csv"));
    let scale = if num(&nb[0], "playground_coverage_0-5").unwrap() > 1.5 {
        100.0
    } else {
        1.0
    };
    // Straight line: 100 and 300 m are within 330 m and 390 m; only 100 m within 264 m.
    for (band, covered) in [("0-5", 1.0), ("6-11", 2.0), ("12-17", 2.0)] {
        let got = num(&nb[0], &format!("playground_coverage_{band}")).unwrap();
        assert!((got - covered / 3.0 * scale).abs() < 1e-3, "{band}: {got}");
    }
}
