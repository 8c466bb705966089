//! How many children live in each home: shared out from neighbourhood counts, or read per home
//! with suppressed values estimated.

/// Shares each neighbourhood's children over its homes in proportion to `weights` (1 each for
/// "count", the footprint for "area"), every band at once: `nb_children[n][b]` are
/// neighbourhood `n`'s children of band `b`, and the answer is home-major, `[h * bands + b]`.
/// Homes outside every neighbourhood get 0. When a neighbourhood's homes all have weight 0 the
/// children are shared equally.
///
/// The neighbourhoods' weights are summed once, in home order, for all bands; the homes' shares
/// are then worked out side by side (a million homes were three serial passes per band).
pub fn share(
    nb_children: &[Vec<Option<f64>>],
    bands: usize,
    home_nb: &[Option<u32>],
    weights: &[f64],
) -> Vec<f64> {
    use rayon::prelude::*;
    let mut total = vec![0.0; nb_children.len()];
    let mut count = vec![0usize; nb_children.len()];
    for (h, nb) in home_nb.iter().enumerate() {
        if let Some(n) = nb {
            total[*n as usize] += weights[h];
            count[*n as usize] += 1;
        }
    }
    let mut table = vec![0.0; home_nb.len() * bands];
    if bands == 0 {
        return table;
    }
    table
        .par_chunks_mut(bands)
        .zip(home_nb.par_iter().zip(weights))
        .for_each(|(row, (nb, &weight))| {
            let Some(n) = nb.map(|n| n as usize) else {
                return;
            };
            for (cell, c) in row.iter_mut().zip(&nb_children[n]) {
                let c = c.unwrap_or(0.0);
                *cell = if total[n] > 0.0 {
                    c * weight / total[n]
                } else {
                    c / count[n] as f64
                };
            }
        });
    table
}

