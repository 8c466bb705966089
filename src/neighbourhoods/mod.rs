//! Figures per neighbourhood: children-weighted coverage, distances, score and gaps.

pub mod coverage;

use crate::measures::coverage::Coverage;
use crate::measures::distribution::lower_weighted_quantiles;
use crate::measures::score::weighted_mean;
use crate::measures::HomeMeasures;
use crate::reach::Distances;
use crate::scene::Scene;
use crate::study::{BandNorm, Norms};

/// Figures of one amenity kind in one neighbourhood.
#[derive(Debug, Clone, Default)]
pub struct KindFigures {
    /// Share of all children within their own band's norm (straight line).
    pub coverage: Option<f64>,
    /// Per norm band, in the order of the kind's norms.
    pub coverage_bands: Vec<Option<f64>>,
    pub net_coverage: Option<f64>,
    pub net_coverage_bands: Vec<Option<f64>>,
    /// Children-weighted median and 90th percentile (network distance when there is one).
    pub median_m: Option<f64>,
    pub p90_m: Option<f64>,
    /// Median of network / straight-line distance over the children.
    pub detour: Option<f64>,
}

/// Everything `neighbourhoods.csv` says of one neighbourhood.
#[derive(Debug, Clone, Default)]
pub struct NeighbourhoodFigures {
    pub homes: usize,
    pub children: f64,
    /// Per kind, in scene order.
    pub kinds: Vec<KindFigures>,
    pub score: Option<f64>,
    /// Children outside the focus kind's norm (network distance when there is one).
    pub gap_children: f64,
    pub play_area_m2: Option<f64>,
    pub play_area_share: Option<f64>,
    pub play_m2_per_child: Option<f64>,
    pub priority_rank: Option<usize>,
}

/// The children of a group of homes, summed in their order.
pub fn children_of(scene: &Scene, homes: &[usize]) -> f64 {
    homes.iter().map(|&h| scene.homes.total_children(h)).sum()
}

/// Homes of each neighbourhood, by index.
pub fn homes_by_neighbourhood(scene: &Scene) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new(); scene.neighbourhoods.len()];
    for (h, nb) in scene.homes.neighbourhood.iter().enumerate() {
        if let Some(n) = nb {
            out[*n as usize].push(h);
        }
    }
    out
}

/// Aggregates every neighbourhood. `measured` names the kinds whose figures are computed (by
/// position in the scene; `None`: every kind); the others are left empty (a scenario takes them
/// from the base study, which it does not change).
pub fn aggregate(
    norms: &Norms,
    focus_kind: &str,
    scene: &Scene,
    distances: &Distances,
    measures: &HomeMeasures,
    measured: Option<&[usize]>,
) -> Vec<NeighbourhoodFigures> {
    use rayon::prelude::*;
    homes_by_neighbourhood(scene)
        .par_iter()
        .map(|homes| {
            figures(
                norms, focus_kind, scene, distances, measures, homes, measured,
            )
        })
        .collect()
}

/// The same figures over every home inside some neighbourhood: the study area as a whole
/// (`measured` as in [`aggregate`]).
pub fn study_area(
    norms: &Norms,
    focus_kind: &str,
    scene: &Scene,
    distances: &Distances,
    measures: &HomeMeasures,
    measured: Option<&[usize]>,
) -> NeighbourhoodFigures {
    let homes: Vec<usize> = (0..scene.homes.len())
        .filter(|h| scene.homes.neighbourhood[*h].is_some())
        .collect();
    figures(
        norms, focus_kind, scene, distances, measures, &homes, measured,
    )
}

/// Per home and band with children reached over the network, the ratio of its network to its
/// straight-line distance (`distance(home, band)` gives both), with the children as weight;
/// a home's bands with the same ratio (one straight line, often one walk) as one pair of their
/// summed children, as the distances are.
fn detours(
    norms: &[&BandNorm],
    homes: &[usize],
    scene: &Scene,
    distance: impl Fn(usize, usize) -> (f64, f64),
) -> Vec<(f64, f64)> {
    let mut ratios = Vec::with_capacity(homes.len());
    for &h in homes {
        let children = scene.homes.children_of(h);
        let first = ratios.len();
        for (b, bn) in norms.iter().enumerate() {
            let w = bn.children(children);
            if w <= 0.0 {
                continue;
            }
            let (s, d) = distance(h, b);
            if s > 0.0 && s.is_finite() && d.is_finite() {
                let r = d / s;
                match ratios[first..]
                    .iter_mut()
                    .find(|p: &&mut (f64, f64)| p.0 == r)
                {
                    Some(p) => p.1 += w,
                    None => ratios.push((r, w)),
                }
            }
        }
    }
    ratios
}

