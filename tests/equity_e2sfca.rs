//! E2SFCA play space per child, checked by hand, against PySAL `access` (fixture made by
//! scripts/equity_e2sfca_fixture.py) and for conservation of the total supply.

use kindscape::measures::e2sfca::{e2sfca, Band, Decay, Reach};
use proptest::prelude::*;
use serde_json::Value;

fn close(actual: f64, expected: f64, relative: f64) -> bool {
    (actual - expected).abs() <= relative * expected.abs().max(1e-12)
}

#[test]
fn two_playgrounds_by_hand() {
    // Playgrounds of 600 and 300 m2, catchment 300 m (thirds at 100 and 200 m), step decay.
    // Home 0 (10 children): playground 0 at 50 m (weight 1).
    // Home 1 (20 children): playground 0 at 150 m (0.68), playground 1 at 250 m (0.22).
    // Home 2 (30 children): playground 1 at 90 m (1).
    // Step 1: R0 = 600 / (10 * 1 + 20 * 0.68) = 600 / 23.6 = 25.4237288;
    //         R1 = 300 / (20 * 0.22 + 30 * 1) = 300 / 34.4 = 8.7209302.
    // Step 2: A0 = R0 = 25.4237288; A1 = 0.68 R0 + 0.22 R1 = 19.2067402; A2 = R1 = 8.7209302.
    // Conservation: 10 * 25.4237 + 20 * 19.2067 + 30 * 8.7209 = 900 = 600 + 300.
    let reach = [
        Reach {
            home: 0,
            facility: 0,
            distance: 50.0,
        },
        Reach {
            home: 1,
            facility: 0,
            distance: 150.0,
        },
        Reach {
            home: 1,
            facility: 1,
            distance: 250.0,
        },
        Reach {
            home: 2,
            facility: 1,
            distance: 90.0,
        },
    ];
    let bands = [Band {
        name: "all",
        children: &[10.0, 20.0, 30.0],
        catchment_m: 300.0,
        reach: &reach,
    }];
    let space = e2sfca(&[600.0, 300.0], &bands, Decay::Step).unwrap();
    let expected = [
        25.423_728_813_559_322,
        19.206_740_244_383_13,
        8.720_930_232_558_139,
    ];
    for (a, e) in space.per_child[0].iter().zip(expected) {
        assert!(close(*a, e, 1e-12), "{a} vs {e}");
    }
    assert!(close(space.weighted_children[0], 23.6, 1e-12));
    assert!(close(space.supply_distributed(&bands), 900.0, 1e-12));
    assert_eq!(space.supply_reached(&[600.0, 300.0]), 900.0);
    let all = space.per_child_all_bands(&bands);
    assert!(close(all[1].unwrap(), expected[1], 1e-12));
}

#[test]
fn unreached_playground_keeps_its_supply_and_unreached_home_gets_zero() {
    // Playground 1 (500 m2) is 400 m from the only home, beyond the 300 m catchment; home 1
    // reaches nothing. Home 0 gets all of playground 0: 200 m2 / 4 children = 50.
    let reach = [
        Reach {
            home: 0,
            facility: 0,
            distance: 10.0,
        },
        Reach {
            home: 0,
            facility: 1,
            distance: 400.0,
        },
    ];
    let bands = [Band {
        name: "all",
        children: &[4.0, 6.0],
        catchment_m: 300.0,
        reach: &reach,
    }];
    let space = e2sfca(&[200.0, 500.0], &bands, Decay::Gaussian).unwrap();
    assert_eq!(space.per_child[0], vec![50.0, 0.0]);
    // R0 = 200 / (4 w(10)), w(10) = 0.99859 for the Gaussian; nobody weighs on playground 1.
    let w = Decay::Gaussian.weight(10.0, 300.0);
    assert!(close(space.ratio[0], 200.0 / (4.0 * w), 1e-12));
    assert_eq!(space.ratio[1], 0.0);
    assert_eq!(space.supply_reached(&[200.0, 500.0]), 200.0);
    assert_eq!(space.supply_distributed(&bands), 200.0);
}

