//! Concentration index: is an outcome (coverage, score) concentrated among the children with
//! more chances?

use super::weighted::{usable_units, weighted_mean, ChanceRanking};

/// Which concentration index, as `type` in R `accessibility::concentration_index()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConcentrationType {
    /// The standard relative index (Kakwani, Wagstaff & van Doorslaer 1997):
    /// `CI = 2 cov_w(h, R) / mean_w(h)`.
    Standard,
    /// Erreygers' (2009) corrected index: `E = 8 cov_w(h, R) / (max h - min h)`, i.e. the
    /// standard index times `4 mean_w(h) / (max h - min h)` (the R package's
    /// `correction_factor`, from Erreygers' equations 24 and 27). Like the R package it uses the
    /// observed minimum and maximum of the outcome, not its theoretical bounds.
    Corrected,
}

/// Concentration index of `outcome` over children ranked by `chances` (higher = more chances;
/// see [`super::chances`]), each unit weighted by its children.
///
/// With `R` the weighted fractional rank by `chances` (share of children with fewer chances plus
/// half the unit's own share) and `w` the children's shares, the R package computes
/// `2 * sum(w * (h - mean_h) * (R - 1/2)) / mean_h` for `"standard"` and the same sum times
/// `4 mean_h / (max h - min h)` for `"corrected"`; `sum(w (h - mean_h)(R - 1/2))` is
/// `cov_w(h, R)` because the weighted mean rank is exactly 1/2.
///
/// Ranges from -1 to +1: **negative = the outcome is concentrated among children with fewer
/// chances** (pro-poor), positive = among those with more chances (pro-rich), 0 = no
/// socioeconomic gradient.
///
/// Ties in `chances` share one rank (their block's mid rank), so homes that inherit their
/// neighbourhood's income give the same index as the neighbourhoods themselves; R ranks ties by
/// row order, and the two agree whenever there are no ties.
///
/// `None` when no unit has children, the standard index's mean is 0, or the corrected index's
/// outcome is constant.
///
/// ```
/// use kindscape::equity::{concentration_index, ConcentrationType};
/// // Coverage 0.2 among the poorer half of the children, 0.8 among the richer half.
/// let ci = concentration_index(&[0.2, 0.8], &[15_000.0, 40_000.0], &[50.0, 50.0],
///                              ConcentrationType::Standard).unwrap();
/// assert!((ci - 0.3).abs() < 1e-12);
/// ```
pub fn concentration_index(
    outcome: &[f64],
    chances: &[f64],
    weights: &[f64],
    kind: ConcentrationType,
) -> Option<f64> {
    let idx = usable_units(&[outcome, chances], weights);
    concentration_index_ranked(
        outcome,
        weights,
        &ChanceRanking::new(chances, weights, idx),
        kind,
    )
}

/// [`concentration_index`] over the units of `ranking` (those that count for `outcome`), ranked
/// by their chances once for every outcome.
pub(crate) fn concentration_index_ranked(
    outcome: &[f64],
    weights: &[f64],
    ranking: &ChanceRanking,
    kind: ConcentrationType,
) -> Option<f64> {
    let idx = &ranking.idx;
    let mean = weighted_mean(outcome, weights, idx)?;
    let ranks = ranking.ranks.as_ref()?;
    let total: f64 = idx.iter().map(|&i| weights[i]).sum();
    let covariance: f64 = idx
        .iter()
        .zip(ranks)
        .map(|(&i, &rank)| weights[i] / total * (outcome[i] - mean) * (rank - 0.5))
        .sum();
    match kind {
        ConcentrationType::Standard => (mean != 0.0).then(|| 2.0 * covariance / mean),
        ConcentrationType::Corrected => {
            let (low, high) = idx
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &i| {
                    (lo.min(outcome[i]), hi.max(outcome[i]))
                });
            (high > low).then(|| 8.0 * covariance / (high - low))
        }
    }
}
