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
/// time, after a histogram of the values has narrowed a large list down to one bucket), not by
/// sorting: a study area of a million homes per kind was a sort of a million pairs per kind.
/// Sequential and with fixed pivots, so the answer is the same whatever the thread count.
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
    let targets: Vec<f64> = qs.iter().map(|q| q * total * (1.0 - 1e-12)).collect();
    if weighted.len() >= HISTOGRAM_FROM {
        return select_by_histogram(weighted, &targets);
    }
    select_all(weighted, &targets)
}

/// Pairs from which [`lower_weighted_quantiles`] first narrows each quantile down to one bucket
/// of a histogram (a study area's million homes); fewer go straight to quickselect.
const HISTOGRAM_FROM: usize = 1 << 15;

/// Leading bits of a value that name its histogram bucket: the sign, the exponent and 4 bits of
/// the mantissa, so that each doubling of distance spans 16 buckets.
const BUCKET_BITS: u32 = 16;

/// [`select`] for every target at once (all > 0 or not, all weights > 0): one pass sums the
/// weights per bucket of the values' leading bits (buckets ordered as the values), a second
/// gathers the pairs of the bucket each target falls in, and quickselect finishes within it.
/// Two passes over a million pairs, where quickselect took about four per target.
fn select_by_histogram(pairs: &[(f64, f64)], targets: &[f64]) -> Vec<Option<f64>> {
    let bucket = |v: f64| (total_order_bits(v) >> (64 - BUCKET_BITS)) as usize;
    let mut weight = vec![0.0f64; 1 << BUCKET_BITS];
    for &(v, w) in pairs {
        weight[bucket(v)] += w;
    }
    // Per target, its bucket and the weight of the buckets below; None when rounding leaves
    // the total short of it (the largest value answers, as in `select`).
    let mut found: Vec<Option<(usize, f64)>> = vec![None; targets.len()];
    let mut below = 0.0;
    for (b, &w) in weight.iter().enumerate() {
        let through = below + w;
        for (f, &t) in found.iter_mut().zip(targets) {
            if f.is_none() && t > 0.0 && through >= t {
                *f = Some((b, below));
            }
        }
        below = through;
    }
    let mut members: Vec<(usize, Vec<(f64, f64)>)> = Vec::new();
    for (b, _) in found.iter().flatten() {
        if !members.iter().any(|m| m.0 == *b) {
            members.push((*b, Vec::new()));
        }
    }
    for &(v, w) in pairs {
        let b = bucket(v);
        if let Some(m) = members.iter_mut().find(|m| m.0 == b) {
            m.1.push((v, w));
        }
    }
    let by_value = |a: &&(f64, f64), b: &&(f64, f64)| a.0.total_cmp(&b.0);
    targets
        .iter()
        .zip(&found)
        .map(|(&t, f)| match f {
            Some((b, below)) => {
                let m = members.iter_mut().find(|m| m.0 == *b).expect("gathered");
                select(&mut m.1, t - below)
            }
            None if t <= 0.0 => pairs.iter().min_by(by_value).map(|p| p.0),
            None => pairs.iter().max_by(by_value).map(|p| p.0),
        })
        .collect()
}

/// The bits of `x`, flipped so that comparing them as unsigned integers orders the numbers as
/// [`f64::total_cmp`] does (negatives reversed, below the positives).
pub(crate) fn total_order_bits(x: f64) -> u64 {
    let bits = x.to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | 1 << 63
    }
}

/// The smallest value whose weight, with that of every smaller value, reaches `target`; the
/// largest value when none does. All weights are > 0.
fn select(pairs: &mut [(f64, f64)], target: f64) -> Option<f64> {
    select_all(pairs, &[target])[0]
}

/// A part of the pairs still to search, `start..end`, with its targets: which, and how much of
/// the part's weight each must reach.
type Part = (usize, usize, Vec<(usize, f64)>);

