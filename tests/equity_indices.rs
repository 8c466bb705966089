//! Equity indices checked against hand computations and against an independent Python
//! computation (tests/fixtures/equity_indices.json, made by scripts/equity_indices_fixture.py
//! with PySAL `inequality`, numpy and scipy on the data expanded to one row per child).

use kindscape::equity::{
    chances, concentration_index, fgt_poverty, gini, interpolated_weighted_quantile, mix,
    palma_ratio, priority_weights, quintiles, rank_desc, theil_t, theil_t_by_group,
    ConcentrationType,
};
use proptest::prelude::*;
use serde_json::Value;

fn close(actual: f64, expected: f64, tolerance: f64) -> bool {
    (actual - expected).abs() <= tolerance * expected.abs().max(1.0)
}

macro_rules! assert_close {
    ($actual:expr, $expected:expr) => {
        assert_close!($actual, $expected, 1e-12)
    };
    ($actual:expr, $expected:expr, $tol:expr) => {{
        let (a, e): (f64, f64) = ($actual, $expected);
        assert!(
            close(a, e, $tol),
            "{} = {a}, expected {e}",
            stringify!($actual)
        );
    }};
}

// ---------------------------------------------------------------- hand-computed cases

/// Three units (outcome h, income, children): A (1, 10, 1), B (2, 20, 2), C (4, 30, 1).
const H: [f64; 3] = [1.0, 2.0, 4.0];
const INCOME: [f64; 3] = [10.0, 20.0, 30.0];
const W: [f64; 3] = [1.0, 2.0, 1.0];

#[test]
fn concentration_index_by_hand() {
    // W = 4, mean h = (1 + 4 + 4) / 4 = 2.25.
    // Fractional ranks: A (0 + 1/2)/4 = 0.125, B (1 + 1)/4 = 0.5, C (3 + 1/2)/4 = 0.875.
    // cov = sum w/W (h - 2.25)(R - 0.5)
    //     = 0.25 (-1.25)(-0.375) + 0.5 (-0.25)(0) + 0.25 (1.75)(0.375)
    //     = 0.1171875 + 0 + 0.1640625 = 0.28125.
    // Standard: 2 * 0.28125 / 2.25 = 0.25. Corrected: 8 * 0.28125 / (4 - 1) = 0.75.
    let standard = concentration_index(&H, &INCOME, &W, ConcentrationType::Standard).unwrap();
    let corrected = concentration_index(&H, &INCOME, &W, ConcentrationType::Corrected).unwrap();
    assert_close!(standard, 0.25);
    assert_close!(corrected, 0.75);
    // Corrected = standard * 4 mean / (max - min), R's correction factor: 0.25 * 9 / 3.
    assert_close!(corrected, standard * 4.0 * 2.25 / 3.0);
}

#[test]
fn concentration_index_signs_and_undefined_cases() {
    // The same outcomes, but the poorest child has the most: pro-poor, negative.
    let reversed = [30.0, 20.0, 10.0];
    let ci = concentration_index(&H, &reversed, &W, ConcentrationType::Standard).unwrap();
    assert_close!(ci, -0.25);
    // Higher-is-worse attribute, oriented with `chances`: a low-income share of 0.5, 0.3, 0.1
    // ranks A poorest, as the incomes do.
    let low_income_share = [0.5, 0.3, 0.1].map(|v| chances(v, true));
    let ci = concentration_index(&H, &low_income_share, &W, ConcentrationType::Standard);
    assert_close!(ci.unwrap(), 0.25);
    // Constant outcome: standard 0, corrected undefined (max = min); zero mean: undefined.
    let flat = [3.0; 3];
    assert_eq!(
        concentration_index(&flat, &INCOME, &W, ConcentrationType::Standard),
        Some(0.0)
    );
    assert_eq!(
        concentration_index(&flat, &INCOME, &W, ConcentrationType::Corrected),
        None
    );
    assert_eq!(
        concentration_index(&[0.0; 3], &INCOME, &W, ConcentrationType::Standard),
        None
    );
    // No children, or only NaN: undefined.
    assert_eq!(
        concentration_index(&H, &INCOME, &[0.0; 3], ConcentrationType::Standard),
        None
    );
    // A NaN income drops its unit: then A and C only (equal weights, ranks 0.25, 0.75),
    // mean 2.5, cov = 0.5 (-1.5)(-0.25) + 0.5 (1.5)(0.25) = 0.375, CI = 0.75 / 2.5 = 0.3.
    let ci = concentration_index(
        &H,
        &[10.0, f64::NAN, 30.0],
        &[1.0, 1.0, 1.0],
        ConcentrationType::Standard,
    );
    assert_close!(ci.unwrap(), 0.3);
}

