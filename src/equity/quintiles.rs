//! Quintiles of neighbourhoods by chances, each holding about a fifth of the children.

use super::chances;
use super::weighted::fractional_ranks;

/// Assigns each neighbourhood to quintile 1..=5 of its equity attribute, **by children**: each
/// quintile holds about a fifth of the children, not of the neighbourhoods. Quintile 1 = fewest
/// chances (lowest values, or highest with `higher_is_worse`).
///
/// Rule: neighbourhoods are ranked by value; a neighbourhood's weighted mid-rank is the share of
/// children in neighbourhoods ranked below it plus half its own share, and it goes to quintile
/// `floor(5 * mid_rank) + 1`. So a neighbourhood that straddles a boundary goes wholly to the
/// quintile holding the middle of its children (a mid-rank exactly on a boundary goes up), and
/// neighbourhoods with **equal values share one mid-rank and one quintile**. A quintile can
/// therefore hold more or less than a fifth when single neighbourhoods are large; it can even be
/// empty.
///
/// `None` values (or NaN) give `None`. Weights that are negative or not finite count as 0; when
/// no neighbourhood with a value has children, each counts as one.
///
/// ```
/// use kindscape::equity::quintiles;
/// let income = [Some(10.0), Some(30.0), None, Some(20.0), Some(40.0), Some(50.0)];
/// let children = [100.0, 100.0, 50.0, 100.0, 100.0, 100.0];
/// assert_eq!(quintiles(&income, &children, false),
///            vec![Some(1), Some(3), None, Some(2), Some(4), Some(5)]);
/// ```
pub fn quintiles(
    values: &[Option<f64>],
    weights: &[f64],
    higher_is_worse: bool,
) -> Vec<Option<u8>> {
    assert_eq!(
        values.len(),
        weights.len(),
        "values and weights differ in length"
    );
    let keys: Vec<f64> = values
        .iter()
        .map(|v| v.map_or(f64::NAN, |v| chances(v, higher_is_worse)))
        .collect();
    let idx: Vec<usize> = (0..keys.len()).filter(|&i| keys[i].is_finite()).collect();
    let clean: Vec<f64> = weights
        .iter()
        .map(|&w| if w.is_finite() && w > 0.0 { w } else { 0.0 })
        .collect();
    let ranks = fractional_ranks(&keys, &clean, &idx)
        .or_else(|| fractional_ranks(&keys, &vec![1.0; keys.len()], &idx))
        .unwrap_or_default();
    let mut result = vec![None; values.len()];
    for (&i, &rank) in idx.iter().zip(&ranks) {
        // Truncation is the floor here: rank is in 0..1.
        let q = ((5.0 * rank) as u8 + 1).min(5);
        result[i] = Some(q);
    }
    result
}
