//! Generated site candidates on public ground: at walk network nodes (one per grid cell) with a
//! network, out of water, buildings and private land. Checked on a hand-made scene whose answers
//! are worked out by hand, by brute force over every choice of network candidates with walking
//! distances measured round the ring independently of the library, and on Helsinki's OSM study
//! against the extract's polygons read with the amenity reader and geo's `Contains`.

mod common;

use std::path::Path;

use common::Rng;

use geo::{Contains, Coord, Geometry, MultiPolygon, Point};
use kindscape::error::Warnings;
use kindscape::layers::osm;
use kindscape::reach::network::{NetworkBuilder, WalkNetwork};
use kindscape::reach::{self, Distances};
use kindscape::run::{compute, load, Unobserved};
use kindscape::scene::{AmenityKind, OffLimits, Scene, ServedBands};
use kindscape::sites::plan::{plan, SitePlan};
use kindscape::study::{Generate, Resolved};

const BANDS: [&str; 3] = ["0-5", "6-11", "12-17"];

fn study(norms: &str, extra: &str) -> Resolved {
    Resolved::parse(
        &format!(
            "[study]\nname = \"g\"\n[neighbourhoods]\npath = \"n.geojson\"\nid = \"id\"\n\
             children = {{ \"0-5\" = \"a\", \"6-11\" = \"b\", \"12-17\" = \"c\" }}\n\
             [homes]\npath = \"h.geojson\"\n[[amenities]]\nkind = \"playground\"\npath = \"p.geojson\"\n\
             [norms]\nplayground = {{ {norms} }}\n{extra}"
        ),
        Path::new("g.toml"),
    )
    .unwrap()
}

const NORMS: &str = "\"0-5\" = 100, \"6-11\" = 400, \"12-17\" = 1000";

/// One neighbourhood (0, 0) - (1000, 1000), no playground yet.
fn scene(homes: &[(f64, f64)], children: Vec<f64>) -> Scene {
    common::one_neighbourhood_scene(
        &BANDS,
        common::rectangle(0.0, 0.0, 1000.0, 1000.0),
        homes,
        children,
        vec![AmenityKind {
            kind: "playground".into(),
            items: Vec::new(),
            served: ServedBands::every(),
        }],
    )
}

/// A square footpath round the lake, corners (455, 455) and (545, 545), a node every `step`
/// metres (a divisor of its 90 m sides), drawn anticlockwise from (455, 455).
fn ring(step: f64) -> WalkNetwork {
    let mut b = NetworkBuilder::new();
    let per_side = (90.0 / step).round() as usize;
    let mut nodes = Vec::new();
    for k in 0..4 * per_side {
        let c = ring_point(k as f64 * step);
        nodes.push(b.add_node(c, false));
    }
    nodes.push(nodes[0]);
    b.add_line(&nodes, "footway", false);
    b.build().unwrap()
}

/// The point `s` metres along the ring from (455, 455), anticlockwise.
fn ring_point(s: f64) -> Coord {
    let s = s.rem_euclid(360.0);
    let (side, t) = ((s / 90.0).floor(), s % 90.0);
    match side as u8 {
        0 => Coord {
            x: 455.0 + t,
            y: 455.0,
        },
        1 => Coord {
            x: 545.0,
            y: 455.0 + t,
        },
        2 => Coord {
            x: 545.0 - t,
            y: 545.0,
        },
        _ => Coord {
            x: 455.0,
            y: 545.0 - t,
        },
    }
}

/// Where a point is on the ring (metres from (455, 455), anticlockwise) and how far from it:
/// the nearest point of the four sides.
fn on_ring(c: Coord) -> (f64, f64) {
    let clamp = |v: f64| v.clamp(455.0, 545.0);
    let sides = [
        (
            clamp(c.x) - 455.0,
            Coord {
                x: clamp(c.x),
                y: 455.0,
            },
        ),
        (
            90.0 + clamp(c.y) - 455.0,
            Coord {
                x: 545.0,
                y: clamp(c.y),
            },
        ),
        (
            180.0 + 545.0 - clamp(c.x),
            Coord {
                x: clamp(c.x),
                y: 545.0,
            },
        ),
        (
            270.0 + 545.0 - clamp(c.y),
            Coord {
                x: 455.0,
                y: clamp(c.y),
            },
        ),
    ];
    sides
        .iter()
        .map(|&(s, p)| (s, (c.x - p.x).hypot(c.y - p.y)))
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap()
}

