//! Random graphs: the multi-source search equals a brute force (nearest edge by scanning every
//! edge, all-pairs shortest paths by Floyd-Warshall, then every home against every amenity), is
//! never below the straight line, only grows with barriers, and does not depend on the number
//! of threads; the amenity it names is the nearest by a brute force per amenity. Random polygons on random graphs: the distance to a polygon equals the same brute
//! force from every point of its densified boundary and every point where an edge crosses it.

use geo::{Contains, Coord, Distance, Euclidean, Geometry, LineString, Point, Polygon};
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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// The amenity each home's distance came from (`K_nearest_id`) against a brute force per
    /// amenity (Floyd-Warshall with that amenity alone): it is at the reported distance, no
    /// amenity is nearer, and none of a lower index is as near. One amenity is drawn twice, at
    /// the same place, so that exact ties occur: the first copy must win them. The same labels
    /// on one thread.
    #[test]
    fn nearest_amenity_equals_per_amenity_brute_force(case in case(), twice in 0usize..5) {
        let mut case = case;
        let copy = case.amenities[twice % case.amenities.len()];
        case.amenities.push(copy);
        let Some(net) = build(&case) else { return Ok(()) };
        let homes: Vec<Coord> = case.homes.iter().map(|&p| c(p)).collect();
        let kinds = [KindTargets {
            kind: "k".into(),
            geometries: case.amenities.iter().map(|&p| Geometry::Point(Point(c(p)))).collect(),
        }];
        let cfg = NetworkConfig { max_distance: 1e9, attach_limit_m: 1e9, ..NetworkConfig::default() };
        let r = nearest_distances(&net, &homes, &kinds, &[vec![]], &cfg).unwrap();
        let per_amenity: Vec<Vec<f64>> = case
            .amenities
            .iter()
            .map(|&p| search(&case, &homes, &[Target::Near(c(p))]))
            .collect();
        for h in 0..homes.len() {
            let (got, label) = (r.distances[0][0][h], r.nearest[0][0][h]);
            let best = per_amenity.iter().map(|d| d[h]).fold(f64::INFINITY, f64::min);
            if best.is_infinite() {
                prop_assert_eq!(label, u32::MAX, "home {} is unreachable", h);
                continue;
            }
            let tol = 1e-7 * best.max(1.0);
            let l = label as usize;
            prop_assert!(l < case.amenities.len(), "home {}: label {}", h, label);
            prop_assert!((per_amenity[l][h] - got).abs() <= tol, "home {}: amenity {} at {} vs {}", h, l, per_amenity[l][h], got);
            prop_assert!((best - got).abs() <= tol, "home {}: {} vs nearest {}", h, got, best);
            for (j, d) in per_amenity.iter().enumerate().take(l) {
                prop_assert!(d[h] > got + tol, "home {}: amenity {} (lower than {}) at {} vs {}", h, j, l, d[h], got);
            }
        }
        let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let r1 = one.install(|| nearest_distances(&net, &homes, &kinds, &[vec![]], &cfg).unwrap());
        prop_assert_eq!(&r1.nearest, &r.nearest);
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
/// edge of the network crosses or touches a side (on that edge, and on any other edge through
/// the point).
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
    // A crossing point on another edge too (a way crossing a side where another runs along it)
    // joins that edge there as well.
    let on: Vec<Coord> = out
        .iter()
        .filter_map(|t| match *t {
            Target::On(a, b, u) => Some(Coord {
                x: coords[a].x + u * (coords[b].x - coords[a].x),
                y: coords[a].y + u * (coords[b].y - coords[a].y),
            }),
            Target::Near(_) => None,
        })
        .collect();
    for x in on {
        for &(ia, ib, _) in case.edges.iter().filter(|e| e.0 != e.1) {
            let (_, u, d) = nearest_edge(x, &coords, &[(ia, ib)]);
            if d <= 1e-6 {
                out.push(Target::On(ia, ib, u));
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
            // The catchment's one search finds the same homes, and the junctions of the
            // search for them alone.
            let (homes_too, nodes) = reach.homes_and_nodes_within(&join, reach.graph_of_band(0), &[radius], &mut scratch);
            prop_assert_eq!(&homes_too, &got);
            prop_assert_eq!(nodes, reach.nodes_within(&join, reach.graph_of_band(0), radius, &mut scratch));
            // Searches that report some homes only report those, at the same distances.
            let only: Vec<bool> = (0..homes.len()).map(|h| h % 3 != 1).collect();
            let searches = reach.searches([(0, radius)].into_iter()).only_homes(vec![only.clone()]);
            let mut each = Vec::new();
            reach.each_facility(&[reach.join(&geometry)], &searches, |_, r| r, |_, r| each = r);
            let kept: Vec<(u32, f64)> = got.iter().copied().filter(|p| only[p.0 as usize]).collect();
            prop_assert_eq!(each, vec![kept]);
            // Per search its own homes: few on the plain graph, so that a facility often has
            // none of them within the radius in a straight line and its search is not run.
            let few: Vec<bool> = (0..homes.len()).map(|h| h % 5 == 2).collect();
            let searches = reach
                .searches([(0, radius / 4.0), (1, radius)].into_iter())
                .only_homes(vec![few.clone(), only.clone()]);
            let mut each = Vec::new();
            reach.each_facility(&[reach.join(&geometry)], &searches, |_, r| r, |_, r| each = r);
            let near = reach.homes_within(&join, reach.graph_of_band(0), radius / 4.0, &mut scratch);
            let far = reach.homes_within(&join, reach.graph_of_band(1), radius, &mut scratch);
            let keep = |found: Vec<(u32, f64)>, wanted: &[bool]| -> Vec<(u32, f64)> {
                found.into_iter().filter(|p| wanted[p.0 as usize]).collect()
            };
            prop_assert_eq!(each, vec![keep(near, &few), keep(far, &only)]);
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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// The search from a polygon facility (joined along its boundary, often at several points
    /// of one edge) finds exactly the homes the nearest-amenity search with that polygon alone
    /// puts within the radius, at the same distance bit for bit, on the plain and the barrier
    /// graph; homes inside it are at 0 (as in the straight-line stage).
    #[test]
    fn homes_within_a_polygon_equal_nearest_search(
        case in case(),
        park in park(),
        spacing in 5.0..80.0f64,
        radius in 30.0..700.0f64,
    ) {
        use kindscape::reach::network::NetworkReach;
        let Some(net) = build(&case) else { return Ok(()) };
        let homes: Vec<Coord> = case.homes.iter().map(|&p| c(p)).collect();
        let polygon = park.polygon();
        let geometry = Geometry::Polygon(polygon.clone());
        let cfg = NetworkConfig {
            max_distance: 1e9,
            attach_limit_m: 1e9,
            boundary_spacing_m: spacing,
        };
        let bands = [vec![], vec!["primary".to_string()]];
        let kinds = [KindTargets { kind: "park".into(), geometries: vec![geometry.clone()] }];
        let alone = nearest_distances(&net, &homes, &kinds, &bands, &cfg).unwrap();
        let reach = NetworkReach::new(&net, &homes, &bands, &cfg).unwrap();
        let mut scratch = reach.scratch();
        let join = reach.join(&geometry);
        for band in 0..2 {
            let got = reach.homes_within(&join, reach.graph_of_band(band), radius, &mut scratch);
            let expected: Vec<(u32, f64)> = alone.distances[0][band]
                .iter()
                .enumerate()
                .map(|(h, &d)| (h as u32, if polygon.contains(&Point(homes[h])) { 0.0 } else { d }))
                .filter(|(_, d)| *d <= radius)
                .collect();
            prop_assert_eq!(got, expected, "band {}", band);
        }
    }
}

/// The sided graph of DESIGN.md written out on its own: segments between the case's nodes (a
/// segment given twice with the same class kept once); at a node touched by k >= 2 primary
/// segments and not a crossing, one copy per angular sector between consecutive primary
/// segments; a primary segment's left sidewalk joins the sectors on its left at both ends, its
/// right one those on its right; any other segment joins the sector its direction lies in.
struct SidedBrute {
    coords: Vec<Coord>,
    /// (first node, second node, is primary)
    segs: Vec<(usize, usize, bool)>,
    /// Per split node: (start angle, sweep, copy) of each sector.
    sectors: std::collections::HashMap<usize, Vec<(f64, f64, usize)>>,
    /// Per segment: the copies at its two ends on its left, then on its right.
    sides: Vec<[[usize; 2]; 2]>,
    adj: Vec<Vec<(usize, f64)>>,
}

impl SidedBrute {
    fn new(case: &Case) -> SidedBrute {
        use std::collections::HashMap;
        let coords: Vec<Coord> = case.nodes.iter().map(|&(x, y, _)| Coord { x, y }).collect();
        let mut segs = Vec::new();
        for &(a, b, primary) in &case.edges {
            let key = (a.min(b), a.max(b), primary);
            if a != b
                && !segs
                    .iter()
                    .any(|&(x, y, p): &(usize, usize, bool)| (x.min(y), x.max(y), p) == key)
            {
                segs.push((a, b, primary));
            }
        }
        let angle = |from: usize, to: usize| {
            (coords[to].y - coords[from].y).atan2(coords[to].x - coords[from].x)
        };
        let (mut ccw, mut cw) = (HashMap::new(), HashMap::new());
        let mut sectors = HashMap::new();
        let mut copies = 0;
        for v in 0..coords.len() {
            let around: Vec<(f64, usize, usize)> = segs
                .iter()
                .enumerate()
                .flat_map(|(s, &(a, b, _))| {
                    let mut at = vec![];
                    if a == v {
                        at.push((angle(a, b), s, 0));
                    }
                    if b == v {
                        at.push((angle(b, a), s, 1));
                    }
                    at
                })
                .collect();
            let mut bars: Vec<(f64, usize, usize)> =
                around.iter().copied().filter(|x| segs[x.1].2).collect();
            bars.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));
            let k = bars.len();
            if k < 2 || case.nodes[v].2 {
                for &(_, s, end) in &around {
                    ccw.insert((s, end), copies);
                    cw.insert((s, end), copies);
                }
                copies += 1;
                continue;
            }
            let mut list = Vec::new();
            for (j, &(a, s, end)) in bars.iter().enumerate() {
                ccw.insert((s, end), copies + j);
                cw.insert((s, end), copies + (j + k - 1) % k);
                let sweep = if j + 1 < k {
                    bars[j + 1].0 - a
                } else {
                    bars[0].0 + std::f64::consts::TAU - a
                };
                list.push((a, sweep, copies + j));
            }
            for &(phi, s, end) in around.iter().filter(|x| !segs[x.1].2) {
                let after = bars.iter().filter(|b| b.0 <= phi).count();
                let copy = copies + (after + k - 1) % k;
                ccw.insert((s, end), copy);
                cw.insert((s, end), copy);
            }
            sectors.insert(v, list);
            copies += k;
        }
        let mut adj = vec![vec![]; copies];
        let mut sides = Vec::new();
        for (s, &(a, b, primary)) in segs.iter().enumerate() {
            let left = [ccw[&(s, 0)], cw[&(s, 1)]];
            let right = if primary {
                [cw[&(s, 0)], ccw[&(s, 1)]]
            } else {
                left
            };
            let len = dist(coords[a], coords[b]);
            for [x, y] in [left, right] {
                adj[x].push((y, len));
                adj[y].push((x, len));
            }
            sides.push([left, right]);
        }
        SidedBrute {
            coords,
            segs,
            sectors,
            sides,
            adj,
        }
    }

    fn len(&self, s: usize) -> f64 {
        dist(self.coords[self.segs[s].0], self.coords[self.segs[s].1])
    }

    /// (segment, t, offset, is left) of the nearest segment to `p`; ties (a micrometre) to the
    /// first.
    fn nearest(&self, p: Coord) -> (usize, f64, f64, bool) {
        let edges: Vec<(usize, usize)> = self.segs.iter().map(|s| (s.0, s.1)).collect();
        let (s, t, offset) = nearest_edge(p, &self.coords, &edges);
        let (a, b) = (self.coords[self.segs[s].0], self.coords[self.segs[s].1]);
        let left = (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x) > 0.0;
        (s, t, offset, left)
    }

    /// Plain Dijkstra (by scanning) from `seeds` over the copies.
    fn dijkstra(&self, seeds: &[(usize, f64)]) -> Vec<f64> {
        let mut d = vec![f64::INFINITY; self.adj.len()];
        let mut done = vec![false; self.adj.len()];
        for &(v, x) in seeds {
            d[v] = d[v].min(x);
        }
        while let Some(v) = (0..d.len())
            .filter(|&v| !done[v] && d[v].is_finite())
            .min_by(|&a, &b| d[a].total_cmp(&d[b]))
        {
            done[v] = true;
            for &(u, w) in &self.adj[v] {
                d[u] = d[u].min(d[v] + w);
            }
        }
        d
    }
}

/// Whether the polygon's interior lies in the sector from `start` over `sweep` close to `x`:
/// points 1 mm from `x` in the directions just inside the sector's ends, towards every vertex of
/// the polygon (its sides' directions) just either side, and 64 spread over the sector, tested
/// by point-in-polygon.
fn interior_in_sector(polygon: &Polygon, x: Coord, start: f64, sweep: f64) -> bool {
    let inside = |a: f64| {
        sweep > 0.0 && polygon.contains(&Point::new(x.x + 1e-3 * a.cos(), x.y + 1e-3 * a.sin()))
    };
    let in_sector = |a: f64| (a - start).rem_euclid(std::f64::consts::TAU) < sweep;
    let towards = polygon
        .exterior()
        .0
        .iter()
        .chain(polygon.interiors().iter().flat_map(|r| r.0.iter()))
        .filter(|v| dist(**v, x) > 1e-6)
        .flat_map(|v| {
            let a = (v.y - x.y).atan2(v.x - x.x);
            [a - 1e-4, a + 1e-4]
        })
        .filter(|&a| in_sector(a));
    let spread = (0..64).map(|i| start + sweep * (i as f64 + 0.5) / 64.0);
    [start + 1e-4, start + sweep - 1e-4]
        .into_iter()
        .chain(towards)
        .chain(spread)
        .any(inside)
}

/// A copy of the sided brute force and the walk already made to it.
type Seed = (usize, f64);
/// A point on a segment: (segment, side, t, offset).
type OnSegment = (usize, usize, f64, f64);

/// Where the walks to the polygon end, in the sided brute force: (copy, distance) seeds and
/// (segment, side, t, offset) points on segments. Boundary points as in [`densified_boundary`];
/// one within a micrometre of the network joins every segment through it, at a node each
/// sector the interior lies in, inside a segment each side the interior lies on; any other
/// point its nearest segment on its own side.
fn sided_joins(g: &SidedBrute, polygon: &Polygon, points: &[Coord]) -> (Vec<Seed>, Vec<OnSegment>) {
    let (mut seeds, mut on) = (vec![], vec![]);
    let mut on_side = |s: usize, side: usize, t: f64, offset: f64, seeds: &mut Vec<_>| {
        let len = g.len(s);
        let [a, b] = g.sides[s][side];
        seeds.push((a, offset + t * len));
        seeds.push((b, offset + (1.0 - t) * len));
        on.push((s, side, t, offset));
    };
    for &x in points {
        let (s, t, offset, left) = g.nearest(x);
        if offset > 1e-6 {
            on_side(s, usize::from(!left), t, offset, &mut seeds);
            continue;
        }
        for s in 0..g.segs.len() {
            let (a, b, _) = g.segs[s];
            let (_, t, offset) = nearest_edge(x, &g.coords, &[(a, b)]);
            if offset > 1e-6 {
                continue;
            }
            if let Some(&v) = [a, b].iter().find(|&&v| dist(g.coords[v], x) <= 1e-6) {
                match g.sectors.get(&v) {
                    None => seeds.push((g.sides[s][0][usize::from(v == b)], 0.0)),
                    Some(list) => seeds.extend(
                        list.iter()
                            .filter(|&&(start, sweep, _)| {
                                interior_in_sector(polygon, x, start, sweep)
                            })
                            .map(|&(_, _, copy)| (copy, 0.0)),
                    ),
                }
                continue;
            }
            let along = (g.coords[b].y - g.coords[a].y).atan2(g.coords[b].x - g.coords[a].x);
            for (side, start) in [(0, along), (1, along + std::f64::consts::PI)] {
                if interior_in_sector(polygon, x, start, std::f64::consts::PI) {
                    on_side(s, side, t, 0.0, &mut seeds);
                }
            }
        }
    }
    (seeds, on)
}

/// The boundary points of `park` as in [`densified_boundary`], as coordinates.
fn boundary_coords(park: &Park, case: &Case, spacing: f64) -> Vec<Coord> {
    let coords: Vec<Coord> = case.nodes.iter().map(|&(x, y, _)| Coord { x, y }).collect();
    densified_boundary(park, case, spacing)
        .into_iter()
        .map(|t| match t {
            Target::Near(p) => p,
            Target::On(a, b, u) => Coord {
                x: coords[a].x + u * (coords[b].x - coords[a].x),
                y: coords[a].y + u * (coords[b].y - coords[a].y),
            },
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// With primary roads as barriers, the distance to a polygon equals a brute force over its
    /// own sided graph, from each home, with the sides a boundary point joins told by
    /// point-in-polygon. Park corners are put on nodes, so that boundaries share nodes with
    /// barrier roads, junctions included.
    #[test]
    fn distance_to_a_polygon_across_barriers_equals_a_sided_brute_force(
        case in case(),
        park in park(),
        snap in prop::collection::vec((0usize..14, 0usize..9), 0..6),
        spacing in 5.0..80.0f64,
    ) {
        let (mut case, mut park) = (case, park);
        // Sides need an interior: a hole that does not lie inside the rim (a rim with a gap wider
        // than a half turn need not hold its centre) is left out.
        let rim_only = Polygon::new(park.polygon().exterior().clone(), vec![]);
        if park.polygon().interiors().iter().any(|h| !rim_only.contains(h)) {
            park.hole.clear();
        }
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
        let cfg = NetworkConfig { max_distance: 1e9, attach_limit_m: 1e9, boundary_spacing_m: spacing };
        let r = nearest_distances(&net, &homes, &kinds, &[vec!["primary".to_string()]], &cfg).unwrap();
        let g = SidedBrute::new(&case);
        let (seeds, on) = sided_joins(&g, &polygon, &boundary_coords(&park, &case, spacing));
        for (h, &home) in homes.iter().enumerate() {
            let (s, t, offset, left) = g.nearest(home);
            let side = usize::from(g.segs[s].2 && !left);
            let [a, b] = g.sides[s][side];
            let len = g.len(s);
            let d = g.dijkstra(&[(a, t * len), (b, (1.0 - t) * len)]);
            let mut want = seeds.iter().map(|&(v, x)| d[v] + x).fold(f64::INFINITY, f64::min);
            for &(s2, side2, t2, o2) in &on {
                if s2 == s && (side2 == side || !g.segs[s].2) {
                    want = want.min((t - t2).abs() * len + o2);
                }
            }
            want += offset;
            let got = r.distances[0][0][h];
            if want.is_infinite() {
                prop_assert!(got.is_nan(), "home {}: {} vs unreachable", h, got);
            } else {
                prop_assert!((got - want).abs() <= 1e-6 * want.max(1.0), "home {}: {} vs {}", h, got, want);
            }
        }
    }
}
