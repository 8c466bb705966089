//! Play space per child (E2SFCA) for the scene: which homes reach which playgrounds, per band.
//!
//! The (home, playground) pairs are never all held at once: at 1 M homes and a 1000 m
//! catchment they are about 100 million (over 2 GB as [`e2sfca::Reach`] values).
//! Each step is one range query at the largest catchment, streamed chunk by chunk in home
//! order; every band takes its pairs from that one list (straight-line distances are the same
//! for every band) instead of one query per band.
//! Step 1 keeps one sum per band and facility, each in (home, facility) order, and adds the
//! bands in band order at the end: exactly how [`e2sfca::e2sfca`] sums, so the result is
//! bit-identical to it by construction, whatever the thread count. Step 2 needs only each
//! home's own pairs.

use std::sync::Mutex;

use rayon::prelude::*;

use super::e2sfca::{self, Decay};
use crate::error::Result;
use crate::reach::straight::{chunks_in_order, homes_in_flight, AmenityIndex};
use crate::scene::Scene;
use crate::study::{self, CatchmentSettings, Norms};

/// How many (home, facility) pairs the catchment finds, estimated before the work from a sample
/// of homes, and how much memory step 1 holds for them at once.
#[derive(Debug, Clone, PartialEq)]
pub struct PairEstimate {
    pub kind: String,
    /// The largest catchment (metres).
    pub radius_m: f64,
    pub pairs_per_home: f64,
    /// Bytes of terms held at once: one wave of homes in flight, a term per pair and band.
    pub bytes_in_flight: u64,
}

/// Homes sampled to estimate the pairs per home: evenly spread over the homes' (file) order.
const SAMPLED_HOMES: usize = 512;

/// Estimates the pairs the catchment finds (a 100 km norm over a million homes reaches every
/// facility from every home), so a run can refuse one that does not fit before it allocates.
pub fn pair_estimate(
    catchment: &CatchmentSettings,
    norms: &Norms,
    scene: &Scene,
) -> Option<PairEstimate> {
    let amenities = scene.kind(&catchment.kind.value)?;
    let norms = &norms.kinds.get(&amenities.kind)?.bands;
    let max_radius = norms.iter().map(|b| b.metres).fold(0.0, f64::max);
    let homes = &scene.homes.coords;
    if homes.is_empty() || amenities.items.is_empty() || !max_radius.is_finite() {
        return None;
    }
    let step = homes.len().div_ceil(SAMPLED_HOMES);
    let sample: Vec<geo::Coord> = homes.iter().step_by(step).copied().collect();
    let mut pairs = 0usize;
    AmenityIndex::new(&amenities.items)
        .within_each(&sample, max_radius, |_, found| pairs += found.len());
    let pairs_per_home = pairs as f64 / sample.len() as f64;
    let in_flight = homes.len().min(homes_in_flight()) as f64;
    let term = std::mem::size_of::<(u32, f64)>() as f64;
    Some(PairEstimate {
        kind: amenities.kind.clone(),
        radius_m: max_radius,
        pairs_per_home,
        bytes_in_flight: (in_flight * pairs_per_home * term * norms.len() as f64) as u64,
    })
}

/// Step 1's terms of a chunk of homes: per band, (facility, decay-weighted children) in
/// (home, facility) order.
type TermsPerBand = Vec<Vec<(u32, f64)>>;

