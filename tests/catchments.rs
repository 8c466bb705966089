//! Catchments per amenity and band: the children within, by hand, in a straight line and over a
//! network where walking is longer than flying; the straight-line area is the norm's disc.

mod common;

use std::path::Path;

use geo::{Area, Contains, Coord, Point};
use kindscape::measures::catchments::catchments;
use kindscape::reach::network::{NetworkBuilder, NetworkConfig, NetworkReach};
use kindscape::scene::{Amenity, AmenityGeometry, AmenityKind, Scene, ServedBands};
use kindscape::study::Resolved;

const BANDS: [&str; 3] = ["0-5", "6-11", "12-17"];

fn study() -> Resolved {
    Resolved::parse(
        "[study]\nname = \"c\"\n[neighbourhoods]\npath = \"n.geojson\"\nid = \"id\"\n\
         children = { \"0-5\" = \"a\", \"6-11\" = \"b\", \"12-17\" = \"c\" }\n\
         [homes]\npath = \"h.geojson\"\n[[amenities]]\nkind = \"playground\"\npath = \"p.geojson\"\n\
         [norms]\nplayground = { \"0-5\" = 100, \"6-11\" = 400, \"12-17\" = 1000 }\n",
        Path::new("c.toml"),
    )
    .unwrap()
}

/// Homes across water from a playground at (60, 0): (-10, 0) walks 570 m, (60, 10) walks 30 m.
fn scene() -> Scene {
    let playground = Amenity {
        geometry: AmenityGeometry::Point(Coord { x: 60.0, y: 0.0 }),
        area_m2: 0.0,
        capacity: 1.0,
        id: "SP-1".into(),
        name: "speelplek".into(),
        source: String::new(),
        index: 0,
        attributes: Default::default(),
        parts: 1,
    };
    common::one_neighbourhood_scene(
        &BANDS,
        common::rectangle(-5000.0, -5000.0, 10000.0, 10000.0),
        &[(-10.0, 0.0), (60.0, 10.0)],
        vec![2.0, 0.0, 3.0, 1.0, 5.0, 0.0],
        vec![AmenityKind {
            kind: "playground".into(),
            items: vec![playground],
            served: ServedBands::every(),
        }],
    )
}

#[test]
fn straight_line_catchments_count_the_children_within_the_norm() {
    let (st, s) = (study(), scene());
    let c = catchments(&st.norms, "playground", &s, None).unwrap();
    assert!(!c.walked);
    let within: Vec<f64> = c.items.iter().map(|i| i.children_within).collect();
    // 0-5 within 100 m: both homes (70 m and 10 m): 2 + 1; 6-11: the second's 5; 12-17: 3.
    assert_eq!(within, [3.0, 5.0, 3.0]);
    // The area is the norm's disc around the playground.
    for (item, r) in c.items.iter().zip([100.0, 400.0, 1000.0]) {
        let area = item.area.unsigned_area();
        let disc = std::f64::consts::PI * r * r;
        assert!((area - disc).abs() < 0.01 * disc, "{area} vs {disc}");
        assert!(item.area.contains(&Point::new(60.0 + 0.9 * r, 0.0)));
    }
}

#[test]
fn walked_catchments_leave_out_the_home_across_the_water() {
    let (st, s) = (study(), scene());
    let mut b = NetworkBuilder::new();
    let nodes: Vec<u32> = [(0.0, 0.0), (0.0, 250.0), (50.0, 250.0), (50.0, 0.0)]
        .iter()
        .map(|&(x, y)| b.add_node(Coord { x, y }, false))
        .collect();
    b.add_line(&nodes, "footway", false);
    let net = b.build().unwrap();
    let reach = NetworkReach::new(
        &net,
        &s.homes.coords,
        &[vec![], vec![], vec![]],
        &NetworkConfig::default(),
    )
    .unwrap();
    let c = catchments(&st.norms, "playground", &s, Some(&reach)).unwrap();
    assert!(c.walked);
    let within: Vec<f64> = c.items.iter().map(|i| i.children_within).collect();
    // 0-5 within 100 m: only the neighbour (30 m); 6-11 within 400 m: the neighbour's 5;
    // 12-17 within 1000 m: the first home at 570 m, 3.
    assert_eq!(within, [1.0, 5.0, 3.0]);
    // The toddlers' area does not reach the first home; the teenagers' does.
    assert!(!c.items[0].area.contains(&Point::new(-10.0, 0.0)));
    assert!(c.items[2].area.unsigned_area() > 0.0);
}

