//! Meeting places over the walk network against a brute force: each place's children per
//! quintile and each home's best mix, from every home's walking distance to that place alone
//! (the nearest-amenity search with one amenity, itself checked against a brute-force graph
//! search in `network_random.rs`).

mod common;

use std::path::Path;
use std::sync::Arc;

use geo::{Coord, Geometry, Point};
use kindscape::equity::analysis::{meeting_places, MEETING_KINDS};
use kindscape::equity::mix;
use kindscape::reach::network::{
    nearest_distances, KindTargets, NetworkBuilder, NetworkConfig, NetworkReach,
};
use kindscape::scene::{Amenity, AmenityGeometry, AmenityKind, Scene, ServedBands};
use kindscape::study::Resolved;
use proptest::prelude::*;

const BANDS: [&str; 3] = ["0-5", "6-11", "12-17"];

fn study() -> Resolved {
    let mut text = String::from(
        "[study]\nname = \"m\"\n[neighbourhoods]\npath = \"n.geojson\"\nid = \"id\"\n\
         children = { \"0-5\" = \"a\", \"6-11\" = \"b\", \"12-17\" = \"c\" }\n\
         [homes]\npath = \"h.geojson\"\n",
    );
    for kind in MEETING_KINDS {
        text += &format!("[[amenities]]\nkind = \"{kind}\"\npath = \"{kind}.geojson\"\n");
    }
    text += "[norms]\nplayground = { \"0-5\" = 90, \"6-11\" = 160, \"12-17\" = 260 }\n\
             library = { all = 220 }\ncommunity_centre = { all = 130 }\n";
    Resolved::parse(&text, Path::new("m.toml")).unwrap()
}

fn place(i: usize, (x, y): (f64, f64)) -> Amenity {
    Amenity {
        geometry: AmenityGeometry::Point(Coord { x, y }),
        area_m2: 0.0,
        capacity: 1.0,
        id: i.to_string(),
        name: format!("place {i}"),
        source: String::new(),
        index: i,
        attributes: Default::default(),
        parts: 1,
    }
}

/// A street grid of 7 x 7 junctions 50 m apart, each street cut into `pieces` pieces.
fn grid(pieces: usize) -> kindscape::reach::network::WalkNetwork {
    let mut b = NetworkBuilder::new();
    let mut node = std::collections::HashMap::new();
    let mut at = |b: &mut NetworkBuilder, x: f64, y: f64| {
        let key = ((x * 1000.0) as i64, (y * 1000.0) as i64);
        *node
            .entry(key)
            .or_insert_with(|| b.add_node(Coord { x, y }, false))
    };
    for line in 0..7 {
        let fixed = line as f64 * 50.0;
        for horizontal in [true, false] {
            let steps = 6 * pieces;
            let nodes: Vec<u32> = (0..=steps)
                .map(|s| {
                    let along = s as f64 * 300.0 / steps as f64;
                    let (x, y) = if horizontal {
                        (along, fixed)
                    } else {
                        (fixed, along)
                    };
                    at(&mut b, x, y)
                })
                .collect();
            b.add_line(&nodes, "residential", false);
        }
    }
    b.build().unwrap()
}

type Case = (Vec<(f64, f64, u32)>, Vec<Vec<(f64, f64)>>, usize);

fn case() -> impl Strategy<Value = Case> {
    (
        prop::collection::vec((-10.0..310.0f64, -10.0..310.0f64, 0u32..4), 5..60),
        prop::collection::vec(
            prop::collection::vec((0.0..300.0f64, 0.0..300.0f64), 0..4),
            3,
        ),
        1usize..4,
    )
}

