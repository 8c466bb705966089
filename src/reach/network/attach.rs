//! Where a point joins the network: perpendicular projection onto the nearest edge.

use geo::{Coord, Geometry, LineString};

use super::build::distance;
use super::WalkNetwork;

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
    let edge = best?;
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
    let offset = distance(p, foot);
    (offset <= limit).then_some(Attach {
        edge,
        t,
        offset,
        left: ab.x * ap.y - ab.y * ap.x > 0.0,
    })
}

/// The points where an amenity joins the network: a point at itself; a polygon along its outer
/// boundary (each ring vertex at least `spacing / 2` of boundary from the last point kept, plus
/// points interpolated so that no stretch longer than `spacing` lacks one); a line likewise
/// along its length.
pub fn boundary_points(geometry: &Geometry, spacing: f64) -> Vec<Coord> {
    let mut out = Vec::new();
    collect_points(geometry, spacing, &mut out);
    out
}

fn collect_points(g: &Geometry, spacing: f64, out: &mut Vec<Coord>) {
    match g {
        Geometry::Point(p) => out.push(p.0),
        Geometry::MultiPoint(m) => out.extend(m.0.iter().map(|p| p.0)),
        Geometry::Line(l) => sample_line(&LineString(vec![l.start, l.end]), spacing, out),
        Geometry::LineString(l) => sample_line(l, spacing, out),
        Geometry::MultiLineString(m) => m.0.iter().for_each(|l| sample_line(l, spacing, out)),
        Geometry::Polygon(p) => sample_ring(p.exterior(), spacing, out),
        Geometry::MultiPolygon(m) => {
            m.0.iter()
                .for_each(|p| sample_ring(p.exterior(), spacing, out))
        }
        Geometry::Rect(r) => sample_ring(r.to_polygon().exterior(), spacing, out),
        Geometry::Triangle(t) => sample_ring(t.to_polygon().exterior(), spacing, out),
        Geometry::GeometryCollection(c) => c.0.iter().for_each(|g| collect_points(g, spacing, out)),
    }
}

/// Samples a ring from a canonical start (its lowest-x, then lowest-y vertex) and direction
/// (counter-clockwise), so the same ring gives the same points however a file orders it.
fn sample_ring(ring: &LineString, spacing: f64, out: &mut Vec<Coord>) {
    let closed = ring.0.len() >= 4 && ring.0.first() == ring.0.last();
    if !closed {
        return sample_line(ring, spacing, out);
    }
    let mut v: Vec<Coord> = ring.0[..ring.0.len() - 1].to_vec();
    let twice_area: f64 = (0..v.len())
        .map(|i| {
            let (a, b) = (v[i], v[(i + 1) % v.len()]);
            a.x * b.y - b.x * a.y
        })
        .sum();
    if twice_area < 0.0 {
        v.reverse();
    }
    let start = (0..v.len())
        .min_by(|&i, &j| v[i].x.total_cmp(&v[j].x).then(v[i].y.total_cmp(&v[j].y)))
        .unwrap_or(0);
    v.rotate_left(start);
    v.push(v[0]);
    sample_line(&LineString(v), spacing, out);
}

fn sample_line(line: &LineString, spacing: f64, out: &mut Vec<Coord>) {
    let Some(&first) = line.0.first() else { return };
    out.push(first);
    let spacing = if spacing.is_finite() && spacing > 0.0 {
        spacing
    } else {
        f64::INFINITY
    };
    let closed = line.0.len() > 1 && line.0.first() == line.0.last();
    let last_index = line.0.len() - 1;
    // Boundary walked since the last point kept.
    let mut since = 0.0;
    for (i, w) in line.0.windows(2).enumerate() {
        let (p, q) = (w[0], w[1]);
        let len = distance(p, q);
        let mut pos = 0.0;
        while since + (len - pos) > spacing {
            pos += spacing - since;
            let f = pos / len;
            out.push(Coord {
                x: p.x + f * (q.x - p.x),
                y: p.y + f * (q.y - p.y),
            });
            since = 0.0;
        }
        since += len - pos;
        let is_last = i + 1 == last_index;
        if since >= spacing / 2.0 && !(closed && is_last) {
            out.push(q);
            since = 0.0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{polygon, Point};

    #[test]
    fn square_boundary_every_25_m_or_closer() {
        let sq: Geometry = polygon![(x: 0.0, y: 0.0), (x: 100.0, y: 0.0), (x: 100.0, y: 100.0), (x: 0.0, y: 100.0)].into();
        let pts = boundary_points(&sq, 25.0);
        // 400 m of boundary at 25 m: 16 points, corners included, the start not repeated.
        assert_eq!(pts.len(), 16, "{pts:?}");
        assert!(pts.contains(&Coord { x: 100.0, y: 100.0 }));
        assert!(pts.contains(&Coord { x: 50.0, y: 0.0 }));
        let small: Geometry =
            polygon![(x: 0.0, y: 0.0), (x: 4.0, y: 0.0), (x: 4.0, y: 4.0), (x: 0.0, y: 4.0)].into();
        assert_eq!(
            boundary_points(&small, 25.0),
            vec![Coord { x: 0.0, y: 0.0 }]
        );
        assert_eq!(boundary_points(&Point::new(3.0, 4.0).into(), 25.0).len(), 1);
    }
}
