//! The sample town: deterministic, loadable, and shaped as promised (six neighbourhoods that tile
//! the town, every home in exactly one of them, a connected network split at intersections,
//! a primary road with two marked crossings, under-served poorer neighbourhoods).
//!
//! The checks are independent of the generator: they read the written files with the project's
//! loaders and test them by brute force with geo (containment, areas, overlaps) and a
//! union-find over the network's end points.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use geo::{
    Area, BooleanOps, Contains, Coord, Distance, Geometry, Length, LineString, Point, Polygon,
};
use kindscape::layers::crs::Crs;
use kindscape::layers::geojson::read;
use kindscape::layers::{CrsSource, Layer};
use kindscape::sample::{write_sample, SampleOptions, SampleSummary, OSM_FILE, STUDY_FILE};
use kindscape::study::{Resolved, Study};

const LAYERS: [&str; 7] = [
    "neighbourhoods.geojson",
    "homes.geojson",
    "playgrounds.geojson",
    "green_spaces.geojson",
    "libraries.geojson",
    "community_centres.geojson",
    "walk.geojson",
];

fn town(dir: &Path) -> SampleSummary {
    write_sample(dir, &SampleOptions::default()).expect("the sample town is written")
}

/// A layer in RD New metres.
fn load_rd(path: &Path) -> Layer {
    let mut layer = read(path, None).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    layer.reproject(&Crs::parse("EPSG:28992").unwrap()).unwrap();
    layer
}

fn text(f: &kindscape::layers::Feature, key: &str) -> String {
    f.props
        .get(key)
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_string()
}

fn polygons(layer: &Layer) -> Vec<(String, Polygon)> {
    layer
        .features
        .iter()
        .map(|f| match &f.geometry {
            Some(Geometry::Polygon(p)) => (text(f, "code"), p.clone()),
            other => panic!("feature {}: not a polygon: {other:?}", f.index),
        })
        .collect()
}