#[test]
fn tied_incomes_share_a_rank_so_homes_equal_their_neighbourhood() {
    // Neighbourhood X (income 10) has two homes with scores 0 and 4 (one child each);
    // neighbourhood Y (income 20) one home with score 2 and two children.
    // Homes: mean = (0 + 4 + 4) / 4 = 2; the tied homes share rank (0 + 1)/4 = 0.25, Y's home
    // has (2 + 1)/4 = 0.75. cov = 0.25(-2)(-0.25) + 0.25(2)(-0.25) + 0.5(0)(0.25) = 0, so CI = 0:
    // exactly the CI of the neighbourhoods, X (mean 2, 2 children) and Y (2, 2 children).
    // (Ranking the tied homes in row order, as R does, would give +0.125 or -0.125.)
    let homes = concentration_index(
        &[0.0, 4.0, 2.0],
        &[10.0, 10.0, 20.0],
        &[1.0, 1.0, 2.0],
        ConcentrationType::Standard,
    );
    assert_close!(homes.unwrap(), 0.0);
}

#[test]
fn gini_by_hand() {
    // Children with outcomes 1, 2, 2, 4 (units A, B with 2 children, C); total 9.
    // Lorenz points: (1/4, 1/9), (3/4, 5/9), (1, 1). Trapezoids:
    // (0 + 1/9)/2 * 1/4 + (1/9 + 5/9)/2 * 2/4 + (5/9 + 1)/2 * 1/4 = (1 + 12 + 14)/72 = 27/72.
    // G = 1 - 2 * 27/72 = 0.25. Check: sum over ordered pairs |xi - xj| = 18,
    // 18 / (2 * 4^2 * 2.25) = 0.25.
    assert_close!(gini(&H, &W).unwrap(), 0.25);
    assert_close!(gini(&[5.0, 5.0], &[3.0, 7.0]).unwrap(), 0.0);
    // One child of 4 has everything: 1 - 1/4 = 0.75.
    assert_close!(gini(&[0.0, 0.0, 0.0, 8.0], &[1.0; 4]).unwrap(), 0.75);
    assert_eq!(gini(&[0.0, 0.0], &[1.0, 1.0]), None);
    assert_eq!(gini(&[-1.0, 2.0], &[1.0, 1.0]), None);
}

#[test]
fn palma_ratio_by_hand() {
    // Ten units of one child, incomes 1..10, outcomes 1,1,1,1,2,2,2,2,2,8.
    // q40 = type-7 quantile at 1 + 9 * 0.4 = 4.6 -> 4.6; bottom = incomes 1..4, mean 1.
    // q90 at 1 + 9 * 0.9 = 9.1 -> 9.1; top = income 10, mean 8. Palma = 8 / 1 = 8.
    let income: Vec<f64> = (1..=10).map(f64::from).collect();
    let outcome = [1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 2.0, 2.0, 2.0, 8.0];
    let ones = [1.0; 10];
    assert_close!(
        interpolated_weighted_quantile(&income, &ones, 0.4).unwrap(),
        4.6
    );
    assert_close!(
        interpolated_weighted_quantile(&income, &ones, 0.9).unwrap(),
        9.1
    );
    assert_close!(palma_ratio(&outcome, &income, &ones).unwrap(), 8.0);
    // Give income 10 three children: 12 children, q90 at 1 + 11 * 0.9 = 10.9 lies between the
    // 10th and 11th child, both income 10, so q90 = 10 and nobody is strictly above it: the top
    // group is empty and the ratio undefined (R returns NA).
    let mut weights = ones;
    weights[9] = 3.0;
    assert_eq!(
        interpolated_weighted_quantile(&income, &weights, 0.9),
        Some(10.0)
    );
    assert_eq!(palma_ratio(&outcome, &income, &weights), None);
}

