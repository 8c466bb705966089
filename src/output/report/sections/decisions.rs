//! Decisions: which playgrounds could close with the least loss, and what each scenario changes,
//! as `closures.csv` and `scenarios.csv` have them.

use maud::{html, Markup};

use crate::output::report::facts::display_name;
use crate::output::report::html::{section, table, with_markup, Td, Text, Tr};
use crate::output::report::maps::MapBase;
use crate::output::report::ReportInput;

use super::decision_maps;

pub fn decisions(input: &ReportInput, base: Option<&MapBase>) -> Markup {
    let t = input.texts;
    if input.closures.is_none() && input.scenarios.is_empty() {
        let code = html! { code { "[closures]" } " / " code { "[[scenarios]]" } };
        let note = with_markup(t, "decisions.absent", &[("code", code)]);
        return section("decisions", t.get("nav.decisions"), super::absent(note));
    }
    let inner = html! {
        @if let Some(plan) = input.closures {
            h3 { (Text(&t.fmt("md.closures", &[("kind", &t.kind_lower(&plan.kind))]))) }
            @for line in crate::output::closures::paragraph(t, plan) {
                p class="note" { (Text(&line)) }
            }
            @if !plan.closures.is_empty() {
                (closures_table(input, plan))
            }
            @for line in t.phrases(&plan.cost_assumptions) {
                p class="note" { (Text(&line)) }
            }
            @if let Some(map) = base.and_then(|b| decision_maps::closure_map(input, b, plan)) {
                div class="maps" { (map) }
            }
        }
        @if !input.scenarios.is_empty() {
            h3 { (Text(t.get("md.scenarios"))) }
            p class="note" { (Text(t.get("md.scenarios_note"))) }
            ul {
                @for line in crate::output::scenarios::scenario_lines(
                    t, input.scene, input.study_area, input.scenarios) {
                    li { (Text(&line)) }
                }
            }
            @if let Some(base) = base {
                @if input.scenarios.len() > decision_maps::MAX_SCENARIO_MAPS {
                    p class="note" { (Text(&t.fmt("scenario_map.capped", &[("n", &decision_maps::MAX_SCENARIO_MAPS), ("all", &input.scenarios.len())]))) }
                }
                div class="maps" { @for map in decision_maps::scenario_maps(input, base) { (map) } }
            }
        }
    };
    section("decisions", t.get("nav.decisions"), inner)
}

fn closures_table(input: &ReportInput, plan: &crate::sites::closures::ClosurePlan) -> Markup {
    let t = input.texts;
    let headers: Vec<String> = crate::output::closures::SUMMARY_COLUMNS
        .iter()
        .map(|k| t.get(k).to_string())
        .collect();
    let rows: Vec<Tr> = plan
        .closures
        .iter()
        .map(|c| {
            let place = c.neighbourhood.map_or(String::new(), |n| {
                display_name(&input.scene.neighbourhoods[n as usize])
            });
            let a = &c.appraisal;
            Tr::new(vec![
                Td::num(Some(c.rank as f64), c.rank.to_string()),
                Td::text(&c.id),
                Td::text(&c.name),
                Td::text(&place),
                Td::num(Some(c.children_losing), t.num(Some(c.children_losing), 1)),
                Td::num(Some(c.cumulative), t.num(Some(c.cumulative), 1)),
                Td::num(Some(a.npv), t.num(Some(a.npv), 0)),
                Td::num(a.bcr, t.num(a.bcr, 2)),
            ])
        })
        .collect();
    table(&headers, &rows, super::sortable(input))
}
