//! Catchments ("verzorgingsgebied" in Dutch play plans): per amenity of the focus kind and per
//! band, the area from which a child of that band reaches it within the norm, and the children
//! who live there. An amenity has no catchment for a band it does not serve (`ages`).
//!
//! In a straight line the area is the amenity buffered by the norm. Over the walk network it is
//! the concave hull of the junctions reached within the norm, the points where the walks of the
//! norm end part-way along a street, and the amenity's own outline: the walked streets'
//! outline, which a buffer of the streets would fatten by the attach limit (the homes are left
//! out of the hull: a city's playground reaches tens of thousands, the walked streets already
//! trace where they are). Children within are counted from the same distances as every
//! other measure (a home inside a polygon amenity is at 0).

use std::borrow::Cow;

use geo::{Buffer, Coord, CoordsIter, Geometry, MultiPoint, MultiPolygon};
use rayon::prelude::*;

use crate::reach::network::{NetworkReach, Reached};
use crate::reach::straight::{chunks_in_order, AmenityIndex};
use crate::scene::{AmenityKind, Homes, Scene};
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

/// The children within each band's norm of every amenity of one kind, in a straight line:
/// `per_band[band][amenity]`, each summed in home order. E2SFCA's step 1 counts them on its
/// way through the same (home, amenity) pairs, so a run hands them on instead of searching
/// every home's amenities again (a pass over about 100 million pairs at 1 M homes).
#[derive(Debug, Clone, PartialEq)]
pub struct ChildrenWithin {
    pub kind: String,
    pub per_band: Vec<Vec<f64>>,
}

/// The catchments of `kind` (the focus kind), walked over `network` when there is one.
pub fn catchments(
    norms: &Norms,
    kind: &str,
    scene: &Scene,
    network: Option<&NetworkReach>,
) -> Option<Catchments> {
    catchments_counted(norms, kind, scene, network, None, None)
}

/// [`catchments`], taking the children within from `counted` when it counted this kind in a
/// straight line (else they are counted here), and the catchments themselves from `drawn` when
/// E2SFCA drew this kind's over the network from its own searches (else they are drawn here).
pub fn catchments_counted(
    norms: &Norms,
    kind: &str,
    scene: &Scene,
    network: Option<&NetworkReach>,
    counted: Option<&ChildrenWithin>,
    drawn: Option<Catchments>,
) -> Option<Catchments> {
    if let Some(drawn) = drawn.filter(|d| d.kind == kind && d.walked && network.is_some()) {
        return Some(drawn);
    }
    let amenities = scene.kind(kind)?;
    let bands = &norms.kinds.get(kind)?.bands;
    let homes = &scene.homes;
    let items: Vec<Catchment> = match network {
        Some(reach) => {
            // One search per barrier graph as far as its largest norm; each band keeps its part.
            let searches = reach.searches(bands.iter().map(|bn| (bn.reach_band, bn.metres)));
            let joins = reach.join_all(amenities.items.iter().map(|a| a.geometry.to_geometry()));
            joins
                .par_iter()
                .enumerate()
                .map_init(
                    || reach.scratch(),
                    |scratch, (j, join)| {
                        let reached: Vec<_> = searches
                            .searches
                            .iter()
                            .enumerate()
                            .map(|(s, &(graph, _))| {
                                let radii = searches.radii(s);
                                reach.homes_and_nodes_within(join, graph, radii, scratch)
                            })
                            .collect();
                        walked_catchments(j, amenities, bands, &searches.of_band, &reached, homes)
                    },
                )
                .flatten()
                .collect()
        }
        None => {
            let counted = counted.filter(|c| c.kind == kind && c.per_band.len() == bands.len());
            let within: Cow<[Vec<f64>]> = match counted {
                Some(c) => Cow::Borrowed(&c.per_band),
                None => Cow::Owned(children_within(bands, homes, amenities)),
            };
            let within = &within;
            amenities
                .items
                .par_iter()
                .enumerate()
                .flat_map_iter(|(j, a)| {
                    let geometry = a.geometry.to_geometry();
                    let served = &amenities.served;
                    bands
                        .iter()
                        .enumerate()
                        .filter(move |&(b, _)| served.serves(j, b))
                        .map(move |(b, bn)| Catchment {
                            amenity: j,
                            band: b,
                            children_within: within[b][j],
                            area: buffer(&geometry, bn.metres),
                        })
                })
                .collect()
        }
    };
    Some(Catchments::new(kind, bands, network.is_some(), items))
}

