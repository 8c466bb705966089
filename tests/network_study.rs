//! Walking distances through the whole run on Helsinki: from the .osm.pbf alone and from the
//! GeoJSON layers made from it, the same homes get the same distances; and a network distance
//! is never shorter than the straight line.

mod common;

use std::collections::HashMap;

use common::*;

fn run(study: &std::path::Path) -> Vec<HashMap<String, String>> {
    let out = kindscape()
        .args(["run", "--quiet"])
        .arg(study)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    read_csv(&study.parent().unwrap().join("out/homes.csv"))
}

#[test]
fn osm_alone_and_geojson_layers_agree() {
    let Some(data) = shared_data_dir() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    let geojson = example_study("helsinki-network.toml", &data, &a);
    let osm = example_study("helsinki-osm.toml", &data, &b);
    // Barriers need crossing nodes, which the GeoJSON edges do not carry: compare without them.
    let text = std::fs::read_to_string(&osm).unwrap();
    let text = &text[..text.find("[network.barriers]").unwrap()];
    std::fs::write(
        &osm,
        format!("{text}\n[equity]\nby = \"Median income of inhabitants\"\n"),
    )
    .unwrap();
    let from_geojson = run(&geojson);
    let from_osm = run(&osm);
    let osm_by_id: HashMap<&str, &HashMap<String, String>> = from_osm
        .iter()
        .map(|r| (r["home_id"].as_str(), r))
        .collect();
    let (mut compared, mut within) = (0usize, 0usize);
    for row in &from_geojson {
        let Some(other) = osm_by_id.get(row["home_id"].as_str()) else {
            continue;
        };
        for kind in ["playground", "library", "community_centre"] {
            let col = format!("{kind}_net_m");
            compared += 1;
            match (num(row, &col), num(other, &col)) {
                (Some(x), Some(y)) if (x - y).abs() <= 1.0 => within += 1,
                (None, None) => within += 1,
                _ => {}
            }
        }
    }
    // 1,080 homes in the GeoJSON, 1,082 from the pbf (two multipolygon buildings); all but a
    // handful are the same buildings.
    assert!(compared >= 3 * 1070, "only {compared} distances compared");
    let share = within as f64 / compared as f64;
    assert!(
        share >= 0.99,
        "{within} of {compared} within 1 m ({share:.4})"
    );
}

#[test]
fn network_never_below_straight_line_on_real_data() {
    let Some(data) = shared_data_dir() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let osm = example_study("helsinki-osm.toml", &data, dir.path());
    let homes = run(&osm);
    let mut checked = 0;
    for row in &homes {
        for kind in ["playground", "library", "community_centre"] {
            for band in ["", "_0-6", "_7-12", "_13-15"] {
                let (Some(net), Some(straight)) = (
                    num(row, &format!("{kind}_net_m{band}")),
                    num(row, &format!("{kind}_m")),
                ) else {
                    continue;
                };
                // Both are rounded to 0.1 m.
                assert!(
                    net >= straight - 0.1,
                    "home {} {kind}{band}: network {net} < straight {straight}",
                    row["home_id"]
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 10_000, "{checked}");
}
