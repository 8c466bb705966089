//! Play space per child: the enhanced two-step floating catchment area method (E2SFCA, Luo & Qi
//! 2009), with one catchment per age band.
//!
//! Step 1 gives every facility `j` a supply ratio over the children who can reach it, each
//! child weighed by the distance decay of their own band:
//! `R_j = S_j / sum_b sum_i D_ib w_b(d_ij)`.
//! Step 2 gives every home `i` and band `b` the decayed sum of the ratios it can reach:
//! `A_ib = sum_j R_j w_b(d_ij)`, in m2 of play space per child when `S_j` is in m2.
//!
//! **Bands share the supply.** A playground's area is divided once among all the children who
//! can reach it, whatever their band; a toddler counts within 100 m, a teenager within 1000 m
//! (DESIGN.md: "each band's children use their own catchment in both steps"). So the total is
//! conserved: `sum_b sum_i D_ib A_ib = sum_j S_j` over the facilities with children in reach
//! ([`PlaySpace::supply_reached`], [`PlaySpace::supply_distributed`]). The alternative, each band
//! seeing the full supply, would hand out the same square metres once per band.
//!
//! This equals PySAL `access`'s `enhanced_two_stage_fca` (raw values, `normalize=False`) run
//! with one demand location per (home, band), the cost `d / d0_b` (distance over that band's
//! catchment), `max_cost = 1` and the decay below as `weight_fn` of that cost: a single band is
//! the plain E2SFCA. `scripts/equity_e2sfca_fixture.py` builds that comparison. For the other
//! reading (each band sees the full supply), call [`e2sfca`] once per band: PySAL agrees with
//! that too (tests/equity_e2sfca.rs checks both).
//!
//! **Summation order.** Step 1 sums each band's terms on their own, in the order of that band's
//! pairs, and then adds the bands in band order ([`e2sfca`] and the scene's streaming version in
//! `play_space` both do this through one function). The scene finds every band's pairs in one
//! range query and so visits them all at once; summing per band keeps it bit-identical to
//! [`e2sfca`] by construction, whatever the thread count.

use crate::error::{Error, Result};

/// Luo & Qi's stepped weights for the first, second and last third of the catchment.
pub const STEP_WEIGHTS: [f64; 3] = [1.0, 0.68, 0.22];

/// Distance decay inside a catchment (`[catchment] decay` in the study file).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decay {
    /// Weights 1.00 / 0.68 / 0.22 for the first, second and last third of the catchment (each
    /// third includes its outer edge), 0 beyond: Luo & Qi's three zones.
    Step,
    /// `w(d) = (exp(-0.5 (d/d0)^2) - exp(-0.5)) / (1 - exp(-0.5))` for `d <= d0`, 0 beyond:
    /// a Gaussian that is 1 at the facility and falls smoothly to 0 at the catchment's edge.
    Gaussian,
}

impl Decay {
    /// The weight of a child at `distance` from a facility, for a catchment of `catchment`
    /// metres (the norm of the child's band).
    pub fn weight(self, distance: f64, catchment: f64) -> f64 {
        let x = distance / catchment;
        if !(0.0..=1.0).contains(&x) {
            return 0.0;
        }
        match self {
            Decay::Step => {
                // Without branches: the third changes unpredictably from one pair to the next,
                // and this runs for every (home, playground) pair of a city.
                let third = usize::from(x > 1.0 / 3.0) + usize::from(x > 2.0 / 3.0);
                STEP_WEIGHTS[third]
            }
            Decay::Gaussian => {
                let edge = (-0.5f64).exp();
                ((-0.5 * x * x).exp() - edge) / (1.0 - edge)
            }
        }
    }
}

