//! Sites and cost-benefit: the chosen sites, their appraisal, its sensitivity and assumptions.

use maud::{html, Markup};

use crate::cba::Appraisal;
use crate::output::report::html::{headers, num, section, table, Td, Text, Tr};
use crate::output::report::ReportInput;
use crate::sites::plan::SitePlan;

const HEADING: &str = "Sites and cost-benefit";

pub fn sites(input: &ReportInput) -> Markup {
    let Some(plan) = input.sites else {
        let note = html! {
            "The study file has no " code { "[sites]" } " section, so no new sites were chosen."
        };
        return section("sites", HEADING, super::absent(note));
    };
    let inner = html! {
        p class="note" {
            (plan.sites.len()) " new " (Text(&plan.kind.replace('_', " ")))
            " sites chosen from " (num(Some(plan.candidates as f64), 0))
            " candidates by maximal covering (lazy greedy): each brings the most children not yet within their norm. Coordinates are in the working CRS ("
            (Text(&input.scene.crs.to_string())) ")."
        }
        (site_table(plan))
        h3 { "Cost-benefit (present values, EUR)" }
        (cba_tables(plan))
        @match plan.cba.break_even_benefit_factor {
            Some(f) => {
                p { "The net present value reaches zero when benefits are " (num(Some(f), 2)) " times the central estimate." }
            }
            None => {
                p class="warn" {
                    "No benefit per child is set, so the benefit-cost ratio only shows the cost side; set "
                    code { "[costs] benefit_eur_per_child_per_year" } " from a cost-benefit study."
                }
            }
        }
        h3 { "Assumptions" }
        ul { @for a in &plan.assumptions { li { (Text(a)) } } }
    };
    section("sites", HEADING, inner)
}

fn site_table(plan: &SitePlan) -> Markup {
    let mut names = headers(&["Rank", "Name", "x", "y", "New children"]);
    names.extend(plan.band_labels.iter().map(|b| format!("New, ages {b}")));
    names.push("Running total".into());
    let rows: Vec<Tr> = plan
        .sites
        .iter()
        .map(|site| {
            let mut cells = vec![
                Td::num(Some(site.rank as f64), site.rank.to_string()),
                Td::text(&site.name),
                Td::num(Some(site.x), num(Some(site.x), 0)),
                Td::num(Some(site.y), num(Some(site.y), 0)),
                Td::num(Some(site.new_children), num(Some(site.new_children), 1)),
            ];
            cells.extend(
                site.new_by_band
                    .iter()
                    .map(|v| Td::num(Some(*v), num(Some(*v), 1))),
            );
            cells.push(Td::num(
                Some(site.total_children),
                num(Some(site.total_children), 1),
            ));
            Tr::new(cells)
        })
        .collect();
    table(&names, &rows, false)
}

/// One line of an appraisal table; the total in bold.
fn appraisal_row(name: &str, a: &Appraisal, strong: bool) -> Tr {
    Tr::new(vec![
        if strong {
            Td::strong(name)
        } else {
            Td::text(name)
        },
        Td::num(Some(a.capex_pv), num(Some(a.capex_pv), 0)),
        Td::num(Some(a.maintenance_pv), num(Some(a.maintenance_pv), 0)),
        Td::num(Some(a.benefit_pv), num(Some(a.benefit_pv), 0)),
        Td::num(Some(a.npv), num(Some(a.npv), 0)),
        Td::num(a.bcr, num(a.bcr, 2)),
    ])
}

/// Per site and in total, then the sensitivity of the total.
fn cba_tables(plan: &SitePlan) -> Markup {
    let names = headers(&[
        "",
        "Capital cost",
        "Maintenance",
        "Benefits",
        "Net present value",
        "Benefit-cost ratio",
    ]);
    let mut rows: Vec<Tr> = plan
        .cba
        .sites
        .iter()
        .enumerate()
        .map(|(i, a)| appraisal_row(&format!("Site {}", i + 1), a, false))
        .collect();
    rows.push(appraisal_row("Total", &plan.cba.total, true));
    let sensitivity: Vec<Tr> = plan
        .cba
        .sensitivity
        .iter()
        .map(|sc| appraisal_row(&sc.name, &sc.appraisal, false))
        .collect();
    html! {
        (table(&names, &rows, false))
        @if !sensitivity.is_empty() {
            h3 { "Sensitivity of the total" }
            (table(&names, &sensitivity, false))
        }
    }
}
