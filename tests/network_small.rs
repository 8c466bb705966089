//! Network distances on small hand-made graphs, checked against hand computations.

use geo::{polygon, Coord, Geometry, Point};
use kindscape::layers::crs::Crs;
use kindscape::layers::{CrsSource, Feature, Layer, Properties};
use kindscape::reach::network::{
    nearest_distances, KindTargets, NetworkBuilder, NetworkConfig, WalkNetwork, Walkable,
};

fn c(x: f64, y: f64) -> Coord {
    Coord { x, y }
}

fn point(x: f64, y: f64) -> Geometry {
    Geometry::Point(Point::new(x, y))
}

fn kind(name: &str, geometries: Vec<Geometry>) -> KindTargets {
    KindTargets {
        kind: name.into(),
        geometries,
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

/// A 3 x 3 grid of residential streets, 100 m apart, corners (0,0) and (200,200).
fn grid() -> WalkNetwork {
    let mut b = NetworkBuilder::new();
    let mut id = [[0u32; 3]; 3];
    for (i, row) in id.iter_mut().enumerate() {
        for (j, n) in row.iter_mut().enumerate() {
            *n = b.add_node(c(100.0 * j as f64, 100.0 * i as f64), false);
        }
    }
    for (i, row) in id.iter().enumerate() {
        b.add_line(row, "residential", false);
        b.add_line(&[id[0][i], id[1][i], id[2][i]], "residential", false);
    }
    b.build().unwrap()
}

#[test]
fn grid_stats_by_hand() {
    let s = grid().stats();
    assert_eq!(
        (s.nodes, s.edges, s.components, s.largest_component_nodes),
        (9, 12, 1, 9)
    );
    // Line ends (8 border nodes) and the centre, shared by two lines.
    assert_eq!(s.vertices, 9);
    assert!(close(s.total_km, 1.2));
}

#[test]
fn grid_distances_by_hand() {
    let net = grid();
    let homes = [
        c(50.0, -10.0),    // 10 m below the edge (0,0)-(100,0), at its middle
        c(150.0, 95.0),    // 5 m below the edge (100,100)-(200,100)
        c(1000.0, 1000.0), // far from every street
    ];
    let kinds = [
        kind("corner", vec![point(200.0, 200.0)]),
        kind("same_edge", vec![point(60.0, 8.0)]),
        // A 40 x 40 m square just right of the street x = 200.
        kind(
            "square",
            vec![polygon![(x: 205.0, y: 0.0), (x: 245.0, y: 0.0), (x: 245.0, y: 40.0), (x: 205.0, y: 40.0)].into()],
        ),
    ];
    let r = nearest_distances(&net, &homes, &kinds, &[vec![]], &NetworkConfig::default()).unwrap();
    let d = |k: usize, h: usize| r.distances[k][0][h];
    // 10 up, 150 east, 200 north.
    assert!(close(d(0, 0), 360.0), "{}", d(0, 0));
    // 5 up, 50 east, 100 north.
    assert!(close(d(0, 1), 155.0), "{}", d(0, 1));
    assert!(d(0, 2).is_nan());
    // Along the shared edge: 10 up, 10 along, 8 down; not via a corner.
    assert!(close(d(1, 0), 28.0), "{}", d(1, 0));
    // To the square's corner (205, 0): 10 + 150 to (200, 0), then 5 across.
    assert!(close(d(2, 0), 165.0), "{}", d(2, 0));
    // 5 up to (150, 100), 50 east, 60 down to (200, 40), 5 to the square's corner (205, 40).
    assert!(close(d(2, 1), 120.0), "{}", d(2, 1));
    assert_eq!(r.attach.homes_attached, 2);
    assert_eq!(r.attach.homes_not_attached, 1);
    assert!(close(r.attach.mean_attach_m, 7.5));
    assert!(close(r.attach.median_attach_m, 7.5));
    assert_eq!(r.attach.kinds[2].amenities_attached, 1);

    // A tighter search bound drops the 360 m home but keeps the 155 m one.
    let cfg = NetworkConfig {
        max_distance: 300.0,
        ..NetworkConfig::default()
    };
    let r = nearest_distances(&net, &homes, &kinds[..1], &[vec![]], &cfg).unwrap();
    assert!(r.distances[0][0][0].is_nan());
    assert!(close(r.distances[0][0][1], 155.0));
}

#[test]
fn bad_settings_are_errors() {
    let net = grid();
    let cfg = NetworkConfig {
        max_distance: f64::NAN,
        ..NetworkConfig::default()
    };
    assert!(nearest_distances(&net, &[], &[], &[vec![]], &cfg).is_err());
}

/// The barrier test. A primary road runs east-west along y = 0 through nodes at
/// x = -400, 0, 200 and 400; the node at x = 200 is a marked crossing. A residential street
/// leaves the road at x = 0 to the north (to (0, 100)) and another to the south (to (0, -100)).
/// The playground is 10 m beyond the north street's end, at (0, 110).
/// Home A is 10 m beyond the south street's end, at (0, -110); home B is 15 m south of the road
/// at x = 50 and joins its southern sidewalk.
struct BarrierScene {
    net: WalkNetwork,
    homes: [Coord; 2],
    kinds: [KindTargets; 1],
}

fn barrier_scene(crossing_at_200: bool) -> BarrierScene {
    let mut b = NetworkBuilder::new();
    let w = b.add_node(c(-400.0, 0.0), false);
    let o = b.add_node(c(0.0, 0.0), false);
    let x = b.add_node(c(200.0, 0.0), crossing_at_200);
    let e = b.add_node(c(400.0, 0.0), false);
    let n = b.add_node(c(0.0, 100.0), false);
    let s = b.add_node(c(0.0, -100.0), false);
    b.add_line(&[w, o, x, e], "primary", false);
    b.add_line(&[o, n], "residential", false);
    b.add_line(&[o, s], "residential", false);
    BarrierScene {
        net: b.build().unwrap(),
        homes: [c(0.0, -110.0), c(50.0, -15.0)],
        kinds: [kind("playground", vec![point(0.0, 110.0)])],
    }
}

fn bands() -> Vec<Vec<String>> {
    let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    vec![
        v(&["motorway", "trunk", "primary", "secondary", "tertiary"]), // 0-5
        v(&["motorway", "trunk", "primary", "secondary"]),             // 6-11
        v(&["motorway", "trunk"]),                                     // 12-17
    ]
}

#[test]
fn primary_road_is_crossed_at_the_crossing_for_young_children_only() {
    let s = barrier_scene(true);
    let r = nearest_distances(
        &s.net,
        &s.homes,
        &s.kinds,
        &bands(),
        &NetworkConfig::default(),
    )
    .unwrap();
    let d = &r.distances[0];
    // 12-17: straight over. A: 10 + 100 + 100 + 10. B: 15 + 50 west + 100 + 10.
    assert!(close(d[2][0], 220.0), "{}", d[2][0]);
    assert!(close(d[2][1], 175.0), "{}", d[2][1]);
    // 6-11: along the southern sidewalk to the crossing at x = 200, back along the northern one.
    // A: 10 + 100 + 200 + 200 + 100 + 10. B: 15 + 150 east + 200 west + 100 + 10.
    assert!(close(d[1][0], 620.0), "{}", d[1][0]);
    assert!(close(d[1][1], 475.0), "{}", d[1][1]);
    // 0-5 has another barrier set but the same answer here.
    assert!(close(d[0][0], 620.0) && close(d[0][1], 475.0));
    assert_eq!(r.graphs.len(), 3);
    assert_eq!(r.band_graph, vec![0, 1, 2]);
    // Only the node at x = 0 is split (the crossing and the road's dead ends are not), so the
    // two road edges touching it are doubled: 2 + 2 + 1 road edges and 2 streets.
    let g = &r.graphs[1];
    assert_eq!(
        (g.nodes, g.edges, g.barrier_edges, g.crossing_nodes),
        (7, 7, 3, 1)
    );
}

#[test]
fn without_a_crossing_the_far_side_is_out_of_reach() {
    let s = barrier_scene(false);
    let r = nearest_distances(
        &s.net,
        &s.homes,
        &s.kinds,
        &bands(),
        &NetworkConfig::default(),
    )
    .unwrap();
    // The road ends at x = -400 and x = 400: walking round its east end from home B is
    // 15 + 350 + 400 + 100 + 10 = 875 m; from A 10 + 100 + 400 + 400 + 100 + 10 = 1020 m.
    assert!(
        close(r.distances[0][1][1], 875.0),
        "{}",
        r.distances[0][1][1]
    );
    assert!(
        close(r.distances[0][1][0], 1020.0),
        "{}",
        r.distances[0][1][0]
    );
    let cfg = NetworkConfig {
        max_distance: 800.0,
        ..NetworkConfig::default()
    };
    let r = nearest_distances(&s.net, &s.homes, &s.kinds, &bands(), &cfg).unwrap();
    assert!(r.distances[0][1][0].is_nan() && r.distances[0][1][1].is_nan());
    assert!(close(r.distances[0][2][0], 220.0));
}

/// The same scene as GeoJSON-style lines in a metric CRS: node identity from equal
/// coordinates, the crossing from footway=crossing edges, and a footbridge that shares no node
/// with the road.
#[test]
fn geojson_lines_with_crossing_edges_and_a_footbridge() {
    let line = |pts: &[(f64, f64)], tags: &[(&str, &str)]| {
        let mut props = Properties::new();
        for (k, v) in tags {
            props.insert(k.to_string(), serde_json::Value::String(v.to_string()));
        }
        Feature {
            index: 0,
            geometry: Some(Geometry::LineString(
                pts.iter().map(|&(x, y)| c(x, y)).collect(),
            )),
            props,
            id: None,
        }
    };
    let mut features = vec![
        line(
            &[(-400.0, 0.0), (0.0, 0.0), (200.0, 0.0)],
            &[("highway", "primary")],
        ),
        line(&[(200.0, 0.0), (400.0, 0.0)], &[("highway", "primary")]),
        line(&[(0.0, 0.0), (0.0, 100.0)], &[("highway", "residential")]),
        line(&[(0.0, 0.0), (0.0, -100.0)], &[("highway", "residential")]),
        line(
            &[(200.0, -10.0), (200.0, 0.0)],
            &[("highway", "footway"), ("footway", "crossing")],
        ),
        line(
            &[(200.0, 0.0), (200.0, 10.0)],
            &[("highway", "footway"), ("footway", "crossing")],
        ),
    ];
    for (i, f) in features.iter_mut().enumerate() {
        f.index = i;
    }
    let layer = |features: Vec<Feature>| Layer {
        path: "walk.geojson".into(),
        crs: Crs::parse("EPSG:32635").unwrap(),
        crs_source: CrsSource::StudyFile,
        features,
        columns: Default::default(),
    };
    let s = barrier_scene(true);
    let distances = |net: &WalkNetwork| {
        nearest_distances(net, &s.homes, &s.kinds, &bands(), &NetworkConfig::default()).unwrap()
    };
    let net =
        WalkNetwork::from_layer(&layer(features.clone()), "highway", Walkable::OsmRules).unwrap();
    let st = net.stats();
    assert_eq!((st.nodes, st.components, st.vertices), (8, 1, 8));
    let r = distances(&net);
    assert!(
        close(r.distances[0][1][0], 620.0),
        "{}",
        r.distances[0][1][0]
    );
    assert!(close(r.distances[0][2][0], 220.0));

    // A footbridge at x = -100 from the southern to the northern side, its ramps joining the
    // residential streets at (0, -50) and (0, 50): no shared node with the road, so it crosses.
    let mut with_bridge = features.clone();
    with_bridge[2] = line(
        &[(0.0, 0.0), (0.0, 50.0), (0.0, 100.0)],
        &[("highway", "residential")],
    );
    with_bridge[3] = line(
        &[(0.0, 0.0), (0.0, -50.0), (0.0, -100.0)],
        &[("highway", "residential")],
    );
    with_bridge.push(line(
        &[(0.0, -50.0), (-100.0, -50.0), (-100.0, 50.0), (0.0, 50.0)],
        &[("highway", "footway"), ("bridge", "yes")],
    ));
    for (i, f) in with_bridge.iter_mut().enumerate() {
        f.index = i;
    }
    // Three shortcuts straight over the road from (0, -100) to (0, 100) that the .osm.pbf walk
    // rules refuse: walked, any of them would bring home A to 220 m in band 6-11.
    let mut with_refused = features.clone();
    for tags in [
        &[("highway", "motorway")][..],
        &[("highway", "footway"), ("foot", "no")],
        &[("highway", "service"), ("access", "private")],
    ] {
        with_refused.push(line(&[(0.0, -100.0), (0.0, 100.0)], tags));
    }
    for (i, f) in with_refused.iter_mut().enumerate() {
        f.index = i;
    }
    let refused =
        WalkNetwork::from_layer(&layer(with_refused.clone()), "highway", Walkable::OsmRules)
            .unwrap();
    let rules = refused.stats().walk_rule_lines.unwrap();
    assert_eq!((rules.taken, rules.refused), (6, 3));
    // One line per rule, each counted under its own.
    let by = rules.refused_by;
    assert_eq!(
        (
            by.motorway_or_trunk_without_foot,
            by.foot_no,
            by.access_private,
            by.not_a_walkway + by.no_highway + by.access_no + by.area
        ),
        (1, 1, 1, 0)
    );
    let r2 = distances(&refused);
    for (a, b) in r2.distances[0]
        .iter()
        .flatten()
        .zip(r.distances[0].iter().flatten())
    {
        assert_eq!(a.to_bits(), b.to_bits());
    }
    // walkable = "all" walks them.
    let all = WalkNetwork::from_layer(&layer(with_refused), "highway", Walkable::All).unwrap();
    let lines = all.stats().walk_rule_lines.unwrap();
    assert_eq!(
        (
            lines.walkable,
            lines.taken,
            lines.refused,
            lines.taken_without_class
        ),
        ("all", 9, 0, 0)
    );
    let r3 = distances(&all);
    assert!(
        close(r3.distances[0][1][0], 220.0),
        "{}",
        r3.distances[0][1][0]
    );

    let net = WalkNetwork::from_layer(&layer(with_bridge), "highway", Walkable::OsmRules).unwrap();
    assert_eq!(net.stats().bridge_or_tunnel_edges, 3);
    let r = distances(&net);
    // A: 10 + 50 + (100 + 100 + 100) over the bridge + 50 + 10.
    assert!(
        close(r.distances[0][1][0], 420.0),
        "{}",
        r.distances[0][1][0]
    );
}

#[test]
fn geojson_network_must_be_metric_lines() {
    let wgs = Layer {
        path: "walk.geojson".into(),
        crs: Crs::wgs84(),
        crs_source: CrsSource::Rfc7946,
        features: vec![],
        columns: Default::default(),
    };
    let err = WalkNetwork::from_layer(&wgs, "highway", Walkable::OsmRules)
        .unwrap_err()
        .to_string();
    assert!(err.contains("reproject"), "{err}");
    let mut props = Properties::new();
    props.insert("highway".into(), "footway".into());
    let poly = Layer {
        columns: Default::default(),
        path: "walk.geojson".into(),
        crs: Crs::parse("EPSG:32635").unwrap(),
        crs_source: CrsSource::StudyFile,
        features: vec![Feature {
            index: 3,
            geometry: Some(polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0)].into()),
            props,
            id: None,
        }],
    };
    let err = WalkNetwork::from_layer(&poly, "highway", Walkable::OsmRules)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("feature 3") && err.contains("Polygon"),
        "{err}"
    );
}

