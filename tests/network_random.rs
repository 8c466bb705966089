//! Random graphs: the multi-source search equals a brute force (nearest edge by scanning every
//! edge, all-pairs shortest paths by Floyd-Warshall, then every home against every amenity), is
//! never below the straight line, only grows with barriers, and does not depend on the number
//! of threads. Random polygons on random graphs: the distance to a polygon equals the same brute
//! force from every point of its densified boundary and every point where an edge crosses it.

use geo::{Coord, Distance, Euclidean, Geometry, LineString, Point, Polygon};
use kindscape::reach::network::{nearest_distances, KindTargets, NetworkBuilder, NetworkConfig};
use proptest::prelude::*;

#[derive(Debug, Clone)]
struct Case {
    nodes: Vec<(f64, f64, bool)>,
    edges: Vec<(usize, usize, bool)>,
    homes: Vec<(f64, f64)>,
    amenities: Vec<(f64, f64)>,
}

fn case() -> impl Strategy<Value = Case> {
    (3usize..14).prop_flat_map(|n| {
        (
            prop::collection::vec((0.0..500.0f64, 0.0..500.0f64, any::<bool>()), n),
            prop::collection::vec((0..n, 0..n, any::<bool>()), 1..30),
            prop::collection::vec((-50.0..550.0f64, -50.0..550.0f64), 1..8),
            prop::collection::vec((-50.0..550.0f64, -50.0..550.0f64), 1..5),
        )
            .prop_map(|(nodes, edges, homes, amenities)| Case {
                nodes,
                edges,
                homes,
                amenities,
            })
    })
}

fn c(p: (f64, f64)) -> Coord {
    Coord { x: p.0, y: p.1 }
}

fn dist(a: Coord, b: Coord) -> f64 {
    (a.x - b.x).hypot(a.y - b.y)
}

/// (edge index, t, offset) of the nearest edge; ties (within a micrometre) to the lowest index.
fn nearest_edge(p: Coord, coords: &[Coord], edges: &[(usize, usize)]) -> (usize, f64, f64) {
    let all: Vec<(usize, f64, f64)> = edges
        .iter()
        .enumerate()
        .map(|(e, &(a, b))| {
            let (a, b) = (coords[a], coords[b]);
            let (dx, dy) = (b.x - a.x, b.y - a.y);
            let l2 = dx * dx + dy * dy;
            let t = if l2 > 0.0 {
                (((p.x - a.x) * dx + (p.y - a.y) * dy) / l2).clamp(0.0, 1.0)
            } else {
                0.0
            };
            let d = dist(
                p,
                Coord {
                    x: a.x + t * dx,
                    y: a.y + t * dy,
                },
            );
            (e, t, d)
        })
        .collect();
    let min = all.iter().map(|x| x.2).fold(f64::INFINITY, f64::min);
    *all.iter().find(|x| x.2 <= min + 1e-6).unwrap()
}

fn brute_force(case: &Case) -> Vec<f64> {
    let amenities: Vec<Target> = case.amenities.iter().map(|&p| Target::Near(c(p))).collect();
    let homes: Vec<Coord> = case.homes.iter().map(|&p| c(p)).collect();
    search(case, &homes, &amenities)
}

/// Where a walk may end: a point that joins its nearest edge, or a point on the edge between
/// two nodes (at `u` of the way from the first to the second).
#[derive(Debug, Clone, Copy)]
enum Target {
    Near(Coord),
    On(usize, usize, f64),
}

