//! The nearest edge of many points at once (every home of a city): the edges filed in a uniform
//! grid, searched ring by ring outwards from the point's cell. The answers are
//! [`attach_point`](super::attach::attach_point)'s, bit for bit: the same squared distances
//! (rstar's, of the same segments), the same micrometre tie window, the lowest edge id of the
//! tied. An R-tree's nearest-neighbour walk per home (a heap of nodes, allocated per query) cost
//! about a microsecond a home on a dense network; a home here looks at the few dozen segments of
//! the nine cells around it.

use geo::Coord;
use rstar::primitives::Line;
use rstar::PointDistance;

use super::attach::{project, Attach};
use super::WalkNetwork;

/// Edges filed per grid cell on average: cells about two 25 m street pieces across.
const EDGES_PER_CELL: f64 = 2.0;

/// Cells from the grid beyond which a point is searched in the R-tree instead.
const FAR_CELLS: u64 = 1 << 40;

/// The edges filed by the grid cells their bounding boxes meet.
pub(crate) struct EdgeGrid {
    lo: Coord,
    size: f64,
    nx: usize,
    ny: usize,
    /// CSR: the edges of cell `x + y * nx` are `edges[offsets[c]..offsets[c + 1]]`.
    offsets: Vec<u32>,
    edges: Vec<u32>,
}

impl EdgeGrid {
    /// Files every edge of `net`; `None` for a network without edges or with coordinates that
    /// are not finite (the R-tree search serves those).
    pub(crate) fn new(net: &WalkNetwork) -> Option<EdgeGrid> {
        if net.edges.is_empty() {
            return None;
        }
        let (mut lo, mut hi) = (
            Coord {
                x: f64::INFINITY,
                y: f64::INFINITY,
            },
            Coord {
                x: f64::NEG_INFINITY,
                y: f64::NEG_INFINITY,
            },
        );
        for &[a, b] in &net.edges {
            for c in [net.coords[a as usize], net.coords[b as usize]] {
                lo = Coord {
                    x: lo.x.min(c.x),
                    y: lo.y.min(c.y),
                };
                hi = Coord {
                    x: hi.x.max(c.x),
                    y: hi.y.max(c.y),
                };
            }
        }
        let (w, h) = (hi.x - lo.x, hi.y - lo.y);
        if !(w.is_finite() && h.is_finite()) {
            return None;
        }
        // About EDGES_PER_CELL edges a cell, and never more cells along a side than in all: a
        // thin extent gets cells as long as it needs, not millions of slivers.
        let target = (net.edges.len() as f64 / EDGES_PER_CELL).max(1.0);
        let size = (w * h / target)
            .sqrt()
            .max(w.max(h) / target)
            // Every edge of zero length at one point: one cell.
            .max(1e-3);
        let nx = (w / size) as usize + 1;
        let ny = (h / size) as usize + 1;
        let mut grid = EdgeGrid {
            lo,
            size,
            nx,
            ny,
            offsets: vec![0; nx * ny + 1],
            edges: Vec::new(),
        };
        for e in &net.edges {
            for c in grid.cells_of(net, e) {
                grid.offsets[c + 1] += 1;
            }
        }
        for c in 0..nx * ny {
            grid.offsets[c + 1] += grid.offsets[c];
        }
        let mut fill = grid.offsets.clone();
        let mut edges = vec![0u32; grid.offsets[nx * ny] as usize];
        for (i, e) in net.edges.iter().enumerate() {
            for c in grid.cells_of(net, e) {
                edges[fill[c] as usize] = i as u32;
                fill[c] += 1;
            }
        }
        grid.edges = edges;
        Some(grid)
    }

    /// The cells the bounding box of edge `e` meets.
    fn cells_of(&self, net: &WalkNetwork, e: &[u32; 2]) -> impl Iterator<Item = usize> {
        let (p, q) = (net.coords[e[0] as usize], net.coords[e[1] as usize]);
        let (x0, y0) = self.clamped(Coord {
            x: p.x.min(q.x),
            y: p.y.min(q.y),
        });
        let (x1, y1) = self.clamped(Coord {
            x: p.x.max(q.x),
            y: p.y.max(q.y),
        });
        let nx = self.nx;
        (y0..=y1).flat_map(move |y| (x0..=x1).map(move |x| x + y * nx))
    }

    /// The cell of `c`, which may lie outside the grid.
    fn cell(&self, c: Coord) -> (i64, i64) {
        (
            ((c.x - self.lo.x) / self.size).floor() as i64,
            ((c.y - self.lo.y) / self.size).floor() as i64,
        )
    }

    fn clamped(&self, c: Coord) -> (usize, usize) {
        let (x, y) = self.cell(c);
        (
            x.clamp(0, self.nx as i64 - 1) as usize,
            y.clamp(0, self.ny as i64 - 1) as usize,
        )
    }

