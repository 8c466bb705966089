//! Maximal covering location (Church & ReVelle 1974): choose `count` candidate sites that bring
//! the most uncovered (optionally deprivation-weighted) children within reach.
//!
//! The solver works on plain data, a [`CoverageProblem`]: a weight per demand point and, per
//! candidate, the sorted demand points it reaches. How reach is decided (straight line or network,
//! each child's band norm) is the caller's business, so the algorithm can be tested on its own
//! against brute force and against PySAL spopt's integer programme.
//!
//! Method: lazy greedy (CELF, Leskovec et al. 2007) followed by a 1-swap local search. Written by
//! hand because no crate offers MCLP without an ILP solver, and an ILP over a million demand points
//! is out of reach while greedy carries the (1 - 1/e) guarantee of a monotone submodular objective.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::phrase::{Arg, Phrase};

/// A maximal covering instance over plain data.
///
/// Built with [`CoverageProblem::new`], which validates it, so the solvers never fail.
#[derive(Debug, Clone)]
pub struct CoverageProblem {
    /// Uncovered children per demand point (a home and age band), optionally weighted by
    /// deprivation. Demand already within reach of an existing amenity should be left out (or 0).
    demand_weights: Vec<f64>,
    /// Per candidate: the demand points it would bring within reach, strictly increasing.
    covers: Vec<Vec<u32>>,
    /// Children one site can serve (counted in `children`); `None` = unlimited.
    capacity: Option<f64>,
    /// Children per demand point, when `demand_weights` are weighted (by deprivation): what
    /// `capacity` counts. `None`: the weights are the children.
    children: Option<Vec<f64>>,
}

/// The sites chosen, in the order a council would build them.
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    /// Candidate indices. Each brings the largest gain given the ones before it.
    pub chosen: Vec<usize>,
    /// Weight newly covered by each chosen site, given the sites before it.
    pub gains: Vec<f64>,
    /// Running total of `gains`.
    pub total: Vec<f64>,
}

impl Selection {
    /// Total weight covered by all chosen sites.
    pub fn covered(&self) -> f64 {
        self.total.last().copied().unwrap_or(0.0)
    }
}

impl CoverageProblem {
    /// Checks the instance: weights finite and non-negative, covers strictly increasing and in
    /// range, capacity finite and positive.
    pub fn new(
        demand_weights: Vec<f64>,
        covers: Vec<Vec<u32>>,
        capacity: Option<f64>,
    ) -> Result<Self> {
        if let Some((i, w)) = demand_weights
            .iter()
            .enumerate()
            .find(|(_, w)| !w.is_finite() || **w < 0.0)
        {
            return Err(Error::Other(format!(
                "site selection: demand point {i} has weight {w}; weights must be finite and \
                 non-negative children counts"
            )));
        }
        if demand_weights.len() > u32::MAX as usize {
            return Err(Error::Other(format!(
                "site selection: {} demand points; at most {} are supported",
                demand_weights.len(),
                u32::MAX
            )));
        }
        for (c, cover) in covers.iter().enumerate() {
            if let Some(&d) = cover.iter().find(|&&d| d as usize >= demand_weights.len()) {
                return Err(Error::Other(format!(
                    "site selection: candidate {c} covers demand point {d}, but there are only {} \
                     demand points",
                    demand_weights.len()
                )));
            }
            if cover.windows(2).any(|p| p[0] >= p[1]) {
                return Err(Error::Other(format!(
                    "site selection: candidate {c}'s covered demand points are not strictly \
                     increasing (sort and deduplicate them)"
                )));
            }
        }
        if let Some(cap) = capacity {
            if !cap.is_finite() || cap <= 0.0 {
                return Err(Error::Other(format!(
                    "[sites] capacity = {cap}: must be a positive number of children per site"
                )));
            }
        }
        Ok(Self {
            demand_weights,
            covers,
            capacity,
            children: None,
        })
    }

