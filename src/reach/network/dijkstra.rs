//! Multi-source Dijkstra over CSR arrays, bounded by a maximum distance.
//!
//! Written by hand rather than with petgraph: the graph is already in CSR form, the search needs
//! many sources with their own starting distances and a distance bound, and one flat `Vec<f64>`
//! of results per search keeps memory at 8 bytes per node.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::chains::Chain;
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

    /// After [`Self::run`] with the same arguments: the nodes `keep` selects among those
    /// reached, in the order [`search_plain`] first reaches them (what a catchment's outline
    /// is drawn from, so that it does not change with how the search is run).
    ///
    /// That search takes nodes off its heap in (distance, label, node) order; with one label
    /// and every edge longer than the last bit of any distance within `max_distance`, no step
    /// keeps a distance unchanged, so it takes them in (distance, node) order, and a node is
    /// first reached by the first seed at it within the bound, or else by the first node taken
    /// that has an edge to it short enough (its edges in CSR order). Otherwise the plain search
    /// is run again (the same distances) and its order taken as it comes.
    pub fn in_search_order(
        &mut self,
        g: &SidedGraph,
        seeds: &[Seed],
        max_distance: f64,
        keep: impl Fn(u32) -> bool,
    ) -> Vec<u32> {
        let one_label = seeds.windows(2).all(|w| w[0].2 == w[1].2);
        if !(one_label && g.min_weight > max_distance * f64::EPSILON) {
            self.clear();
            let touched = &mut self.touched;
            search_plain(g, seeds, max_distance, &mut self.dist, None, |v| {
                touched.push(v)
            });
            return self.touched.iter().copied().filter(|&v| keep(v)).collect();
        }
        let mut seed_at: Vec<(u32, u32)> = seeds
            .iter()
            .enumerate()
            .filter(|(_, s)| s.1 <= max_distance)
            .map(|(i, s)| (s.0, i as u32))
            .collect();
        seed_at.sort_unstable();
        let dist = &self.dist;
        let mut keyed: Vec<((bool, u64, u32, u32), u32)> = self
            .touched
            .iter()
            .copied()
            .filter(|&v| keep(v))
            .map(|v| {
                let i = seed_at.partition_point(|s| s.0 < v);
                if seed_at.get(i).is_some_and(|s| s.0 == v) {
                    return ((false, 0, seed_at[i].1, 0), v);
                }
                let at = v as usize;
                let mut first = (true, u64::MAX, u32::MAX, u32::MAX);
                for &w in &g.targets[g.offsets[at] as usize..g.offsets[at + 1] as usize] {
                    let from = dist[w as usize];
                    let slots = g.offsets[w as usize]..g.offsets[w as usize + 1];
                    for slot in slots {
                        let s = slot as usize;
                        if g.targets[s] == v && from + g.weights[s] <= max_distance {
                            first = first.min((true, from.to_bits(), w, slot));
                        }
                    }
                }
                (first, v)
            })
            .collect();
        keyed.sort_unstable();
        keyed.into_iter().map(|(_, v)| v).collect()
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
///
/// Only the graph's kept nodes go on the heap; a chain of degree-2 nodes (see
/// [`super::chains`]) is walked piece by piece from each end when that end is settled, and from
/// a seed inside it both ways. Each node's distance is exactly the one [`search_plain`] gives:
/// both take the least over all paths of the lengths added one by one from the path's seed
/// (adding a length never lowers a sum, whatever the rounding), and a walk along a chain that
/// meets a node already as near (with as low a label) stops, because from there on the one
/// that came first is as near as it.
fn search(
    g: &SidedGraph,
    seeds: &[Seed],
    max_distance: f64,
    dist: &mut [f64],
    label: Option<&mut [u32]>,
    reached: impl FnMut(u32),
) {
    let chains = &g.chains;
    let mut s = Frontier {
        dist,
        label,
        // Distances are non-negative, so their bit patterns order like the numbers.
        heap: BinaryHeap::new(),
        max_distance,
        reached,
    };
    for &(v, d, l) in seeds {
        if chains.is_kept(v) {
            s.relax(v, d, l);
        } else if s.set(v, d, l) {
            let (c, q) = chains.position(v);
            let chain = chains.chain(c);
            s.walk_on(&chain, q, d, l);
            s.walk_back(&chain, q, d, l);
        }
    }
    while let Some(Reverse((bits, l, v))) = s.heap.pop() {
        let d = f64::from_bits(bits);
        if s.stale(v, d, l) {
            continue;
        }
        for (c, from_last) in chains.leaving(v) {
            let chain = chains.chain(c);
            if from_last {
                s.walk_back(&chain, chain.len(), d, l);
            } else {
                s.walk_on(&chain, 0, d, l);
            }
        }
    }
}

/// [`search`] with every node on the heap, one edge at a time: the reference the chains are
/// tested against, and the search whose order of reaching nodes
/// [`Scratch::in_search_order`] gives.
fn search_plain(
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
        heap: BinaryHeap::new(),
        max_distance,
        reached,
    };
    for &(v, d, l) in seeds {
        s.relax(v, d, l);
    }
    while let Some(Reverse((bits, l, v))) = s.heap.pop() {
        let d = f64::from_bits(bits);
        if s.stale(v, d, l) {
            continue;
        }
        let at = v as usize;
        let (from, to) = (g.offsets[at] as usize, g.offsets[at + 1] as usize);
        for (&u, &w) in g.targets[from..to].iter().zip(&g.weights[from..to]) {
            s.relax(u, d + w, l);
        }
    }
}

