//! `closures.csv` (one row per closure) and `closures_by_neighbourhood.csv` (one row per closure
//! and neighbourhood where children lose coverage: where each loss falls).

use super::i18n::Texts;
use super::table::{Cell, Table};
use crate::scene::Scene;
use crate::sites::closures::ClosurePlan;
use crate::study::ClosureTarget;

/// The catalogue keys of the closures table's columns in summary.md and the report: rank, id,
/// name, neighbourhood, children losing coverage, running total, NPV, BCR.
pub const SUMMARY_COLUMNS: [&str; 8] = [
    "col.rank",
    "col.id",
    "col.name",
    "col.neighbourhood",
    "col.children_losing",
    "col.running_total",
    "col.npv",
    "col.bcr",
];

/// `rank,kind,amenity_id,name,x,y,children_losing_coverage,children_losing_<band>...,cumulative,
/// neighbourhood_id,street` (the nearest named way, with a network), then the closure's cost-benefit: `maintenance_saved_eur_per_year,saved_pv,
/// lost_benefit_pv,npv,bcr` (bcr empty when nobody loses coverage); `amenity_id` is the
/// amenity's [`id`](crate::scene::Amenity::id) and `neighbourhood_id` the neighbourhood it lies in.
pub fn closures_table(scene: &Scene, plan: &ClosurePlan) -> Table {
    let mut columns: Vec<String> = [
        "rank",
        "kind",
        "amenity_id",
        "name",
        "x",
        "y",
        "children_losing_coverage",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    columns.extend(band_columns(plan));
    columns.extend(
        [
            "cumulative",
            "neighbourhood_id",
            "street",
            "maintenance_saved_eur_per_year",
            "saved_pv",
            "lost_benefit_pv",
            "npv",
            "bcr",
        ]
        .map(String::from),
    );
    let rows = plan
        .closures
        .iter()
        .map(|c| {
            let mut row = vec![
                Cell::Num(Some(c.rank as f64), 0),
                Cell::text(&plan.kind),
                Cell::text(&c.id),
                Cell::text(&c.name),
                Cell::Num(Some(c.x), 2),
                Cell::Num(Some(c.y), 2),
                Cell::Num(Some(c.children_losing), 3),
            ];
            row.extend(c.by_band.iter().map(|v| Cell::Num(Some(*v), 3)));
            row.push(Cell::Num(Some(c.cumulative), 3));
            row.push(Cell::text(neighbourhood_id(scene, c.neighbourhood)));
            row.push(Cell::text(c.street.as_deref().unwrap_or_default()));
            let a = &c.appraisal;
            row.extend([
                Cell::Num(Some(c.maintenance_eur_per_year), 2),
                Cell::Num(Some(a.saved_maintenance_pv), 2),
                Cell::Num(Some(a.lost_benefit_pv), 2),
                Cell::Num(Some(a.npv), 2),
                Cell::Num(a.bcr, 4),
            ]);
            row
        })
        .collect();
    Table { columns, rows }
}

/// `rank,amenity_id,neighbourhood_id,neighbourhood_name,children_losing_coverage,
/// children_losing_<band>...`: per closure, the neighbourhoods of the homes whose children lose
/// coverage with it (homes outside every neighbourhood count nowhere). A closure that loses
/// nobody has no row.
pub fn by_neighbourhood_table(scene: &Scene, plan: &ClosurePlan) -> Table {
    let mut columns: Vec<String> = [
        "rank",
        "amenity_id",
        "neighbourhood_id",
        "neighbourhood_name",
        "children_losing_coverage",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    columns.extend(band_columns(plan));
    let rows = plan
        .closures
        .iter()
        .flat_map(|c| {
            c.by_neighbourhood.iter().map(move |(n, by_band)| {
                let mut row = vec![
                    Cell::Num(Some(c.rank as f64), 0),
                    Cell::text(&c.id),
                    Cell::text(neighbourhood_id(scene, *n)),
                    Cell::text(n.map_or("", |n| scene.neighbourhoods[n as usize].name.as_str())),
                    Cell::Num(Some(by_band.iter().sum()), 3),
                ];
                row.extend(by_band.iter().map(|v| Cell::Num(Some(*v), 3)));
                row
            })
        })
        .collect();
    Table { columns, rows }
}

/// `children_losing_<band>` per norm band, the band's label as in `neighbourhoods.csv`'s
/// `K_coverage_<band>` and `sites.csv`'s `new_children_<band>`.
fn band_columns(plan: &ClosurePlan) -> impl Iterator<Item = String> + '_ {
    plan.band_labels
        .iter()
        .map(|b| format!("children_losing_{b}"))
}

fn neighbourhood_id(scene: &Scene, n: Option<u32>) -> &str {
    n.map_or("", |n| scene.neighbourhoods[n as usize].id.as_str())
}

/// The closures paragraph of the summaries (terminal and `summary.md`): what the closures cost
/// in covered children, per band, and how they were chosen.
pub fn paragraph(t: &Texts, plan: &ClosurePlan) -> Vec<String> {
    let covered = plan.covered();
    let lost = plan.lost();
    let share = if covered > 0.0 {
        t.pct_with(Some(lost / covered), 1)
    } else {
        "-".into()
    };
    let bands: Vec<String> = plan
        .band_labels
        .iter()
        .enumerate()
        .map(|(b, label)| {
            let lost: f64 = plan.closures.iter().map(|c| c.by_band[b]).sum();
            format!(
                "{label} {} / {}",
                t.figure(Some(lost), 1),
                t.figure(Some(plan.covered_by_band[b]), 1)
            )
        })
        .collect();
    let mut lines = vec![t.fmt(
        "closures.loss",
        &[
            ("n", &plan.closures.len()),
            ("amenities", &plan.amenities),
            ("kind", &t.kind_lower(&plan.kind)),
            ("kept", &plan.kept),
            ("lost", &t.figure(Some(lost), 1)),
            ("covered", &t.figure(Some(covered), 1)),
            ("share", &share),
            ("bands", &bands.join(", ")),
        ],
    )];
    let distance = t.get(if plan.walked {
        "distance.network"
    } else {
        "distance.straight"
    });
    lines.push(match plan.target {
        ClosureTarget::Count(_) => t.fmt(
            "closures.method_count",
            &[("kind", &t.kind_lower(&plan.kind)), ("distance", &distance)],
        ),
        ClosureTarget::KeepCoverage(keep) => t.fmt(
            "closures.method_keep",
            &[
                (
                    "keep",
                    &format!("{}%", t.decimal_marks(&crate::error::shown(keep * 100.0))),
                ),
                ("distance", &distance),
            ],
        ),
    });
    if plan.weighted {
        lines.push(t.get("closures.weighted").to_string());
    }
    lines
}
