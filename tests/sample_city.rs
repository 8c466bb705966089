//! The synthetic benchmark city: the same generator scaled up keeps the promised ratios
//! (neighbourhoods of about 5000 residents, a playground per about 150 children, a library per
//! 20k and a community centre per 10k residents), barrier arterials with sparse crossings, and
//! a connected walking network. Ratios are recomputed here from the written files.

use std::collections::{BTreeSet, HashMap};
use std::time::Instant;

use geo::Geometry;
use kindscape::layers::geojson::read;
use kindscape::sample::{write_sample, SampleOptions};

fn key(c: geo::Coord) -> (i64, i64) {
    ((c.x * 100.0).round() as i64, (c.y * 100.0).round() as i64)
}

fn find(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

#[test]
fn a_city_of_25000_homes_keeps_the_ratios() {
    let dir = tempfile::tempdir().unwrap();
    let homes = 25_000;
    let s = write_sample(
        dir.path(),
        &SampleOptions {
            homes,
            seed: 3,
            ..SampleOptions::default()
        },
    )
    .unwrap();
    let layer = |name: &str| read(&dir.path().join(name), None).unwrap();
    assert_eq!(layer("homes.geojson").features.len(), homes);

    let nbs = layer("neighbourhoods.geojson");
    let num = |f: &kindscape::layers::Feature, k: &str| f.props[k].as_f64().unwrap();
    let inhabitants: f64 = nbs.features.iter().map(|f| num(f, "inhabitants")).sum();
    let children: f64 = nbs
        .features
        .iter()
        .map(|f| num(f, "age_0_5") + num(f, "age_6_11") + num(f, "age_12_17"))
        .sum();
    let per_nb = inhabitants / nbs.features.len() as f64;
    assert!(
        (3500.0..7000.0).contains(&per_nb),
        "{per_nb} residents per neighbourhood"
    );
    let codes: BTreeSet<&str> = nbs
        .features
        .iter()
        .map(|f| f.props["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes.len(), nbs.features.len());

    let playgrounds = layer("playgrounds.geojson").features.len() as f64;
    let ratio = children / playgrounds;
    assert!(
        (100.0..250.0).contains(&ratio),
        "{ratio} children per playground"
    );
    let libraries = layer("libraries.geojson").features.len() as f64;
    assert!(
        (inhabitants / libraries - 20_000.0).abs() < 10_000.0,
        "{libraries} libraries"
    );
    let centres = layer("community_centres.geojson").features.len() as f64;
    assert!(
        (inhabitants / centres - 10_000.0).abs() < 5_000.0,
        "{centres} community centres"
    );
    let parks = layer("green_spaces.geojson").features.len();
    assert!(parks >= 10, "{parks} parks");

    // Network: connected; barriers of three classes; crossings on a minority of their junctions.
    let walk = layer("walk.geojson");
    let mut ids: HashMap<(i64, i64), usize> = HashMap::new();
    let mut edges = Vec::new();
    let mut barrier_nodes: BTreeSet<(i64, i64)> = BTreeSet::new();
    let mut crossing_nodes: BTreeSet<(i64, i64)> = BTreeSet::new();
    let mut classes: BTreeSet<String> = BTreeSet::new();
    for f in &walk.features {
        let Some(Geometry::LineString(l)) = &f.geometry else {
            panic!()
        };
        let (a, b) = (key(l.0[0]), key(*l.0.last().unwrap()));
        for k in [a, b] {
            let n = ids.len();
            ids.entry(k).or_insert(n);
        }
        edges.push((ids[&a], ids[&b]));
        let h = f.props["highway"].as_str().unwrap();
        classes.insert(h.to_string());
        if ["primary", "secondary", "tertiary"].contains(&h) {
            barrier_nodes.extend([a, b]);
        }
        if f.props.get("footway").and_then(|v| v.as_str()) == Some("crossing") {
            crossing_nodes.extend([a, b]);
        }
    }
    for c in ["primary", "secondary", "tertiary", "residential", "footway"] {
        assert!(classes.contains(c), "{c} missing from {classes:?}");
    }
    let mut parent: Vec<usize> = (0..ids.len()).collect();
    for (a, b) in edges {
        let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
        parent[ra] = rb;
    }
    let pieces: BTreeSet<usize> = (0..ids.len()).map(|i| find(&mut parent, i)).collect();
    assert_eq!(pieces.len(), 1);
    let marked = crossing_nodes.intersection(&barrier_nodes).count();
    assert!(
        marked > 0 && marked * 3 < barrier_nodes.len(),
        "{marked} of {}",
        barrier_nodes.len()
    );
    assert_eq!(marked, s.crossings);
}

/// Not a timed test (CI never times): run by hand with
/// `cargo test --release --test sample_city -- --ignored --nocapture`.
#[test]
#[ignore = "a million homes; run by hand for timing"]
fn a_million_homes() {
    let dir = tempfile::tempdir().unwrap();
    for osm_pbf in [false, true] {
        let t = Instant::now();
        let s = write_sample(
            dir.path(),
            &SampleOptions {
                homes: 1_000_000,
                osm_pbf,
                ..SampleOptions::default()
            },
        )
        .unwrap();
        let bytes: u64 = s
            .files
            .iter()
            .map(|f| std::fs::metadata(f).unwrap().len())
            .sum();
        eprintln!(
            "1e6 homes, osm_pbf={osm_pbf}: {:.2} s, {} MB, {} edges, {} playgrounds, {} parks, {} neighbourhoods",
            t.elapsed().as_secs_f64(),
            bytes / 1_000_000,
            s.network_edges,
            s.playgrounds,
            s.green_spaces,
            s.neighbourhoods
        );
    }
}
