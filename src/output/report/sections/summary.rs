//! Summary: the headline numbers, the headline gaps and the study area's coverage.

use maud::{html, Markup};

use super::distance_kind;
use crate::neighbourhoods::coverage::CoverageRow;
use crate::output::i18n::Texts;
use crate::output::report::facts;
use crate::output::report::html::{section, table, Td, Text, Tr};
use crate::output::report::ReportInput;

pub fn summary(input: &ReportInput) -> Markup {
    let t = input.texts;
    let inner = html! {
        (cards(input))
        h3 { (Text(t.get("summary.headline_gaps"))) }
        ul class="gaps" {
            @for line in facts::headline_gaps(input) { li { (Text(&line)) } }
        }
        h3 { (Text(t.get("summary.coverage"))) }
        p class="note" {
            (t.fmt("summary.coverage_note", &[("distance", &distance_kind(input))]))
        }
        (coverage_table(input))
    };
    section("summary", t.get("nav.summary"), inner)
}

/// The headline counts: children, homes, neighbourhoods and amenities per kind.
fn cards(input: &ReportInput) -> Markup {
    let (scene, t) = (input.scene, input.texts);
    let mut cards = vec![
        (
            t.num(Some(input.study_area.children), 0),
            t.get("summary.children").to_string(),
        ),
        (
            t.num(Some(scene.homes.len() as f64), 0),
            t.get("summary.homes").into(),
        ),
        (
            t.num(Some(scene.neighbourhoods.len() as f64), 0),
            t.get("summary.neighbourhoods").into(),
        ),
    ];
    cards.extend(
        scene
            .amenities
            .iter()
            .map(|k| (t.num(Some(k.items.len() as f64), 0), t.kind_lower(&k.kind))),
    );
    html! {
        div class="cards" {
            @for (value, label) in &cards {
                div class="card" { div class="v" { (Text(value)) } div class="l" { (Text(label)) } }
            }
        }
    }
}

fn coverage_table(input: &ReportInput) -> Markup {
    let t = input.texts;
    let network = input.distances.has_network();
    let mut keys = vec!["col.kind", "col.age_band", "col.norm", "col.children"];
    if network {
        keys.extend(["col.within_straight", "col.within_network"]);
    } else {
        keys.push("col.within");
    }
    keys.extend(["col.outside", "col.median", "col.p90"]);
    let headers: Vec<String> = keys.iter().map(|k| t.get(k).to_string()).collect();
    let rows: Vec<Tr> = input
        .coverage
        .iter()
        .map(|r| coverage_row(t, r, network))
        .collect();
    table(&headers, &rows, None)
}

fn coverage_row(t: &Texts, r: &CoverageRow, network: bool) -> Tr {
    let mut cells = vec![
        if r.band.is_none() {
            Td::strong(&t.kind(&r.kind))
        } else {
            Td::text("")
        },
        Td::text(r.band.as_deref().unwrap_or(t.get("summary.all_bands"))),
        Td::num(r.norm_m, t.metres(r.norm_m)),
        Td::num(Some(r.children), t.num(Some(r.children), 0)),
        Td::num(r.coverage, t.pct(r.coverage)),
    ];
    if network {
        cells.push(Td::num(r.net_coverage, t.pct(r.net_coverage)));
    }
    cells.push(Td::num(Some(r.outside), t.num(Some(r.outside), 0)));
    cells.push(Td::num(r.median_m, t.metres(r.median_m)));
    cells.push(Td::num(r.p90_m, t.metres(r.p90_m)));
    Tr {
        class: r.band.is_none().then_some("group"),
        ..Tr::new(cells)
    }
}