/// Walking distance from a point on the ring to a home: round the ring the shorter way, then
/// straight to the home.
fn walk(from: Coord, home: Coord) -> f64 {
    let (a, _) = on_ring(from);
    let (b, attach) = on_ring(home);
    let along = (a - b).abs();
    along.min(360.0 - along) + attach
}

fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> MultiPolygon {
    common::rectangle(x0, y0, x1 - x0, y1 - y0)
}

/// The lake (460..540 square), a building on the ring's south-east corner and private land on
/// its south-west corner.
fn ground() -> OffLimits {
    OffLimits {
        mapped_by: Some("hand.osm.pbf".into()),
        water: vec![rect(460.0, 460.0, 540.0, 540.0)],
        buildings: vec![rect(540.0, 440.0, 560.0, 470.0)],
        private: vec![rect(440.0, 440.0, 470.0, 470.0)],
    }
}

/// Sites chosen in a straight line (grid candidates).
fn on_grid(st: &Resolved, s: &Scene) -> SitePlan {
    plan(
        st.sites.as_ref(),
        s,
        &common::straight_distances(st, s),
        None,
        None,
        None,
        &Warnings::new(),
    )
    .unwrap()
    .unwrap()
}

/// Sites chosen over the network (node candidates unless the study says grid).
fn walked(st: &Resolved, s: &Scene, net: &WalkNetwork) -> SitePlan {
    let straight = reach::straight_distances(s);
    let result = reach::network_distances(st.network.as_ref(), s, Some(net), &straight)
        .unwrap()
        .unwrap();
    let walk = result.reach;
    let served = reach::served_distances(&st.norms, s, Some(&walk)).unwrap();
    let distances = Distances {
        straight,
        network: Some(result.distances),
        served,
        nearest: Vec::new(),
    };
    plan(
        st.sites.as_ref(),
        s,
        &distances,
        None,
        None,
        Some(&walk),
        &Warnings::new(),
    )
    .unwrap()
    .unwrap()
}

fn at(p: &SitePlan) -> (f64, f64, f64) {
    let s = &p.sites[0];
    (s.x, s.y, s.new_children)
}

/// Toddlers (0-5, 100 m) round a lake (460..540): N (500, 560) 1 child, W (440, 500) 2, E
/// (560, 500) 4, S (500, 440) 8. The grid (50 m from (0, 0)) has one point within 100 m of all
/// four, the lake's centre (60 m from each). Off the lake, (500, 450) reaches W, E, S (78, 78,
/// 10 m; N is 110 m): 14, more than (550, 500) with N, E, S (13); (550, 450) would reach E and S
/// (12) but stands in the building. On the ring path, every home joins its nearest side 15 m
/// away: the south-east corner (545, 455) walks 45 + 15 m to E and to S (12), but is in the
/// building; the south-west corner reaches W and S (10) but is private land; of the public
/// nodes the south side's middle (500, 455) reaches S (15 m; W is 45 + 45 + 15 = 105 m): 8,
/// more than the north-east corner's N + E (5).
fn lake_scene() -> Scene {
    scene(
        &[
            (500.0, 560.0),
            (440.0, 500.0),
            (560.0, 500.0),
            (500.0, 440.0),
        ],
        vec![1.0, 0.0, 0.0, 2.0, 0.0, 0.0, 4.0, 0.0, 0.0, 8.0, 0.0, 0.0],
    )
}