/// Two primary roads cross at the origin, each arm 100 m long and ending in a dead end. Without
/// a crossing the junction has four sectors, one per quadrant; a child walks round the end of
/// an arm to reach another quadrant.
#[test]
fn four_sectors_at_a_junction_of_two_barrier_roads() {
    let scene = |crossing: bool| {
        let mut b = NetworkBuilder::new();
        let o = b.add_node(c(0.0, 0.0), crossing);
        let e = b.add_node(c(100.0, 0.0), false);
        let n = b.add_node(c(0.0, 100.0), false);
        let w = b.add_node(c(-100.0, 0.0), false);
        let s = b.add_node(c(0.0, -100.0), false);
        b.add_line(&[w, o, e], "primary", false);
        b.add_line(&[s, o, n], "primary", false);
        b.build().unwrap()
    };
    // Home in the north-east quadrant, 5 m north of the east arm, 10 m out.
    let homes = [c(10.0, 5.0)];
    let kinds = [
        kind("south_east", vec![point(10.0, -5.0)]),
        kind("north_west", vec![point(-10.0, 5.0)]),
    ];
    let bands = [vec!["primary".to_string()], vec![]];
    let r = nearest_distances(
        &scene(false),
        &homes,
        &kinds,
        &bands,
        &NetworkConfig::default(),
    )
    .unwrap();
    // Round the east arm's end: 5 + 90 + 90 + 5.
    assert!(
        close(r.distances[0][0][0], 190.0),
        "{}",
        r.distances[0][0][0]
    );
    // Round the north arm's end: 5 + 10 to the junction, 100 up, 100 down, 10 + 5.
    assert!(
        close(r.distances[1][0][0], 230.0),
        "{}",
        r.distances[1][0][0]
    );
    // No barriers: straight along the same edge (5 + 0 + 5), or through the junction.
    assert!(
        close(r.distances[0][1][0], 10.0),
        "{}",
        r.distances[0][1][0]
    );
    assert!(
        close(r.distances[1][1][0], 30.0),
        "{}",
        r.distances[1][1][0]
    );
    assert_eq!(r.graphs[0].nodes, 5 + 3);
    // A crossing at the junction joins the quadrants: 5 + 10 + 10 + 5.
    let r = nearest_distances(
        &scene(true),
        &homes,
        &kinds,
        &bands,
        &NetworkConfig::default(),
    )
    .unwrap();
    assert!(
        close(r.distances[0][0][0], 30.0),
        "{}",
        r.distances[0][0][0]
    );
    assert!(
        close(r.distances[1][0][0], 30.0),
        "{}",
        r.distances[1][0][0]
    );
}

