//! Straight-line distance from a point to the nearest amenity: to a polygon's boundary, 0 inside.
//!
//! Polygons are indexed by their boundary segments, not by their envelopes, so that a large
//! park does not make every query test its whole outline; a second tree of envelopes answers
//! "is the point inside?". Both are rstar trees, bulk loaded.
//!
//! Many points at once ([`AmenityIndex::nearest_each`], [`AmenityIndex::within_each`], used for
//! every home of a city) share the tree walks: the points are grouped by cells of a square
//! grid, the trees are asked once per cell for the amenities that can matter to any point of
//! the cell (a superset, from the cell's centre and half diagonal), and each point then tests
//! only those candidates exactly. The exact test is the same arithmetic as the per-point
//! queries, so the results are bit-identical to them; a profile of 1 M homes showed the
//! per-point tree walks (and the sort that merged a polygon's segments) as the largest cost of
//! the whole run.
//!
//! In the range queries the exact distances to polygons are then most of the time. The cell's
//! candidates drop what cannot matter to any point of the cell (a polygon's envelope out of
//! reach, a side of a polygon larger than the cell that another side always beats), and the
//! distances are rstar's arithmetic written out so that it compiles inline; both are exact,
//! and the batch queries are tested bit for bit against the per-point ones.

use std::collections::HashMap;
use std::ops::Range;

use geo::{Coord, Intersects, LinesIter, Point};
use rayon::prelude::*;
use rstar::primitives::{GeomWithData, Line, Rectangle};
use rstar::{PointDistance, RTree, RTreeObject};

use crate::scene::{Amenity, AmenityGeometry};

type Segment = GeomWithData<Line<[f64; 2]>, u32>;
type Site = GeomWithData<[f64; 2], u32>;
type Envelope = GeomWithData<Rectangle<[f64; 2]>, u32>;

/// Polygons with more boundary segments than this get a segment tree of their own for the
/// exact distance; smaller ones are scanned.
const SCAN_SEGMENTS: usize = 32;
/// Points per parallel work unit of the batch queries.
const CHUNK: usize = 8192;
/// Target number of points per grid cell in the batch range queries.
const POINTS_PER_CELL: f64 = 48.0;
/// The same in range queries with bounds ([`AmenityIndex::within_each_squared`]): each point
/// decides most of its polygons' bounds from cheap distance bounds of its own, so a cell's
/// precision matters less than the cost of making its candidates (a tree walk and the
/// polygons' classes). On the 1 M city, 2.5 times the side (6.25 times the points) took 12%
/// less CPU than [`POINTS_PER_CELL`]; 2 to 4 times the side were within 2% of that.
const CLASSED_POINTS_PER_CELL: f64 = 300.0;
/// The same in the nearest distances: twice the side of [`POINTS_PER_CELL`] took 20% less CPU
/// on the 1 M city (a nearest-neighbour walk and a range query per cell against a few more
/// candidates per point, most of them passed over by their envelope); half the side 70% more,
/// three and four times 3% and 10% more.
const NEAREST_POINTS_PER_CELL: f64 = 192.0;

/// An index over the amenities of one kind.
pub struct AmenityIndex<'a> {
    items: &'a [Amenity],
    segments: RTree<Segment>,
    points: RTree<Site>,
    envelopes: RTree<Envelope>,
    /// Per amenity, its boundary segments in `outline` (empty for a point).
    outline_of: Vec<Range<usize>>,
    outline: Vec<Line<[f64; 2]>>,
    /// Per amenity, a segment tree when its outline is long.
    outline_tree: Vec<Option<RTree<Line<[f64; 2]>>>>,
    /// Per amenity, its envelope (a point's is the point).
    bounds: Vec<Rectangle<[f64; 2]>>,
}