impl Catchments {
    /// The catchments `items` of `kind` with its norms' `bands`.
    pub fn new(kind: &str, bands: &[BandNorm], walked: bool, items: Vec<Catchment>) -> Self {
        Catchments {
            kind: kind.to_string(),
            bands: bands.iter().map(|b| (b.label.clone(), b.metres)).collect(),
            walked,
            items,
        }
    }
}

/// Amenity `j`'s catchment per band it serves, over the network: `reached[of_band[b]]` is one
/// search's homes and junctions, as far as the largest norm on band `b`'s graph.
pub fn walked_catchments(
    j: usize,
    amenities: &AmenityKind,
    bands: &[BandNorm],
    of_band: &[usize],
    reached: &[Reached],
    homes: &Homes,
) -> Vec<Catchment> {
    let outline = amenities.items[j].geometry.to_geometry();
    bands
        .iter()
        .enumerate()
        .filter(|&(b, _)| amenities.served.serves(j, b))
        .map(|(b, bn)| {
            let (found, nodes) = &reached[of_band[b]];
            let within = |d: f64| d <= bn.metres;
            let mut points: Vec<Coord> =
                nodes.iter().filter(|n| within(n.1)).map(|n| n.0).collect();
            points.extend(outline.coords_iter());
            Catchment {
                amenity: j,
                band: b,
                children_within: found
                    .iter()
                    .filter(|f| within(f.1))
                    .map(|&(h, _)| bn.children(homes.children_of(h as usize)))
                    .sum(),
                area: hull(points, bn.metres),
            }
        })
        .collect()
}

/// The children within each band's norm of every amenity in a straight line (`[band][amenity]`):
/// the homes in reach from the same range queries as E2SFCA's, summed in home order whatever
/// the thread count.
fn children_within(bands: &[BandNorm], homes: &Homes, amenities: &AmenityKind) -> Vec<Vec<f64>> {
    let index = AmenityIndex::new(&amenities.items);
    let max = bands.iter().map(|b| b.metres).fold(0.0, f64::max);
    let mut within = vec![vec![0.0; amenities.items.len()]; bands.len()];
    chunks_in_order(
        &homes.coords,
        |first, chunk| {
            let mut terms: Vec<(u32, usize, f64)> = Vec::new();
            index.within_each(chunk, max, |i, pairs| {
                for &(j, d) in pairs {
                    for (b, bn) in bands.iter().enumerate() {
                        let c = bn.children(homes.children_of(first + i));
                        if d <= bn.metres && c > 0.0 {
                            terms.push((j, b, c));
                        }
                    }
                }
            });
            terms
        },
        |terms| {
            for (j, b, c) in terms {
                within[b][j as usize] += c;
            }
        },
    );
    within
}

/// Vertices of the disc drawn around a point amenity (its area is 99.9% of the disc's).
const DISC_VERTICES: usize = 72;

/// `geometry` buffered by `radius`: a point's disc drawn directly (a general buffer costs a
/// polygon overlay, and a city has thousands of point playgrounds), a polygon by `geo`.
fn buffer(geometry: &Geometry, radius: f64) -> MultiPolygon {
    match geometry {
        Geometry::Point(p) => {
            let ring: Vec<Coord> = (0..=DISC_VERTICES)
                .map(|i| {
                    let a =
                        std::f64::consts::TAU * (i % DISC_VERTICES) as f64 / DISC_VERTICES as f64;
                    Coord {
                        x: p.x() + radius * a.cos(),
                        y: p.y() + radius * a.sin(),
                    }
                })
                .collect();
            MultiPolygon(vec![geo::Polygon::new(ring.into(), vec![])])
        }
        other => other.buffer(radius),
    }
}