/// Two parks whose boundaries run along a primary road (sharing its nodes), one north of it
/// (drawn clockwise) and one south (counter-clockwise); a footway crosses the northern park's
/// far side between two of its boundary points. The road runs from x = 0 to x = 600 and has no
/// crossing, so a child crosses only round its ends.
#[test]
fn a_park_along_a_barrier_road_joins_the_sidewalk_on_its_own_side() {
    let mut b = NetworkBuilder::new();
    let road: Vec<u32> = [0.0, 100.0, 200.0, 300.0, 600.0]
        .iter()
        .map(|&x| b.add_node(c(x, 0.0), false))
        .collect();
    b.add_line(&road, "primary", false);
    let top = b.add_node(c(170.0, 200.0), false);
    let inside = b.add_node(c(170.0, 30.0), false);
    b.add_line(&[top, inside], "footway", false);
    let net = b.build().unwrap();
    let north: Geometry =
        polygon![(x: 100.0, y: 0.0), (x: 100.0, y: 50.0), (x: 200.0, y: 50.0), (x: 200.0, y: 0.0)]
            .into();
    let south: Geometry =
        polygon![(x: 200.0, y: 0.0), (x: 200.0, y: -50.0), (x: 300.0, y: -50.0), (x: 300.0, y: 0.0)]
            .into();
    let kinds = [kind("north", vec![north]), kind("south", vec![south])];
    // A south of the road, B north of it, C up the footway.
    let homes = [c(150.0, -10.0), c(250.0, 10.0), c(170.0, 210.0)];
    let bands = [vec!["primary".to_string()], vec![]];
    let r = nearest_distances(&net, &homes, &kinds, &bands, &NetworkConfig::default()).unwrap();
    let d = |k: usize, band: usize, h: usize| r.distances[k][band][h];
    // A to the northern park: 10 to the southern sidewalk, 150 west round the road's end at
    // x = 0, 100 back east along the northern sidewalk to the park's corner (100, 0).
    assert!(close(d(0, 0, 0), 260.0), "{}", d(0, 0, 0));
    // B to it: 10 to the northern sidewalk and 50 west to the corner (200, 0).
    assert!(close(d(0, 0, 1), 60.0), "{}", d(0, 0, 1));
    // A to the southern park: 10 and 50 east along its own sidewalk to (200, 0).
    assert!(close(d(1, 0, 0), 60.0), "{}", d(1, 0, 0));
    // B to it: 10, 250 west round the end, 200 back to (200, 0); east would be 10 + 350 + 300.
    assert!(close(d(1, 0, 1), 460.0), "{}", d(1, 0, 1));
    // C: 10 down to the footway's top, 150 down it to where it crosses the side y = 50
    // (boundary points at x = 150 and 175 are 20 and 5 m from the footway: 180 and 175 m).
    assert!(close(d(0, 0, 2), 160.0), "{}", d(0, 0, 2));
    assert!(d(1, 0, 2).is_nan());
    // Without barriers the road is walked across: A is 10 m from both parks' shared edge.
    assert!(close(d(0, 1, 0), 10.0), "{}", d(0, 1, 0));
    assert!(close(d(1, 1, 1), 10.0), "{}", d(1, 1, 1));
}

