//! Coverage: the share of children within a norm distance of the nearest amenity.

/// Children within the norm and children in all, summed home by home.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Coverage {
    covered: f64,
    total: f64,
}

impl Coverage {
    /// Counts `children` living `within` the norm or not.
    pub fn add(&mut self, children: f64, within: bool) {
        self.total += children;
        if within {
            self.covered += children;
        }
    }

    /// The share within the norm; `None` without children.
    pub fn share(self) -> Option<f64> {
        (self.total > 0.0).then(|| self.covered / self.total)
    }
}

/// The share of `children` whose home is at most `norm_m` from the nearest amenity:
/// `distances[i]` and `children[i]` belong to home `i`. `None` without children.
///
/// ```
/// use kindscape::measures::coverage::coverage;
/// // 3 of 4 children live within 400 m.
/// assert_eq!(coverage(&[300.0, 50.0, 900.0], &[2.0, 1.0, 1.0], 400.0), Some(0.75));
/// assert_eq!(coverage(&[300.0], &[0.0], 400.0), None);
/// ```
pub fn coverage(distances: &[f64], children: &[f64], norm_m: f64) -> Option<f64> {
    let mut c = Coverage::default();
    for (&d, &w) in distances.iter().zip(children) {
        c.add(w, d <= norm_m);
    }
    c.share()
}
