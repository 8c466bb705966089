//! Which demand points (a home and a norm band, with the band's norm as radius) each facility
//! brings within reach: in a straight line, or walked over the network on the band's barriers.
//! Site selection asks it of candidate sites and uncovered children, closures of existing
//! amenities and covered children; both judge a child exactly as coverage does.

use geo::Coord;

use crate::reach::network::NetworkReach;
use crate::reach::straight::{chunks_in_order, AmenityIndex};
use crate::scene::Amenity;
use crate::study::BandNorm;

/// One home's children of one norm band.
#[derive(Debug, Clone)]
pub struct Demand {
    pub home: usize,
    /// The band's position in the kind's norms.
    pub band: usize,
    /// The band's norm, in metres.
    pub radius: f64,
    pub children: f64,
}

/// Per facility, the indices (increasing) of the demand points within their radius of it, over
/// `network` when given (with the kind's `norms`, for each band's barriers), else in a straight
/// line. `serves(facility, band)` leaves out the bands a facility does not serve. `demand` must
/// run in home order.
pub fn covers(
    facilities: &[Amenity],
    demand: &[Demand],
    homes: &[Coord],
    network: Option<(&NetworkReach, &[BandNorm])>,
    serves: impl Fn(usize, usize) -> bool + Sync,
) -> Vec<Vec<u32>> {
    debug_assert!(demand.windows(2).all(|w| w[0].home <= w[1].home));
    // Per home, its demand points: demand[first[h]..first[h + 1]].
    let mut first = vec![0u32; homes.len() + 1];
    for d in demand {
        first[d.home + 1] += 1;
    }
    for h in 0..homes.len() {
        first[h + 1] += first[h];
    }
    match network {
        Some((reach, norms)) => network_covers(reach, norms, facilities, demand, &first, &serves),
        None => straight_covers(facilities, demand, homes, &first, &serves),
    }
}

/// The straight-line case: one range query per home with demand, as far as its largest radius,
/// from the same batch queries as play space per child.
fn straight_covers(
    facilities: &[Amenity],
    demand: &[Demand],
    homes: &[Coord],
    first: &[u32],
    serves: &(impl Fn(usize, usize) -> bool + Sync),
) -> Vec<Vec<u32>> {
    let index = AmenityIndex::new(facilities);
    let with_demand: Vec<usize> = (0..homes.len())
        .filter(|&h| first[h + 1] > first[h])
        .collect();
    let points: Vec<Coord> = with_demand.iter().map(|&h| homes[h]).collect();
    let mut covers: Vec<Vec<u32>> = vec![Vec::new(); facilities.len()];
    chunks_in_order(
        &points,
        |start, chunk| {
            let max = with_demand[start..start + chunk.len()]
                .iter()
                .flat_map(|&h| &demand[first[h] as usize..first[h + 1] as usize])
                .map(|d| d.radius)
                .fold(0.0, f64::max);
            let mut pairs: Vec<(u32, u32)> = Vec::new();
            index.within_each(chunk, max, |i, found| {
                let h = with_demand[start + i];
                for &(j, dist) in found {
                    for p in first[h]..first[h + 1] {
                        let d = &demand[p as usize];
                        if dist <= d.radius && serves(j as usize, d.band) {
                            pairs.push((j, p));
                        }
                    }
                }
            });
            pairs
        },
        |pairs| {
            // In home order, so each facility's list comes out increasing.
            for (j, p) in pairs {
                covers[j as usize].push(p);
            }
        },
    );
    covers
}

/// The network case: one bounded search from each facility per barrier set in use, as far as
/// the largest norm walked on it.
fn network_covers(
    reach: &NetworkReach,
    norms: &[BandNorm],
    facilities: &[Amenity],
    demand: &[Demand],
    first: &[u32],
    serves: &(impl Fn(usize, usize) -> bool + Sync),
) -> Vec<Vec<u32>> {
    // Only the homes with demand in a band of a search matter to it; most homes in reach of a
    // candidate have none (in the sample town, 38 of 1 M homes have 12-17 demand).
    let searches = reach.searches(norms.iter().map(|bn| (bn.reach_band, bn.metres)));
    let mut with_demand = vec![vec![false; first.len() - 1]; searches.searches.len()];
    for d in demand {
        with_demand[searches.of_band[d.band]][d.home] = true;
    }
    let searches = searches.only_homes(with_demand);
    let joins = reach.join_all(facilities.iter().map(|c| c.geometry.to_geometry()));
    let mut covers: Vec<Vec<u32>> = vec![Vec::new(); facilities.len()];
    reach.each_facility(
        &joins,
        &searches,
        |j, reached| {
            let mut covered: Vec<u32> = Vec::new();
            for (s, reached) in reached.iter().enumerate() {
                for &(h, dist) in reached {
                    let points = first[h as usize]..first[h as usize + 1];
                    covered.extend(points.filter(|&i| {
                        let d = &demand[i as usize];
                        searches.of_band[d.band] == s && dist <= d.radius && serves(j, d.band)
                    }));
                }
            }
            // One increasing run per search: the stable sort merges runs.
            covered.sort();
            covered.dedup();
            covered
        },
        |j, covered| covers[j] = covered,
    );
    covers
}
