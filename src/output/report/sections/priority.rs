//! Priority: the neighbourhoods a city would fund first, then every neighbourhood's figures.

use maud::{html, Markup};

use crate::measures::gaps::focus_index;
use crate::neighbourhoods::coverage::priority_order;
use crate::output::report::facts::display_name;
use crate::output::report::html::{section, table, with_markup, Td, Text, Tr};
use crate::output::report::ReportInput;

pub fn priority(input: &ReportInput) -> Markup {
    let t = input.texts;
    let focus_name = focus_index(&input.study.focus_kind, input.scene)
        .map(|k| t.kind_lower(&input.scene.amenities[k].kind))
        .unwrap_or_default();
    let ranked = ranked_rows(input);
    let headers = columns(
        t,
        &[
            "col.rank",
            "col.neighbourhood",
            "col.id",
            "col.children",
            "col.outside_the_norm",
            "col.within",
            "col.score",
            "col.quintile",
            "col.double",
        ],
    );
    let csv = html! { code { "neighbourhoods.csv" } };
    let inner = html! {
        p class="note" { (Text(&t.fmt("priority.note", &[("kind", &focus_name)]))) }
        @if ranked.is_empty() {
            p { (Text(t.get("priority.none"))) }
        } @else {
            (table(&headers, &ranked, super::sortable(input)))
        }
        h3 { (Text(t.get("priority.all"))) }
        p class="note" { (with_markup(t, "priority.all_note", &[("code", csv)])) }
        (all_neighbourhoods(input))
    };
    section("priority", t.get("nav.priority"), inner)
}

/// Column headers from their catalogue keys.
fn columns(t: &crate::output::i18n::Texts, keys: &[&str]) -> Vec<String> {
    keys.iter().map(|k| t.get(k).to_string()).collect()
}

/// A neighbourhood's quintile of chances, when the study has `[equity]`.
fn quintile(input: &ReportInput, i: usize) -> Option<u8> {
    input
        .equity
        .and_then(|e| e.quintile.get(i).copied().flatten())
}

fn ranked_rows(input: &ReportInput) -> Vec<Tr> {
    let t = input.texts;
    let focus = focus_index(&input.study.focus_kind, input.scene);
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
                    Td::num(rank, t.num(rank, 0)),
                    Td::text(&display_name(nb)),
                    Td::text(&nb.id),
                    Td::num(Some(f.children), t.num(Some(f.children), 0)),
                    Td::num(Some(f.gap_children), t.num(Some(f.gap_children), 0)),
                    Td::num(cov, t.pct(cov)),
                    Td::num(f.score, t.num(f.score, 0)),
                    Td::num(
                        q.map(f64::from),
                        q.map(|q| q.to_string()).unwrap_or("–".into()),
                    ),
                    Td::text(if dd {
                        input.texts.get("priority.yes")
                    } else {
                        ""
                    }),
                ],
            }
        })
        .collect()
}

fn all_neighbourhoods(input: &ReportInput) -> Markup {
    let t = input.texts;
    let mut names = columns(t, &["col.neighbourhood", "col.id", "col.children"]);
    names.extend(input.scene.amenities.iter().map(|k| t.kind(&k.kind)));
    names.extend(columns(
        t,
        &[
            "col.score",
            "col.play_area",
            "col.play_per_child",
            "col.outside_the_norm",
            "col.rank",
            "col.quintile",
        ],
    ));
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
                Td::num(Some(f.children), t.num(Some(f.children), 0)),
            ];
            for kf in &f.kinds {
                let v = kf.net_coverage.or(kf.coverage);
                cells.push(Td::num(v, t.pct(v)));
            }
            let rank = f.priority_rank.map(|r| r as f64);
            let q = quintile(input, i).map(f64::from);
            cells.extend([
                Td::num(f.score, t.num(f.score, 0)),
                Td::num(f.play_area_share, t.pct_with(f.play_area_share, 2)),
                Td::num(f.play_m2_per_child, t.num(f.play_m2_per_child, 1)),
                Td::num(Some(f.gap_children), t.num(Some(f.gap_children), 0)),
                Td::num(rank, t.num(rank, 0)),
                Td::num(q, t.num(q, 0)),
            ]);
            Tr {
                id: Some(nb.id.clone()),
                class: None,
                cells,
            }
        })
        .collect();
    table(&names, &rows, super::sortable(input))
}
