//! Weighted building blocks shared by the indices: which units count, weighted means, fractional
//! ranks and weighted quantiles.

use std::cmp::Ordering;

use rayon::prelude::*;

/// Indices of the units that count: a positive, finite weight and finite values in every slice.
pub(crate) fn usable_units(values: &[&[f64]], weights: &[f64]) -> Vec<usize> {
    for v in values {
        assert_eq!(
            v.len(),
            weights.len(),
            "values and weights differ in length"
        );
    }
    (0..weights.len())
        .filter(|&i| {
            weights[i].is_finite() && weights[i] > 0.0 && values.iter().all(|v| v[i].is_finite())
        })
        .collect()
}

/// Children-weighted mean of `values` over the units `idx`; `None` without children.
pub(crate) fn weighted_mean(values: &[f64], weights: &[f64], idx: &[usize]) -> Option<f64> {
    let total: f64 = idx.iter().map(|&i| weights[i]).sum();
    if total <= 0.0 {
        return None;
    }
    Some(idx.iter().map(|&i| weights[i] * values[i]).sum::<f64>() / total)
}

/// `a` before `b` when its key is smaller; NaN never reaches here (filtered by the callers).
fn by_key(keys: &[f64]) -> impl Fn(&usize, &usize) -> Ordering + '_ {
    move |&a, &b| keys[a].total_cmp(&keys[b]).then(a.cmp(&b))
}

/// Weighted fractional rank of every unit in `idx` by `keys`, in `0..1`, returned in the order
/// of `idx`.
///
/// The rank of a unit is the share of children ranked below it plus half its own share
/// (van Doorslaer & Koolman 2004, eq. 4, as in the R package `accessibility`), so the
/// children-weighted mean rank is exactly 1/2. Units with **equal keys share one rank**, the mid
/// rank of their block: the R package instead ranks ties in row order, which makes its
/// concentration index depend on how the input happens to be sorted (every home of a
/// neighbourhood shares the neighbourhood's income). With shared ranks a set of homes gives the
/// same answer as their neighbourhoods; without ties the two definitions agree exactly.
///
/// `None` when the units hold no children.
pub(crate) fn fractional_ranks(keys: &[f64], weights: &[f64], idx: &[usize]) -> Option<Vec<f64>> {
    let total: f64 = idx.iter().map(|&i| weights[i]).sum();
    if total <= 0.0 {
        return None;
    }
    let mut order: Vec<usize> = (0..idx.len()).collect();
    let sorted_keys: Vec<f64> = idx.iter().map(|&i| keys[i]).collect();
    // The key breaks ties by index: a total order, so an unstable parallel sort is exact.
    order.par_sort_unstable_by(by_key(&sorted_keys));
    let mut ranks = vec![0.0; idx.len()];
    let mut below = 0.0;
    let mut start = 0;
    while start < order.len() {
        let key = sorted_keys[order[start]];
        let end = start + order[start..].partition_point(|&k| sorted_keys[k] == key);
        let block: f64 = order[start..end].iter().map(|&k| weights[idx[k]]).sum();
        let rank = (below + block / 2.0) / total;
        for &k in &order[start..end] {
            ranks[k] = rank;
        }
        below += block;
        start = end;
    }
    Some(ranks)
}

/// Weighted quantile exactly as `Hmisc::wtd.quantile(x, weights, probs, type = "quantile")`,
/// which the R package `accessibility` uses for the Palma ratio's 40% and 90% cut points.
/// Distances use the other, stepwise definition,
/// [`lower_weighted_quantile`](crate::measures::distribution::lower_weighted_quantile) (the
/// reason for two is given there).
///
/// Weights act as frequencies: with `n` = total weight, the quantile at `p` interpolates between
/// the order statistics `floor(1 + (n - 1) p)` and the next one, where the order statistic `k`
/// is the smallest value whose cumulative weight reaches `k` (R's
/// `approx(cumsum(w), x, method = "constant", f = 1, rule = 2)`). With whole-number weights this
/// is R's default `quantile()` (type 7) of the data with every value repeated `weight` times.
///
/// Units with a non-positive or non-finite weight or a NaN value are ignored; `None` when none
/// is left or `p` is outside `0..=1`.
pub fn interpolated_weighted_quantile(values: &[f64], weights: &[f64], p: f64) -> Option<f64> {
    if !(0.0..=1.0).contains(&p) {
        return None;
    }
    let idx = usable_units(&[values], weights);
    if idx.is_empty() {
        return None;
    }
    let mut order = idx;
    order.par_sort_unstable_by(by_key(values));
    // Distinct values with their summed weights (Hmisc's wtd.table).
    let mut distinct: Vec<f64> = Vec::new();
    let mut cumulative: Vec<f64> = Vec::new();
    let mut running = 0.0;
    for &i in &order {
        running += weights[i];
        if distinct.last() == Some(&values[i]) {
            *cumulative.last_mut().expect("pushed with distinct") = running;
        } else {
            distinct.push(values[i]);
            cumulative.push(running);
        }
    }
    let n = running;
    let order_stat = |k: f64| -> f64 {
        let pos = cumulative.partition_point(|&c| c < k);
        distinct[pos.min(distinct.len() - 1)]
    };
    let position = 1.0 + (n - 1.0) * p;
    let low = position.floor().max(1.0);
    let high = (low + 1.0).min(n);
    let fraction = position.rem_euclid(1.0);
    Some((1.0 - fraction) * order_stat(low) + fraction * order_stat(high))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_share_mid_rank_on_ties() {
        // keys 1, 2, 2, 3 with weights 1, 1, 2, 4 (total 8):
        // key 1: (0 + 1/2)/8 = 0.0625; keys 2 (block weight 3): (1 + 1.5)/8 = 0.3125;
        // key 3: (4 + 2)/8 = 0.75.
        let r =
            fractional_ranks(&[2.0, 1.0, 3.0, 2.0], &[1.0, 1.0, 4.0, 2.0], &[0, 1, 2, 3]).unwrap();
        assert_eq!(r, vec![0.3125, 0.0625, 0.75, 0.3125]);
    }

    #[test]
    fn quantile_matches_type7_of_repeated_values() {
        // Values 10, 20, 30 with weights 1, 2, 1 = data 10, 20, 20, 30 (n = 4).
        // p = 0.4: position 1 + 3 * 0.4 = 2.2 -> 0.8 * x(2) + 0.2 * x(3) = 0.8*20 + 0.2*20 = 20.
        // p = 0.9: position 3.7 -> 0.3 * x(3) + 0.7 * x(4) = 6 + 21 = 27.
        // p = 0.1: position 1.3 -> 0.7 * 10 + 0.3 * 20 = 13.
        let v = [30.0, 10.0, 20.0];
        let w = [1.0, 1.0, 2.0];
        assert!((interpolated_weighted_quantile(&v, &w, 0.4).unwrap() - 20.0).abs() < 1e-12);
        assert!((interpolated_weighted_quantile(&v, &w, 0.9).unwrap() - 27.0).abs() < 1e-12);
        assert!((interpolated_weighted_quantile(&v, &w, 0.1).unwrap() - 13.0).abs() < 1e-12);
        assert_eq!(interpolated_weighted_quantile(&v, &w, 0.0), Some(10.0));
        assert_eq!(interpolated_weighted_quantile(&v, &w, 1.0), Some(30.0));
        assert_eq!(interpolated_weighted_quantile(&v, &w, 1.5), None);
        assert_eq!(interpolated_weighted_quantile(&[], &[], 0.5), None);
    }
}
