//! Catchments ("verzorgingsgebied" in Dutch play plans): per amenity of the focus kind and per
//! band, the area from which a child of that band reaches it within the norm, and the children
//! who live there. An amenity has no catchment for a band it does not serve (`ages`).
//!
//! In a straight line the area is the amenity buffered by the norm. Over the walk network it is
//! the concave hull of everything reached within the norm (the network's nodes, the homes and
//! the amenity's own outline): the walked streets' outline, which a buffer of the streets would
//! fatten by the attach limit. Children within are counted from the same distances as every
//! other measure (a home inside a polygon amenity is at 0).

use geo::{
    Buffer, ConcaveHull, Coord, CoordsIter, Distance, Euclidean, Geometry, MultiPoint,
    MultiPolygon, Point,
};
use rayon::prelude::*;
use rstar::primitives::GeomWithData;
use rstar::{RTree, AABB};

use crate::reach::network::NetworkReach;
use crate::scene::Scene;
use crate::study::{BandNorm, Norms};

/// One amenity's catchment for one band.
#[derive(Debug, Clone)]
pub struct Catchment {
    /// The amenity's position among its kind's amenities.
    pub amenity: usize,
    /// The band's position in the kind's norms.
    pub band: usize,
    pub children_within: f64,
    /// In the working CRS; empty when the amenity reaches nothing.
    pub area: MultiPolygon,
}

/// The catchments of the focus kind's amenities, amenity by amenity, band by band.
#[derive(Debug, Clone)]
pub struct Catchments {
    pub kind: String,
    /// Per band of the kind's norms: its label and norm in metres.
    pub bands: Vec<(String, f64)>,
    /// Over the walk network (else straight lines).
    pub walked: bool,
    pub items: Vec<Catchment>,
}

type HomePoint = GeomWithData<[f64; 2], u32>;

/// The catchments of `kind` (the focus kind), walked over `network` when there is one.
pub fn catchments(
    norms: &Norms,
    kind: &str,
    scene: &Scene,
    network: Option<&NetworkReach>,
) -> Option<Catchments> {
    let amenities = scene.kind(kind)?;
    let bands = &norms.kinds.get(kind)?.bands;
    let homes = &scene.homes;
    let children_of = |h: usize, bn: &BandNorm| homes.children_of(h)[bn.children_band] * bn.share;
    let items: Vec<Catchment> = match network {
        Some(reach) => {
            let joins = reach.join_all(amenities.items.iter().map(|a| a.geometry.to_geometry()));
            joins
                .par_iter()
                .enumerate()
                .map_init(
                    || reach.scratch(),
                    |scratch, (j, join)| {
                        bands
                            .iter()
                            .enumerate()
                            .filter(|&(b, _)| amenities.served.serves(j, b))
                            .map(|(b, bn)| {
                                let graph = reach.graph_of_band(bn.reach_band);
                                let found = reach.homes_within(join, graph, bn.metres, scratch);
                                let mut points =
                                    reach.nodes_within(join, graph, bn.metres, scratch);
                                points.extend(found.iter().map(|&(h, _)| homes.coords[h as usize]));
                                let outline = amenities.items[j].geometry.to_geometry();
                                points.extend(outline.coords_iter());
                                Catchment {
                                    amenity: j,
                                    band: b,
                                    children_within: found
                                        .iter()
                                        .map(|&(h, _)| children_of(h as usize, bn))
                                        .sum(),
                                    area: hull(points),
                                }
                            })
                            .collect::<Vec<_>>()
                    },
                )
                .flatten()
                .collect()
        }
        None => {
            let tree: RTree<HomePoint> = RTree::bulk_load(
                homes
                    .coords
                    .iter()
                    .enumerate()
                    .map(|(i, c)| HomePoint::new([c.x, c.y], i as u32))
                    .collect(),
            );
            amenities
                .items
                .par_iter()
                .enumerate()
                .flat_map_iter(|(j, a)| {
                    let geometry = a.geometry.to_geometry();
                    let within = straight_within(&tree, &geometry, bands);
                    let served = &amenities.served;
                    bands
                        .iter()
                        .enumerate()
                        .filter(move |&(b, _)| served.serves(j, b))
                        .map(move |(b, bn)| Catchment {
                            amenity: j,
                            band: b,
                            children_within: within[b]
                                .iter()
                                .map(|&h| children_of(h as usize, bn))
                                .sum(),
                            area: geometry.buffer(bn.metres),
                        })
                })
                .collect()
        }
    };
    Some(Catchments {
        kind: kind.to_string(),
        bands: bands.iter().map(|b| (b.label.clone(), b.metres)).collect(),
        walked: network.is_some(),
        items,
    })
}

/// Per band, the homes within its norm of `geometry` in a straight line (0 inside), in order.
fn straight_within(
    tree: &RTree<HomePoint>,
    geometry: &Geometry,
    bands: &[BandNorm],
) -> Vec<Vec<u32>> {
    use geo::BoundingRect;
    let mut out = vec![Vec::new(); bands.len()];
    let (Some(r), Some(max)) = (
        geometry.bounding_rect(),
        bands.iter().map(|b| b.metres).reduce(f64::max),
    ) else {
        return out;
    };
    let envelope = AABB::from_corners(
        [r.min().x - max, r.min().y - max],
        [r.max().x + max, r.max().y + max],
    );
    let mut found: Vec<(u32, f64)> = tree
        .locate_in_envelope(&envelope)
        .map(|p| {
            let [x, y] = *p.geom();
            (p.data, Euclidean.distance(&Point::new(x, y), geometry))
        })
        .collect();
    found.sort_by_key(|f| f.0);
    for (b, bn) in bands.iter().enumerate() {
        out[b].extend(found.iter().filter(|f| f.1 <= bn.metres).map(|f| f.0));
    }
    out
}

/// Points closer than this are one for the hull: a street's shape points every few metres add
/// time, not shape.
const HULL_GRID_M: f64 = 10.0;

/// The concave hull of the points reached; a small disc around a lone point, nothing for none.
fn hull(mut points: Vec<Coord>) -> MultiPolygon {
    if points.is_empty() {
        return MultiPolygon(Vec::new());
    }
    let cell = |c: &Coord| {
        (
            (c.x / HULL_GRID_M).floor() as i64,
            (c.y / HULL_GRID_M).floor() as i64,
        )
    };
    points.sort_by(|a, b| {
        cell(a)
            .cmp(&cell(b))
            .then(a.x.total_cmp(&b.x))
            .then(a.y.total_cmp(&b.y))
    });
    points.dedup_by(|a, b| cell(a) == cell(b));
    let cloud = MultiPoint::from(points);
    let polygon = cloud.concave_hull();
    if geo::Area::unsigned_area(&polygon) > 0.0 {
        MultiPolygon(vec![polygon])
    } else {
        // A point or a line of points: no area to hull; a metre around them shows where.
        cloud.buffer(1.0)
    }
}
