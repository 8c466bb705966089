//! The sections of the report in page order, one file each: every section turns the stages'
//! results into markup and computes nothing of its own.

mod equity;
mod maps;
mod meeting;
mod priority;
mod provenance;
mod sites;
mod summary;

use maud::{html, Markup};

use super::ReportInput;

pub use equity::equity;
pub use maps::maps;
pub use meeting::meeting_places;
pub use priority::priority;
pub use provenance::provenance;
pub use sites::sites;
pub use summary::summary;

/// How the distances that count were measured.
fn distance_kind(input: &ReportInput) -> &'static str {
    if input.distances.has_network() {
        "over the walking network"
    } else {
        "in a straight line"
    }
}

/// A section's whole content when the study did not ask for what it shows.
fn absent(note: Markup) -> Markup {
    html! { p class="note" { (note) } }
}
