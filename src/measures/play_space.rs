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

use super::catchments::{self, Catchment, Catchments, ChildrenWithin};
use super::e2sfca::{self, BandDecay, Decay};
use crate::error::Result;
use crate::reach::network::NetworkReach;
use crate::reach::straight::{chunks_in_order, homes_in_flight, AmenityIndex};
use crate::scene::{AmenityKind, Homes, Scene};
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
    AmenityIndex::new(&amenities.items).within_each_squared(
        &sample,
        max_radius,
        None,
        |_, found| pairs += found.len(),
    );
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

/// One band's step-1 terms of a chunk of homes: `pairs`, (facility, decay weight) in (home,
/// facility) order; `homes`, per home with pairs its children and where its pairs end. The
/// children are a home's, not a pair's, so they are kept once per home.
///
/// With the step decay a pair's weight is one of three, so its term is packed in 4 bytes
/// (`steps`: the facility, and the third in the top bits) instead of 16: step 1 writes and its
/// sequential sums read about 150 million terms at 1 M homes, and that memory traffic was much
/// of their time. The sums multiply and add the same numbers in the same order either way.
#[derive(Default)]
struct BandTerms {
    pairs: Vec<(u32, f64)>,
    steps: Vec<u32>,
    homes: Vec<(usize, f64)>,
}

/// A packed step term: the facility in the low bits, the third above them.
const STEP_SHIFT: u32 = 30;
const FACILITY_MASK: u32 = (1 << STEP_SHIFT) - 1;

/// Play space per child for every home and, in a straight line, the children within each
/// band's norm of every facility, which step 1 counts on its way (the catchments' figures);
/// over a network, when asked, the kind's catchments, drawn from step 1's searches (the same
/// facilities, graphs and radii as the catchments' own).
#[derive(Debug, Clone)]
pub struct PlaySpace {
    pub per_home: Vec<f64>,
    pub children_within: Option<ChildrenWithin>,
    pub catchments: Option<Catchments>,
}

/// Square metres of play space per child for every home (children-weighted over its bands),
/// with the `[catchment]` kind's capacity as supply and each band's norm as its catchment.
///
/// Distances are walked over `network` when the study has one (each band on its own barriers),
/// else straight lines.
///
/// A facility counts for a band only when it serves the band (`[[amenities]] ages`/`bands`): a
/// band's pairs leave out the others, in both steps. So a toddler playground's capacity is
/// shared among the toddlers in reach (step 1's demand is the children of the bands it
/// serves), and a teenager's play space sums only the facilities for teenagers.
pub fn play_m2_per_child(
    catchment: &CatchmentSettings,
    norms: &Norms,
    scene: &Scene,
    network: Option<&NetworkReach>,
) -> Result<Option<Vec<f64>>> {
    Ok(play_space(catchment, norms, scene, network, false)?.map(|p| p.per_home))
}

