//! The town's `.osm.pbf`, read back with the `osmpbf` crate (an independent decoder), holds the
//! same content as its GeoJSON layers: the same homes at the same places, the same network
//! edges and highway classes, the crossings, and the amenities with their tags.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use geo::{Coord, Geometry};
use kindscape::layers::crs::Crs;
use kindscape::layers::geojson::read;
use kindscape::sample::{write_sample, SampleOptions, OSM_FILE, OSM_STUDY_FILE};
use kindscape::study::{Resolved, Study};
use osmpbf::{Element, ElementReader};

#[derive(Default)]
struct Osm {
    /// id -> (lon, lat, tags)
    nodes: HashMap<i64, (f64, f64, BTreeMap<String, String>)>,
    /// (id, refs, tags) in file order.
    ways: Vec<(i64, Vec<i64>, BTreeMap<String, String>)>,
    relations: usize,
}

fn read_osm(path: &Path) -> Osm {
    let mut osm = Osm::default();
    let mut last_node = 0i64;
    let mut last_way = 0i64;
    ElementReader::from_path(path)
        .unwrap()
        .for_each(|e| match e {
            Element::DenseNode(n) => {
                assert!(n.id() > last_node, "nodes sorted by id");
                last_node = n.id();
                let tags = n
                    .tags()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect();
                osm.nodes.insert(n.id(), (n.lon(), n.lat(), tags));
            }
            Element::Node(n) => {
                let tags = n
                    .tags()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect();
                osm.nodes.insert(n.id(), (n.lon(), n.lat(), tags));
            }
            Element::Way(w) => {
                assert!(w.id() > last_way, "ways sorted by id");
                last_way = w.id();
                let tags = w
                    .tags()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect();
                osm.ways.push((w.id(), w.refs().collect(), tags));
            }
            Element::Relation(_) => osm.relations += 1,
        })
        .unwrap();
    osm
}

fn key(c: Coord) -> (i64, i64) {
    ((c.x * 100.0).round() as i64, (c.y * 100.0).round() as i64)
}

