//! Priority: which neighbourhoods a city should fund first.

/// Weight of each neighbourhood's gap by its quintile of chances:
/// `1 + deprivation_weight * (5 - q) / 4`, so quintile 1 (fewest chances) counts
/// `1 + deprivation_weight` times, quintile 5 once, linearly in between.
///
/// A neighbourhood without a quintile (no equity data) gets weight 1: it is neither favoured nor
/// dropped. Quintiles outside 1..=5 are clamped into it.
///
/// ```
/// use kindscape::equity::priority_weights;
/// assert_eq!(priority_weights(&[Some(1), Some(3), Some(5), None], 1.0), vec![2.0, 1.5, 1.0, 1.0]);
/// ```
pub fn priority_weights(quintile: &[Option<u8>], deprivation_weight: f64) -> Vec<f64> {
    quintile
        .iter()
        .map(|q| match q {
            Some(q) => 1.0 + deprivation_weight * f64::from(5 - (*q).clamp(1, 5)) / 4.0,
            None => 1.0,
        })
        .collect()
}

/// 1-based ranks by descending value (rank 1 = largest); equal values are ranked by index, so
/// every rank is distinct and the order is reproducible. NaN ranks last.
///
/// ```
/// use kindscape::equity::rank_desc;
/// assert_eq!(rank_desc(&[5.0, 9.0, 5.0, f64::NAN, 7.0]), vec![3, 1, 4, 5, 2]);
/// ```
pub fn rank_desc(values: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (values[a], values[b]);
        x.is_nan()
            .cmp(&y.is_nan())
            .then_with(|| y.partial_cmp(&x).unwrap_or(std::cmp::Ordering::Equal))
            .then(a.cmp(&b))
    });
    let mut ranks = vec![0; values.len()];
    for (position, &i) in order.iter().enumerate() {
        ranks[i] = position + 1;
    }
    ranks
}
