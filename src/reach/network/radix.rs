//! Sorting the homes a search found by home, the order every consumer sums them in.
//!
//! Written by hand: a search from one facility finds thousands of homes, each once, and
//! sorting them was a quarter of site selection's time with a comparison sort; their keys are
//! home indices below a known bound, which a least-significant-digit radix sort orders in two
//! or three linear passes. No crate among the project's checked dependencies does it.

/// Below this many entries a comparison sort is as fast as the radix passes' set-up.
const SMALL: usize = 256;
/// The widest digit a pass sorts on (4096 counters, in the first-level cache).
const DIGIT_BITS: u32 = 12;

/// Working memory of [`sort_by_key`], kept between searches.
#[derive(Default)]
pub(crate) struct RadixBuffers {
    other: Vec<(u32, f64)>,
    counts: Vec<usize>,
}

/// Sorts `items` by their key (the `u32`); keys must be distinct, so the one order results
/// whatever the method.
pub(crate) fn sort_by_key(items: &mut Vec<(u32, f64)>, buffers: &mut RadixBuffers) {
    if items.len() < SMALL {
        items.sort_unstable_by_key(|f| f.0);
        return;
    }
    // Sorting on the offset from the least key needs only the bits of the keys' span: often
    // one pass, as the homes near one facility tend to have near indices.
    let (least, most) = items
        .iter()
        .fold((u32::MAX, 0), |(lo, hi), f| (lo.min(f.0), hi.max(f.0)));
    let span_bits = u32::BITS - (most - least).leading_zeros();
    let passes = span_bits.div_ceil(DIGIT_BITS).max(1);
    let bits = span_bits.div_ceil(passes).max(1);
    let mask = (1u32 << bits) - 1;
    let RadixBuffers { other, counts } = buffers;
    other.clear();
    other.resize(items.len(), (0, 0.0));
    counts.resize(1 << bits, 0);
    for pass in 0..passes {
        let shift = pass * bits;
        let digit = |f: &(u32, f64)| (((f.0 - least) >> shift) & mask) as usize;
        counts.fill(0);
        for f in items.iter() {
            counts[digit(f)] += 1;
        }
        let mut start = 0;
        for c in counts.iter_mut() {
            let n = *c;
            *c = start;
            start += n;
        }
        for f in items.iter() {
            let d = digit(f);
            other[counts[d]] = *f;
            counts[d] += 1;
        }
        std::mem::swap(items, other);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The radix sort gives the order a comparison sort gives, for any distinct keys: few
        /// or many, packed or spread over the whole `u32` range (three passes).
        #[test]
        fn equals_comparison_sort(
            keys in prop::collection::hash_set(any::<u32>(), 0..3000),
            packed in any::<bool>(),
        ) {
            let mut items: Vec<(u32, f64)> = keys
                .into_iter()
                .map(|k| if packed { k % 5_000_000 } else { k })
                .collect::<std::collections::HashSet<u32>>()
                .into_iter()
                .map(|k| (k, f64::from(k) * 0.5 + 1.0))
                .collect();
            let mut want = items.clone();
            want.sort_by_key(|f| f.0);
            let mut buffers = RadixBuffers::default();
            sort_by_key(&mut items, &mut buffers);
            prop_assert_eq!(&items, &want);
            // Buffers kept from a larger sort give the same result.
            items.reverse();
            sort_by_key(&mut items, &mut buffers);
            prop_assert_eq!(items, want);
        }
    }
}