/// The hull keeps one point per cell of a grid this many cells across the catchment's diameter
/// (cells of at least 10 m): a street's shape points every few metres add time, not shape, and a
/// catchment's outline needs no finer detail than a fiftieth of its width.
const HULL_CELLS_ACROSS: f64 = 50.0;

/// Keeps, per cell of `size` metres, the least point (by x, then y, `total_cmp`), the cells in
/// order. Each point's cell and order are worked out once, not in every comparison: points
/// equal in all four are the same bits, so an unstable sort gives the one order.
fn thin(points: &mut Vec<Coord>, size: f64) {
    let total = |v: f64| {
        let b = v.to_bits() as i64;
        b ^ (((b >> 63) as u64) >> 1) as i64
    };
    let mut keyed: Vec<((i64, i64, i64, i64), Coord)> = points
        .iter()
        .map(|c| {
            let cell = ((c.x / size).floor() as i64, (c.y / size).floor() as i64);
            ((cell.0, cell.1, total(c.x), total(c.y)), *c)
        })
        .collect();
    keyed.sort_unstable_by_key(|k| k.0);
    keyed.dedup_by(|a, b| (a.0 .0, a.0 .1) == (b.0 .0, b.0 .1));
    points.clear();
    points.extend(keyed.into_iter().map(|k| k.1));
}

/// The concave hull of the points reached within `radius`; a small disc around a lone point,
/// nothing for none.
fn hull(mut points: Vec<Coord>, radius: f64) -> MultiPolygon {
    if points.is_empty() {
        return MultiPolygon(Vec::new());
    }
    let size = (2.0 * radius / HULL_CELLS_ACROSS).max(10.0);
    thin(&mut points, size);
    let polygon = super::concave_hull::concave_hull(&points);
    let cloud = MultiPoint::from(points);
    if geo::Area::unsigned_area(&polygon) > 0.0 {
        MultiPolygon(vec![polygon])
    } else {
        // A point or a line of points (one straight street walked): no area to hull; a metre
        // around the line through them (sorted along it) shows where, homes between included.
        let mut line: Vec<Coord> = cloud.0.iter().map(|p| p.0).collect();
        line.sort_by(|a, b| a.x.total_cmp(&b.x).then(a.y.total_cmp(&b.y)));
        match line.len() {
            1 => cloud.buffer(1.0),
            _ => geo::LineString::from(line).buffer(1.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The former thinning: a stable sort comparing cells worked out in every comparison.
    fn thin_by_comparisons(points: &mut Vec<Coord>, size: f64) {
        let cell = |c: &Coord| ((c.x / size).floor() as i64, (c.y / size).floor() as i64);
        points.sort_by(|a, b| {
            cell(a)
                .cmp(&cell(b))
                .then(a.x.total_cmp(&b.x))
                .then(a.y.total_cmp(&b.y))
        });
        points.dedup_by(|a, b| cell(a) == cell(b));
    }

    proptest! {
        #[test]
        fn thin_equals_the_comparison_sort(
            raw in prop::collection::vec((-40i32..40, -40i32..40, 0u8..4), 0..300),
            size in prop::sample::select(vec![10.0, 16.0, 2.5, 40.0]),
        ) {
            // Points on cell lines, on both sides of 0 (with -0.0), doubled, and off the grid.
            let points: Vec<Coord> = raw
                .iter()
                .map(|&(i, j, k)| {
                    let (x, y) = (f64::from(i) * 5.0, f64::from(j) * 5.0);
                    match k {
                        0 => Coord { x, y },
                        1 => Coord { x: x + 0.3, y: y - 1e-9 },
                        2 => Coord { x: if i == 0 { -0.0 } else { x }, y: 155_000.0 + y },
                        _ => Coord { x: x * 1.7, y: y * 0.3 },
                    }
                })
                .collect();
            let (mut a, mut b) = (points.clone(), points);
            thin(&mut a, size);
            thin_by_comparisons(&mut b, size);
            let bits = |v: &[Coord]| v.iter().map(|c| (c.x.to_bits(), c.y.to_bits())).collect::<Vec<_>>();
            prop_assert_eq!(bits(&a), bits(&b));
        }
    }
}
