//! How unequal is an outcome among children: Gini, Palma ratio and Theil T, as defined by the R
//! package `accessibility` (`gini_index()`, `palma_ratio()`, `theil_t()`).

use std::collections::BTreeMap;

use super::weighted::{order_by, usable_units, weighted_mean, ChanceRanking};

/// Gini index of `outcome` over children, from the Lorenz curve as R
/// `accessibility::gini_index()` computes it: units sorted by outcome, the Lorenz curve joins
/// (cumulative share of children, cumulative share of the outcome), and
/// `G = 1 - 2 * (area under it)`, the area summed as trapezoids
/// `(L_{k-1} + L_k) / 2 * w_k / W`. For whole-number weights this equals the Gini of the data
/// with every value repeated `weight` times, `sum |x_i - x_j| / (2 n^2 mean)`.
///
/// 0 = every child has the same outcome; approaches 1 when one child has it all. `None` without
/// children, when the outcome sums to 0, or when an outcome is negative (a Lorenz curve needs
/// non-negative values).
pub fn gini(outcome: &[f64], weights: &[f64]) -> Option<f64> {
    let usable = usable_units(&[outcome], weights);
    if usable.iter().any(|&i| outcome[i] < 0.0) {
        return None;
    }
    // Ties broken by index.
    let idx: Vec<usize> = order_by(outcome, &usable)
        .into_iter()
        .map(|k| usable[k])
        .collect();
    let children: f64 = idx.iter().map(|&i| weights[i]).sum();
    let amount: f64 = idx.iter().map(|&i| weights[i] * outcome[i]).sum();
    if children <= 0.0 || amount <= 0.0 {
        return None;
    }
    let mut below = 0.0;
    let mut area = 0.0;
    for &i in &idx {
        let before = below / amount;
        below += weights[i] * outcome[i];
        area += (before + below / amount) / 2.0 * weights[i] / children;
    }
    Some(1.0 - 2.0 * area)
}

/// Palma ratio as R `accessibility::palma_ratio()` defines it for accessibility: the
/// children-weighted **mean outcome of the children with the most chances (top 10%) over that
/// of the children with the fewest (bottom 40%)**, the groups taken by `chances` (the income
/// role), not by the outcome.
///
/// The cut points are the weighted 40% and 90% quantiles of `chances`
/// ([`interpolated_weighted_quantile`](super::interpolated_weighted_quantile), `Hmisc::wtd.quantile` as in R); the bottom group is
/// `chances <= q40`, the top group `chances > q90`. Above 1 the more privileged children are
/// better off; below 1 the outcome favours the children with fewer chances.
///
/// `None` when either group is empty (as R returns NA) or the bottom group's mean is 0.
pub fn palma_ratio(outcome: &[f64], chances: &[f64], weights: &[f64]) -> Option<f64> {
    let idx = usable_units(&[outcome, chances], weights);
    palma_ratio_ranked(
        outcome,
        chances,
        weights,
        &ChanceRanking::new(chances, weights, idx),
    )
}

/// [`palma_ratio`] over the units of `ranking` (those that count for `outcome`), ranked by
/// their chances once for every outcome.
pub(crate) fn palma_ratio_ranked(
    outcome: &[f64],
    chances: &[f64],
    weights: &[f64],
    ranking: &ChanceRanking,
) -> Option<f64> {
    let q40 = ranking.quantile(0.4)?;
    let q90 = ranking.quantile(0.9)?;
    let idx = &ranking.idx;
    let bottom: Vec<usize> = idx.iter().copied().filter(|&i| chances[i] <= q40).collect();
    let top: Vec<usize> = idx.iter().copied().filter(|&i| chances[i] > q90).collect();
    let bottom_mean = weighted_mean(outcome, weights, &bottom)?;
    let top_mean = weighted_mean(outcome, weights, &top)?;
    (bottom_mean != 0.0).then(|| top_mean / bottom_mean)
}

/// `x ln x`, continued by its limit 0 at `x = 0`.
fn x_ln_x(x: f64) -> f64 {
    if x == 0.0 {
        0.0
    } else {
        x * x.ln()
    }
}

/// Theil T of `outcome` over `idx`, with the mean given: the weighted mean of
/// `(x / mean) ln(x / mean)` (R's `calc_theil_t`).
fn theil_over(outcome: &[f64], weights: &[f64], idx: &[usize], mean: f64) -> f64 {
    let total: f64 = idx.iter().map(|&i| weights[i]).sum();
    idx.iter()
        .map(|&i| weights[i] * x_ln_x(outcome[i] / mean))
        .sum::<f64>()
        / total
}

