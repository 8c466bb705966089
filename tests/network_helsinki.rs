//! The walk network on real data: Helsinki city centre (OSM extract of 2024-08-15).
//!
//! Checked against SOURCES.md (made with pyosmium + shapely) and against networkx distances
//! computed by scripts/network_networkx.py (tests/fixtures/network_helsinki_networkx.json).

mod common;

use std::path::{Path, PathBuf};

use geo::{Area, Coord, Distance, Euclidean, Geometry, Point};
use kindscape::layers::crs::{Crs, Transformer};
use kindscape::layers::{geojson, osm, Layer};
use kindscape::reach::network::{
    nearest_distances, KindTargets, NetworkConfig, WalkNetwork, Walkable,
};

fn helsinki() -> Option<PathBuf> {
    common::shared_data_dir().map(|d| d.join("helsinki-centre"))
}

fn utm35() -> Crs {
    Crs::parse("EPSG:32635").unwrap()
}

fn to_utm() -> Transformer {
    Crs::wgs84().to(&utm35())
}

fn pbf(dir: &Path) -> PathBuf {
    dir.join("osm/helsinki_centre_2024-08-15.osm.pbf")
}

fn read_projected(path: &Path) -> Layer {
    let mut layer = geojson::read(path, None).unwrap();
    layer.reproject(&utm35()).unwrap();
    layer
}

fn geojson_network(dir: &Path) -> WalkNetwork {
    WalkNetwork::from_layer(
        &read_projected(&dir.join("osm_layers/walk_network_edges.geojson")),
        "highway",
        Walkable::OsmRules,
    )
    .unwrap()
}

fn geometries(layer: &Layer) -> Vec<Geometry> {
    layer
        .features
        .iter()
        .filter_map(|f| f.geometry.clone())
        .collect()
}

fn building_points(dir: &Path) -> Vec<Coord> {
    read_projected(&dir.join("osm_layers/building_points.geojson"))
        .features
        .iter()
        .filter_map(|f| match &f.geometry {
            Some(Geometry::Point(p)) => Some(p.0),
            _ => None,
        })
        .collect()
}

