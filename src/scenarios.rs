//! What each `[[scenarios]]` entry changes: its figures per neighbourhood and for the study area,
//! and its equity indices, beside the base study's. The scenario's scene is built by
//! [`crate::scene::scenarios`]; the run measures it with the same stages as the base study.

use crate::equity::analysis::{IndexFigures, InequalityIndex};
use crate::neighbourhoods::NeighbourhoodFigures;
use crate::reach::Distances;
use crate::scene::{Amenity, Scene};
use crate::study::Norms;

/// One scenario, measured.
#[derive(Debug, Clone)]
pub struct ScenarioOutcome {
    pub name: String,
    /// Amenities the scenario removed and added.
    pub removed: usize,
    pub added: usize,
    /// Per neighbourhood, in scene order (no priority ranks).
    pub figures: Vec<NeighbourhoodFigures>,
    pub study_area: NeighbourhoodFigures,
    /// With `[equity]`: the inequality indices, as the base study's `Equity::indices`.
    pub indices: Option<Vec<IndexFigures>>,
    /// Where it changes things, for the report's map.
    pub changes: ScenarioChanges,
}

/// Where a scenario changes things: the amenities it removes and adds, and the homes whose
/// children gain or lose coverage of one kind, or whose distance to it changes.
#[derive(Debug, Clone, Default)]
pub struct ScenarioChanges {
    /// The kind compared home by home (its position in the scene): the focus kind when the
    /// scenario changes it, else the first kind it changes; `None` when that kind has no norm.
    pub kind: Option<usize>,
    /// Removed and added amenities, each with its kind's position in the scene.
    pub removed: Vec<(usize, Amenity)>,
    pub added: Vec<(usize, Amenity)>,
    /// The homes whose covered children or distance change, in home order.
    pub homes: Vec<HomeChange>,
}

/// One home's change in a scenario.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HomeChange {
    pub home: u32,
    /// Its children within their band's norm in the scenario minus in the base study (each
    /// band's share counted): above 0 they gain coverage, below 0 they lose it.
    pub covered: f64,
    /// Its distance to the kind (the shortest over the norm bands, as each band judges it) in
    /// the scenario minus in the base study; infinite when only one of them reaches the kind.
    pub metres: f64,
}

/// A distance change below this is rounding, not a change (a kind searched again walks the
/// same graph, but sums its edges in another order).
const SAME_METRES: f64 = 0.05;

/// The homes whose coverage of kind `k` or distance to it differs between the base study's
/// distances and a scenario's, over the same homes.
pub fn home_changes(
    norms: &Norms,
    scene: &Scene,
    base: &Distances,
    scenario: &Distances,
    k: usize,
) -> Vec<HomeChange> {
    let Some(table) = norms.get(&scene.amenities[k].kind) else {
        return Vec::new();
    };
    let homes = &scene.homes;
    (0..homes.len())
        .filter_map(|h| {
            let children = homes.children_of(h);
            let (mut covered, mut near_base, mut near_scenario) =
                (0.0, f64::INFINITY, f64::INFINITY);
            for (b, bn) in table.bands.iter().enumerate() {
                let (db, ds) = (base.judged(k, b, bn, h), scenario.judged(k, b, bn, h));
                near_base = near_base.min(db);
                near_scenario = near_scenario.min(ds);
                let c = children.get(bn.children_band).copied().unwrap_or(0.0) * bn.share;
                covered += c
                    * (f64::from(u8::from(ds <= bn.metres)) - f64::from(u8::from(db <= bn.metres)));
            }
            let metres = if near_base == near_scenario {
                0.0
            } else {
                near_scenario - near_base
            };
            (covered != 0.0 || metres.abs() > SAME_METRES).then_some(HomeChange {
                home: h as u32,
                covered,
                metres,
            })
        })
        .collect()
}

/// A figure in a scenario beside the same figure in the base study.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Change {
    pub scenario: Option<f64>,
    pub base: Option<f64>,
}

impl Change {
    /// Scenario minus base; none when either is undefined.
    pub fn delta(&self) -> Option<f64> {
        Some(self.scenario? - self.base?)
    }
}

/// The figures `scenarios.csv` compares for one group of homes (a neighbourhood or the study
/// area), named by their column: per kind (in scene order) `K_coverage` and `K_net_coverage`,
/// then `gap_children`, `score` and `play_m2_per_child`, as `neighbourhoods.csv` defines them.
pub fn compared(
    kinds: &[&str],
    scenario: &NeighbourhoodFigures,
    base: &NeighbourhoodFigures,
) -> Vec<(String, Change)> {
    let mut out = Vec::with_capacity(kinds.len() * 2 + 3);
    for (k, kind) in kinds.iter().enumerate() {
        let (s, b) = (&scenario.kinds[k], &base.kinds[k]);
        out.push((
            format!("{kind}_coverage"),
            Change {
                scenario: s.coverage,
                base: b.coverage,
            },
        ));
        out.push((
            format!("{kind}_net_coverage"),
            Change {
                scenario: s.net_coverage,
                base: b.net_coverage,
            },
        ));
    }
    out.push((
        "gap_children".into(),
        Change {
            scenario: Some(scenario.gap_children),
            base: Some(base.gap_children),
        },
    ));
    out.push((
        "score".into(),
        Change {
            scenario: scenario.score,
            base: base.score,
        },
    ));
    out.push((
        "play_m2_per_child".into(),
        Change {
            scenario: scenario.play_m2_per_child,
            base: base.play_m2_per_child,
        },
    ));
    out
}

/// The inequality indices of a scenario beside the base study's, named as `equity.csv` names
/// them and by what they measure: `concentration_index_score`,
/// `concentration_index_playground_coverage`, ... (every index of [`InequalityIndex::ALL`], of
/// the score and of each kind's coverage).
pub fn compared_indices(
    kinds: &[&str],
    scenario: &[IndexFigures],
    base: &[IndexFigures],
) -> Vec<(String, Change)> {
    let mut out = Vec::new();
    for index in InequalityIndex::ALL {
        let find = |all: &[IndexFigures]| all.iter().find(|i| i.index == index).cloned();
        let (Some(s), Some(b)) = (find(scenario), find(base)) else {
            continue;
        };
        out.push((
            format!("{}_score", index.key()),
            Change {
                scenario: s.score,
                base: b.score,
            },
        ));
        for (k, kind) in kinds.iter().enumerate() {
            out.push((
                format!("{}_{kind}_coverage", index.key()),
                Change {
                    scenario: s.coverage[k],
                    base: b.coverage[k],
                },
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::neighbourhoods::KindFigures;

    #[test]
    fn deltas_are_scenario_minus_base_and_empty_where_undefined() {
        let base = NeighbourhoodFigures {
            kinds: vec![KindFigures {
                coverage: Some(0.75),
                ..Default::default()
            }],
            gap_children: 10.0,
            score: Some(80.0),
            ..Default::default()
        };
        let scenario = NeighbourhoodFigures {
            kinds: vec![KindFigures {
                coverage: Some(0.5),
                ..Default::default()
            }],
            gap_children: 14.5,
            score: None,
            ..Default::default()
        };
        let c = compared(&["playground"], &scenario, &base);
        let names: Vec<&str> = c.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "playground_coverage",
                "playground_net_coverage",
                "gap_children",
                "score",
                "play_m2_per_child"
            ]
        );
        let deltas: Vec<Option<f64>> = c.iter().map(|(_, c)| c.delta()).collect();
        assert_eq!(deltas, [Some(-0.25), None, Some(4.5), None, None]);
    }
}
