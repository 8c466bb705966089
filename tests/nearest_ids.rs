//! Answers a planner can act on, through whole runs: `K_nearest_id` in `homes.csv` names the
//! amenity at the reported distance (over the network when there is one, else in a straight
//! line), and each site in `sites.csv` gets its neighbourhood and the nearest named street. A
//! hand-made town where every answer is worked out by hand, then Helsinki.

mod common;

use std::collections::{HashMap, HashSet};
use std::path::Path;

use common::geojson::{collection, line, point, town_layers, write, write_study, X, Y};
use common::*;
use serde_json::{json, Value};

fn square(x0: f64, x1: f64) -> Value {
    json!({"type": "Polygon", "coordinates": [[[X + x0, Y], [X + x1, Y], [X + x1, Y + 2000.0], [X + x0, Y + 2000.0], [X + x0, Y]]]})
}

/// The town (offsets from (X, Y) in metres, RD New):
///
/// * Neighbourhoods "West" (x 0-1000) and "East" (x 1000-2000), each 2 km tall.
/// * Ways: Kerkstraat (residential, named) along y = 100 from x = 0 to 2000; Dorpsweg (named)
///   up from (1500, 100) to (1500, 900); an unnamed footway along y = 200 from x = 400 to the
///   Dorpsweg at (1500, 200); an unnamed footway down from the Kerkstraat at (270, 100) to
///   (270, 20).
/// * Playgrounds, in file order (index 0-3), with ids "A" at (500, 200) on the upper footway,
///   "B" at (800, 100), "q9" at (1700, 100) and "q1" at (1900, 100) on the Kerkstraat.
/// * Homes: h0 at (500, 110), h1 at (1800, 100), h2 at (100, 1000), h3 at (1510, 600),
///   h4 at (250, 130); one child per band each.
/// * Candidate sites: c0 at (1490, 610) beside the Dorpsweg, c1 at (260, 80) beside the
///   short footway.
fn town(dir: &Path, network: bool) -> std::path::PathBuf {
    write(
        dir,
        "nb.geojson",
        &collection(vec![
            json!({"type": "Feature", "properties": {"code": "West"}, "geometry": square(0.0, 1000.0)}),
            json!({"type": "Feature", "properties": {"code": "East"}, "geometry": square(1000.0, 2000.0)}),
        ]),
    );
    let homes = [
        (500.0, 110.0),
        (1800.0, 100.0),
        (100.0, 1000.0),
        (1510.0, 600.0),
        (250.0, 130.0),
    ]
    .iter()
    .enumerate()
    .map(|(i, &(x, y))| {
        point(
            json!({"hid": format!("h{i}"), "a": 1, "b": 1, "c": 1}),
            x,
            y,
        )
    })
    .collect();
    write(dir, "homes.geojson", &collection(homes));
    write(
        dir,
        "p.geojson",
        &collection(vec![
            point(json!({"code": "A"}), 500.0, 200.0),
            point(json!({"code": "B"}), 800.0, 100.0),
            point(json!({"code": "q9"}), 1700.0, 100.0),
            point(json!({"code": "q1"}), 1900.0, 100.0),
        ]),
    );
    write(
        dir,
        "walk.geojson",
        &collection(vec![
            line(
                json!({"highway": "residential", "name": "Kerkstraat"}),
                &[
                    (0.0, 100.0),
                    (270.0, 100.0),
                    (1500.0, 100.0),
                    (2000.0, 100.0),
                ],
            ),
            line(
                json!({"highway": "residential", "name": "Dorpsweg"}),
                &[(1500.0, 100.0), (1500.0, 200.0), (1500.0, 900.0)],
            ),
            line(
                json!({"highway": "footway", "name": null}),
                &[(400.0, 200.0), (1500.0, 200.0)],
            ),
            line(
                json!({"highway": "footway"}),
                &[(270.0, 100.0), (270.0, 20.0)],
            ),
        ]),
    );
    write(
        dir,
        "candidates.geojson",
        &collection(vec![
            point(json!({}), 1490.0, 610.0),
            point(json!({}), 260.0, 80.0),
        ]),
    );
    let layers = town_layers(r#"{ "0-5" = "a", "6-11" = "b", "12-17" = "c" }"#);
    let text = format!(
        r#"[study]
name = "ids"
crs = "EPSG:28992"
formats = ["gpkg"]
{layers}id = "code"
[norms]
playground = {{ "0-5" = 100, "6-11" = 100, "12-17" = 100 }}
[sites]
count = 2
candidates = "candidates.geojson"
{}
"#,
        if network {
            "[network]\npath = \"walk.geojson\"\n"
        } else {
            ""
        }
    );
    write_study(dir, &text)
}

fn by_id(rows: &[HashMap<String, String>], id: &str) -> HashMap<String, String> {
    rows.iter().find(|r| r["home_id"] == id).unwrap().clone()
}

#[test]
fn nearest_ids_in_a_straight_line_and_over_the_network_differ_as_worked_out() {
    // Straight lines: h0 is 90 m from A and 300.2 m from B; h1 is 100 m from both q9 and q1
    // (the first in the file wins the tie); h2 is 894.4 m from A, 1140.2 m from B.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    run_quiet(&town(dir.path(), false), &out);
    let homes = read_csv(&out.join("homes.csv"));
    let header: Vec<String> = csv::Reader::from_path(out.join("homes.csv"))
        .unwrap()
        .headers()
        .unwrap()
        .iter()
        .map(String::from)
        .collect();
    let at = |c: &str| header.iter().position(|h| h == c).unwrap();
    assert_eq!(at("playground_nearest_id"), at("playground_net_m") + 1);
    for (home, id, m) in [
        ("h0", "A", 90.0),
        ("h1", "q9", 100.0),
        ("h2", "A", 400f64.hypot(800.0)),
    ] {
        let row = by_id(&homes, home);
        assert_eq!(row["playground_nearest_id"], id, "{home}");
        assert!((num(&row, "playground_m").unwrap() - m).abs() <= 0.05);
    }

    // Over the network: h0 walks 10 m to the Kerkstraat and 300 m along it to B (A, on the
    // upper footway, is 10 + 1000 + 100 + 1000 = 2110 m away, beyond the 2000 m searched); h1
    // is 100 m from q9 and q1 along the street (q9 first); h2 is 854 m from every way, beyond
    // the 200 m attach limit: no network distance, so no id.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    run_quiet(&town(dir.path(), true), &out);
    let homes = read_csv(&out.join("homes.csv"));
    for (home, id, m) in [
        ("h0", "B", Some(310.0)),
        ("h1", "q9", Some(100.0)),
        ("h2", "", None),
    ] {
        let row = by_id(&homes, home);
        assert_eq!(row["playground_nearest_id"], id, "{home}");
        let got = num(&row, "playground_net_m");
        assert_eq!(got.is_some(), m.is_some(), "{home}");
        if let (Some(got), Some(m)) = (got, m) {
            assert!((got - m).abs() <= 0.05, "{home}: {got}");
        }
    }
}

#[test]
fn sites_name_their_neighbourhood_and_street() {
    // c0 (1490, 610) is in East, 10 m from the Dorpsweg and 510 m from the Kerkstraat; it
    // brings h3 (walk 10 + 10 + 10 = 30 m) within 100 m. c1 (260, 80) is in West, 10 m from the
    // unnamed footway and 20 m from the Kerkstraat: its street is the Kerkstraat; it brings h4
    // (30 + 20 + 20 + 10 = 80 m) within 100 m. Both are chosen.
    for network in [true, false] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        run_quiet(&town(dir.path(), network), &out);
        let sites = read_csv(&out.join("sites.csv"));
        assert_eq!(sites.len(), 2, "network {network}");
        let site = |x: f64| {
            sites
                .iter()
                .find(|s| (num(s, "x").unwrap() - (X + x)).abs() < 0.01)
                .unwrap_or_else(|| panic!("no site at {x}: {sites:?}"))
        };
        let (c0, c1) = (site(1490.0), site(260.0));
        assert_eq!(c0["neighbourhood_id"], "East");
        assert_eq!(c1["neighbourhood_id"], "West");
        // Without a network there are no streets to name.
        let (s0, s1) = if network {
            ("Dorpsweg", "Kerkstraat")
        } else {
            ("", "")
        };
        assert_eq!((c0["street"].as_str(), c1["street"].as_str()), (s0, s1));

        // The same in sites.geojson's properties and the GeoPackage's sites layer.
        let geojson: Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("sites.geojson")).unwrap())
                .unwrap();
        let mut streets: Vec<(String, String)> = geojson["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let p = &f["properties"];
                (
                    p["neighbourhood_id"].as_str().unwrap().to_string(),
                    p["street"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        streets.sort();
        assert_eq!(
            streets,
            vec![
                ("East".to_string(), s0.to_string()),
                ("West".to_string(), s1.to_string())
            ]
        );
        let conn = rusqlite::Connection::open(out.join("kindscape.gpkg")).unwrap();
        let mut q = conn
            .prepare("SELECT neighbourhood_id, street FROM sites ORDER BY neighbourhood_id")
            .unwrap();
        let rows: Vec<(String, Option<String>)> = q
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(rows[0].0, "East");
        assert_eq!(rows[0].1.as_deref().unwrap_or(""), s0);
        let mut q = conn
            .prepare("SELECT playground_nearest_id FROM homes WHERE home_id = 'h1'")
            .unwrap();
        let id: String = q.query_row([], |r| r.get(0)).unwrap();
        assert_eq!(id, "q9");
    }
}

/// Helsinki, from the .osm.pbf and from the GeoJSON layers: every home with a `K_net_m` has a
/// `K_nearest_id`, none without; and the sites of a `[sites]` run over the network each get a
/// street name that is the `name` of a way in the network's own file.
#[test]
fn helsinki_every_network_distance_names_its_amenity_and_sites_their_street() {
    let Some(data) = shared_data_dir() else {
        return;
    };
    let edges: Value = serde_json::from_str(
        &std::fs::read_to_string(
            data.join("helsinki-centre/osm_layers/walk_network_edges.geojson"),
        )
        .unwrap(),
    )
    .unwrap();
    let geojson_names: HashSet<String> = edges["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["properties"]["name"].as_str().map(String::from))
        .collect();
    let pbf_names: HashSet<String> = kindscape::layers::osm::read_walk_ways(
        &data.join("helsinki-centre/osm/helsinki_centre_2024-08-15.osm.pbf"),
    )
    .unwrap()
    .ways
    .into_iter()
    .filter_map(|w| w.name)
    .collect();
    assert!(geojson_names.len() > 100 && pbf_names.len() > 100);
    for (study, way_names) in [
        ("helsinki-osm.toml", &pbf_names),
        ("helsinki-network.toml", &geojson_names),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let path = example_study(study, &data, dir.path());
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.push_str("\n[sites]\nkind = \"playground\"\ncount = 5\n");
        std::fs::write(&path, text).unwrap();
        let out = dir.path().join("out");
        run_quiet(&path, &out);
        let homes = read_csv(&out.join("homes.csv"));
        let mut named = 0;
        for row in &homes {
            for kind in ["playground", "library", "community_centre"] {
                let id = &row[&format!("{kind}_nearest_id")];
                let net = num(row, &format!("{kind}_net_m"));
                assert_eq!(
                    net.is_some(),
                    !id.is_empty(),
                    "{study} home {} {kind}: net {net:?}, id {id:?}",
                    row["home_id"]
                );
                named += usize::from(!id.is_empty());
            }
        }
        assert!(named > 3 * 1000, "{study}: {named}");
        let sites = read_csv(&out.join("sites.csv"));
        assert_eq!(sites.len(), 5, "{study}");
        for s in &sites {
            assert!(
                way_names.contains(&s["street"]),
                "{study}: site {} street {:?} is not a way's name",
                s["rank"],
                s["street"]
            );
            assert!(!s["neighbourhood_id"].is_empty(), "{study}: {s:?}");
        }
    }
}