/// A network without the class attribute is refused, naming the file and the attribute, unless
/// the study walks every line.
#[test]
fn a_network_without_classes_needs_walkable_all() {
    let line = |pts: &[(f64, f64)], index: usize| Feature {
        index,
        geometry: Some(Geometry::LineString(
            pts.iter().map(|&(x, y)| c(x, y)).collect(),
        )),
        props: Properties::new(),
        id: None,
    };
    let layer = Layer {
        columns: Default::default(),
        path: "paths.geojson".into(),
        crs: Crs::parse("EPSG:32635").unwrap(),
        crs_source: CrsSource::StudyFile,
        features: vec![
            line(&[(0.0, 0.0), (30.0, 40.0)], 0),
            line(&[(30.0, 40.0), (30.0, 100.0)], 1),
        ],
    };
    let err = WalkNetwork::from_layer(&layer, "highway", Walkable::OsmRules)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("paths.geojson") && err.contains("\"highway\"") && err.contains("walkable"),
        "{err}"
    );
    let net = WalkNetwork::from_layer(&layer, "highway", Walkable::All).unwrap();
    assert!(close(net.stats().total_km, 0.11));
    // Both lines walked with nothing on them to say so: counted for run.json.
    assert_eq!(net.stats().walk_rule_lines.unwrap().taken_without_class, 2);
}

