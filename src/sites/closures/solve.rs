//! Which amenities could close with the least loss: the reverse of maximal covering. A demand
//! point (a home and age band, covered today) loses its coverage when every amenity covering it
//! has closed; the loss of a set of closures is the weight of the points it leaves uncovered.
//!
//! Method: reverse greedy (close, one at a time, the amenity whose closure loses least given
//! those already closed) followed by an improvement pass (reopen a closed amenity and close the
//! open one that then loses least, while that lowers the loss). Written by hand: it is a few
//! dozen lines over cover counts, and no crate solves it without an integer programme. The loss
//! is supermodular, so greedy carries no general guarantee; the tests compare it with the
//! exhaustive optimum.
//!
//! Everything is incremental: per demand point the number of open amenities covering it, and per
//! open amenity the weight only it still covers (its marginal loss). Closing or reopening an
//! amenity touches only its own demand points and, for each, the amenities covering it.

/// A closure instance over plain data.
#[derive(Debug, Clone)]
pub struct ClosureProblem {
    /// Per demand point, what losing it costs: children, weighted by deprivation when asked.
    weight: Vec<f64>,
    /// Per demand point, its children (what `keep_coverage` counts).
    children: Vec<f64>,
    /// Per amenity, the demand points it covers, strictly increasing.
    covers: Vec<Vec<u32>>,
    /// Per demand point, the amenities covering it: `coverers[first[i]..first[i + 1]]`.
    first: Vec<usize>,
    coverers: Vec<u32>,
    /// Per amenity, whether it may close (not in `keep`).
    closable: Vec<bool>,
    /// Per amenity, the weight of all the demand points it covers: among closures of equal
    /// loss the one reaching the least closes first (the fewest children see an amenity within
    /// their norm go).
    reach: Vec<f64>,
}

/// How many to close.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Goal {
    /// Exactly this many (fewer only when fewer may close).
    Count(usize),
    /// As many as leave at most this many children (the `children` of the demand points)
    /// uncovered.
    MaxChildrenLost(f64),
}

/// One closure, in the order the amenities close.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub amenity: usize,
    /// The demand points that lose their last covering amenity with this closure.
    pub lost: Vec<u32>,
}

impl ClosureProblem {
    /// An instance: `weight` and `children` per demand point (finite, >= 0), `covers` per
    /// amenity (strictly increasing demand indices), `closable` per amenity.
    ///
    /// # Panics
    /// On inconsistent lengths, a demand index out of range, or a weight that is not a finite
    /// non-negative number: the caller builds these from the scene, so each is a programming
    /// error.
    pub fn new(
        weight: Vec<f64>,
        children: Vec<f64>,
        covers: Vec<Vec<u32>>,
        closable: Vec<bool>,
    ) -> ClosureProblem {
        let n = weight.len();
        assert_eq!(children.len(), n, "one children count per demand point");
        assert_eq!(
            closable.len(),
            covers.len(),
            "one closable flag per amenity"
        );
        assert!(
            weight
                .iter()
                .chain(&children)
                .all(|w| w.is_finite() && *w >= 0.0),
            "weights and children are finite and non-negative"
        );
        let mut first = vec![0usize; n + 1];
        for c in &covers {
            assert!(c.windows(2).all(|w| w[0] < w[1]), "covers are increasing");
            for &i in c {
                assert!((i as usize) < n, "demand point {i} of {n}");
                first[i as usize + 1] += 1;
            }
        }
        for i in 0..n {
            first[i + 1] += first[i];
        }
        let mut next = first.clone();
        let mut coverers = vec![0u32; first[n]];
        for (j, c) in covers.iter().enumerate() {
            for &i in c {
                coverers[next[i as usize]] = j as u32;
                next[i as usize] += 1;
            }
        }
        let reach = covers
            .iter()
            .map(|c| c.iter().map(|&i| weight[i as usize]).sum())
            .collect();
        ClosureProblem {
            weight,
            children,
            covers,
            first,
            coverers,
            closable,
            reach,
        }
    }

    pub fn amenity_count(&self) -> usize {
        self.covers.len()
    }

    pub fn demand_count(&self) -> usize {
        self.weight.len()
    }

    /// The weight and the children that closing `closed` leaves uncovered, counted from scratch
    /// (the points covered today whose every covering amenity is in `closed`).
    pub fn loss(&self, closed: &[usize]) -> (f64, f64) {
        let mut is_closed = vec![false; self.amenity_count()];
        for &j in closed {
            is_closed[j] = true;
        }
        let mut loss = (0.0, 0.0);
        for i in 0..self.demand_count() {
            let by = &self.coverers[self.first[i]..self.first[i + 1]];
            if !by.is_empty() && by.iter().all(|&j| is_closed[j as usize]) {
                loss.0 += self.weight[i];
                loss.1 += self.children[i];
            }
        }
        loss
    }