    /// The children behind weighted demand: `capacity` then caps the children a site serves,
    /// while the weights still decide which sites serve most.
    pub fn with_children(mut self, children: Vec<f64>) -> Result<Self> {
        if children.len() != self.demand_weights.len() {
            return Err(Error::Other(format!(
                "site selection: {} children counts for {} demand points",
                children.len(),
                self.demand_weights.len()
            )));
        }
        if let Some((i, c)) = children
            .iter()
            .enumerate()
            .find(|(_, c)| !c.is_finite() || **c < 0.0)
        {
            return Err(Error::Other(format!(
                "site selection: demand point {i} has {c} children; children must be finite and \
                 non-negative"
            )));
        }
        self.children = Some(children);
        Ok(self)
    }

    pub fn demand_weights(&self) -> &[f64] {
        &self.demand_weights
    }

    pub fn covers(&self) -> &[Vec<u32>] {
        &self.covers
    }

    pub fn capacity(&self) -> Option<f64> {
        self.capacity
    }

    pub fn candidate_count(&self) -> usize {
        self.covers.len()
    }

    pub fn demand_count(&self) -> usize {
        self.demand_weights.len()
    }

    /// Weight covered by a set of sites (duplicates ignored). Without capacity this is the weight
    /// of the union of their covers; with capacity it is the sum of the gains when the sites are
    /// added in greedy order (see [`select`]), the value every solver here optimises.
    ///
    /// # Panics
    /// If a site index is not a candidate: that is a programming error, not a data error.
    pub fn covered_weight(&self, sites: &[usize]) -> f64 {
        let mut frame = Frame::subset(self, sites);
        let len = frame.ids.len();
        greedy(&mut frame, len).iter().map(|&(_, gain)| gain).sum()
    }

    /// Below this a change of covered weight is rounding noise, not an improvement.
    fn tolerance(&self) -> f64 {
        let total: f64 = self.demand_weights.iter().sum();
        1e-9 * total.max(1.0)
    }
}

/// Chooses up to `count` sites: lazy greedy, then 1-swaps to a local optimum.
///
/// * Greedy adds, one at a time, the candidate with the largest gain; a stale gain is an upper
///   bound (gains only shrink as sites are added), so most candidates are never re-evaluated.
/// * Swap pass: while replacing one chosen site by an unchosen candidate increases the covered
///   weight (by more than 1e-9 of the total demand), make the best such replacement.
/// * The result is presented in greedy order over the chosen set, so each site's gain is what it
///   adds to the ones before it, and the running total ends at the covered weight.
/// * Ties go to the lower candidate index (swaps: the lower chosen position, then the lower
///   candidate index), so results do not depend on thread count.
/// * Sites that add nothing (everything they reach is already covered) are dropped: `chosen` may
///   be shorter than `count`.
/// * Capacity: a site serves at most `capacity` children. If it reaches more uncovered children
///   than that, it serves the same fraction of every demand point it reaches (covers carry no
///   distances, and a pro-rata share does not depend on the order of the list); its gain is that
///   fraction of the weight it reaches. What is left stays uncovered and may be served by a later
///   site.
///
/// ```
/// use kindscape::sites::{select, CoverageProblem};
/// // Three homes with 4, 3 and 5 children; site 0 reaches homes 0 and 1, site 1 homes 1 and 2,
/// // site 2 home 2 only.
/// let problem = CoverageProblem::new(
///     vec![4.0, 3.0, 5.0],
///     vec![vec![0, 1], vec![1, 2], vec![2]],
///     None,
/// )?;
/// let best = select(&problem, 2);
/// assert_eq!(best.chosen, vec![1, 0]); // 8 children, then the 4 left at home 0
/// assert_eq!(best.total, vec![8.0, 12.0]);
/// # Ok::<(), kindscape::Error>(())
/// ```
pub fn select(problem: &CoverageProblem, count: usize) -> Selection {
    let count = count.min(problem.candidate_count());
    if count == 0 {
        return present(problem, &[]);
    }
    let mut frame = Frame::full(problem);
    let mut chosen: Vec<usize> = greedy(&mut frame, count)
        .into_iter()
        .map(|(c, _)| c)
        .collect();
    drop(frame);
    match problem.capacity {
        None => swap_pass_uncapacitated(problem, &mut chosen),
        Some(cap) => swap_pass_capacitated(problem, cap, &mut chosen),
    }
    present(problem, &chosen)
}

