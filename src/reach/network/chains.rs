//! A sided graph's chains of degree-2 nodes, each walked as one step of the search.
//!
//! A street cut into 25 m pieces is a chain of shape points between two junctions; a search that
//! puts each piece's far end on its heap spends most of its time on nodes where nothing branches.
//! Here every node of degree other than 2 is *kept* (and one node of each ring with no such node),
//! and the nodes between two kept nodes form a chain. The search puts only kept nodes on its heap
//! and walks a chain piece by piece, adding the pieces' lengths one by one in the order it walks
//! them: a chain's length is never summed ahead, because `(d + a) + b` and `d + (a + b)` differ in
//! the last bit, and every output depends on the exact distances (see
//! [`super::dijkstra`]).

use super::sided::SidedGraph;

/// Marks a node that is not inside a chain.
const KEPT: u32 = u32::MAX;

/// The chains of one sided graph.
#[derive(Debug, Clone, Default)]
pub(crate) struct Chains {
    /// Per node: its chain, or `KEPT`.
    inside: Vec<u32>,
    /// Per node, the chains leaving it (CSR): `chain * 2` where it is the chain's first end,
    /// `chain * 2 + 1` where it is the last (a chain from a node back to itself is there twice).
    out_offsets: Vec<u32>,
    out: Vec<u32>,
    /// Per chain, its first and last (kept) node.
    ends: Vec<[u32; 2]>,
    /// Per chain, its inner nodes in order from the first end (CSR): chain `c` has
    /// `inner_offsets[c + 1] - inner_offsets[c]` of them, and one more piece than inner nodes.
    inner_offsets: Vec<u32>,
    inner: Vec<u32>,
    /// Per chain, its pieces' lengths from the first end, starting at `inner_offsets[c] + c`.
    pieces: Vec<f64>,
}

/// A chain as the search walks it: positions 0 (its first end) to `len` (its last), the inner
/// nodes between.
pub(crate) struct Chain<'a> {
    ends: [u32; 2],
    inner: &'a [u32],
    /// `pieces[q]` joins position `q` and `q + 1`.
    pub pieces: &'a [f64],
}

impl Chain<'_> {
    /// The position of the last end.
    pub fn len(&self) -> usize {
        self.inner.len() + 1
    }

    /// The node at position `q`, and whether it is one of the chain's (kept) ends.
    #[inline]
    pub fn node(&self, q: usize) -> (u32, bool) {
        if q == 0 {
            (self.ends[0], true)
        } else if q == self.inner.len() + 1 {
            (self.ends[1], true)
        } else {
            (self.inner[q - 1], false)
        }
    }
}

impl Chains {
    /// The chains of `g`.
    pub fn build(g: &SidedGraph) -> Chains {
        let n = g.node_count;
        let slots = |v: usize| g.offsets[v] as usize..g.offsets[v + 1] as usize;
        let mut kept: Vec<bool> = (0..n)
            .map(|v| slots(v).len() != 2 || slots(v).any(|s| g.targets[s] as usize == v))
            .collect();
        let mut used = vec![false; g.targets.len()];
        let mut c = Chains {
            inside: vec![KEPT; n],
            inner_offsets: vec![0],
            ..Chains::default()
        };
        // Rings without a kept node are reached from none: keep their lowest node, after every
        // chain between kept nodes is known.
        for ring_pass in [false, true] {
            for v in 0..n {
                if ring_pass {
                    if kept[v] || c.inside[v] != KEPT {
                        continue;
                    }
                    kept[v] = true;
                } else if !kept[v] {
                    continue;
                }
                for s in slots(v) {
                    if !used[s] {
                        c.walk(g, &kept, &mut used, v as u32, s);
                    }
                }
            }
        }
        let mut out_offsets = vec![0u32; n + 1];
        for ends in &c.ends {
            for &e in ends {
                out_offsets[e as usize + 1] += 1;
            }
        }
        for v in 0..n {
            out_offsets[v + 1] += out_offsets[v];
        }
        let mut fill = out_offsets.clone();
        let mut out = vec![0u32; out_offsets[n] as usize];
        for (chain, ends) in c.ends.iter().enumerate() {
            for (side, &e) in ends.iter().enumerate() {
                out[fill[e as usize] as usize] = chain as u32 * 2 + side as u32;
                fill[e as usize] += 1;
            }
        }
        c.out_offsets = out_offsets;
        c.out = out;
        c
    }

    /// Records the chain leaving kept node `from` by CSR slot `slot`, marking every slot it
    /// runs through (both ways) so that it is recorded once.
    fn walk(&mut self, g: &SidedGraph, kept: &[bool], used: &mut [bool], from: u32, slot: usize) {
        let chain = self.ends.len() as u32;
        let mut prev = from;
        let mut slot = slot;
        loop {
            used[slot] = true;
            let here = g.targets[slot];
            let w = g.weights[slot];
            self.pieces.push(w);
            let at = g.offsets[here as usize] as usize..g.offsets[here as usize + 1] as usize;
            // The way back: a slot of `here` to `prev` of the same length, not yet used (parallel
            // pieces of equal length are interchangeable).
            let back = at
                .clone()
                .find(|&s| !used[s] && g.targets[s] == prev && g.weights[s] == w)
                .or_else(|| at.clone().find(|&s| !used[s] && g.targets[s] == prev))
                .expect("every slot has its reverse");
            used[back] = true;
            if kept[here as usize] {
                self.ends.push([from, here]);
                self.inner_offsets.push(self.inner.len() as u32);
                return;
            }
            self.inside[here as usize] = chain;
            self.inner.push(here);
            slot = at
                .clone()
                .find(|&s| s != back)
                .expect("an inner node has two slots");
            prev = here;
        }
    }

    /// True when `v` is not inside a chain.
    #[inline]
    pub fn is_kept(&self, v: u32) -> bool {
        self.inside[v as usize] == KEPT
    }

    /// An inner node's chain and its position in it (1 to the chain's `len() - 1`). Found by
    /// a look along the chain rather than stored: only seeds inside a chain ask, and a
    /// position per node would cost 4 bytes a node in every graph.
    pub fn position(&self, v: u32) -> (u32, usize) {
        let chain = self.inside[v as usize];
        let at = self.chain(chain).inner.iter().position(|&u| u == v);
        (chain, at.expect("an inner node is in its chain") + 1)
    }

    /// The chains leaving kept node `v`: (chain, true when `v` is its last end).
    #[inline]
    pub fn leaving(&self, v: u32) -> impl Iterator<Item = (u32, bool)> + '_ {
        let (from, to) = (
            self.out_offsets[v as usize] as usize,
            self.out_offsets[v as usize + 1] as usize,
        );
        self.out[from..to].iter().map(|&x| (x / 2, x % 2 == 1))
    }

    #[inline]
    pub fn chain(&self, c: u32) -> Chain<'_> {
        let c = c as usize;
        let (from, to) = (
            self.inner_offsets[c] as usize,
            self.inner_offsets[c + 1] as usize,
        );
        Chain {
            ends: self.ends[c],
            inner: &self.inner[from..to],
            pieces: &self.pieces[from + c..to + c + 1],
        }
    }

    /// Number of kept nodes and of chains (for tests and reports).
    #[cfg(test)]
    pub fn counts(&self) -> (usize, usize) {
        (
            self.inside.iter().filter(|&&i| i == KEPT).count(),
            self.ends.len(),
        )
    }
}