/// Estimates the children of homes whose value is missing (suppressed).
///
/// In each neighbourhood, the children not accounted for by homes with known values
/// (`max(0, neighbourhood - known)`) are shared over its homes with missing values by their
/// population where known; a home whose population is unknown too weighs as the mean known
/// population of those homes, and when none is known they share equally. Homes outside every
/// neighbourhood, or in one without a children count, get 0.
///
/// Known values are the user's data and are kept as they are (DESIGN.md: only homes with a missing
/// value get an estimate), also where they sum to more than the neighbourhood's count (the CBS grid
/// rounds to 5 and may be of another year than the district figures): its missing homes then get
/// 0, and those neighbourhoods are returned so that the run can name them.
///
/// `population` may be empty (no population attribute): every population is then unknown.
///
/// Returns the children per home, how many were estimated, and the neighbourhoods whose known
/// values exceed their count, with the sum of those values.
pub fn estimate_missing(
    known: &[Option<f64>],
    population: &[Option<f64>],
    home_nb: &[Option<u32>],
    nb_children: &[Option<f64>],
) -> (Vec<f64>, usize, Vec<(usize, f64)>) {
    let n_nb = nb_children.len();
    let mut known_sum = vec![0.0; n_nb];
    let mut pop_sum = vec![0.0; n_nb];
    let mut pop_count = vec![0usize; n_nb];
    let mut missing = vec![0usize; n_nb];
    for h in 0..known.len() {
        let Some(n) = home_nb[h] else { continue };
        let n = n as usize;
        match known[h] {
            Some(c) => known_sum[n] += c,
            None => {
                missing[n] += 1;
                if let Some(p) = population.get(h).copied().flatten().filter(|p| *p > 0.0) {
                    pop_sum[n] += p;
                    pop_count[n] += 1;
                }
            }
        }
    }
    // Each missing home's weight, and the neighbourhood's sum of them.
    let weight = |h: usize, n: usize| -> f64 {
        if pop_count[n] == 0 {
            1.0
        } else {
            population
                .get(h)
                .copied()
                .flatten()
                .filter(|p| *p > 0.0)
                .unwrap_or(pop_sum[n] / pop_count[n] as f64)
        }
    };
    let mut weight_sum = vec![0.0; n_nb];
    for h in 0..known.len() {
        if let (None, Some(n)) = (known[h], home_nb[h]) {
            weight_sum[n as usize] += weight(h, n as usize);
        }
    }
    let exceeded = (0..n_nb)
        .filter(|&n| nb_children[n].is_some_and(|c| known_sum[n] > c))
        .map(|n| (n, known_sum[n]))
        .collect();
    let mut estimated = 0;
    let out = (0..known.len())
        .map(|h| match (known[h], home_nb[h]) {
            (Some(c), _) => c,
            (None, None) => {
                estimated += 1;
                0.0
            }
            (None, Some(n)) => {
                estimated += 1;
                let n = n as usize;
                let remaining = nb_children[n]
                    .map(|c| (c - known_sum[n]).max(0.0))
                    .unwrap_or(0.0);
                if weight_sum[n] > 0.0 {
                    remaining * weight(h, n) / weight_sum[n]
                } else {
                    0.0
                }
            }
        })
        .collect();
    (out, estimated, exceeded)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn share_by_count_and_by_area() {
        let nb = [vec![Some(30.0), Some(3.0)], vec![Some(10.0), None]];
        let home_nb = [Some(0), Some(0), Some(0), Some(1), None];
        assert_eq!(
            share(&nb, 2, &home_nb, &[1.0; 5]),
            vec![10.0, 1.0, 10.0, 1.0, 10.0, 1.0, 10.0, 0.0, 0.0, 0.0]
        );
        // Areas 1, 2, 3 share 30 as 5, 10, 15 (and 3 as 0.5, 1, 1.5); a neighbourhood whose
        // homes all weigh 0 shares equally.
        assert_eq!(
            share(&nb, 2, &home_nb, &[1.0, 2.0, 3.0, 0.0, 9.0]),
            vec![5.0, 0.5, 10.0, 1.0, 15.0, 1.5, 10.0, 0.0, 0.0, 0.0]
        );
    }

    /// The share of one band as it was worked out before every band was shared in one pass:
    /// the reference the one-pass [`share`] must equal bit for bit.
    fn share_one_band(
        nb_children: &[Option<f64>],
        home_nb: &[Option<u32>],
        weights: &[f64],
    ) -> Vec<f64> {
        let mut total = vec![0.0; nb_children.len()];
        let mut count = vec![0usize; nb_children.len()];
        for (h, nb) in home_nb.iter().enumerate() {
            if let Some(n) = nb {
                total[*n as usize] += weights[h];
                count[*n as usize] += 1;
            }
        }
        home_nb
            .iter()
            .enumerate()
            .map(|(h, nb)| match nb {
                Some(n) => {
                    let n = *n as usize;
                    let c = nb_children[n].unwrap_or(0.0);
                    if total[n] > 0.0 {
                        c * weights[h] / total[n]
                    } else {
                        c / count[n] as f64
                    }
                }
                None => 0.0,
            })
            .collect()
    }

    proptest! {
        #[test]
        fn one_pass_share_equals_band_by_band(
            (nbs, bands, homes) in (1usize..6, 1usize..4).prop_flat_map(|(nbs, bands)| (
                prop::collection::vec(
                    prop::collection::vec(prop::option::of(0.0f64..500.0), bands),
                    nbs,
                ),
                Just(bands),
                prop::collection::vec(
                    (
                        prop::option::of(0..nbs as u32),
                        prop_oneof![Just(0.0f64), Just(1.0), 0.0f64..300.0],
                    ),
                    0..200,
                ),
            )),
        ) {
            let home_nb: Vec<Option<u32>> = homes.iter().map(|h| h.0).collect();
            let weights: Vec<f64> = homes.iter().map(|h| h.1).collect();
            let table = share(&nbs, bands, &home_nb, &weights);
            prop_assert_eq!(table.len(), homes.len() * bands);
            for b in 0..bands {
                let column: Vec<Option<f64>> = nbs.iter().map(|n| n[b]).collect();
                let expected = share_one_band(&column, &home_nb, &weights);
                for (h, e) in expected.iter().enumerate() {
                    prop_assert_eq!(table[h * bands + b].to_bits(), e.to_bits(), "home {} band {}", h, b);
                }
            }
        }
    }

    #[test]
    fn suppressed_values_share_the_remainder_by_population() {
        // Neighbourhood 0 has 100 children; homes know 40 and 20, so 40 remain for the two
        // suppressed homes, with populations 30 and 10: 30 and 10 children.
        let known = [Some(40.0), Some(20.0), None, None, None];
        let pop = [Some(100.0), Some(50.0), Some(30.0), Some(10.0), None];
        let home_nb = [Some(0), Some(0), Some(0), Some(0), None];
        let (c, n, exceeded) = estimate_missing(&known, &pop, &home_nb, &[Some(100.0)]);
        assert_eq!(c, vec![40.0, 20.0, 30.0, 10.0, 0.0]);
        assert_eq!(n, 3);
        assert!(exceeded.is_empty());
    }

    #[test]
    fn unknown_population_weighs_as_the_mean_and_remainder_never_negative() {
        // 12 remain; populations 10, unknown (-> mean 10), so 6 and 6.
        let (c, _, _) = estimate_missing(
            &[Some(8.0), None, None],
            &[None, Some(10.0), None],
            &[Some(0), Some(0), Some(0)],
            &[Some(20.0)],
        );
        assert_eq!(c, vec![8.0, 6.0, 6.0]);
        // Known values exceed the neighbourhood count: the estimate is 0, not negative.
        let (c, _, _) = estimate_missing(
            &[Some(30.0), None],
            &[None, None],
            &[Some(0), Some(0)],
            &[Some(20.0)],
        );
        assert_eq!(c, vec![30.0, 0.0]);
    }

    #[test]
    fn known_values_above_the_neighbourhood_count_are_kept_and_named() {
        // Neighbourhood 0 counts 18; its homes know 30 and 15 (45): both are kept, the
        // suppressed home gets 0, and neighbourhood 0 is named with its 45. Neighbourhood 1 (no
        // count) and the home outside every neighbourhood keep their values.
        let (c, n, exceeded) = estimate_missing(
            &[Some(30.0), Some(15.0), None, Some(50.0), Some(7.0)],
            &[None, None, Some(4.0), None, None],
            &[Some(0), Some(0), Some(0), Some(1), None],
            &[Some(18.0), None],
        );
        assert_eq!(c, vec![30.0, 15.0, 0.0, 50.0, 7.0]);
        assert_eq!(n, 1);
        assert_eq!(exceeded, vec![(0, 45.0)]);
    }
}
