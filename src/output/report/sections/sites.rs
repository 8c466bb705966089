//! Sites and cost-benefit: the chosen sites, their appraisal, its sensitivity and assumptions.

use maud::{html, Markup};

use crate::cba::Appraisal;
use crate::output::i18n::Texts;
use crate::output::report::facts::display_name;
use crate::output::report::html::{section, table, with_markup, Td, Text, Tr};
use crate::output::report::ReportInput;
use crate::sites::plan::SitePlan;

pub fn sites(input: &ReportInput) -> Markup {
    let t = input.texts;
    let Some(plan) = input.sites else {
        let code = html! { code { "[sites]" } };
        let note = with_markup(t, "sites.absent", &[("code", code)]);
        return section("sites", t.get("nav.sites"), super::absent(note));
    };
    let note = t.fmt(
        "sites.note",
        &[
            ("n", &plan.sites.len()),
            ("kind", &t.kind_lower(&plan.kind)),
            ("candidates", &t.num(Some(plan.candidates as f64), 0)),
            ("crs", &input.scene.crs),
        ],
    );
    let benefit_key = html! { code { "[costs] benefit_eur_per_child_per_year" } };
    let inner = html! {
        p class="note" { (Text(&note)) }
        (site_table(input, plan))
        h3 { (Text(t.get("sites.cba"))) }
        (cba_tables(t, plan))
        @match plan.cba.break_even_benefit_factor {
            Some(f) => {
                p { (Text(&t.fmt("sites.break_even", &[("factor", &t.num(Some(f), 2))]))) }
            }
            None => {
                p class="warn" { (with_markup(t, "sites.no_benefit", &[("code", benefit_key)])) }
            }
        }
        h3 { (Text(t.get("sites.assumptions"))) }
        ul { @for a in t.phrases(&plan.assumptions) { li { (Text(&a)) } } }
    };
    section("sites", t.get("nav.sites"), inner)
}

/// Column headers from their catalogue keys.
fn columns(t: &Texts, keys: &[&str]) -> Vec<String> {
    keys.iter().map(|k| t.get(k).to_string()).collect()
}

fn site_table(input: &ReportInput, plan: &SitePlan) -> Markup {
    let t = input.texts;
    let mut names = columns(
        t,
        &[
            "col.rank",
            "col.name",
            "col.neighbourhood",
            "sites_table.street",
        ],
    );
    names.extend(["x".to_string(), "y".to_string()]);
    names.push(t.get("col.new_children").to_string());
    names.extend(
        plan.band_labels
            .iter()
            .map(|b| t.fmt("col.new_band", &[("band", b)])),
    );
    names.push(t.get("col.running_total").to_string());
    names.extend(columns(t, &["col.npv", "col.bcr"]));
    let rows: Vec<Tr> = plan
        .sites
        .iter()
        .zip(&plan.cba.sites)
        .map(|(site, a)| {
            // As sites.csv has it, by its name where the neighbourhoods have names.
            let place = site
                .neighbourhood_id
                .as_deref()
                .map_or(String::new(), |id| {
                    input
                        .scene
                        .neighbourhoods
                        .iter()
                        .find(|n| n.id == id)
                        .map_or_else(|| id.to_string(), display_name)
                });
            let mut cells = vec![
                Td::num(Some(site.rank as f64), site.rank.to_string()),
                Td::text(&t.site_name(site)),
                Td::text(&place),
                Td::text(site.street.as_deref().unwrap_or_default()),
                Td::num(Some(site.x), t.num(Some(site.x), 0)),
                Td::num(Some(site.y), t.num(Some(site.y), 0)),
                Td::num(Some(site.new_children), t.num(Some(site.new_children), 1)),
            ];
            cells.extend(
                site.new_by_band
                    .iter()
                    .map(|v| Td::num(Some(*v), t.num(Some(*v), 1))),
            );
            cells.push(Td::num(
                Some(site.total_children),
                t.num(Some(site.total_children), 1),
            ));
            cells.push(Td::num(Some(a.npv), t.num(Some(a.npv), 0)));
            cells.push(Td::num(a.bcr, t.num(a.bcr, 2)));
            Tr::new(cells)
        })
        .collect();
    table(&names, &rows, None)
}

/// One line of an appraisal table; the total in bold.
fn appraisal_row(t: &Texts, name: &str, a: &Appraisal, strong: bool) -> Tr {
    Tr::new(vec![
        if strong {
            Td::strong(name)
        } else {
            Td::text(name)
        },
        Td::num(Some(a.capex_pv), t.num(Some(a.capex_pv), 0)),
        Td::num(Some(a.maintenance_pv), t.num(Some(a.maintenance_pv), 0)),
        Td::num(Some(a.benefit_pv), t.num(Some(a.benefit_pv), 0)),
        Td::num(Some(a.npv), t.num(Some(a.npv), 0)),
        Td::num(a.bcr, t.num(a.bcr, 2)),
    ])
}

/// Per site and in total, then the sensitivity of the total.
fn cba_tables(t: &Texts, plan: &SitePlan) -> Markup {
    let mut names = vec![String::new()];
    names.extend(columns(
        t,
        &[
            "col.capital",
            "col.maintenance",
            "col.benefits",
            "col.npv",
            "col.bcr",
        ],
    ));
    let mut rows: Vec<Tr> = plan
        .cba
        .sites
        .iter()
        .enumerate()
        .map(|(i, a)| appraisal_row(t, &t.fmt("sites.site", &[("n", &(i + 1))]), a, false))
        .collect();
    rows.push(appraisal_row(
        t,
        t.get("sites.total"),
        &plan.cba.total,
        true,
    ));
    let sensitivity: Vec<Tr> = plan
        .cba
        .sensitivity
        .iter()
        .map(|sc| appraisal_row(t, &t.sensitivity_case(sc), &sc.appraisal, false))
        .collect();
    html! {
        (table(&names, &rows, None))
        @if !sensitivity.is_empty() {
            h3 { (Text(t.get("sites.sensitivity"))) }
            (table(&names, &sensitivity, None))
        }
    }
}
