//! `geo`'s concave hull (0.33.1, `algorithm/concave_hull.rs`: a port of mapbox's concaveman;
//! MIT OR Apache-2.0, as this crate) with the same result bit for bit, for less work.
//!
//! The catchment outlines are the largest single cost of a dense network run, and most of the
//! hull's time went to exact distances (`hypot`, segment intersection predicates) from a hull
//! edge to R-tree nodes and points that lie far beyond the edge's search radius. Whether an
//! item is within that radius decides only whether it goes on the search's heap; its exact
//! distance matters only once it does. So before the exact distance, a cheap lower bound (the
//! gap to the edge's bounding box, and the distance to the edge's supporting line when the item
//! lies wholly on one side of it), with a margin far above the rounding of either, rules out
//! what is certainly beyond: those items were never pushed, and everything pushed carries the
//! same exact distance as in `geo`, so the heap, the candidates tried and the hull are the same.
//! A box certainly apart from the edge skips the four intersection tests, which could only
//! say no. The adjacent-edge test of a candidate uses the same bound the other way.
//! `concave_hull_equals_geo` (proptest, below) checks the outline against `geo`'s bit for bit.

use std::collections::{BinaryHeap, VecDeque};

use geo::algorithm::convex_hull::quick_hull;
use geo::{
    Contains, Coord, Distance, Euclidean, Intersects, Length, Line, LineString, Polygon, Triangle,
};
use rstar::{Envelope, ParentNode, RTree, RTreeNode, AABB};

/// `geo`'s default concavity (`ConcaveHullOptions::default()`), with no length threshold.
const CONCAVITY: f64 = 2.0;

/// `MultiPoint::concave_hull()` of `geo` 0.33 for `coords`.
pub fn concave_hull(coords: &[Coord]) -> Polygon {
    let mut coords = coords.to_vec();
    concave_hull_with_options(&mut coords)
}

enum NodeRef<'a> {
    Parent(&'a ParentNode<Coord>),
    Leaf(&'a Coord),
}

struct QueueItem<'a> {
    node: NodeRef<'a>,
    distance: f64,
}

impl Ord for QueueItem<'_> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        other.distance.total_cmp(&self.distance)
    }
}
impl PartialOrd for QueueItem<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for QueueItem<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.distance.total_cmp(&other.distance) == std::cmp::Ordering::Equal
    }
}
impl Eq for QueueItem<'_> {}

#[derive(Clone)]
struct HullEdge {
    line: Line,
    i: usize,
    prev_i: usize,
    next_i: usize,
}

/// A hull edge with what its lower bounds need.
struct Bounds {
    line: Line,
    dx: f64,
    dy: f64,
    len2: f64,
    min: Coord,
    max: Coord,
    /// Scale of the coordinates' rounding: the margin grows with it.
    scale: f64,
}

/// Relative margin on the bounds: the exact distances and the bounds are both within about
/// 1e-15 of their size (one product, a difference, a square root or `hypot`), so 1e-9 leaves six
/// orders of magnitude.
const MARGIN: f64 = 1e-9;

impl Bounds {
    fn new(line: Line) -> Bounds {
        let (dx, dy) = (line.end.x - line.start.x, line.end.y - line.start.y);
        Bounds {
            line,
            dx,
            dy,
            len2: dx * dx + dy * dy,
            min: Coord {
                x: line.start.x.min(line.end.x),
                y: line.start.y.min(line.end.y),
            },
            max: Coord {
                x: line.start.x.max(line.end.x),
                y: line.start.y.max(line.end.y),
            },
            scale: line.start.x.abs() + line.start.y.abs() + dx.abs() + dy.abs(),
        }
    }