/// The brief's park: its southern side lies on a primary road (sharing the road's nodes at
/// x = 100 and 300), a footway sidewalk runs on each side of the road at y = +10 and -10, and
/// the only way across is a crossing way at x = 400 that passes through the road's node there.
/// The northern sidewalk runs through the park, entering and leaving it at (100, 10) and
/// (300, 10). Road and sidewalks end at x = 0 and x = 600.
#[test]
fn a_park_on_a_barrier_road_with_sidewalks_is_reached_across_it_by_the_crossing() {
    let mut b = NetworkBuilder::new();
    let road: Vec<u32> = [0.0, 100.0, 200.0, 300.0, 400.0, 600.0]
        .iter()
        .map(|&x| b.add_node(c(x, 0.0), x == 400.0))
        .collect();
    b.add_line(&road, "primary", false);
    let mut crossing = Vec::new();
    for y in [10.0, -10.0] {
        let walk: Vec<u32> = [0.0, 400.0, 600.0]
            .iter()
            .map(|&x| b.add_node(c(x, y), false))
            .collect();
        b.add_line(&walk, "footway", false);
        crossing.push(walk[1]);
    }
    b.add_line(&[crossing[1], road[4], crossing[0]], "footway", false);
    let net = b.build().unwrap();
    let park: Geometry =
        polygon![(x: 100.0, y: 0.0), (x: 300.0, y: 0.0), (x: 300.0, y: 60.0), (x: 100.0, y: 60.0)]
            .into();
    let kinds = [kind("park", vec![park])];
    // N and S: beside the sidewalks (nearest edge: the sidewalk, 10 m off); n and s: beside the
    // road (4 m off it, 6 m from the sidewalk).
    let homes = [
        c(350.0, 20.0),
        c(350.0, -20.0),
        c(350.0, 4.0),
        c(350.0, -4.0),
    ];
    let bands = [vec!["primary".to_string()], vec![]];
    let r = nearest_distances(&net, &homes, &kinds, &bands, &NetworkConfig::default()).unwrap();
    let d = |band: usize, h: usize| r.distances[0][band][h];
    // N: 10 to its sidewalk, 50 west to where the sidewalk enters the park (300, 10); the park's
    // east side points (300, 20) and (300, 40) join the same sidewalk 10 and 30 m off it.
    assert!(close(d(0, 0), 60.0), "{}", d(0, 0));
    // S: 10 to the southern sidewalk, 50 east, 10 up the crossing to the road's node, 100 west
    // along the road's northern side to the park's corner (300, 0), a node of the road: 170
    // (over the northern sidewalk: 10 more). The southern side of the road never touches it.
    assert!(close(d(0, 1), 170.0), "{}", d(0, 1));
    // n: 4 to the road's northern side and 50 west to the corner.
    assert!(close(d(0, 2), 54.0), "{}", d(0, 2));
    // s: 4 to the southern side, 50 east to the crossing, 100 back west on the northern side.
    assert!(close(d(0, 3), 154.0), "{}", d(0, 3));
    // Without barriers s walks across the road: 4 + 50; the others as before.
    assert!(close(d(1, 3), 54.0), "{}", d(1, 3));
    for h in 0..3 {
        assert!(
            close(d(1, h), d(0, h)),
            "home {h}: {} vs {}",
            d(1, h),
            d(0, h)
        );
    }
}

