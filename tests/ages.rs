//! Which amenity serves which child (`[[amenities]] ages` / `bands`): a toddler playground near a
//! home does not serve its older children, in coverage, gaps and play space, in straight lines and
//! over a network; per-band distances equal a brute-force search over the serving amenities.

mod common;

use std::path::Path;

use common::*;
use geo::{Coord, Distance, Euclidean, MultiPolygon, Point};
use kindscape::reach::network::NetworkBuilder;
use kindscape::reach::served_distances;
use kindscape::scene::{Amenity, AmenityGeometry, AmenityKind, ServedBands};
use kindscape::study::Resolved;
use proptest::prelude::*;

/// RD New coordinates near Amersfoort: the scene sits around (X0, Y0).
const X0: f64 = 155_000.0;
const Y0: f64 = 463_000.0;

fn feature_collection(features: &[String]) -> String {
    format!(
        r#"{{"type":"FeatureCollection","crs":{{"type":"name","properties":{{"name":"urn:ogc:def:crs:EPSG::28992"}}}},"features":[{}]}}"#,
        features.join(",")
    )
}

fn point(x: f64, y: f64, props: &str) -> String {
    format!(
        r#"{{"type":"Feature","properties":{{{props}}},"geometry":{{"type":"Point","coordinates":[{},{}]}}}}"#,
        X0 + x,
        Y0 + y
    )
}

