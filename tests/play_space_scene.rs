//! The scene's play space per child (`play_m2_per_child`: range queries, one pass per step,
//! streamed per chunk of homes) against an independent computation: every (home, playground)
//! distance by brute force with `geo::Euclidean` (0 inside a polygon), fed as explicit pairs
//! to the reference `e2sfca::e2sfca`; plus a scene checked by hand and the conservation of the
//! supply handed out. The children within each norm that step 1 counts for the catchments are
//! checked against the same brute-force distances.

mod common;

use std::path::Path;

use geo::{Coord, Distance, Euclidean, MultiPolygon, Point, Polygon};
use kindscape::measures::catchments::{catchments, catchments_counted, Catchments};
use kindscape::measures::e2sfca::{self, Band, Decay, Reach};
use kindscape::measures::play_space::{play_m2_per_child, play_space};
use kindscape::scene::{Amenity, AmenityGeometry, AmenityKind, Scene, ServedBands};
use kindscape::study::Resolved;
use proptest::prelude::*;

const BANDS: [&str; 3] = ["0-5", "6-11", "12-17"];
/// The Dutch playground norms per band (metres), set explicitly in the study below.
const NORMS: [f64; 3] = [100.0, 400.0, 1000.0];

fn study(decay: Decay) -> Resolved {
    let decay = match decay {
        Decay::Step => "step",
        Decay::Gaussian => "gaussian",
    };
    let text = format!(
        r#"[study]
name = "play space"
[neighbourhoods]
path = "n.geojson"
id = "id"
children = {{ "0-5" = "a", "6-11" = "b", "12-17" = "c" }}
[homes]
path = "h.geojson"
[[amenities]]
kind = "playground"
path = "p.geojson"
capacity = "area"
[norms]
playground = {{ "0-5" = {}, "6-11" = {}, "12-17" = {} }}
[catchment]
kind = "playground"
decay = "{decay}"
"#,
        NORMS[0], NORMS[1], NORMS[2]
    );
    Resolved::parse(&text, Path::new("play.toml")).unwrap()
}

/// A home: position and children per band.
type Home = (f64, f64, [f64; 3]);

fn scene(homes: &[Home], playgrounds: &[Amenity]) -> Scene {
    scene_serving(homes, playgrounds, &vec![EVERY_BAND; playgrounds.len()])
}

/// Every band of [`BANDS`] in a mask of the bands a playground serves.
const EVERY_BAND: u64 = 0b111;

/// The scene with, per playground, the mask of the bands it serves (bit b: `BANDS[b]`).
fn scene_serving(homes: &[Home], playgrounds: &[Amenity], masks: &[u64]) -> Scene {
    common::one_neighbourhood_scene(
        &BANDS,
        common::rectangle(-5000.0, -5000.0, 10000.0, 10000.0),
        &homes.iter().map(|h| (h.0, h.1)).collect::<Vec<_>>(),
        homes.iter().flat_map(|h| h.2).collect(),
        vec![AmenityKind {
            kind: "playground".into(),
            items: playgrounds.to_vec(),
            served: ServedBands::from_masks(masks.to_vec(), BANDS.len()),
        }],
    )
}

fn playground(geometry: AmenityGeometry, capacity: f64) -> Amenity {
    Amenity {
        geometry,
        area_m2: capacity,
        capacity,
        id: String::new(),
        name: String::new(),
        source: String::new(),
        index: 0,
        attributes: Default::default(),
        parts: 1,
    }
}

fn point(x: f64, y: f64, capacity: f64) -> Amenity {
    playground(AmenityGeometry::Point(Coord { x, y }), capacity)
}

fn polygon(mp: MultiPolygon, capacity: f64) -> Amenity {
    playground(AmenityGeometry::Polygon(mp), capacity)
}

/// Straight-line distance by brute force with geo, independent of the crate's index.
fn distance(home: &Home, a: &Amenity) -> f64 {
    let p = Point::new(home.0, home.1);
    match &a.geometry {
        AmenityGeometry::Point(c) => Euclidean.distance(&p, &Point(*c)),
        AmenityGeometry::Polygon(mp) => Euclidean.distance(mp, &p),
    }
}

