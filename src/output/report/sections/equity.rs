//! Equity: coverage and score by quintile of chances, the inequality indices and the
//! neighbourhoods in double disadvantage.

use maud::{html, Markup};

use super::distance_kind;
use crate::equity::analysis::Equity;
use crate::output::report::charts::grouped_bars;
use crate::output::report::facts::display_name;
use crate::output::report::html::{kind_title, num, pct, section, table, Td, Text, Tr};
use crate::output::report::ReportInput;

/// How a quintile of chances is named in the chart and the table.
fn quintile_label(q: u8) -> String {
    match q {
        1 => "Q1 (fewest chances)".into(),
        5 => "Q5 (most chances)".into(),
        q => format!("Q{q}"),
    }
}

pub fn equity(input: &ReportInput) -> Markup {
    let Some(e) = input.equity else {
        let note = html! {
            "The study file has no " code { "[equity]" } " section, so children are not grouped by chances."
        };
        return section("equity", "Equity", super::absent(note));
    };
    let by = input
        .study
        .file
        .equity
        .as_ref()
        .map(|q| q.by.clone())
        .unwrap_or_default();
    let inner = html! {
        p class="note" {
            "Neighbourhoods are grouped in five quintiles of " strong { (Text(&by)) }
            ", each holding about a fifth of the children; quintile 1 has the fewest chances. Coverage is the share of the quintile's children within their norm ("
            (distance_kind(input)) ")."
        }
        figure class="chart-box" {
            h3 { "Coverage by quintile of " (Text(&by)) }
            (coverage_chart(input, e))
        }
        (quintile_table(input, e))
        @if !e.indices.is_empty() {
            h3 { "Inequality indices" }
            p class="note" {
                "Concentration index (standard and Erreygers): 0 = no gradient, negative = concentrated among children with fewer chances, positive = among those with more. Palma ratio: mean of the 10% with most chances over the 40% with fewest (above 1 favours the better off). Gini: 0 = every child alike."
            }
            (index_table(input, e))
        }
        h3 { "Double disadvantage" }
        p { (Text(&double_disadvantage(input, e))) }
    };
    section("equity", "Equity", inner)
}

fn coverage_chart(input: &ReportInput, e: &Equity) -> Markup {
    let series: Vec<(String, Vec<Option<f64>>)> = input
        .scene
        .amenities
        .iter()
        .enumerate()
        .map(|(k, kind)| {
            (
                kind_title(&kind.kind),
                e.by_quintile
                    .iter()
                    .map(|q| q.coverage.get(k).copied().flatten())
                    .collect(),
            )
        })
        .collect();
    let categories: Vec<String> = e
        .by_quintile
        .iter()
        .map(|q| quintile_label(q.quintile))
        .collect();
    grouped_bars("coverage by quintile", &categories, &series)
}

fn quintile_table(input: &ReportInput, e: &Equity) -> Markup {
    let mut headers: Vec<String> = vec![
        "Quintile".into(),
        "Neighbourhoods".into(),
        "Children".into(),
        "Score".into(),
    ];
    headers.extend(input.scene.amenities.iter().map(|k| kind_title(&k.kind)));
    let rows: Vec<Tr> = e
        .by_quintile
        .iter()
        .map(|q| {
            let neighbourhoods = Some(q.neighbourhoods as f64);
            let mut cells = vec![
                Td::text(&quintile_label(q.quintile)),
                Td::num(neighbourhoods, num(neighbourhoods, 0)),
                Td::num(Some(q.children), num(Some(q.children), 0)),
                Td::num(q.score, num(q.score, 1)),
            ];
            cells.extend(q.coverage.iter().map(|v| Td::num(*v, pct(*v))));
            Tr::new(cells)
        })
        .collect();
    table(&headers, &rows, false)
}

fn index_table(input: &ReportInput, e: &Equity) -> Markup {
    let mut headers: Vec<String> = vec!["Index".into(), "Score".into()];
    headers.extend(input.scene.amenities.iter().map(|k| kind_title(&k.kind)));
    let rows: Vec<Tr> = e
        .indices
        .iter()
        .map(|i| {
            let mut cells = vec![Td::text(&i.index.key().replace('_', " "))];
            cells.extend(
                std::iter::once(&i.score)
                    .chain(&i.coverage)
                    .map(|v| Td::num(*v, num(*v, 3))),
            );
            Tr::new(cells)
        })
        .collect();
    table(&headers, &rows, false)
}

fn double_disadvantage(input: &ReportInput, e: &Equity) -> String {
    let double: Vec<String> = e
        .doubly_disadvantaged()
        .into_iter()
        .map(|i| {
            let n = &input.scene.neighbourhoods[i];
            format!("{} ({})", display_name(n), n.id)
        })
        .collect();
    if double.is_empty() {
        "No neighbourhood is in the bottom quintile of both chances and score.".to_string()
    } else {
        format!(
            "In the bottom quintile of both chances and score: {}.",
            double.join(", ")
        )
    }
}