    /// True when every point of the box `[lo, hi]` lies certainly farther than `limit` from
    /// the edge: by the gap between the box and the edge's bounding box, or by the least
    /// distance of the box's corners to the edge's line when they all lie on one side of it.
    fn beyond(&self, lo: Coord, hi: Coord, limit: f64) -> bool {
        let span = (hi.x - lo.x)
            + (hi.y - lo.y)
            + (lo.x - self.line.start.x).abs()
            + (lo.y - self.line.start.y).abs();
        let l = limit + MARGIN * (1.0 + limit + self.scale + span);
        if !(l.is_finite() && l >= 0.0) {
            return false;
        }
        let gx = (lo.x - self.max.x).max(self.min.x - hi.x).max(0.0);
        let gy = (lo.y - self.max.y).max(self.min.y - hi.y).max(0.0);
        if gx * gx + gy * gy > l * l {
            return true;
        }
        if self.len2 > 0.0 {
            let cross = |x: f64, y: f64| {
                self.dx * (y - self.line.start.y) - self.dy * (x - self.line.start.x)
            };
            let c = [
                cross(lo.x, lo.y),
                cross(lo.x, hi.y),
                cross(hi.x, lo.y),
                cross(hi.x, hi.y),
            ];
            let one_side = c.iter().all(|&v| v > 0.0) || c.iter().all(|&v| v < 0.0);
            if one_side {
                let least = c.iter().fold(f64::INFINITY, |m, v| m.min(v.abs()));
                return least * least > l * l * self.len2;
            }
        }
        false
    }

    /// [`Self::beyond`] for a point.
    fn point_beyond(&self, p: Coord, limit: f64) -> bool {
        self.beyond(p, p, limit)
    }

    /// `geo`'s distance from the edge to the box, when it is not certainly beyond `limit`
    /// (`None`: it is, and it would not have gone on the heap).
    fn to_box(&self, bbox: &AABB<Coord>, limit: f64) -> Option<f64> {
        let (lo, hi) = (bbox.lower(), bbox.upper());
        if self.beyond(lo, hi, limit) {
            return None;
        }
        if self.beyond(lo, hi, 0.0) {
            // Certainly apart: no endpoint inside and no side crossed, so `geo`'s answer is
            // the least of its point-to-segment distances, whatever order it takes them in.
            let line = &self.line;
            let c1 = Coord { x: lo.x, y: lo.y };
            let c2 = Coord { x: lo.x, y: hi.y };
            let c3 = Coord { x: hi.x, y: hi.y };
            let c4 = Coord { x: hi.x, y: lo.y };
            let sides = [
                Line::new(c1, c4),
                Line::new(c1, c2),
                Line::new(c4, c3),
                Line::new(c2, c3),
            ];
            let mut d = f64::INFINITY;
            for side in &sides {
                d = d
                    .min(Euclidean.distance(line.start, side))
                    .min(Euclidean.distance(line.end, side))
                    .min(Euclidean.distance(side.start, line))
                    .min(Euclidean.distance(side.end, line));
            }
            return Some(d);
        }
        Some(line_to_bbox_distance(&self.line, bbox))
    }
}

/// `geo`'s, unchanged.
fn line_to_bbox_distance(line: &Line, bbox: &AABB<Coord>) -> f64 {
    if bbox.contains_point(&line.start) || bbox.contains_point(&line.end) {
        return 0.0;
    }
    let c1 = Coord {
        x: bbox.lower().x,
        y: bbox.lower().y,
    };
    let c2 = Coord {
        x: bbox.lower().x,
        y: bbox.upper().y,
    };
    let c3 = Coord {
        x: bbox.upper().x,
        y: bbox.upper().y,
    };
    let c4 = Coord {
        x: bbox.upper().x,
        y: bbox.lower().y,
    };
    let d1 = Euclidean.distance(line, &Line::new(c1, c4));
    if d1 == 0.0 {
        return d1;
    }
    let d2 = Euclidean.distance(line, &Line::new(c1, c2));
    if d2 == 0.0 {
        return d2;
    }
    let d3 = Euclidean.distance(line, &Line::new(c4, c3));
    if d3 == 0.0 {
        return d3;
    }
    let d4 = Euclidean.distance(line, &Line::new(c2, c3));
    if d4 == 0.0 {
        return d4;
    }
    partial_min(partial_min(d1, d2), partial_min(d3, d4))
}

