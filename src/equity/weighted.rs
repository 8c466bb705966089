//! Weighted building blocks shared by the indices: which units count, weighted means, fractional
//! ranks and weighted quantiles.

use rayon::prelude::*;

use crate::measures::distribution::total_order_bits;

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

/// The positions in `idx` ordered by the units' `keys` (`f64::total_cmp`), ties by position.
///
/// Sorted as pairs of the key's bits (ordered as `total_cmp` orders the numbers) and the
/// position: two integers compared in place, where comparing through `keys[idx[..]]` missed the
/// cache on every comparison of a million homes. The pairs are all distinct, so an unstable
/// parallel sort is exact.
pub(crate) fn order_by(keys: &[f64], idx: &[usize]) -> Vec<usize> {
    let mut pairs: Vec<(u64, u32)> = idx
        .iter()
        .enumerate()
        .map(|(k, &i)| (total_order_bits(keys[i]), k as u32))
        .collect();
    pairs.par_sort_unstable();
    pairs.into_iter().map(|(_, k)| k as usize).collect()
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
    ranks_in_order(keys, weights, idx, &order_by(keys, idx))
}

/// [`fractional_ranks`] with the positions in `idx` already in key order ([`order_by`]).
fn ranks_in_order(
    keys: &[f64],
    weights: &[f64],
    idx: &[usize],
    order: &[usize],
) -> Option<Vec<f64>> {
    let total: f64 = idx.iter().map(|&i| weights[i]).sum();
    if total <= 0.0 {
        return None;
    }
    let key_at = |k: usize| keys[idx[k]];
    let mut ranks = vec![0.0; idx.len()];
    let mut below = 0.0;
    let mut start = 0;
    while start < order.len() {
        let key = key_at(order[start]);
        let end = start + order[start..].partition_point(|&k| key_at(k) == key);
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

/// The units that count for an outcome, ranked once by their chances: what the concentration
/// indices (fractional ranks) and the Palma ratio (cut points) of every outcome over the same
/// units share, so that a study's five outcomes sort a million homes once, not twenty times.
pub(crate) struct ChanceRanking {
    /// The units, ascending.
    pub idx: Vec<usize>,
    /// Fractional rank of each unit of `idx` ([`fractional_ranks`]); `None` without children.
    pub ranks: Option<Vec<f64>>,
    /// The chances' weighted table, for their quantiles.
    table: WeightedTable,
}

impl ChanceRanking {
    /// Ranks the units `idx` (ascending, each with a positive weight and finite chances).
    pub fn new(chances: &[f64], weights: &[f64], idx: Vec<usize>) -> ChanceRanking {
        let order = order_by(chances, &idx);
        let ranks = ranks_in_order(chances, weights, &idx, &order);
        let table = WeightedTable::of(chances, weights, order.iter().map(|&k| idx[k]));
        ChanceRanking { idx, ranks, table }
    }

    /// [`interpolated_weighted_quantile`] of the chances over the units.
    pub fn quantile(&self, p: f64) -> Option<f64> {
        self.table.quantile(p)
    }
}

/// Distinct values in ascending order with their cumulative weights (Hmisc's `wtd.table`).
struct WeightedTable {
    distinct: Vec<f64>,
    cumulative: Vec<f64>,
}

impl WeightedTable {
    /// The table of the units `in_order` (ascending by value).
    fn of(values: &[f64], weights: &[f64], in_order: impl Iterator<Item = usize>) -> Self {
        let mut distinct: Vec<f64> = Vec::new();
        let mut cumulative: Vec<f64> = Vec::new();
        let mut running = 0.0;
        for i in in_order {
            running += weights[i];
            if distinct.last() == Some(&values[i]) {
                *cumulative.last_mut().expect("pushed with distinct") = running;
            } else {
                distinct.push(values[i]);
                cumulative.push(running);
            }
        }
        WeightedTable {
            distinct,
            cumulative,
        }
    }

    /// The interpolated quantile at `p` (see [`interpolated_weighted_quantile`]).
    fn quantile(&self, p: f64) -> Option<f64> {
        let (distinct, cumulative) = (&self.distinct, &self.cumulative);
        if !(0.0..=1.0).contains(&p) || distinct.is_empty() {
            return None;
        }
        let n = *cumulative.last().expect("not empty");
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
    let order = order_by(values, &idx);
    WeightedTable::of(values, weights, order.iter().map(|&k| idx[k])).quantile(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The ranks as they were computed before [`order_by`]: positions sorted through the keys.
    fn ranks_by_comparison(keys: &[f64], weights: &[f64], idx: &[usize]) -> Option<Vec<f64>> {
        let total: f64 = idx.iter().map(|&i| weights[i]).sum();
        if total <= 0.0 {
            return None;
        }
        let mut order: Vec<usize> = (0..idx.len()).collect();
        let sorted_keys: Vec<f64> = idx.iter().map(|&i| keys[i]).collect();
        order.sort_by(|&a, &b| sorted_keys[a].total_cmp(&sorted_keys[b]).then(a.cmp(&b)));
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

    /// The quantile as it was computed before [`WeightedTable`]: units sorted through the values.
    fn quantile_by_comparison(values: &[f64], weights: &[f64], p: f64) -> Option<f64> {
        if !(0.0..=1.0).contains(&p) {
            return None;
        }
        let mut order = usable_units(&[values], weights);
        if order.is_empty() {
            return None;
        }
        order.sort_by(|&a, &b| values[a].total_cmp(&values[b]).then(a.cmp(&b)));
        let (mut distinct, mut cumulative): (Vec<f64>, Vec<f64>) = (Vec::new(), Vec::new());
        let mut running = 0.0;
        for &i in &order {
            running += weights[i];
            if distinct.last() == Some(&values[i]) {
                *cumulative.last_mut().unwrap() = running;
            } else {
                distinct.push(values[i]);
                cumulative.push(running);
            }
        }
        let n = running;
        let order_stat = |k: f64| {
            let pos = cumulative.partition_point(|&c| c < k);
            distinct[pos.min(distinct.len() - 1)]
        };
        let position = 1.0 + (n - 1.0) * p;
        let low = position.floor().max(1.0);
        let high = (low + 1.0).min(n);
        let fraction = position.rem_euclid(1.0);
        Some((1.0 - fraction) * order_stat(low) + fraction * order_stat(high))
    }

    /// Keys with many ties, both zeros, negatives, infinities and NaN; weights with zeros.
    fn units() -> impl Strategy<Value = Vec<(f64, f64)>> {
        proptest::collection::vec(
            (
                prop_oneof![
                    (-6i32..6).prop_map(|v| v as f64 * 0.7),
                    Just(-0.0),
                    Just(f64::INFINITY),
                    Just(f64::NEG_INFINITY),
                    Just(f64::NAN),
                    -1e6f64..1e6,
                ],
                prop_oneof![
                    Just(0.0),
                    (1u32..9).prop_map(|w| w as f64 / 3.0),
                    0.0f64..50.0
                ],
            ),
            0..200,
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]
        #[test]
        fn ranks_and_quantiles_equal_sorting_by_comparison(
            units in units(),
            p in prop_oneof![Just(0.0), Just(0.4), Just(0.9), Just(1.0), 0.0f64..1.0],
        ) {
            let (keys, weights): (Vec<f64>, Vec<f64>) = units.into_iter().unzip();
            let idx = usable_units(&[&keys], &weights);
            let expected = ranks_by_comparison(&keys, &weights, &idx);
            prop_assert_eq!(&fractional_ranks(&keys, &weights, &idx), &expected);
            let q = quantile_by_comparison(&keys, &weights, p);
            // Bit for bit (NaN never comes out: units with NaN do not count).
            let bits = |x: Option<f64>| x.map(f64::to_bits);
            prop_assert_eq!(bits(interpolated_weighted_quantile(&keys, &weights, p)), bits(q));
            let ranking = ChanceRanking::new(&keys, &weights, idx);
            prop_assert_eq!(&ranking.ranks, &expected);
            prop_assert_eq!(bits(ranking.quantile(p)), bits(q));
        }

        #[test]
        fn order_by_orders_as_total_cmp_then_position(units in units()) {
            let keys: Vec<f64> = units.iter().map(|u| u.0).collect();
            let idx: Vec<usize> = (0..keys.len()).filter(|i| i % 3 != 1).collect();
            let mut expected: Vec<usize> = (0..idx.len()).collect();
            expected.sort_by(|&a, &b| keys[idx[a]].total_cmp(&keys[idx[b]]).then(a.cmp(&b)));
            prop_assert_eq!(order_by(&keys, &idx), expected);
        }
    }

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