/// A park whose corner is the junction of two primary roads (one east-west, one north-south,
/// crossing at (0, 0) without a crossing, both ending 300 m out): the triangle (0, 0),
/// (80, 20), (20, 80) lies in the north-east corner. The junction node is split into four
/// corners; the park is reached from its own corner only, not from the corners across a road.
#[test]
fn a_park_at_a_junction_of_barrier_roads_is_reached_from_its_own_corner_only() {
    let mut b = NetworkBuilder::new();
    let centre = b.add_node(c(0.0, 0.0), false);
    let ends: Vec<u32> = [(-300.0, 0.0), (300.0, 0.0), (0.0, -300.0), (0.0, 300.0)]
        .iter()
        .map(|&(x, y)| b.add_node(c(x, y), false))
        .collect();
    b.add_line(&[ends[0], centre, ends[1]], "primary", false);
    b.add_line(&[ends[2], centre, ends[3]], "primary", false);
    let net = b.build().unwrap();
    let park: Geometry = polygon![(x: 0.0, y: 0.0), (x: 80.0, y: 20.0), (x: 20.0, y: 80.0)].into();
    let kinds = [kind("park", vec![park])];
    // A in the north-west corner, B in the north-east one (the park's).
    let homes = [c(-10.0, 30.0), c(50.0, 5.0)];
    let bands = [vec!["primary".to_string()], vec![]];
    let r = nearest_distances(&net, &homes, &kinds, &bands, &NetworkConfig::default()).unwrap();
    let d = |band: usize, h: usize| r.distances[0][band][h];
    // A: 10 to the north road's west side, 270 north round its end, 220 back south on its east
    // side to (0, 80), where the corner (20, 80) joins 20 m off: 520. (The side from (0, 0)
    // to (20, 80) joins the same side at y = 20, 40, 60, 5, 10 and 15 m off: 535 at best.)
    assert!(close(d(0, 0), 520.0), "{}", d(0, 0));
    // Without barriers: 10, 10 south to (0, 20), 5 to the side's point (5, 20).
    assert!(close(d(1, 0), 25.0), "{}", d(1, 0));
    // B: 5 to the east road's north side, 10 west to (40, 0), 10 to the side's point (40, 10).
    assert!(close(d(0, 1), 25.0), "{}", d(0, 1));
    assert!(close(d(1, 1), 25.0), "{}", d(1, 1));
}

