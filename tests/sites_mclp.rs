//! Maximal covering location: hand-checked instances, brute force on random small instances, and
//! PySAL spopt's optimal MCLP (tests/fixtures/sites_mclp_spopt.json, scripts/sites_spopt_fixture.py).

use kindscape::sites::candidates::covers_within;
use kindscape::sites::{exhaustive, select, tally, CoverageProblem};
use proptest::prelude::*;

/// Greedy's guarantee for a monotone submodular objective (Nemhauser, Wolsey & Fisher 1978).
const GREEDY_BOUND: f64 = 1.0 - 1.0 / std::f64::consts::E;

fn problem(weights: &[f64], covers: &[&[u32]], capacity: Option<f64>) -> CoverageProblem {
    CoverageProblem::new(
        weights.to_vec(),
        covers.iter().map(|c| c.to_vec()).collect(),
        capacity,
    )
    .expect("valid instance")
}

#[test]
fn swap_pass_repairs_a_greedy_trap() {
    // Two clusters {0,1} and {2,3} of 3 children per home; site 0 straddles them (homes 1, 2)
    // and also reaches home 4 with 1 child, so greedy takes it first (7) and then one cluster
    // (+3) = 10. The two cluster sites together cover 12: one swap finds it.
    let p = problem(
        &[3.0, 3.0, 3.0, 3.0, 1.0],
        &[&[1, 2, 4], &[0, 1], &[2, 3]],
        None,
    );
    let s = select(&p, 2);
    assert_eq!(s.chosen, vec![1, 2]);
    assert_eq!(s.gains, vec![6.0, 6.0]);
    assert_eq!(s.total, vec![6.0, 12.0]);
    assert_eq!(exhaustive(&p, 2), s);
}

#[test]
fn capacity_serves_a_pro_rata_share() {
    // Capacity 12. Site 0 reaches homes 0, 1 (20 children): it serves 12, i.e. 60% of each,
    // leaving 4 + 4. Site 1 then reaches 4 + 10 = 14 and serves 12. Site 2 alone reaches 10.
    // Sets: {0,1} = 24, {0,2} = 12 + 10 = 22, {1,2} = 12 + 4 (home 2 keeps 40% of 10) = 16.
    let p = problem(&[10.0, 10.0, 10.0], &[&[0, 1], &[1, 2], &[2]], Some(12.0));
    let s = select(&p, 2);
    assert_eq!(s.chosen, vec![0, 1]);
    assert_eq!(s.gains, vec![12.0, 12.0]);
    assert!((p.covered_weight(&[0, 2]) - 22.0).abs() < 1e-12);
    assert!((p.covered_weight(&[1, 2]) - 16.0).abs() < 1e-12);
    // Children of home 0 only: site 0 serves 60% of its 10 children's weight share = 0.6 of 1.
    let home0 = tally(&p, &s.chosen, &[1.0, 0.0, 0.0]).unwrap();
    assert!((home0[0] - 0.6).abs() < 1e-12 && home0[1] == 0.0);
    // Home 2 (1 per child): site 1 serves 12/14 of the 10 there.
    let home2 = tally(&p, &s.chosen, &[0.0, 0.0, 10.0]).unwrap();
    assert!((home2[1] - 120.0 / 14.0).abs() < 1e-12);
}

#[test]
fn capacity_counts_children_when_weights_rank_the_sites() {
    // Home 0: 15 children at weight 2; capacity 10. The site serves 10/15 of them: 10 children,
    // weight 20 (not 10 weight = 5 children).
    let p = problem(&[30.0], &[&[0]], Some(10.0))
        .with_children(vec![15.0])
        .unwrap();
    let s = select(&p, 1);
    assert!((s.total[0] - 20.0).abs() < 1e-12);
    let children = tally(&p, &s.chosen, &[15.0]).unwrap();
    assert!((children[0] - 10.0).abs() < 1e-12);
    assert!(problem(&[1.0], &[&[0]], None)
        .with_children(vec![1.0, 2.0])
        .is_err());
}

#[test]
fn a_weighted_capacitated_gain_can_grow_and_greedy_sees_it() {
    // Capacity 10. Homes A (10 children, weight 10), E (1, 16), B (10, 20), C (10, 17).
    // Site 0 reaches A, E: serves 10/11 of both, weight 260/11 = 23.6. Site 1 reaches A, B:
    // alone 30 x 10/20 = 15, but after site 0 it reaches 10/11 + 20 weight in 10/11 + 10 children
    // and serves 11/12 of it: 230/12 = 19.2, more than site 2's 17 (C). Best pair {0, 1}.
    let p = problem(
        &[10.0, 16.0, 20.0, 17.0],
        &[&[0, 1], &[0, 2], &[3]],
        Some(10.0),
    )
    .with_children(vec![10.0, 1.0, 10.0, 10.0])
    .unwrap();
    let s = select(&p, 2);
    assert_eq!(s.chosen, vec![0, 1]);
    assert!((s.gains[0] - 260.0 / 11.0).abs() < 1e-9);
    assert!((s.gains[1] - 230.0 / 12.0).abs() < 1e-9);
    assert_eq!(exhaustive(&p, 2).chosen, s.chosen);
}