/// One band's catchment and decay as functions of the squared distance `d2`, for range queries
/// that yield squared distances: [`Self::reaches`] is `sqrt(d2) <= catchment` and
/// [`Self::weight`] is `decay.weight(sqrt(d2), catchment)`, bit for bit.
///
/// The straight-line E2SFCA evaluates both for every (home, facility, band): about 300 million
/// times at 1 M homes, where a square root and a division each were a measurable part of the
/// run. Both sides of each test are monotone in `d2` (a correctly rounded square root and
/// division never decrease), so each is decided by one threshold on `d2`, found once per band
/// by bisection on the same arithmetic: exact, not an approximation.
#[derive(Clone, Copy, Debug)]
pub struct BandDecay {
    decay: Decay,
    catchment: f64,
    /// The least `d2` beyond the catchment: `sqrt(d2) > catchment`.
    beyond: f64,
    /// The least `d2` past the step decay's first and second thirds (`x > 1/3`, `x > 2/3`).
    thirds: [f64; 2],
}

impl BandDecay {
    /// `catchment` must be finite and > 0 ([`validate_catchment`]).
    pub fn new(decay: Decay, catchment: f64) -> Self {
        let x = move |d2: f64| d2.sqrt() / catchment;
        BandDecay {
            decay,
            catchment,
            beyond: least_squared(|d2| d2.sqrt() > catchment),
            thirds: [
                least_squared(|d2| x(d2) > 1.0 / 3.0),
                least_squared(|d2| x(d2) > 2.0 / 3.0),
            ],
        }
    }

    /// Every squared distance at which [`Self::reaches`] or [`Self::weight`] changes, when
    /// the decay has such steps (the step decay): both answer `d2 >= bound` for some of them.
    pub fn bounds(&self) -> Option<Vec<f64>> {
        match self.decay {
            Decay::Step => Some(vec![self.thirds[0], self.thirds[1], self.beyond]),
            Decay::Gaussian => None,
        }
    }

    /// Whether `sqrt(d2) <= catchment`.
    #[inline(always)]
    pub fn reaches(&self, d2: f64) -> bool {
        d2 < self.beyond
    }

    /// `decay.weight(sqrt(d2), catchment)` for a `d2` that [`Self::reaches`].
    #[inline(always)]
    pub fn weight(&self, d2: f64) -> f64 {
        match self.decay {
            Decay::Step => STEP_WEIGHTS[self.step(d2)],
            Decay::Gaussian => self.decay.weight(d2.sqrt(), self.catchment),
        }
    }

    /// Whether the decay is the step decay, whose [`Self::weight`] is
    /// `STEP_WEIGHTS[self.step(d2)]`.
    pub fn is_step(&self) -> bool {
        self.decay == Decay::Step
    }

    /// The step decay's third (0, 1 or 2) that a `d2` within reach falls in.
    #[inline(always)]
    pub fn step(&self, d2: f64) -> usize {
        usize::from(d2 >= self.thirds[0]) + usize::from(d2 >= self.thirds[1])
    }
}

/// The least non-negative `d2` for which `holds` is true, for a `holds` that is monotone (false
/// up to some value, true from it on) and true at infinity: a bisection on the bit patterns,
/// which order non-negative floats as numbers.
fn least_squared(holds: impl Fn(f64) -> bool) -> f64 {
    let (mut lo, mut hi) = (0u64, f64::INFINITY.to_bits());
    if holds(0.0) {
        return 0.0;
    }
    // holds(lo) is false, holds(hi) true.
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if holds(f64::from_bits(mid)) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    f64::from_bits(hi)
}

/// A home within reach of a facility, at a distance in metres.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Reach {
    pub home: usize,
    pub facility: usize,
    pub distance: f64,
}

/// The children of one age band and the facilities they can reach.
#[derive(Clone, Copy, Debug)]
pub struct Band<'a> {
    /// The band's name, for messages.
    pub name: &'a str,
    /// Children of this band per home (index = home); the same number of homes in every band.
    pub children: &'a [f64],
    /// The band's catchment `d0` in metres (its norm for the supply's kind).
    pub catchment_m: f64,
    /// Every (home, facility) pair within `catchment_m`, as the caller found them (rstar or the
    /// network); pairs farther away are allowed and weigh 0. Sums run in this order, so pass
    /// the pairs in a fixed order (not one that depends on thread scheduling) for bit-identical
    /// results.
    pub reach: &'a [Reach],
}

