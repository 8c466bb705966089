//! Children-weighted quantiles of distances.

/// The lower weighted quantile `q` (0..1) of `(value, weight)` pairs: the smallest value whose
/// cumulative weight (values sorted ascending, ties in any order) reaches `q` of the total.
///
/// One of the crate's two weighted quantiles, on purpose. Distances (median and 90th percentile
/// per kind, the detour ratio) use this step definition: the answer is a distance some child
/// actually lives at, never a value between two homes, and it is found by selection over
/// millions of pairs. The equity indices use
/// [`interpolated_weighted_quantile`](crate::equity::interpolated_weighted_quantile) (R's type
/// 7, as `Hmisc::wtd.quantile`), because the Palma ratio's cut points must match the R package
/// `accessibility` they are checked against.
///
/// Pairs with weight 0 do not count; `None` when no weight remains. A relative tolerance of
/// 1e-12 on the running sum keeps equal weights (children shared equally over a
/// neighbourhood's homes) from missing an exact half by a rounding error.
///
/// ```
/// use kindscape::measures::distribution::lower_weighted_quantile;
/// // Weights 1, 1, 2 at 10, 20, 30 m: half the weight (2) is reached at 20 m.
/// let mut pairs = vec![(30.0, 2.0), (10.0, 1.0), (20.0, 1.0)];
/// assert_eq!(lower_weighted_quantile(&mut pairs, 0.5), Some(20.0));
/// assert_eq!(lower_weighted_quantile(&mut pairs, 0.9), Some(30.0));
/// ```
pub fn lower_weighted_quantile(pairs: &mut [(f64, f64)], q: f64) -> Option<f64> {
    lower_weighted_quantiles(pairs, &[q])[0]
}

/// [`lower_weighted_quantile`] for several `qs` at once; one answer per `q`. Reorders `pairs`.
///
/// Each quantile is found by selection (a three-way quickselect on the values, expected linear
/// time), not by sorting: a study area of a million homes per kind was a sort of a million
/// pairs per kind. Sequential and with fixed pivots, so the answer is the same whatever the
/// thread count.
pub fn lower_weighted_quantiles(pairs: &mut [(f64, f64)], qs: &[f64]) -> Vec<Option<f64>> {
    // Pairs of weight 0 (or not a number) do not count: moved behind the others.
    let mut kept = 0;
    for i in 0..pairs.len() {
        if pairs[i].1 > 0.0 {
            pairs.swap(kept, i);
            kept += 1;
        }
    }
    let weighted = &mut pairs[..kept];
    let total: f64 = weighted.iter().map(|p| p.1).sum();
    if total <= 0.0 {
        return vec![None; qs.len()];
    }
    qs.iter()
        .map(|q| select(weighted, q * total * (1.0 - 1e-12)))
        .collect()
}

/// The smallest value whose weight, with that of every smaller value, reaches `target`; the
/// largest value when none does. All weights are > 0.
fn select(mut pairs: &mut [(f64, f64)], mut target: f64) -> Option<f64> {
    let by_value = |a: &(f64, f64), b: &(f64, f64)| a.0.total_cmp(&b.0);
    if target <= 0.0 {
        return pairs.iter().min_by(|a, b| by_value(a, b)).map(|p| p.0);
    }
    loop {
        if pairs.len() <= 16 {
            pairs.sort_unstable_by(by_value);
            let mut cum = 0.0;
            for (v, w) in pairs.iter() {
                cum += w;
                if cum >= target {
                    return Some(*v);
                }
            }
            return pairs.last().map(|p| p.0);
        }
        let pivot = median_of_three(
            pairs[0].0,
            pairs[pairs.len() / 2].0,
            pairs[pairs.len() - 1].0,
        );
        let (less, equal) = partition(pairs, pivot);
        let below: f64 = pairs[..less].iter().map(|p| p.1).sum();
        if below >= target {
            pairs = &mut pairs[..less];
            continue;
        }
        let at: f64 = pairs[less..less + equal].iter().map(|p| p.1).sum();
        if below + at >= target || less + equal == pairs.len() {
            return Some(pivot);
        }
        target -= below + at;
        pairs = &mut pairs[less + equal..];
    }
}

