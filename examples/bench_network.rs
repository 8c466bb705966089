//! Timings of the walk network on Helsinki and on a synthetic city of 1 M homes.
//!
//! ```text
//! cargo run --release --example bench_network [-- SHARED_DATA_DIR] [--skip-synthetic]
//! ```
//!
//! Helsinki: the .osm.pbf read, the graph build, and every building's network distance to the
//! nearest playground for three age bands, from the .pbf alone and from the GeoJSON layers (the
//! share of homes where the two agree within 1 m is printed). Synthetic: a grid city with
//! primary roads every 600 m, crossings at every other junction, 1 M homes and 2,500
//! playgrounds. Peak memory is the process's VmHWM.

use std::path::PathBuf;
use std::time::Instant;

use geo::{Centroid, Coord, Geometry, Point};
use kindscape::layers::crs::Crs;
use kindscape::layers::{geojson, osm};
use kindscape::reach::network::{
    nearest_distances, KindTargets, NetworkBuilder, NetworkConfig, NetworkDistances, WalkNetwork,
    Walkable,
};

fn secs(t: Instant) -> String {
    format!("{:.3} s", t.elapsed().as_secs_f64())
}

fn peak_memory_mb() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or("unknown".into(), |kb| format!("{:.0} MB", kb / 1024.0))
}

fn bands() -> Vec<Vec<String>> {
    let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    vec![
        v(&["motorway", "trunk", "primary", "secondary", "tertiary"]),
        v(&["motorway", "trunk", "primary", "secondary"]),
        v(&["motorway", "trunk"]),
    ]
}