    /// [`attach_point`](super::attach::attach_point) of `p`, the same answer; `found` is
    /// working memory, kept across calls.
    pub(crate) fn attach(
        &self,
        net: &WalkNetwork,
        p: Coord,
        limit: f64,
        found: &mut Vec<(u32, f64)>,
    ) -> Option<Attach> {
        if !p.x.is_finite() || !p.y.is_finite() {
            return None;
        }
        let q = [p.x, p.y];
        let (i, j) = self.cell(p);
        // So far from the network that ring arithmetic could overflow: the R-tree answers.
        if i.unsigned_abs().max(j.unsigned_abs()) > FAR_CELLS {
            return super::attach::attach_point(net, p, limit);
        }
        let (nx, ny) = (self.nx as i64, self.ny as i64);
        // Rings nearer than the grid hold no cell of it.
        let outside = |v: i64, n: i64| (-v).max(v - (n - 1)).max(0);
        let mut k = outside(i, nx).max(outside(j, ny));
        found.clear();
        let mut nearest2 = f64::INFINITY;
        loop {
            let (x0, x1) = ((i - k).max(0), (i + k).min(nx - 1));
            let (y0, y1) = ((j - k).max(0), (j + k).min(ny - 1));
            for y in y0..=y1 {
                // The ring's rows at its top and bottom whole, the others at its two ends.
                let whole = y == j - k || y == j + k;
                let step = if whole { 1 } else { (2 * k).max(1) };
                let mut x = if whole { x0 } else { i - k };
                while x <= x1 {
                    if x >= x0 {
                        let c = (x + y * nx) as usize;
                        for &e in
                            &self.edges[self.offsets[c] as usize..self.offsets[c + 1] as usize]
                        {
                            let d2 = segment(net, e).distance_2(&q);
                            nearest2 = nearest2.min(d2);
                            found.push((e, d2));
                        }
                    }
                    x += step;
                }
            }
            let covers_grid = i - k <= 0 && j - k <= 0 && i + k >= nx - 1 && j + k >= ny - 1;
            // Every edge outside the block of rings 0..=k is at least this far from `p`.
            let covered = [
                p.x - (self.lo.x + (i - k) as f64 * self.size),
                self.lo.x + (i + k + 1) as f64 * self.size - p.x,
                p.y - (self.lo.y + (j - k) as f64 * self.size),
                self.lo.y + (j + k + 1) as f64 * self.size - p.y,
            ]
            .into_iter()
            .fold(f64::INFINITY, f64::min);
            // Margins far above the rounding of either distance.
            let sure = covered * (1.0 - 1e-9) - 1e-6;
            let first = nearest2.sqrt();
            if covers_grid || first + 1e-6 < sure {
                break;
            }
            // The nearest edge is farther than `sure`, which is past the limit: no join.
            if sure > limit + 1.0 {
                return None;
            }
            k += 1;
        }
        // As attach_point: of the edges within a micrometre of the nearest, the lowest id.
        let first = nearest2.sqrt();
        let best = found
            .iter()
            .filter(|&&(_, d2)| d2.sqrt() <= first + 1e-6)
            .map(|&(e, _)| e)
            .min()?;
        let a = project(net, best, p);
        (a.offset <= limit).then_some(a)
    }
}

/// Edge `e` as the segment index files it (`build.rs`), so that distances match bit for bit.
fn segment(net: &WalkNetwork, e: u32) -> Line<[f64; 2]> {
    let [a, b] = net.edges[e as usize];
    let (p, q) = (net.coords[a as usize], net.coords[b as usize]);
    Line::new([p.x, p.y], [q.x, q.y])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reach::network::attach::attach_point;
    use crate::reach::network::NetworkBuilder;
    use proptest::prelude::*;

    fn same(a: Option<Attach>, b: Option<Attach>) -> bool {
        match (a, b) {
            (None, None) => true,
            (Some(a), Some(b)) => {
                a.edge == b.edge
                    && a.t.to_bits() == b.t.to_bits()
                    && a.offset.to_bits() == b.offset.to_bits()
                    && a.left == b.left
            }
            _ => false,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        /// Against the R-tree search it replaces, for points inside and far outside the
        /// network, on lattice nodes (exact ties, edges drawn twice and both ways) and with
        /// limits that cut some joins off.
        #[test]
        fn grid_attach_is_the_rtree_attach(
            nodes in prop::collection::vec((0i32..30, 0i32..30, prop::bool::ANY, -2.0..2.0f64), 2..40),
            edges in prop::collection::vec((0usize..40, 0usize..40), 1..60),
            points in prop::collection::vec((-40i32..340, -40i32..340, prop::bool::ANY, -1.0..1.0f64), 1..60),
            far in prop::collection::vec((-1e5..1e5f64, -1e5..1e5f64), 0..4),
            farther in prop::sample::select(vec![1e9, 1e16, -1e300]),
            limit in prop::sample::select(vec![0.0, 3.0, 25.0, 200.0, f64::INFINITY]),
        ) {
            let mut b = NetworkBuilder::new();
            // Half the nodes on a 10 m lattice, the others off it.
            for &(x, y, lattice, wobble) in &nodes {
                let w = if lattice { 0.0 } else { wobble };
                b.add_node(Coord { x: x as f64 * 10.0 + w, y: y as f64 * 10.0 - w }, false);
            }
            let n = nodes.len();
            for &(a, z) in &edges {
                b.add_line(&[(a % n) as u32, (z % n) as u32], "footway", false);
            }
            let net = b.build().unwrap();
            prop_assume!(net.edge_count() > 0);
            let grid = EdgeGrid::new(&net).unwrap();
            let mut found = Vec::new();
            let far = far.iter().map(|&(x, y)| Coord { x, y }).chain([Coord { x: farther, y: 3.0 }]);
            let near = points.iter().map(|&(x, y, lattice, wobble)| {
                let w = if lattice { 0.0 } else { wobble };
                Coord { x: x as f64 + w, y: y as f64 + 0.5 * w }
            });
            for p in near.chain(far) {
                let want = attach_point(&net, p, limit);
                let got = grid.attach(&net, p, limit, &mut found);
                prop_assert!(same(want, got), "at {:?}: {:?} vs {:?}", p, got, want);
            }
        }
    }
}