/// Tries every set of `count` candidates (or all, if fewer) and returns the best, presented as in
/// [`select`]; ties go to the lexicographically first set. For tests and small instances only:
/// the cost grows as n choose count.
pub fn exhaustive(problem: &CoverageProblem, count: usize) -> Selection {
    let n = problem.candidate_count();
    let count = count.min(n);
    let mut set: Vec<usize> = (0..count).collect();
    let mut best = (problem.covered_weight(&set), set.clone());
    // Next combination in lexicographic order: bump the rightmost index that can still move.
    while let Some(i) = (0..count).rev().find(|&i| set[i] < n - count + i) {
        set[i] += 1;
        for j in i + 1..count {
            set[j] = set[j - 1] + 1;
        }
        let value = problem.covered_weight(&set);
        if value > best.0 {
            best = (value, set.clone());
        }
    }
    present(problem, &best.1)
}

/// For sites added in the given order, how much of a per-demand-point quantity each newly serves:
/// e.g. unweighted children of one age band, when the weights are deprivation-weighted. With
/// capacity a site serves each demand point the same fraction it serves of the weight.
pub fn tally(problem: &CoverageProblem, chosen: &[usize], quantities: &[f64]) -> Result<Vec<f64>> {
    if quantities.len() != problem.demand_count() {
        return Err(Error::Other(format!(
            "site selection: {} quantities for {} demand points",
            quantities.len(),
            problem.demand_count()
        )));
    }
    if let Some(&c) = chosen.iter().find(|&&c| c >= problem.candidate_count()) {
        return Err(Error::Other(format!(
            "site selection: site {c} is not one of the {} candidates",
            problem.candidate_count()
        )));
    }
    let mut frame = Frame::full(problem);
    Ok(chosen
        .iter()
        .map(|&c| {
            let mut sum = 0.0;
            frame.serve(c, |d, served| sum += quantities[d] * served);
            sum
        })
        .collect())
}

/// The rules the solver follows, as sentences for the run's output and the report.
pub fn assumptions(problem: &CoverageProblem) -> Vec<Phrase> {
    vec![
        Phrase::new("assume.mclp")
            .with("candidates", Arg::Figure(problem.candidate_count() as f64))
            .with("demand", Arg::Figure(problem.demand_count() as f64)),
        Phrase::new("assume.new_children"),
        Phrase::new("assume.ties"),
        match problem.capacity {
            None => Phrase::new("assume.no_capacity"),
            Some(cap) => Phrase::new("assume.capacity").with("cap", Arg::Figure(cap)),
        },
    ]
}

/// Greedy order and gains over `set`, without sites that add nothing.
fn present(problem: &CoverageProblem, set: &[usize]) -> Selection {
    let mut frame = Frame::subset(problem, set);
    let len = frame.ids.len();
    let tolerance = problem.tolerance();
    let mut selection = Selection {
        chosen: Vec::new(),
        gains: Vec::new(),
        total: Vec::new(),
    };
    let mut running = 0.0;
    for (local, gain) in greedy(&mut frame, len) {
        // Greedy gains never grow, so the useless sites are all at the end.
        if gain <= tolerance {
            break;
        }
        running += gain;
        selection.chosen.push(frame.ids[local]);
        selection.gains.push(gain);
        selection.total.push(running);
    }
    selection
}

/// The solver's working state: candidates (global or a subset, renumbered) and the share of each
/// demand point's weight still uncovered.
struct Frame<'a> {
    weights: Cow<'a, [f64]>,
    covers: Vec<Cow<'a, [u32]>>,
    /// Local candidate -> candidate index in the problem; increasing, so tie-breaks agree.
    ids: Vec<usize>,
    uncovered_share: Vec<f64>,
    capacity: Option<f64>,
    /// What `capacity` counts, when not the weights.
    children: Option<Cow<'a, [f64]>>,
}

