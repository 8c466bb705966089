//! Summary: the headline numbers, the headline gaps and the study area's coverage.

use maud::{html, Markup};

use super::distance_kind;
use crate::neighbourhoods::coverage::CoverageRow;
use crate::output::report::facts;
use crate::output::report::html::{
    headers, kind_title, metres, num, pct, section, table, Td, Text, Tr,
};
use crate::output::report::ReportInput;

pub fn summary(input: &ReportInput) -> Markup {
    let inner = html! {
        (cards(input))
        h3 { "Headline gaps" }
        ul class="gaps" {
            @for line in facts::headline_gaps(input) { li { (Text(&line)) } }
        }
        h3 { "Coverage: children within the norm" }
        p class="note" {
            "Share of children whose nearest amenity is within their age band's norm, measured "
            (distance_kind(input)) ". Distances are children-weighted."
        }
        (coverage_table(input))
    };
    section("summary", "Summary", inner)
}

/// The headline counts: children, homes, neighbourhoods and amenities per kind.
fn cards(input: &ReportInput) -> Markup {
    let scene = input.scene;
    let mut cards = vec![
        (
            num(Some(input.study_area.children), 0),
            "children".to_string(),
        ),
        (num(Some(scene.homes.len() as f64), 0), "homes".into()),
        (
            num(Some(scene.neighbourhoods.len() as f64), 0),
            "neighbourhoods".into(),
        ),
    ];
    cards.extend(scene.amenities.iter().map(|k| {
        (
            num(Some(k.items.len() as f64), 0),
            kind_title(&k.kind).to_lowercase(),
        )
    }));
    html! {
        div class="cards" {
            @for (value, label) in &cards {
                div class="card" { div class="v" { (Text(value)) } div class="l" { (Text(label)) } }
            }
        }
    }
}

fn coverage_table(input: &ReportInput) -> Markup {
    let network = input.distances.has_network();
    let mut names = vec!["Kind", "Age band", "Norm", "Children"];
    if network {
        names.extend(["Within norm (straight line)", "Within norm (network)"]);
    } else {
        names.push("Within norm");
    }
    names.extend(["Outside norm", "Median distance", "90th percentile"]);
    let rows: Vec<Tr> = input
        .coverage
        .iter()
        .map(|r| coverage_row(r, network))
        .collect();
    table(&headers(&names), &rows, false)
}

fn coverage_row(r: &CoverageRow, network: bool) -> Tr {
    let mut cells = vec![
        if r.band.is_none() {
            Td::strong(&kind_title(&r.kind))
        } else {
            Td::text("")
        },
        Td::text(r.band.as_deref().unwrap_or("all bands")),
        Td::num(r.norm_m, metres(r.norm_m)),
        Td::num(Some(r.children), num(Some(r.children), 0)),
        Td::num(r.coverage, pct(r.coverage)),
    ];
    if network {
        cells.push(Td::num(r.net_coverage, pct(r.net_coverage)));
    }
    cells.push(Td::num(Some(r.outside), num(Some(r.outside), 0)));
    cells.push(Td::num(r.median_m, metres(r.median_m)));
    cells.push(Td::num(r.p90_m, metres(r.p90_m)));
    Tr {
        class: r.band.is_none().then_some("group"),
        ..Tr::new(cells)
    }
}