/// The result of [`e2sfca`].
#[derive(Clone, Debug, PartialEq)]
pub struct PlaySpace {
    /// Play space per child, `[band][home]` (m2 per child when the supply is in m2); 0 for a
    /// home that reaches no facility.
    pub per_child: Vec<Vec<f64>>,
    /// `R_j` per facility: supply per decay-weighted child in reach; 0 when no child is in reach.
    pub ratio: Vec<f64>,
    /// The decay-weighted children in each facility's catchment, all bands together.
    pub weighted_children: Vec<f64>,
}

impl PlaySpace {
    /// The supply of the facilities with at least one (weighted) child in reach: what E2SFCA
    /// hands out. Facilities nobody reaches keep theirs.
    pub fn supply_reached(&self, supply: &[f64]) -> f64 {
        supply
            .iter()
            .zip(&self.weighted_children)
            .filter(|(_, &demand)| demand > 0.0)
            .map(|(&s, _)| s)
            .sum()
    }

    /// What the homes received, `sum_b sum_i D_ib A_ib`; equals [`Self::supply_reached`] up to
    /// rounding, which is the method's conservation property.
    pub fn supply_distributed(&self, bands: &[Band]) -> f64 {
        bands
            .iter()
            .zip(&self.per_child)
            .map(|(band, access)| {
                band.children
                    .iter()
                    .zip(access)
                    .map(|(&d, &a)| d * a)
                    .sum::<f64>()
            })
            .sum()
    }

    /// Play space per child of each home over all bands, weighted by the home's children per
    /// band; `None` for a home without children.
    pub fn per_child_all_bands(&self, bands: &[Band]) -> Vec<Option<f64>> {
        let homes = self.per_child.first().map_or(0, Vec::len);
        (0..homes)
            .map(|i| {
                over_bands(
                    bands
                        .iter()
                        .zip(&self.per_child)
                        .map(|(b, access)| (b.children[i], access[i])),
                )
            })
            .collect()
    }
}

/// One home's play space per child over its bands, from `(children, per child)` per band:
/// weighted by children; `None` for a home without children.
pub fn over_bands(bands: impl Iterator<Item = (f64, f64)> + Clone) -> Option<f64> {
    let children: f64 = bands.clone().map(|(c, _)| c).sum();
    let space: f64 = bands.map(|(c, a)| c * a).sum();
    (children > 0.0).then(|| space / children)
}

/// Step 1's demand per facility from each band's own sum (`[band][facility]`), added band by
/// band in band order. Every caller sums a band's terms on their own and then calls this, so
/// that two implementations that visit the pairs differently (one band at a time, or all bands
/// of a pair at once) still add the same numbers in the same order: bit-identical results.
pub(crate) fn sum_over_bands(per_band: &[Vec<f64>], facilities: usize) -> Vec<f64> {
    let mut total = vec![0.0; facilities];
    for band in per_band {
        for (t, w) in total.iter_mut().zip(band) {
            *t += w;
        }
    }
    total
}

/// Step 1's result: `R_j = S_j / demand_j`, supply per decay-weighted child, 0 for a facility
/// no child reaches.
pub fn supply_ratios(supply: &[f64], weighted_children: &[f64]) -> Vec<f64> {
    supply
        .iter()
        .zip(weighted_children)
        .map(|(&s, &demand)| if demand > 0.0 { s / demand } else { 0.0 })
        .collect()
}

