//! Meeting places: who can reach each library, community centre and playground, by quintile.

use maud::{html, Markup};

use crate::equity::analysis::by_reach;
use crate::output::report::html::{section, table, with_markup, Td, Text, Tr};
use crate::output::report::ReportInput;

/// How many meeting places the page lists (all are in `meeting_places.csv`).
const MEETING_ROWS: usize = 100;

pub fn meeting_places(input: &ReportInput) -> Markup {
    let (places, t) = (input.meeting_places, input.texts);
    if places.is_empty() {
        let code = html! { code { "[equity]" } };
        let note = with_markup(t, "meeting.absent", &[("code", code)]);
        return section("meeting", t.get("nav.meeting"), super::absent(note));
    }
    let mut headers: Vec<String> = ["col.kind", "col.name", "col.in_reach"]
        .iter()
        .map(|k| t.get(k).to_string())
        .collect();
    headers.extend((1..=5).map(|q| t.fmt("col.q", &[("q", &q)])));
    headers.push(t.get("col.mix").to_string());
    let rows: Vec<Tr> = by_reach(places)
        .into_iter()
        .take(MEETING_ROWS)
        .map(|i| {
            let p = &places[i];
            let mut cells = vec![
                Td::text(&t.kind(&p.kind)),
                Td::text(&p.name),
                Td::num(Some(p.children), t.num(Some(p.children), 0)),
            ];
            cells.extend(
                p.mix
                    .shares
                    .iter()
                    .map(|v| Td::num(Some(*v), t.pct(Some(*v)))),
            );
            cells.push(Td::num(Some(p.mix.entropy), t.num(Some(p.mix.entropy), 2)));
            Tr::new(cells)
        })
        .collect();
    let top = html! {
        (with_markup(t, "meeting.top", &[
            ("n", html! { (MEETING_ROWS) }),
            ("total", html! { (t.num(Some(places.len() as f64), 0)) }),
            ("code", html! { code { "meeting_places.csv" } }),
        ]))
    };
    let inner = html! {
        p class="note" { (Text(t.get("meeting.note"))) }
        @if places.len() > MEETING_ROWS {
            p class="note" { (top) }
        }
        (table(&headers, &rows, super::sortable(input)))
    };
    section("meeting", t.get("nav.meeting"), inner)
}
