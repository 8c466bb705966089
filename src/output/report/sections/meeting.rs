//! Meeting places: who can reach each library, community centre and playground, by quintile.

use maud::{html, Markup};

use crate::equity::analysis::by_reach;
use crate::output::report::html::{kind_title, num, pct, section, table, Td, Tr};
use crate::output::report::ReportInput;

/// How many meeting places the page lists (all are in `meeting_places.csv`).
const MEETING_ROWS: usize = 100;

pub fn meeting_places(input: &ReportInput) -> Markup {
    let places = input.meeting_places;
    if places.is_empty() {
        let note = html! {
            "No meeting places: they need " code { "[equity]" } " and a library, community centre or playground layer."
        };
        return section("meeting", "Meeting places", super::absent(note));
    }
    let mut headers: Vec<String> = vec!["Kind".into(), "Name".into(), "Children in reach".into()];
    headers.extend((1..=5).map(|q| format!("Q{q}")));
    headers.push("Mix".into());
    let rows: Vec<Tr> = by_reach(places)
        .into_iter()
        .take(MEETING_ROWS)
        .map(|i| {
            let p = &places[i];
            let mut cells = vec![
                Td::text(&kind_title(&p.kind)),
                Td::text(&p.name),
                Td::num(Some(p.children), num(Some(p.children), 0)),
            ];
            cells.extend(
                p.mix
                    .shares
                    .iter()
                    .map(|v| Td::num(Some(*v), pct(Some(*v)))),
            );
            cells.push(Td::num(Some(p.mix.entropy), num(Some(p.mix.entropy), 2)));
            Tr::new(cells)
        })
        .collect();
    let inner = html! {
        p class="note" {
            "Who can reach each library, community centre and playground within the norm, by quintile of chances. Mix: 1 = children of all five quintiles equally, 0 = one quintile only."
        }
        @if places.len() > MEETING_ROWS {
            p class="note" {
                "The " (MEETING_ROWS) " places reaching the most children of " (num(Some(places.len() as f64), 0))
                "; all are in " code { "meeting_places.csv" } "."
            }
        }
        (table(&headers, &rows, true))
    };
    section("meeting", "Meeting places", inner)
}