/// `geo::utils::partial_min`.
fn partial_min(a: f64, b: f64) -> f64 {
    if a <= b {
        a
    } else {
        b
    }
}

fn no_hull_intersections(line: &Line, current_hull_tree: &RTree<Line>) -> bool {
    let min_x = f64::min(line.start.x, line.end.x);
    let max_x = f64::max(line.start.x, line.end.x);
    let min_y = f64::min(line.start.y, line.end.y);
    let max_y = f64::max(line.start.y, line.end.y);
    let bbox = AABB::from_corners(geo::Point::new(min_x, min_y), geo::Point::new(max_x, max_y));
    for hull_line in current_hull_tree.locate_in_envelope_intersecting(&bbox) {
        if hull_line.start == line.start
            || hull_line.start == line.end
            || hull_line.end == line.start
            || hull_line.end == line.end
        {
            continue;
        }
        if line.intersects(hull_line) {
            return false;
        }
    }
    true
}

fn find_excluded_point(
    start_line: Line,
    end_line: Line,
    previously_checked_points: &[Coord],
) -> Option<Coord> {
    let triangle = Triangle::new(start_line.start, start_line.end, end_line.end);
    previously_checked_points
        .iter()
        .find(|p| triangle.contains(*p))
        .copied()
}

/// `geo`'s `d >= Euclidean.distance(p, edge)`, the exact distance taken only when the bound
/// cannot tell.
fn at_least_distance(d: f64, p: Coord, edge: &Line) -> bool {
    if Bounds::new(*edge).point_beyond(p, d) {
        return false;
    }
    d >= Euclidean.distance(p, edge)
}

fn find_candidate(
    hull_edge: &HullEdge,
    max_length: f64,
    current_hull_edges: &[HullEdge],
    interior_points_tree: &RTree<Coord>,
    current_hull_tree: &RTree<Line>,
) -> Option<Coord> {
    let line = hull_edge.line;
    let bounds = Bounds::new(line);
    let mut queue: BinaryHeap<QueueItem> = BinaryHeap::new();
    queue.push(QueueItem {
        node: NodeRef::Parent(interior_points_tree.root()),
        distance: 0.0,
    });
    let mut previously_checked_points: Vec<Coord> = Vec::new();
    while let Some(item) = queue.pop() {
        match item.node {
            NodeRef::Parent(parent) => {
                for child in parent.children() {
                    match child {
                        RTreeNode::Parent(p) => {
                            if let Some(distance) = bounds.to_box(&p.envelope(), max_length) {
                                if distance <= max_length {
                                    queue.push(QueueItem {
                                        node: NodeRef::Parent(p),
                                        distance,
                                    });
                                }
                            }
                        }
                        RTreeNode::Leaf(l) => {
                            if bounds.point_beyond(*l, max_length) {
                                continue;
                            }
                            let distance = Euclidean.distance(*l, &line);
                            if distance <= max_length {
                                queue.push(QueueItem {
                                    node: NodeRef::Leaf(l),
                                    distance,
                                });
                            }
                        }
                    }
                }
            }
            NodeRef::Leaf(leaf) => {
                if at_least_distance(
                    item.distance,
                    *leaf,
                    &current_hull_edges[hull_edge.prev_i].line,
                ) || at_least_distance(
                    item.distance,
                    *leaf,
                    &current_hull_edges[hull_edge.next_i].line,
                ) {
                    previously_checked_points.push(*leaf);
                    continue;
                }
                let start_line = Line::new(line.start, *leaf);
                let end_line = Line::new(*leaf, line.end);
                if no_hull_intersections(&start_line, current_hull_tree)
                    && no_hull_intersections(&end_line, current_hull_tree)
                {
                    if let Some(point) =
                        find_excluded_point(start_line, end_line, &previously_checked_points)
                    {
                        return Some(point);
                    }
                    return Some(*leaf);
                }
                previously_checked_points.push(*leaf);
            }
        }
    }
    None
}

