//! `scenarios.csv`: each scenario's figures per neighbourhood and for the study area, each beside
//! the base study's and the difference.

use crate::neighbourhoods::NeighbourhoodFigures;
use crate::scenarios::{compared, compared_indices, Change, ScenarioOutcome};
use crate::scene::Scene;

use super::i18n::Texts;
use super::table::{Cell, Table};

/// What `neighbourhood_id` says on a scenario's study-area row.
pub const STUDY_AREA: &str = "study area";

/// Decimals of a compared column, as `neighbourhoods.csv` and `equity.csv` write it.
fn decimals(column: &str) -> usize {
    match column {
        "gap_children" | "play_m2_per_child" => 3,
        "score" => 2,
        _ => 6,
    }
}

/// The table: per scenario one row per neighbourhood (scene order), then its study-area row,
/// which alone carries the inequality indices (with `[equity]`).
pub fn scenarios_table(
    scene: &Scene,
    base_figures: &[NeighbourhoodFigures],
    base_study_area: &NeighbourhoodFigures,
    base_indices: Option<&[crate::equity::analysis::IndexFigures]>,
    scenarios: &[ScenarioOutcome],
) -> Table {
    let kinds: Vec<&str> = scene.amenities.iter().map(|k| k.kind.as_str()).collect();
    let figure_columns: Vec<String> = compared(&kinds, base_study_area, base_study_area)
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    let index_columns: Vec<String> = base_indices
        .map(|b| compared_indices(&kinds, b, b))
        .unwrap_or_default()
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    let mut columns: Vec<String> = ["scenario", "neighbourhood_id", "name", "children"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for c in figure_columns.iter().chain(&index_columns) {
        columns.push(c.clone());
        columns.push(format!("{c}_base"));
        columns.push(format!("{c}_delta"));
    }
    let push =
        |row: &mut Vec<Cell>, changes: &[(String, Change)], digits: &dyn Fn(&str) -> usize| {
            for (name, c) in changes {
                let d = digits(name);
                row.extend([
                    Cell::Num(c.scenario, d),
                    Cell::Num(c.base, d),
                    Cell::Num(c.delta(), d),
                ]);
            }
        };
    let mut rows = Vec::new();
    for s in scenarios {
        for ((nb, base), figures) in scene
            .neighbourhoods
            .iter()
            .zip(base_figures)
            .zip(&s.figures)
        {
            let mut row = vec![
                Cell::text(&s.name),
                Cell::text(&nb.id),
                Cell::text(&nb.name),
                Cell::Num(Some(figures.children), 3),
            ];
            push(&mut row, &compared(&kinds, figures, base), &decimals);
            row.extend((0..index_columns.len() * 3).map(|_| Cell::Num(None, 0)));
            rows.push(row);
        }
        let mut row = vec![
            Cell::text(&s.name),
            Cell::text(STUDY_AREA),
            Cell::text(""),
            Cell::Num(Some(s.study_area.children), 3),
        ];
        push(
            &mut row,
            &compared(&kinds, &s.study_area, base_study_area),
            &decimals,
        );
        match (s.indices.as_deref(), base_indices) {
            (Some(i), Some(b)) => push(&mut row, &compared_indices(&kinds, i, b), &|_| 6),
            _ => row.extend((0..index_columns.len() * 3).map(|_| Cell::Num(None, 0))),
        }
        rows.push(row);
    }
    Table { columns, rows }
}

/// One line per scenario for the terminal and `summary.md`: what it removed and added, and the
/// study area's figures that changed (coverage per kind as base -> scenario, the rest as
/// differences).
pub fn scenario_lines(
    t: &Texts,
    scene: &Scene,
    base_study_area: &NeighbourhoodFigures,
    scenarios: &[ScenarioOutcome],
) -> Vec<String> {
    let kinds: Vec<&str> = scene.amenities.iter().map(|k| k.kind.as_str()).collect();
    let pct = |v: Option<f64>| v.map_or("-".to_string(), |v| t.pct_with(Some(v), 1));
    // A difference that rounds to nothing is left out of the line.
    let signed = |v: f64, decimals: usize| {
        let text = t.figure(Some(v), decimals);
        match text.as_str() {
            "0" | "-0" => None,
            _ if v > 0.0 => Some(format!("+{text}")),
            _ => Some(text),
        }
    };
    scenarios
        .iter()
        .map(|s| {
            let mut changes = Vec::new();
            for (name, c) in compared(&kinds, &s.study_area, base_study_area) {
                let Some(d) = c.delta().filter(|d| *d != 0.0) else {
                    continue;
                };
                let difference = |key: &str, decimals: usize| {
                    signed(d, decimals).map(|delta| t.fmt(key, &[("delta", &delta)]))
                };
                let line = match name.as_str() {
                    "gap_children" => difference("scenario.gap", 0),
                    "score" => difference("scenario.score", 1),
                    "play_m2_per_child" => difference("scenario.play", 2),
                    coverage => {
                        let (kind, key) = match coverage.strip_suffix("_net_coverage") {
                            Some(kind) => (kind, "scenario.net_coverage"),
                            None => (coverage.trim_end_matches("_coverage"), "scenario.coverage"),
                        };
                        Some(t.fmt(
                            key,
                            &[
                                ("kind", &t.kind_lower(kind)),
                                ("base", &pct(c.base)),
                                ("value", &pct(c.scenario)),
                            ],
                        ))
                    }
                };
                changes.extend(line);
            }
            let changes = if changes.is_empty() {
                t.get("scenario.none").to_string()
            } else {
                changes.join("; ")
            };
            t.fmt(
                "scenario.line",
                &[
                    ("name", &s.name),
                    ("removed", &s.removed),
                    ("added", &s.added),
                    ("changes", &changes),
                ],
            )
        })
        .collect()
}