#[test]
fn the_grids_best_point_is_in_the_lake_and_the_site_goes_to_public_ground() {
    let one = study(NORMS, "[sites]\ncount = 1\n");
    let mut s = lake_scene();
    let blind = on_grid(&one, &s);
    assert_eq!(at(&blind), (500.0, 500.0, 15.0));
    let g = blind.generated.as_ref().unwrap();
    assert_eq!(
        (g.at, g.spacing_m, g.ground_from.is_none()),
        (Generate::Grid, 50.0, true)
    );

    s.off_limits = ground();
    let seeing = on_grid(&one, &s);
    assert_eq!(at(&seeing), (500.0, 450.0, 14.0));
    let g = seeing.generated.as_ref().unwrap();
    assert_eq!(
        (
            g.dropped_in_water,
            g.dropped_in_buildings,
            g.dropped_on_private_land
        ),
        (1, 1, 1),
        "the lake's centre, (550, 450) and (450, 450)"
    );

    let net = ring(45.0);
    let networked = study(
        NORMS,
        "[network]\npath = \"w.geojson\"\n[sites]\ncount = 1\n",
    );
    s.off_limits = OffLimits::default();
    let on_nodes = walked(&networked, &s, &net);
    assert_eq!(at(&on_nodes), (545.0, 455.0, 12.0));
    assert_eq!(on_nodes.generated.as_ref().unwrap().at, Generate::Network);
    assert_eq!(
        on_nodes.candidates, 8,
        "each ring node nearest its own grid point"
    );

    s.off_limits = ground();
    let public = walked(&networked, &s, &net);
    assert_eq!(at(&public), (500.0, 455.0, 8.0));
    assert_eq!(public.candidates, 6);
    let g = public.generated.as_ref().unwrap();
    assert_eq!(
        (
            g.dropped_in_water,
            g.dropped_in_buildings,
            g.dropped_on_private_land
        ),
        (0, 1, 1)
    );
    let ground = ground();
    for c in &g.points {
        let p = Point(*c);
        let inside = |list: &[MultiPolygon]| list.iter().any(|mp| mp.contains(&p));
        assert!(!inside(&ground.water) && !inside(&ground.buildings) && !inside(&ground.private));
    }

    // With a network and `generate = "grid"`, grid points are the candidates again, each
    // joining its nearest way; the lake's centre stays out as water.
    let grid_walked = study(
        NORMS,
        "[network]\npath = \"w.geojson\"\n[sites]\ncount = 1\ngenerate = \"grid\"\n",
    );
    let p = walked(&grid_walked, &s, &net);
    let g = p.generated.as_ref().unwrap();
    assert_eq!((g.at, g.dropped_in_water), (Generate::Grid, 1));
    assert_ne!((p.sites[0].x, p.sites[0].y), (500.0, 500.0));
}

/// Random homes round a densely noded ring (a node every 15 m, thinned to one per 30 m grid
/// cell), toddlers at 60 m and 6-11 at 120 m, with walking distances measured round the ring
/// here. One site: the plan's is the best candidate found by trying every one. Two and three
/// sites: the plan's sites cover, by these distances, the children it says, site by site; no
/// single swap of a chosen site for another candidate covers more (what greedy + 1-swap
/// guarantees, and which holds only if the library's walked covers agree with these); and they
/// reach at least (1 - 1/e) of the best choice found by trying every one. On seed 1 with three
/// sites the best needs two swaps (147.69 against 147.65), so exact optimality is not asserted
/// beyond one site.
#[test]
fn network_candidates_are_chosen_as_brute_force_says() {
    let radius = [60.0, 120.0];
    let net = ring(15.0);
    for count in 1..=3usize {
        let st = study(
            "\"0-5\" = 60, \"6-11\" = 120, \"12-17\" = 1000",
            &format!("[network]\npath = \"w.geojson\"\n[sites]\ncount = {count}\n"),
        );
        for seed in [1u64, 2, 3] {
            let mut rng = Rng(seed);
            let homes: Vec<(f64, f64)> = (0..16)
                .map(|_| (380.0 + 240.0 * rng.unit(), 380.0 + 240.0 * rng.unit()))
                .collect();
            let children: Vec<f64> = homes
                .iter()
                .flat_map(|_| [1.0 + 9.0 * rng.unit(), 1.0 + 9.0 * rng.unit(), 0.0])
                .collect();
            let s = scene(&homes, children.clone());
            let p = walked(&st, &s, &net);
            let points = &p.generated.as_ref().unwrap().points;
            assert_eq!(p.candidates, points.len());
            assert!(
                points.len() >= 10,
                "seed {seed}: {} candidates",
                points.len()
            );
            for c in points {
                let (_, off) = on_ring(*c);
                assert!(off < 1e-9, "{c:?} is not a ring node");
            }
            let covers: Vec<Vec<bool>> = points
                .iter()
                .map(|&c| {
                    (0..homes.len() * 2)
                        .map(|i| {
                            let (x, y) = homes[i / 2];
                            walk(c, Coord { x, y }) <= radius[i % 2]
                        })
                        .collect()
                })
                .collect();
            let value = |chosen: &[usize]| -> f64 {
                (0..homes.len() * 2)
                    .filter(|&i| chosen.iter().any(|&c| covers[c][i]))
                    .map(|i| children[(i / 2) * 3 + i % 2])
                    .sum()
            };
            let chosen: Vec<usize> = p
                .sites
                .iter()
                .map(|s| {
                    points
                        .iter()
                        .position(|c| (c.x, c.y) == (s.x, s.y))
                        .unwrap()
                })
                .collect();
            for (k, site) in p.sites.iter().enumerate() {
                let gain = value(&chosen[..=k]) - value(&chosen[..k]);
                assert!((site.new_children - gain).abs() < 1e-6, "seed {seed}");
            }
            let got = value(&chosen);
            let n = points.len();
            let mut best = 0.0f64;
            let mut pick = vec![0usize; count];
            loop {
                best = best.max(value(&pick));
                let Some(k) = (0..count).rev().find(|&k| pick[k] + 1 < n) else {
                    break;
                };
                pick[k] += 1;
                for j in k + 1..count {
                    pick[j] = pick[k];
                }
            }
            if count == 1 {
                assert!(
                    (got - best).abs() < 1e-6,
                    "seed {seed}: {got} against {best}"
                );
            }
            assert!(got >= (1.0 - (-1.0f64).exp()) * best, "seed {seed}");
            for k in 0..chosen.len() {
                for c in 0..n {
                    let mut swapped = chosen.clone();
                    swapped[k] = c;
                    assert!(
                        value(&swapped) <= got + 1e-6,
                        "seed {seed}, {count} sites: swapping site {k} for candidate {c} covers {} > {got}",
                        value(&swapped)
                    );
                }
            }
        }
    }
}