#[test]
fn same_seed_same_bytes_other_seed_other_town() {
    let (a, b, c) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let opts = SampleOptions {
        osm_pbf: true,
        ..SampleOptions::default()
    };
    let sa = write_sample(a.path(), &opts).unwrap();
    write_sample(b.path(), &opts).unwrap();
    write_sample(
        c.path(),
        &SampleOptions {
            seed: 7,
            ..opts.clone()
        },
    )
    .unwrap();
    assert_eq!(sa.files.len(), LAYERS.len() + 3, "{:?}", sa.files);
    for f in &sa.files {
        let name = f.file_name().unwrap();
        let (x, y) = (
            std::fs::read(f).unwrap(),
            std::fs::read(b.path().join(name)).unwrap(),
        );
        assert!(
            x == y,
            "{name:?} differs between two runs with the same seed"
        );
    }
    let homes = |d: &Path| std::fs::read(d.join("homes.geojson")).unwrap();
    assert_ne!(homes(a.path()), homes(c.path()));
    // No temporary files left behind.
    let leftovers: Vec<_> = std::fs::read_dir(a.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".part"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn study_file_parses_and_points_at_the_layers() {
    let dir = tempfile::tempdir().unwrap();
    let s = town(dir.path());
    assert_eq!(s.study, dir.path().join(STUDY_FILE));
    let study = Study::load(&s.study).unwrap();
    assert_eq!(study.file.study.name, "Sample Town");
    let resolved = Resolved::new(study.clone()).unwrap();
    let mut bands = resolved.bands.clone();
    bands.sort();
    assert_eq!(bands, vec!["0-5", "12-17", "6-11"]);
    assert_eq!(
        resolved.kinds,
        vec!["playground", "green_space", "library", "community_centre"]
    );
    assert_eq!(
        study.file.neighbourhoods.keep,
        vec!["mean_income", "low_income_share"]
    );
    assert_eq!(study.file.equity.as_ref().unwrap().by, "mean_income");
    assert_eq!(study.file.sites.as_ref().unwrap().count, Some(3));
    let net = study.file.network.as_ref().unwrap();
    assert_eq!(net.max_distance, Some(2000.0));
    assert_eq!(
        net.barriers["6-11"],
        vec!["motorway", "trunk", "primary", "secondary"]
    );
    assert_eq!(resolved.output_dir(None), dir.path().join("out"));
    // Every path in it exists.
    let mut paths = vec![study.file.neighbourhoods.path.clone()];
    paths.extend(study.file.homes.path.clone());
    paths.extend(study.file.amenities.iter().filter_map(|a| a.path.clone()));
    paths.extend(net.path.clone());
    for p in paths {
        assert!(study.resolve(&p).is_file(), "{p}");
    }
    let green = study
        .file
        .amenities
        .iter()
        .find(|a| a.kind == "green_space")
        .unwrap();
    assert_eq!(green.min_area_m2, Some(5000.0));
    let play = study
        .file
        .amenities
        .iter()
        .find(|a| a.kind == "playground")
        .unwrap();
    assert_eq!(
        (play.capacity.as_deref(), play.point_area_m2),
        (Some("area"), Some(200.0))
    );
}

#[test]
fn layers_load_with_the_crs_they_declare() {
    let dir = tempfile::tempdir().unwrap();
    town(dir.path());
    for name in LAYERS {
        let layer = read(&dir.path().join(name), None).unwrap_or_else(|e| panic!("{name}: {e}"));
        if name == "green_spaces.geojson" {
            assert_eq!(layer.crs_source, CrsSource::Rfc7946, "{name}");
            assert!(layer.crs.is_geographic());
        } else {
            assert_eq!(layer.crs_source, CrsSource::File, "{name}");
            assert_eq!(layer.crs.epsg, Some(28992), "{name}");
        }
        // Around RD x 150000-154000, y 460000-463000.
        let r = load_rd(&dir.path().join(name)).extent().unwrap();
        assert!(
            r.min().x > 149_000.0 && r.max().x < 155_000.0,
            "{name}: {r:?}"
        );
        assert!(
            r.min().y > 459_500.0 && r.max().y < 463_500.0,
            "{name}: {r:?}"
        );
    }
}

#[test]
fn counts_and_attributes_as_promised() {
    let dir = tempfile::tempdir().unwrap();
    let s = town(dir.path());
    let d = dir.path();
    let nbs = load_rd(&d.join("neighbourhoods.geojson"));
    assert_eq!(nbs.features.len(), 6);
    assert_eq!(s.neighbourhoods, 6);
    let codes: BTreeSet<String> = nbs.features.iter().map(|f| text(f, "code")).collect();
    assert_eq!(codes.iter().next().unwrap(), "BU0001");
    assert_eq!(codes.len(), 6);
    let num = |f: &kindscape::layers::Feature, k: &str| f.props[k].as_f64().unwrap();
    let mut incomes = Vec::new();
    for f in &nbs.features {
        let kids: f64 = ["age_0_5", "age_6_11", "age_12_17"]
            .iter()
            .map(|k| num(f, k))
            .sum();
        let inhabitants = num(f, "inhabitants");
        assert!(kids > 50.0 && kids < 0.35 * inhabitants, "{:?}", f.props);
        for k in ["age_0_5", "age_6_11", "age_12_17"] {
            assert!(num(f, k) > 10.0, "{k}: {:?}", f.props);
        }
        let share = num(f, "low_income_share");
        assert!((0.0..=0.4).contains(&share));
        incomes.push(num(f, "mean_income"));
    }
    let (lo, hi) = incomes
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), &x| (a.min(x), b.max(x)));
    assert!(hi - lo > 12.0, "incomes should differ clearly: {incomes:?}");

    let homes = load_rd(&d.join("homes.geojson"));
    assert_eq!(homes.features.len(), 3000);
    let ids: BTreeSet<String> = homes.features.iter().map(|f| text(f, "home_id")).collect();
    assert_eq!(ids.len(), 3000);
    assert!(ids.contains("H000001") && ids.contains("H003000"));

    let play = load_rd(&d.join("playgrounds.geojson"));
    let points = play
        .features
        .iter()
        .filter(|f| matches!(f.geometry, Some(Geometry::Point(_))))
        .count();
    let polys = play
        .features
        .iter()
        .filter(|f| matches!(f.geometry, Some(Geometry::Polygon(_))))
        .count();
    assert!(
        points >= 2 && polys >= 2,
        "{points} points, {polys} polygons"
    );
    assert_eq!(points + polys, play.features.len());
    assert_eq!(s.playgrounds, play.features.len());
    // About one per 150 children, give or take the deliberate under-provision.
    let children = s.children as f64;
    assert!(
        (play.features.len() as f64) > children / 300.0
            && (play.features.len() as f64) < children / 75.0
    );

    let green = load_rd(&d.join("green_spaces.geojson"));
    assert!(
        (3..=4).contains(&green.features.len()),
        "{}",
        green.features.len()
    );
    let areas: Vec<f64> = green
        .features
        .iter()
        .map(|f| f.geometry.as_ref().unwrap().unsigned_area())
        .collect();
    assert!(
        areas.iter().any(|&a| a < 5000.0),
        "one park under 0.5 ha: {areas:?}"
    );
    assert!(
        areas.iter().filter(|&&a| a >= 5000.0).count() >= 2,
        "{areas:?}"
    );

    let libs = load_rd(&d.join("libraries.geojson"));
    assert_eq!(libs.features.len(), 1);
    assert!(matches!(
        libs.features[0].geometry,
        Some(Geometry::Point(_))
    ));
    let cc = load_rd(&d.join("community_centres.geojson"));
    assert_eq!(cc.features.len(), 1);
    assert!(matches!(
        cc.features[0].geometry,
        Some(Geometry::Polygon(_))
    ));
}

