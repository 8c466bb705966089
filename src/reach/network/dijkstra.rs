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
    search(g, seeds, max_distance, &mut dist, |_| {});
    dist
}

/// A search's working memory, reused from one small search to the next: a search from one
/// facility touches a few thousand nodes of a graph of millions, so clearing only what it
/// touched keeps it proportional to its reach.
pub(crate) struct Scratch {
    /// `f64::INFINITY` everywhere between searches.
    pub dist: Vec<f64>,
    /// The nodes the last search reached.
    pub touched: Vec<u32>,
}

impl Scratch {
    pub fn new(nodes: usize) -> Scratch {
        Scratch {
            dist: vec![f64::INFINITY; nodes],
            touched: Vec::new(),
        }
    }

    /// [`multi_source`] into this scratch: afterwards `dist` holds the distances of the
    /// `touched` nodes (all others infinite) until [`Self::clear`].
    pub fn run(&mut self, g: &SidedGraph, seeds: &[(u32, f64)], max_distance: f64) {
        self.clear();
        let touched = &mut self.touched;
        search(g, seeds, max_distance, &mut self.dist, |v| touched.push(v));
    }

    pub fn clear(&mut self) {
        for &v in &self.touched {
            self.dist[v as usize] = f64::INFINITY;
        }
        self.touched.clear();
    }
}

/// The search itself: `dist` starts infinite at every node; `reached(v)` hears each node the
/// first time it gets a finite distance.
fn search(
    g: &SidedGraph,
    seeds: &[(u32, f64)],
    max_distance: f64,
    dist: &mut [f64],
    mut reached: impl FnMut(u32),
) {
    // Distances are non-negative, so their bit patterns order like the numbers.
    let mut heap: BinaryHeap<Reverse<(u64, u32)>> = BinaryHeap::new();
    for &(v, d) in seeds {
        if d <= max_distance && d < dist[v as usize] {
            if dist[v as usize] == f64::INFINITY {
                reached(v);
            }
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
                if dist[u as usize] == f64::INFINITY {
                    reached(u);
                }
                dist[u as usize] = nd;
                heap.push(Reverse((nd.to_bits(), u)));
            }
        }
    }
}
