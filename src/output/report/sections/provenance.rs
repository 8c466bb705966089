//! Data and provenance: what the run read, with which norms, and what it warned about.

use maud::{html, Markup};

use crate::output::report::html::{section, table, Td, Text, Tr};
use crate::output::report::ReportInput;

pub fn provenance(input: &ReportInput) -> Markup {
    let t = input.texts;
    let inner = html! {
        table { tbody {
            @for (key, value) in facts(input) {
                tr { th { (Text(key)) } td { (Text(&value)) } }
            }
        } }
        h3 { (Text(t.get("provenance.inputs"))) }
        (inputs_table(input))
        h3 { (Text(t.get("provenance.norms"))) }
        (norms_table(input))
        h3 { (Text(t.get("provenance.warnings"))) }
        @if input.warnings.is_empty() {
            p { (Text(t.get("provenance.no_warnings"))) }
        } @else if t.warnings_listed() {
            ul class="warnings" { @for w in input.warnings { li class="warn" { (Text(w)) } } }
        } @else {
            p class="warn" { (Text(&t.fmt("provenance.warnings_elsewhere", &[("n", &input.warnings.len())]))) }
        }
        // Timings differ from run to run; they stay in run.json so that the report, like every
        // other output, is byte-identical for the same inputs.
        p class="note" { (Text(t.get("provenance.timings"))) }
    };
    section("provenance", t.get("nav.provenance"), inner)
}

/// The study, the tool and how the run measured, as key-value lines.
fn facts<'a>(input: &ReportInput<'a>) -> Vec<(&'a str, String)> {
    let (scene, study, t) = (input.scene, input.study, input.texts);
    let homes = &scene.homes;
    let distances = if input.distances.has_network() {
        "provenance.distances_network"
    } else {
        "provenance.distances_straight"
    };
    let count = |n: usize| t.num(Some(n as f64), 0);
    let homes_value = t.fmt(
        "provenance.homes_value",
        &[
            ("homes", &count(homes.len())),
            ("outside", &count(homes.outside_neighbourhoods())),
            ("estimated", &count(homes.estimated_count())),
        ],
    );
    vec![
        (t.get("provenance.study"), study.name.clone()),
        (
            t.get("provenance.study_file"),
            study.path.display().to_string(),
        ),
        (
            t.get("provenance.tool"),
            format!("kindscape {}", env!("CARGO_PKG_VERSION")),
        ),
        (t.get("provenance.crs"), scene.crs.to_string()),
        (t.get("provenance.bands"), t.bands(&scene.bands)),
        (t.get("provenance.distances"), t.get(distances).to_string()),
        (t.get("provenance.preset"), study.norms.preset.to_string()),
        (t.get("provenance.homes"), homes_value),
    ]
}

/// Column headers from their catalogue keys.
fn columns(input: &ReportInput, keys: &[&str]) -> Vec<String> {
    keys.iter()
        .map(|k| input.texts.get(k).to_string())
        .collect()
}

fn inputs_table(input: &ReportInput) -> Markup {
    let t = input.texts;
    let rows: Vec<Tr> = input
        .scene
        .inputs
        .iter()
        .map(|i| {
            Tr::new(vec![
                Td::text(&input.texts.role(&i.role)),
                Td::text(&i.path.display().to_string()),
                Td::num(Some(i.features as f64), t.num(Some(i.features as f64), 0)),
                Td::text(&i.crs),
                Td::num(Some(i.bytes as f64), t.num(Some(i.bytes as f64), 0)),
                Td::html(html! { span class="mono" { (Text(&i.sha256)) } }),
            ])
        })
        .collect();
    let names = columns(
        input,
        &[
            "col.role",
            "col.file",
            "col.features",
            "col.crs",
            "col.bytes",
        ],
    );
    let names: Vec<String> = names.into_iter().chain(["SHA-256".to_string()]).collect();
    table(&names, &rows, None)
}

fn norms_table(input: &ReportInput) -> Markup {
    let mut rows = Vec::new();
    for (kind, table) in &input.study.norms.kinds {
        for (i, b) in table.bands.iter().enumerate() {
            let first = i == 0;
            rows.push(Tr::new(vec![
                Td::text(&if first {
                    input.texts.kind(kind)
                } else {
                    String::new()
                }),
                Td::text(&b.label),
                Td::num(
                    Some(b.metres),
                    match b.minutes {
                        None => input.texts.metres(Some(b.metres)),
                        Some(_) => input.texts.decimal_marks(&b.shown()),
                    },
                ),
                Td::text(&if first {
                    input.texts.norm_source(input.study.norms.preset, table)
                } else {
                    String::new()
                }),
            ]));
        }
    }
    let names = columns(
        input,
        &["col.kind", "col.age_band", "col.distance", "col.source"],
    );
    table(&names, &rows, None)
}
