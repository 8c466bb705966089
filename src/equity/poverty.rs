//! Foster-Greer-Thorbecke poverty measures: how many children fall below a line, and how far.

use super::weighted::{usable_units, weighted_mean};

/// The three FGT measures, each a children-weighted mean in 0..=1.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fgt {
    /// Headcount: the share of children below the line.
    pub fgt0: f64,
    /// Poverty gap: the mean shortfall `(line - x) / line` (0 for children at or above it).
    pub fgt1: f64,
    /// Severity: the mean squared shortfall, weighing the children furthest below most.
    pub fgt2: f64,
}

/// FGT measures of `outcome` against `poverty_line`, as R `accessibility::fgt_poverty()`:
/// a child with `x < line` has shortfall `(line - x) / line`, one with `x >= line` none.
///
/// For "children below the norm", `outcome` can be the score with a line such as 100, or the
/// coverage of each home (0/1) with line 1. `None` without children or with a line that is not
/// positive.
pub fn fgt_poverty(outcome: &[f64], weights: &[f64], poverty_line: f64) -> Option<Fgt> {
    if !(poverty_line.is_finite() && poverty_line > 0.0) {
        return None;
    }
    let idx = usable_units(&[outcome], weights);
    let shortfall: Vec<f64> = outcome
        .iter()
        .map(|&x| ((poverty_line - x) / poverty_line).max(0.0))
        .collect();
    let power = |alpha: i32| -> Vec<f64> {
        shortfall
            .iter()
            .map(|&s| if s > 0.0 { s.powi(alpha) } else { 0.0 })
            .collect()
    };
    Some(Fgt {
        fgt0: weighted_mean(&power(0), weights, &idx)?,
        fgt1: weighted_mean(&power(1), weights, &idx)?,
        fgt2: weighted_mean(&power(2), weights, &idx)?,
    })
}
