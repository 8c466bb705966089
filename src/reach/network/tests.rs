//! The sided graph's searches against a brute force on the same graph: for each home, a
//! quadratic Dijkstra from the home's own attach point, then every amenity attach point
//! checked by hand (rather than one heap-based search from all amenities at once); and the
//! amenity each home's distance came from against the same brute force per amenity.

use geo::Coord;
use proptest::prelude::*;

use super::attach::{attach_point, Attach, Joins};
use super::dijkstra::{multi_source, multi_source_plain, order_plain, Scratch, Seed};
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

/// A network of random lines, each with up to five shape points between its ends (chains), some
/// of them barrier roads, some closing on themselves (rings), some nodes crossings, and now and
/// then a node drawn twice at one place (a zero-length piece).
fn chained_network(
    junctions: &[(f64, f64, bool)],
    lines: &[(usize, usize, u8, bool, bool)],
) -> Option<WalkNetwork> {
    let mut b = NetworkBuilder::new();
    let n = junctions.len();
    let ids: Vec<u32> = junctions
        .iter()
        .map(|&(x, y, crossing)| b.add_node(Coord { x, y }, crossing))
        .collect();
    for (i, &(a, z, inner, primary, twice)) in lines.iter().enumerate() {
        let (a, z) = (a % n, z % n);
        let (p, q) = (junctions[a], junctions[z]);
        let mut line = vec![ids[a]];
        for k in 1..=inner as usize {
            // Off the straight line, so that pieces have unequal lengths.
            let t = k as f64 / (inner as f64 + 1.0);
            let wobble = ((i * 7 + k * 13) % 11) as f64 - 5.0;
            let c = Coord {
                x: p.0 + t * (q.0 - p.0) + wobble,
                y: p.1 + t * (q.1 - p.1) - wobble * 0.7,
            };
            let v = b.add_node(c, false);
            line.push(v);
            if twice && k == 1 {
                line.push(b.add_node(c, false));
            }
        }
        line.push(ids[z]);
        b.add_line(
            &line,
            if primary { "primary" } else { "residential" },
            false,
        );
    }
    b.build().ok().filter(|net| net.edge_count() > 0)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// The search that walks chains without its heap against the search one edge at a time, on
    /// the plain and the sided graph: the same distance to the bit and the same label at every
    /// node, the same nodes reached, and a catchment's nodes in the same order.
    #[test]
    fn chains_search_equals_plain_search(
        junctions in prop::collection::vec((0.0..400.0f64, 0.0..400.0f64, prop::bool::weighted(0.2)), 2..10),
        lines in prop::collection::vec((0usize..10, 0usize..10, 0u8..6, prop::bool::weighted(0.3), prop::bool::weighted(0.1)), 1..14),
        seeds in prop::collection::vec((0usize..200, 0.0..60.0f64, 0u32..3), 1..6),
        max_distance in 20.0..900.0f64,
        one_label in prop::bool::ANY,
        every in 1u32..4,
    ) {
        let Some(net) = chained_network(&junctions, &lines) else { return Ok(()) };
        for barriers in [vec![], vec!["primary".to_string()]] {
            let g = sided::build(&net, &barriers);
            let seeds: Vec<Seed> = seeds
                .iter()
                .map(|&(v, d, l)| ((v % g.node_count) as u32, d, if one_label { 0 } else { l }))
                .collect();
            let (want, want_label) = multi_source_plain(&g, &seeds, max_distance);
            let (got, got_label) = multi_source(&g, &seeds, max_distance);
            for v in 0..g.node_count {
                prop_assert_eq!(got[v].to_bits(), want[v].to_bits(), "node {}: {} vs {}", v, got[v], want[v]);
                prop_assert_eq!(got_label[v], want_label[v], "node {}", v);
            }
            let order = order_plain(&g, &seeds, max_distance);
            let mut scratch = Scratch::new(g.node_count);
            scratch.run(&g, &seeds, max_distance);
            let mut touched = scratch.touched.clone();
            touched.sort_unstable();
            let mut reached = order.clone();
            reached.sort_unstable();
            prop_assert_eq!(&touched, &reached);
            for &v in &touched {
                prop_assert_eq!(scratch.dist[v as usize].to_bits(), want[v as usize].to_bits());
            }
            let keep = |v: u32| v.is_multiple_of(every);
            let in_order = scratch.in_search_order(&g, &seeds, max_distance, keep);
            let want_order: Vec<u32> = order.into_iter().filter(|&v| keep(v)).collect();
            prop_assert_eq!(in_order, want_order);
        }
    }
}

/// A street cut into pieces is one chain: a plus-shaped crossroads whose four arms have three
/// shape points each keeps its centre and the four arm ends, and walks four chains.
#[test]
fn chains_of_a_crossroads() {
    let mut b = NetworkBuilder::new();
    let centre = b.add_node(Coord { x: 0.0, y: 0.0 }, false);
    for (dx, dy) in [(1.0, 0.0), (-1.0, 0.0), (0.0, 1.0), (0.0, -1.0)] {
        let mut line = vec![centre];
        for k in 1..=4 {
            line.push(b.add_node(
                Coord {
                    x: dx * 25.0 * k as f64,
                    y: dy * 25.0 * k as f64,
                },
                false,
            ));
        }
        b.add_line(&line, "residential", false);
    }
    let net = b.build().unwrap();
    let g = sided::build(&net, &[]);
    assert_eq!(g.node_count, 17);
    assert_eq!(g.chains.counts(), (5, 4));
}
