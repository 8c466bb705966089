//! Where a point joins the network: perpendicular projection onto the nearest edge; where an
//! amenity joins it: at itself, or along its boundary, at every vertex, at points no more than
//! the spacing apart, and wherever a walkable way crosses or touches the boundary.

use std::f64::consts::{PI, TAU};

use geo::line_intersection::{line_intersection, LineIntersection};
use geo::{Coord, Geometry, Line, LineString, Polygon};
use rstar::AABB;

use super::build::distance;
use super::WalkNetwork;

/// A boundary point this close to an edge lies on it (it is the road's own node, or where the
/// way crosses the boundary): far above the rounding of a projection in metres, far below any
/// drawn distance between a boundary and a road.
const ON_EDGE_M: f64 = 1e-6;
/// Directions this close to a barrier road's count as along it, not beside it (radians).
const ALONG_RAD: f64 = 1e-6;

/// A point joined to an edge.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Attach {
    pub edge: u32,
    /// Position of the foot of the perpendicular along the edge, 0 at its first node, 1 at its
    /// second.
    pub t: f64,
    /// Straight distance from the point to the edge.
    pub offset: f64,
    /// The point lies left of the edge (seen from its first node to its second); used when the
    /// edge is a barrier road, to join the sidewalk on the point's side.
    pub left: bool,
}

/// The nearest edge to `p` within `limit` metres, or `None`. Ties go to the lowest edge id, so
/// the answer does not depend on how the R-tree was packed.
pub(crate) fn attach_point(net: &WalkNetwork, p: Coord, limit: f64) -> Option<Attach> {
    if !p.x.is_finite() || !p.y.is_finite() {
        return None;
    }
    // Segments within a micrometre of the nearest count as tied: overlapping segments drawn in
    // opposite directions round differently.
    let mut nearest: Option<f64> = None;
    let mut best: Option<u32> = None;
    for (seg, d2) in net
        .segments
        .nearest_neighbor_iter_with_distance_2(&[p.x, p.y])
    {
        let d = d2.sqrt();
        let first = *nearest.get_or_insert(d);
        if d > first + 1e-6 {
            break;
        }
        if best.is_none_or(|b| seg.data < b) {
            best = Some(seg.data);
        }
    }
    let a = project(net, best?, p);
    (a.offset <= limit).then_some(a)
}