impl<'a> Frame<'a> {
    fn full(problem: &'a CoverageProblem) -> Self {
        Self {
            weights: Cow::Borrowed(&problem.demand_weights),
            covers: problem
                .covers
                .iter()
                .map(|c| Cow::Borrowed(&c[..]))
                .collect(),
            ids: (0..problem.candidate_count()).collect(),
            uncovered_share: vec![1.0; problem.demand_count()],
            capacity: problem.capacity,
            children: problem.children.as_deref().map(Cow::Borrowed),
        }
    }

    /// Only the given candidates, over only the demand points they reach (in the same order as
    /// globally, so every sum adds the same terms in the same order as in [`Frame::full`]).
    fn subset(problem: &CoverageProblem, sites: &[usize]) -> Self {
        let mut ids = sites.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let mut reached: Vec<u32> = ids
            .iter()
            .flat_map(|&c| problem.covers[c].iter().copied())
            .collect();
        reached.sort_unstable();
        reached.dedup();
        let covers = ids
            .iter()
            .map(|&c| {
                let local: Vec<u32> = problem.covers[c]
                    .iter()
                    // Present by construction of `reached`.
                    .map(|d| reached.binary_search(d).unwrap_or_default() as u32)
                    .collect();
                Cow::Owned(local)
            })
            .collect();
        let weights: Vec<f64> = reached
            .iter()
            .map(|&d| problem.demand_weights[d as usize])
            .collect();
        let children = problem
            .children
            .as_ref()
            .map(|children| Cow::Owned(reached.iter().map(|&d| children[d as usize]).collect()));
        Self {
            uncovered_share: vec![1.0; weights.len()],
            weights: Cow::Owned(weights),
            covers,
            ids,
            capacity: problem.capacity,
            children,
        }
    }

    fn uncovered_in_reach(&self, candidate: usize, of: &[f64]) -> f64 {
        self.covers[candidate]
            .iter()
            .map(|&d| of[d as usize] * self.uncovered_share[d as usize])
            .sum()
    }

    /// The uncovered weight a site reaches, and the share of it that its capacity lets it serve.
    fn reach_and_fraction(&self, candidate: usize) -> (f64, f64) {
        let reach = self.uncovered_in_reach(candidate, &self.weights);
        let Some(cap) = self.capacity else {
            return (reach, 1.0);
        };
        let children = match &self.children {
            Some(children) => self.uncovered_in_reach(candidate, children),
            None => reach,
        };
        (reach, if children > cap { cap / children } else { 1.0 })
    }

    fn gain(&self, candidate: usize) -> f64 {
        let (reach, fraction) = self.reach_and_fraction(candidate);
        reach * fraction
    }

    /// Whether a gain can grow as other sites are added: with capacity over weighted children,
    /// serving the lightly weighted children a site reaches lets it serve more heavily weighted
    /// ones. Then a stale gain is no upper bound, and the lazy greedy would be wrong.
    fn gains_may_grow(&self) -> bool {
        self.capacity.is_some() && self.children.is_some()
    }

    /// Adds a site; `visit(d, share)` learns the share of demand point d's weight it serves.
    fn serve(&mut self, candidate: usize, mut visit: impl FnMut(usize, f64)) -> f64 {
        let (reach, fraction) = self.reach_and_fraction(candidate);
        for &d in self.covers[candidate].iter() {
            let share = &mut self.uncovered_share[d as usize];
            visit(d as usize, *share * fraction);
            *share = if fraction >= 1.0 {
                0.0
            } else {
                *share * (1.0 - fraction)
            };
        }
        reach * fraction
    }
}

/// A candidate's gain as known after `round` sites were chosen: exact in that round, an upper
/// bound later.
struct Bound {
    gain: f64,
    candidate: usize,
    round: usize,
}

