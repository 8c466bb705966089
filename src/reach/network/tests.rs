//! The sided graph's searches against a brute force on the same graph: for each home, a
//! quadratic Dijkstra from the home's own attach point, then every amenity attach point
//! checked by hand (rather than one heap-based search from all amenities at once); and the
//! amenity each home's distance came from against the same brute force per amenity.

use geo::Coord;
use proptest::prelude::*;

use super::attach::{attach_point, Attach, Joins};
use super::distances::distances_for;
use super::sided::{self, SidedGraph};
use super::{NetworkBuilder, WalkNetwork};

fn quadratic_dijkstra(g: &SidedGraph, seeds: &[(u32, f64)]) -> Vec<f64> {
    let mut dist = vec![f64::INFINITY; g.node_count];
    let mut done = vec![false; g.node_count];
    for &(v, d) in seeds {
        dist[v as usize] = dist[v as usize].min(d);
    }
    loop {
        let next = (0..g.node_count)
            .filter(|&v| !done[v] && dist[v].is_finite())
            .min_by(|&a, &b| dist[a].total_cmp(&dist[b]));
        let Some(v) = next else { return dist };
        done[v] = true;
        for i in g.offsets[v] as usize..g.offsets[v + 1] as usize {
            let u = g.targets[i] as usize;
            dist[u] = dist[u].min(dist[v] + g.weights[i]);
        }
    }
}

fn ends(net: &WalkNetwork, g: &SidedGraph, a: &Attach) -> (usize, [(u32, f64); 2]) {
    let side = usize::from(g.is_barrier[a.edge as usize] && !a.left);
    let e = g.edge_ends[a.edge as usize];
    let len = net.edge_len[a.edge as usize];
    (
        side,
        [
            (e[2 * side], a.offset + a.t * len),
            (e[2 * side + 1], a.offset + (1.0 - a.t) * len),
        ],
    )
}

fn brute_force(net: &WalkNetwork, g: &SidedGraph, sources: &[Attach], home: &Attach) -> f64 {
    let (home_side, seeds) = ends(net, g, home);
    let d = quadratic_dijkstra(g, &seeds);
    let mut best = f64::INFINITY;
    for s in sources {
        let (side, ends_s) = ends(net, g, s);
        for (v, part) in ends_s {
            best = best.min(d[v as usize] + part);
        }
        if s.edge == home.edge && side == home_side {
            best = best
                .min(home.offset + (home.t - s.t).abs() * net.edge_len[s.edge as usize] + s.offset);
        }
    }
    best
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn sided_search_equals_brute_force(
        nodes in prop::collection::vec((0.0..300.0f64, 0.0..300.0f64, prop::bool::weighted(0.2)), 4..14),
        edges in prop::collection::vec((0usize..14, 0usize..14, prop::bool::weighted(0.4)), 1..30),
        homes in prop::collection::vec((0.0..300.0f64, 0.0..300.0f64), 1..8),
        sources in prop::collection::vec((0.0..300.0f64, 0.0..300.0f64), 1..5),
    ) {
        let mut b = NetworkBuilder::new();
        for &(x, y, crossing) in &nodes {
            b.add_node(Coord { x, y }, crossing);
        }
        let n = nodes.len();
        for &(a, e, primary) in &edges {
            b.add_line(&[(a % n) as u32, (e % n) as u32], if primary { "primary" } else { "residential" }, false);
        }
        let net = b.build().unwrap();
        prop_assume!(net.edge_count() > 0);
        let g = sided::build(&net, &["primary".to_string()]);
        let at = |p: &(f64, f64)| attach_point(&net, Coord { x: p.0, y: p.1 }, 1e9).unwrap();
        let sources: Vec<Attach> = sources.iter().map(at).collect();
        let homes: Vec<Option<Attach>> = homes.iter().map(|h| Some(at(h))).collect();
        // Each source its own amenity, the first drawn twice (an exact tie the first copy wins).
        let mut sources = sources;
        sources.push(sources[0]);
        let owners: Vec<u32> = (0..sources.len() as u32).collect();
        let targets = Joins { attaches: sources.clone(), attach_owner: owners, ..Joins::default() };
        let (got, label) = distances_for(&net, &g, &targets, &homes, 1e9);
        for ((h, d), &l) in homes.iter().zip(&got).zip(&label) {
            let h = h.as_ref().unwrap();
            let want = brute_force(&net, &g, &sources, h);
            if want.is_infinite() {
                prop_assert!(d.is_nan());
                prop_assert_eq!(l, u32::MAX);
                continue;
            }
            let tol = 1e-7 * want.max(1.0);
            prop_assert!((d - want).abs() <= tol, "{} vs {}", d, want);
            // The amenity named, by a brute force from it alone: at the distance, and every
            // amenity of a lower index farther.
            let alone = |i: usize| brute_force(&net, &g, &sources[i..=i], h);
            prop_assert!((alone(l as usize) - d).abs() <= tol, "amenity {} at {} vs {}", l, alone(l as usize), d);
            for j in 0..l as usize {
                prop_assert!(alone(j) > d + tol, "amenity {} (below {}) at {} vs {}", j, l, alone(j), d);
            }
        }
    }
}