/// `p` joined to `edge` by perpendicular projection.
pub(super) fn project(net: &WalkNetwork, edge: u32, p: Coord) -> Attach {
    let [a, b] = net.edges[edge as usize];
    let (a, b) = (net.coords[a as usize], net.coords[b as usize]);
    let ab = Coord {
        x: b.x - a.x,
        y: b.y - a.y,
    };
    let ap = Coord {
        x: p.x - a.x,
        y: p.y - a.y,
    };
    let len2 = ab.x * ab.x + ab.y * ab.y;
    let t = if len2 > 0.0 {
        ((ap.x * ab.x + ap.y * ab.y) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let foot = Coord {
        x: a.x + t * ab.x,
        y: a.y + t * ab.y,
    };
    Attach {
        edge,
        t,
        offset: distance(p, foot),
        left: ab.x * ap.y - ab.y * ap.x > 0.0,
    }
}

/// The points an amenity is reached at (before joining the network): a point at itself; a
/// polygon at every vertex of every ring (exterior and holes) and at points dividing each side
/// evenly into pieces no longer than `spacing`; a line likewise along its length.
pub fn boundary_points(geometry: &Geometry, spacing: f64) -> Vec<Coord> {
    let (chains, mut out) = chains(geometry);
    for chain in chains {
        for i in 0..chain.sides() {
            out.push(chain.v[i]);
            out.extend(side_points(chain.v[i], chain.next(i), spacing));
        }
        if !chain.closed {
            out.extend(chain.v.last());
        }
    }
    out
}

/// Where an amenity joins the network, at how many points it tried and how many of those joined:
/// the points of [`boundary_points`] each join their nearest edge within `limit`, and a polygon
/// or line is also joined, at offset 0, on every edge that crosses or touches its boundary,
/// where it does.
///
/// A join at offset 0 on a barrier road (the boundary shares the road's node, runs along it or
/// crosses it) takes the sidewalk on the polygon's side: inside an edge, each side of the edge
/// the polygon's interior borders there; at a node, each sector of the node (between two
/// barrier roads) the interior opens into, which only the sided graph of a barrier set knows
/// ([`NodeJoin`]). A line has no interior and borders every side. Identical joins are kept once.
pub(crate) fn amenity_attaches(
    net: &WalkNetwork,
    geometry: &Geometry,
    spacing: f64,
    limit: f64,
) -> JoinPoints {
    let (chains, loose) = chains(geometry);
    // A point amenity joins its nearest edge on its own side, wherever it is.
    let mut out = Joins {
        attaches: loose
            .iter()
            .filter_map(|&p| attach_point(net, p, limit))
            .collect(),
        ..Joins::default()
    };
    let (mut points, mut joined) = (loose.len(), out.len());
    let mut found: Vec<(u32, Coord)> = Vec::new();
    for chain in &chains {
        for i in 0..chain.v.len() {
            // The vertex: on every edge through it, or else joined to its nearest edge.
            points += 1;
            joined += usize::from(join_point(
                net,
                chain.v[i],
                chain.vertex_wedge(i),
                limit,
                &mut out,
            ));
            if i >= chain.sides() {
                continue;
            }
            let (p, q) = (chain.v[i], chain.next(i));
            let wedge = chain.side_wedge(i);
            for x in side_points(p, q, spacing) {
                points += 1;
                joined += usize::from(join_point(net, x, wedge, limit, &mut out));
            }
            // Where ways cross or touch this side away from its ends (those are vertices),
            // searched piece by piece so that the work grows with the side's length, not with
            // the area of its bounding box.
            let side = Line::new(p, q);
            let pieces = piece_count(distance(p, q), spacing);
            found.clear();
            for k in 0..pieces {
                let (a, b) = (
                    lerp(p, q, k as f64 / pieces as f64),
                    lerp(p, q, (k + 1) as f64 / pieces as f64),
                );
                let envelope = AABB::from_corners(
                    [a.x.min(b.x) - ON_EDGE_M, a.y.min(b.y) - ON_EDGE_M],
                    [a.x.max(b.x) + ON_EDGE_M, a.y.max(b.y) + ON_EDGE_M],
                );
                for seg in net.segments.locate_in_envelope_intersecting(&envelope) {
                    let [a, b] = net.edges[seg.data as usize];
                    let road = Line::new(net.coords[a as usize], net.coords[b as usize]);
                    let at: Vec<Coord> = match line_intersection(side, road) {
                        None => vec![],
                        Some(LineIntersection::SinglePoint { intersection, .. }) => {
                            vec![intersection]
                        }
                        Some(LineIntersection::Collinear { intersection }) => {
                            vec![intersection.start, intersection.end]
                        }
                    };
                    found.extend(
                        at.into_iter()
                            .filter(|&x| distance(x, p) > ON_EDGE_M && distance(x, q) > ON_EDGE_M)
                            .map(|x| (seg.data, x)),
                    );
                }
            }
            found.sort_by(|a, b| a.1.x.total_cmp(&b.1.x).then(a.1.y.total_cmp(&b.1.y)));
            found.dedup_by(|a, b| a.1 == b.1);
            for &(e, x) in &found {
                points += 1;
                joined += 1;
                if !join_on_network(net, x, wedge, &mut out) {
                    // Rounding put the crossing off its own edge: join that edge there.
                    let mut a = project(net, e, x);
                    a.offset = 0.0;
                    join(net, a, x, wedge, &mut out);
                }
            }
        }
    }
    out.dedup();
    JoinPoints {
        points,
        joined,
        joins: out,
    }
}

/// The result of [`amenity_attaches`].
pub(crate) struct JoinPoints {
    pub points: usize,
    pub joined: usize,
    pub joins: Joins,
}

/// Where the walks to an amenity end: points joined to an edge, and network nodes.
#[derive(Debug, Default)]
pub(crate) struct Joins {
    pub attaches: Vec<Attach>,
    pub nodes: Vec<NodeJoin>,
    /// When the joins of several amenities are merged ([`Self::append_owned`]): the amenity
    /// each attach and each node join belongs to; empty otherwise (every join is amenity 0).
    pub attach_owner: Vec<u32>,
    pub node_owner: Vec<u32>,
}

impl Joins {
    fn len(&self) -> usize {
        self.attaches.len() + self.nodes.len()
    }

    /// Adds the joins of amenity `owner` (each amenity's own joins, merged in amenity order).
    pub fn append_owned(&mut self, other: &mut Joins, owner: u32) {
        self.attach_owner
            .extend(std::iter::repeat_n(owner, other.attaches.len()));
        self.node_owner
            .extend(std::iter::repeat_n(owner, other.nodes.len()));
        self.attaches.append(&mut other.attaches);
        self.nodes.append(&mut other.nodes);
    }

    /// The amenity attach `i` belongs to.
    pub fn attach_owner(&self, i: usize) -> u32 {
        self.attach_owner.get(i).copied().unwrap_or(0)
    }

    /// The amenity node join `i` belongs to.
    pub fn node_owner(&self, i: usize) -> u32 {
        self.node_owner.get(i).copied().unwrap_or(0)
    }

    /// Keeps each identical join once (neighbouring vertices, a crossing found from two pieces of
    /// a side, a node reached through each of its edges).
    fn dedup(&mut self) {
        let key = |a: &Attach| (a.edge, a.left, a.t.to_bits(), a.offset.to_bits());
        self.attaches.sort_unstable_by_key(key);
        self.attaches.dedup_by_key(|a| key(a));
        let key = |n: &NodeJoin| {
            let w = n.wedge.map(|(s, w)| (s.to_bits(), w.to_bits()));
            (n.node, w, n.offset.to_bits())
        };
        self.nodes.sort_unstable_by_key(key);
        self.nodes.dedup_by_key(|n| key(n));
    }
}

/// A boundary point on a network node: reached from each copy of the node, in a barrier set's
/// sided graph, whose sector the polygon's interior opens into
/// ([`super::sided::facing`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct NodeJoin {
    pub node: u32,
    /// Straight distance from the point to the node (below [`ON_EDGE_M`]).
    pub offset: f64,
    /// The interior's directions at the point: start angle and sweep counter-clockwise; `None`
    /// for a line, which borders every side.
    pub wedge: Option<(f64, f64)>,
}

/// Joins the boundary point `x`: on every edge through it when it lies on the network, else on
/// its nearest edge within `limit`, on its own side. False when it does not join.
fn join_point(
    net: &WalkNetwork,
    x: Coord,
    wedge: Option<(f64, f64)>,
    limit: f64,
    out: &mut Joins,
) -> bool {
    if join_on_network(net, x, wedge, out) {
        return true;
    }
    let Some(a) = attach_point(net, x, limit) else {
        return false;
    };
    out.attaches.push(a);
    true
}

/// Joins the boundary point `x` at offset 0 on every edge within [`ON_EDGE_M`] of it (a way
/// through a vertex, a way crossing a side where another runs along it); false when none is.
fn join_on_network(
    net: &WalkNetwork,
    x: Coord,
    wedge: Option<(f64, f64)>,
    out: &mut Joins,
) -> bool {
    let mut any = false;
    for seg in net
        .segments
        .locate_within_distance([x.x, x.y], ON_EDGE_M * ON_EDGE_M)
    {
        any = true;
        join(net, project(net, seg.data, x), x, wedge, out);
    }
    any
}

/// Joins the boundary point `x`, attached to its edge as `a` and bordering the interior in the
/// directions of `wedge`: beside the edge on its own side, on a node of the edge at that node,
/// inside the edge on each side the interior borders.
fn join(net: &WalkNetwork, a: Attach, x: Coord, wedge: Option<(f64, f64)>, out: &mut Joins) {
    if a.offset > ON_EDGE_M {
        out.attaches.push(a);
        return;
    }
    for node in net.edges[a.edge as usize] {
        let offset = distance(net.coords[node as usize], x);
        if offset <= ON_EDGE_M {
            out.nodes.push(NodeJoin {
                node,
                offset,
                wedge,
            });
            return;
        }
    }
    push_sides(net, a, wedge, &mut out.attaches);
}

/// Pushes `a`, a point inside its edge, on each side of the edge that the polygon's interior
/// (the directions of `wedge`) borders.
fn push_sides(net: &WalkNetwork, a: Attach, wedge: Option<(f64, f64)>, out: &mut Vec<Attach>) {
    let [u, v] = net.edges[a.edge as usize];
    let (u, v) = (net.coords[u as usize], net.coords[v as usize]);
    let along = (v.y - u.y).atan2(v.x - u.x);
    let sides = if wedge.is_some_and(|(_, sweep)| sweep <= 2.0 * ALONG_RAD) {
        // A wedge too thin to tell (a spike along the edge): the point's own side.
        [a.left, !a.left]
    } else {
        [
            opens_into(along, PI, wedge),
            opens_into(along + PI, PI, wedge),
        ]
    };
    for (borders, is_left) in sides.into_iter().zip([true, false]) {
        if borders {
            out.push(Attach { left: is_left, ..a });
        }
    }
}

/// True when the interior's directions `wedge` (start angle, sweep counter-clockwise; `None`:
/// every direction) open into the sector from `start` counter-clockwise over `sweep`. The
/// wedge is trimmed by [`ALONG_RAD`] at both ends, so that a boundary running along a road
/// borders only the side it opens to.
pub(super) fn opens_into(start: f64, sweep: f64, wedge: Option<(f64, f64)>) -> bool {
    let Some((from, width)) = wedge else {
        return true;
    };
    let width = width - 2.0 * ALONG_RAD;
    if width <= 0.0 {
        return false;
    }
    let d = (from + ALONG_RAD - start).rem_euclid(TAU);
    sweep > 0.0 && (d < sweep || d + width > TAU)
}

/// The points dividing the side `p`-`q` into equal pieces no longer than `spacing`, ends
/// excluded; interpolated from the lower end (by x, then y) so that a ring gives the same points
/// whichever way a file draws it.
fn side_points(p: Coord, q: Coord, spacing: f64) -> impl Iterator<Item = Coord> {
    let pieces = piece_count(distance(p, q), spacing);
    let (from, to) = if (p.x, p.y) <= (q.x, q.y) {
        (p, q)
    } else {
        (q, p)
    };
    (1..pieces).map(move |k| lerp(from, to, k as f64 / pieces as f64))
}

/// Into how many equal pieces no longer than `spacing` a side of length `len` is cut (at most
/// 10 million, so that a tiny spacing cannot exhaust memory).
fn piece_count(len: f64, spacing: f64) -> usize {
    if spacing.is_finite() && spacing > 0.0 && len > spacing {
        (len / spacing).ceil().min(1e7) as usize
    } else {
        1
    }
}

fn lerp(from: Coord, to: Coord, f: f64) -> Coord {
    Coord {
        x: from.x + f * (to.x - from.x),
        y: from.y + f * (to.y - from.y),
    }
}

/// One ring of a polygon, oriented with the polygon's interior on its left (the exterior
/// counter-clockwise, holes clockwise), closing vertex dropped; or an open line.
struct Chain {
    v: Vec<Coord>,
    closed: bool,
}

impl Chain {
    /// Number of sides: segments from vertex i to the next.
    fn sides(&self) -> usize {
        if self.closed {
            self.v.len()
        } else {
            self.v.len().saturating_sub(1)
        }
    }

    fn next(&self, i: usize) -> Coord {
        self.v[(i + 1) % self.v.len()]
    }

    /// The interior's directions at vertex i: from the next vertex counter-clockwise to the
    /// previous one. `None` for lines and for spikes.
    fn vertex_wedge(&self, i: usize) -> Option<(f64, f64)> {
        if !self.closed {
            return None;
        }
        let n = self.v.len();
        let (here, next, prev) = (self.v[i], self.v[(i + 1) % n], self.v[(i + n - 1) % n]);
        let start = (next.y - here.y).atan2(next.x - here.x);
        let end = (prev.y - here.y).atan2(prev.x - here.x);
        let sweep = (end - start).rem_euclid(TAU);
        (sweep > 0.0).then_some((start, sweep))
    }

    /// The interior's directions from a point inside side i: the half-plane on its left.
    fn side_wedge(&self, i: usize) -> Option<(f64, f64)> {
        if !self.closed {
            return None;
        }
        let (p, q) = (self.v[i], self.next(i));
        Some(((q.y - p.y).atan2(q.x - p.x), PI))
    }
}

/// The rings and lines of a geometry, and its points.
fn chains(g: &Geometry) -> (Vec<Chain>, Vec<Coord>) {
    let (mut out, mut points) = (Vec::new(), Vec::new());
    collect_chains(g, &mut out, &mut points);
    (out, points)
}

fn collect_chains(g: &Geometry, out: &mut Vec<Chain>, points: &mut Vec<Coord>) {
    match g {
        Geometry::Point(p) => points.push(p.0),
        Geometry::MultiPoint(m) => points.extend(m.0.iter().map(|p| p.0)),
        Geometry::Line(l) => out.push(line_chain(&LineString(vec![l.start, l.end]))),
        Geometry::LineString(l) => out.push(line_chain(l)),
        Geometry::MultiLineString(m) => out.extend(m.0.iter().map(line_chain)),
        Geometry::Polygon(p) => polygon_chains(p, out),
        Geometry::MultiPolygon(m) => m.0.iter().for_each(|p| polygon_chains(p, out)),
        Geometry::Rect(r) => polygon_chains(&r.to_polygon(), out),
        Geometry::Triangle(t) => polygon_chains(&t.to_polygon(), out),
        Geometry::GeometryCollection(c) => c.0.iter().for_each(|g| collect_chains(g, out, points)),
    }
}

fn line_chain(l: &LineString) -> Chain {
    let mut v = l.0.clone();
    v.dedup();
    Chain { v, closed: false }
}

fn polygon_chains(p: &Polygon, out: &mut Vec<Chain>) {
    out.push(ring_chain(p.exterior(), true));
    out.extend(p.interiors().iter().map(|r| ring_chain(r, false)));
}

/// A ring from a canonical start (its lowest vertex by x, then y), with the polygon's interior on
/// its left. A ring that does not close, or has fewer than three distinct vertices, is a line.
fn ring_chain(ring: &LineString, exterior: bool) -> Chain {
    let mut v = ring.0.clone();
    v.dedup();
    if v.len() < 4 || v.first() != v.last() {
        return Chain { v, closed: false };
    }
    v.pop();
    let twice_area: f64 = (0..v.len())
        .map(|i| {
            let (a, b) = (v[i], v[(i + 1) % v.len()]);
            a.x * b.y - b.x * a.y
        })
        .sum();
    if (twice_area < 0.0) == exterior {
        v.reverse();
    }
    let start = (0..v.len())
        .min_by(|&i, &j| v[i].x.total_cmp(&v[j].x).then(v[i].y.total_cmp(&v[j].y)))
        .unwrap_or(0);
    v.rotate_left(start);
    Chain { v, closed: true }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{polygon, Point, Polygon};

    #[test]
    fn square_boundary_every_25_m_or_closer() {
        let sq: Geometry = polygon![(x: 0.0, y: 0.0), (x: 100.0, y: 0.0), (x: 100.0, y: 100.0), (x: 0.0, y: 100.0)].into();
        let pts = boundary_points(&sq, 25.0);
        // 400 m of boundary at 25 m: 16 points, corners included, the start not repeated.
        assert_eq!(pts.len(), 16, "{pts:?}");
        assert!(pts.contains(&Coord { x: 100.0, y: 100.0 }));
        assert!(pts.contains(&Coord { x: 50.0, y: 0.0 }));
        // Every vertex however close; a 30 m side in two pieces of 15 m.
        let small: Geometry =
            polygon![(x: 0.0, y: 0.0), (x: 4.0, y: 0.0), (x: 4.0, y: 30.0), (x: 0.0, y: 30.0)]
                .into();
        let pts = boundary_points(&small, 25.0);
        assert_eq!(pts.len(), 6, "{pts:?}");
        assert!(
            pts.contains(&Coord { x: 4.0, y: 15.0 }) && pts.contains(&Coord { x: 0.0, y: 15.0 })
        );
        assert_eq!(boundary_points(&Point::new(3.0, 4.0).into(), 25.0).len(), 1);
        // A hole's vertices too.
        let holed: Geometry = Polygon::new(
            LineString::from(vec![
                (0.0, 0.0),
                (10.0, 0.0),
                (10.0, 10.0),
                (0.0, 10.0),
                (0.0, 0.0),
            ]),
            vec![LineString::from(vec![
                (4.0, 4.0),
                (6.0, 4.0),
                (5.0, 6.0),
                (4.0, 4.0),
            ])],
        )
        .into();
        assert_eq!(boundary_points(&holed, 25.0).len(), 7);
    }
}