/// [`play_m2_per_child`], with the children within each facility's bands when it counts them,
/// and over a network with `draw_catchments` the kind's catchments.
pub fn play_space(
    catchment: &CatchmentSettings,
    norms: &Norms,
    scene: &Scene,
    network: Option<&NetworkReach>,
    draw_catchments: bool,
) -> Result<Option<PlaySpace>> {
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
            .find_first(|&h| e2sfca::bad(bn.children(homes.children_of(h))));
        if let Some(h) = bad {
            let children = bn.children(homes.children_of(h));
            return Err(e2sfca::bad_children(&bn.label, h, children));
        }
    }
    if let Some(reach) = network {
        let (per_home, drawn) = network_play_space(
            reach,
            amenities,
            norms,
            decay,
            &supply,
            homes,
            draw_catchments,
        );
        return Ok(Some(PlaySpace {
            per_home,
            children_within: None,
            catchments: drawn.map(|items| Catchments::new(kind, norms, true, items)),
        }));
    }
    let max_radius = norms.iter().map(|b| b.metres).fold(0.0, f64::max);
    let index = AmenityIndex::new(&amenities.items);
    // The range queries yield squared distances; each band tests and weighs them as such.
    let decays: Vec<BandDecay> = norms
        .iter()
        .map(|bn| BandDecay::new(decay, bn.metres))
        .collect();
    // With the step decay only which thresholds a pair's squared distance reaches matters, and
    // the range queries decide that per grid cell for most pairs.
    let bounds = decays
        .iter()
        .map(BandDecay::bounds)
        .collect::<Option<Vec<_>>>();
    let bounds = bounds.map(|b| {
        let mut b = b.concat();
        b.sort_by(f64::total_cmp);
        b
    });
    let bounds = bounds.as_deref();

    // Step 1: the decay-weighted children in reach of each facility, one sum per band (see
    // `e2sfca::sum_over_bands` for why), from one range query at the largest catchment. A pair
    // counts for a band when its distance is within the band's norm: every such pair is within
    // the largest catchment, so this finds the same pairs as one query per band would. The
    // children within each band's norm (undecayed) are summed alongside, for the catchments.
    let mut per_band = vec![vec![0.0; supply.len()]; norms.len()];
    let mut within = vec![vec![0.0; supply.len()]; norms.len()];
    // Consumed term buffers go back to a pool for the next chunks: their memory is allocated
    // (and faulted in) for the first wave of chunks only, not grown again for every chunk.
    let pool: Mutex<Vec<Vec<BandTerms>>> = Mutex::new(Vec::new());
    let packed = decays.iter().all(BandDecay::is_step) && supply.len() <= FACILITY_MASK as usize;
    let lock = || pool.lock().unwrap_or_else(|e| e.into_inner());
    chunks_in_order(
        &homes.coords,
        |first, chunk| {
            let mut terms = lock().pop().unwrap_or_else(|| {
                std::iter::repeat_with(BandTerms::default)
                    .take(norms.len())
                    .collect()
            });
            index.within_each_squared(chunk, max_radius, bounds, |i, pairs| {
                let bands = norms.iter().zip(&decays).zip(terms.iter_mut());
                for (b, ((bn, band), terms)) in bands.enumerate() {
                    let c = bn.children(homes.children_of(first + i));
                    if c == 0.0 {
                        continue;
                    }
                    if packed {
                        let before = terms.steps.len();
                        for &(j, d2) in pairs.iter() {
                            if band.reaches(d2) && served.serves(j as usize, b) {
                                terms.steps.push(j | (band.step(d2) as u32) << STEP_SHIFT);
                            }
                        }
                        if terms.steps.len() > before {
                            terms.homes.push((terms.steps.len(), c));
                        }
                        continue;
                    }
                    let before = terms.pairs.len();
                    for &(j, d2) in pairs.iter() {
                        if band.reaches(d2) && served.serves(j as usize, b) {
                            terms.pairs.push((j, band.weight(d2)));
                        }
                    }
                    if terms.pairs.len() > before {
                        terms.homes.push((terms.pairs.len(), c));
                    }
                }
            });
            terms
        },
        |mut terms| {
            for ((weighted, within), terms) in per_band.iter_mut().zip(&mut within).zip(&mut terms)
            {
                let mut start = 0;
                for &(end, c) in &terms.homes {
                    if packed {
                        for &t in &terms.steps[start..end] {
                            let j = (t & FACILITY_MASK) as usize;
                            weighted[j] += c * e2sfca::STEP_WEIGHTS[(t >> STEP_SHIFT) as usize];
                            within[j] += c;
                        }
                    } else {
                        for &(j, w) in &terms.pairs[start..end] {
                            weighted[j as usize] += c * w;
                            within[j as usize] += c;
                        }
                    }
                    start = end;
                }
                terms.steps.clear();
                terms.pairs.clear();
                terms.homes.clear();
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
            index.within_each_squared(chunk, max_radius, bounds, |i, pairs| {
                access.fill(0.0);
                for &(j, d2) in pairs.iter() {
                    let r = ratio[j as usize];
                    for (b, (a, band)) in access.iter_mut().zip(&decays).enumerate() {
                        if band.reaches(d2) && served.serves(j as usize, b) {
                            *a += r * band.weight(d2);
                        }
                    }
                }
                out[i] = over_bands(homes, first + i, norms, access.iter().copied());
            });
        });
    Ok(Some(PlaySpace {
        per_home,
        catchments: None,
        children_within: Some(ChildrenWithin {
            kind: amenities.kind.clone(),
            per_band: within,
        }),
    }))
}