fn median_of_three(a: f64, b: f64, c: f64) -> f64 {
    let mut v = [a, b, c];
    v.sort_unstable_by(f64::total_cmp);
    v[1]
}

/// Reorders `pairs` as values below `pivot`, equal to it, above it; returns the first two
/// counts (Dijkstra's three-way partition).
fn partition(pairs: &mut [(f64, f64)], pivot: f64) -> (usize, usize) {
    use std::cmp::Ordering;
    let (mut lt, mut i, mut gt) = (0, 0, pairs.len());
    while i < gt {
        match pairs[i].0.total_cmp(&pivot) {
            Ordering::Less => {
                pairs.swap(lt, i);
                lt += 1;
                i += 1;
            }
            Ordering::Equal => i += 1,
            Ordering::Greater => {
                gt -= 1;
                pairs.swap(i, gt);
            }
        }
    }
    (lt, gt - lt)
}

/// The largest 1, 2 or 5 x 10^n not above `max` (a histogram's bin, a scale bar's length).
pub fn round_length(max: f64) -> f64 {
    if !(max.is_finite() && max > 0.0) {
        return 1.0;
    }
    let p = 10f64.powf(max.log10().floor());
    [5.0, 2.0, 1.0]
        .iter()
        .map(|m| m * p)
        .find(|l| *l <= max * (1.0 + 1e-9))
        .unwrap_or(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The definition itself: sort, then run up the weights.
    fn by_sorting(pairs: &[(f64, f64)], q: f64) -> Option<f64> {
        let mut sorted: Vec<(f64, f64)> = pairs.iter().copied().filter(|p| p.1 > 0.0).collect();
        let total: f64 = sorted.iter().map(|p| p.1).sum();
        if total <= 0.0 {
            return None;
        }
        sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
        let target = q * total * (1.0 - 1e-12);
        let mut cum = 0.0;
        for (v, w) in &sorted {
            cum += w;
            if cum >= target {
                return Some(*v);
            }
        }
        sorted.last().map(|p| p.0)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn selection_equals_sorting(
            // Few distinct values and weights (many ties), some weights 0, some unreachable.
            pairs in proptest::collection::vec(
                (prop_oneof![(0u32..40).prop_map(|v| v as f64 * 12.5), Just(f64::INFINITY)],
                 prop_oneof![Just(0.0), (1u32..5).prop_map(|w| w as f64 * 0.25)]),
                0..300),
            q in prop_oneof![Just(0.0), Just(0.5), Just(0.9), Just(1.0), 0.0f64..1.0],
        ) {
            let expected = by_sorting(&pairs, q);
            let mut shuffled = pairs.clone();
            prop_assert_eq!(lower_weighted_quantiles(&mut shuffled, &[q, 0.5]), vec![expected, by_sorting(&pairs, 0.5)]);
        }
    }

    #[test]
    fn hand_computed_quantiles() {
        // Ten homes of equal weight at 1..10 m: the median is 5 (cumulative 5/10 = 0.5 at 5),
        // the 90th percentile 9.
        let mut p: Vec<(f64, f64)> = (1..=10).map(|i| (i as f64, 0.1)).collect();
        assert_eq!(lower_weighted_quantile(&mut p, 0.5), Some(5.0));
        assert_eq!(lower_weighted_quantile(&mut p, 0.9), Some(9.0));
        // Zero weights are ignored; no weight at all gives None.
        let mut p = vec![(1.0, 0.0), (7.0, 3.0)];
        assert_eq!(lower_weighted_quantile(&mut p, 0.5), Some(7.0));
        assert_eq!(lower_weighted_quantile(&mut [(1.0, 0.0)], 0.5), None);
        // Unreachable homes sort last.
        let mut p = vec![(f64::INFINITY, 1.0), (3.0, 1.0)];
        assert_eq!(lower_weighted_quantile(&mut p, 0.5), Some(3.0));
        assert_eq!(lower_weighted_quantile(&mut p, 0.9), Some(f64::INFINITY));
        assert_eq!(
            lower_weighted_quantiles(&mut p, &[0.5, 0.9, 0.0]),
            vec![Some(3.0), Some(f64::INFINITY), Some(3.0)]
        );
    }
}