fn order_concave_hull(current_hull_edges: Vec<HullEdge>) -> LineString {
    let mut ordered_coords: Vec<Coord> = Vec::with_capacity(current_hull_edges.len() + 1);
    let mut current_i = 0;
    ordered_coords.push(current_hull_edges[current_i].line.start);
    for _ in 0..current_hull_edges.len() {
        let next_i = current_hull_edges[current_i].next_i;
        ordered_coords.push(current_hull_edges[current_i].line.end);
        current_i = next_i;
    }
    LineString::from(ordered_coords)
}

/// Removes every copy of `coord`: `geo` counts them with a nearest-neighbours query first and
/// removes that many; removing until none is left makes the same removals, and a removal that
/// finds nothing leaves the tree as it was (its walk puts every node back in place).
fn remove_interior_point(coord: &Coord, tree: &mut RTree<Coord>) {
    while tree.remove(coord).is_some() {}
}

fn concave_hull_with_options(coords: &mut [Coord]) -> Polygon {
    let concavity = CONCAVITY;
    let convex_hull = quick_hull(coords);
    if coords.len() < 4 {
        return Polygon::new(convex_hull, vec![]);
    }
    let mut interior_points_tree: RTree<Coord> = RTree::bulk_load(coords.to_owned());
    let mut current_hull_tree: RTree<Line> = RTree::bulk_load(convex_hull.lines().collect());
    let mut edge_queue: VecDeque<HullEdge> = VecDeque::new();
    let mut current_hull_edges: Vec<HullEdge> = Vec::new();
    let hull_length = convex_hull.lines().len();
    for (i, line) in convex_hull.lines().enumerate() {
        let edge = HullEdge {
            line,
            i,
            prev_i: if i == 0 { hull_length - 1 } else { i - 1 },
            next_i: if i == hull_length - 1 { 0 } else { i + 1 },
        };
        current_hull_edges.push(edge.clone());
        edge_queue.push_back(edge);
        if i == 0 {
            remove_interior_point(&line.start, &mut interior_points_tree);
        }
        remove_interior_point(&line.end, &mut interior_points_tree);
    }
    while let Some(hull_edge) = edge_queue.pop_front() {
        let line = hull_edge.line;
        let length = Euclidean.length(&line);
        // `geo`'s default length threshold is 0.
        if length > 0.0 {
            let max_length = length / concavity;
            if let Some(candidate_point) = find_candidate(
                &hull_edge,
                max_length,
                &current_hull_edges,
                &interior_points_tree,
                &current_hull_tree,
            ) {
                let start_line = Line::new(line.start, candidate_point);
                let end_line = Line::new(candidate_point, line.end);
                if partial_min(Euclidean.length(&start_line), Euclidean.length(&end_line))
                    < max_length
                {
                    remove_interior_point(&candidate_point, &mut interior_points_tree);
                    current_hull_tree.remove(&line);
                    current_hull_tree.insert(start_line);
                    current_hull_tree.insert(end_line);
                    let end_edge_i = current_hull_edges.len();
                    let start_hull_edge = HullEdge {
                        line: start_line,
                        i: hull_edge.i,
                        prev_i: hull_edge.prev_i,
                        next_i: end_edge_i,
                    };
                    let end_hull_edge = HullEdge {
                        line: end_line,
                        i: end_edge_i,
                        prev_i: hull_edge.i,
                        next_i: hull_edge.next_i,
                    };
                    current_hull_edges[hull_edge.i] = start_hull_edge.clone();
                    current_hull_edges.push(end_hull_edge.clone());
                    edge_queue.push_back(start_hull_edge);
                    edge_queue.push_back(end_hull_edge);
                    continue;
                }
            }
        }
    }
    Polygon::new(order_concave_hull(current_hull_edges), vec![])
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{ConcaveHull, MultiPoint};
    use proptest::prelude::*;

    fn same(points: &[Coord]) -> Result<(), TestCaseError> {
        let ours = concave_hull(points);
        let geos = MultiPoint::from(points.to_vec()).concave_hull();
        let bits = |p: &Polygon| -> Vec<(u64, u64)> {
            p.exterior()
                .coords()
                .map(|c| (c.x.to_bits(), c.y.to_bits()))
                .collect()
        };
        prop_assert_eq!(bits(&ours), bits(&geos));
        prop_assert!(ours.interiors().is_empty());
        Ok(())
    }

    /// Points as a catchment's are: on a street lattice (exact ties of distance everywhere),
    /// at RD New magnitudes, some doubled, plus scattered ones.
    fn cloud() -> impl Strategy<Value = Vec<Coord>> {
        let lattice = (1.0f64..200.0, 0usize..3).prop_flat_map(|(step, shift)| {
            prop::collection::vec((0i32..12, 0i32..12, 0usize..4), 0..120).prop_map(move |cells| {
                let (x0, y0) = [(0.0, 0.0), (155_000.0, 463_000.0), (-3.5, 7.25)][shift];
                cells
                    .into_iter()
                    .flat_map(|(i, j, n)| {
                        let c = Coord {
                            x: x0 + f64::from(i) * step,
                            y: y0 + f64::from(j) * step,
                        };
                        // Some points doubled; some half-way along a lattice street.
                        let mid = Coord {
                            x: c.x + step * 0.5,
                            y: c.y,
                        };
                        match n {
                            0 => vec![c, c],
                            1 => vec![c, mid],
                            _ => vec![c],
                        }
                    })
                    .collect::<Vec<Coord>>()
            })
        });
        let scattered = prop::collection::vec((-500.0f64..500.0, -500.0f64..500.0), 0..150)
            .prop_map(|v| v.into_iter().map(|(x, y)| Coord { x, y }).collect());
        (lattice, scattered, 0usize..3).prop_map(|(mut a, b, mix)| match mix {
            0 => a,
            1 => b,
            _ => {
                a.extend(b);
                a
            }
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(600))]
        #[test]
        fn concave_hull_equals_geo(points in cloud()) {
            same(&points)?;
        }
    }

    #[test]
    fn small_and_degenerate_clouds_equal_geo() {
        let c = |x: f64, y: f64| Coord { x, y };
        for points in [
            vec![],
            vec![c(1.0, 1.0)],
            vec![
                c(0.0, 0.0),
                c(1.0, 0.0),
                c(2.0, 0.0),
                c(3.0, 0.0),
                c(4.0, 0.0),
            ],
            vec![
                c(0.0, 0.0),
                c(2.0, 0.0),
                c(1.5, 1.0),
                c(2.0, 2.0),
                c(0.0, 2.0),
            ],
            vec![c(5.0, 5.0); 6],
        ] {
            same(&points).unwrap();
        }
    }

    /// The bounds never rule out what is within the limit: against `geo`'s distances on random
    /// edges, points and boxes, at limits drawn at and around the exact distance.
    #[test]
    fn bounds_never_rule_out_what_is_within() {
        // xorshift64: uniform in [-300, 300).
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64 * 600.0 - 300.0
        };
        let mut pruned = 0;
        for _ in 0..200_000 {
            let mut c = || Coord {
                x: 155_000.0 + next(),
                y: 463_000.0 + next(),
            };
            let line = Line::new(c(), c());
            let (p, q) = (c(), c());
            let b = Bounds::new(line);
            let d = Euclidean.distance(p, &line);
            let bbox = AABB::from_corners(p, q);
            let db = line_to_bbox_distance(&line, &bbox);
            for limit in [d, d * (1.0 - 1e-15), d * 0.5, d * 0.999, d * 0.9999999] {
                if b.point_beyond(p, limit) {
                    pruned += 1;
                    assert!(d > limit, "{line:?} {p:?} {limit}");
                }
            }
            for limit in [db, db * (1.0 - 1e-15), db * 0.5, db * 0.9999999] {
                match b.to_box(&bbox, limit) {
                    None => {
                        pruned += 1;
                        assert!(db > limit, "{line:?} {bbox:?} {limit}");
                    }
                    Some(x) => assert_eq!(x.to_bits(), db.to_bits(), "{line:?} {bbox:?}"),
                }
            }
        }
        // The bounds do rule out most of what is well beyond (else they save nothing).
        assert!(pruned > 200_000, "{pruned}");
    }
}
