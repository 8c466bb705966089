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

/// Streets cut into 25 m pieces (the benchmark's dense network) are the same streets: every
/// segment is at most 25 m, the graph has 3 to 4 times the edges, and every walking distance
/// of a run is the uncut city's (vertices added on straight lines change no path; the 0.01 m
/// rounding of the new vertices moves a home's join by millimetres).
#[test]
fn streets_cut_into_pieces_walk_the_same_distances() {
    use kindscape::reach::network::{WalkNetwork, Walkable};
    use kindscape::run::{run_study, RunOptions};
    let (whole, cut) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let write = |dir: &std::path::Path, street_piece_m| {
        write_sample(
            dir,
            &SampleOptions {
                street_piece_m,
                ..SampleOptions::default()
            },
        )
        .unwrap()
    };
    let (sw, sc) = (write(whole.path(), None), write(cut.path(), Some(25)));
    assert_eq!(sw.network_edges, sc.network_edges, "the same streets");
    let layer = |dir: &std::path::Path| {
        let mut layer = read(&dir.join("walk.geojson"), None).unwrap();
        layer
            .reproject(&kindscape::layers::crs::Crs::from_epsg(28992).unwrap())
            .unwrap();
        layer
    };
    let (lw, lc) = (layer(whole.path()), layer(cut.path()));
    let stats = |l: &kindscape::layers::Layer| {
        WalkNetwork::from_layer(l, "highway", Walkable::OsmRules)
            .unwrap()
            .stats()
    };
    let (gw, gc) = (stats(&lw), stats(&lc));
    assert!(
        gc.edges > 3 * gw.edges,
        "{} edges cut from {}",
        gc.edges,
        gw.edges
    );
    assert_eq!(gc.vertices, gw.vertices, "the same junctions and dead ends");
    assert!(
        (gc.total_km - gw.total_km).abs() < 1e-3,
        "{gc:?} against {gw:?}"
    );
    for f in &lc.features {
        let Some(Geometry::LineString(l)) = &f.geometry else {
            panic!("feature {}: not a LineString", f.index)
        };
        for w in l.0.windows(2) {
            let piece = (w[1].x - w[0].x).hypot(w[1].y - w[0].y);
            assert!(
                piece <= 25.0 + 0.02,
                "feature {}: a piece of {piece} m",
                f.index
            );
        }
    }

    let run = |dir: &std::path::Path, s: &std::path::Path| {
        run_study(
            s,
            &RunOptions {
                out: Some(dir.join("out")),
                quiet: true,
                language: None,
                ..Default::default()
            },
        )
        .unwrap();
        let mut r = csv::Reader::from_path(dir.join("out/homes.csv")).unwrap();
        let headers = r.headers().unwrap().clone();
        let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
        (headers, rows)
    };
    let (hw, rw) = run(whole.path(), &sw.study);
    let (hc, rc) = run(cut.path(), &sc.study);
    assert_eq!(hw, hc);
    let walked: Vec<usize> = (0..hw.len())
        .filter(|&i| hw[i].contains("_net_m"))
        .collect();
    assert!(walked.len() >= 16, "{hw:?}");
    let mut compared = 0;
    for (a, b) in rw.iter().zip(&rc) {
        assert_eq!(a[0], b[0]);
        for &i in &walked {
            let (x, y) = (a[i].parse::<f64>().ok(), b[i].parse::<f64>().ok());
            match (x, y) {
                (Some(x), Some(y)) => {
                    assert!(
                        (x - y).abs() <= 0.15,
                        "home {}: {} {x} against {y}",
                        &a[0],
                        &hw[i]
                    );
                    compared += 1;
                }
                _ => assert_eq!(a[i], b[i], "home {}: {}", &a[0], &hw[i]),
            }
        }
    }
    assert!(compared > 10 * rw.len(), "{compared}");
}