/// What the scene should give: every pair's distance by brute force, all pairs handed to the
/// reference E2SFCA (pairs beyond a band's catchment weigh 0 there), combined over the bands
/// weighted by children; a home without children gets its bands' mean.
/// Also the supply of the playgrounds some child reaches with a weight above 0.
/// With `masks`, a band's pairs are those of the playgrounds serving it.
fn expected(
    homes: &[Home],
    playgrounds: &[Amenity],
    masks: &[u64],
    decay: Decay,
) -> (Vec<f64>, f64) {
    let distances: Vec<Vec<f64>> = homes
        .iter()
        .map(|h| playgrounds.iter().map(|a| distance(h, a)).collect())
        .collect();
    let reach: Vec<Reach> = distances
        .iter()
        .enumerate()
        .flat_map(|(home, row)| {
            row.iter()
                .enumerate()
                .map(move |(facility, &distance)| Reach {
                    home,
                    facility,
                    distance,
                })
        })
        .collect();
    let children: Vec<Vec<f64>> = (0..3)
        .map(|b| homes.iter().map(|h| h.2[b]).collect())
        .collect();
    let serves = |j: usize, b: usize| masks[j] >> b & 1 == 1;
    let band_reach: Vec<Vec<Reach>> = (0..3)
        .map(|b| {
            reach
                .iter()
                .filter(|r| serves(r.facility, b))
                .copied()
                .collect()
        })
        .collect();
    let bands: Vec<Band> = (0..3)
        .map(|b| Band {
            name: BANDS[b],
            children: &children[b],
            catchment_m: NORMS[b],
            reach: &band_reach[b],
        })
        .collect();
    let supply: Vec<f64> = playgrounds.iter().map(|a| a.capacity).collect();
    let space = e2sfca::e2sfca(&supply, &bands, decay).unwrap();
    let per_home = space
        .per_child_all_bands(&bands)
        .iter()
        .enumerate()
        .map(|(i, all)| {
            all.unwrap_or_else(|| (0..3).map(|b| space.per_child[b][i]).sum::<f64>() / 3.0)
        })
        .collect();
    // A child at distance d weighs more than 0 when d < d0 (both decays), or d = d0 (step).
    let weighs = |d: f64, d0: f64| d < d0 || (d == d0 && decay == Decay::Step);
    let reached: f64 = supply
        .iter()
        .enumerate()
        .filter(|&(j, _)| {
            homes.iter().enumerate().any(|(i, h)| {
                (0..3).any(|b| h.2[b] > 0.0 && serves(j, b) && weighs(distances[i][j], NORMS[b]))
            })
        })
        .map(|(_, s)| s)
        .sum();
    (per_home, reached)
}

fn close(actual: f64, expected: f64, relative: f64) -> bool {
    (actual - expected).abs() <= relative * expected.abs() + 1e-12
}

fn scene_play_space(decay: Decay, s: &Scene) -> kindscape::Result<Option<Vec<f64>>> {
    let st = study(decay);
    play_m2_per_child(&st.catchment, &st.norms, s, None)
}

/// Checks the scene against the brute force for one decay, and the conservation of supply:
/// the homes' children times their play space per child add up to the supply reached.
fn check(homes: &[Home], playgrounds: &[Amenity], decay: Decay) -> Result<(), TestCaseError> {
    check_serving(
        homes,
        playgrounds,
        &vec![EVERY_BAND; playgrounds.len()],
        decay,
    )
}

/// [`check`] with, per playground, the mask of the bands it serves.
fn check_serving(
    homes: &[Home],
    playgrounds: &[Amenity],
    masks: &[u64],
    decay: Decay,
) -> Result<(), TestCaseError> {
    let s = scene_serving(homes, playgrounds, masks);
    let got = scene_play_space(decay, &s).unwrap().unwrap();
    let (want, reached) = expected(homes, playgrounds, masks, decay);
    prop_assert_eq!(got.len(), homes.len());
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        prop_assert!(
            close(*g, *w, 1e-9),
            "{:?}: home {} at {:?}: scene {} brute force {}",
            decay,
            i,
            homes[i],
            g,
            w
        );
    }
    check_children_within(&s, homes, playgrounds, masks, decay, &got)?;
    let handed_out: f64 = homes
        .iter()
        .zip(&got)
        .map(|(h, g)| h.2.iter().sum::<f64>() * g)
        .sum();
    prop_assert!(
        close(handed_out, reached, 1e-9),
        "{:?}: handed out {} of {} reached",
        decay,
        handed_out,
        reached
    );
    Ok(())
}

/// The children within each band's norm that step 1 counts on its way: the brute-force
/// distances' sums per serving playground, and bit for bit what the catchments count in a pass
/// of their own (the run hands step 1's counts to them).
fn check_children_within(
    s: &Scene,
    homes: &[Home],
    playgrounds: &[Amenity],
    masks: &[u64],
    decay: Decay,
    per_home: &[f64],
) -> Result<(), TestCaseError> {
    let st = study(decay);
    let play = play_space(&st.catchment, &st.norms, s, None, false)
        .unwrap()
        .unwrap();
    prop_assert_eq!(&play.per_home, per_home);
    let counted = play.children_within.unwrap();
    prop_assert_eq!(counted.kind.as_str(), "playground");
    for (b, norm) in NORMS.iter().enumerate() {
        for (j, a) in playgrounds.iter().enumerate() {
            if masks[j] >> b & 1 == 0 {
                continue;
            }
            let want: f64 = homes
                .iter()
                .filter(|h| distance(h, a) <= *norm)
                .map(|h| h.2[b])
                .sum();
            let got = counted.per_band[b][j];
            prop_assert!(
                close(got, want, 1e-9),
                "band {}, playground {}: counted {} brute force {}",
                b,
                j,
                got,
                want
            );
        }
    }
    let figures = |c: Catchments| -> Vec<(usize, usize, u64)> {
        c.items
            .iter()
            .map(|i| (i.amenity, i.band, i.children_within.to_bits()))
            .collect()
    };
    let own = catchments(&st.norms, "playground", s, None).unwrap();
    let handed =
        catchments_counted(&st.norms, "playground", s, None, Some(&counted), None).unwrap();
    prop_assert_eq!(figures(own), figures(handed));
    Ok(())
}