    /// A tolerance for comparing losses: sums of the same weights in other orders differ by
    /// rounding only.
    fn tolerance(values: &[f64]) -> f64 {
        1e-9 * (1.0 + values.iter().sum::<f64>())
    }
}

/// The closures for `goal`: reverse greedy, then improvement by swaps (and, for
/// [`Goal::MaxChildrenLost`], more closures whenever a swap makes room), in the order given by
/// [`order`].
pub fn solve(problem: &ClosureProblem, goal: Goal) -> Vec<Step> {
    let mut state = State::new(problem);
    let budget = match goal {
        Goal::Count(_) => f64::INFINITY,
        Goal::MaxChildrenLost(b) => b + ClosureProblem::tolerance(&problem.children),
    };
    let wanted = match goal {
        Goal::Count(n) => n,
        Goal::MaxChildrenLost(_) => usize::MAX,
    };
    let tol = ClosureProblem::tolerance(&problem.weight);
    let mut closed: Vec<usize> = Vec::new();
    let extend = |state: &mut State, closed: &mut Vec<usize>| {
        let mut added = false;
        while closed.len() < wanted {
            let Some(j) = state.least_loss(budget, tol) else {
                break;
            };
            state.close(j);
            closed.push(j);
            added = true;
        }
        added
    };
    extend(&mut state, &mut closed);
    // Each swap lowers the loss by more than the tolerance and each extension closes one more,
    // so this ends; the bound only guards against a loop the arithmetic should never allow.
    for _ in 0..10_000 {
        let mut improved = false;
        for slot in closed.iter_mut() {
            let c = *slot;
            state.reopen(c);
            let keeps = state.marginal[c];
            match state.least_loss(budget, tol) {
                Some(o) if o != c && state.marginal[o] < keeps - tol => {
                    state.close(o);
                    *slot = o;
                    improved = true;
                }
                _ => {
                    state.close(c);
                }
            }
        }
        if extend(&mut state, &mut closed) {
            improved = true;
        }
        if !improved {
            break;
        }
    }
    order(problem, &closed)
}

/// `closed` in the order a council would close them: each the one that loses least given those
/// before it, with the points each leaves uncovered.
pub fn order(problem: &ClosureProblem, closed: &[usize]) -> Vec<Step> {
    let tol = ClosureProblem::tolerance(&problem.weight);
    let mut state = State::new(problem);
    let mut left: Vec<usize> = closed.to_vec();
    left.sort_unstable();
    left.dedup();
    let mut steps = Vec::with_capacity(left.len());
    while !left.is_empty() {
        let mut best = 0;
        for (k, &j) in left.iter().enumerate() {
            if state.before(j, left[best], tol) {
                best = k;
            }
        }
        let j = left.remove(best);
        let lost = state.close(j);
        steps.push(Step { amenity: j, lost });
    }
    steps
}

/// The least weight lost by closing `count` of the closable amenities, and one set that loses
/// it, by trying every set: for tests on small instances.
pub fn exhaustive(problem: &ClosureProblem, count: usize) -> (f64, Vec<usize>) {
    let pool: Vec<usize> = (0..problem.amenity_count())
        .filter(|&j| problem.closable[j])
        .collect();
    let count = count.min(pool.len());
    let mut pick: Vec<usize> = (0..count).collect();
    let set = |pick: &[usize]| pick.iter().map(|&k| pool[k]).collect::<Vec<usize>>();
    let mut best = (problem.loss(&set(&pick)).0, set(&pick));
    // Next combination in lexicographic order: bump the rightmost index that can still move.
    while let Some(i) = (0..count).rev().find(|&i| pick[i] < pool.len() - count + i) {
        pick[i] += 1;
        for k in i + 1..count {
            pick[k] = pick[k - 1] + 1;
        }
        let s = set(&pick);
        let loss = problem.loss(&s).0;
        if loss < best.0 {
            best = (loss, s);
        }
    }
    best
}

/// Cover counts and marginal losses under a set of closures.
struct State<'a> {
    p: &'a ClosureProblem,
    open: Vec<bool>,
    /// Per demand point, the open amenities covering it.
    count: Vec<u32>,
    /// Per open amenity, the weight and the children only it still covers: what closing it
    /// loses. Stale for a closed amenity.
    marginal: Vec<f64>,
    marginal_children: Vec<f64>,
    /// Children lost so far.
    lost_children: f64,
}

