//! The one source of randomness of the sample generator: SplitMix64 (Steele, Lea and Flood 2014).
//!
//! Written by hand rather than taken from `rand` on purpose: the sample town is part of the
//! project's contract (its files are committed and benchmarks are reproduced from a seed), so the
//! same seed must give bit-identical files on every platform and with every crate version. `rand`
//! documents that its value streams may change between releases; these ten lines never will.
//! Only integer arithmetic and exactly rounded float operations are used on the draws.

/// A seeded stream of pseudo-random numbers.
#[derive(Debug, Clone)]
pub(crate) struct SplitMix64 {
    state: u64,
}

const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// The SplitMix64 output function: a bijective mix of 64 bits.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Independent streams, so that what one part of the town draws never shifts another part
/// (adding a park does not move every home), and so that a cell's homes can be drawn again,
/// in any order or thread, when a second file (the .osm.pbf) needs them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stream {
    Grid = 1,
    Neighbourhoods = 2,
    Cells = 3,
    Homes = 4,
    Streets = 5,
    Parks = 6,
    Playgrounds = 7,
}

impl SplitMix64 {
    pub(crate) fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    /// The stream for one purpose (and one item of it, e.g. a cell index) under a seed.
    pub(crate) fn stream(seed: u64, stream: Stream, index: u64) -> Self {
        let s = mix(seed ^ mix((stream as u64).wrapping_mul(GOLDEN_GAMMA)));
        SplitMix64::new(mix(s ^ mix(index.wrapping_add(GOLDEN_GAMMA))))
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GOLDEN_GAMMA);
        mix(self.state)
    }

    /// Uniform in [0, 1), with 53 random bits.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in [lo, hi).
    pub(crate) fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// Uniform integer in 0..n (n > 0), by the multiply-shift method (no modulo bias to speak of).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() as u128 * n as u128) >> 64) as usize
    }

    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Fisher-Yates shuffle.
    pub(crate) fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first outputs for seed 1234567 of the reference C code (Vigna,
    /// https://prng.di.unimi.it/splitmix64.c), computed with a Python transcription of it
    /// (`s += 0x9E3779B97F4A7C15; z = s; z = (z ^ z >> 30) * 0xBF58476D1CE4E5B9; ...` mod 2^64).
    #[test]
    fn matches_the_reference_implementation() {
        let mut r = SplitMix64::new(1234567);
        let expected: [u64; 5] = [
            6457827717110365317,
            3203168211198807973,
            9817491932198370423,
            4593380528125082431,
            16408922859458223821,
        ];
        for e in expected {
            assert_eq!(r.next_u64(), e);
        }
    }

    #[test]
    fn draws_stay_in_range() {
        let mut r = SplitMix64::stream(7, Stream::Homes, 3);
        for _ in 0..10_000 {
            let u = r.unit();
            assert!((0.0..1.0).contains(&u));
            assert!(r.below(7) < 7);
        }
        let mut v: Vec<u32> = (0..50).collect();
        r.shuffle(&mut v);
        let mut sorted = v.clone();
        sorted.sort();
        assert_eq!(sorted, (0..50).collect::<Vec<_>>());
        assert_ne!(v, sorted);
    }

    #[test]
    fn streams_differ() {
        let a = SplitMix64::stream(1, Stream::Homes, 0).next_u64();
        let b = SplitMix64::stream(1, Stream::Homes, 1).next_u64();
        let c = SplitMix64::stream(1, Stream::Parks, 0).next_u64();
        let d = SplitMix64::stream(2, Stream::Homes, 0).next_u64();
        assert!(a != b && a != c && a != d && b != c);
    }
}