#[test]
fn bands_share_the_supply() {
    // One 300 m2 playground. 10 toddlers at 30 m (catchment 100 m, first third, weight 1) and 20 teenagers
    // at 500 m (catchment 1000 m, second third, weight 0.68) compete for it:
    // R = 300 / (10 + 13.6) = 12.7118644; toddlers get R, teenagers 0.68 R = 8.6440678;
    // 10 * 12.7118644 + 20 * 8.6440678 = 300.
    let toddlers = [Reach {
        home: 0,
        facility: 0,
        distance: 30.0,
    }];
    let teens = [Reach {
        home: 1,
        facility: 0,
        distance: 500.0,
    }];
    let bands = [
        Band {
            name: "0-5",
            children: &[10.0, 0.0],
            catchment_m: 100.0,
            reach: &toddlers,
        },
        Band {
            name: "12-17",
            children: &[0.0, 20.0],
            catchment_m: 1000.0,
            reach: &teens,
        },
    ];
    let space = e2sfca(&[300.0], &bands, Decay::Step).unwrap();
    assert!(close(space.per_child[0][0], 300.0 / 23.6, 1e-12));
    assert!(close(space.per_child[1][1], 0.68 * 300.0 / 23.6, 1e-12));
    assert!(close(space.supply_distributed(&bands), 300.0, 1e-12));
    // The teenagers' 500 m are beyond the toddlers' catchment: it does not count for band 0-5.
    assert_eq!(space.per_child[0][1], 0.0);
}

#[test]
fn bad_inputs_are_errors_naming_the_band() {
    fn run(
        supply: &[f64],
        children: &[&[f64]],
        reach: &[Reach],
        catchment_m: f64,
    ) -> Option<String> {
        let bands: Vec<Band> = children
            .iter()
            .map(|&children| Band {
                name: "6-11",
                children,
                catchment_m,
                reach,
            })
            .collect();
        e2sfca(supply, &bands, Decay::Step)
            .err()
            .map(|e| e.to_string())
    }
    let ok = [Reach {
        home: 0,
        facility: 0,
        distance: 10.0,
    }];
    assert_eq!(run(&[1.0], &[&[1.0]], &ok, 100.0), None);
    let out_of_range = [Reach {
        home: 3,
        facility: 0,
        distance: 1.0,
    }];
    let message = run(&[1.0], &[&[1.0]], &out_of_range, 100.0).unwrap();
    assert!(
        message.contains("band 6-11") && message.contains("home 3"),
        "{message}"
    );
    let no_facility = [Reach {
        home: 0,
        facility: 1,
        distance: 1.0,
    }];
    assert!(run(&[1.0], &[&[1.0]], &no_facility, 100.0).is_some());
    let nan = [Reach {
        home: 0,
        facility: 0,
        distance: f64::NAN,
    }];
    assert!(run(&[1.0], &[&[1.0]], &nan, 100.0).is_some());
    assert!(run(&[-1.0], &[&[1.0]], &ok, 100.0)
        .unwrap()
        .contains("facility 0"));
    assert!(run(&[1.0], &[&[f64::NAN]], &ok, 100.0).is_some());
    assert!(run(&[1.0], &[&[1.0]], &ok, 0.0).is_some());
    assert!(run(&[1.0], &[&[1.0], &[1.0, 2.0]], &ok, 100.0).is_some());
}

fn numbers(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_f64().expect("number"))
        .collect()
}