#[test]
fn catchments_drawn_by_walked_play_space_equal_their_own() {
    use kindscape::measures::catchments::catchments_counted;
    use kindscape::measures::play_space::play_space;
    let (st, s) = (study(), scene());
    let mut b = NetworkBuilder::new();
    let nodes: Vec<u32> = [(0.0, 0.0), (0.0, 250.0), (50.0, 250.0), (50.0, 0.0)]
        .iter()
        .map(|&(x, y)| b.add_node(Coord { x, y }, false))
        .collect();
    b.add_line(&nodes, "footway", false);
    let net = b.build().unwrap();
    // The toddlers walk another graph (a barrier set no line has): two searches per facility.
    let barriers = [vec!["motorway".to_string()], vec![], vec![]];
    let reach =
        NetworkReach::new(&net, &s.homes.coords, &barriers, &NetworkConfig::default()).unwrap();
    let play = play_space(&st.catchment, &st.norms, &s, Some(&reach), true)
        .unwrap()
        .unwrap();
    let drawn = play.catchments.expect("drawn over the network when asked");
    let own = catchments(&st.norms, "playground", &s, Some(&reach)).unwrap();
    let within: Vec<f64> = drawn.items.iter().map(|i| i.children_within).collect();
    assert_eq!(
        within,
        [1.0, 5.0, 3.0],
        "the hand counts of the walked test above"
    );
    assert_eq!(drawn.items.len(), own.items.len());
    for (d, o) in drawn.items.iter().zip(&own.items) {
        assert_eq!((d.amenity, d.band), (o.amenity, o.band));
        assert_eq!(d.children_within.to_bits(), o.children_within.to_bits());
        assert_eq!(d.area, o.area);
    }
    assert_eq!(
        (drawn.kind.as_str(), &drawn.bands),
        (own.kind.as_str(), &own.bands)
    );
    // The catchments stage takes the drawn ones for their kind over the network, not others.
    let taken = catchments_counted(&st.norms, "playground", &s, Some(&reach), None, Some(drawn));
    assert_eq!(taken.unwrap().items.len(), 3);
    let none = play_space(&st.catchment, &st.norms, &s, Some(&reach), false).unwrap();
    assert!(none.unwrap().catchments.is_none());
}

/// The tester's town: a street along y = 0 from x 0 to 2000 with a junction at x 900, where a
/// footway goes up to (900, 500); a playground at (600, 0) on the street. Homes (one child per
/// band each): A (300, 0) walks 300 m, west along the street where no junction is reached;
/// B (1400, 0) 800 m, east past the junction; C (900, 450) 750 m, up the footway; D (650, 0)
/// 50 m. Each walked catchment must cover the homes it counts: its outline goes on part-way
/// along the streets to where the norm ends (x 200 and 1000 and (900, 100) for 400 m).
#[test]
fn walked_catchments_cover_the_homes_they_count_along_long_streets() {
    use geo::{BoundingRect, Intersects};
    let st = study();
    let homes = [(300.0, 0.0), (1400.0, 0.0), (900.0, 450.0), (650.0, 0.0)];
    let playground = Amenity {
        geometry: AmenityGeometry::Point(Coord { x: 600.0, y: 0.0 }),
        area_m2: 0.0,
        capacity: 1.0,
        id: "007".into(),
        name: String::new(),
        source: String::new(),
        index: 0,
        attributes: Default::default(),
        parts: 1,
    };
    let s = common::one_neighbourhood_scene(
        &BANDS,
        common::rectangle(-5000.0, -5000.0, 10000.0, 10000.0),
        &homes,
        vec![1.0; 12],
        vec![AmenityKind {
            kind: "playground".into(),
            items: vec![playground],
            served: ServedBands::every(),
        }],
    );
    let mut b = NetworkBuilder::new();
    let street: Vec<u32> = [(0.0, 0.0), (900.0, 0.0), (2000.0, 0.0)]
        .iter()
        .map(|&(x, y)| b.add_node(Coord { x, y }, false))
        .collect();
    b.add_line(&street, "residential", false);
    let top = b.add_node(Coord { x: 900.0, y: 500.0 }, false);
    b.add_line(&[street[1], top], "footway", false);
    let net = b.build().unwrap();
    let reach = NetworkReach::new(
        &net,
        &s.homes.coords,
        &[vec![], vec![], vec![]],
        &NetworkConfig::default(),
    )
    .unwrap();
    let c = catchments(&st.norms, "playground", &s, Some(&reach)).unwrap();
    // Counted by hand: 0-5 (100 m) D; 6-11 (400 m) A and D; 12-17 (1000 m) all four.
    let counted: [&[usize]; 3] = [&[3], &[0, 3], &[0, 1, 2, 3]];
    for (item, homes_in) in c.items.iter().zip(counted) {
        assert_eq!(item.children_within, homes_in.len() as f64);
        for &h in homes_in {
            let (x, y) = homes[h];
            assert!(
                item.area.intersects(&Point::new(x, y)),
                "band {}: home {h} at ({x}, {y}) counted but outside the catchment",
                BANDS[item.band]
            );
        }
    }
    // The 400 m walks end at x 200 and x 1000 along the street: the outline's extent.
    let r = c.items[1].area.bounding_rect().unwrap();
    assert!(
        (r.min().x - 200.0).abs() < 1.0 && (r.max().x - 1000.0).abs() < 1.0,
        "{r:?}"
    );
    assert!((r.max().y - 100.0).abs() < 1e-6, "{r:?}");
}

