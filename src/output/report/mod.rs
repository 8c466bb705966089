//! `report.html`: one self-contained page a council can read (summary, maps, equity, priority,
//! sites and cost-benefit, meeting places, data and provenance). Inline CSS, inline SVG and a
//! small inline script only: no fonts, images or scripts from the network, so it opens from a
//! USB stick and can be mailed as it is.

pub mod breaks;
pub mod charts;
pub mod facts;
pub mod hexes;
pub mod html;
pub mod maps;
mod sections;

use maud::html;

use crate::equity::analysis::{Equity, MeetingPlace};
use crate::measures::HomeMeasures;
use crate::neighbourhoods::coverage::CoverageRow;
use crate::neighbourhoods::NeighbourhoodFigures;
use crate::output::i18n::Texts;
use crate::output::table::Table;
use crate::reach::Distances;
use crate::scene::Scene;
use crate::sites::plan::SitePlan;
use crate::study::Resolved;

/// What the report is drawn from: references to what the run computed.
#[derive(Clone, Copy)]
pub struct ReportInput<'a> {
    pub study: &'a Resolved,
    pub scene: &'a Scene,
    pub distances: &'a Distances,
    pub measures: &'a HomeMeasures,
    /// Per neighbourhood, in scene order (with priority ranks).
    pub figures: &'a [NeighbourhoodFigures],
    pub study_area: &'a NeighbourhoodFigures,
    /// The study area's coverage per kind and band.
    pub coverage: &'a [CoverageRow],
    /// The words, in the report's language.
    pub texts: &'a Texts,
    /// `neighbourhoods.csv` as written.
    pub table: &'a Table,
    pub equity: Option<&'a Equity>,
    pub meeting_places: &'a [MeetingPlace],
    pub sites: Option<&'a SitePlan>,
    /// The focus kind's catchments, as `catchments.geojson` has them.
    pub catchments: Option<&'a crate::measures::catchments::Catchments>,
    pub closures: Option<&'a crate::sites::closures::ClosurePlan>,
    /// One per `[[scenarios]]` entry.
    pub scenarios: &'a [crate::scenarios::ScenarioOutcome],
    pub warnings: &'a [String],
}

/// The sections in page order: anchor and the catalogue key of its navigation label.
const NAV: [(&str, &str); 8] = [
    ("summary", "nav.summary"),
    ("maps", "nav.maps"),
    ("equity", "nav.equity"),
    ("priority", "nav.priority"),
    ("sites", "nav.sites"),
    ("decisions", "nav.decisions"),
    ("meeting", "nav.meeting"),
    ("provenance", "nav.provenance"),
];

/// The whole report as one HTML page.
pub fn render(input: &ReportInput) -> String {
    let base = sections::map_base(input);
    let body = html! {
        (sections::summary(input))
        (sections::maps(input, base.as_ref()))
        (sections::equity(input))
        (sections::priority(input))
        (sections::sites(input))
        (sections::decisions(input, base.as_ref()))
        (sections::meeting_places(input))
        (sections::provenance(input))
        // After the last map: the script binds to the maps present when it runs.
        (maps::interaction())
    };
    let t = input.texts;
    let subtitle = t.fmt(
        "page.subtitle",
        &[
            ("neighbourhoods", &input.scene.neighbourhoods.len()),
            ("crs", &input.scene.crs),
        ],
    );
    let nav: Vec<(&str, &str)> = NAV.iter().map(|(a, key)| (*a, t.get(key))).collect();
    html::page(
        t,
        &t.fmt("page.title", &[("name", &input.study.name)]),
        &subtitle,
        &nav,
        body,
    )
}
