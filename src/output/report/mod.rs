//! `report.html`: one self-contained page a council can read (summary, maps, equity, priority,
//! sites and cost-benefit, meeting places, data and provenance). Inline CSS, inline SVG and a
//! small inline script only: no fonts, images or scripts from the network, so it opens from a
//! USB stick and can be mailed as it is.

pub mod breaks;
pub mod charts;
pub mod facts;
pub mod html;
pub mod maps;
mod sections;

use maud::html;

use crate::equity::analysis::{Equity, MeetingPlace};
use crate::measures::HomeMeasures;
use crate::neighbourhoods::coverage::CoverageRow;
use crate::neighbourhoods::NeighbourhoodFigures;
use crate::output::table::Table;
use crate::reach::Distances;
use crate::scene::Scene;
use crate::sites::plan::SitePlan;
use crate::study::Study;

/// What the report is drawn from: references to what the run computed.
#[derive(Clone, Copy)]
pub struct ReportInput<'a> {
    pub study: &'a Study,
    pub scene: &'a Scene,
    pub distances: &'a Distances,
    pub measures: &'a HomeMeasures,
    /// Per neighbourhood, in scene order (with priority ranks).
    pub figures: &'a [NeighbourhoodFigures],
    pub study_area: &'a NeighbourhoodFigures,
    /// The study area's coverage per kind and band.
    pub coverage: &'a [CoverageRow],
    /// `neighbourhoods.csv` as written.
    pub table: &'a Table,
    pub equity: Option<&'a Equity>,
    pub meeting_places: &'a [MeetingPlace],
    pub sites: Option<&'a SitePlan>,
    pub warnings: &'a [String],
}

/// The sections in page order: anchor and navigation label.
const NAV: [(&str, &str); 7] = [
    ("summary", "Summary"),
    ("maps", "Maps"),
    ("equity", "Equity"),
    ("priority", "Priority"),
    ("sites", "Sites and cost-benefit"),
    ("meeting", "Meeting places"),
    ("provenance", "Data and provenance"),
];

/// The whole report as one HTML page.
pub fn render(input: &ReportInput) -> String {
    let body = html! {
        (sections::summary(input))
        (sections::maps(input))
        (sections::equity(input))
        (sections::priority(input))
        (sections::sites(input))
        (sections::meeting_places(input))
        (sections::provenance(input))
    };
    let name = &input.study.file.study.name;
    let subtitle = format!(
        "How close children live to places to play, read, meet and be outside · {} neighbourhoods · working CRS {}",
        input.scene.neighbourhoods.len(),
        input.scene.crs
    );
    html::page(
        &format!("{name}: a child-friendly environment"),
        &subtitle,
        &NAV,
        body,
    )
}