#[test]
fn sites_that_add_nothing_are_dropped() {
    let p = problem(&[5.0, 0.0], &[&[0], &[0], &[1], &[]], None);
    let s = select(&p, 3);
    assert_eq!(s.chosen, vec![0]);
    assert_eq!(s.total, vec![5.0]);
    assert_eq!(select(&p, 0).chosen, Vec::<usize>::new());
}

#[test]
fn invalid_instances_are_errors_that_say_what_is_wrong() {
    let bad_weight = CoverageProblem::new(vec![1.0, f64::NAN], vec![vec![0]], None);
    assert!(bad_weight
        .unwrap_err()
        .to_string()
        .contains("demand point 1"));
    let out_of_range = CoverageProblem::new(vec![1.0], vec![vec![0], vec![3]], None);
    assert!(out_of_range
        .unwrap_err()
        .to_string()
        .contains("candidate 1"));
    let unsorted = CoverageProblem::new(vec![1.0, 1.0], vec![vec![1, 0]], None);
    assert!(unsorted
        .unwrap_err()
        .to_string()
        .contains("strictly increasing"));
    let capacity = CoverageProblem::new(vec![1.0], vec![vec![0]], Some(0.0));
    assert!(capacity.unwrap_err().to_string().contains("capacity"));
    let p = problem(&[1.0], &[&[0]], None);
    assert!(tally(&p, &[0], &[1.0, 2.0]).is_err());
    assert!(tally(&p, &[1], &[1.0]).is_err());
}

/// A random small instance from a seed: up to 25 homes, up to 12 candidates.
fn random_instance(seed: u64, capacitated: bool) -> CoverageProblem {
    let mut state = seed;
    let mut next = move || {
        // SplitMix64.
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let demand = 1 + (next() % 25) as usize;
    let candidates = 1 + (next() % 12) as usize;
    let weights: Vec<f64> = (0..demand).map(|_| (next() % 11) as f64).collect();
    let density = 1 + next() % 5; // in tenths
    let covers = (0..candidates)
        .map(|_| {
            (0..demand as u32)
                .filter(|_| next() % 10 < density)
                .collect()
        })
        .collect();
    let capacity = capacitated.then(|| 1.0 + (next() % 30) as f64);
    CoverageProblem::new(weights, covers, capacity).expect("valid instance")
}

/// No single swap of a chosen site for another candidate covers more.
fn is_swap_local_optimum(p: &CoverageProblem, chosen: &[usize], tolerance: f64) -> bool {
    let value = p.covered_weight(chosen);
    (0..chosen.len()).all(|i| {
        (0..p.candidate_count())
            .filter(|j| !chosen.contains(j))
            .all(|j| {
                let mut set = chosen.to_vec();
                set[i] = j;
                p.covered_weight(&set) <= value + tolerance
            })
    })
}

/// Runs many seeded instances; returns (instances, exactly optimal, worst ratio to optimum).
fn compare_with_brute_force(capacitated: bool, instances: u64) -> (u64, u64, f64) {
    let mut exact = 0;
    let mut worst: f64 = 1.0;
    for seed in 0..instances {
        let p = random_instance(seed, capacitated);
        let k = 1 + (seed % 3) as usize;
        let ours = select(&p, k);
        let best = exhaustive(&p, k);
        let (got, opt) = (ours.covered(), best.covered());
        assert!(
            got <= opt + 1e-9,
            "seed {seed}: above the optimum {got} > {opt}"
        );
        assert!(
            (got - p.covered_weight(&ours.chosen)).abs() < 1e-9,
            "seed {seed}: running total disagrees with the set's value"
        );
        assert!(
            is_swap_local_optimum(&p, &ours.chosen, 1e-9),
            "seed {seed}: a single swap still improves {:?}",
            ours.chosen
        );
        if got >= opt - 1e-9 {
            exact += 1;
        } else {
            worst = worst.min(got / opt);
        }
    }
    (instances, exact, worst)
}

#[test]
fn greedy_with_swaps_against_brute_force_without_capacity() {
    let (n, exact, worst) = compare_with_brute_force(false, 3000);
    println!("uncapacitated: {exact} of {n} exactly optimal; worst ratio {worst:.4}");
    assert!(worst >= GREEDY_BOUND, "ratio {worst} below 1 - 1/e");
    // Measured 2952 of 3000 (98.4%), worst 0.884: a drop flags a broken swap pass.
    assert!(exact * 100 >= 97 * n, "only {exact} of {n} optimal");
}

#[test]
fn greedy_with_swaps_against_brute_force_with_capacity() {
    // Capacity makes the objective order-dependent and no longer submodular, so the (1 - 1/e)
    // bound is not a theorem here; it is checked empirically and the rate reported.
    let (n, exact, worst) = compare_with_brute_force(true, 3000);
    println!("capacitated: {exact} of {n} exactly optimal; worst ratio {worst:.4}");
    assert!(worst >= GREEDY_BOUND, "ratio {worst} below 1 - 1/e");
    // Measured 2974 of 3000 (99.1%), worst 0.867.
    assert!(exact * 100 >= 97 * n, "only {exact} of {n} optimal");
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]
    #[test]
    fn never_below_the_greedy_bound(
        weights in prop::collection::vec(0.0f64..20.0, 1..25),
        raw_covers in prop::collection::vec(prop::collection::vec(0u32..25, 0..12), 1..=12),
        k in 1usize..=3,
    ) {
        let n = weights.len() as u32;
        let covers: Vec<Vec<u32>> = raw_covers
            .into_iter()
            .map(|c| {
                let mut c: Vec<u32> = c.into_iter().filter(|&d| d < n).collect();
                c.sort_unstable();
                c.dedup();
                c
            })
            .collect();
        let p = CoverageProblem::new(weights, covers, None).unwrap();
        let got = select(&p, k).covered();
        let opt = exhaustive(&p, k).covered();
        prop_assert!(got <= opt + 1e-9);
        prop_assert!(got >= GREEDY_BOUND * opt - 1e-9);
    }
}

