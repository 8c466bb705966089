//! The 0-100 score: per kind 100 within the norm, falling linearly to 0 at twice the norm.

/// The score of one distance against one norm.
///
/// ```
/// use kindscape::measures::score::distance_score;
/// assert_eq!(distance_score(100.0, 100.0), 100.0);
/// assert_eq!(distance_score(150.0, 100.0), 50.0);
/// assert_eq!(distance_score(250.0, 100.0), 0.0);
/// ```
pub fn distance_score(distance: f64, norm: f64) -> f64 {
    if distance <= norm {
        100.0
    } else if distance >= 2.0 * norm || !distance.is_finite() {
        0.0
    } else {
        100.0 * (2.0 - distance / norm)
    }
}

/// A weighted mean; `None` when the weights sum to 0.
pub fn weighted_mean(values: impl IntoIterator<Item = (f64, f64)>) -> Option<f64> {
    let (mut sum, mut weight) = (0.0, 0.0);
    for (v, w) in values {
        sum += v * w;
        weight += w;
    }
    (weight > 0.0).then(|| sum / weight)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_between_norm_and_twice_the_norm() {
        assert_eq!(distance_score(0.0, 400.0), 100.0);
        assert_eq!(distance_score(500.0, 400.0), 75.0);
        assert_eq!(distance_score(800.0, 400.0), 0.0);
        assert_eq!(distance_score(f64::INFINITY, 400.0), 0.0);
        assert_eq!(weighted_mean([(100.0, 1.0), (0.0, 3.0)]), Some(25.0));
        assert_eq!(weighted_mean([(100.0, 0.0)]), None);
    }
}