/// Square metres of play space per child for every home (children-weighted over its bands),
/// with the `[catchment]` kind's capacity as supply and each band's norm as its catchment.
///
/// Distances are straight lines: a catchment needs every facility in reach of a home, not only
/// the nearest, which the network stage does not give.
///
/// A facility counts for a band only when it serves the band (`[[amenities]] ages`/`bands`): a
/// band's pairs leave out the others, in both steps. So a toddler playground's capacity is
/// shared among the toddlers in reach (step 1's demand is the children of the bands it
/// serves), and a teenager's play space sums only the facilities for teenagers.
pub fn play_m2_per_child(
    catchment: &CatchmentSettings,
    norms: &Norms,
    scene: &Scene,
) -> Result<Option<Vec<f64>>> {
    let kind = &catchment.kind.value;
    let Some(amenities) = scene.kind(kind) else {
        return Ok(None);
    };
    let decay = match catchment.decay.value {
        study::Decay::Step => Decay::Step,
        study::Decay::Gaussian => Decay::Gaussian,
    };
    let norms = &norms.kinds[kind].bands;
    let homes = &scene.homes;
    let served = &amenities.served;
    let supply: Vec<f64> = amenities.items.iter().map(|a| a.capacity).collect();
    e2sfca::validate_supply(&supply)?;
    for bn in norms {
        e2sfca::validate_catchment(&bn.label, bn.metres)?;
        let bad = (0..homes.len())
            .into_par_iter()
            .find_first(|&h| e2sfca::bad(homes.children_of(h)[bn.children_band] * bn.share));
        if let Some(h) = bad {
            let children = homes.children_of(h)[bn.children_band] * bn.share;
            return Err(e2sfca::bad_children(&bn.label, h, children));
        }
    }
    let max_radius = norms.iter().map(|b| b.metres).fold(0.0, f64::max);
    let index = AmenityIndex::new(&amenities.items);
    let children =
        |h: usize, bn: &study::BandNorm| homes.children_of(h)[bn.children_band] * bn.share;

    // Step 1: the decay-weighted children in reach of each facility, one sum per band (see
    // `e2sfca::sum_over_bands` for why), from one range query at the largest catchment. A pair
    // counts for a band when its distance is within the band's norm: every such pair is within
    // the largest catchment, so this finds the same pairs as one query per band would.
    let mut per_band = vec![vec![0.0; supply.len()]; norms.len()];
    // Consumed term buffers go back to a pool for the next chunks: their memory is allocated
    // (and faulted in) for the first wave of chunks only, not grown again for every chunk.
    let pool: Mutex<Vec<TermsPerBand>> = Mutex::new(Vec::new());
    let lock = || pool.lock().unwrap_or_else(|e| e.into_inner());
    chunks_in_order(
        &homes.coords,
        |first, chunk| {
            let mut terms = lock()
                .pop()
                .unwrap_or_else(|| vec![Vec::new(); norms.len()]);
            index.within_each(chunk, max_radius, |i, pairs| {
                for (b, (bn, terms)) in norms.iter().zip(terms.iter_mut()).enumerate() {
                    let c = children(first + i, bn);
                    if c == 0.0 {
                        continue;
                    }
                    let in_band =
                        |p: &&(u32, f64)| p.1 <= bn.metres && served.serves(p.0 as usize, b);
                    for &(j, d) in pairs.iter().filter(in_band) {
                        terms.push((j, c * decay.weight(d, bn.metres)));
                    }
                }
            });
            terms
        },
        |mut terms| {
            for (weighted, terms) in per_band.iter_mut().zip(terms.iter_mut()) {
                for &(j, t) in terms.iter() {
                    weighted[j as usize] += t;
                }
                terms.clear();
            }
            lock().push(terms);
        },
    );
    let weighted_children = e2sfca::sum_over_bands(&per_band, supply.len());
    let ratio = e2sfca::supply_ratios(&supply, &weighted_children);

    // Step 2: per home and band the decay-weighted ratios in reach, combined over the bands.
    let mut per_home = vec![0.0; homes.len()];
    let coords = &homes.coords;
    per_home
        .par_chunks_mut(4096)
        .zip(coords.par_chunks(4096))
        .enumerate()
        .for_each(|(c, (out, chunk))| {
            let first = c * 4096;
            let mut access = vec![0.0; norms.len()];
            index.within_each(chunk, max_radius, |i, pairs| {
                access.fill(0.0);
                for &(j, d) in pairs {
                    let r = ratio[j as usize];
                    for (b, (a, bn)) in access.iter_mut().zip(norms).enumerate() {
                        if d <= bn.metres && served.serves(j as usize, b) {
                            *a += r * decay.weight(d, bn.metres);
                        }
                    }
                }
                let h = first + i;
                let bands = norms
                    .iter()
                    .zip(&access)
                    .map(|(bn, &a)| (children(h, bn), a));
                // A home without children still has play space within reach: its bands' mean.
                out[i] = e2sfca::over_bands(bands)
                    .unwrap_or_else(|| access.iter().sum::<f64>() / norms.len().max(1) as f64);
            });
        });
    Ok(Some(per_home))
}
