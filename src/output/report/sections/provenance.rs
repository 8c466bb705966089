//! Data and provenance: what the run read, with which norms, and what it warned about.

use maud::{html, Markup};

use crate::output::report::html::{headers, kind_title, metres, num, section, table, Td, Text, Tr};
use crate::output::report::ReportInput;

pub fn provenance(input: &ReportInput) -> Markup {
    let inner = html! {
        table { tbody {
            @for (key, value) in facts(input) {
                tr { th { (Text(key)) } td { (Text(&value)) } }
            }
        } }
        h3 { "Inputs" }
        (inputs_table(input))
        h3 { "Norms" }
        (norms_table(input))
        h3 { "Warnings" }
        @if input.warnings.is_empty() {
            p { "None." }
        } @else {
            ul class="warnings" { @for w in input.warnings { li class="warn" { (Text(w)) } } }
        }
        // Timings differ from run to run; they stay in run.json so that the report, like every
        // other output, is byte-identical for the same inputs.
        p class="note" { "Run time per stage: see run.json." }
    };
    section("provenance", "Data and provenance", inner)
}

/// The study, the tool and how the run measured, as key-value lines.
fn facts(input: &ReportInput) -> Vec<(&'static str, String)> {
    let scene = input.scene;
    let study = input.study;
    let homes = &scene.homes;
    vec![
        ("Study", study.file.study.name.clone()),
        ("Study file", study.path.display().to_string()),
        ("Tool", format!("kindscape {}", env!("CARGO_PKG_VERSION"))),
        ("Working CRS", scene.crs.to_string()),
        ("Children bands", scene.bands.join(", ")),
        (
            "Distances",
            if input.distances.has_network() {
                "straight line and over the walking network (network counts)".into()
            } else {
                "straight line (no [network] in the study)".into()
            },
        ),
        ("Norm preset", study.norms.preset.to_string()),
        (
            "Homes",
            format!(
                "{} ({} outside every neighbourhood, {} with estimated children)",
                num(Some(homes.len() as f64), 0),
                num(Some(homes.outside_neighbourhoods() as f64), 0),
                num(Some(homes.estimated_count() as f64), 0)
            ),
        ),
    ]
}

fn inputs_table(input: &ReportInput) -> Markup {
    let rows: Vec<Tr> = input
        .scene
        .inputs
        .iter()
        .map(|i| {
            Tr::new(vec![
                Td::text(&i.role),
                Td::text(&i.path.display().to_string()),
                Td::num(Some(i.features as f64), num(Some(i.features as f64), 0)),
                Td::text(&i.crs),
                Td::num(Some(i.bytes as f64), num(Some(i.bytes as f64), 0)),
                Td::html(html! { span class="mono" { (Text(&i.sha256)) } }),
            ])
        })
        .collect();
    let names = headers(&["Role", "File", "Features", "CRS", "Bytes", "SHA-256"]);
    table(&names, &rows, false)
}

fn norms_table(input: &ReportInput) -> Markup {
    let mut rows = Vec::new();
    for (kind, t) in &input.study.norms.kinds {
        for (i, b) in t.bands.iter().enumerate() {
            let first = i == 0;
            rows.push(Tr::new(vec![
                Td::text(&if first {
                    kind_title(kind)
                } else {
                    String::new()
                }),
                Td::text(&b.label),
                Td::num(Some(b.metres), metres(Some(b.metres))),
                Td::text(if first { &t.source } else { "" }),
            ]));
        }
    }
    table(
        &headers(&["Kind", "Age band", "Distance", "Source"]),
        &rows,
        false,
    )
}
