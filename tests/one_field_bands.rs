//! Children counted in one field are judged per norm band: spread over the bands by the years each
//! covers, each band walked with its own barriers. On a hand-made road whose distances are known
//! (the barrier scene of `network_small.rs`, as GeoJSON), coverage per band is computed by hand.

mod common;

use std::path::Path;

use common::geojson::{collection, line, point, town_layers, write_study, X, Y};
use common::*;
use serde_json::{json, Value};

/// A primary road along y = 0 with a marked crossing at x = 200; a street north from (0, 0) to
/// (0, 100) and one south to (0, -100). The playground is at (0, 110). Home A is at (0, -110),
/// home B 15 m south of the road at x = 50; each has 18 children aged 0-17 in one field.
fn scene(dir: &Path, barriers: &str) -> std::path::PathBuf {
    let w = |name: &str, v: Value| std::fs::write(dir.join(name), v.to_string()).unwrap();
    let square = json!({"type": "Polygon", "coordinates": [[[X - 1000.0, Y - 1000.0], [X + 1000.0, Y - 1000.0], [X + 1000.0, Y + 1000.0], [X - 1000.0, Y + 1000.0], [X - 1000.0, Y - 1000.0]]]});
    w(
        "nb.geojson",
        collection(vec![
            json!({"type": "Feature", "properties": {"code": "N"}, "geometry": square}),
        ]),
    );
    w(
        "homes.geojson",
        collection(vec![
            point(json!({"hid": "A", "kids": 18}), 0.0, -110.0),
            point(json!({"hid": "B", "kids": 18}), 50.0, -15.0),
        ]),
    );
    w("p.geojson", collection(vec![point(json!({}), 0.0, 110.0)]));
    let primary = json!({"highway": "primary"});
    let crossing = json!({"highway": "footway", "footway": "crossing"});
    w(
        "walk.geojson",
        collection(vec![
            line(primary.clone(), &[(-400.0, 0.0), (0.0, 0.0), (200.0, 0.0)]),
            line(primary, &[(200.0, 0.0), (400.0, 0.0)]),
            line(
                json!({"highway": "residential"}),
                &[(0.0, 0.0), (0.0, 100.0)],
            ),
            line(
                json!({"highway": "residential"}),
                &[(0.0, 0.0), (0.0, -100.0)],
            ),
            line(crossing.clone(), &[(200.0, -10.0), (200.0, 0.0)]),
            line(crossing, &[(200.0, 0.0), (200.0, 10.0)]),
        ]),
    );
    let layers = town_layers("\"kids\"");
    let text = format!(
        r#"[study]
name = "one field"
crs = "EPSG:28992"
{layers}[norms]
playground = {{ "0-5" = 500, "6-11" = 400, "12-17" = 1000 }}
[network]
path = "walk.geojson"
{barriers}
"#
    );
    write_study(dir, &text)
}

fn fraction(v: f64, reference: f64) -> f64 {
    // Shares may be written as percentages: scale by a column known to be a full 1.
    if reference > 1.5 {
        v / 100.0
    } else {
        v
    }
}

#[test]
fn a_barrier_for_0_5_changes_only_the_0_5_distance() {
    let dir = tempfile::tempdir().unwrap();
    let s = scene(dir.path(), "[network.barriers]\n\"0-5\" = [\"primary\"]\n");
    let out = dir.path().join("out");
    run_quiet(&s, &out);
    let homes = read_csv(&out.join("homes.csv"));
    let d = |h: usize, c: &str| num(&homes[h], c).unwrap();
    // By hand. 6-11 and 12-17 walk straight over the road: A 10 + 100 + 100 + 10 = 220,
    // B 15 + 50 west + 100 + 10 = 175. 0-5 crosses only at x = 200: A 10 + 100 + 200 east
    // + 200 back + 100 + 10 = 620; B 15 + 150 east + 200 back + 100 + 10 = 475.
    for (h, young, older) in [(0, 620.0, 220.0), (1, 475.0, 175.0)] {
        assert!((d(h, "playground_net_m_0-5") - young).abs() < 1e-6, "{h}");
        assert!((d(h, "playground_net_m_6-11") - older).abs() < 1e-6, "{h}");
        assert!((d(h, "playground_net_m_12-17") - older).abs() < 1e-6, "{h}");
        assert!((d(h, "playground_net_m") - older).abs() < 1e-6, "{h}");
    }
    // 18 children per home spread 6/6/6 over the bands. 0-5 (500 m): B only, 6 of 12 children;
    // 6-11 (400 m) and 12-17 (1000 m): both homes. Gap: A's 6 children of 0-5.
    let nb = read_csv(&out.join("neighbourhoods.csv"));
    let row = &nb[0];
    let full = num(row, "playground_net_coverage_12-17").unwrap();
    let cov = |c: &str| fraction(num(row, c).unwrap(), full);
    assert!((cov("playground_net_coverage_0-5") - 0.5).abs() < 1e-3);
    assert!((cov("playground_net_coverage_6-11") - 1.0).abs() < 1e-3);
    assert!((cov("playground_net_coverage_12-17") - 1.0).abs() < 1e-3);
    // Overall: (6 + 12 + 12) of 36 children.
    assert!((cov("playground_net_coverage") - 30.0 / 36.0).abs() < 1e-3);
    assert!((num(row, "gap_children").unwrap() - 6.0).abs() < 1e-6);
    let run: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    for band in run["norms"]["kinds"]["playground"]["bands"]
        .as_array()
        .unwrap()
    {
        assert!((band["share"].as_f64().unwrap() - 6.0 / 18.0).abs() < 1e-12);
        assert_eq!(band["children_band"], "all");
    }

    // Without the barrier every band walks over the road: 0-5 is then covered at both homes.
    let dir2 = tempfile::tempdir().unwrap();
    let s2 = scene(dir2.path(), "");
    let out2 = dir2.path().join("out");
    run_quiet(&s2, &out2);
    let homes2 = read_csv(&out2.join("homes.csv"));
    for (h, older) in [(0, 220.0), (1, 175.0)] {
        assert!((num(&homes2[h], "playground_net_m_0-5").unwrap() - older).abs() < 1e-6);
        for c in ["playground_net_m_6-11", "playground_net_m_12-17"] {
            assert_eq!(homes2[h][c], homes[h][c], "{c}");
        }
    }
    let nb2 = read_csv(&out2.join("neighbourhoods.csv"));
    assert!(
        (fraction(num(&nb2[0], "playground_net_coverage_0-5").unwrap(), full) - 1.0).abs() < 1e-3
    );
}

#[test]
fn a_barrier_band_the_study_does_not_have_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let s = scene(dir.path(), "[network.barriers]\n\"0-4\" = [\"primary\"]\n");
    let o = kindscape().arg("check").arg(&s).output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(
        stderr
            .contains("band \"0-4\" is not a band of the study (bands: 0-5, 6-11, 12-17, or all)"),
        "{stderr}"
    );
}