/// Every candidate generated for Helsinki's OSM study stands outside the extract's water,
/// buildings and private landuse, read here with the amenity reader and checked with geo's
/// `Contains`; and the extract's buildings did keep some nodes out.
#[test]
fn helsinki_candidates_stand_outside_water_and_buildings() {
    let Some(data) = common::shared_data_dir() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = common::example_study("helsinki-osm.toml", &data, dir.path());
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str("\n[sites]\nkind = \"playground\"\ncount = 3\n");
    std::fs::write(&path, text).unwrap();
    let st = Resolved::load(&path).unwrap();
    let warnings = Warnings::new();
    let inputs = load(&st, &warnings).unwrap();
    let results = compute(&st, inputs, warnings, &mut Unobserved).unwrap();
    let plan = results.sites.as_ref().unwrap();
    let g = plan.generated.as_ref().unwrap();
    assert_eq!(g.at, Generate::Network);
    assert!(g.ground_from.is_some());
    assert!(g.dropped_in_buildings > 0, "{g:?}");
    assert_eq!(g.points.len(), plan.candidates);

    let pbf = data.join("helsinki-centre/osm/helsinki_centre_2024-08-15.osm.pbf");
    let tags: Vec<String> = [
        "building=*",
        "natural=water",
        "waterway=riverbank",
        "landuse=reservoir",
        "landuse=basin",
        "landuse=military",
        "landuse=railway",
        "landuse=industrial",
        "landuse=construction",
    ]
    .iter()
    .map(|t| t.to_string())
    .collect();
    let mut layer = osm::read_amenities(&pbf, &tags).unwrap().layer;
    layer.reproject(&results.scene.crs).unwrap();
    let areas: Vec<MultiPolygon> = layer
        .features
        .iter()
        .filter(|f| f.props.get("building").and_then(|v| v.as_str()) != Some("no"))
        .filter_map(|f| match &f.geometry {
            Some(Geometry::Polygon(p)) => Some(MultiPolygon(vec![p.clone()])),
            Some(Geometry::MultiPolygon(mp)) => Some(mp.clone()),
            _ => None,
        })
        .collect();
    assert!(areas.len() > 1000, "{} areas", areas.len());
    for c in &g.points {
        let p = Point(*c);
        assert!(
            !areas.iter().any(|a| a.contains(&p)),
            "candidate {c:?} stands in an area of the extract"
        );
    }
    for site in &plan.sites {
        assert!(g.points.contains(&Coord {
            x: site.x,
            y: site.y
        }));
    }
}
