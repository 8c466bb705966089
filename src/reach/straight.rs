//! Straight-line distance from a point to the nearest amenity: to a polygon's boundary, 0 inside.
//!
//! Polygons are indexed by their boundary segments, not by their envelopes, so that a large
//! park does not make every query test its whole outline; a second tree of envelopes answers
//! "is the point inside?". Both are rstar trees, bulk loaded.

use geo::{Coord, Intersects, LinesIter, Point};
use rayon::prelude::*;
use rstar::primitives::{GeomWithData, Line, Rectangle};
use rstar::RTree;

use crate::scene::{Amenity, AmenityGeometry};

type Segment = GeomWithData<Line<[f64; 2]>, u32>;
type Site = GeomWithData<[f64; 2], u32>;
type Envelope = GeomWithData<Rectangle<[f64; 2]>, u32>;

/// An index over the amenities of one kind.
pub struct AmenityIndex<'a> {
    items: &'a [Amenity],
    segments: RTree<Segment>,
    points: RTree<Site>,
    envelopes: RTree<Envelope>,
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
    ///     area_m2: 100.0, capacity: 100.0, name: String::new(), source: String::new(), index: 0,
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
        for (i, a) in items.iter().enumerate() {
            let i = i as u32;
            match &a.geometry {
                AmenityGeometry::Point(c) => points.push(Site::new([c.x, c.y], i)),
                AmenityGeometry::Polygon(mp) => {
                    for l in mp.lines_iter() {
                        segments.push(Segment::new(
                            Line::new([l.start.x, l.start.y], [l.end.x, l.end.y]),
                            i,
                        ));
                    }
                    if let Some(r) = mp.bounding_rect() {
                        envelopes.push(Envelope::new(
                            Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                            i,
                        ));
                    }
                }
            }
        }
        AmenityIndex {
            items,
            segments: RTree::bulk_load(segments),
            points: RTree::bulk_load(points),
            envelopes: RTree::bulk_load(envelopes),
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
}

/// The distance from every point to the nearest amenity (`f64::INFINITY` when there is none),
/// in parallel.
pub fn nearest_distances(points: &[Coord], items: &[Amenity]) -> Vec<f64> {
    let index = AmenityIndex::new(items);
    points
        .par_iter()
        .map(|c| index.nearest(*c).map(|(_, d)| d).unwrap_or(f64::INFINITY))
        .collect()
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
            name: String::new(),
            source: String::new(),
            index: 0,
        }
    }

    fn square(x: f64, y: f64, s: f64) -> AmenityGeometry {
        AmenityGeometry::Polygon(MultiPolygon(vec![Polygon::new(
            vec![(x, y), (x + s, y), (x + s, y + s), (x, y + s), (x, y)].into(),
            vec![],
        )]))
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
    }
}