#[test]
fn theil_by_hand() {
    // Two children with 1 and 3: mean 2, T = 0.5 (0.5 ln 0.5) + 0.5 (1.5 ln 1.5)
    //   = 0.5 (-0.3465736) + 0.5 (0.6081977) = 0.1308120.
    let t = theil_t(&[1.0, 3.0], &[1.0, 1.0]).unwrap();
    assert_close!(t, 0.130_812_035_941_136_97);
    // Groups that separate them: all inequality is between groups.
    let d = theil_t_by_group(&[1.0, 3.0], &[1.0, 1.0], &[Some(1), Some(2)]).unwrap();
    assert_close!(d.between, t);
    assert_close!(d.within, 0.0);
    // Add two children with 2 in group 2 and put 1 and 3 together in group 1: both group means
    // are 2, so between = 0; total = 0.25 (0.5 ln 0.5 + 1.5 ln 1.5) = 0.0654060 = within
    // = s_1 T_1 = (4 / 8) * 0.1308120.
    let d = theil_t_by_group(
        &[1.0, 3.0, 2.0],
        &[1.0, 1.0, 2.0],
        &[Some(1), Some(1), Some(2)],
    )
    .unwrap();
    assert_close!(d.between, 0.0);
    assert_close!(d.within, t / 2.0);
    assert_close!(d.total, t / 2.0);
    assert_eq!(d.groups.len(), 2);
    assert_close!(d.groups[0].theil_t, t);
    assert_close!(d.groups[1].theil_t, 0.0);
    // Zero outcomes use the limit 0 ln 0 = 0: children with 0 and 2, mean 1:
    // T = 0.5 * 0 + 0.5 * (2 ln 2) = ln 2.
    assert_close!(
        theil_t(&[0.0, 2.0], &[1.0, 1.0]).unwrap(),
        std::f64::consts::LN_2
    );
    assert_eq!(theil_t(&[0.0, 0.0], &[1.0, 1.0]), None);
}

#[test]
fn fgt_by_hand() {
    // Outcomes 0, 30, 60, 90, one child each, line 60: shortfalls 1, 0.5, 0, 0.
    // FGT0 = 2/4, FGT1 = 1.5/4 = 0.375, FGT2 = (1 + 0.25)/4 = 0.3125.
    let f = fgt_poverty(&[0.0, 30.0, 60.0, 90.0], &[1.0; 4], 60.0).unwrap();
    assert_close!(f.fgt0, 0.5);
    assert_close!(f.fgt1, 0.375);
    assert_close!(f.fgt2, 0.3125);
    assert_eq!(fgt_poverty(&[1.0], &[1.0], 0.0), None);
}