#[derive(serde::Deserialize)]
struct Fixture {
    instances: Vec<SpoptInstance>,
}

#[derive(serde::Deserialize)]
struct SpoptInstance {
    seed: u64,
    radius: f64,
    p: usize,
    demand_xy: Vec<[f64; 2]>,
    weights: Vec<f64>,
    candidate_xy: Vec<[f64; 2]>,
    spopt_chosen: Vec<usize>,
    spopt_covered_weight: f64,
}

#[test]
fn matches_spopt_optimum() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/sites_mclp_spopt.json"
    ))
    .unwrap();
    let fixture: Fixture = serde_json::from_str(&text).unwrap();
    assert_eq!(fixture.instances.len(), 3);
    for inst in fixture.instances {
        let covers: Vec<Vec<u32>> = inst
            .candidate_xy
            .iter()
            .map(|c| {
                inst.demand_xy
                    .iter()
                    .enumerate()
                    .filter(|(_, d)| (d[0] - c[0]).hypot(d[1] - c[1]) <= inst.radius)
                    .map(|(i, _)| i as u32)
                    .collect()
            })
            .collect();
        let radius = vec![inst.radius; inst.demand_xy.len()];
        let indexed = covers_within(&inst.demand_xy, &radius, &inst.candidate_xy);
        assert_eq!(indexed, covers);
        let p = CoverageProblem::new(inst.weights, covers, None).unwrap();
        // Same coverage as spopt's: its chosen sites cover its weight under our reach.
        assert_eq!(
            p.covered_weight(&inst.spopt_chosen),
            inst.spopt_covered_weight
        );
        let ours = select(&p, inst.p);
        println!(
            "seed {}: ours {:?} = {}, spopt {:?} = {}",
            inst.seed,
            ours.chosen,
            ours.covered(),
            inst.spopt_chosen,
            inst.spopt_covered_weight
        );
        assert!(
            (ours.covered() - inst.spopt_covered_weight).abs() < 1e-9,
            "seed {}: ours {} vs spopt's optimum {}",
            inst.seed,
            ours.covered(),
            inst.spopt_covered_weight
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]
    #[test]
    fn straight_line_covers_equal_brute_force(
        homes in prop::collection::vec(((0.0f64..1000.0, 0.0f64..1000.0), 0.0f64..400.0), 0..60),
        sites in prop::collection::vec((-100.0f64..1100.0, -100.0f64..1100.0), 0..8),
    ) {
        let xy: Vec<[f64; 2]> = homes.iter().map(|&((x, y), _)| [x, y]).collect();
        let radius: Vec<f64> = homes.iter().map(|&(_, r)| r).collect();
        let sites: Vec<[f64; 2]> = sites.iter().map(|&(x, y)| [x, y]).collect();
        let brute: Vec<Vec<u32>> = sites
            .iter()
            .map(|s| {
                (0..xy.len() as u32)
                    .filter(|&i| {
                        let [x, y] = xy[i as usize];
                        (x - s[0]).hypot(y - s[1]) <= radius[i as usize]
                    })
                    .collect()
            })
            .collect();
        prop_assert_eq!(covers_within(&xy, &radius, &sites), brute);
    }
}
