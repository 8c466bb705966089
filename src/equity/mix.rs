//! Meeting mix: do children of every background meet at a place?

/// The socioeconomic mix of the children within a place's catchment.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Mix {
    /// Share of the children from each quintile (index 0 = quintile 1, fewest chances); sums to
    /// 1, or all 0 when no child is in reach.
    pub shares: [f64; 5],
    /// Shannon entropy of the shares over its maximum, `-sum p ln p / ln 5`, in 0..=1:
    /// 1 = the five quintiles equally, 0 = one quintile only (or no children).
    pub entropy: f64,
}

/// The mix of a place from the children in its catchment per quintile (index 0 = quintile 1).
///
/// Normalised Shannon entropy is the usual "evenness" measure of diversity (Pielou's J): it does
/// not depend on how many children the place reaches, only on how evenly they come from the five
/// quintiles, which is what "children of all backgrounds meet here" asks. Negative or
/// non-finite weights count as 0.
///
/// ```
/// use kindscape::equity::mix;
/// let even = mix(&[10.0, 10.0, 10.0, 10.0, 10.0]);
/// assert!((even.entropy - 1.0).abs() < 1e-12);
/// assert_eq!(mix(&[0.0, 0.0, 7.0, 0.0, 0.0]).entropy, 0.0);
/// ```
pub fn mix(weights_per_quintile: &[f64; 5]) -> Mix {
    let weights = weights_per_quintile.map(|w| if w.is_finite() && w > 0.0 { w } else { 0.0 });
    let total: f64 = weights.iter().sum();
    if total <= 0.0 {
        return Mix {
            shares: [0.0; 5],
            entropy: 0.0,
        };
    }
    let shares = weights.map(|w| w / total);
    let entropy: f64 = shares
        .iter()
        .filter(|&&p| p > 0.0)
        .map(|&p| -p * p.ln())
        .sum::<f64>()
        / 5f64.ln();
    Mix {
        shares,
        entropy: entropy.clamp(0.0, 1.0),
    }
}