fn networkx_fixture() -> serde_json::Value {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/network_helsinki_networkx.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A fixture entry's `lon`/`lat` in UTM 35N.
fn lonlat(to_utm: &Transformer, v: &serde_json::Value) -> Coord {
    to_utm
        .coord(Coord {
            x: v["lon"].as_f64().unwrap(),
            y: v["lat"].as_f64().unwrap(),
        })
        .unwrap()
}

/// SOURCES.md: "31,082 vertices in 211 connected components (largest 29,328)"; the networkx
/// graph of the fixture script gives the same.
#[test]
fn geojson_network_matches_sources_md() {
    let Some(dir) = helsinki() else { return };
    let s = geojson_network(&dir).stats();
    assert_eq!(s.vertices, 31_082);
    assert_eq!(s.components, 211);
    assert_eq!(s.largest_component_vertices, 29_328);
    // "626 km in total" (SOURCES.md, geodesic); projected lengths differ by the UTM scale factor.
    assert!((s.total_km - 626.0).abs() < 1.5, "{}", s.total_km);
}

/// Distances from three vertices to 20 vertices and 20 buildings, equal to networkx + shapely
/// on the same edges within 0.5 m.
#[test]
fn geojson_network_distances_match_networkx() {
    let Some(dir) = helsinki() else { return };
    let fixture = networkx_fixture();
    let t = to_utm();
    let at = |v: &serde_json::Value| lonlat(&t, v);
    let sources: Vec<Geometry> = fixture["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| Geometry::Point(Point(at(s))))
        .collect();
    let targets = fixture["targets"].as_array().unwrap();
    let homes: Vec<Coord> = targets.iter().map(at).collect();
    let net = geojson_network(&dir);
    let cfg = NetworkConfig {
        max_distance: 1e7,
        ..NetworkConfig::default()
    };
    let kinds = [KindTargets {
        kind: "sources".into(),
        geometries: sources,
    }];
    let r = nearest_distances(&net, &homes, &kinds, &[vec![]], &cfg).unwrap();
    let got = &r.distances[0][0];
    assert!(targets.iter().any(|t| t["distance_m"].is_null()));
    for (target, &d) in targets.iter().zip(got) {
        match target["distance_m"].as_f64() {
            None => assert!(d.is_nan(), "{target}: expected unreachable, got {d}"),
            Some(want) => assert!((d - want).abs() < 0.5, "{target}: got {d}"),
        }
    }
}

/// Distances from 40 buildings to the nearest playground polygon equal networkx's over the
/// densified boundary and the points where ways meet it (scripts/network_networkx.py), within
/// 0.5 m.
#[test]
fn geojson_network_distances_to_polygons_match_networkx() {
    let Some(dir) = helsinki() else { return };
    let fixture = networkx_fixture();
    let t = to_utm();
    let homes_json = fixture["polygons"]["homes"].as_array().unwrap();
    let homes: Vec<Coord> = homes_json.iter().map(|v| lonlat(&t, v)).collect();
    let polygons: Vec<Geometry> =
        geometries(&read_projected(&dir.join("osm_layers/playgrounds.geojson")))
            .into_iter()
            .filter(|g| matches!(g, Geometry::Polygon(_) | Geometry::MultiPolygon(_)))
            .collect();
    assert_eq!(polygons.len(), 115);
    let cfg = NetworkConfig {
        max_distance: 1e7,
        ..NetworkConfig::default()
    };
    let kinds = [KindTargets {
        kind: "playground".into(),
        geometries: polygons,
    }];
    let r = nearest_distances(&geojson_network(&dir), &homes, &kinds, &[vec![]], &cfg).unwrap();
    assert!(homes_json.iter().any(|h| h["distance_m"].is_null()));
    for (home, &d) in homes_json.iter().zip(&r.distances[0][0]) {
        match home["distance_m"].as_f64() {
            None => assert!(d.is_nan(), "{home}: expected unreachable, got {d}"),
            Some(want) => assert!((d - want).abs() < 0.5, "{home}: got {d}"),
        }
    }
}

/// Every building's distance to the nearest playground (115 areas, 7 points) and to the nearest
/// green space (2,389 areas), without barriers and with primary and secondary roads as
/// barriers, equals the exact search of scripts/network_networkx.py (its own segment graph,
/// sided graph and side tests by point-in-polygon) within 0.5 m, and both leave the same homes
/// unreached. Prints the p50/p95/max difference.
#[test]
fn geojson_network_distances_to_parks_match_the_exact_search() {
    let Some(dir) = helsinki() else { return };
    let fixture = networkx_fixture();
    let exact = &fixture["exact"];
    let homes = building_points(&dir);
    assert_eq!(exact["homes"].as_u64(), Some(homes.len() as u64));
    let barriers: Vec<String> = exact["barriers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b.as_str().unwrap().to_string())
        .collect();
    let kinds: Vec<KindTargets> = [("playground", "playgrounds"), ("green", "green_spaces")]
        .iter()
        .map(|(kind, file)| KindTargets {
            kind: kind.to_string(),
            geometries: geometries(&read_projected(
                &dir.join(format!("osm_layers/{file}.geojson")),
            )),
        })
        .collect();
    let cfg = NetworkConfig {
        max_distance: 1e7,
        attach_limit_m: 200.0,
        boundary_spacing_m: 25.0,
    };
    let net = geojson_network(&dir);
    let r = nearest_distances(&net, &homes, &kinds, &[vec![], barriers], &cfg).unwrap();
    for (k, kind) in kinds.iter().enumerate() {
        for (band, variant) in ["plain", "sided"].iter().enumerate() {
            let want = exact[&kind.kind][variant].as_array().unwrap();
            let mut diffs = Vec::new();
            for (h, (w, &got)) in want.iter().zip(&r.distances[k][band]).enumerate() {
                match w.as_f64() {
                    None => assert!(
                        got.is_nan(),
                        "{} {variant} home {h}: {got} vs unreached",
                        kind.kind
                    ),
                    Some(w) => {
                        assert!(
                            got.is_finite(),
                            "{} {variant} home {h}: unreached vs {w}",
                            kind.kind
                        );
                        diffs.push((got - w).abs());
                    }
                }
            }
            diffs.sort_by(f64::total_cmp);
            let q = |p: f64| diffs[((diffs.len() - 1) as f64 * p).round() as usize];
            eprintln!(
                "{} {variant}: {} homes reached, |kindscape - exact| p50 {:.3} p95 {:.3} max {:.3} m",
                kind.kind,
                diffs.len(),
                q(0.5),
                q(0.95),
                q(1.0)
            );
            assert!(diffs.len() > homes.len() * 9 / 10);
            assert!(
                q(1.0) < 0.5,
                "{} {variant}: max difference {} m",
                kind.kind,
                q(1.0)
            );
        }
    }
}

/// OSM entrances (`entrance=*`) and gates (`barrier=gate`) on the boundary of a playground or
/// park, on a walkable way of the .pbf network: a child standing there has reached it (distance
/// 0, with and without barriers), whatever other join points lie near.
#[test]
fn pbf_entrances_and_gates_on_a_park_boundary_reach_it_at_0() {
    let Some(dir) = helsinki() else { return };
    let read = |tags: &[&str]| {
        let tags: Vec<String> = tags.iter().map(|t| t.to_string()).collect();
        let mut layer = osm::read_amenities(&pbf(&dir), &tags).unwrap().layer;
        layer.reproject(&utm35()).unwrap();
        geometries(&layer)
    };
    let parks: Vec<Geometry> = read(&["leisure=playground", "leisure=park"])
        .into_iter()
        .filter(|g| matches!(g, Geometry::Polygon(_) | Geometry::MultiPolygon(_)))
        .collect();
    let rings: Vec<geo::LineString> = parks
        .iter()
        .flat_map(|g| {
            let polygons = match g {
                Geometry::Polygon(p) => vec![p.clone()],
                Geometry::MultiPolygon(m) => m.0.clone(),
                _ => vec![],
            };
            polygons.into_iter().flat_map(|p| {
                let (exterior, interiors) = p.into_inner();
                std::iter::once(exterior).chain(interiors)
            })
        })
        .collect();
    let gates: Vec<Coord> = read(&["entrance=*", "barrier=gate"])
        .into_iter()
        .filter_map(|g| match g {
            Geometry::Point(p) => Some(p.0),
            _ => None,
        })
        .filter(|&p| {
            rings
                .iter()
                .any(|r| Euclidean.distance(&Point(p), r) < 1e-6)
        })
        .collect();
    let net = WalkNetwork::from_osm(&pbf(&dir), &to_utm()).unwrap();
    // Only points on a way join (a micrometre): the gates off the network are left out.
    let cfg = NetworkConfig {
        attach_limit_m: 1e-6,
        ..NetworkConfig::default()
    };
    let kinds = [KindTargets {
        kind: "park".into(),
        geometries: parks,
    }];
    let bands = [vec![], vec!["primary".to_string(), "secondary".to_string()]];
    let r = nearest_distances(&net, &gates, &kinds, &bands, &cfg).unwrap();
    let on_network = r.distances[0][0].iter().filter(|d| d.is_finite()).count();
    eprintln!(
        "{} entrances and gates on a park's boundary, {on_network} on a way",
        gates.len()
    );
    assert!(on_network >= 10, "{on_network}");
    for band in &r.distances[0] {
        for (g, d) in gates.iter().zip(band) {
            assert!(d.is_nan() || *d <= 1e-6, "gate at {g:?}: {d} m");
        }
    }
}

/// SOURCES.md: 122 playgrounds (115 areas, 7 points) and 14 libraries (11 points, 3 areas);
/// each area has the same area as the pyosmium + shapely polygon of the same OSM object.
#[test]
fn pbf_amenities_match_the_pyosmium_layers() {
    let Some(dir) = helsinki() else { return };
    for (tag, file, total, points) in [
        ("leisure=playground", "playgrounds.geojson", 122, 7),
        ("amenity=library", "libraries.geojson", 14, 11),
    ] {
        let got = osm::read_amenities(&pbf(&dir), &[tag.to_string()]).unwrap();
        let layer = &got.layer;
        assert_eq!(layer.features.len(), total, "{tag}");
        let n_points = layer
            .features
            .iter()
            .filter(|f| matches!(f.geometry, Some(Geometry::Point(_))))
            .count();
        assert_eq!(n_points, points, "{tag}");
        assert_eq!(got.incomplete, 0);
        let reference = geojson::read(&dir.join("osm_layers").join(file), None).unwrap();
        let key = |p: &kindscape::layers::Properties| {
            format!(
                "{}/{}",
                p["osm_type"].as_str().unwrap_or(""),
                p["osm_id"].as_i64().unwrap_or(0)
            )
        };
        for f in &reference.features {
            let mine = layer
                .features
                .iter()
                .find(|g| key(&g.props) == key(&f.props))
                .unwrap_or_else(|| panic!("{tag}: {} missing", key(&f.props)));
            let (a, b) = (
                mine.geometry.as_ref().unwrap().unsigned_area(),
                f.geometry.as_ref().unwrap().unsigned_area(),
            );
            assert!(
                (a - b).abs() <= 1e-9 * b.max(1e-12),
                "{tag} {}: {a} vs {b}",
                key(&f.props)
            );
        }
    }
}

/// The .pbf walk rules give nearly the GeoJSON's network: the 2 ways tagged foot=yes with
/// access=private are the whole difference (DESIGN: never access=private), 4 vertices and one
/// component.
#[test]
fn pbf_network_is_the_geojson_network() {
    let Some(dir) = helsinki() else { return };
    let a = WalkNetwork::from_osm(&pbf(&dir), &to_utm())
        .unwrap()
        .stats();
    let b = geojson_network(&dir).stats();
    assert!(a.vertices.abs_diff(b.vertices) <= 10, "{a:?} vs {b:?}");
    assert!(a.components.abs_diff(b.components) <= 2, "{a:?} vs {b:?}");
    assert!((a.total_km - b.total_km).abs() < 0.5, "{a:?} vs {b:?}");
    assert!(a.bridge_or_tunnel_edges > 1000);
}

/// From the .pbf alone and from the GeoJSON layers, every building's distance to the nearest
/// playground agrees within 1 m for at least 99% of buildings (band without barriers: the
/// GeoJSON has no node tags, so crossings differ), and never falls below the straight line.
#[test]
fn pbf_and_geojson_runs_agree_and_respect_the_straight_line() {
    let Some(dir) = helsinki() else { return };
    let homes = building_points(&dir);
    let cfg = NetworkConfig::default();
    let mut pg = osm::read_amenities(&pbf(&dir), &["leisure=playground".to_string()])
        .unwrap()
        .layer;
    pg.reproject(&utm35()).unwrap();
    let kinds = |g: Vec<Geometry>| {
        [KindTargets {
            kind: "playground".into(),
            geometries: g,
        }]
    };
    let bands = [vec![], vec!["primary".to_string(), "secondary".to_string()]];
    let net = WalkNetwork::from_osm(&pbf(&dir), &to_utm()).unwrap();
    let a = nearest_distances(&net, &homes, &kinds(geometries(&pg)), &bands, &cfg).unwrap();
    let gpg = read_projected(&dir.join("osm_layers/playgrounds.geojson"));
    let b = nearest_distances(
        &geojson_network(&dir),
        &homes,
        &kinds(geometries(&gpg)),
        &bands,
        &cfg,
    )
    .unwrap();
    let same = a.distances[0][0]
        .iter()
        .zip(&b.distances[0][0])
        .filter(|(x, y)| (x.is_nan() && y.is_nan()) || (*x - *y).abs() <= 1.0)
        .count();
    assert!(same * 100 >= homes.len() * 99, "{same} of {}", homes.len());

    let straight: Vec<f64> = homes
        .iter()
        .map(|h| {
            geometries(&pg)
                .iter()
                .map(|g| Euclidean.distance(&Point(*h), g))
                .fold(f64::INFINITY, f64::min)
        })
        .collect();
    let mut reached = 0;
    for band in &a.distances[0] {
        for (d, s) in band.iter().zip(&straight) {
            if d.is_finite() {
                reached += 1;
                assert!(*d >= *s - 1e-6, "network {d} < straight line {s}");
            }
        }
    }
    assert!(reached > homes.len());
    // Barriers only lengthen walks.
    for (with, without) in a.distances[0][1].iter().zip(&a.distances[0][0]) {
        assert!(with.is_nan() || *with >= *without - 1e-9);
    }
}

/// Play space per child over the walk network (E2SFCA, one bounded search per playground) equals
/// PySAL `access` fed with a networkx cost matrix of the same graph
/// (scripts/network_e2sfca_fixture.py): 300 buildings, 30 playground polygons, three bands,
/// step and gaussian decay, to 1e-6 relative.
#[test]
fn network_play_space_matches_pysal_with_networkx_costs() {
    use kindscape::measures::e2sfca;
    use kindscape::measures::play_space::play_m2_per_child;
    use kindscape::reach::network::NetworkReach;
    use kindscape::scene::{Amenity, AmenityKind};
    use kindscape::study::Resolved;

    let Some(dir) = helsinki() else { return };
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/network_e2sfca_helsinki.json");
    let fixture: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let t = to_utm();
    let layer = read_projected(&dir.join("osm_layers/playgrounds.geojson"));
    let mut playgrounds = Vec::new();
    for p in fixture["playgrounds"].as_array().unwrap() {
        let feature = &layer.features[p["feature"].as_u64().unwrap() as usize];
        let mut a = Amenity::from_geometries([feature.geometry.clone().unwrap()]).unwrap();
        assert_eq!(a.len(), 1);
        a[0].capacity = p["area"].as_f64().unwrap();
        playgrounds.push(a.remove(0));
    }
    let homes = fixture["homes"].as_array().unwrap();
    let coords: Vec<(f64, f64)> = homes
        .iter()
        .map(|h| {
            let c = lonlat(&t, h);
            (c.x, c.y)
        })
        .collect();
    let children: Vec<f64> = homes
        .iter()
        .flat_map(|h| {
            let c = h["children"].as_array().unwrap();
            c.iter().map(|v| v.as_f64().unwrap()).collect::<Vec<_>>()
        })
        .collect();
    let bands = ["0-5", "6-11", "12-17"];
    let scene = common::one_neighbourhood_scene(
        &bands,
        common::rectangle(0.0, 0.0, 1e7, 1e7),
        &coords,
        children.clone(),
        vec![AmenityKind {
            kind: "playground".into(),
            items: playgrounds,
        }],
    );
    let net = geojson_network(&dir);
    let reach = NetworkReach::new(
        &net,
        &scene.homes.coords,
        &[vec![], vec![], vec![]],
        &NetworkConfig::default(),
    )
    .unwrap();
    for name in ["step", "gaussian"] {
        let study = Resolved::parse(
            &format!(
                "[study]\nname = \"n\"\n[neighbourhoods]\npath = \"n.geojson\"\nid = \"id\"\n\
                 children = {{ \"0-5\" = \"a\", \"6-11\" = \"b\", \"12-17\" = \"c\" }}\n\
                 [homes]\npath = \"h.geojson\"\n[[amenities]]\nkind = \"playground\"\npath = \"p.geojson\"\n\
                 [norms]\nplayground = {{ \"0-5\" = 100, \"6-11\" = 400, \"12-17\" = 1000 }}\n\
                 [catchment]\nkind = \"playground\"\ndecay = \"{name}\"\n"
            ),
            Path::new("n.toml"),
        )
        .unwrap();
        let got = play_m2_per_child(&study.catchment, &study.norms, &scene, Some(&reach))
            .unwrap()
            .unwrap();
        let expected = &fixture["expected"][name];
        let mut reached = 0;
        for (h, &g) in got.iter().enumerate() {
            // PySAL per (home, band), null where nothing is in reach; combined as kindscape does.
            let per_band = (0..3).map(|b| {
                let v = expected[b][h].as_f64().unwrap_or(0.0);
                (children[h * 3 + b], v)
            });
            let want = e2sfca::over_bands(per_band).unwrap();
            reached += usize::from(want > 0.0);
            assert!(
                (g - want).abs() <= 1e-6 * want.abs().max(1.0),
                "{name}: home {h} ({}): {g} against {want}",
                homes[h]["id"]
            );
        }
        assert!(
            reached > 100,
            "{name}: only {reached} homes reach a playground"
        );
        // Walking is not flying: many homes get other play space than in a straight line.
        let straight = play_m2_per_child(&study.catchment, &study.norms, &scene, None)
            .unwrap()
            .unwrap();
        let differ = straight
            .iter()
            .zip(&got)
            .filter(|(s, g)| (*s - *g).abs() > 0.01 * s.abs().max(1.0))
            .count();
        assert!(
            differ > 50,
            "{name}: only {differ} homes differ from straight lines"
        );
    }
}