/// [`multi_source`] by [`search_plain`].
#[cfg(test)]
pub(crate) fn multi_source_plain(
    g: &SidedGraph,
    seeds: &[Seed],
    max_distance: f64,
) -> (Vec<f64>, Vec<u32>) {
    let mut dist = vec![f64::INFINITY; g.node_count];
    let mut label = vec![u32::MAX; g.node_count];
    search_plain(g, seeds, max_distance, &mut dist, Some(&mut label), |_| {});
    (dist, label)
}

/// The nodes in the order [`search_plain`] without labels (as [`Scratch::run`]) reaches them.
#[cfg(test)]
pub(crate) fn order_plain(g: &SidedGraph, seeds: &[Seed], max_distance: f64) -> Vec<u32> {
    let mut dist = vec![f64::INFINITY; g.node_count];
    let mut order = Vec::new();
    search_plain(g, seeds, max_distance, &mut dist, None, |v| order.push(v));
    order
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
    /// Gives `v` the distance `d` from the seed labelled `l`, if that is nearer than what it has
    /// (or as near from a lower label) and within the bound; true when it did.
    #[inline]
    fn set(&mut self, v: u32, d: f64, l: u32) -> bool {
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
            true
        } else {
            false
        }
    }

    /// [`Self::set`], and onto the heap to be searched from.
    #[inline]
    fn relax(&mut self, v: u32, d: f64, l: u32) {
        if self.set(v, d, l) {
            self.heap.push(Reverse((d.to_bits(), l, v)));
        }
    }

    /// A heap entry the node has since been reached nearer than, or as near by a lower label.
    #[inline]
    fn stale(&self, v: u32, d: f64, l: u32) -> bool {
        let at = v as usize;
        d > self.dist[at] || self.label.as_deref().is_some_and(|ls| ls[at] != l)
    }

    /// Walks `chain` from position `q` (at distance `d`) towards its last end.
    #[inline]
    fn walk_on(&mut self, chain: &Chain, q: usize, mut d: f64, l: u32) {
        for next in q + 1..=chain.len() {
            d += chain.pieces[next - 1];
            if !self.step(chain, next, d, l) {
                return;
            }
        }
    }

    /// Walks `chain` from position `q` (at distance `d`) towards its first end.
    #[inline]
    fn walk_back(&mut self, chain: &Chain, q: usize, mut d: f64, l: u32) {
        for next in (0..q).rev() {
            d += chain.pieces[next];
            if !self.step(chain, next, d, l) {
                return;
            }
        }
    }

    /// One step of a walk along a chain to position `q`: an end goes on the heap; an inner node
    /// no nearer than it was ends the walk.
    #[inline]
    fn step(&mut self, chain: &Chain, q: usize, d: f64, l: u32) -> bool {
        let (v, end) = chain.node(q);
        if end {
            self.relax(v, d, l);
            true
        } else {
            self.set(v, d, l)
        }
    }
}
