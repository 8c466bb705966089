//! Priority: the neighbourhoods a city would fund first, then every neighbourhood's figures.

use maud::{html, Markup};

use crate::measures::gaps::focus_index;
use crate::neighbourhoods::coverage::priority_order;
use crate::output::report::facts::display_name;
use crate::output::report::html::{
    headers, kind_title, num, pct, pct_with, section, table, Td, Text, Tr,
};
use crate::output::report::ReportInput;

pub fn priority(input: &ReportInput) -> Markup {
    let focus_name = focus_index(input.study, input.scene)
        .map(|k| input.scene.amenities[k].kind.replace('_', " "))
        .unwrap_or_default();
    let ranked = ranked_rows(input);
    let inner = html! {
        p class="note" {
            "Neighbourhoods ranked by children outside the " (Text(&focus_name))
            " norm, weighted up where chances are fewest: the list a city would fund first."
        }
        @if ranked.is_empty() {
            p { "No neighbourhood has children outside the norm." }
        } @else {
            (table(&headers(&[
                "Rank",
                "Neighbourhood",
                "Id",
                "Children",
                "Outside the norm",
                "Within norm",
                "Score",
                "Quintile",
                "Double disadvantage",
            ]), &ranked, true))
        }
        h3 { "All neighbourhoods" }
        p class="note" {
            "Click a column heading to sort. Every column is in " code { "neighbourhoods.csv" } "."
        }
        (all_neighbourhoods(input))
    };
    section("priority", "Priority", inner)
}

/// A neighbourhood's quintile of chances, when the study has `[equity]`.
fn quintile(input: &ReportInput, i: usize) -> Option<u8> {
    input
        .equity
        .and_then(|e| e.quintile.get(i).copied().flatten())
}

fn ranked_rows(input: &ReportInput) -> Vec<Tr> {
    let focus = focus_index(input.study, input.scene);
    priority_order(input.figures)
        .into_iter()
        .map(|i| {
            let f = &input.figures[i];
            let nb = &input.scene.neighbourhoods[i];
            let cov = focus
                .and_then(|k| f.kinds.get(k))
                .and_then(|kf| kf.net_coverage.or(kf.coverage));
            let dd = input
                .equity
                .and_then(|e| e.double_disadvantage.get(i).copied())
                .unwrap_or(false);
            let rank = f.priority_rank.map(|r| r as f64);
            let q = quintile(input, i);
            Tr {
                id: Some(nb.id.clone()),
                class: None,
                cells: vec![
                    Td::num(rank, num(rank, 0)),
                    Td::text(&display_name(nb)),
                    Td::text(&nb.id),
                    Td::num(Some(f.children), num(Some(f.children), 0)),
                    Td::num(Some(f.gap_children), num(Some(f.gap_children), 0)),
                    Td::num(cov, pct(cov)),
                    Td::num(f.score, num(f.score, 0)),
                    Td::num(
                        q.map(f64::from),
                        q.map(|q| q.to_string()).unwrap_or("–".into()),
                    ),
                    Td::text(if dd { "yes" } else { "" }),
                ],
            }
        })
        .collect()
}

fn all_neighbourhoods(input: &ReportInput) -> Markup {
    let mut names: Vec<String> = vec!["Neighbourhood".into(), "Id".into(), "Children".into()];
    names.extend(input.scene.amenities.iter().map(|k| kind_title(&k.kind)));
    names.extend(headers(&[
        "Score",
        "Play area",
        "Play m² per child",
        "Outside the norm",
        "Rank",
        "Quintile",
    ]));
    let rows: Vec<Tr> = input
        .scene
        .neighbourhoods
        .iter()
        .zip(input.figures)
        .enumerate()
        .map(|(i, (nb, f))| {
            let mut cells = vec![
                Td::text(&display_name(nb)),
                Td::text(&nb.id),
                Td::num(Some(f.children), num(Some(f.children), 0)),
            ];
            for kf in &f.kinds {
                let v = kf.net_coverage.or(kf.coverage);
                cells.push(Td::num(v, pct(v)));
            }
            let rank = f.priority_rank.map(|r| r as f64);
            let q = quintile(input, i).map(f64::from);
            cells.extend([
                Td::num(f.score, num(f.score, 0)),
                Td::num(f.play_area_share, pct_with(f.play_area_share, 2)),
                Td::num(f.play_m2_per_child, num(f.play_m2_per_child, 1)),
                Td::num(Some(f.gap_children), num(Some(f.gap_children), 0)),
                Td::num(rank, num(rank, 0)),
                Td::num(q, num(q, 0)),
            ]);
            Tr {
                id: Some(nb.id.clone()),
                class: None,
                cells,
            }
        })
        .collect();
    table(&names, &rows, true)
}