impl Ord for Bound {
    fn cmp(&self, other: &Self) -> Ordering {
        // Max-heap on gain; equal gains pop the lower index first.
        self.gain
            .total_cmp(&other.gain)
            .then(other.candidate.cmp(&self.candidate))
    }
}
impl PartialOrd for Bound {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for Bound {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Bound {}

/// CELF lazy greedy: `count` (local candidate, gain) pairs, applied to the frame.
fn greedy(frame: &mut Frame, count: usize) -> Vec<(usize, f64)> {
    if frame.gains_may_grow() {
        return eager_greedy(frame, count);
    }
    let first: Vec<f64> = {
        let frame = &*frame;
        (0..frame.covers.len())
            .into_par_iter()
            .map(|c| frame.gain(c))
            .collect()
    };
    let mut heap: BinaryHeap<Bound> = first
        .into_iter()
        .enumerate()
        .map(|(candidate, gain)| Bound {
            gain,
            candidate,
            round: 0,
        })
        .collect();
    let mut picks = Vec::with_capacity(count);
    while picks.len() < count {
        let Some(top) = heap.pop() else { break };
        if top.round == picks.len() {
            // Fresh, and no stale bound (an overestimate) beats it: it is the true maximum.
            let gain = frame.serve(top.candidate, |_, _| {});
            picks.push((top.candidate, gain));
        } else {
            heap.push(Bound {
                gain: frame.gain(top.candidate),
                candidate: top.candidate,
                round: picks.len(),
            });
        }
    }
    picks
}

/// Greedy that evaluates every candidate in every round, for gains that may grow
/// ([`Frame::gains_may_grow`]); the same picks and ties as [`greedy`] otherwise.
fn eager_greedy(frame: &mut Frame, count: usize) -> Vec<(usize, f64)> {
    let mut picks = Vec::with_capacity(count);
    let mut chosen = vec![false; frame.covers.len()];
    while picks.len() < count {
        let best = {
            let frame = &*frame;
            (0..frame.covers.len())
                .into_par_iter()
                .filter(|&c| !chosen[c])
                .map(|c| (frame.gain(c), c))
                // Larger gain, then the lower candidate.
                .reduce_with(|a, b| match a.0.total_cmp(&b.0) {
                    Ordering::Less => b,
                    Ordering::Greater => a,
                    Ordering::Equal if a.1 < b.1 => a,
                    Ordering::Equal => b,
                })
        };
        let Some((_, candidate)) = best else { break };
        chosen[candidate] = true;
        let gain = frame.serve(candidate, |_, _| {});
        picks.push((candidate, gain));
    }
    picks
}

/// The best swap found: chosen position out, candidate in, and the change of covered weight.
#[derive(Clone, Copy)]
struct Swap {
    position: usize,
    candidate: usize,
    delta: f64,
}

fn better(a: Swap, b: Swap) -> Swap {
    // Larger delta wins; ties go to the lower position, then the lower candidate.
    match a.delta.total_cmp(&b.delta) {
        Ordering::Greater => a,
        Ordering::Less => b,
        Ordering::Equal => {
            if (a.position, a.candidate) <= (b.position, b.candidate) {
                a
            } else {
                b
            }
        }
    }
}

/// Without capacity the covered weight is the union's weight, so every swap's effect follows from
/// how many chosen sites cover each demand point: one pass over every candidate's cover per sweep.
fn swap_pass_uncapacitated(problem: &CoverageProblem, chosen: &mut [usize]) {
    let weights = &problem.demand_weights;
    let tolerance = problem.tolerance();
    let mut times_covered = vec![0u32; problem.demand_count()];
    // Sum of the chosen sites' indices covering a point: its only coverer when covered once.
    let mut coverer_sum = vec![0u64; problem.demand_count()];
    let update = |site: usize, step: i64, times: &mut [u32], sums: &mut [u64]| {
        for &d in &problem.covers[site] {
            let d = d as usize;
            if step > 0 {
                times[d] += 1;
                sums[d] += site as u64;
            } else {
                times[d] -= 1;
                sums[d] -= site as u64;
            }
        }
    };
    for &site in chosen.iter() {
        update(site, 1, &mut times_covered, &mut coverer_sum);
    }
    loop {
        let mut position_of = vec![usize::MAX; problem.candidate_count()];
        for (p, &site) in chosen.iter().enumerate() {
            position_of[site] = p;
        }
        // What each chosen site alone covers: lost when it is swapped out.
        let loss: Vec<f64> = chosen
            .iter()
            .map(|&site| {
                problem.covers[site]
                    .iter()
                    .filter(|&&d| times_covered[d as usize] == 1)
                    .map(|&d| weights[d as usize])
                    .sum()
            })
            .collect();
        let best = (0..problem.candidate_count())
            .into_par_iter()
            .filter(|&j| position_of[j] == usize::MAX)
            .map(|j| {
                let mut new = 0.0;
                // Demand covered only by chosen site p that j also covers: not lost if p leaves.
                let mut kept = vec![0.0; chosen.len()];
                for &d in &problem.covers[j] {
                    let d = d as usize;
                    match times_covered[d] {
                        0 => new += weights[d],
                        1 => kept[position_of[coverer_sum[d] as usize]] += weights[d],
                        _ => {}
                    }
                }
                (0..chosen.len())
                    .map(|p| Swap {
                        position: p,
                        candidate: j,
                        delta: new + kept[p] - loss[p],
                    })
                    .reduce(better)
            })
            .collect::<Vec<_>>()
            .into_iter()
            .flatten()
            .reduce(better);
        match best {
            Some(swap) if swap.delta > tolerance => {
                update(
                    chosen[swap.position],
                    -1,
                    &mut times_covered,
                    &mut coverer_sum,
                );
                update(swap.candidate, 1, &mut times_covered, &mut coverer_sum);
                chosen[swap.position] = swap.candidate;
            }
            _ => break,
        }
    }
}

/// With capacity the covered weight depends on the order of assignment, so each swap is
/// evaluated in full; candidates that cannot beat the current set even if they served their full
/// capacity on top of the others are skipped.
fn swap_pass_capacitated(problem: &CoverageProblem, capacity: f64, chosen: &mut [usize]) {
    let tolerance = problem.tolerance();
    let weights = &problem.demand_weights;
    // The most weight a site could serve: all it reaches, or its capacity in children each at
    // the heaviest weight per child it reaches.
    let most: Vec<f64> = problem
        .covers
        .par_iter()
        .map(|cover| {
            let reach: f64 = cover.iter().map(|&d| weights[d as usize]).sum();
            let Some(children) = &problem.children else {
                return reach.min(capacity);
            };
            let heaviest = cover
                .iter()
                .map(|&d| {
                    let (w, c) = (weights[d as usize], children[d as usize]);
                    if c > 0.0 {
                        w / c
                    } else if w > 0.0 {
                        f64::INFINITY
                    } else {
                        0.0
                    }
                })
                .fold(0.0, f64::max);
            reach.min(capacity * heaviest)
        })
        .collect();
    let mut current = problem.covered_weight(chosen);
    loop {
        let mut best: Option<Swap> = None;
        for p in 0..chosen.len() {
            let mut others: Vec<usize> = chosen.to_vec();
            others.remove(p);
            let without = problem.covered_weight(&others);
            let found = (0..problem.candidate_count())
                .into_par_iter()
                .filter(|j| !chosen.contains(j))
                .filter(|&j| without + most[j] > current + tolerance)
                .map(|j| {
                    let mut set = others.clone();
                    set.push(j);
                    Swap {
                        position: p,
                        candidate: j,
                        delta: problem.covered_weight(&set) - current,
                    }
                })
                .collect::<Vec<_>>()
                .into_iter()
                .reduce(better);
            best = match (best, found) {
                (Some(a), Some(b)) => Some(better(a, b)),
                (a, b) => a.or(b),
            };
        }
        match best {
            Some(swap) if swap.delta > tolerance => {
                chosen[swap.position] = swap.candidate;
                current = problem.covered_weight(chosen);
            }
            _ => break,
        }
    }
}