/// Two playgrounds equally far from a home over the network, reached through different
/// junctions: the first in the layer is named, even though the second's walk reaches the
/// shared junction first. Playground 1 at (-100, 0) walks 50 + 50 m to the junction u at the
/// origin through a node at -50; playground 0 at (100, 0) walks 70 + 30 m through a node at 30.
/// The home at (0, 50), on a path up from u, is 150 m from both. A search that kept the first
/// label to reach u (playground 1's, settled through -50 before the node at 30) would name 1.
#[test]
fn equally_near_amenities_name_the_first() {
    let mut b = NetworkBuilder::new();
    let n: Vec<u32> = [
        (-100.0, 0.0),
        (-50.0, 0.0),
        (0.0, 0.0),
        (30.0, 0.0),
        (100.0, 0.0),
        (0.0, 100.0),
    ]
    .iter()
    .map(|&(x, y)| b.add_node(c(x, y), false))
    .collect();
    b.add_line(&n[0..5], "footway", false);
    b.add_line(&[n[2], n[5]], "footway", false);
    let net = b.build().unwrap();
    let kinds = [kind(
        "playground",
        vec![point(100.0, 0.0), point(-100.0, 0.0)],
    )];
    let r = nearest_distances(
        &net,
        &[c(0.0, 50.0)],
        &kinds,
        &[vec![]],
        &NetworkConfig::default(),
    )
    .unwrap();
    assert_eq!(r.distances[0][0][0], 150.0);
    assert_eq!(r.nearest[0][0][0], 0);
    // The same two with their order swapped: the first is now the one at (-100, 0).
    let kinds = [kind(
        "playground",
        vec![point(-100.0, 0.0), point(100.0, 0.0)],
    )];
    let r = nearest_distances(
        &net,
        &[c(0.0, 50.0)],
        &kinds,
        &[vec![]],
        &NetworkConfig::default(),
    )
    .unwrap();
    assert_eq!((r.distances[0][0][0], r.nearest[0][0][0]), (150.0, 0));
}

