//! Multi-source Dijkstra over CSR arrays, bounded by a maximum distance.
//!
//! Written by hand rather than with petgraph: the graph is already in CSR form, the search needs
//! many sources with their own starting distances and a distance bound, and one flat `Vec<f64>`
//! of results per search keeps memory at 8 bytes per node.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::sided::SidedGraph;

/// Shortest distance from the nearest seed `(node, starting distance)` to every node;
/// `f64::INFINITY` beyond `max_distance`.
pub(crate) fn multi_source(g: &SidedGraph, seeds: &[(u32, f64)], max_distance: f64) -> Vec<f64> {
    let mut dist = vec![f64::INFINITY; g.node_count];
    // Distances are non-negative, so their bit patterns order like the numbers.
    let mut heap: BinaryHeap<Reverse<(u64, u32)>> = BinaryHeap::new();
    for &(v, d) in seeds {
        if d <= max_distance && d < dist[v as usize] {
            dist[v as usize] = d;
            heap.push(Reverse((d.to_bits(), v)));
        }
    }
    while let Some(Reverse((bits, v))) = heap.pop() {
        let d = f64::from_bits(bits);
        if d > dist[v as usize] {
            continue;
        }
        let (from, to) = (
            g.offsets[v as usize] as usize,
            g.offsets[v as usize + 1] as usize,
        );
        for (&u, &w) in g.targets[from..to].iter().zip(&g.weights[from..to]) {
            let nd = d + w;
            if nd <= max_distance && nd < dist[u as usize] {
                dist[u as usize] = nd;
                heap.push(Reverse((nd.to_bits(), u)));
            }
        }
    }
    dist
}
