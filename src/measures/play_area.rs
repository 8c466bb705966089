//! Play area inside each neighbourhood, for the Dutch 3% norm.
//!
//! Polygons count with the area of their union inside the neighbourhood (overlapping
//! playgrounds are not counted twice); points count with `point_area_m2`, in the neighbourhood
//! that holds them.

use geo::{Area, BooleanOps, BoundingRect, Intersects, MultiPolygon, Point};
use rayon::prelude::*;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};

use crate::scene::{Amenity, AmenityGeometry, Neighbourhood};

/// Square metres of play area inside each neighbourhood.
pub fn play_area(neighbourhoods: &[Neighbourhood], items: &[Amenity]) -> Vec<f64> {
    let boxes: Vec<GeomWithData<Rectangle<[f64; 2]>, usize>> = items
        .iter()
        .enumerate()
        .filter_map(|(i, a)| match &a.geometry {
            AmenityGeometry::Polygon(mp) => mp.bounding_rect().map(|r| {
                GeomWithData::new(
                    Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                    i,
                )
            }),
            AmenityGeometry::Point(c) => Some(GeomWithData::new(
                Rectangle::from_corners([c.x, c.y], [c.x, c.y]),
                i,
            )),
        })
        .collect();
    let tree = RTree::bulk_load(boxes);
    // A point belongs to the first neighbourhood holding it, as homes do.
    let point_owner: Vec<Option<u32>> = {
        let coords: Vec<geo::Coord> = items
            .iter()
            .map(|a| match &a.geometry {
                AmenityGeometry::Point(c) => *c,
                AmenityGeometry::Polygon(_) => geo::Coord {
                    x: f64::NAN,
                    y: f64::NAN,
                },
            })
            .collect();
        crate::scene::assign_neighbourhoods(&coords, neighbourhoods)
    };
    neighbourhoods
        .par_iter()
        .enumerate()
        .map(|(n, nb)| {
            let Some(r) = nb.geometry.bounding_rect() else {
                return 0.0;
            };
            let env = AABB::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]);
            let mut polygons: Vec<&MultiPolygon> = Vec::new();
            let mut points_area = 0.0;
            let mut candidates: Vec<usize> = tree
                .locate_in_envelope_intersecting(&env)
                .map(|b| b.data)
                .collect();
            candidates.sort_unstable();
            for i in candidates {
                match &items[i].geometry {
                    AmenityGeometry::Polygon(mp) => {
                        if mp.intersects(&nb.geometry) {
                            polygons.push(mp);
                        }
                    }
                    AmenityGeometry::Point(c) => {
                        if point_owner[i] == Some(n as u32) && nb.geometry.intersects(&Point(*c)) {
                            points_area += items[i].area_m2;
                        }
                    }
                }
            }
            if polygons.is_empty() {
                return points_area;
            }
            let union = geo::unary_union(polygons.iter().copied());
            union.intersection(&nb.geometry).unsigned_area() + points_area
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::wkt;

    fn nb(geometry: MultiPolygon) -> Neighbourhood {
        Neighbourhood {
            id: String::new(),
            name: String::new(),
            population: None,
            children: vec![],
            area_m2: geometry.unsigned_area(),
            geometry,
            kept: vec![],
            props: Default::default(),
        }
    }

    fn play(geometry: AmenityGeometry, area_m2: f64) -> Amenity {
        Amenity {
            geometry,
            area_m2,
            capacity: area_m2,
            id: String::new(),
            name: String::new(),
            source: String::new(),
            index: 0,
            attributes: Default::default(),
            parts: 1,
        }
    }

    #[test]
    fn overlaps_counted_once_and_cut_at_the_boundary() {
        // Two 100 x 100 neighbourhoods side by side.
        let a = nb(wkt!(MULTIPOLYGON(((0. 0.,100. 0.,100. 100.,0. 100.,0. 0.)))));
        let b = nb(wkt!(MULTIPOLYGON(((100. 0.,200. 0.,200. 100.,100. 100.,100. 0.)))));
        // A 20 x 10 playground straddling the boundary (x 90..110): 100 m2 on each side; a
        // second 10 x 10 one overlapping the first by 5 x 10 on a's side (x 85..95): +50 m2 to a.
        // A point playground of 200 m2 in b.
        let items = vec![
            play(
                AmenityGeometry::Polygon(
                    wkt!(MULTIPOLYGON(((90. 10.,110. 10.,110. 20.,90. 20.,90. 10.)))),
                ),
                200.0,
            ),
            play(
                AmenityGeometry::Polygon(
                    wkt!(MULTIPOLYGON(((85. 10.,95. 10.,95. 20.,85. 20.,85. 10.)))),
                ),
                100.0,
            ),
            play(
                AmenityGeometry::Point(geo::Coord { x: 150.0, y: 50.0 }),
                200.0,
            ),
        ];
        let areas = play_area(&[a, b], &items);
        assert!((areas[0] - 150.0).abs() < 1e-6, "{areas:?}");
        assert!((areas[1] - 300.0).abs() < 1e-6, "{areas:?}");
    }
}