#[test]
fn osm_pbf_holds_the_same_town_as_the_geojson() {
    let dir = tempfile::tempdir().unwrap();
    let opts = SampleOptions {
        osm_pbf: true,
        ..SampleOptions::default()
    };
    let s = write_sample(dir.path(), &opts).unwrap();
    let osm = read_osm(&dir.path().join(OSM_FILE));
    assert_eq!(osm.relations, 0);
    let d = dir.path();
    let layer = |name: &str| read(&d.join(name), None).unwrap();

    // Every way refers to nodes that exist; areas are closed.
    for (id, refs, tags) in &osm.ways {
        assert!(refs.len() >= 2, "way {id}");
        for r in refs {
            assert!(
                osm.nodes.contains_key(r),
                "way {id} refers to missing node {r}"
            );
        }
        if !tags.contains_key("highway") {
            assert_eq!(refs.first(), refs.last(), "area way {id} is closed");
        }
    }

    // The network: the same number of edges per highway class, crossings tagged alike.
    let walk = layer("walk.geojson");
    let mut gj_classes: BTreeMap<String, usize> = BTreeMap::new();
    let mut gj_crossings = 0;
    for f in &walk.features {
        *gj_classes
            .entry(f.props["highway"].as_str().unwrap().to_string())
            .or_default() += 1;
        gj_crossings +=
            usize::from(f.props.get("footway").and_then(|v| v.as_str()) == Some("crossing"));
    }
    let mut osm_classes: BTreeMap<String, usize> = BTreeMap::new();
    let mut osm_crossings = 0;
    for (_, _, tags) in &osm.ways {
        if let Some(h) = tags.get("highway") {
            *osm_classes.entry(h.clone()).or_default() += 1;
            osm_crossings +=
                usize::from(tags.get("footway").map(String::as_str) == Some("crossing"));
        }
    }
    assert_eq!(osm_classes, gj_classes);
    assert_eq!(osm_crossings, gj_crossings);
    let crossing_nodes: Vec<_> = osm
        .nodes
        .values()
        .filter(|n| n.2.get("highway").map(String::as_str) == Some("crossing"))
        .collect();
    assert_eq!(crossing_nodes.len(), s.crossings);
    // Each crossing node is shared by a barrier way and a crossing footway.
    let crossing_ids: BTreeSet<i64> = osm
        .nodes
        .iter()
        .filter(|(_, n)| n.2.get("highway").map(String::as_str) == Some("crossing"))
        .map(|(id, _)| *id)
        .collect();
    for id in &crossing_ids {
        let on = |pred: &dyn Fn(&BTreeMap<String, String>) -> bool| {
            osm.ways
                .iter()
                .any(|(_, refs, t)| pred(t) && refs.contains(id))
        };
        assert!(on(
            &|t| ["primary", "secondary", "tertiary"].contains(&t["highway"].as_str())
        ));
        assert!(on(
            &|t| t.get("footway").map(String::as_str) == Some("crossing")
        ));
    }

    // Homes: the same ids at the same places (to 2 cm, the precision of both files).
    let to_rd = Crs::wgs84().to(&Crs::parse("EPSG:28992").unwrap());
    let homes = layer("homes.geojson");
    let by_ref: HashMap<String, Coord> = osm
        .nodes
        .values()
        .filter(|n| n.2.get("building").map(String::as_str) == Some("house"))
        .map(|n| {
            let rd = to_rd.coord(Coord { x: n.0, y: n.1 }).unwrap();
            (n.2["ref"].clone(), rd)
        })
        .collect();
    assert_eq!(by_ref.len(), homes.features.len());
    for f in &homes.features {
        let Some(Geometry::Point(p)) = &f.geometry else {
            panic!()
        };
        let id = f.props["home_id"].as_str().unwrap();
        let o = by_ref[id];
        assert!(
            (o.x - p.x()).abs() < 0.02 && (o.y - p.y()).abs() < 0.02,
            "{id}: {o:?} vs {p:?}"
        );
    }

    // Amenities: nodes and areas per tag match the GeoJSON layers' points and polygons.
    let count = |k: &str, v: &str| -> (usize, usize) {
        let nodes = osm
            .nodes
            .values()
            .filter(|n| n.2.get(k).map(String::as_str) == Some(v))
            .count();
        let ways = osm
            .ways
            .iter()
            .filter(|w| w.2.get(k).map(String::as_str) == Some(v))
            .count();
        (nodes, ways)
    };
    for (name, k, v) in [
        ("playgrounds.geojson", "leisure", "playground"),
        ("green_spaces.geojson", "leisure", "park"),
        ("libraries.geojson", "amenity", "library"),
        ("community_centres.geojson", "amenity", "community_centre"),
    ] {
        let l = layer(name);
        let points = l
            .features
            .iter()
            .filter(|f| matches!(f.geometry, Some(Geometry::Point(_))))
            .count();
        assert_eq!(count(k, v), (points, l.features.len() - points), "{name}");
    }

    // The network's end points in OSM are the GeoJSON's, node for node.
    let gj_ends: BTreeSet<(i64, i64)> = walk
        .features
        .iter()
        .flat_map(|f| match &f.geometry {
            Some(Geometry::LineString(l)) => [key(l.0[0]), key(*l.0.last().unwrap())],
            _ => panic!(),
        })
        .collect();
    let osm_ends: BTreeSet<i64> = osm
        .ways
        .iter()
        .filter(|w| w.2.contains_key("highway"))
        .flat_map(|w| [w.1[0], *w.1.last().unwrap()])
        .collect();
    assert_eq!(osm_ends.len(), gj_ends.len());
    assert_eq!(osm_ends.len(), s.network_nodes);
}

#[test]
fn osm_study_file_parses() {
    let dir = tempfile::tempdir().unwrap();
    write_sample(
        dir.path(),
        &SampleOptions {
            osm_pbf: true,
            ..SampleOptions::default()
        },
    )
    .unwrap();
    let study = Study::load(&dir.path().join(OSM_STUDY_FILE)).unwrap();
    assert_eq!(
        Resolved::new(study.clone()).unwrap().kinds,
        vec!["playground", "green_space", "library", "community_centre"]
    );
    let net = study.file.network.as_ref().unwrap();
    assert_eq!(net.osm.as_deref(), Some(OSM_FILE));
    for a in &study.file.amenities {
        assert_eq!(a.osm.as_deref(), Some(OSM_FILE));
        assert_eq!(a.tags.len(), 1);
    }
}