/// A home's play space per child from its access per band: weighted by its children; a home
/// without children still has play space within reach, its bands' mean.
fn over_bands(
    homes: &Homes,
    h: usize,
    norms: &[study::BandNorm],
    access: impl Iterator<Item = f64> + Clone,
) -> f64 {
    let bands = norms
        .iter()
        .zip(access.clone())
        .map(|(bn, a)| (bn.children(homes.children_of(h)), a));
    e2sfca::over_bands(bands).unwrap_or_else(|| access.sum::<f64>() / norms.len().max(1) as f64)
}

/// [`play_m2_per_child`] over the walk network. One bounded search per facility and barrier set
/// finds the homes in reach; step 1 needs only that facility's homes, so its ratio is known at
/// once, and step 2 adds the ratio to the homes it reaches, facility by facility in order (the
/// same sums whatever the thread count). Step 1 sums each band on its own and then adds the
/// bands in band order, as [`e2sfca::e2sfca`] does. With `draw_catchments`, the searches report
/// the junctions reached too, and each facility's catchments are drawn from them, in facility
/// order.
fn network_play_space(
    reach: &NetworkReach,
    amenities: &AmenityKind,
    norms: &[study::BandNorm],
    decay: Decay,
    supply: &[f64],
    homes: &Homes,
    draw_catchments: bool,
) -> (Vec<f64>, Option<Vec<Catchment>>) {
    let searches = reach.searches(norms.iter().map(|bn| (bn.reach_band, bn.metres)));
    let searches = match draw_catchments {
        true => searches.with_junctions(),
        false => searches,
    };
    let facilities = reach.join_all(amenities.items.iter().map(|a| a.geometry.to_geometry()));
    let in_band = |bn: &study::BandNorm, reached: &[(u32, f64)]| {
        let m = bn.metres;
        reached
            .iter()
            .filter(move |p| p.1 <= m)
            .map(move |&(h, d)| (h as usize, decay.weight(d, m)))
            .collect::<Vec<_>>()
    };
    let mut access = vec![vec![0.0; homes.len()]; norms.len()];
    let mut drawn: Vec<Catchment> = Vec::new();
    reach.each_facility_reached(
        &facilities,
        &searches,
        |j, reached| {
            let drawn = draw_catchments.then(|| {
                catchments::walked_catchments(
                    j,
                    amenities,
                    norms,
                    &searches.of_band,
                    &reached,
                    homes,
                )
            });
            // A band the facility does not serve has no pairs.
            let per_band: Vec<Vec<(usize, f64)>> = norms
                .iter()
                .zip(&searches.of_band)
                .enumerate()
                .map(|(b, (bn, &s))| match amenities.served.serves(j, b) {
                    true => in_band(bn, &reached[s].0),
                    false => Vec::new(),
                })
                .collect();
            let demand: Vec<Vec<f64>> = norms
                .iter()
                .zip(&per_band)
                .map(|(bn, pairs)| {
                    vec![pairs
                        .iter()
                        .map(|&(h, w)| bn.children(homes.children_of(h)) * w)
                        .sum::<f64>()]
                })
                .collect();
            let weighted = e2sfca::sum_over_bands(&demand, 1);
            (
                e2sfca::supply_ratios(&supply[j..=j], &weighted)[0],
                per_band,
                drawn,
            )
        },
        |_, (ratio, per_band, catchments)| {
            for (access, pairs) in access.iter_mut().zip(per_band) {
                for (h, w) in pairs {
                    access[h] += ratio * w;
                }
            }
            drawn.extend(catchments.into_iter().flatten());
        },
    );
    let per_home = (0..homes.len())
        .into_par_iter()
        .map(|h| over_bands(homes, h, norms, access.iter().map(|a| a[h])))
        .collect();
    (per_home, draw_catchments.then_some(drawn))
}