#[test]
fn neighbourhoods_tile_and_every_home_is_in_exactly_one() {
    let dir = tempfile::tempdir().unwrap();
    town(dir.path());
    let nbs = polygons(&load_rd(&dir.path().join("neighbourhoods.geojson")));
    for (i, (a, pa)) in nbs.iter().enumerate() {
        assert!(pa.unsigned_area() > 100_000.0, "{a}");
        for (b, pb) in &nbs[i + 1..] {
            let overlap = pa.intersection(pb).unsigned_area();
            assert!(overlap < 1e-3, "{a} and {b} overlap by {overlap} m2");
        }
    }
    // No gaps: the union of the neighbourhoods has no holes (the boolean operations leave
    // floating-point slivers of a few mm2 where corners meet) and the same area as their sum.
    let union = nbs.iter().skip(1).fold(
        geo::MultiPolygon::new(vec![nbs[0].1.clone()]),
        |u, (_, p)| u.union(p),
    );
    assert_eq!(union.0.len(), 1);
    let holes: f64 = union.0[0]
        .interiors()
        .iter()
        .map(|r| Polygon::new(r.clone(), vec![]).unsigned_area())
        .sum();
    assert!(holes < 1.0, "{holes}");
    let sum: f64 = nbs.iter().map(|(_, p)| p.unsigned_area()).sum();
    assert!(
        (union.unsigned_area() - sum).abs() < 1.0,
        "{} vs {sum}",
        union.unsigned_area()
    );

    let homes = load_rd(&dir.path().join("homes.geojson"));
    for f in &homes.features {
        let Some(Geometry::Point(p)) = &f.geometry else {
            panic!("home {} is not a point", f.index)
        };
        let inside: Vec<&String> = nbs
            .iter()
            .filter(|(_, poly)| poly.contains(p))
            .map(|(c, _)| c)
            .collect();
        assert_eq!(
            inside.len(),
            1,
            "home {} at {p:?} lies in {inside:?}",
            text(f, "home_id")
        );
        assert_eq!(*inside[0], text(f, "neighbourhood"));
    }
}

fn key(c: Coord) -> (i64, i64) {
    ((c.x * 100.0).round() as i64, (c.y * 100.0).round() as i64)
}

fn find(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

struct Net {
    lines: Vec<(String, bool, LineString)>,
}

fn network(dir: &Path) -> Net {
    let layer = load_rd(&dir.join("walk.geojson"));
    let lines = layer
        .features
        .iter()
        .map(|f| match &f.geometry {
            Some(Geometry::LineString(l)) => (
                text(f, "highway"),
                text(f, "footway") == "crossing",
                l.clone(),
            ),
            other => panic!("edge {}: {other:?}", f.index),
        })
        .collect();
    Net { lines }
}

#[test]
fn network_is_connected_and_split_at_intersections() {
    let dir = tempfile::tempdir().unwrap();
    let s = town(dir.path());
    let net = network(dir.path());
    assert_eq!(net.lines.len(), s.network_edges);
    let allowed = [
        "primary",
        "secondary",
        "tertiary",
        "residential",
        "living_street",
        "footway",
    ];
    let mut ends: HashMap<(i64, i64), usize> = HashMap::new();
    for (h, _, l) in &net.lines {
        assert!(allowed.contains(&h.as_str()), "{h}");
        assert!(l.0.len() >= 2);
        for c in [l.0[0], *l.0.last().unwrap()] {
            let n = ends.len();
            ends.entry(key(c)).or_insert(n);
        }
    }
    assert_eq!(ends.len(), s.network_nodes);
    let mut parent: Vec<usize> = (0..ends.len()).collect();
    for (_, _, l) in &net.lines {
        let a = find(&mut parent, ends[&key(l.0[0])]);
        let b = find(&mut parent, ends[&key(*l.0.last().unwrap())]);
        parent[a] = b;
    }
    let roots: BTreeSet<usize> = (0..ends.len()).map(|i| find(&mut parent, i)).collect();
    assert_eq!(
        roots.len(),
        1,
        "the walking network falls apart into {} pieces",
        roots.len()
    );

    // Split at intersections: no end point lies inside another edge (brute force).
    for point in ends.keys() {
        let p = Point::new(point.0 as f64 / 100.0, point.1 as f64 / 100.0);
        for (_, _, l) in &net.lines {
            let own_end = key(l.0[0]) == *point || key(*l.0.last().unwrap()) == *point;
            if !own_end {
                let d = geo::Euclidean.distance(&p, l);
                assert!(
                    d > 0.5,
                    "end point {p:?} lies {d} m from the inside of an edge"
                );
            }
        }
    }
}

#[test]
fn one_primary_with_two_marked_crossings() {
    let dir = tempfile::tempdir().unwrap();
    town(dir.path());
    let net = network(dir.path());
    let ends_of = |pred: &dyn Fn(&(String, bool, LineString)) -> bool| -> BTreeSet<(i64, i64)> {
        net.lines
            .iter()
            .filter(|e| pred(e))
            .flat_map(|(_, _, l)| [key(l.0[0]), key(*l.0.last().unwrap())])
            .collect()
    };
    let primary = ends_of(&|e| e.0 == "primary");
    assert!(!primary.is_empty());
    let crossing_ends = ends_of(&|e| e.1);
    let over_primary: Vec<_> = crossing_ends.intersection(&primary).collect();
    assert_eq!(over_primary.len(), 2, "{over_primary:?}");
    // Crossings are short footways, each touching a barrier road.
    let barrier = ends_of(&|e| ["primary", "secondary", "tertiary"].contains(&e.0.as_str()));
    for (h, crossing, l) in &net.lines {
        if *crossing {
            assert_eq!(h, "footway");
            assert!(geo::Euclidean.length(l) < 10.0);
            assert!(barrier.contains(&key(l.0[0])) || barrier.contains(&key(*l.0.last().unwrap())));
        }
    }
    // The primary runs through the town from its south edge to its north edge.
    let ys: Vec<f64> = primary.iter().map(|p| p.1 as f64 / 100.0).collect();
    let (lo, hi) = ys
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), &y| (a.min(y), b.max(y)));
    assert!(hi - lo > 900.0, "{lo}..{hi}");
}