/// A road nobody may walk along still parts the streets on its two sides where its class is a
/// barrier: the barrier scene's road as a trunk (a barrier for every band), or as a primary with
/// foot=no (a barrier for 0-5 and 6-11), blocks at least as much as the walkable primary.
#[test]
fn unwalkable_barrier_road_still_parts_the_sides() {
    let line = |pts: &[(f64, f64)], tags: &[(&str, &str)]| {
        let mut props = Properties::new();
        for (k, v) in tags {
            props.insert(k.to_string(), serde_json::Value::String(v.to_string()));
        }
        Feature {
            index: 0,
            geometry: Some(Geometry::LineString(
                pts.iter().map(|&(x, y)| c(x, y)).collect(),
            )),
            props,
            id: None,
        }
    };
    let scene = |road: &[(&str, &str)]| {
        let mut features = vec![
            line(&[(-400.0, 0.0), (0.0, 0.0), (200.0, 0.0)], road),
            line(&[(200.0, 0.0), (400.0, 0.0)], road),
            line(&[(0.0, 0.0), (0.0, 100.0)], &[("highway", "residential")]),
            line(&[(0.0, 0.0), (0.0, -100.0)], &[("highway", "residential")]),
            // A marked crossing 200 m east, reached only along the road itself.
            line(
                &[(200.0, -10.0), (200.0, 0.0), (200.0, 10.0)],
                &[("highway", "footway"), ("footway", "crossing")],
            ),
        ];
        for (i, f) in features.iter_mut().enumerate() {
            f.index = i;
        }
        let layer = Layer {
            path: "walk.geojson".into(),
            crs: Crs::parse("EPSG:32635").unwrap(),
            crs_source: CrsSource::StudyFile,
            features,
            columns: Default::default(),
        };
        WalkNetwork::from_layer(&layer, "highway", Walkable::OsmRules).unwrap()
    };
    // Home 10 m south of the southern street's end, playground 10 m north of the northern one.
    let homes = [c(0.0, -110.0)];
    let kinds = [kind("playground", vec![point(0.0, 110.0)])];
    let d = |net: &WalkNetwork| {
        let r =
            nearest_distances(net, &homes, &kinds, &bands(), &NetworkConfig::default()).unwrap();
        [0, 1, 2].map(|b| r.distances[0][b][0])
    };
    // Walkable primary: 0-5 and 6-11 along it to the crossing and back, 10 + 100 + 200 + 200 +
    // 100 + 10; 12-17 straight over, 10 + 100 + 100 + 10.
    let primary = d(&scene(&[("highway", "primary")]));
    assert!(
        close(primary[0], 620.0) && close(primary[1], 620.0),
        "{primary:?}"
    );
    assert!(close(primary[2], 220.0), "{primary:?}");
    // A trunk cannot be walked to the crossing, nor crossed at the junction: no way for anyone.
    let trunk = d(&scene(&[("highway", "trunk")]));
    assert!(trunk.iter().all(|x| x.is_nan()), "{trunk:?}");
    // foot=no: a barrier for 0-5 and 6-11 (unreachable); for 12-17 no barrier, crossed at the
    // junction though not walked along.
    let foot_no = d(&scene(&[("highway", "primary"), ("foot", "no")]));
    assert!(foot_no[0].is_nan() && foot_no[1].is_nan(), "{foot_no:?}");
    assert!(close(foot_no[2], 220.0), "{foot_no:?}");
    // The road leaves no node or edge of its own in the walk network.
    let st = scene(&[("highway", "trunk")]).stats();
    assert_eq!((st.nodes, st.edges, st.components), (6, 4, 2));

    // Built by hand: the same junction, crossed by no band (220 m for all without the trunk).
    let mut b = NetworkBuilder::new();
    let w = b.add_node(c(-400.0, 0.0), false);
    let o = b.add_node(c(0.0, 0.0), false);
    let x = b.add_node(c(200.0, 0.0), true);
    let n = b.add_node(c(0.0, 100.0), false);
    let s = b.add_node(c(0.0, -100.0), false);
    b.add_unwalkable_line(&[w, o, x], "trunk");
    b.add_line(&[o, n], "residential", false);
    b.add_line(&[o, s], "residential", false);
    let r = d(&b.build().unwrap());
    assert!(r.iter().all(|x| x.is_nan()), "{r:?}");
}

/// A GeoJSON network has no node tags: a `highway=crossing` edge, like a `footway=crossing` one,
/// is walked and marks its nodes as crossings of the barrier road it shares a node with.
#[test]
fn geojson_highway_crossing_edge_is_a_walkable_crossing() {
    let line = |index: usize, pts: &[(f64, f64)], tags: &[(&str, &str)]| {
        let mut props = Properties::new();
        for (k, v) in tags {
            props.insert(k.to_string(), serde_json::Value::String(v.to_string()));
        }
        Feature {
            index,
            geometry: Some(Geometry::LineString(
                pts.iter().map(|&(x, y)| c(x, y)).collect(),
            )),
            props,
            id: None,
        }
    };
    let net = |crossing: &[(&str, &str)]| {
        let features = vec![
            line(
                0,
                &[(-400.0, 0.0), (0.0, 0.0), (200.0, 0.0), (400.0, 0.0)],
                &[("highway", "primary")],
            ),
            line(
                1,
                &[(0.0, 0.0), (0.0, 100.0)],
                &[("highway", "residential")],
            ),
            line(
                2,
                &[(0.0, 0.0), (0.0, -100.0)],
                &[("highway", "residential")],
            ),
            line(3, &[(200.0, -10.0), (200.0, 0.0), (200.0, 10.0)], crossing),
        ];
        let layer = Layer {
            path: "walk.geojson".into(),
            crs: Crs::parse("EPSG:32635").unwrap(),
            crs_source: CrsSource::StudyFile,
            features,
            columns: Default::default(),
        };
        WalkNetwork::from_layer(&layer, "highway", Walkable::OsmRules).unwrap()
    };
    let homes = [c(0.0, -110.0)];
    let kinds = [kind("playground", vec![point(0.0, 110.0)])];
    for tags in [
        &[("highway", "crossing")][..],
        &[("highway", "footway"), ("footway", "crossing")],
    ] {
        let net = net(tags);
        assert_eq!(net.stats().walk_rule_lines.unwrap().refused, 0, "{tags:?}");
        let r =
            nearest_distances(&net, &homes, &kinds, &bands(), &NetworkConfig::default()).unwrap();
        // 0-5: 10 + 100 + 200 along the primary, over at the crossing, 200 + 100 + 10 back.
        assert!(
            close(r.distances[0][0][0], 620.0),
            "{tags:?}: {}",
            r.distances[0][0][0]
        );
    }
}