#[test]
fn quintiles_by_children_with_straddling_and_ties() {
    // Children 10, 50, 40 (total 100) for values 1, 2, 3. Mid-ranks: 5/100 -> quintile 1;
    // (10 + 25)/100 = 0.35 -> quintile 2 (it straddles quintiles 1 to 3, its middle child is in
    // 2); (60 + 20)/100 = 0.8 -> exactly on a boundary, goes up: quintile 5.
    let q = quintiles(
        &[Some(1.0), Some(2.0), Some(3.0)],
        &[10.0, 50.0, 40.0],
        false,
    );
    assert_eq!(q, vec![Some(1), Some(2), Some(5)]);
    // Ties share a quintile: values 5, 5, 1, 9 with one child each: 1 -> 0.125 -> 1;
    // the 5s -> (1 + 1)/4 = 0.5 -> 3; 9 -> 0.875 -> 5.
    let q = quintiles(
        &[Some(5.0), Some(5.0), Some(1.0), Some(9.0)],
        &[1.0; 4],
        false,
    );
    assert_eq!(q, vec![Some(3), Some(3), Some(1), Some(5)]);
    // higher_is_worse: the highest low-income share has the fewest chances.
    let share = [Some(0.1), Some(0.3), Some(0.5), Some(0.7), Some(0.9)];
    assert_eq!(
        quintiles(&share, &[1.0; 5], true),
        vec![Some(5), Some(4), Some(3), Some(2), Some(1)]
    );
    assert_eq!(
        quintiles(&share, &[1.0; 5], false),
        vec![Some(1), Some(2), Some(3), Some(4), Some(5)]
    );
    // Missing values stay missing; with no children at all each neighbourhood counts once:
    // 1 -> 1/6 -> 1, 2 -> 0.5 -> 3, 3 -> 5/6 -> 5.
    let q = quintiles(
        &[Some(3.0), None, Some(1.0), Some(f64::NAN), Some(2.0)],
        &[0.0; 5],
        false,
    );
    assert_eq!(q, vec![Some(5), None, Some(1), None, Some(3)]);
    assert!(quintiles(&[], &[], false).is_empty());
}

#[test]
fn meeting_mix_by_hand() {
    // 30 and 10 children from quintiles 1 and 2: shares 0.75, 0.25;
    // H = -(0.75 ln 0.75 + 0.25 ln 0.25) = 0.5623351, / ln 5 = 0.3493985.
    let m = mix(&[30.0, 10.0, 0.0, 0.0, 0.0]);
    assert_eq!(m.shares, [0.75, 0.25, 0.0, 0.0, 0.0]);
    assert_close!(m.entropy, 0.349_398_470_282_297_1);
    let even = mix(&[2.0; 5]);
    assert_close!(even.entropy, 1.0);
    assert_eq!(even.shares, [0.2; 5]);
    let none = mix(&[0.0; 5]);
    assert_eq!((none.shares, none.entropy), ([0.0; 5], 0.0));
    // Negative or NaN counts are ignored.
    assert_eq!(
        mix(&[-3.0, f64::NAN, 4.0, 0.0, 0.0]).shares,
        [0.0, 0.0, 1.0, 0.0, 0.0]
    );
}

#[test]
fn priority_weights_and_ranks() {
    // 1 + 2 * (5 - q) / 4: q1 -> 3, q2 -> 2.5, q4 -> 1.5, q5 -> 1; no quintile -> 1.
    assert_eq!(
        priority_weights(&[Some(1), Some(2), Some(4), Some(5), None], 2.0),
        vec![3.0, 2.5, 1.5, 1.0, 1.0]
    );
    assert_eq!(priority_weights(&[Some(1), Some(3)], 0.0), vec![1.0, 1.0]);
    // Gaps 40 (q1, weight 2) = 80, 70 (q5, weight 1) = 70, 40 (q3, 1.5) = 60:
    // the most deprived neighbourhood comes first though its gap is smaller.
    let w = priority_weights(&[Some(1), Some(5), Some(3)], 1.0);
    let weighted: Vec<f64> = [40.0, 70.0, 40.0]
        .iter()
        .zip(&w)
        .map(|(g, w)| g * w)
        .collect();
    assert_eq!(rank_desc(&weighted), vec![1, 2, 3]);
    // Ties by index; NaN last.
    assert_eq!(
        rank_desc(&[1.0, 2.0, 2.0, f64::NAN, 0.5]),
        vec![3, 1, 2, 5, 4]
    );
    assert!(rank_desc(&[]).is_empty());
}