/// Each home's shortest walk to any of `targets`.
fn search(case: &Case, homes: &[Coord], targets: &[Target]) -> Vec<f64> {
    let coords: Vec<Coord> = case.nodes.iter().map(|&(x, y, _)| Coord { x, y }).collect();
    let edges: Vec<(usize, usize)> = case
        .edges
        .iter()
        .filter(|e| e.0 != e.1)
        .map(|e| (e.0, e.1))
        .collect();
    let n = coords.len();
    let mut fw = vec![vec![f64::INFINITY; n]; n];
    for (i, row) in fw.iter_mut().enumerate() {
        row[i] = 0.0;
    }
    for &(a, b) in &edges {
        let l = dist(coords[a], coords[b]);
        fw[a][b] = fw[a][b].min(l);
        fw[b][a] = fw[b][a].min(l);
    }
    for k in 0..n {
        for i in 0..n {
            for j in 0..n {
                let via = fw[i][k] + fw[k][j];
                if via < fw[i][j] {
                    fw[i][j] = via;
                }
            }
        }
    }
    let ends = |e: usize, t: f64| {
        let (a, b) = edges[e];
        let l = dist(coords[a], coords[b]);
        [(a, t * l), (b, (1.0 - t) * l)]
    };
    let targets: Vec<(usize, f64, f64)> = targets
        .iter()
        .map(|&s| match s {
            Target::Near(p) => nearest_edge(p, &coords, &edges),
            Target::On(a, b, u) => (edges.iter().position(|&e| e == (a, b)).unwrap(), u, 0.0),
        })
        .collect();
    homes
        .iter()
        .map(|&h| {
            let (eh, th, oh) = nearest_edge(h, &coords, &edges);
            let mut best = f64::INFINITY;
            for &(es, ts, os) in &targets {
                if eh == es {
                    let (a, b) = edges[eh];
                    best = best.min(oh + (th - ts).abs() * dist(coords[a], coords[b]) + os);
                }
                for (x, px) in ends(eh, th) {
                    for (y, py) in ends(es, ts) {
                        best = best.min(oh + px + fw[x][y] + py + os);
                    }
                }
            }
            best
        })
        .collect()
}