/// [`select`] of every target in one quickselect: a partition serves every target that falls
/// in the part being partitioned (a median and a 90th percentile share the first passes), and
/// it sums the weights below and at the pivot as it goes.
fn select_all(pairs: &mut [(f64, f64)], targets: &[f64]) -> Vec<Option<f64>> {
    let by_value = |a: &(f64, f64), b: &(f64, f64)| a.0.total_cmp(&b.0);
    let mut out = vec![None; targets.len()];
    let mut work: Vec<Part> = Vec::new();
    let mut open = Vec::new();
    for (i, &t) in targets.iter().enumerate() {
        if t <= 0.0 {
            out[i] = pairs.iter().min_by(|a, b| by_value(a, b)).map(|p| p.0);
        } else {
            open.push((i, t));
        }
    }
    if !open.is_empty() {
        work.push((0, pairs.len(), open));
    }
    while let Some((start, end, open)) = work.pop() {
        let part = &mut pairs[start..end];
        if part.len() <= 16 {
            part.sort_unstable_by(by_value);
            for (i, t) in open {
                let mut cum = 0.0;
                out[i] = part.last().map(|p| p.0);
                for (v, w) in part.iter() {
                    cum += w;
                    if cum >= t {
                        out[i] = Some(*v);
                        break;
                    }
                }
            }
            continue;
        }
        let pivot = median_of_three(part[0].0, part[part.len() / 2].0, part[part.len() - 1].0);
        let Partition {
            less,
            equal,
            below,
            at,
        } = partition(part, pivot);
        let (mut left, mut right) = (Vec::new(), Vec::new());
        for (i, t) in open {
            if below >= t {
                left.push((i, t));
            } else if below + at >= t || less + equal == part.len() {
                out[i] = Some(pivot);
            } else {
                right.push((i, t - (below + at)));
            }
        }
        if !left.is_empty() {
            work.push((start, start + less, left));
        }
        if !right.is_empty() {
            work.push((start + less + equal, end, right));
        }
    }
    out
}

fn median_of_three(a: f64, b: f64, c: f64) -> f64 {
    let mut v = [a, b, c];
    v.sort_unstable_by(f64::total_cmp);
    v[1]
}

/// How [`partition`] split the pairs: counts and weights below the pivot and equal to it.
struct Partition {
    less: usize,
    equal: usize,
    below: f64,
    at: f64,
}

/// Reorders `pairs` as values below `pivot`, equal to it, above it (Dijkstra's three-way
/// partition), summing the weights below and at the pivot.
fn partition(pairs: &mut [(f64, f64)], pivot: f64) -> Partition {
    use std::cmp::Ordering;
    let (mut lt, mut i, mut gt) = (0, 0, pairs.len());
    let (mut below, mut at) = (0.0, 0.0);
    while i < gt {
        match pairs[i].0.total_cmp(&pivot) {
            Ordering::Less => {
                below += pairs[i].1;
                pairs.swap(lt, i);
                lt += 1;
                i += 1;
            }
            Ordering::Equal => {
                at += pairs[i].1;
                i += 1;
            }
            Ordering::Greater => {
                gt -= 1;
                pairs.swap(i, gt);
            }
        }
    }
    Partition {
        less: lt,
        equal: gt - lt,
        below,
        at,
    }
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

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]
        #[test]
        fn histogram_equals_sorting(
            // Values that share buckets (one doubling holds 16) and values far apart; weights
            // of exact sums, so that no rounding can move a quantile.
            pairs in proptest::collection::vec(
                (prop_oneof![(0u32..200).prop_map(|v| v as f64 * 3.125),
                             (0u32..40).prop_map(|v| 1000.0 + v as f64 * 0.5),
                             Just(f64::INFINITY), Just(0.0), 0.0f64..1e5],
                 (1u32..8).prop_map(|w| w as f64 * 0.25)),
                1..600),
            q in prop_oneof![Just(0.0), Just(0.5), Just(0.9), Just(1.0), 0.0f64..1.0],
        ) {
            let total: f64 = pairs.iter().map(|p| p.1).sum();
            let targets = [q * total * (1.0 - 1e-12), 0.5 * total * (1.0 - 1e-12)];
            prop_assert_eq!(
                select_by_histogram(&pairs, &targets),
                vec![by_sorting(&pairs, q), by_sorting(&pairs, 0.5)]
            );
        }
    }

    #[test]
    fn a_study_area_goes_through_the_histogram() {
        // 100 000 homes at 1..=100 000 m, weight 1 (an exact total): above HISTOGRAM_FROM.
        let mut p: Vec<(f64, f64)> = (1..=100_000).rev().map(|i| (i as f64, 1.0)).collect();
        assert!(p.len() >= HISTOGRAM_FROM);
        assert_eq!(
            lower_weighted_quantiles(&mut p, &[0.5, 0.9, 0.0, 1.0]),
            vec![Some(50_000.0), Some(90_000.0), Some(1.0), Some(100_000.0)]
        );
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