fn scene(homes: &[(f64, f64, u32)], places: &[Vec<(f64, f64)>]) -> Scene {
    let amenities = MEETING_KINDS
        .iter()
        .zip(places)
        .map(|(kind, at)| AmenityKind {
            kind: kind.to_string(),
            items: at.iter().enumerate().map(|(i, &p)| place(i, p)).collect(),
            served: ServedBands::every(),
        })
        .collect();
    // Children by the home's position, some bands empty.
    let children = homes
        .iter()
        .enumerate()
        .flat_map(|(h, _)| [(h % 3) as f64, ((h * 7) % 4) as f64, 1.5 * (h % 2) as f64])
        .collect();
    let xy: Vec<(f64, f64)> = homes.iter().map(|&(x, y, _)| (x, y)).collect();
    let mut scene = common::one_neighbourhood_scene(
        &BANDS,
        common::rectangle(-100.0, -100.0, 500.0, 500.0),
        &xy,
        children,
        amenities,
    );
    // Four neighbourhoods (the same outline: only the homes' assignment matters here).
    let one = scene.neighbourhoods[0].clone();
    scene.neighbourhoods = Arc::new(vec![one; 4]);
    let mut h = (*scene.homes).clone();
    h.neighbourhood = homes.iter().map(|&(_, _, n)| Some(n)).collect();
    scene.homes = Arc::new(h);
    scene
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn meeting_places_over_the_network_equal_brute_force((homes, places, pieces) in case()) {
        let st = study();
        let scene = scene(&homes, &places);
        let net = grid(pieces);
        let cfg = NetworkConfig { max_distance: 1e9, attach_limit_m: 1e9, ..NetworkConfig::default() };
        let barriers = vec![Vec::new(); st.norms.reach_bands.len()];
        let reach = NetworkReach::new(&net, &scene.homes.coords, &barriers, &cfg).unwrap();
        // Neighbourhood 3 has no quintile: its homes bring no one.
        let quintile = [Some(1), Some(4), Some(5), None];

        // Brute force: per place, every home's walk to it alone.
        let mut want_children = Vec::new();
        let mut want_best = vec![0.0f64; homes.len()];
        for kind in MEETING_KINDS {
            let k = scene.kind(kind).unwrap();
            let norms = &st.norms.kinds[kind].bands;
            for item in &k.items {
                let alone = [KindTargets {
                    kind: kind.into(),
                    geometries: vec![item.geometry.to_geometry()],
                }];
                let d = nearest_distances(&net, &scene.homes.coords, &alone, &barriers, &cfg).unwrap();
                let mut buckets = [0.0; 5];
                let mut brought = vec![false; homes.len()];
                for (h, &(_, _, n)) in homes.iter().enumerate() {
                    let Some(q) = quintile[n as usize] else { continue };
                    for bn in norms {
                        let walk = d.distances[0][bn.reach_band][h];
                        let c = scene.homes.children_of(h)[bn.children_band] * bn.share;
                        if walk <= bn.metres && c > 0.0 {
                            buckets[q as usize - 1] += c;
                            brought[h] = true;
                        }
                    }
                }
                let m = mix(&buckets);
                for (h, b) in brought.iter().enumerate() {
                    if *b {
                        want_best[h] = want_best[h].max(m.entropy);
                    }
                }
                want_children.push(buckets.iter().sum::<f64>());
            }
        }

        let (got, best) = meeting_places(&st.norms, &scene, &quintile, Some(&reach));
        prop_assert_eq!(got.len(), want_children.len());
        for (p, want) in got.iter().zip(&want_children) {
            prop_assert!((p.children - want).abs() <= 1e-9, "{}: {} vs {}", p.name, p.children, want);
        }
        for (h, (g, w)) in best.iter().zip(&want_best).enumerate() {
            prop_assert!((g - w).abs() <= 1e-9, "home {}: {} vs {}", h, g, w);
        }
    }
}

/// A home standing on a point place is at 0 from it; the walk to the nearest way and back is
/// not counted.
#[test]
fn a_home_at_the_place_is_brought_at_zero() {
    let st = study();
    // A library 150 m east of the grid: home 1 stands on it (it would walk 150 m to the grid and
    // 150 m back, beyond the 220 m norm); home 0, in the grid, walks 300 m.
    let mut places = vec![Vec::new(); 3];
    places[0].push((450.0, 150.0));
    let scene = scene(&[(150.0, 150.0, 1), (450.0, 150.0, 0)], &places);
    let net = grid(1);
    let cfg = NetworkConfig {
        max_distance: 1e9,
        attach_limit_m: 1e9,
        ..NetworkConfig::default()
    };
    let barriers = vec![Vec::new(); st.norms.reach_bands.len()];
    let reach = NetworkReach::new(&net, &scene.homes.coords, &barriers, &cfg).unwrap();
    let join = reach.join(&Geometry::Point(Point::new(450.0, 150.0)));
    let mut scratch = reach.scratch();
    let found = reach.homes_within(&join, reach.graph_of_band(0), 220.0, &mut scratch);
    assert_eq!(found, vec![(1, 0.0)]);
    let (found, _) =
        reach.homes_and_nodes_within(&join, reach.graph_of_band(0), &[320.0], &mut scratch);
    assert_eq!(found, vec![(0, 300.0), (1, 0.0)]);
    // Home 1 (children 1, 3 and 1.5; its neighbourhood in quintile 1) is the only one brought.
    let (got, best) = meeting_places(&st.norms, &scene, &[Some(1), Some(4)], Some(&reach));
    assert_eq!(got.len(), 1);
    assert!(got[0].children > 0.0);
    assert_eq!(got[0].mix.shares, [1.0, 0.0, 0.0, 0.0, 0.0]);
    assert_eq!(best, vec![0.0, 0.0]);
}