/// The scene, by hand. Homes 10 m north of a footway along y = 0, playgrounds 10 m south of it:
///
/// * home A at x = 0 with 2 / 3 / 4 children of 0-5 / 6-11 / 12-17;
/// * home B at x = 700 with 1 / 1 / 1;
/// * T, a toddler playground (ages 0-5, 100 m2) at x = 50;
/// * P, a playground for every age (1000 m2) at x = 1300.
///
/// Norms 100 / 400 / 1000 m. A's toddlers reach T (54 m straight, 70 m walking: 10 + 50 + 10);
/// A's older children only P (1300 m): both bands uncovered. B's toddlers: P at 600 m, too far;
/// 6-11: P at 600 m > 400; 12-17: P within 1000 m. Coverage 0-5: 2/3, 6-11: 0/4, 12-17: 1/5,
/// all bands 3/12; children outside the norm: 3 + 4 + 1 + 1 = 9. Without the ages, T would
/// serve A's 6-11 and 12-17 too: 0-5 2/3, 6-11 3/4, 12-17 5/5, gap 2.
fn write_scene(dir: &Path, playgrounds: &str) {
    let nb = format!(
        r#"{{"type":"Feature","properties":{{"code":"A"}},"geometry":{{"type":"Polygon","coordinates":[[[{x0},{y0}],[{x1},{y0}],[{x1},{y1}],[{x0},{y1}],[{x0},{y0}]]]}}}}"#,
        x0 = X0 - 500.0,
        y0 = Y0 - 500.0,
        x1 = X0 + 2000.0,
        y1 = Y0 + 500.0
    );
    let files = [
        ("n.geojson", feature_collection(&[nb])),
        (
            "h.geojson",
            feature_collection(&[
                point(0.0, 10.0, r#""id":"A","a":2,"b":3,"c":4"#),
                point(700.0, 10.0, r#""id":"B","a":1,"b":1,"c":1"#),
            ]),
        ),
        ("p.geojson", playgrounds.to_string()),
        (
            "t.geojson",
            feature_collection(&[point(50.0, -10.0, r#""cap":100"#)]),
        ),
        (
            "q.geojson",
            feature_collection(&[point(1300.0, -10.0, r#""cap":1000"#)]),
        ),
        (
            "w.geojson",
            format!(
                r#"{{"type":"FeatureCollection","crs":{{"type":"name","properties":{{"name":"urn:ogc:def:crs:EPSG::28992"}}}},"features":[{{"type":"Feature","properties":{{"highway":"footway"}},"geometry":{{"type":"LineString","coordinates":[[{},{Y0}],[{},{Y0}]]}}}}]}}"#,
                X0 - 200.0,
                X0 + 1600.0
            ),
        ),
    ];
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
}

const HEAD: &str = r#"[study]
name = "ages"
crs = "EPSG:28992"
output = "out"
[neighbourhoods]
path = "n.geojson"
id = "code"
[homes]
path = "h.geojson"
id = "id"
children = { "0-5" = "a", "6-11" = "b", "12-17" = "c" }
[norms]
playground = { "0-5" = 100, "6-11" = 400, "12-17" = 1000 }
[catchment]
kind = "playground"
"#;

const NETWORK: &str = "[network]\npath = \"w.geojson\"\n";

/// The playgrounds as one layer with an `ages` attribute.
fn one_layer(ages_t: &str) -> (String, String) {
    let layer = feature_collection(&[
        point(50.0, -10.0, &format!(r#""cap":100,"doelgroep":"{ages_t}""#)),
        point(1300.0, -10.0, r#""cap":1000,"doelgroep":"""#),
    ]);
    let study = "[[amenities]]\nkind = \"playground\"\npath = \"p.geojson\"\ncapacity = \"cap\"\nages = \"doelgroep\"\n";
    (layer, study.to_string())
}

/// The playgrounds as two layers: the toddlers' with `bands`, the other for every band.
fn two_layers() -> String {
    "[[amenities]]\nkind = \"playground\"\npath = \"t.geojson\"\ncapacity = \"cap\"\nbands = [\"0-5\"]\n\
     [[amenities]]\nkind = \"playground\"\npath = \"q.geojson\"\ncapacity = \"cap\"\n"
        .to_string()
}

struct Figures {
    coverage: [f64; 4],
    net_coverage: Option<[f64; 4]>,
    gap: f64,
    play: [f64; 2],
}

fn run_study(dir: &Path, amenities: &str, network: bool) -> Figures {
    let study = dir.join("s.toml");
    let text = format!("{HEAD}{amenities}{}", if network { NETWORK } else { "" });
    std::fs::write(&study, text).unwrap();
    run_quiet(&study, &dir.join("out"));
    let nb = &read_csv(&dir.join("out/neighbourhoods.csv"))[0];
    let cov = |prefix: &str| -> [f64; 4] {
        ["", "_0-5", "_6-11", "_12-17"]
            .map(|band| num(nb, &format!("playground_{prefix}coverage{band}")).unwrap())
    };
    let homes = read_csv(&dir.join("out/homes.csv"));
    let play = |id: &str| {
        num(
            homes.iter().find(|r| r["home_id"] == id).unwrap(),
            "play_m2_per_child",
        )
        .unwrap()
    };
    Figures {
        coverage: cov(""),
        net_coverage: network.then(|| cov("net_")),
        gap: num(nb, "gap_children").unwrap(),
        play: [play("A"), play("B")],
    }
}

fn assert_close(got: &[f64], want: &[f64], what: &str) {
    for (g, w) in got.iter().zip(want) {
        assert!((g - w).abs() < 1e-3, "{what}: got {got:?}, want {want:?}");
    }
}

/// Coverage by hand (see [`write_scene`]): all bands, 0-5, 6-11, 12-17.
const SERVED: [f64; 4] = [3.0 / 12.0, 2.0 / 3.0, 0.0, 1.0 / 5.0];
const UNRESTRICTED: [f64; 4] = [10.0 / 12.0, 2.0 / 3.0, 3.0 / 4.0, 1.0];

/// Play space per child by hand (step decay 1 / 0.68 / 0.22 over the thirds of the catchment).
/// T serves 0-5 only: its demand is A's 2 toddlers at 53.9 m (second third of 100 m: 0.68),
/// R_T = 100 / 1.36; P's demand is B's teenager at 600.3 m (second third of 1000 m: 0.68),
/// R_P = 1000 / 0.68. A's toddlers get R_T x 0.68 = 50 m2, A's others nothing: (2 x 50) / 9;
/// B's teenager gets R_P x 0.68 = 1000 m2, B's others nothing: 1000 / 3. All 1100 m2 handed out.
const PLAY: [f64; 2] = [100.0 / 9.0, 1000.0 / 3.0];

#[test]
fn a_toddler_playground_does_not_serve_older_children() {
    let dir = tempfile::tempdir().unwrap();
    for ages_t in ["0-5", "0 - 5 jaar", "0-2;3-5"] {
        let (layer, amenities) = one_layer(ages_t);
        write_scene(dir.path(), &layer);
        let f = run_study(dir.path(), &amenities, true);
        assert_close(&f.coverage, &SERVED, ages_t);
        // Over the footway: 70 m to T, 620 m from B to P, 1320 m from A to P: the same verdicts.
        assert_close(&f.net_coverage.unwrap(), &SERVED, ages_t);
        assert_eq!(f.gap, 9.0, "{ages_t}");
        assert_close(&f.play, &PLAY, ages_t);
    }
}

#[test]
fn bands_on_a_layer_serve_as_ages_on_its_features() {
    let dir = tempfile::tempdir().unwrap();
    write_scene(dir.path(), "");
    let f = run_study(dir.path(), &two_layers(), false);
    assert_close(&f.coverage, &SERVED, "bands");
    assert_eq!(f.gap, 9.0);
    assert_close(&f.play, &PLAY, "bands");
}

#[test]
fn without_ages_the_toddler_playground_serves_everyone() {
    let dir = tempfile::tempdir().unwrap();
    // "0-12" serves 0-5 and 6-11 but holds 1 of the 6 years of 12-17.
    let (layer, amenities) = one_layer("0-12");
    write_scene(dir.path(), &layer);
    let f = run_study(dir.path(), &amenities, true);
    let want = [6.0 / 12.0, 2.0 / 3.0, 3.0 / 4.0, 1.0 / 5.0];
    assert_close(&f.coverage, &want, "0-12");
    assert_close(&f.net_coverage.unwrap(), &want, "0-12");
    for ages_t in ["", "0-17"] {
        let (layer, amenities) = one_layer(ages_t);
        write_scene(dir.path(), &layer);
        let f = run_study(dir.path(), &amenities, true);
        assert_close(&f.coverage, &UNRESTRICTED, ages_t);
        assert_close(&f.net_coverage.unwrap(), &UNRESTRICTED, ages_t);
        assert_eq!(f.gap, 2.0, "{ages_t}");
    }
}

// Per-band distances against brute force: straight lines by geo's Euclidean distance to every
// serving amenity, network by one search per serving amenity alone.

fn resolved(network: bool) -> Resolved {
    let text = format!(
        "[study]\nname = \"p\"\n[neighbourhoods]\npath = \"n.geojson\"\nid = \"id\"\n\
         children = {{ \"0-5\" = \"a\", \"6-11\" = \"b\", \"12-17\" = \"c\" }}\n[homes]\npath = \"h.geojson\"\n\
         [[amenities]]\nkind = \"playground\"\npath = \"p.geojson\"\n{}",
        if network {
            "[network]\npath = \"w.geojson\"\nmax_distance = 100000\n"
        } else {
            ""
        }
    );
    Resolved::parse(&text, Path::new("p.toml")).unwrap()
}

fn amenity(geometry: AmenityGeometry) -> Amenity {
    Amenity {
        geometry,
        area_m2: 1.0,
        capacity: 1.0,
        id: String::new(),
        name: String::new(),
        source: String::new(),
        index: 0,
        attributes: Default::default(),
        parts: 1,
    }
}

fn arb_amenity() -> impl Strategy<Value = (Amenity, u64)> {
    let geometry = prop_oneof![
        (0.0..1000.0f64, 0.0..1000.0f64).prop_map(|(x, y)| AmenityGeometry::Point(Coord { x, y })),
        (0.0..1000.0f64, 0.0..1000.0f64, 5.0..150.0f64)
            .prop_map(|(x, y, s)| AmenityGeometry::Polygon(rectangle(x, y, s, s))),
    ];
    (geometry, 0u64..8).prop_map(|(g, mask)| (amenity(g), mask))
}

fn brute_straight(home: Coord, a: &Amenity) -> f64 {
    let p = Point(home);
    match &a.geometry {
        AmenityGeometry::Point(c) => Euclidean.distance(&p, &Point(*c)),
        AmenityGeometry::Polygon(mp) => Euclidean.distance(&p, mp as &MultiPolygon),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn per_band_distances_are_the_nearest_serving_amenity(
        homes in prop::collection::vec((-100.0..1100.0f64, -100.0..1100.0f64), 1..40),
        items in prop::collection::vec(arb_amenity(), 1..12),
    ) {
        let study = resolved(true);
        let (amenities, masks): (Vec<Amenity>, Vec<u64>) = items.into_iter().unzip();
        let served = ServedBands::from_masks(masks.clone(), 3);
        let scene = one_neighbourhood_scene(
            &["0-5", "6-11", "12-17"],
            rectangle(-200.0, -200.0, 1400.0, 1400.0),
            &homes,
            vec![1.0; homes.len() * 3],
            vec![AmenityKind { kind: "playground".into(), items: amenities.clone(), served: served.clone() }],
        );
        // A grid of streets every 100 m over the whole area: every home and amenity joins it.
        let mut b = NetworkBuilder::new();
        let node = |b: &mut NetworkBuilder, i: i32, j: i32| b.add_node(Coord { x: f64::from(i) * 100.0 - 200.0, y: f64::from(j) * 100.0 - 200.0 }, false);
        let ids: Vec<Vec<u32>> = (0..15).map(|i| (0..15).map(|j| node(&mut b, i, j)).collect()).collect();
        for (i, row) in ids.iter().enumerate() {
            b.add_line(row, "footway", false);
            let column: Vec<u32> = ids.iter().map(|r| r[i]).collect();
            b.add_line(&column, "footway", false);
        }
        let net = b.build().unwrap();
        let settings = study.network.as_ref().unwrap();
        let config = kindscape::reach::network::NetworkConfig {
            max_distance: settings.max_distance_m.value,
            attach_limit_m: settings.attach_limit_m.value,
            ..Default::default()
        };
        let reach = kindscape::reach::network::NetworkReach::new(&net, &scene.homes.coords, &settings.barriers, &config).unwrap();
        let got = served_distances(&study.norms, &scene, Some(&reach)).unwrap();
        let got = got[0].as_ref();
        let restricted = masks.iter().any(|&m| m != 7);
        prop_assert_eq!(got.is_some(), restricted);
        let Some(got) = got else { return Ok(()) };
        // One network search per amenity alone, with the same settings.
        let cfg = kindscape::reach::network::NetworkConfig { max_distance: 100000.0, ..Default::default() };
        let each: Vec<Vec<f64>> = amenities.iter().map(|a| {
            let t = kindscape::reach::network::KindTargets::from_amenities("p", std::slice::from_ref(a));
            let r = kindscape::reach::network::nearest_distances(&net, &scene.homes.coords, &[t], &[vec![]], &cfg).unwrap();
            r.distances[0][0].clone()
        }).collect();
        for (band, norm) in study.norms.get("playground").unwrap().bands.iter().enumerate() {
            prop_assert_eq!(norm.label.as_str(), ["0-5", "6-11", "12-17"][band]);
            for (h, &home) in scene.homes.coords.iter().enumerate() {
                let serving = (0..amenities.len()).filter(|&j| masks[j] >> band & 1 == 1);
                let straight = serving.clone().map(|j| brute_straight(home, &amenities[j])).fold(f64::INFINITY, f64::min);
                let s = got.straight[band][h];
                prop_assert!((s - straight).abs() < 1e-6 || s == straight, "band {band} home {h}: {s} vs {straight}");
                let walk = if straight == 0.0 { 0.0 } else {
                    serving.map(|j| each[j][h]).filter(|d| !d.is_nan()).fold(f64::INFINITY, f64::min)
                };
                let n = got.network.as_ref().unwrap()[band][h];
                prop_assert!((n - walk).abs() < 1e-6 || n == walk, "band {band} home {h}: {n} vs {walk}");
            }
        }
    }
}
