//! Multi-source Dijkstra over CSR arrays, bounded by a maximum distance.
//!
//! Written by hand rather than with petgraph: the graph is already in CSR form, the search needs
//! many sources with their own starting distances and a distance bound, and one flat `Vec<f64>`
//! of results per search keeps memory at 8 bytes per node.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::sided::SidedGraph;

/// A search's source: (node, starting distance, label). The label names what the source belongs
/// to (an amenity's index), for searches that say which source each node's distance came from.
pub(crate) type Seed = (u32, f64, u32);

/// Shortest distance from the nearest seed to every node (`f64::INFINITY` beyond
/// `max_distance`), and the label of that seed (`u32::MAX` where unreached). Of seeds at the same
/// distance the lowest label wins, whatever order the seeds come in.
pub(crate) fn multi_source(
    g: &SidedGraph,
    seeds: &[Seed],
    max_distance: f64,
) -> (Vec<f64>, Vec<u32>) {
    let mut dist = vec![f64::INFINITY; g.node_count];
    let mut label = vec![u32::MAX; g.node_count];
    search(g, seeds, max_distance, &mut dist, Some(&mut label), |_| {});
    (dist, label)
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
    pub fn run(&mut self, g: &SidedGraph, seeds: &[Seed], max_distance: f64) {
        self.clear();
        let touched = &mut self.touched;
        search(g, seeds, max_distance, &mut self.dist, None, |v| {
            touched.push(v)
        });
    }

    pub fn clear(&mut self) {
        for &v in &self.touched {
            self.dist[v as usize] = f64::INFINITY;
        }
        self.touched.clear();
    }
}

/// The search itself: `dist` starts infinite at every node; `reached(v)` hears each node the
/// first time it gets a finite distance. With `label` (`u32::MAX` at every node to start), each
/// node also gets the label of the seed its distance came from: the search orders (distance,
/// label) pairs, so of two equally near seeds the lower label reaches a node, and a node already
/// settled is searched again from when a lower label reaches it at the same distance.
fn search(
    g: &SidedGraph,
    seeds: &[Seed],
    max_distance: f64,
    dist: &mut [f64],
    label: Option<&mut [u32]>,
    reached: impl FnMut(u32),
) {
    let mut s = Frontier {
        dist,
        label,
        // Distances are non-negative, so their bit patterns order like the numbers.
        heap: BinaryHeap::new(),
        max_distance,
        reached,
    };
    for &(v, d, l) in seeds {
        s.relax(v, d, l);
    }
    while let Some(Reverse((bits, l, v))) = s.heap.pop() {
        let d = f64::from_bits(bits);
        let at = v as usize;
        // A stale entry: the node has since been reached nearer, or as near by a lower label.
        if d > s.dist[at] || s.label.as_deref().is_some_and(|ls| ls[at] != l) {
            continue;
        }
        let (from, to) = (g.offsets[at] as usize, g.offsets[at + 1] as usize);
        for (&u, &w) in g.targets[from..to].iter().zip(&g.weights[from..to]) {
            s.relax(u, d + w, l);
        }
    }
}

/// The state of one [`search`].
struct Frontier<'a, F> {
    dist: &'a mut [f64],
    label: Option<&'a mut [u32]>,
    heap: BinaryHeap<Reverse<(u64, u32, u32)>>,
    max_distance: f64,
    reached: F,
}

impl<F: FnMut(u32)> Frontier<'_, F> {
    /// Reaches `v` at `d` from the seed labelled `l`, if that is nearer than what it has (or as
    /// near from a lower label) and within the bound.
    #[inline]
    fn relax(&mut self, v: u32, d: f64, l: u32) {
        let at = v as usize;
        let better = d < self.dist[at]
            || (d == self.dist[at] && self.label.as_deref().is_some_and(|ls| l < ls[at]));
        if d <= self.max_distance && better {
            if self.dist[at] == f64::INFINITY {
                (self.reached)(v);
            }
            self.dist[at] = d;
            if let Some(ls) = self.label.as_deref_mut() {
                ls[at] = l;
            }
            self.heap.push(Reverse((d.to_bits(), l, v)));
        }
    }
}