/// Theil T index of `outcome` over children: the children-weighted mean of
/// `(x / mean) ln(x / mean)`, 0 when every child has the same outcome, at most `ln n`.
///
/// A child with outcome 0 contributes the limit `0 ln 0 = 0` (R returns NaN there, PySAL's
/// `inequality` package the same limit through a tiny offset). `None` without children, with a
/// zero mean, or with a negative outcome.
pub fn theil_t(outcome: &[f64], weights: &[f64]) -> Option<f64> {
    let idx = usable_units(&[outcome], weights);
    if idx.iter().any(|&i| outcome[i] < 0.0) {
        return None;
    }
    let mean = weighted_mean(outcome, weights, &idx)?;
    (mean > 0.0).then(|| theil_over(outcome, weights, &idx, mean))
}

/// One group's part of a Theil T decomposition.
#[derive(Clone, Debug, PartialEq)]
pub struct TheilGroup {
    /// The group label (a quintile, 1..=5).
    pub group: u8,
    /// Children in the group.
    pub children: f64,
    /// Children-weighted mean outcome of the group.
    pub mean: f64,
    /// The group's own Theil T (0 when its outcome is 0 for every child).
    pub theil_t: f64,
    /// Its term of the between-group component, `s_g ln(mean_g / mean)` with `s_g` the group's
    /// share of the total outcome (R's `between_group_component`); may be negative.
    pub between: f64,
    /// Its term of the within-group component, `s_g T_g` (R's `within_group_component`).
    pub within: f64,
}

/// Theil T with its decomposition into between- and within-group inequality.
#[derive(Clone, Debug, PartialEq)]
pub struct TheilDecomposition {
    /// Theil T over all children in a group; equals `between + within`.
    pub total: f64,
    /// Inequality between the groups' means: `sum_g (W_g / W)(m_g / m) ln(m_g / m)`.
    pub between: f64,
    /// Inequality inside the groups: `sum_g s_g T_g`, `s_g` the group's share of the outcome.
    pub within: f64,
    /// Per group, in ascending group order.
    pub groups: Vec<TheilGroup>,
}

/// Theil T decomposed by group (R `accessibility::theil_t(..., socioeconomic_groups = ...)`):
/// how much of the inequality in `outcome` lies **between** the quintiles of chances and how
/// much **within** them.
///
/// Units without a group are left out, so that `total = between + within` holds exactly. Zero
/// outcomes use the limit `0 ln 0 = 0` (see [`theil_t`]). `None` without children, with a zero
/// mean, or with a negative outcome.
pub fn theil_t_by_group(
    outcome: &[f64],
    weights: &[f64],
    groups: &[Option<u8>],
) -> Option<TheilDecomposition> {
    assert_eq!(
        groups.len(),
        weights.len(),
        "groups and weights differ in length"
    );
    let idx: Vec<usize> = usable_units(&[outcome], weights)
        .into_iter()
        .filter(|&i| groups[i].is_some())
        .collect();
    if idx.iter().any(|&i| outcome[i] < 0.0) {
        return None;
    }
    let mean = weighted_mean(outcome, weights, &idx)?;
    if mean <= 0.0 {
        return None;
    }
    let mut members: BTreeMap<u8, Vec<usize>> = BTreeMap::new();
    for &i in &idx {
        if let Some(g) = groups[i] {
            members.entry(g).or_default().push(i);
        }
    }
    let children: f64 = idx.iter().map(|&i| weights[i]).sum();
    let mut result = TheilDecomposition {
        total: theil_over(outcome, weights, &idx, mean),
        between: 0.0,
        within: 0.0,
        groups: Vec::with_capacity(members.len()),
    };
    for (group, units) in members {
        let group_children: f64 = units.iter().map(|&i| weights[i]).sum();
        let group_mean = weighted_mean(outcome, weights, &units)?;
        let share = group_children / children * group_mean / mean;
        let group_theil = if group_mean > 0.0 {
            theil_over(outcome, weights, &units, group_mean)
        } else {
            0.0
        };
        let between = group_children / children * x_ln_x(group_mean / mean);
        let within = share * group_theil;
        result.between += between;
        result.within += within;
        result.groups.push(TheilGroup {
            group,
            children: group_children,
            mean: group_mean,
            theil_t: group_theil,
            between,
            within,
        });
    }
    Some(result)
}