/// E2SFCA play space per child for every home and band, from the supply per facility (e.g.
/// playground area in m2) and, per band, the children per home and the pairs in reach.
///
/// Errors (naming the band and the offending index) when the bands disagree on the number of
/// homes, a pair points outside the homes or facilities, or a supply, child count, catchment or
/// distance is negative or not a number.
///
/// ```
/// use kindscape::measures::e2sfca::{e2sfca, Band, Decay, Reach};
/// // One 300 m2 playground; 10 toddlers 30 m away, 20 teenagers 500 m away (catchment 1000 m).
/// let toddlers = Band { name: "0-5", children: &[10.0, 0.0], catchment_m: 100.0,
///     reach: &[Reach { home: 0, facility: 0, distance: 30.0 }] };
/// let teens = Band { name: "12-17", children: &[0.0, 20.0], catchment_m: 1000.0,
///     reach: &[Reach { home: 1, facility: 0, distance: 500.0 }] };
/// let space = e2sfca(&[300.0], &[toddlers, teens], Decay::Step).unwrap();
/// // R = 300 / (10 * 1.0 + 20 * 0.68) = 300 / 23.6 m2 per weighted child.
/// assert!((space.per_child[0][0] - 300.0 / 23.6).abs() < 1e-9);
/// assert!((space.per_child[1][1] - 0.68 * 300.0 / 23.6).abs() < 1e-9);
/// ```
pub fn e2sfca(supply: &[f64], bands: &[Band], decay: Decay) -> Result<PlaySpace> {
    validate(supply, bands)?;
    let per_band: Vec<Vec<f64>> = bands
        .iter()
        .map(|band| {
            let mut weighted = vec![0.0; supply.len()];
            for r in band.reach {
                weighted[r.facility] +=
                    band.children[r.home] * decay.weight(r.distance, band.catchment_m);
            }
            weighted
        })
        .collect();
    let weighted_children = sum_over_bands(&per_band, supply.len());
    let ratio = supply_ratios(supply, &weighted_children);
    let per_child = bands
        .iter()
        .map(|band| {
            let mut access = vec![0.0; band.children.len()];
            for r in band.reach {
                access[r.home] += ratio[r.facility] * decay.weight(r.distance, band.catchment_m);
            }
            access
        })
        .collect();
    Ok(PlaySpace {
        per_child,
        ratio,
        weighted_children,
    })
}

fn validate(supply: &[f64], bands: &[Band]) -> Result<()> {
    validate_supply(supply)?;
    let homes = bands.first().map_or(0, |b| b.children.len());
    for band in bands {
        let name = band.name;
        if band.children.len() != homes {
            return Err(Error::Other(format!(
                "play space per child: band {name} has {} homes, the first band {homes}",
                band.children.len()
            )));
        }
        validate_catchment(name, band.catchment_m)?;
        if let Some(i) = band.children.iter().position(|&d| bad(d)) {
            return Err(bad_children(name, i, band.children[i]));
        }
        for r in band.reach {
            if r.home >= homes || r.facility >= supply.len() || bad(r.distance) {
                return Err(Error::Other(format!(
                    "play space per child: band {name} has a pair home {} - facility {} at {} m \
                     outside {homes} homes, {} facilities or not a distance >= 0",
                    r.home,
                    r.facility,
                    r.distance,
                    supply.len()
                )));
            }
        }
    }
    Ok(())
}

/// Not a number >= 0.
pub(crate) fn bad(x: f64) -> bool {
    !(x.is_finite() && x >= 0.0)
}

pub(crate) fn validate_supply(supply: &[f64]) -> Result<()> {
    match supply.iter().position(|&s| bad(s)) {
        Some(j) => Err(Error::Other(format!(
            "play space per child: facility {j} has supply {}; it must be a number >= 0",
            supply[j]
        ))),
        None => Ok(()),
    }
}

pub(crate) fn validate_catchment(band: &str, catchment_m: f64) -> Result<()> {
    if catchment_m.is_finite() && catchment_m > 0.0 {
        Ok(())
    } else {
        Err(Error::Other(format!(
            "play space per child: band {band} has catchment {} m; it must be > 0",
            crate::error::shown(catchment_m)
        )))
    }
}