#[test]
fn poorer_neighbourhoods_have_fewer_playgrounds_per_child() {
    let dir = tempfile::tempdir().unwrap();
    town(dir.path());
    let nbs = load_rd(&dir.path().join("neighbourhoods.geojson"));
    let play = load_rd(&dir.path().join("playgrounds.geojson"));
    let mut per_nb: BTreeMap<String, usize> = BTreeMap::new();
    let polys = polygons(&nbs);
    for f in &play.features {
        let g = f.geometry.as_ref().unwrap();
        let at = match g {
            Geometry::Point(p) => *p,
            Geometry::Polygon(p) => geo::Centroid::centroid(p).unwrap(),
            _ => panic!(),
        };
        let (code, _) = polys
            .iter()
            .find(|(_, p)| p.contains(&at))
            .expect("playground inside the town");
        *per_nb.entry(code.clone()).or_default() += 1;
    }
    let mut rows: Vec<(f64, f64)> = nbs
        .features
        .iter()
        .map(|f| {
            let kids: f64 = ["age_0_5", "age_6_11", "age_12_17"]
                .iter()
                .map(|k| f.props[*k].as_f64().unwrap())
                .sum();
            let n = per_nb.get(&text(f, "code")).copied().unwrap_or(0) as f64;
            (f.props["mean_income"].as_f64().unwrap(), n / kids)
        })
        .collect();
    rows.sort_by(|a, b| a.0.total_cmp(&b.0));
    let poorer: f64 = rows[..3].iter().map(|r| r.1).sum();
    let richer: f64 = rows[3..].iter().map(|r| r.1).sum();
    assert!(poorer < richer, "{rows:?}");
    assert!(
        rows.iter().any(|r| r.1 < 1.0 / 300.0),
        "some neighbourhood is under-served: {rows:?}"
    );
}

/// The committed `layers/sample-town` is exactly what `kindscape sample` writes: regenerate it
/// with `cargo test --test sample_town -- --ignored` after changing the generator.
#[test]
fn committed_sample_is_up_to_date() {
    let committed = committed_dir();
    if !committed.join(STUDY_FILE).is_file() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let s = write_sample(dir.path(), &committed_options()).unwrap();
    for f in &s.files {
        let name = f.file_name().unwrap();
        let fresh = std::fs::read(f).unwrap();
        let old = std::fs::read(committed.join(name)).unwrap_or_default();
        assert!(
            fresh == old,
            "layers/sample-town/{name:?} is stale: run `cargo test --test sample_town -- --ignored`"
        );
    }
}

fn committed_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("layers/sample-town")
}

fn committed_options() -> SampleOptions {
    SampleOptions {
        osm_pbf: true,
        output: Some("../../out/sample-town".into()),
        ..SampleOptions::default()
    }
}

#[test]
#[ignore = "writes layers/sample-town in the repository"]
fn generate_committed_sample() {
    let s = write_sample(&committed_dir(), &committed_options()).unwrap();
    let bytes: u64 = s
        .files
        .iter()
        .map(|f| std::fs::metadata(f).unwrap().len())
        .sum();
    assert!(bytes < 2_000_000, "{bytes} bytes");
    assert!(s.files.iter().any(|f| f.ends_with(OSM_FILE)));
}