fn build(case: &Case) -> Option<kindscape::reach::network::WalkNetwork> {
    let mut b = NetworkBuilder::new();
    for &(x, y, crossing) in &case.nodes {
        b.add_node(Coord { x, y }, crossing);
    }
    let mut any = false;
    for &(a, e, primary) in &case.edges {
        any |= a != e;
        b.add_line(
            &[a as u32, e as u32],
            if primary { "primary" } else { "residential" },
            false,
        );
    }
    any.then(|| b.build().unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn multi_source_equals_brute_force(case in case()) {
        let Some(net) = build(&case) else { return Ok(()) };
        let homes: Vec<Coord> = case.homes.iter().map(|&p| c(p)).collect();
        let kinds = [KindTargets {
            kind: "k".into(),
            geometries: case.amenities.iter().map(|&p| Geometry::Point(Point(c(p)))).collect(),
        }];
        let cfg = NetworkConfig { max_distance: 1e9, attach_limit_m: 1e9, ..NetworkConfig::default() };
        let bands = [vec![], vec!["primary".to_string()]];
        let r = nearest_distances(&net, &homes, &kinds, &bands, &cfg).unwrap();
        let want = brute_force(&case);
        for (h, (&got, &want)) in r.distances[0][0].iter().zip(&want).enumerate() {
            if want.is_infinite() {
                prop_assert!(got.is_nan(), "home {}: {} vs unreachable", h, got);
            } else {
                prop_assert!((got - want).abs() <= 1e-7 * want.max(1.0), "home {}: {} vs {}", h, got, want);
                let straight = case.amenities.iter().map(|&s| dist(homes[h], c(s))).fold(f64::INFINITY, f64::min);
                prop_assert!(got >= straight - 1e-9, "home {}: {} below the straight line {}", h, got, straight);
            }
        }
        for (with, without) in r.distances[0][1].iter().zip(&r.distances[0][0]) {
            prop_assert!(with.is_nan() || *with >= *without - 1e-9, "{} < {}", with, without);
        }
        // Bounded search: what is within the bound is unchanged, the rest is NaN.
        let bound = NetworkConfig { max_distance: 300.0, ..cfg.clone() };
        let rb = nearest_distances(&net, &homes, &kinds, &bands, &bound).unwrap();
        for (b, full) in rb.distances[0].iter().zip(&r.distances[0]) {
            for (x, y) in b.iter().zip(full) {
                if *y <= 300.0 { prop_assert_eq!(x.to_bits(), y.to_bits()); } else { prop_assert!(x.is_nan()); }
            }
        }
        // The same bits on one thread.
        let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let r1 = one.install(|| nearest_distances(&net, &homes, &kinds, &bands, &cfg).unwrap());
        for (a, b) in r1.distances[0].iter().flatten().zip(r.distances[0].iter().flatten()) {
            prop_assert_eq!(a.to_bits(), b.to_bits());
        }
    }
}

/// A star-shaped polygon around `centre` (vertices at increasing angles, so it is simple), with
/// an optional star-shaped hole inside its smallest radius.
#[derive(Debug, Clone)]
struct Park {
    centre: (f64, f64),
    rim: Vec<(f64, f64)>,
    hole: Vec<(f64, f64)>,
}

impl Park {
    fn rings(&self) -> Vec<Vec<Coord>> {
        let star = |spokes: &[(f64, f64)], scale: f64| -> Vec<Coord> {
            let total: f64 = spokes.iter().map(|s| s.0).sum();
            let mut angle = 0.0;
            spokes
                .iter()
                .map(|&(step, r)| {
                    angle += step / total * std::f64::consts::TAU;
                    Coord {
                        x: self.centre.0 + scale * r * angle.cos(),
                        y: self.centre.1 + scale * r * angle.sin(),
                    }
                })
                .collect()
        };
        let rim = star(&self.rim, 1.0);
        let mut rings = vec![rim];
        if self.hole.len() >= 3 {
            let inner = self.rim.iter().map(|s| s.1).fold(f64::INFINITY, f64::min) * 0.5;
            let most = self.hole.iter().map(|s| s.1).fold(0.0, f64::max);
            rings.push(star(&self.hole, inner / most));
        }
        rings
    }

    fn polygon(&self) -> Polygon {
        let mut rings = self.rings().into_iter().map(|mut r| {
            r.push(r[0]);
            LineString(r)
        });
        let exterior = rings.next().unwrap();
        Polygon::new(exterior, rings.collect())
    }
}

fn park() -> impl Strategy<Value = Park> {
    (
        (150.0..350.0f64, 150.0..350.0f64),
        prop::collection::vec((0.2..1.0f64, 20.0..150.0f64), 3..9),
        prop::collection::vec((0.2..1.0f64, 0.5..1.0f64), 0..6),
    )
        .prop_map(|(centre, rim, hole)| Park { centre, rim, hole })
}

/// The boundary as the contract defines it, written out here on its own: every vertex of every
/// ring, each side cut into equal pieces no longer than `spacing`, and every point where an
/// edge of the network crosses or touches a side (on that edge).
fn densified_boundary(park: &Park, case: &Case, spacing: f64) -> Vec<Target> {
    let coords: Vec<Coord> = case.nodes.iter().map(|&(x, y, _)| Coord { x, y }).collect();
    let mut out = Vec::new();
    for ring in park.rings() {
        for i in 0..ring.len() {
            let (p, q) = (ring[i], ring[(i + 1) % ring.len()]);
            let pieces = (dist(p, q) / spacing).ceil().max(1.0) as usize;
            for k in 0..pieces {
                let f = k as f64 / pieces as f64;
                out.push(Target::Near(Coord {
                    x: p.x + f * (q.x - p.x),
                    y: p.y + f * (q.y - p.y),
                }));
            }
            for &(ia, ib, _) in case.edges.iter().filter(|e| e.0 != e.1) {
                let (a, b) = (coords[ia], coords[ib]);
                // p + s (q - p) = a + u (b - a), both parameters within [0, 1].
                let (r, w) = (
                    Coord {
                        x: q.x - p.x,
                        y: q.y - p.y,
                    },
                    Coord {
                        x: b.x - a.x,
                        y: b.y - a.y,
                    },
                );
                let den = r.x * w.y - r.y * w.x;
                if den == 0.0 {
                    continue;
                }
                let s = ((a.x - p.x) * w.y - (a.y - p.y) * w.x) / den;
                let u = ((a.x - p.x) * r.y - (a.y - p.y) * r.x) / den;
                if (0.0..=1.0).contains(&s) && (0.0..=1.0).contains(&u) {
                    out.push(Target::On(ia, ib, u));
                }
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn distance_to_a_polygon_equals_brute_force_over_its_boundary(
        case in case(),
        park in park(),
        snap in prop::collection::vec((0usize..14, 0usize..9), 0..4),
        spacing in 5.0..80.0f64,
    ) {
        // Some nodes put on the park's corners, so that ways touch its boundary there.
        let mut case = case;
        let rim = park.rings()[0].clone();
        for &(node, corner) in &snap {
            let (node, corner) = (node % case.nodes.len(), rim[corner % rim.len()]);
            case.nodes[node].0 = corner.x;
            case.nodes[node].1 = corner.y;
        }
        let Some(net) = build(&case) else { return Ok(()) };
        let homes: Vec<Coord> = case.homes.iter().map(|&p| c(p)).collect();
        let polygon = park.polygon();
        let kinds = [KindTargets { kind: "park".into(), geometries: vec![Geometry::Polygon(polygon.clone())] }];
        let cfg = NetworkConfig {
            max_distance: 1e9,
            attach_limit_m: 1e9,
            boundary_spacing_m: spacing,
        };
        let bands = [vec![], vec!["primary".to_string()]];
        let r = nearest_distances(&net, &homes, &kinds, &bands, &cfg).unwrap();
        let want = search(&case, &homes, &densified_boundary(&park, &case, spacing));
        for (h, (&got, &want)) in r.distances[0][0].iter().zip(&want).enumerate() {
            if want.is_infinite() {
                prop_assert!(got.is_nan(), "home {}: {} vs unreachable", h, got);
            } else {
                prop_assert!((got - want).abs() <= 1e-6 * want.max(1.0), "home {}: {} vs {}", h, got, want);
                let straight = Euclidean.distance(&Point(homes[h]), &polygon);
                prop_assert!(got >= straight - 1e-9, "home {}: {} below the straight line {}", h, got, straight);
            }
        }
        for (with, without) in r.distances[0][1].iter().zip(&r.distances[0][0]) {
            prop_assert!(with.is_nan() || *with >= *without - 1e-9, "{} < {}", with, without);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// The search from one facility (what E2SFCA, meeting places and sites use) finds exactly
    /// the homes the brute force puts within the radius of that facility, at the same distance:
    /// on the plain graph against the brute force, and on the barrier graph against the
    /// nearest-amenity search with that facility alone.
    #[test]
    fn homes_within_one_facility_equal_brute_force(case in case(), radius in 50.0..700.0f64) {
        use kindscape::reach::network::NetworkReach;
        let Some(net) = build(&case) else { return Ok(()) };
        let homes: Vec<Coord> = case.homes.iter().map(|&p| c(p)).collect();
        let cfg = NetworkConfig { max_distance: 1e9, attach_limit_m: 1e9, ..NetworkConfig::default() };
        let bands = [vec![], vec!["primary".to_string()]];
        let reach = NetworkReach::new(&net, &homes, &bands, &cfg).unwrap();
        let mut scratch = reach.scratch();
        for &a in &case.amenities {
            let geometry = Geometry::Point(Point(c(a)));
            let join = reach.join(&geometry);
            let want = search(&case, &homes, &[Target::Near(c(a))]);
            let got = reach.homes_within(&join, reach.graph_of_band(0), radius, &mut scratch);
            let expected: Vec<(u32, f64)> = want
                .iter()
                .enumerate()
                .filter(|(_, d)| **d <= radius)
                .map(|(h, &d)| (h as u32, d))
                .collect();
            // A pair within 1e-7 m of the radius may fall either side.
            let edge = |d: f64| (d - radius).abs() <= 1e-7 * radius;
            let got_ids: Vec<u32> = got.iter().filter(|p| !edge(p.1)).map(|p| p.0).collect();
            let want_ids: Vec<u32> = expected.iter().filter(|p| !edge(p.1)).map(|p| p.0).collect();
            prop_assert_eq!(got_ids, want_ids);
            for &(h, d) in &got {
                let w = want[h as usize];
                prop_assert!((d - w).abs() <= 1e-7 * w.max(1.0), "home {}: {} vs {}", h, d, w);
            }
            let kinds = [KindTargets { kind: "k".into(), geometries: vec![geometry.clone()] }];
            let alone = nearest_distances(&net, &homes, &kinds, &bands, &cfg).unwrap();
            let barrier = reach.homes_within(&join, reach.graph_of_band(1), radius, &mut scratch);
            let expected: Vec<(u32, f64)> = alone.distances[0][1]
                .iter()
                .enumerate()
                .filter(|(_, d)| **d <= radius)
                .map(|(h, &d)| (h as u32, d))
                .collect();
            prop_assert_eq!(barrier, expected);
        }
    }
}
