//! Children-weighted quantiles of distances.

use rayon::prelude::*;

/// The weighted quantile `q` (0..1) of `(value, weight)` pairs: the smallest value whose
/// cumulative weight (values sorted ascending, ties in any order) reaches `q` of the total.
///
/// Pairs with weight 0 do not count; `None` when no weight remains. A relative tolerance of
/// 1e-12 on the running sum keeps equal weights (children shared equally over a
/// neighbourhood's homes) from missing an exact half by a rounding error.
///
/// ```
/// use kindscape::measures::distribution::weighted_quantile;
/// // Weights 1, 1, 2 at 10, 20, 30 m: half the weight (2) is reached at 20 m.
/// let mut pairs = vec![(30.0, 2.0), (10.0, 1.0), (20.0, 1.0)];
/// assert_eq!(weighted_quantile(&mut pairs, 0.5), Some(20.0));
/// assert_eq!(weighted_quantile(&mut pairs, 0.9), Some(30.0));
/// ```
pub fn weighted_quantile(pairs: &mut [(f64, f64)], q: f64) -> Option<f64> {
    weighted_quantiles(pairs, &[q])[0]
}

/// [`weighted_quantile`] for several `qs` at once (one sort); one answer per `q`.
///
/// The pairs are sorted by value, then weight: a total order, so the running sums (and the
/// answers) are the same whatever the sort algorithm or the thread count.
pub fn weighted_quantiles(pairs: &mut [(f64, f64)], qs: &[f64]) -> Vec<Option<f64>> {
    let total: f64 = pairs.iter().filter(|p| p.1 > 0.0).map(|p| p.1).sum();
    if total <= 0.0 {
        return vec![None; qs.len()];
    }
    pairs.par_sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    qs.iter()
        .map(|q| {
            let target = q * total * (1.0 - 1e-12);
            let mut cum = 0.0;
            let mut last = None;
            for (v, w) in pairs.iter().filter(|p| p.1 > 0.0) {
                cum += w;
                last = Some(*v);
                if cum >= target {
                    return Some(*v);
                }
            }
            last
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_quantiles() {
        // Ten homes of equal weight at 1..10 m: the median is 5 (cumulative 5/10 = 0.5 at 5),
        // the 90th percentile 9.
        let mut p: Vec<(f64, f64)> = (1..=10).map(|i| (i as f64, 0.1)).collect();
        assert_eq!(weighted_quantile(&mut p, 0.5), Some(5.0));
        assert_eq!(weighted_quantile(&mut p, 0.9), Some(9.0));
        // Zero weights are ignored; no weight at all gives None.
        let mut p = vec![(1.0, 0.0), (7.0, 3.0)];
        assert_eq!(weighted_quantile(&mut p, 0.5), Some(7.0));
        assert_eq!(weighted_quantile(&mut [(1.0, 0.0)], 0.5), None);
        // Unreachable homes sort last.
        let mut p = vec![(f64::INFINITY, 1.0), (3.0, 1.0)];
        assert_eq!(weighted_quantile(&mut p, 0.5), Some(3.0));
        assert_eq!(weighted_quantile(&mut p, 0.9), Some(f64::INFINITY));
        assert_eq!(
            weighted_quantiles(&mut p, &[0.5, 0.9, 0.0]),
            vec![Some(3.0), Some(f64::INFINITY), Some(3.0)]
        );
    }
}