/// Homes and playgrounds placed by hand, far (over 1000 m) from the random ones below:
/// a home exactly on the edge of two bands' catchments, a home without children and a
/// playground nobody reaches.
fn fixed() -> (Vec<Home>, Vec<Amenity>) {
    let homes = vec![
        // 100 m from the point (the 0-5 norm) and 400 m from the square's corner (the 6-11 norm).
        (2000.0, 2100.0, [2.0, 3.0, 0.0]),
        // No children.
        (2010.0, 2030.0, [0.0, 0.0, 0.0]),
    ];
    let playgrounds = vec![
        point(2000.0, 2000.0, 150.0),
        polygon(common::rectangle(2000.0, 2500.0, 40.0, 40.0), 1600.0),
        // Nobody within 1000 m.
        point(50_000.0, 50_000.0, 999.0),
    ];
    (homes, playgrounds)
}

#[test]
fn edge_home_and_childless_home_by_hand() {
    let (homes, playgrounds) = fixed();
    // The edge distances are exact in both computations.
    assert_eq!(distance(&homes[0], &playgrounds[0]), 100.0);
    assert_eq!(distance(&homes[0], &playgrounds[1]), 400.0);

    // Step decay. The edge home's children weigh 0.22 at the point (0-5: 100 m of 100 m) and
    // at the square (6-11: 400 m of 400 m), 1.00 at the point for 6-11 (100 of 400 m).
    // W_point = 2 * 0.22 + 3 * 1 = 3.44, W_square = 3 * 0.22 = 0.66; R_point = 150 / 3.44,
    // R_square = 1600 / 0.66. The edge home has every child in reach of both, so it gets all
    // the supply: (150 + 1600) / 5 children = 350 m2 per child.
    // The childless home: the point at sqrt(10^2 + 30^2) = 31.6 m (first third of every band),
    // the square at 470 m (beyond 400 m; second third of 1000 m): the mean over its bands of
    // (R_point, R_point, R_point + 0.68 R_square) = R_point + 0.68 R_square / 3 = 593.0996.
    let s = scene(&homes, &playgrounds);
    let step = scene_play_space(Decay::Step, &s).unwrap().unwrap();
    assert!(close(step[0], 350.0, 1e-12), "{}", step[0]);
    let childless = 150.0 / 3.44 + 0.68 * 1600.0 / 0.66 / 3.0;
    assert!(
        close(step[1], childless, 1e-12),
        "{} vs {childless}",
        step[1]
    );
    assert!((childless - 593.0996).abs() < 1e-4);

    // Gaussian decay weighs 0 on the edge: the square is reached by nobody, and the point only
    // by the 6-11 children, who get all of it: A_6-11 = 150 / 3 = 50, A_0-5 = 0, so the home
    // has (2 * 0 + 3 * 50) / 5 = 30 m2 per child.
    let gaussian = scene_play_space(Decay::Gaussian, &s).unwrap().unwrap();
    assert!(close(gaussian[0], 30.0, 1e-12), "{}", gaussian[0]);

    check(&homes, &playgrounds, Decay::Step).unwrap();
    check(&homes, &playgrounds, Decay::Gaussian).unwrap();
}

fn children() -> impl Strategy<Value = f64> {
    prop_oneof![Just(0.0), 0.0..6.0f64]
}

fn arb_home() -> impl Strategy<Value = Home> {
    (
        -200.0..1200.0f64,
        -200.0..1200.0f64,
        [children(), children(), children()],
    )
}

fn arb_playground() -> impl Strategy<Value = Amenity> {
    prop_oneof![
        (0.0..1000.0f64, 0.0..1000.0f64, 10.0..2000.0f64).prop_map(|(x, y, c)| point(x, y, c)),
        (
            0.0..1000.0f64,
            0.0..1000.0f64,
            5.0..150.0f64,
            5.0..150.0f64,
            10.0..2000.0f64
        )
            .prop_map(|(x, y, w, h, c)| polygon(common::rectangle(x, y, w, h), c)),
        // Triangles, for slanted edges.
        (
            0.0..1000.0f64,
            0.0..1000.0f64,
            5.0..150.0f64,
            5.0..150.0f64,
            10.0..2000.0f64
        )
            .prop_map(|(x, y, a, b, c)| {
                let ring = vec![(x, y), (x + a, y + b / 3.0), (x + a / 2.0, y + b), (x, y)];
                polygon(MultiPolygon(vec![Polygon::new(ring.into(), vec![])]), c)
            }),
    ]
}