// ---------------------------------------------------------------- independent reference

fn numbers(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_f64().expect("number"))
        .collect()
}

#[test]
fn indices_equal_the_python_reference() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/equity_indices.json"
    ))
    .expect("fixture");
    let fixture: Value = serde_json::from_str(&text).expect("json");
    let children = numbers(&fixture["children"]);
    let income = numbers(&fixture["income"]);
    let score = numbers(&fixture["score"]);
    let group: Vec<Option<u8>> = numbers(&fixture["group"])
        .iter()
        .map(|&g| Some(g as u8))
        .collect();
    let line = fixture["poverty_line"].as_f64().unwrap();
    let e = &fixture["expected"];
    let expected = |key: &str| e[key].as_f64().expect(key);
    let tol = 1e-9;

    assert_close!(gini(&score, &children).unwrap(), expected("gini"), tol);
    assert_close!(
        theil_t(&score, &children).unwrap(),
        expected("theil_t"),
        tol
    );
    let d = theil_t_by_group(&score, &children, &group).unwrap();
    assert_close!(d.total, expected("theil_t"), tol);
    assert_close!(d.between, expected("theil_between"), tol);
    assert_close!(d.within, expected("theil_within"), tol);
    let standard =
        concentration_index(&score, &income, &children, ConcentrationType::Standard).unwrap();
    let corrected =
        concentration_index(&score, &income, &children, ConcentrationType::Corrected).unwrap();
    assert_close!(standard, expected("concentration_standard"), tol);
    assert_close!(corrected, expected("concentration_corrected"), tol);
    assert_close!(
        interpolated_weighted_quantile(&income, &children, 0.4).unwrap(),
        expected("income_q40"),
        tol
    );
    assert_close!(
        interpolated_weighted_quantile(&income, &children, 0.9).unwrap(),
        expected("income_q90"),
        tol
    );
    assert_close!(
        palma_ratio(&score, &income, &children).unwrap(),
        expected("palma_ratio"),
        tol
    );
    let q: Vec<Option<u8>> = numbers(&e["quintile"])
        .iter()
        .map(|&q| Some(q as u8))
        .collect();
    let values: Vec<Option<f64>> = income.iter().map(|&v| Some(v)).collect();
    assert_eq!(quintiles(&values, &children, false), q);
    let f = fgt_poverty(&score, &children, line).unwrap();
    assert_close!(f.fgt0, expected("fgt0"), tol);
    assert_close!(f.fgt1, expected("fgt1"), tol);
    assert_close!(f.fgt2, expected("fgt2"), tol);
}

// ---------------------------------------------------------------- properties

/// Units with outcome 0..100, income among a few levels (so ties happen) and 1..20 children,
/// plus how many homes each unit splits into.
fn units() -> impl Strategy<Value = Vec<(f64, f64, f64, usize)>> {
    prop::collection::vec((0.0..100.0f64, 0u8..6, 1.0..20.0f64, 1usize..4), 2..30).prop_map(|v| {
        v.into_iter()
            .map(|(h, level, w, parts)| (h, f64::from(level) * 1000.0, w, parts))
            .collect()
    })
}