/// Figures over a group of homes (`measured` as in [`aggregate`]).
pub fn figures(
    norms: &Norms,
    focus_kind: &str,
    scene: &Scene,
    distances: &Distances,
    measures: &HomeMeasures,
    homes: &[usize],
    measured: Option<&[usize]>,
) -> NeighbourhoodFigures {
    let focus = crate::measures::gaps::focus_index(focus_kind, scene);
    // One kind at a time: [`aggregate`] already runs the neighbourhoods side by side, and over
    // the study area each kind holds a distance pair per home and band (48 bytes a home).
    let kinds = scene
        .amenities
        .iter()
        .enumerate()
        .map(|(k, kind)| {
            if measured.is_some_and(|m| !m.contains(&k)) {
                return KindFigures::default();
            }
            let norms: Vec<&BandNorm> = norms.kinds[&kind.kind].bands.iter().collect();
            // Each band's distances looked up once, not per home.
            let straight: Vec<&[f64]> = (0..norms.len())
                .map(|b| distances.judged_straight_column(k, b))
                .collect();
            let judged: Vec<&[f64]> = norms
                .iter()
                .enumerate()
                .map(|(b, bn)| distances.judged_column(k, b, bn))
                .collect();
            let network = distances.has_network();
            // One pass over the homes: coverage over all bands and per band, straight and
            // network, and one distance pair per home and distinct distance (the bands of a
            // home share one straight line, and often one network distance).
            let (mut all, mut all_net) = (Coverage::default(), Coverage::default());
            let mut bands = vec![Coverage::default(); norms.len()];
            let mut bands_net = vec![Coverage::default(); norms.len()];
            let mut pairs: Vec<(f64, f64)> = Vec::with_capacity(homes.len());
            for &h in homes {
                let children = scene.homes.children_of(h);
                let first = pairs.len();
                for (b, bn) in norms.iter().enumerate() {
                    let s = straight[b][h];
                    let w = bn.children(children);
                    let d = judged[b][h];
                    all.add(w, s <= bn.metres);
                    bands[b].add(w, s <= bn.metres);
                    if network {
                        all_net.add(w, d <= bn.metres);
                        bands_net[b].add(w, d <= bn.metres);
                    }
                    if w <= 0.0 {
                        continue;
                    }
                    match pairs[first..].iter_mut().find(|p| p.0 == d) {
                        Some(p) => p.1 += w,
                        None => pairs.push((d, w)),
                    }
                }
            }
            let quantiles = lower_weighted_quantiles(&mut pairs, &[0.5, 0.9]);
            // The detours are gathered only once the distances are freed: over the study area
            // both lists at once were 96 bytes a home per kind in flight.
            drop(pairs);
            let mut f = KindFigures {
                coverage: all.share(),
                coverage_bands: bands.iter().map(|t| t.share()).collect(),
                median_m: quantiles[0],
                p90_m: quantiles[1],
                ..Default::default()
            };
            if network {
                f.net_coverage = all_net.share();
                f.net_coverage_bands = bands_net.iter().map(|t| t.share()).collect();
                let mut ratios =
                    detours(&norms, homes, scene, |h, b| (straight[b][h], judged[b][h]));
                f.detour = lower_weighted_quantiles(&mut ratios, &[0.5])[0];
            }
            f
        })
        .collect();
    let children = children_of(scene, homes);
    let score = weighted_mean(
        homes
            .iter()
            .map(|&h| (measures.score[h], scene.homes.total_children(h))),
    )
    .or_else(|| weighted_mean(homes.iter().map(|&h| (measures.score[h], 1.0))));
    let gap_children = focus
        .map(|k| {
            let bands = &norms.kinds[&scene.amenities[k].kind].bands;
            let judged: Vec<&[f64]> = bands
                .iter()
                .enumerate()
                .map(|(b, bn)| distances.judged_column(k, b, bn))
                .collect();
            let mut gap = 0.0;
            for &h in homes {
                let children = scene.homes.children_of(h);
                for (bn, judged) in bands.iter().zip(&judged) {
                    if judged[h] > bn.metres {
                        gap += bn.children(children);
                    }
                }
            }
            gap
        })
        .unwrap_or(0.0);
    let play_m2_per_child = measures
        .play_m2_per_child
        .as_ref()
        .and_then(|p| weighted_mean(homes.iter().map(|&h| (p[h], scene.homes.total_children(h)))));
    NeighbourhoodFigures {
        homes: homes.len(),
        children,
        kinds,
        score,
        gap_children,
        play_m2_per_child,
        ..Default::default()
    }
}
