//! A walk of exactly the norm counts as covered, as a straight line of exactly the norm does:
//! positions along an edge are fractions of its length, and their float noise
//! (100.00000000000001 m) must not decide coverage.

mod common;

use common::geojson::{collection, line, point, town_layers, write, write_study, X, Y};
use common::*;
use serde_json::json;

/// One street along y = 500 (x 0-900-2000, a node at 900, as in the tester's town) and homes on
/// it; a square playground x 1600-1700 that the street crosses, so that its walks start where
/// the street enters it at x 1600. Home h{i} stands at x 1600 - d_i, d_i metres from the
/// playground both ways.
#[test]
fn a_walk_of_exactly_the_norm_is_covered() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let square = json!({"type": "Polygon", "coordinates": [[[X, Y], [X + 2000.0, Y], [X + 2000.0, Y + 1000.0], [X, Y + 1000.0], [X, Y]]]});
    write(
        d,
        "nb.geojson",
        &collection(vec![
            json!({"type": "Feature", "properties": {"code": "N"}, "geometry": square}),
        ]),
    );
    let gaps = [100.0, 30.0, 70.0, 300.0, 1.0, 99.0];
    let homes = gaps
        .iter()
        .enumerate()
        .map(|(i, g)| {
            point(
                json!({"hid": format!("h{i}"), "kids": 1}),
                1600.0 - g,
                500.0,
            )
        })
        .collect();
    write(d, "homes.geojson", &collection(homes));
    let play = json!({"type": "Feature", "properties": {"code": "P"}, "geometry": {"type": "Polygon", "coordinates": [[[X + 1600.0, Y + 400.0], [X + 1700.0, Y + 400.0], [X + 1700.0, Y + 600.0], [X + 1600.0, Y + 600.0], [X + 1600.0, Y + 400.0]]]}});
    write(d, "p.geojson", &collection(vec![play]));
    write(
        d,
        "walk.geojson",
        &collection(vec![line(
            json!({"highway": "residential"}),
            &[(0.0, 500.0), (900.0, 500.0), (2000.0, 500.0)],
        )]),
    );
    let layers = town_layers("\"kids\"");
    let study = write_study(
        d,
        &format!("[study]\nname = \"at norm\"\ncrs = \"EPSG:28992\"\n{layers}id = \"code\"\n[norms]\nplayground = {{ all = 100 }}\n[network]\npath = \"walk.geojson\"\n"),
    );
    let out = d.join("out");
    run_quiet(&study, &out);
    let homes = read_csv(&out.join("homes.csv"));
    for (row, g) in homes.iter().zip(gaps) {
        assert_eq!(num(row, "playground_m"), Some(g), "{row:?}");
        assert_eq!(num(row, "playground_net_m"), Some(g), "{row:?}");
    }
    // Five of the six homes are within 100 m, both ways (h0 exactly at it).
    let nbh = read_csv(&out.join("neighbourhoods.csv"));
    let share = 5.0 / 6.0;
    for col in ["playground_coverage", "playground_net_coverage"] {
        let v = num(&nbh[0], col).unwrap();
        assert!((v - share).abs() < 1e-6, "{col} = {v}, not {share}");
    }
}