/// A square park with a pond: homes in the pond are outside it.
fn park_with_pond() -> Amenity {
    let ring = |x: f64, s: f64| vec![(x, x), (x + s, x), (x + s, x + s), (x, x + s), (x, x)];
    polygon(
        MultiPolygon(vec![Polygon::new(
            ring(300.0, 200.0).into(),
            vec![ring(350.0, 100.0).into()],
        )]),
        5000.0,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn scene_equals_brute_force_reference(
        random_homes in prop::collection::vec(arb_home(), 1..80),
        random_playgrounds in prop::collection::vec(arb_playground(), 0..15),
        gaussian in any::<bool>(),
    ) {
        let (mut homes, mut playgrounds) = fixed();
        homes.extend(random_homes);
        playgrounds.extend(random_playgrounds);
        playgrounds.push(park_with_pond());
        let decay = if gaussian { Decay::Gaussian } else { Decay::Step };
        check(&homes, &playgrounds, decay)?;
    }

    /// Playgrounds that serve only some bands (a mask per playground): the scene leaves them out
    /// of the other bands' pairs in both steps, as the reference does when handed only the
    /// serving playgrounds' pairs per band.
    #[test]
    fn playgrounds_for_some_bands_equal_the_reference_on_their_pairs(
        homes in prop::collection::vec(arb_home(), 1..80),
        playgrounds in prop::collection::vec((arb_playground(), 0u64..8), 1..15),
        gaussian in any::<bool>(),
    ) {
        let (playgrounds, masks): (Vec<Amenity>, Vec<u64>) = playgrounds.into_iter().unzip();
        let decay = if gaussian { Decay::Gaussian } else { Decay::Step };
        check_serving(&homes, &playgrounds, &masks, decay)?;
    }
}

/// Walking is not flying: a home 70 m from a playground across water (two paths joined only
/// 250 m away) walks 10 + 250 + 50 + 250 + 10 = 570 m to it. Over the network its toddlers (100 m) are out of the
/// catchment and its teenagers are in the second third of theirs; a neighbour on the
/// playground's own path walks 30 m. Hand computation, step decay:
/// straight: weighted children = 2 x 0.22 + 1 x 1.0 (0-5) + 3 x 1.0 (12-17) = 4.44, so
/// R = 100 / 4.44 and the first home gets (2 x 0.22 R + 3 R) / 5 = 0.688 R, the second R;
/// network: weighted = 1 x 1.0 (0-5, neighbour only) + 3 x 0.68 (12-17) = 3.04, R = 100 / 3.04,
/// the first home gets 3 x 0.68 R / 5 = 0.408 R, the second R.
#[test]
fn walking_catchment_differs_from_the_straight_line() {
    use kindscape::reach::network::{NetworkBuilder, NetworkConfig, NetworkReach};
    let homes: [Home; 2] = [(-10.0, 0.0, [2.0, 0.0, 3.0]), (60.0, 10.0, [1.0, 0.0, 0.0])];
    let s = scene(&homes, &[point(60.0, 0.0, 100.0)]);
    let mut b = NetworkBuilder::new();
    let corners = [(0.0, 0.0), (0.0, 250.0), (50.0, 250.0), (50.0, 0.0)];
    let nodes: Vec<u32> = corners
        .iter()
        .map(|&(x, y)| b.add_node(Coord { x, y }, false))
        .collect();
    b.add_line(&nodes, "footway", false);
    let net = b.build().unwrap();
    let st = study(Decay::Step);
    let reach = NetworkReach::new(
        &net,
        &s.homes.coords,
        &[vec![], vec![], vec![]],
        &NetworkConfig::default(),
    )
    .unwrap();
    let walked = play_m2_per_child(&st.catchment, &st.norms, &s, Some(&reach))
        .unwrap()
        .unwrap();
    let straight = scene_play_space(Decay::Step, &s).unwrap().unwrap();
    let (r_straight, r_walked) = (100.0 / 4.44, 100.0 / 3.04);
    assert!(
        close(straight[0], 0.688 * r_straight, 1e-12),
        "{straight:?}"
    );
    assert!(close(straight[1], r_straight, 1e-12), "{straight:?}");
    assert!(close(walked[0], 0.408 * r_walked, 1e-12), "{walked:?}");
    assert!(close(walked[1], r_walked, 1e-12), "{walked:?}");
}