fn summary(r: &NetworkDistances) -> String {
    r.distances[0]
        .iter()
        .map(|band| {
            let mut d: Vec<f64> = band.iter().copied().filter(|x| x.is_finite()).collect();
            d.sort_by(f64::total_cmp);
            let median = d.get(d.len() / 2).copied().unwrap_or(f64::NAN);
            format!("{} reached, median {median:.1} m", d.len())
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn helsinki(data: PathBuf) -> Result<(), Box<dyn std::error::Error>> {
    let dir = data.join("helsinki-centre");
    let pbf = dir.join("osm/helsinki_centre_2024-08-15.osm.pbf");
    let working = Crs::parse("EPSG:32635")?;
    let to_working = Crs::wgs84().to(&working);
    let cfg = NetworkConfig::default();

    let t = Instant::now();
    let ways = osm::read_walk_ways(&pbf)?;
    println!(
        "helsinki: .pbf walk ways read: {} ({} ways, {} nodes)",
        secs(t),
        ways.ways.len(),
        ways.node_ids.len()
    );
    let t = Instant::now();
    let net = WalkNetwork::from_osm(&pbf, &to_working)?;
    println!("helsinki: .pbf read + reproject + graph build: {}", secs(t));
    println!("helsinki: .pbf network {:?}", net.stats());
    let t = Instant::now();
    let mut pg = osm::read_amenities(&pbf, &["leisure=playground".to_string()])?;
    pg.layer.reproject(&working)?;
    println!(
        "helsinki: .pbf playgrounds read: {} ({} features, {} incomplete)",
        secs(t),
        pg.layer.features.len(),
        pg.incomplete
    );

    let mut homes_layer = geojson::read(&dir.join("osm_layers/building_points.geojson"), None)?;
    homes_layer.reproject(&working)?;
    let homes: Vec<Coord> = homes_layer
        .features
        .iter()
        .filter_map(|f| {
            f.geometry
                .as_ref()
                .and_then(|g| g.centroid())
                .map(|p: Point| p.0)
        })
        .collect();
    let kinds = |layer: &kindscape::layers::Layer| {
        vec![KindTargets {
            kind: "playground".into(),
            geometries: layer
                .features
                .iter()
                .filter_map(|f| f.geometry.clone())
                .collect::<Vec<Geometry>>(),
        }]
    };
    let t = Instant::now();
    let from_pbf = nearest_distances(&net, &homes, &kinds(&pg.layer), &bands(), &cfg)?;
    println!(
        "helsinki: {} homes x 3 bands, playgrounds from .pbf: {}; {}",
        homes.len(),
        secs(t),
        summary(&from_pbf)
    );
    println!("helsinki: attach {:?}", from_pbf.attach);
    println!("helsinki: graphs {:?}", from_pbf.graphs);

    let t = Instant::now();
    let mut edges = geojson::read(&dir.join("osm_layers/walk_network_edges.geojson"), None)?;
    edges.reproject(&working)?;
    let gnet = WalkNetwork::from_layer(&edges, "highway", Walkable::OsmRules)?;
    println!(
        "helsinki: GeoJSON network read + reproject + build: {}",
        secs(t)
    );
    println!("helsinki: GeoJSON network {:?}", gnet.stats());
    let mut gpg = geojson::read(&dir.join("osm_layers/playgrounds.geojson"), None)?;
    gpg.reproject(&working)?;
    let t = Instant::now();
    let from_geojson = nearest_distances(&gnet, &homes, &kinds(&gpg), &bands(), &cfg)?;
    println!(
        "helsinki: GeoJSON distances: {}; {}",
        secs(t),
        summary(&from_geojson)
    );
    for (b, name) in ["0-5", "6-11", "12-17"].iter().enumerate() {
        let (a, g) = (&from_pbf.distances[0][b], &from_geojson.distances[0][b]);
        let same = a
            .iter()
            .zip(g)
            .filter(|(x, y)| (x.is_nan() && y.is_nan()) || (*x - *y).abs() <= 1.0)
            .count();
        println!(
            "helsinki: band {name}: .pbf and GeoJSON agree within 1 m for {same} of {} homes ({:.1}%)",
            a.len(),
            100.0 * same as f64 / a.len() as f64
        );
    }
    Ok(())
}

/// A deterministic pseudo-random stream (SplitMix64), so runs are comparable.
struct Rng(u64);

impl Rng {
    fn next_f64(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E3779B97F4A7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58476D1CE4E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D049BB133111EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn synthetic() -> Result<(), Box<dyn std::error::Error>> {
    // 400 x 400 junctions 60 m apart (24 km square); every 10th street is primary.
    let (n, step) = (400usize, 60.0);
    let t = Instant::now();
    let mut b = NetworkBuilder::new();
    let id = |i: usize, j: usize| (i * n + j) as u32;
    for i in 0..n {
        for j in 0..n {
            let crossing = i % 10 == 0 && j % 10 == 0 && (i / 10 + j / 10) % 2 == 0;
            b.add_node(
                Coord {
                    x: j as f64 * step,
                    y: i as f64 * step,
                },
                crossing,
            );
        }
    }
    for i in 0..n {
        let class = if i % 10 == 0 {
            "primary"
        } else {
            "residential"
        };
        let row: Vec<u32> = (0..n).map(|j| id(i, j)).collect();
        let col: Vec<u32> = (0..n).map(|j| id(j, i)).collect();
        b.add_line(&row, class, false);
        b.add_line(&col, class, false);
    }
    let net = b.build()?;
    println!("synthetic: graph build: {} ({:?})", secs(t), net.stats());
    let size = (n - 1) as f64 * step;
    let mut rng = Rng(42);
    let homes: Vec<Coord> = (0..1_000_000)
        .map(|_| Coord {
            x: rng.next_f64() * size,
            y: rng.next_f64() * size,
        })
        .collect();
    let playgrounds = (0..2_500)
        .map(|_| Geometry::Point(Point::new(rng.next_f64() * size, rng.next_f64() * size)))
        .collect();
    let kinds = [KindTargets {
        kind: "playground".into(),
        geometries: playgrounds,
    }];
    let t = Instant::now();
    let r = nearest_distances(&net, &homes, &kinds, &bands(), &NetworkConfig::default())?;
    println!(
        "synthetic: 1,000,000 homes x 3 bands: {}; {}",
        secs(t),
        summary(&r)
    );
    println!("synthetic: graphs {:?}", r.graphs);
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let data = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("KINDSCAPE_SHARED_DATA").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data"));
    println!("threads: {}", rayon::current_num_threads());
    if data.join("helsinki-centre").is_dir() {
        helsinki(data)?;
    } else {
        println!("helsinki: skipped, no data at {}", data.display());
    }
    println!("peak memory after Helsinki: {}", peak_memory_mb());
    if !args.iter().any(|a| a == "--skip-synthetic") {
        synthetic()?;
        println!("peak memory: {}", peak_memory_mb());
    }
    Ok(())
}
