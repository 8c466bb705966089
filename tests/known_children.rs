//! Homes with known children counts inside neighbourhoods with their own counts
//! (docs/STUDY.md, `[homes] children`): only homes with a missing count get an estimate, so known
//! counts that sum to more than their neighbourhood's are kept, and the run names the
//! neighbourhood in a warning, also where a home's count is suppressed. Figures checked against
//! a hand computation.

mod common;

use common::geojson::{collection, point, write_study, X, Y};
use common::*;
use serde_json::{json, Value};

#[test]
fn known_children_above_the_neighbourhood_count_are_kept_with_a_warning() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let w = |name: &str, v: Value| std::fs::write(dir.join(name), v.to_string()).unwrap();
    let square = |x0: f64| json!({"type": "Polygon", "coordinates": [[[X + x0, Y], [X + x0 + 1000.0, Y], [X + x0 + 1000.0, Y + 1000.0], [X + x0, Y + 1000.0], [X + x0, Y]]]});
    // West counts 60 children, its homes 10 known + one suppressed: the suppressed home gets
    // the 50 not accounted for. Oost counts 18, its homes know 30 and 15 (45) and one is
    // suppressed: they keep 30 and 15, the suppressed one gets 0, and Oost holds 45.
    w(
        "nb.geojson",
        collection(vec![
            json!({"type": "Feature", "properties": {"code": "W", "all": 60}, "geometry": square(0.0)}),
            json!({"type": "Feature", "properties": {"code": "O", "all": 18}, "geometry": square(1000.0)}),
        ]),
    );
    w(
        "homes.geojson",
        collection(vec![
            point(json!({"hid": "W1", "kids": 10}), 100.0, 500.0),
            point(json!({"hid": "W2", "kids": -99997}), 200.0, 500.0),
            point(json!({"hid": "O1", "kids": 30}), 1100.0, 500.0),
            point(json!({"hid": "O2", "kids": 15}), 1200.0, 500.0),
            point(json!({"hid": "O3", "kids": -99997}), 1300.0, 500.0),
        ]),
    );
    w(
        "p.geojson",
        collection(vec![point(json!({}), 500.0, 500.0)]),
    );
    let study = write_study(
        dir,
        r#"[study]
name = "known children"
crs = "EPSG:28992"
[neighbourhoods]
path = "nb.geojson"
id = "code"
children = "all"
[homes]
path = "homes.geojson"
id = "hid"
children = "kids"
[[amenities]]
kind = "playground"
path = "p.geojson"
"#,
    );
    let stderr = run_quiet(&study, &dir.join("out"));
    assert!(
        stderr.contains("the homes' known children exceed their neighbourhood's own count: \"O\" (45 on its homes, 18 in the neighbourhood layer)"),
        "{stderr}"
    );
    assert!(!stderr.contains("\"W\" ("), "{stderr}");
    let homes = read_csv(&dir.join("out/homes.csv"));
    let kids = |id: &str| {
        num(
            homes.iter().find(|r| r["home_id"] == id).unwrap(),
            "children",
        )
        .unwrap()
    };
    for (id, want) in [
        ("W1", 10.0),
        ("W2", 50.0),
        ("O1", 30.0),
        ("O2", 15.0),
        ("O3", 0.0),
    ] {
        assert!((kids(id) - want).abs() < 1e-9, "{id}: {}", kids(id));
    }
    let nbs = read_csv(&dir.join("out/neighbourhoods.csv"));
    let nb = |id: &str| num(nbs.iter().find(|r| r["id"] == id).unwrap(), "children").unwrap();
    assert!((nb("W") - 60.0).abs() < 1e-9 && (nb("O") - 45.0).abs() < 1e-9);
}
