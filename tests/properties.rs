//! Properties the measures must keep whatever the data (issue 9): distances are never negative,
//! coverage never falls when the norm grows, and a new amenity never lowers any home's score.

mod common;

use std::path::Path;

use geo::{Coord, MultiPolygon};
use kindscape::measures::home_scores;
use kindscape::neighbourhoods::aggregate;
use kindscape::reach::{straight_distances, Distances};
use kindscape::scene::{Amenity, AmenityGeometry, AmenityKind, Scene, ServedBands};
use kindscape::study::Resolved;
use proptest::prelude::*;

fn study(norm: f64) -> Resolved {
    let text = format!(
        r#"[study]
name = "p"
[neighbourhoods]
path = "n.geojson"
id = "id"
children = {{ "0-5" = "a", "6-11" = "b" }}
[homes]
path = "h.geojson"
[[amenities]]
kind = "playground"
path = "p.geojson"
[[amenities]]
kind = "library"
path = "l.geojson"
[norms]
playground = {{ "0-5" = {norm}, "6-11" = {} }}
library = {{ all = 700 }}
"#,
        norm * 3.0
    );
    Resolved::parse(&text, Path::new("p.toml")).unwrap()
}

fn square(x: f64, y: f64, s: f64) -> MultiPolygon {
    common::rectangle(x, y, s, s)
}

fn amenity(geometry: AmenityGeometry) -> Amenity {
    Amenity {
        geometry,
        area_m2: 100.0,
        capacity: 100.0,
        id: String::new(),
        name: String::new(),
        source: String::new(),
        index: 0,
        attributes: Default::default(),
        parts: 1,
    }
}

fn scene(
    homes: &[(f64, f64, f64, f64)],
    playgrounds: Vec<Amenity>,
    libraries: Vec<Amenity>,
) -> Scene {
    common::one_neighbourhood_scene(
        &["0-5", "6-11"],
        square(-500.0, -500.0, 2000.0),
        &homes.iter().map(|h| (h.0, h.1)).collect::<Vec<_>>(),
        homes.iter().flat_map(|h| [h.2, h.3]).collect(),
        vec![
            AmenityKind {
                kind: "playground".into(),
                items: playgrounds,
                served: ServedBands::every(),
            },
            AmenityKind {
                kind: "library".into(),
                items: libraries,
                served: ServedBands::every(),
            },
        ],
    )
}

fn arb_amenity() -> impl Strategy<Value = Amenity> {
    prop_oneof![
        (0.0..1000.0f64, 0.0..1000.0f64)
            .prop_map(|(x, y)| amenity(AmenityGeometry::Point(Coord { x, y }))),
        (0.0..1000.0f64, 0.0..1000.0f64, 5.0..150.0f64)
            .prop_map(|(x, y, s)| amenity(AmenityGeometry::Polygon(square(x, y, s)))),
    ]
}

fn arb_homes() -> impl Strategy<Value = Vec<(f64, f64, f64, f64)>> {
    prop::collection::vec(
        (
            -100.0..1100.0f64,
            -100.0..1100.0f64,
            0.0..5.0f64,
            0.0..5.0f64,
        ),
        1..80,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn distances_are_never_negative(homes in arb_homes(), play in prop::collection::vec(arb_amenity(), 0..10)) {
        let s = scene(&homes, play, vec![]);
        for kind in straight_distances(&s) {
            for d in kind {
                prop_assert!(d >= 0.0, "{d}");
            }
        }
    }

    #[test]
    fn coverage_never_falls_when_the_norm_grows(
        homes in arb_homes(),
        play in prop::collection::vec(arb_amenity(), 1..10),
        norm in 20.0..400.0f64,
        more in 0.0..300.0f64,
    ) {
        let s = scene(&homes, play, vec![]);
        let d = Distances { straight: straight_distances(&s), network: None, served: Vec::new(), nearest: Vec::new() };
        let coverage = |n: f64| {
            let st = study(n);
            let m = home_scores(&st.score, &st.norms, &s, &d);
            aggregate(&st.norms, &st.focus_kind, &s, &d, &m, None)[0].kinds[0].clone()
        };
        let (a, b) = (coverage(norm), coverage(norm + more));
        let le = |x: Option<f64>, y: Option<f64>| match (x, y) { (Some(x), Some(y)) => x <= y + 1e-12, _ => true };
        prop_assert!(le(a.coverage, b.coverage), "{:?} > {:?}", a.coverage, b.coverage);
        for (x, y) in a.coverage_bands.iter().zip(&b.coverage_bands) {
            prop_assert!(le(*x, *y));
        }
    }

    #[test]
    fn a_new_amenity_never_lowers_a_score(
        homes in arb_homes(),
        play in prop::collection::vec(arb_amenity(), 0..8),
        libraries in prop::collection::vec(arb_amenity(), 0..3),
        extra in arb_amenity(),
        to_library in any::<bool>(),
    ) {
        let st = study(100.0);
        let before = scene(&homes, play.clone(), libraries.clone());
        let (mut play2, mut lib2) = (play, libraries);
        if to_library { lib2.push(extra) } else { play2.push(extra) }
        let after = scene(&homes, play2, lib2);
        let score = |s: &Scene| {
            let d = Distances { straight: straight_distances(s), network: None, served: Vec::new(), nearest: Vec::new() };
            home_scores(&st.score, &st.norms, s, &d).score
        };
        for (h, (a, b)) in score(&before).iter().zip(score(&after)).enumerate() {
            prop_assert!(b >= *a - 1e-9, "home {h}: {a} -> {b}");
        }
    }
}