pub(crate) fn bad_children(band: &str, home: usize, children: f64) -> Error {
    Error::Other(format!(
        "play space per child: band {band}, home {home} has {children} children; it must be a number >= 0"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_weights_by_third_with_inclusive_edges() {
        assert_eq!(Decay::Step.weight(0.0, 300.0), 1.0);
        assert_eq!(Decay::Step.weight(100.0, 300.0), 1.0);
        assert_eq!(Decay::Step.weight(100.1, 300.0), 0.68);
        assert_eq!(Decay::Step.weight(200.0, 300.0), 0.68);
        assert_eq!(Decay::Step.weight(250.0, 300.0), 0.22);
        assert_eq!(Decay::Step.weight(300.0, 300.0), 0.22);
        assert_eq!(Decay::Step.weight(300.1, 300.0), 0.0);
    }

    /// `BandDecay` against `Decay::weight` on the square root: every squared distance near each
    /// threshold (a few ulps either side), at thirds and edges given as distances, and at random.
    fn band_decay_agrees(decay: Decay, catchment: f64, d2: f64) {
        let bd = BandDecay::new(decay, catchment);
        let d = d2.sqrt();
        assert_eq!(bd.reaches(d2), d <= catchment, "{catchment} m at d2 {d2}");
        if d <= catchment {
            let (got, want) = (bd.weight(d2), decay.weight(d, catchment));
            assert_eq!(got.to_bits(), want.to_bits(), "{catchment} m at d2 {d2}");
        }
    }

    fn ulps_around(x: f64) -> impl Iterator<Item = f64> {
        (-4i64..=4).map(move |k| f64::from_bits((x.to_bits() as i64 + k).max(0) as u64))
    }

    #[test]
    fn band_decay_at_the_edges_of_thirds_and_catchment() {
        for catchment in [100.0, 300.0, 400.0, 1000.0, 0.1, 7.0, 1e7] {
            let bd = BandDecay::new(Decay::Step, catchment);
            let edges = [catchment / 3.0, catchment * 2.0 / 3.0, catchment];
            let squared = edges
                .iter()
                .map(|e| e * e)
                .chain(bd.thirds)
                .chain([bd.beyond]);
            for at in squared.chain([0.0]) {
                for d2 in ulps_around(at) {
                    band_decay_agrees(Decay::Step, catchment, d2);
                    band_decay_agrees(Decay::Gaussian, catchment, d2);
                }
            }
        }
        // By hand: 1000 m, at 333 m full weight, at 334 m 0.68, at 1000 m 0.22, beyond none.
        let bd = BandDecay::new(Decay::Step, 1000.0);
        assert_eq!(bd.weight(333.0 * 333.0), 1.0);
        assert_eq!(bd.weight(334.0 * 334.0), 0.68);
        assert_eq!(bd.weight(1e6), 0.22);
        assert!(bd.reaches(1e6) && !bd.reaches(1e6 + 1e-9));
    }

    proptest::proptest! {
        #[test]
        fn band_decay_equals_decay_weight(
            catchment in proptest::prop_oneof![0.01..1e5f64, proptest::strategy::Just(1000.0)],
            d in 0.0..1.2f64,
        ) {
            let d2 = (d * catchment).powi(2);
            for d2 in ulps_around(d2) {
                band_decay_agrees(Decay::Step, catchment, d2);
                band_decay_agrees(Decay::Gaussian, catchment, d2);
            }
        }
    }

    #[test]
    fn gaussian_is_one_at_zero_and_zero_at_edge() {
        assert_eq!(Decay::Gaussian.weight(0.0, 400.0), 1.0);
        assert!(Decay::Gaussian.weight(400.0, 400.0).abs() < 1e-15);
        assert_eq!(Decay::Gaussian.weight(401.0, 400.0), 0.0);
        // d = d0/2: (exp(-0.125) - exp(-0.5)) / (1 - exp(-0.5))
        //         = (0.8824969 - 0.6065307) / 0.3934693 = 0.7013666
        assert!((Decay::Gaussian.weight(200.0, 400.0) - 0.701_366_6).abs() < 1e-7);
    }
}
