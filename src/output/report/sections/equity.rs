//! Equity: coverage and score by quintile of chances, the inequality indices and the
//! neighbourhoods in double disadvantage.

use maud::{html, Markup};

use super::distance_kind;
use crate::equity::analysis::Equity;
use crate::output::i18n::Texts;
use crate::output::report::charts::grouped_bars;
use crate::output::report::facts::display_name;
use crate::output::report::html::{section, table, with_markup, Td, Text, Tr};
use crate::output::report::ReportInput;

/// How a quintile of chances is named in the chart and the table.
fn quintile_label(t: &Texts, q: u8) -> String {
    match q {
        1 => t.get("equity.q1").to_string(),
        5 => t.get("equity.q5").to_string(),
        q => t.fmt("col.q", &[("q", &q)]),
    }
}

pub fn equity(input: &ReportInput) -> Markup {
    let t = input.texts;
    let Some(e) = input.equity else {
        let code = html! { code { "[equity]" } };
        let note = with_markup(t, "equity.absent", &[("code", code)]);
        return section("equity", t.get("nav.equity"), super::absent(note));
    };
    let by = input
        .study
        .equity
        .as_ref()
        .map(|q| q.by.clone())
        .unwrap_or_default();
    let note = with_markup(
        t,
        "equity.note",
        &[
            ("by", html! { strong { (Text(&by)) } }),
            ("distance", html! { (Text(distance_kind(input))) }),
        ],
    );
    let inner = html! {
        p class="note" { (note) }
        figure class="chart-box" {
            h3 { (Text(&t.fmt("equity.chart", &[("by", &by)]))) }
            (coverage_chart(input, e))
        }
        (quintile_table(input, e))
        @if !e.indices.is_empty() {
            h3 { (Text(t.get("equity.indices"))) }
            p class="note" { (Text(t.get("equity.indices_note"))) }
            (index_table(input, e))
        }
        h3 { (Text(t.get("equity.double"))) }
        p { (Text(&double_disadvantage(input, e))) }
    };
    section("equity", t.get("nav.equity"), inner)
}

fn coverage_chart(input: &ReportInput, e: &Equity) -> Markup {
    let t = input.texts;
    let series: Vec<(String, Vec<Option<f64>>)> = input
        .scene
        .amenities
        .iter()
        .enumerate()
        .map(|(k, kind)| {
            (
                t.kind(&kind.kind),
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
        .map(|q| quintile_label(t, q.quintile))
        .collect();
    grouped_bars(t, t.get("charts.bars"), &categories, &series)
}

fn quintile_table(input: &ReportInput, e: &Equity) -> Markup {
    let t = input.texts;
    let mut headers: Vec<String> = [
        "col.quintile",
        "col.neighbourhoods",
        "col.children",
        "col.score",
    ]
    .iter()
    .map(|k| t.get(k).to_string())
    .collect();
    headers.extend(input.scene.amenities.iter().map(|k| t.kind(&k.kind)));
    let rows: Vec<Tr> = e
        .by_quintile
        .iter()
        .map(|q| {
            let neighbourhoods = Some(q.neighbourhoods as f64);
            let mut cells = vec![
                Td::text(&quintile_label(t, q.quintile)),
                Td::num(neighbourhoods, t.num(neighbourhoods, 0)),
                Td::num(Some(q.children), t.num(Some(q.children), 0)),
                Td::num(q.score, t.num(q.score, 1)),
            ];
            cells.extend(q.coverage.iter().map(|v| Td::num(*v, t.pct(*v))));
            Tr::new(cells)
        })
        .collect();
    table(&headers, &rows, None)
}

fn index_table(input: &ReportInput, e: &Equity) -> Markup {
    let t = input.texts;
    let mut headers = vec![
        t.get("col.index").to_string(),
        t.get("col.score").to_string(),
    ];
    headers.extend(input.scene.amenities.iter().map(|k| t.kind(&k.kind)));
    let rows: Vec<Tr> = e
        .indices
        .iter()
        .map(|i| {
            let mut cells = vec![Td::text(t.get(&format!("equity.{}", i.index.key())))];
            cells.extend(
                std::iter::once(&i.score)
                    .chain(&i.coverage)
                    .map(|v| Td::num(*v, t.num(*v, 3))),
            );
            Tr::new(cells)
        })
        .collect();
    table(&headers, &rows, None)
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
        input.texts.get("facts.double_none").to_string()
    } else {
        let names = double.join(", ");
        input.texts.fmt("equity.double_some", &[("names", &names)])
    }
}