impl<'a> AmenityIndex<'a> {
    /// Bulk-loads the index.
    ///
    /// ```
    /// use geo::Coord;
    /// use kindscape::reach::straight::AmenityIndex;
    /// use kindscape::scene::{Amenity, AmenityGeometry};
    /// let park = Amenity {
    ///     geometry: AmenityGeometry::Polygon(geo::wkt!(MULTIPOLYGON(((0. 0.,10. 0.,10. 10.,0. 10.,0. 0.))))),
    ///     area_m2: 100.0, capacity: 100.0, id: "0".into(), name: String::new(), source: String::new(), index: 0,
    ///     attributes: Default::default(),
    ///     parts: 1,
    /// };
    /// let items = [park];
    /// let index = AmenityIndex::new(&items);
    /// assert_eq!(index.nearest(Coord { x: 13.0, y: 14.0 }), Some((0, 5.0)));
    /// assert_eq!(index.nearest(Coord { x: 5.0, y: 5.0 }), Some((0, 0.0)));
    /// ```
    pub fn new(items: &'a [Amenity]) -> Self {
        use geo::BoundingRect;
        let mut segments = Vec::new();
        let mut points = Vec::new();
        let mut envelopes = Vec::new();
        let mut outline_of = Vec::with_capacity(items.len());
        let mut outline = Vec::new();
        let mut outline_tree = Vec::with_capacity(items.len());
        let mut bounds = Vec::with_capacity(items.len());
        for (i, a) in items.iter().enumerate() {
            let i = i as u32;
            let start = outline.len();
            match &a.geometry {
                AmenityGeometry::Point(c) => {
                    points.push(Site::new([c.x, c.y], i));
                    bounds.push(Rectangle::from_corners([c.x, c.y], [c.x, c.y]));
                }
                AmenityGeometry::Polygon(mp) => {
                    for l in mp.lines_iter() {
                        let line = Line::new([l.start.x, l.start.y], [l.end.x, l.end.y]);
                        segments.push(Segment::new(line, i));
                        outline.push(line);
                    }
                    let r = mp.bounding_rect().map_or_else(
                        // No coordinates: an envelope nothing is near.
                        || Rectangle::from_corners([f64::INFINITY; 2], [f64::INFINITY; 2]),
                        |r| Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                    );
                    if mp.bounding_rect().is_some() {
                        envelopes.push(Envelope::new(r, i));
                    }
                    bounds.push(r);
                }
            }
            let range = start..outline.len();
            outline_tree.push(
                (range.len() > SCAN_SEGMENTS)
                    .then(|| RTree::bulk_load(outline[range.clone()].to_vec())),
            );
            outline_of.push(range);
        }
        AmenityIndex {
            items,
            segments: RTree::bulk_load(segments),
            points: RTree::bulk_load(points),
            envelopes: RTree::bulk_load(envelopes),
            outline_of,
            outline,
            outline_tree,
            bounds,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The polygon amenity holding `c` (boundary included), lowest index first.
    fn containing(&self, c: Coord) -> Option<u32> {
        self.envelopes
            .locate_all_at_point(&[c.x, c.y])
            .map(|e| e.data)
            .filter(|i| match &self.items[*i as usize].geometry {
                AmenityGeometry::Polygon(mp) => mp.intersects(&Point(c)),
                AmenityGeometry::Point(_) => false,
            })
            .min()
    }

    /// The nearest amenity and its distance; `None` when there are no amenities.
    pub fn nearest(&self, c: Coord) -> Option<(u32, f64)> {
        if let Some(i) = self.containing(c) {
            return Some((i, 0.0));
        }
        let q = [c.x, c.y];
        let seg = self
            .segments
            .nearest_neighbor(&q)
            .map(|s| (s.data, rstar::PointDistance::distance_2(s, &q)));
        let pt = self
            .points
            .nearest_neighbor(&q)
            .map(|s| (s.data, rstar::PointDistance::distance_2(s, &q)));
        let best = match (seg, pt) {
            (Some(a), Some(b)) => Some(if b.1 < a.1 || (b.1 == a.1 && b.0 < a.0) {
                b
            } else {
                a
            }),
            (a, b) => a.or(b),
        };
        best.map(|(i, d2)| (i, d2.sqrt()))
    }

    /// Every amenity within `radius` of `c` with its distance, sorted by amenity index.
    pub fn within(&self, c: Coord, radius: f64) -> Vec<(u32, f64)> {
        let q = [c.x, c.y];
        let r2 = radius * radius;
        let mut found: Vec<(u32, f64)> = Vec::new();
        for s in self.segments.locate_within_distance(q, r2) {
            found.push((s.data, rstar::PointDistance::distance_2(s, &q).sqrt()));
        }
        for s in self.points.locate_within_distance(q, r2) {
            found.push((s.data, rstar::PointDistance::distance_2(s, &q).sqrt()));
        }
        for e in self.envelopes.locate_all_at_point(&q) {
            if let AmenityGeometry::Polygon(mp) = &self.items[e.data as usize].geometry {
                if mp.intersects(&Point(c)) {
                    found.push((e.data, 0.0));
                }
            }
        }
        found.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
        found.dedup_by_key(|f| f.0);
        found
    }

    /// The squared distance from `q` to amenity `i`: 0 inside a polygon (boundary included),
    /// else to its nearest boundary segment; the same arithmetic as [`Self::nearest`].
    fn distance_2(&self, i: u32, q: [f64; 2]) -> f64 {
        let i = i as usize;
        match &self.items[i].geometry {
            AmenityGeometry::Point(c) => point_distance_2([c.x, c.y], q),
            AmenityGeometry::Polygon(_) => {
                if self.contains(i as u32, q) {
                    return 0.0;
                }
                match &self.outline_tree[i] {
                    Some(tree) => tree
                        .nearest_neighbor(&q)
                        .map_or(f64::INFINITY, |l| segment_distance_2(l, q)),
                    None => self.outline[self.outline_of[i].clone()]
                        .iter()
                        .map(|l| segment_distance_2(l, q))
                        .fold(f64::INFINITY, f64::min),
                }
            }
        }
    }

    /// The amenities whose envelope lies within `radius` of `q`, sorted by index: a superset of
    /// those with any point within `radius`.
    fn candidates(&self, q: [f64; 2], radius: f64, out: &mut Vec<u32>) {
        out.clear();
        if radius.is_nan() || radius < 0.0 {
            return;
        }
        // A little slack: a candidate too many is harmless, one too few is not.
        let r = radius * (1.0 + 1e-9) + 1e-6;
        let r2 = r * r;
        out.extend(self.points.locate_within_distance(q, r2).map(|s| s.data));
        out.extend(self.envelopes.locate_within_distance(q, r2).map(|e| e.data));
        out.sort_unstable();
    }

    /// [`Self::within`] for many points: calls `f(i, pairs)` for every point `i` in order with
    /// its amenities within `radius`, sorted by amenity index (the same pairs, bit for bit).
    /// Runs on the calling thread; callers parallelise over chunks of points.
    pub fn within_each(
        &self,
        points: &[Coord],
        radius: f64,
        mut f: impl FnMut(usize, &[(u32, f64)]),
    ) {
        self.within_each_squared(points, radius, None, |i, found| {
            for pair in found.iter_mut() {
                pair.1 = pair.1.sqrt();
            }
            f(i, found)
        });
    }

    /// [`Self::within_each`] with the squared distances (the distances are their square roots):
    /// for callers that only compare distances with thresholds, which they can square once
    /// instead of taking a root per pair.
    ///
    /// A caller that needs of each squared distance `d2` only which of some `bounds`
    /// (ascending) it reaches, `d2 >= bound`, passes them: a pair whose grid cell already
    /// decides that (its nearest and farthest possible distances from the cell reach the same
    /// bounds) then gets a stand-in, the least squared distance that reaches those bounds (0
    /// or one of them), instead of its exact distance. Most pairs of a 1000 m catchment lie
    /// well inside one step of the step decay, and the exact distance to a polygon (a division
    /// per side) was most of the range queries' time. The pairs are the same either way, in
    /// the same order.
    pub fn within_each_squared(
        &self,
        points: &[Coord],
        radius: f64,
        bounds: Option<&[f64]>,
        mut f: impl FnMut(usize, &mut [(u32, f64)]),
    ) {
        let per_cell = match bounds {
            Some(_) => CLASSED_POINTS_PER_CELL,
            None => POINTS_PER_CELL,
        };
        let cell = if radius > 0.0 {
            cell_size(points, per_cell).min(radius / 2.0)
        } else {
            cell_size(points, per_cell)
        };
        let mut cells = CellCache::default();
        let mut scratch = Vec::new();
        let mut found: Vec<(u32, f64)> = Vec::new();
        for (p, c) in points.iter().enumerate() {
            let q = [c.x, c.y];
            let key = cell_key(q, cell);
            let candidates = cells.get(key, || {
                self.cell_candidates(key, cell, radius, bounds, &mut scratch)
            });
            self.in_reach(
                candidates,
                q,
                radius,
                bounds.unwrap_or_default(),
                &mut found,
            );
            f(p, &mut found);
        }
    }

    /// The candidates of a cell within `radius` of `q` with their squared distance, in
    /// candidate order, into `found`.
    ///
    /// Not generic, so that this innermost loop compiles the same (and as fast) whatever the
    /// caller of [`Self::within_each`] does with the pairs.
    #[inline(never)]
    fn in_reach(
        &self,
        candidates: &CellCandidates,
        q: [f64; 2],
        radius: f64,
        bounds: &[f64],
        found: &mut Vec<(u32, f64)>,
    ) {
        let r2 = radius * radius;
        let reach = radius * (1.0 + 1e-9) + 1e-6;
        let reach2 = reach * reach;
        found.clear();
        for candidate in &candidates.items {
            let (i, d2) = match *candidate {
                Candidate::Point { amenity, at } => (amenity, point_distance_2(at, q)),
                Candidate::Outline {
                    amenity,
                    ref segments,
                    may_contain,
                    ref classes,
                } => {
                    let b = &self.bounds[amenity as usize];
                    let outside = box_distance_2(b.lower(), b.upper(), q);
                    let segments = &candidates.segments[segments.clone()];
                    let d2 = if outside > reach2 {
                        // Its envelope is out of reach, so is every point of it.
                        f64::INFINITY
                    } else if let Some(stand_in) = classes.clone().and_then(|k| {
                        // At least the distance to its envelope, at most the distance to any
                        // of its vertices: when the bounds between them are the same, the
                        // exact distance reaches those too.
                        let vertex = segments
                            .iter()
                            .map(|l| point_distance_2(l.from, q))
                            .fold(f64::INFINITY, f64::min);
                        stand_in_between(outside, vertex, bounds, k, r2)
                    }) {
                        stand_in
                    } else if may_contain && self.contains(amenity, q) {
                        0.0
                    } else {
                        let mut d2 = f64::INFINITY;
                        for l in segments {
                            d2 = d2.min(segment_distance_2(l, q));
                        }
                        d2
                    };
                    (amenity, d2)
                }
                Candidate::Other(amenity) => (amenity, self.distance_2(amenity, q)),
                Candidate::Known { amenity, stand_in } => (amenity, stand_in),
            };
            if d2 <= r2 {
                found.push((i, d2));
            }
        }
    }

    /// What the points of one grid cell must test exactly for [`Self::within_each`]: the
    /// amenities that can be within `radius` of some point of the cell, in index order, and
    /// for each short polygon only the boundary segments that can be its nearest to a point
    /// of the cell.
    ///
    /// Most of a range query's time is the exact distance to polygons; a segment whose
    /// distance to the cell exceeds another segment's largest distance to the cell is never the
    /// nearest, so it is dropped (two of a far rectangle's four sides, typically). The distance
    /// is the minimum over the segments kept, with the same arithmetic: bit-identical. The
    /// margins (1e-6 m and 1e-9 relative) exceed the rounding of these bounds by orders of
    /// magnitude, so no segment or amenity that could matter is dropped.
    ///
    /// With `bounds` (see [`Self::within_each_squared`]), a point or short polygon whose distance
    /// from every point of the cell reaches the same bounds becomes a [`Candidate::Known`].
    fn cell_candidates(
        &self,
        key: (i64, i64),
        cell: f64,
        radius: f64,
        bounds: Option<&[f64]>,
        scratch: &mut Vec<u32>,
    ) -> CellCandidates {
        let half_diagonal = cell * std::f64::consts::FRAC_1_SQRT_2;
        self.candidates(cell_centre(key, cell), radius + half_diagonal, scratch);
        let mut out = CellCandidates::default();
        if scratch.is_empty() {
            return out;
        }
        // The cell's box, padded for the rounding of `cell_key`.
        let (x0, y0) = (key.0 as f64 * cell, key.1 as f64 * cell);
        let pad = 1e-6 + 1e-12 * (x0.abs() + y0.abs() + cell);
        let lo = [x0 - pad, y0 - pad];
        let hi = [x0 + cell + pad, y0 + cell + pad];
        let corners = [lo, [hi[0], lo[1]], hi, [lo[0], hi[1]]];
        let reach = radius * (1.0 + 1e-9) + 1e-6;
        for &i in scratch.iter() {
            match &self.items[i as usize].geometry {
                AmenityGeometry::Point(c) => {
                    let at = [c.x, c.y];
                    if box_distance_2(lo, hi, at) <= reach * reach {
                        out.items.push(Candidate::Point { amenity: i, at });
                    }
                }
                AmenityGeometry::Polygon(_) => {
                    let b = &self.bounds[i as usize];
                    let near = box_box_distance(lo, hi, b.lower(), b.upper());
                    if near > reach {
                        continue;
                    }
                    if self.outline_tree[i as usize].is_some() {
                        out.items.push(Candidate::Other(i));
                        continue;
                    }
                    let outline = &self.outline[self.outline_of[i as usize].clone()];
                    let (lo_b, hi_b) = (b.lower(), b.upper());
                    if (hi_b[0] - lo_b[0]).max(hi_b[1] - lo_b[1]) <= cell {
                        // Smaller than the cell: every side is about as near to some point of
                        // the cell as any other, so none could be dropped.
                        let start = out.segments.len();
                        out.segments.extend_from_slice(outline);
                        out.items.push(Candidate::Outline {
                            amenity: i,
                            segments: start..out.segments.len(),
                            may_contain: near == 0.0,
                            classes: None,
                        });
                        continue;
                    }
                    // The distance to a segment is convex, so its largest over the box is at a
                    // corner; the smallest such largest bounds the nearest segment's distance.
                    let nearest_at_most = outline
                        .iter()
                        .map(|l| {
                            corners
                                .iter()
                                .map(|c| l.distance_2(c))
                                .fold(0.0, f64::max)
                                .sqrt()
                        })
                        .fold(f64::INFINITY, f64::min);
                    let keep = nearest_at_most * (1.0 + 1e-9) + 1e-6;
                    let start = out.segments.len();
                    let mut nearest_at_least = f64::INFINITY;
                    for l in outline {
                        let e = l.envelope();
                        let d = box_box_distance(lo, hi, e.lower(), e.upper());
                        nearest_at_least = nearest_at_least.min(d);
                        if d <= keep {
                            out.segments.push(*l);
                        }
                    }
                    // A point of the cell may lie inside only when the boxes meet; outside,
                    // its distance is at least the nearest segment's distance to the box.
                    let may_contain = near == 0.0;
                    if !may_contain && nearest_at_least > reach {
                        out.segments.truncate(start);
                        continue;
                    }
                    out.items.push(Candidate::Outline {
                        amenity: i,
                        segments: start..out.segments.len(),
                        may_contain,
                        classes: None,
                    });
                }
            }
        }
        if let Some(bounds) = bounds {
            for item in &mut out.items {
                let (amenity, nearest) = match *item {
                    Candidate::Point { amenity, at } => {
                        (amenity, box_distance_2(lo, hi, at).sqrt())
                    }
                    Candidate::Outline { amenity, .. } => {
                        let b = &self.bounds[amenity as usize];
                        (amenity, box_box_distance(lo, hi, b.lower(), b.upper()))
                    }
                    Candidate::Other(_) | Candidate::Known { .. } => continue,
                };
                let farthest = self.farthest_from_box(amenity, &corners);
                if let Some(stand_in) = class_of(nearest, farthest, bounds, radius * radius) {
                    *item = Candidate::Known { amenity, stand_in };
                } else if let Candidate::Outline { classes, .. } = item {
                    *classes = Some(bounds_between(nearest, farthest, bounds));
                }
            }
        }
        out
    }

    /// At least the largest distance from a point of the box with `corners` to amenity `i`: a
    /// point's farthest corner, and for a polygon the least of its vertices' (the polygon holds
    /// its vertices, so it is no farther than any of them; the distance to a point is convex, so
    /// its largest over the box is at a corner).
    fn farthest_from_box(&self, i: u32, corners: &[[f64; 2]; 4]) -> f64 {
        let farthest_corner = |v: [f64; 2]| {
            corners
                .iter()
                .map(|&c| point_distance_2(v, c))
                .fold(0.0, f64::max)
        };
        let d2 = match &self.items[i as usize].geometry {
            AmenityGeometry::Point(c) => farthest_corner([c.x, c.y]),
            AmenityGeometry::Polygon(_) => self.outline[self.outline_of[i as usize].clone()]
                .iter()
                .map(|l| farthest_corner(l.from))
                .fold(f64::INFINITY, f64::min),
        };
        d2.sqrt()
    }

    /// Whether polygon amenity `i` holds `q` (boundary included), as [`Self::distance_2`] tests.
    fn contains(&self, i: u32, q: [f64; 2]) -> bool {
        let b = &self.bounds[i as usize];
        let (lo, hi) = (b.lower(), b.upper());
        let in_bounds = lo[0] <= q[0] && q[0] <= hi[0] && lo[1] <= q[1] && q[1] <= hi[1];
        in_bounds
            && match &self.items[i as usize].geometry {
                AmenityGeometry::Polygon(mp) => mp.intersects(&Point::new(q[0], q[1])),
                AmenityGeometry::Point(_) => false,
            }
    }

    /// The nearest amenity to every point and its distance: [`Self::nearest`]'s distance for many
    /// points, on the calling thread. Of amenities equally near, the lowest index; with no
    /// amenities, `(u32::MAX, f64::INFINITY)`.
    pub fn nearest_each(&self, points: &[Coord]) -> Vec<(u32, f64)> {
        let mut distances = vec![0.0; points.len()];
        let mut nearest = vec![0; points.len()];
        self.nearest_into(points, &mut distances, &mut nearest);
        nearest.into_iter().zip(distances).collect()
    }

    /// [`Self::nearest_each`] into the columns `distances` and `nearest` (one per point): the
    /// batch writes each chunk's answers in place instead of collecting pairs and splitting
    /// them, which made a fifth of the nearest distances' time (copies and page faults).
    fn nearest_into(&self, points: &[Coord], distances: &mut [f64], nearest: &mut [u32]) {
        if self.items.is_empty() {
            distances.fill(f64::INFINITY);
            nearest.fill(u32::MAX);
            return;
        }
        let cell = cell_size(points, NEAREST_POINTS_PER_CELL);
        let half_diagonal = cell * std::f64::consts::FRAC_1_SQRT_2;
        // Per cell its candidates, and the nearest of the cell's last point (a point's nearest
        // is most often its neighbour's).
        let mut cells: CellCache<(Vec<u32>, Option<u32>)> = CellCache::default();
        let out = distances.iter_mut().zip(nearest.iter_mut());
        for (c, (distance, nearest)) in points.iter().zip(out) {
            let q = [c.x, c.y];
            let key = cell_key(q, cell);
            let (candidates, last) = cells.get(key, || {
                // Every point of the cell is within `half_diagonal` of the centre, so its
                // nearest amenity is within `d + half_diagonal` of the point, hence within
                // `d + 2 half_diagonal` of the centre.
                let centre = cell_centre(key, cell);
                let mut out = Vec::new();
                if let Some((_, d)) = self.nearest(Coord {
                    x: centre[0],
                    y: centre[1],
                }) {
                    self.candidates(centre, d + 2.0 * half_diagonal, &mut out);
                }
                (out, None)
            });
            let (i, d2) = self.nearest_of(candidates, *last, q);
            if i != u32::MAX {
                *last = Some(i);
            }
            (*nearest, *distance) = (i, d2.sqrt());
        }
    }

    /// The nearest of `candidates` (in index order) to `q` and its squared distance: of equally
    /// near ones the lowest index, `(u32::MAX, f64::INFINITY)` when none is nearer than
    /// infinity. The same answer as computing every candidate's distance.
    ///
    /// Most of the time of the nearest distances went to the exact distance to polygons that
    /// cannot win. `first`, a likely winner, is measured before the others, and a polygon whose
    /// envelope is farther than the best so far is passed over: its distance can only be larger.
    /// The margin (1e-9 relative and 1e-6 m) exceeds the rounding of either distance by orders
    /// of magnitude, so no candidate that could win or tie is passed over.
    fn nearest_of(&self, candidates: &[u32], first: Option<u32>, q: [f64; 2]) -> (u32, f64) {
        let mut best = (u32::MAX, f64::INFINITY);
        let mut limit2 = f64::INFINITY;
        let consider = |i: u32, best: &mut (u32, f64), limit2: &mut f64| {
            if let AmenityGeometry::Polygon(_) = self.items[i as usize].geometry {
                let b = &self.bounds[i as usize];
                if box_distance_2(b.lower(), b.upper(), q) > *limit2 {
                    return;
                }
            }
            let d2 = self.distance_2(i, q);
            // A tie goes to the lower index; an infinite distance never wins.
            if d2 < best.1 || (d2 == best.1 && best.0 != u32::MAX && i < best.0) {
                *best = (i, d2);
                let limit = d2.sqrt() * (1.0 + 1e-9) + 1e-6;
                *limit2 = limit * limit;
            }
        };
        if let Some(i) = first {
            consider(i, &mut best, &mut limit2);
        }
        for &i in candidates {
            if Some(i) != first {
                consider(i, &mut best, &mut limit2);
            }
        }
        best
    }
}

/// A value per grid cell, made the first time the cell is asked for. Points come in the
/// caller's order, which is mostly spatially coherent, so the previous lookup's cell is tried
/// before the hash map: that saves most lookups.
struct CellCache<T> {
    index: HashMap<(i64, i64), usize>,
    values: Vec<T>,
    last: Option<((i64, i64), usize)>,
}

impl<T> Default for CellCache<T> {
    fn default() -> Self {
        CellCache {
            index: HashMap::new(),
            values: Vec::new(),
            last: None,
        }
    }
}

impl<T> CellCache<T> {
    /// The value of the cell `key`, made by `make` if the cell has none yet.
    fn get(&mut self, key: (i64, i64), make: impl FnOnce() -> T) -> &mut T {
        let at = match self.last {
            Some((k, at)) if k == key => at,
            _ => {
                let values = &mut self.values;
                let at = *self.index.entry(key).or_insert_with(|| {
                    values.push(make());
                    values.len() - 1
                });
                self.last = Some((key, at));
                at
            }
        };
        &mut self.values[at]
    }
}

/// One grid cell's share of a batch range query ([`AmenityIndex::within_each`]).
#[derive(Default)]
struct CellCandidates {
    /// In amenity index order.
    items: Vec<Candidate>,
    /// The kept boundary segments of the cell's polygons, each polygon's consecutive.
    segments: Vec<Line<[f64; 2]>>,
}

enum Candidate {
    Point {
        amenity: u32,
        at: [f64; 2],
    },
    /// A polygon whose short outline is scanned: `segments` of [`CellCandidates::segments`].
    Outline {
        amenity: u32,
        segments: Range<usize>,
        /// The cell's box meets the polygon's envelope, so a point may lie inside.
        may_contain: bool,
        /// With bounds, those the cell's points may reach (or not) at this polygon's distance:
        /// each point then tries to decide its pair by cheap bounds on the distance
        /// ([`stand_in_between`]) before it measures the exact one.
        classes: Option<Range<usize>>,
    },
    /// A polygon with a segment tree of its own: [`AmenityIndex::distance_2`].
    Other(u32),
    /// An amenity within the radius from every point of the cell, whose squared distance from
    /// any of them reaches the same of [`AmenityIndex::within_each_squared`]'s bounds as
    /// `stand_in` does.
    Known {
        amenity: u32,
        stand_in: f64,
    },
}

/// The stand-in of [`Candidate::Known`] for distances between `nearest` and `farthest` (from a
/// cell's points to an amenity): `None` unless every squared distance between them, widened by
/// margins far above their rounding (1e-9 relative and 1e-6 m, as the cell's candidates), is
/// within `r2` and reaches the same of `bounds` (ascending). The stand-in is then the least
/// squared distance that reaches exactly those bounds: 0, or the last bound reached.
fn class_of(nearest: f64, farthest: f64, bounds: &[f64], r2: f64) -> Option<f64> {
    let lo = (nearest * (1.0 - 1e-9) - 1e-6).max(0.0);
    let hi = farthest * (1.0 + 1e-9) + 1e-6;
    let (lo2, hi2) = (lo * lo, hi * hi);
    if hi2.is_nan() || hi2 > r2 {
        return None;
    }
    let reached = bounds.partition_point(|&b| b <= lo2);
    match bounds.get(reached) {
        Some(&next) if hi2 >= next => None,
        _ => Some(reached.checked_sub(1).map_or(0.0, |k| bounds[k])),
    }
}

/// The bounds (ascending) that distances between `nearest` and `farthest` may reach or not,
/// with the margins of [`class_of`]: every bound before the range is reached by all of them,
/// none after it by any.
fn bounds_between(nearest: f64, farthest: f64, bounds: &[f64]) -> Range<usize> {
    let lo = (nearest * (1.0 - 1e-9) - 1e-6).max(0.0);
    let hi = farthest * (1.0 + 1e-9) + 1e-6;
    bounds.partition_point(|&b| b <= lo * lo)..bounds.partition_point(|&b| b <= hi * hi)
}

/// [`class_of`] for one point, from squared distances `lo2 <= d2 <= hi2` (a polygon's envelope
/// and nearest vertex): the stand-in for the exact squared distance `d2` when every value
/// between them, widened by a margin far above their rounding, is within `r2` and reaches the
/// same of `bounds`, else `None`. Only `bounds[near]` can lie between them (the cell's
/// [`bounds_between`]), which is checked, so the answer holds whatever `near` is.
///
/// The margin, `1e-8` relative and `1e-4` m², is above the rounding of either squared distance
/// by orders of magnitude: their coordinates' differences round to about 1e-9 m in a projected
/// CRS (up to 1e7 m), so a squared distance `d²` is off by at most a few `1e-9 d`.
#[inline(always)]
fn stand_in_between(
    lo2: f64,
    hi2: f64,
    bounds: &[f64],
    near: Range<usize>,
    r2: f64,
) -> Option<f64> {
    let lo2 = lo2 - (lo2 * 1e-8 + 1e-4);
    let hi2 = hi2 + (hi2 * 1e-8 + 1e-4);
    // A NaN is never decided.
    if hi2.is_nan() || hi2 > r2 {
        return None;
    }
    let below_reached = near.start == 0 || bounds[near.start - 1] <= lo2;
    let above_not = near.end == bounds.len() || bounds[near.end] > hi2;
    if !(below_reached && above_not) {
        return None;
    }
    let mut reached = near.start;
    for &b in &bounds[near] {
        if b <= lo2 {
            reached += 1;
        } else if b <= hi2 {
            return None;
        } else {
            break;
        }
    }
    Some(reached.checked_sub(1).map_or(0.0, |k| bounds[k]))
}

/// rstar's `[f64; 2]` `distance_2` (0.12) written out: the same operations in the same order,
/// so bit-identical (tested against it), as plain arithmetic the compiler always inlines into
/// the query loop.
#[inline(always)]
fn point_distance_2(p: [f64; 2], q: [f64; 2]) -> f64 {
    let d = [p[0] - q[0], p[1] - q[1]];
    d[1] * d[1] + (d[0] * d[0] + 0.0)
}

/// rstar's `Line::distance_2` (0.12) written out, as [`point_distance_2`]: rstar's generic
/// point code compiled to calls in the query loop in some builds, which made a range query up
/// to half again as slow.
#[inline(always)]
fn segment_distance_2(l: &Line<[f64; 2]>, q: [f64; 2]) -> f64 {
    let (p1, p2) = (l.from, l.to);
    let dir = [p2[0] - p1[0], p2[1] - p1[1]];
    let dot = 0.0 + (q[0] - p1[0]) * dir[0] + (q[1] - p1[1]) * dir[1];
    let s = dot / (dir[1] * dir[1] + (dir[0] * dir[0] + 0.0));
    let nearest = if 0.0 < s && s < 1.0 {
        [p1[0] + dir[0] * s, p1[1] + dir[1] * s]
    } else if s <= 0.0 {
        p1
    } else {
        p2
    };
    point_distance_2(nearest, q)
}

/// The squared distance from `q` to the box `lo..hi`, 0 inside.
fn box_distance_2(lo: [f64; 2], hi: [f64; 2], q: [f64; 2]) -> f64 {
    let dx = (lo[0] - q[0]).max(q[0] - hi[0]).max(0.0);
    let dy = (lo[1] - q[1]).max(q[1] - hi[1]).max(0.0);
    dx * dx + dy * dy
}

/// The distance between two boxes, 0 when they meet.
fn box_box_distance(lo: [f64; 2], hi: [f64; 2], lo2: [f64; 2], hi2: [f64; 2]) -> f64 {
    let dx = (lo2[0] - hi[0]).max(lo[0] - hi2[0]).max(0.0);
    let dy = (lo2[1] - hi[1]).max(lo[1] - hi2[1]).max(0.0);
    (dx * dx + dy * dy).sqrt()
}

/// A grid cell size for a batch of points: about `per_cell` points per cell of their bounding
/// box, so that one tree walk serves many points.
fn cell_size(points: &[Coord], per_cell: f64) -> f64 {
    let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
    for c in points {
        lo = [lo[0].min(c.x), lo[1].min(c.y)];
        hi = [hi[0].max(c.x), hi[1].max(c.y)];
    }
    let area = (hi[0] - lo[0]) * (hi[1] - lo[1]);
    let size = (area / points.len().max(1) as f64 * per_cell).sqrt();
    if size.is_finite() && size > 0.0 {
        size
    } else {
        1.0
    }
}

fn cell_key(q: [f64; 2], cell: f64) -> (i64, i64) {
    ((q[0] / cell).floor() as i64, (q[1] / cell).floor() as i64)
}

fn cell_centre(key: (i64, i64), cell: f64) -> [f64; 2] {
    [(key.0 as f64 + 0.5) * cell, (key.1 as f64 + 0.5) * cell]
}

/// The distance from every point to the nearest amenity (`f64::INFINITY` when there is none),
/// in parallel.
pub fn nearest_distances(points: &[Coord], items: &[Amenity]) -> Vec<f64> {
    nearest_amenities(points, items).0
}

/// The distance from every point to the nearest amenity, and that amenity's index (of equally
/// near ones the lowest; `f64::INFINITY` and `u32::MAX` when there is none), in parallel.
pub fn nearest_amenities(points: &[Coord], items: &[Amenity]) -> (Vec<f64>, Vec<u32>) {
    let index = AmenityIndex::new(items);
    let mut distances = vec![0.0; points.len()];
    let mut nearest = vec![0; points.len()];
    points
        .par_chunks(CHUNK)
        .zip(distances.par_chunks_mut(CHUNK))
        .zip(nearest.par_chunks_mut(CHUNK))
        .for_each(|((chunk, distances), nearest)| index.nearest_into(chunk, distances, nearest));
    (distances, nearest)
}

/// How many points [`chunks_in_order`] has in flight at once: a few chunks per thread.
pub fn homes_in_flight() -> usize {
    CHUNK * 4 * rayon::current_num_threads().max(1)
}

/// Runs `map` on consecutive chunks of the points in parallel (with each chunk's first point
/// index) and hands the results to `consume` in point order, a few chunks per thread at a time,
/// so that what the chunks produce never has to be held for all points at once. Sums that
/// `consume` makes therefore run in the same order whatever the thread count.
///
/// The points go in waves of half of [`homes_in_flight`]: one wave is consumed while the next
/// is mapped, so the sequential `consume` (step 1's sums over about 100 million pairs at 1 M
/// homes) leaves no core idle, with as many points in flight as one wave of them all at once.
pub fn chunks_in_order<T: Send>(
    points: &[Coord],
    map: impl Fn(usize, &[Coord]) -> T + Sync + Send,
    mut consume: impl FnMut(T) + Send,
) {
    let wave = (homes_in_flight() / 2).max(CHUNK);
    let map_wave = |w: usize, wave_points: &[Coord]| -> Vec<T> {
        wave_points
            .par_chunks(CHUNK)
            .enumerate()
            .map(|(c, chunk)| map(w * wave + c * CHUNK, chunk))
            .collect()
    };
    let mut mapped: Vec<T> = Vec::new();
    for (w, wave_points) in points.chunks(wave).enumerate() {
        let previous = std::mem::take(&mut mapped);
        let consume = &mut consume;
        mapped = rayon::join(
            || map_wave(w, wave_points),
            move || previous.into_iter().for_each(consume),
        )
        .0;
    }
    mapped.into_iter().for_each(consume);
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Contains, MultiPolygon, Polygon};
    use proptest::prelude::*;

    fn amenity(geometry: AmenityGeometry) -> Amenity {
        Amenity {
            geometry,
            area_m2: 0.0,
            capacity: 1.0,
            id: String::new(),
            name: String::new(),
            source: String::new(),
            index: 0,
            attributes: Default::default(),
            parts: 1,
        }
    }

    fn square(x: f64, y: f64, s: f64) -> AmenityGeometry {
        AmenityGeometry::Polygon(MultiPolygon(vec![Polygon::new(
            vec![(x, y), (x + s, y), (x + s, y + s), (x, y + s), (x, y)].into(),
            vec![],
        )]))
    }

    /// The likely winner measured first and the envelopes passed over do not change the answer:
    /// of equal distances the lower index, never an amenity at infinite distance, and a polygon
    /// whose envelope is farther than the best is skipped yet still wins when it is nearer.
    #[test]
    fn nearest_of_keeps_the_lowest_index_and_the_exact_minimum() {
        let items = [
            amenity(AmenityGeometry::Point(Coord { x: 0.0, y: 0.0 })),
            amenity(AmenityGeometry::Point(Coord { x: 10.0, y: 0.0 })),
            amenity(square(4.0, 3.0, 2.0)),
            amenity(AmenityGeometry::Polygon(MultiPolygon(vec![]))),
        ];
        let idx = AmenityIndex::new(&items);
        // At (5, 0) the two points are both 5 m away: amenity 0 wins, whichever is seeded.
        for first in [None, Some(0), Some(1), Some(3)] {
            assert_eq!(
                idx.nearest_of(&[0, 1, 3], first, [5.0, 0.0]),
                (0, 25.0),
                "{first:?}"
            );
        }
        // The square's lower side is 3 m from (5, 0): 9 m^2, though amenity 1 is seeded.
        assert_eq!(idx.nearest_of(&[0, 1, 2], Some(1), [5.0, 0.0]), (2, 9.0));
        // From (5, 4), inside the square: 0.
        assert_eq!(idx.nearest_of(&[0, 1, 2], Some(0), [5.0, 4.0]), (2, 0.0));
        // An empty polygon is at infinite distance: never the nearest.
        assert_eq!(
            idx.nearest_of(&[3], Some(3), [5.0, 0.0]),
            (u32::MAX, f64::INFINITY)
        );
        assert_eq!(
            idx.nearest_of(&[], None, [5.0, 0.0]),
            (u32::MAX, f64::INFINITY)
        );
    }

    /// By hand, bounds 100, 400 and 900 (squared metres), all within reach: a home decides its
    /// pair only when its distance bounds (widened by the margin) reach the same of them, and
    /// only when the cell's range of bounds is right about the ones outside it.
    #[test]
    fn stand_in_between_decides_only_within_one_class() {
        let bounds = [100.0, 400.0, 900.0];
        let all = 0..3;
        assert_eq!(
            stand_in_between(150.0, 300.0, &bounds, all.clone(), 1e4),
            Some(100.0)
        );
        assert_eq!(
            stand_in_between(0.0, 50.0, &bounds, all.clone(), 1e4),
            Some(0.0)
        );
        assert_eq!(
            stand_in_between(950.0, 5000.0, &bounds, all.clone(), 1e4),
            Some(900.0)
        );
        // A bound between them, or at the upper one: undecided.
        assert_eq!(
            stand_in_between(350.0, 450.0, &bounds, all.clone(), 1e4),
            None
        );
        assert_eq!(
            stand_in_between(150.0, 400.0, &bounds, all.clone(), 1e4),
            None
        );
        // Within the margin of a bound: undecided.
        assert_eq!(
            stand_in_between(400.0, 401.0, &bounds, all.clone(), 1e4),
            None
        );
        assert_eq!(
            stand_in_between(400.001, 401.0, &bounds, all.clone(), 1e4),
            Some(400.0)
        );
        // Beyond the radius, or the radius within the margin: undecided.
        assert_eq!(
            stand_in_between(950.0, 5000.0, &bounds, all.clone(), 4000.0),
            None
        );
        assert_eq!(stand_in_between(950.0, 5000.0, &bounds, all, 5000.0), None);
        // The cell's range claims bound 0 reached and bound 2 not: checked, not trusted.
        assert_eq!(
            stand_in_between(150.0, 300.0, &bounds, 1..2, 1e4),
            Some(100.0)
        );
        assert_eq!(stand_in_between(50.0, 80.0, &bounds, 1..2, 1e4), None);
        assert_eq!(stand_in_between(950.0, 999.0, &bounds, 1..2, 1e4), None);
        assert_eq!(
            stand_in_between(950.0, 999.0, &bounds, 2..3, 1e4),
            Some(900.0)
        );
    }

    /// Distance from p to segment ab, written out independently of rstar.
    fn seg_dist(p: Coord, a: Coord, b: Coord) -> f64 {
        let (dx, dy) = (b.x - a.x, b.y - a.y);
        let len2 = dx * dx + dy * dy;
        let t = if len2 == 0.0 {
            0.0
        } else {
            (((p.x - a.x) * dx + (p.y - a.y) * dy) / len2).clamp(0.0, 1.0)
        };
        ((p.x - a.x - t * dx).powi(2) + (p.y - a.y - t * dy).powi(2)).sqrt()
    }

    fn brute_force(p: Coord, items: &[Amenity]) -> f64 {
        items
            .iter()
            .map(|a| match &a.geometry {
                AmenityGeometry::Point(c) => ((p.x - c.x).powi(2) + (p.y - c.y).powi(2)).sqrt(),
                AmenityGeometry::Polygon(mp) => {
                    if mp.contains(&Point(p)) {
                        0.0
                    } else {
                        mp.lines_iter()
                            .map(|l| seg_dist(p, l.start, l.end))
                            .fold(f64::INFINITY, f64::min)
                    }
                }
            })
            .fold(f64::INFINITY, f64::min)
    }

    #[test]
    fn hand_computed_distances() {
        // A 10 m square at (0,0) and a point at (30, 0).
        let items = vec![
            amenity(square(0.0, 0.0, 10.0)),
            amenity(AmenityGeometry::Point(Coord { x: 30.0, y: 0.0 })),
        ];
        let idx = AmenityIndex::new(&items);
        // (13, 14): nearest corner (10, 10): sqrt(9 + 16) = 5.
        assert_eq!(idx.nearest(Coord { x: 13.0, y: 14.0 }), Some((0, 5.0)));
        // Inside: 0. On the boundary: 0.
        assert_eq!(idx.nearest(Coord { x: 2.0, y: 3.0 }), Some((0, 0.0)));
        assert_eq!(idx.nearest(Coord { x: 10.0, y: 3.0 }), Some((0, 0.0)));
        // (24, 0): 14 m from the square's edge x = 10, 6 m from the point.
        assert_eq!(idx.nearest(Coord { x: 24.0, y: 0.0 }), Some((1, 6.0)));
        // (5, -3): 3 m below the bottom edge.
        assert_eq!(idx.nearest(Coord { x: 5.0, y: -3.0 }), Some((0, 3.0)));
        let w = idx.within(Coord { x: 20.0, y: 5.0 }, 11.5);
        assert_eq!(w, vec![(0, 10.0), (1, (100.0f64 + 25.0).sqrt())]);
        assert!(AmenityIndex::new(&[])
            .nearest(Coord { x: 0.0, y: 0.0 })
            .is_none());
    }

    fn arb_amenity() -> impl Strategy<Value = Amenity> {
        prop_oneof![
            (0.0..1000.0f64, 0.0..1000.0f64)
                .prop_map(|(x, y)| amenity(AmenityGeometry::Point(Coord { x, y }))),
            (0.0..1000.0f64, 0.0..1000.0f64, 1.0..200.0f64)
                .prop_map(|(x, y, s)| amenity(square(x, y, s))),
            // Triangles, to have slanted edges.
            (0.0..1000.0f64, 0.0..1000.0f64, 5.0..150.0f64, 5.0..150.0f64).prop_map(
                |(x, y, a, b)| {
                    amenity(AmenityGeometry::Polygon(MultiPolygon(vec![Polygon::new(
                        vec![(x, y), (x + a, y + b / 3.0), (x + a / 2.0, y + b), (x, y)].into(),
                        vec![],
                    )])))
                }
            ),
        ]
    }

    proptest! {
        #[test]
        fn nearest_equals_brute_force(
            items in prop::collection::vec(arb_amenity(), 1..40),
            homes in prop::collection::vec((-100.0..1100.0f64, -100.0..1100.0f64), 1..60),
        ) {
            let idx = AmenityIndex::new(&items);
            for (x, y) in homes {
                let p = Coord { x, y };
                let (_, d) = idx.nearest(p).unwrap();
                let b = brute_force(p, &items);
                prop_assert!((d - b).abs() < 1e-9, "index {} brute force {} at {:?}", d, b, p);
                // `within` at that distance finds the nearest too.
                let w = idx.within(p, d + 1e-9);
                prop_assert!(w.iter().any(|(_, wd)| (wd - d).abs() < 1e-9));
            }
        }

        /// The amenity the batch query names against a brute force per amenity: at the
        /// nearest distance, and every amenity of a lower index farther. Some amenities are
        /// drawn twice, so that exact ties occur (the first copy must win).
        #[test]
        fn nearest_amenity_equals_brute_force(
            items in prop::collection::vec(arb_amenity(), 1..30),
            twice in prop::collection::vec(0usize..30, 0..4),
            homes in prop::collection::vec((-100.0..1100.0f64, -100.0..1100.0f64), 1..60),
        ) {
            let mut items = items;
            for t in twice {
                items.push(items[t % items.len()].clone());
            }
            let points: Vec<Coord> = homes.iter().map(|&(x, y)| Coord { x, y }).collect();
            let (distances, nearest) = nearest_amenities(&points, &items);
            for ((p, d), i) in points.iter().zip(distances).zip(nearest) {
                let alone: Vec<f64> = items.iter().map(|a| brute_force(*p, std::slice::from_ref(a))).collect();
                let best = alone.iter().copied().fold(f64::INFINITY, f64::min);
                prop_assert!((d - best).abs() < 1e-9, "{} vs {} at {:?}", d, best, p);
                prop_assert!((alone[i as usize] - best).abs() < 1e-9, "amenity {} at {} vs {}", i, alone[i as usize], best);
                for (j, a) in alone.iter().enumerate().take(i as usize) {
                    prop_assert!(*a > best + 1e-9, "amenity {} (below {}) at {} vs {}", j, i, a, best);
                }
            }
        }

        /// The batch queries (grid cells of candidates) give the per-point answers bit for bit.
        #[test]
        fn batch_queries_equal_per_point_queries(
            items in prop::collection::vec(arb_amenity(), 0..40),
            homes in prop::collection::vec((-300.0..1300.0f64, -300.0..1300.0f64), 1..200),
            radius in 0.0..400.0f64,
        ) {
            let idx = AmenityIndex::new(&items);
            let points: Vec<Coord> = homes.iter().map(|&(x, y)| Coord { x, y }).collect();
            let nearest = idx.nearest_each(&points);
            let mut seen = 0;
            idx.within_each(&points, radius, |i, pairs| {
                assert_eq!(i, seen);
                seen += 1;
                assert_eq!(pairs, idx.within(points[i], radius).as_slice(), "within at {:?}", points[i]);
            });
            prop_assert_eq!(seen, points.len());
            // The squared distances: the distances' squares before the root, so their roots
            // are the distances bit for bit, and each is the amenity's own squared distance.
            idx.within_each_squared(&points, radius, None, |i, pairs| {
                let q = [points[i].x, points[i].y];
                let roots: Vec<(u32, f64)> = pairs.iter().map(|&(j, d2)| (j, d2.sqrt())).collect();
                assert_eq!(roots, idx.within(points[i], radius), "squared within at {:?}", q);
                for &(j, d2) in pairs.iter() {
                    assert_eq!(d2.to_bits(), idx.distance_2(j, q).to_bits(), "amenity {} at {:?}", j, q);
                }
            });
            for (p, (i, d)) in points.iter().zip(nearest) {
                let one = idx.nearest(*p).map_or(f64::INFINITY, |n| n.1);
                prop_assert_eq!(d.to_bits(), one.to_bits(), "nearest at {:?}", p);
                // The amenity named is at that distance, and none of a lower index is as near.
                if !items.is_empty() {
                    prop_assert_eq!(idx.distance_2(i, [p.x, p.y]).sqrt().to_bits(), d.to_bits());
                    for j in 0..i {
                        prop_assert!(idx.distance_2(j, [p.x, p.y]).sqrt() > d);
                    }
                }
            }
        }

        /// With bounds, the pairs of the exact query in the same order, each with a squared
        /// distance that reaches the same bounds as the exact one (the stand-ins of pairs a
        /// cell decides), against brute force per amenity. Bounds are drawn at random and at
        /// exact pair distances (homes exactly at a bound), and from as few homes per cell as
        /// one to many, so that both decided and undecided pairs occur.
        #[test]
        fn classed_queries_reach_the_bounds_of_the_exact_distances(
            items in prop::collection::vec(arb_amenity(), 0..40),
            homes in prop::collection::vec((-300.0..1300.0f64, -300.0..1300.0f64), 1..300),
            spread in prop_oneof![Just(1.0), 0.005..1.0f64],
            radius in 0.0..900.0f64,
            random in prop::collection::vec(0.0..1.0f64, 0..6),
            at_pairs in prop::collection::vec((0usize..300, 0usize..40), 0..4),
        ) {
            let idx = AmenityIndex::new(&items);
            // Homes drawn closer together make smaller cells, whose candidates the cell decides
            // whole; in larger ones each home decides its polygons' bounds itself.
            let points: Vec<Coord> = homes
                .iter()
                .map(|&(x, y)| Coord { x: 500.0 + (x - 500.0) * spread, y: 500.0 + (y - 500.0) * spread })
                .collect();
            let mut bounds: Vec<f64> = random.iter().map(|u| (u * radius).powi(2)).collect();
            for (h, j) in at_pairs {
                if !items.is_empty() {
                    let p = points[h % points.len()];
                    bounds.push(brute_force(p, std::slice::from_ref(&items[j % items.len()])).powi(2));
                }
            }
            bounds.sort_by(f64::total_cmp);
            let reached = |d2: f64| bounds.partition_point(|&b| b <= d2);
            let mut seen = 0;
            idx.within_each_squared(&points, radius, Some(&bounds), |i, pairs| {
                seen += 1;
                let p = points[i];
                let exact = idx.within(p, radius);
                let ids: Vec<u32> = pairs.iter().map(|pair| pair.0).collect();
                let exact_ids: Vec<u32> = exact.iter().map(|pair| pair.0).collect();
                assert_eq!(ids, exact_ids, "amenities within {} of {:?}", radius, p);
                for &(j, d2) in pairs.iter() {
                    let exact2 = idx.distance_2(j, [p.x, p.y]);
                    assert_eq!(reached(d2), reached(exact2), "amenity {} from {:?}: {} vs {}", j, p, d2, exact2);
                    let brute = brute_force(p, std::slice::from_ref(&items[j as usize]));
                    assert!(d2 == exact2 || (brute * brute - exact2).abs() < 1e-6, "amenity {} from {:?}", j, p);
                }
            });
            prop_assert_eq!(seen, points.len());
        }

        /// The written-out distances equal rstar's bit for bit, on segments of any slant and
        /// length (including points on a segment's line and degenerate segments).
        #[test]
        fn written_out_distances_equal_rstar(
            a in (-1e6..1e6f64, -1e6..1e6f64),
            b in prop_oneof![(-1e6..1e6f64, -1e6..1e6f64), Just((0.0, 0.0))],
            q in (-1e6..1e6f64, -1e6..1e6f64),
            t in -0.5..1.5f64,
        ) {
            let (a, b) = ([a.0, a.1], if b == (0.0, 0.0) { [a.0, a.1] } else { [b.0, b.1] });
            let l = Line::new(a, b);
            let on_line = [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t];
            for q in [[q.0, q.1], on_line, a, b] {
                prop_assert_eq!(segment_distance_2(&l, q).to_bits(), l.distance_2(&q).to_bits());
                prop_assert_eq!(point_distance_2(a, q).to_bits(), a.distance_2(&q).to_bits());
            }
        }

        /// Large polygons (many sides, slanted) among many homes, so that cells are smaller
        /// than the polygons and [`AmenityIndex::within_each`] drops sides per cell: still the
        /// per-point answers bit for bit.
        #[test]
        fn batch_queries_with_sides_dropped_equal_per_point_queries(
            parks in prop::collection::vec(
                (0.0..2000.0f64, 0.0..2000.0f64, 100.0..600.0f64, 3usize..40, 0.0..1.0f64),
                1..6,
            ),
            homes in prop::collection::vec((-300.0..2300.0f64, -300.0..2300.0f64), 300..600),
            radius in 0.0..800.0f64,
        ) {
            // Irregular polygons around a centre: radius varying with the angle.
            let items: Vec<Amenity> = parks
                .iter()
                .map(|&(x, y, r, sides, wobble)| {
                    let ring: Vec<(f64, f64)> = (0..=sides)
                        .map(|k| {
                            let angle = std::f64::consts::TAU * (k % sides) as f64 / sides as f64;
                            let r = r * (1.0 - 0.5 * wobble * (3.0 * angle).sin().abs());
                            (x + r * angle.cos(), y + r * angle.sin())
                        })
                        .collect();
                    amenity(AmenityGeometry::Polygon(MultiPolygon(vec![Polygon::new(
                        ring.into(),
                        vec![],
                    )])))
                })
                .collect();
            let idx = AmenityIndex::new(&items);
            let points: Vec<Coord> = homes.iter().map(|&(x, y)| Coord { x, y }).collect();
            idx.within_each(&points, radius, |i, pairs| {
                assert_eq!(pairs, idx.within(points[i], radius).as_slice(), "within at {:?}", points[i]);
            });
        }
    }
}