proptest! {
    /// Homes that inherit their neighbourhood's values (its children shared among them) give the
    /// same indices and quintile as the neighbourhoods themselves.
    #[test]
    fn splitting_units_into_homes_changes_nothing(units in units()) {
        let (h, y, w): (Vec<f64>, Vec<f64>, Vec<f64>) = (
            units.iter().map(|u| u.0).collect(),
            units.iter().map(|u| u.1).collect(),
            units.iter().map(|u| u.2).collect(),
        );
        let mut split = (Vec::new(), Vec::new(), Vec::new());
        for u in &units {
            for part in 0..u.3 {
                // Unequal parts that add up to the unit's children.
                let share = (part + 1) as f64 / (u.3 * (u.3 + 1) / 2) as f64;
                split.0.push(u.0);
                split.1.push(u.1);
                split.2.push(u.2 * share);
            }
        }
        for kind in [ConcentrationType::Standard, ConcentrationType::Corrected] {
            let a = concentration_index(&h, &y, &w, kind);
            let b = concentration_index(&split.0, &split.1, &split.2, kind);
            prop_assert_eq!(a.is_some(), b.is_some());
            if let (Some(a), Some(b)) = (a, b) {
                prop_assert!(close(a, b, 1e-9), "{kind:?}: {a} vs {b}");
            }
        }
        for (a, b) in [
            (gini(&h, &w), gini(&split.0, &split.2)),
            (theil_t(&h, &w), theil_t(&split.0, &split.2)),
            (palma_ratio(&h, &y, &w), palma_ratio(&split.0, &split.1, &split.2)),
        ] {
            prop_assert_eq!(a.is_some(), b.is_some());
            if let (Some(a), Some(b)) = (a, b) {
                prop_assert!(close(a, b, 1e-9), "{a} vs {b}");
            }
        }
        let q = quintiles(&y.iter().map(|&v| Some(v)).collect::<Vec<_>>(), &w, false);
        let q_split = quintiles(&split.1.iter().map(|&v| Some(v)).collect::<Vec<_>>(), &split.2, false);
        let mut k = 0;
        for (unit, u) in units.iter().enumerate() {
            for _ in 0..u.3 {
                prop_assert_eq!(q_split[k], q[unit]);
                k += 1;
            }
        }
    }

    /// Reversing the ranking flips the concentration index; quintiles hold about a fifth of the
    /// children each (no quintile holds more than a fifth plus its largest neighbourhood);
    /// Gini and Theil lie in their ranges and the Theil parts add up.
    #[test]
    fn ranges_and_symmetries(units in units()) {
        let h: Vec<f64> = units.iter().map(|u| u.0).collect();
        let y: Vec<f64> = units.iter().map(|u| u.1).collect();
        let w: Vec<f64> = units.iter().map(|u| u.2).collect();
        let neg: Vec<f64> = y.iter().map(|&v| -v).collect();
        if let (Some(a), Some(b)) = (
            concentration_index(&h, &y, &w, ConcentrationType::Standard),
            concentration_index(&h, &neg, &w, ConcentrationType::Standard),
        ) {
            prop_assert!(close(a, -b, 1e-9));
            prop_assert!((-1.0..=1.0).contains(&a));
        }
        if let Some(g) = gini(&h, &w) {
            prop_assert!((-1e-12..1.0).contains(&g));
        }
        let q = quintiles(&y.iter().map(|&v| Some(v)).collect::<Vec<_>>(), &w, false);
        let total: f64 = w.iter().sum();
        let largest = w.iter().cloned().fold(0.0, f64::max);
        // A tie block acts as one neighbourhood.
        let mut block = std::collections::BTreeMap::<i64, f64>::new();
        for (&v, &c) in y.iter().zip(&w) {
            *block.entry(v as i64).or_default() += c;
        }
        let largest_block = block.values().cloned().fold(largest, f64::max);
        for quintile in 1..=5u8 {
            let held: f64 = q.iter().zip(&w).filter(|(x, _)| **x == Some(quintile)).map(|(_, c)| c).sum();
            prop_assert!(held <= total / 5.0 + largest_block + 1e-9);
        }
        let groups: Vec<Option<u8>> = q.clone();
        if let Some(d) = theil_t_by_group(&h, &w, &groups) {
            prop_assert!(close(d.total, d.between + d.within, 1e-9));
            prop_assert!(d.total >= -1e-12 && d.between >= -1e-12 && d.within >= -1e-12);
            prop_assert!(close(d.total, theil_t(&h, &w).unwrap(), 1e-9));
        }
    }
}