/// A grid of streets 100 m apart and homes standing up to 45 m off them: every home a walked
/// catchment counts lies inside its outline. Home `i` has 2^i children in every band, so a
/// catchment's `children_within` names exactly the homes it counts (sums of distinct powers of
/// two are exact in f64 up to 2^53).
#[test]
#[ignore = "known gap: the walked outline is the hull of the streets reached, and homes that stand off them can lie outside; adding the homes to the hull made the 1 M city's e2sfca stage 8x slower (closing note, session 12)"]
fn walked_catchments_hold_the_homes_they_count_off_the_streets() {
    use geo::Intersects;
    let st = study();
    // A fixed scatter (a linear congruential generator), homes between the streets.
    let mut state: u64 = 12345;
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let homes: Vec<(f64, f64)> = (0..40)
        .map(|_| {
            let street = (next() * 6.0).floor() * 100.0;
            let along = next() * 500.0;
            let off = (next() - 0.5) * 90.0;
            if next() < 0.5 {
                (street + off, along)
            } else {
                (along, street + off)
            }
        })
        .collect();
    let children: Vec<f64> = (0..homes.len())
        .flat_map(|i| [2f64.powi(i as i32); 3])
        .collect();
    let playground = Amenity {
        geometry: AmenityGeometry::Point(Coord { x: 250.0, y: 200.0 }),
        area_m2: 0.0,
        capacity: 1.0,
        id: "P".into(),
        name: String::new(),
        source: String::new(),
        index: 0,
        attributes: Default::default(),
        parts: 1,
    };
    let s = common::one_neighbourhood_scene(
        &BANDS,
        common::rectangle(-5000.0, -5000.0, 10000.0, 10000.0),
        &homes,
        children,
        vec![AmenityKind {
            kind: "playground".into(),
            items: vec![playground],
            served: ServedBands::every(),
        }],
    );
    let mut b = NetworkBuilder::new();
    let grid: Vec<Vec<u32>> = (0..6)
        .map(|i| {
            (0..6)
                .map(|j| {
                    let c = Coord {
                        x: i as f64 * 100.0,
                        y: j as f64 * 100.0,
                    };
                    b.add_node(c, false)
                })
                .collect()
        })
        .collect();
    for (i, column) in grid.iter().enumerate() {
        b.add_line(column, "residential", false);
        let across: Vec<u32> = grid.iter().map(|c| c[i]).collect();
        b.add_line(&across, "residential", false);
    }
    let net = b.build().unwrap();
    let reach = NetworkReach::new(
        &net,
        &s.homes.coords,
        &[vec![], vec![], vec![]],
        &NetworkConfig::default(),
    )
    .unwrap();
    let c = catchments(&st.norms, "playground", &s, Some(&reach)).unwrap();
    let mut counted_in_all = 0;
    for item in &c.items {
        let bits = item.children_within as u64;
        assert_eq!(bits as f64, item.children_within);
        for (h, &(x, y)) in homes.iter().enumerate() {
            if bits & (1 << h) != 0 {
                counted_in_all += 1;
                assert!(
                    item.area.intersects(&Point::new(x, y)),
                    "band {}: home {h} at ({x:.1}, {y:.1}) counted but outside the catchment",
                    BANDS[item.band]
                );
            }
        }
    }
    // Not a vacuous check: the bands count homes.
    assert!(counted_in_all > 20, "{counted_in_all}");
}
