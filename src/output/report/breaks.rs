//! Class breaks of a choropleth: Jenks natural breaks (the `natural-breaks` crate, an exact
//! dynamic programme minimising the within-class sum of squares), so classes follow the gaps in
//! the data rather than arbitrary cut points.

/// The classes of one map: each class's smallest and largest value, in ascending order.
#[derive(Debug, Clone, PartialEq)]
pub struct Classes {
    pub bounds: Vec<(f64, f64)>,
}

impl Classes {
    /// At most `k` natural-breaks classes of the finite values (fewer when there are fewer
    /// distinct values); no class when there is no finite value.
    ///
    /// ```
    /// use kindscape::output::report::breaks::Classes;
    /// let c = Classes::natural(&[12.0, 1.0, 11.0, 2.0, 10.0, 3.0], 2);
    /// assert_eq!(c.bounds, vec![(1.0, 3.0), (10.0, 12.0)]);
    /// assert_eq!(c.class_of(2.5), Some(0));
    /// ```
    pub fn natural(values: &[f64], k: usize) -> Classes {
        let mut finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        finite.sort_by(f64::total_cmp);
        let mut distinct = finite.clone();
        distinct.dedup();
        let k = k.min(distinct.len());
        if k == 0 {
            return Classes { bounds: Vec::new() };
        }
        let bounds = match natural_breaks::classify(finite.clone(), k) {
            Ok(clusters) => clusters
                .iter()
                .filter_map(|c| Some((*c.first()?, *c.last()?)))
                .collect(),
            // Only NaN or k > n can fail, and both were excluded above: one class is a safe
            // answer should the crate ever refuse.
            Err(_) => vec![(finite[0], finite[finite.len() - 1])],
        };
        Classes { bounds }
    }

    pub fn len(&self) -> usize {
        self.bounds.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bounds.is_empty()
    }

    /// The class of a value: the first whose upper bound is not below it (values between two
    /// classes go to the upper one); `None` for a missing value or no classes.
    pub fn class_of(&self, v: f64) -> Option<usize> {
        if !v.is_finite() || self.bounds.is_empty() {
            return None;
        }
        Some(
            self.bounds
                .iter()
                .position(|(_, hi)| v <= *hi)
                .unwrap_or(self.bounds.len() - 1),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// By hand: for [0, 1, 2, 20, 21, 40] in 3 classes the within-class sums of squares are
    /// 2 + 0.5 + 0 = 2.5 for {0,1,2} {20,21} {40}; any other contiguous split is larger
    /// (e.g. {0,1} {2} {20,21,40} gives 0.5 + 0 + 260.67).
    #[test]
    fn follows_the_gaps() {
        let c = Classes::natural(&[40.0, 0.0, 21.0, 1.0, 2.0, 20.0, f64::NAN], 3);
        assert_eq!(c.bounds, vec![(0.0, 2.0), (20.0, 21.0), (40.0, 40.0)]);
        assert_eq!(c.class_of(0.0), Some(0));
        assert_eq!(c.class_of(10.0), Some(1));
        assert_eq!(c.class_of(21.0), Some(1));
        assert_eq!(c.class_of(99.0), Some(2));
        assert_eq!(c.class_of(f64::NAN), None);
    }

    #[test]
    fn fewer_distinct_values_than_classes() {
        let c = Classes::natural(&[0.5, 0.5, 1.0, 1.0], 5);
        assert_eq!(c.bounds, vec![(0.5, 0.5), (1.0, 1.0)]);
        assert!(Classes::natural(&[f64::NAN], 5).is_empty());
    }
}