#[test]
fn equals_pysal_access() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/equity_e2sfca.json"
    ))
    .expect("fixture");
    let fixture: Value = serde_json::from_str(&text).expect("json");
    let supply = numbers(&fixture["supply"]);
    let distance: Vec<Vec<f64>> = fixture["distance"]
        .as_array()
        .unwrap()
        .iter()
        .map(numbers)
        .collect();
    let raw_bands = fixture["bands"].as_array().unwrap();
    let names: Vec<String> = raw_bands
        .iter()
        .map(|b| b["name"].as_str().unwrap().to_string())
        .collect();
    let children: Vec<Vec<f64>> = raw_bands.iter().map(|b| numbers(&b["children"])).collect();
    let catchments: Vec<f64> = raw_bands
        .iter()
        .map(|b| b["catchment_m"].as_f64().unwrap())
        .collect();
    // The caller's job in a run (rstar or the network): the pairs within each band's catchment.
    let reach: Vec<Vec<Reach>> = catchments
        .iter()
        .map(|&d0| {
            let mut pairs = Vec::new();
            for (home, row) in distance.iter().enumerate() {
                for (facility, &d) in row.iter().enumerate() {
                    if d <= d0 {
                        pairs.push(Reach {
                            home,
                            facility,
                            distance: d,
                        });
                    }
                }
            }
            pairs
        })
        .collect();
    let bands: Vec<Band> = (0..names.len())
        .map(|b| Band {
            name: &names[b],
            children: &children[b],
            catchment_m: catchments[b],
            reach: &reach[b],
        })
        .collect();
    let mut compared = 0;
    for (key, decay) in [("step", Decay::Step), ("gaussian", Decay::Gaussian)] {
        let expected = &fixture["expected"][key];
        let shared = e2sfca(&supply, &bands, decay).unwrap();
        for (b, band) in bands.iter().enumerate() {
            // Each band alone, with the full supply: the plain single-band E2SFCA.
            let alone = e2sfca(&supply, std::slice::from_ref(band), decay).unwrap();
            for (result, which) in [
                (&shared.per_child[b], "shared"),
                (&alone.per_child[0], "per_band"),
            ] {
                let reference = &expected[which][b];
                for (home, value) in result.iter().enumerate() {
                    // null: PySAL leaves a home that reaches nothing out; kindscape gives 0.
                    let want = reference[home].as_f64().unwrap_or(0.0);
                    assert!(
                        close(*value, want, 1e-6),
                        "{key} {which} band {} home {home}: {value} vs {want}",
                        band.name
                    );
                    compared += 1;
                }
            }
        }
        assert!(close(
            shared.supply_distributed(&bands),
            shared.supply_reached(&supply),
            1e-9
        ));
    }
    assert_eq!(compared, 2 * 2 * 3 * 60);
}

proptest! {
    /// sum_b sum_i D_ib A_ib = sum_j S_j over the facilities with children in reach, for any
    /// supply, children, distances and catchments, with both decays.
    #[test]
    fn total_supply_is_conserved(
        supply in prop::collection::vec(0.0..5000.0f64, 1..8),
        homes in 1usize..25,
        band_specs in prop::collection::vec((50.0..1500.0f64, any::<u64>()), 1..4),
        gaussian in any::<bool>(),
    ) {
        let facilities = supply.len();
        let data: Vec<(Vec<f64>, Vec<Reach>, f64)> = band_specs
            .iter()
            .map(|&(catchment, seed)| {
                // A small deterministic generator so that each band differs.
                let mut state = seed | 1;
                let mut next = move || {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    (state >> 11) as f64 / (1u64 << 53) as f64
                };
                let children: Vec<f64> = (0..homes).map(|_| (next() * 12.0).floor()).collect();
                let mut reach = Vec::new();
                for home in 0..homes {
                    for facility in 0..facilities {
                        if next() < 0.5 {
                            reach.push(Reach { home, facility, distance: next() * 1.5 * catchment });
                        }
                    }
                }
                (children, reach, catchment)
            })
            .collect();
        let bands: Vec<Band> = data
            .iter()
            .map(|(children, reach, catchment)| Band {
                name: "band",
                children,
                catchment_m: *catchment,
                reach,
            })
            .collect();
        let decay = if gaussian { Decay::Gaussian } else { Decay::Step };
        let space = e2sfca(&supply, &bands, decay).unwrap();
        let reached = space.supply_reached(&supply);
        let distributed = space.supply_distributed(&bands);
        prop_assert!((distributed - reached).abs() <= 1e-9 * reached.max(1.0),
            "{distributed} vs {reached}");
        prop_assert!(space.per_child.iter().flatten().all(|&a| a >= 0.0 && a.is_finite()));
    }
}
