//! The sections of the report in page order, one file each: every section turns the stages'
//! results into markup and computes nothing of its own.

mod catchment_maps;
mod decision_maps;
mod decisions;
mod equity;
mod maps;
mod meeting;
mod priority;
mod provenance;
mod sites;
mod summary;

use maud::{html, Markup};

use super::ReportInput;

pub use decisions::decisions;
pub use equity::equity;
pub use maps::{map_base, maps};
pub use meeting::meeting_places;
pub use priority::priority;
pub use provenance::provenance;
pub use sites::sites;
pub use summary::summary;

/// How the distances that count were measured.
fn distance_kind<'a>(input: &ReportInput<'a>) -> &'a str {
    input.texts.get(if input.distances.has_network() {
        "distance.network"
    } else {
        "distance.straight"
    })
}

/// The tooltip of a sortable table's headers.
fn sortable<'a>(input: &ReportInput<'a>) -> Option<&'a str> {
    Some(input.texts.get("page.click_to_sort"))
}

/// A section's whole content when the study did not ask for what it shows.
fn absent(note: Markup) -> Markup {
    html! { p class="note" { (note) } }
}