impl<'a> State<'a> {
    fn new(p: &'a ClosureProblem) -> State<'a> {
        let count: Vec<u32> = (0..p.demand_count())
            .map(|i| (p.first[i + 1] - p.first[i]) as u32)
            .collect();
        let (mut marginal, mut marginal_children) =
            (vec![0.0; p.amenity_count()], vec![0.0; p.amenity_count()]);
        for (j, c) in p.covers.iter().enumerate() {
            for &i in c.iter().filter(|&&i| count[i as usize] == 1) {
                marginal[j] += p.weight[i as usize];
                marginal_children[j] += p.children[i as usize];
            }
        }
        State {
            p,
            open: vec![true; p.amenity_count()],
            count,
            marginal,
            marginal_children,
            lost_children: 0.0,
        }
    }

    /// The open amenity (other than `except`) covering demand point `i`.
    fn other_open(&self, i: usize, except: usize) -> usize {
        self.p.coverers[self.p.first[i]..self.p.first[i + 1]]
            .iter()
            .map(|&k| k as usize)
            .find(|&k| k != except && self.open[k])
            .expect("the count says one is open")
    }

    /// Closes `j`; returns the demand points it leaves uncovered.
    fn close(&mut self, j: usize) -> Vec<u32> {
        self.open[j] = false;
        let mut lost = Vec::new();
        for &i in &self.p.covers[j] {
            let iu = i as usize;
            self.count[iu] -= 1;
            match self.count[iu] {
                0 => {
                    self.lost_children += self.p.children[iu];
                    lost.push(i);
                }
                1 => {
                    let k = self.other_open(iu, j);
                    self.marginal[k] += self.p.weight[iu];
                    self.marginal_children[k] += self.p.children[iu];
                }
                _ => {}
            }
        }
        lost
    }

    /// Opens `j` again; its marginal loss is then what it covers alone.
    fn reopen(&mut self, j: usize) {
        self.open[j] = true;
        self.marginal[j] = 0.0;
        self.marginal_children[j] = 0.0;
        for &i in &self.p.covers[j] {
            let iu = i as usize;
            self.count[iu] += 1;
            match self.count[iu] {
                1 => {
                    self.lost_children -= self.p.children[iu];
                    self.marginal[j] += self.p.weight[iu];
                    self.marginal_children[j] += self.p.children[iu];
                }
                2 => {
                    let k = self.other_open(iu, j);
                    self.marginal[k] -= self.p.weight[iu];
                    self.marginal_children[k] -= self.p.children[iu];
                }
                _ => {}
            }
        }
    }

    /// The open, closable amenity whose closure loses the least weight while the children lost
    /// stay within `budget` (ties as [`Self::before`] breaks them).
    fn least_loss(&self, budget: f64, tol: f64) -> Option<usize> {
        let mut best: Option<usize> = None;
        for j in 0..self.p.amenity_count() {
            if !self.open[j]
                || !self.p.closable[j]
                || self.lost_children + self.marginal_children[j] > budget
            {
                continue;
            }
            if best.is_none_or(|b| self.before(j, b, tol)) {
                best = Some(j);
            }
        }
        best
    }

    /// Whether open amenity `a` should close before `b`: it loses less; at an equal loss it
    /// reaches less; at equal reach it comes first (`a < b`).
    fn before(&self, a: usize, b: usize, tol: f64) -> bool {
        let (ma, mb) = (self.marginal[a], self.marginal[b]);
        if (ma - mb).abs() > tol {
            return ma < mb;
        }
        let (ra, rb) = (self.p.reach[a], self.p.reach[b]);
        if (ra - rb).abs() > tol {
            return ra < rb;
        }
        a < b
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three amenities: 0 covers points {0, 1}, 1 covers {1, 2}, 2 covers {2}.
    fn small() -> ClosureProblem {
        ClosureProblem::new(
            vec![5.0, 1.0, 2.0],
            vec![5.0, 1.0, 2.0],
            vec![vec![0, 1], vec![1, 2], vec![2]],
            vec![true; 3],
        )
    }

    #[test]
    fn closing_the_redundant_amenity_loses_nothing() {
        let steps = solve(&small(), Goal::Count(1));
        // Closing 2 loses nothing (1 still covers point 2), nor does closing 1 (0 and 2 cover
        // its points); 0 loses 5. Of the two, 2 reaches fewer children (2 against 1 + 2).
        assert_eq!(steps[0].amenity, 2);
        assert!(steps[0].lost.is_empty());
    }

    #[test]
    fn the_order_gives_each_closure_its_own_loss() {
        let steps = order(&small(), &[0, 2]);
        // 2 first (loses nothing while 1 is open), then 0 loses point 0.
        assert_eq!(steps.iter().map(|s| s.amenity).collect::<Vec<_>>(), [2, 0]);
        assert_eq!(steps[1].lost, [0]);
        assert_eq!(small().loss(&[0, 2]), (5.0, 5.0));
    }

    #[test]
    fn a_budget_of_children_stops_the_closures() {
        // At most 2 children lost: close 1 (0), then 2 (loses point 2: 2 children); 0 would
        // lose 5 + 1 more.
        let steps = solve(&small(), Goal::MaxChildrenLost(2.0));
        let mut closed: Vec<usize> = steps.iter().map(|s| s.amenity).collect();
        closed.sort_unstable();
        assert_eq!(closed, [1, 2]);
    }
}
