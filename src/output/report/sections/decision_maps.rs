//! The decisions on maps: the closures plan (closed amenities numbered by rank, the kept ones,
//! and where children lose coverage) and each scenario (what it removes and adds, and the homes
//! whose children gain or lose coverage, or whose distance changes).

use geo::Coord;
use maud::Markup;

use super::maps::amenity_shapes;
use crate::output::report::hexes::HexGrid;
use crate::output::report::html::figure;
use crate::output::report::maps::{
    self, Choropleth, HexLayer, Layer, LegendRow, MapBase, Palette, Shape, ShapeStyle, ValueFormat,
};
use crate::output::report::ReportInput;
use crate::scenarios::ScenarioOutcome;
use crate::scene::Amenity;
use crate::sites::closures::ClosurePlan;

/// Scenarios beyond this many are compared in the table and lines only: each map weighs about
/// as much as the neighbourhoods' outlines, and a council weighs a handful of plans at a time.
pub const MAX_SCENARIO_MAPS: usize = 6;

const CLOSED: ShapeStyle = ShapeStyle {
    fill: "#d62728",
    stroke: "#7a0c0c",
    dashed: false,
};
const REMOVED: ShapeStyle = ShapeStyle {
    fill: "#fbd5d5",
    stroke: "#b91c1c",
    dashed: true,
};
const ADDED: ShapeStyle = ShapeStyle {
    fill: "#2ca25f",
    stroke: "#0b4d2a",
    dashed: false,
};
const RANK: &str = "#b91c1c";

/// The hexagons of homes that lose coverage: light yellow to dark red by children.
const LOSS_PALETTE: Palette = Palette {
    gradient: colorous::YELLOW_ORANGE_RED,
    reverse: false,
    start: 0.2,
};

/// How a scenario changes a hexagon's homes, the first that applies.
const LOSES: &str = "#b2182b";
const GAINS: &str = "#1a9850";
const FARTHER: &str = "#fdb863";
const NEARER: &str = "#a6dba0";

/// An amenity's name on a map: its name, else its id.
fn name_of(a: &Amenity) -> &str {
    if a.name.is_empty() {
        &a.id
    } else {
        &a.name
    }
}

/// The closures plan on a map: closed amenities red and numbered by rank, kept ones white,
/// hexagons where children lose coverage.
pub fn closure_map(input: &ReportInput, base: &MapBase, plan: &ClosurePlan) -> Option<Markup> {
    let (scene, t) = (input.scene, input.texts);
    let k = scene.amenities.iter().position(|a| a.kind == plan.kind)?;
    let grid = HexGrid::for_extent(scene.extent()?);
    let kind = t.kind_lower(&plan.kind);
    let items = &scene.amenities[k].items;
    let mut closed = vec![false; items.len()];
    for c in &plan.closures {
        closed[c.amenity] = true;
    }
    let (mut gone, mut kept) = (Vec::new(), Vec::new());
    for (shape, closed) in amenity_shapes(input, k).into_iter().zip(closed) {
        if closed {
            gone.push(shape);
        } else {
            kept.push(shape);
        }
    }
    let marks = plan
        .closures
        .iter()
        .map(|c| {
            let label = t.fmt(
                "closure_map.hover",
                &[
                    ("rank", &c.rank),
                    ("name", &name_of(&items[c.amenity])),
                    ("n", &t.num(Some(c.children_losing), 1)),
                ],
            );
            (Coord { x: c.x, y: c.y }, c.rank, label)
        })
        .collect();
    let losing = plan
        .closures
        .iter()
        .flat_map(|c| c.homes_losing.iter())
        .map(|&(h, n)| (scene.homes.coords[h as usize], n));
    let hexes: Vec<crate::output::report::hexes::Hex> = grid
        .bin_by(losing, |sum: &mut f64, n| *sum += n)
        .into_iter()
        .filter(|(_, n)| *n > 0.0)
        .map(|(centre, value)| crate::output::report::hexes::Hex { centre, value })
        .collect();
    let none_lose = hexes.is_empty();
    let labels = hexes
        .iter()
        .map(|h| t.fmt("closure_map.hex", &[("n", &t.num(Some(h.value), 1))]))
        .collect();
    let map = Choropleth {
        amenities: kept,
        amenity_label: t.fmt(
            "closure_map.kept",
            &[("n", &(items.len() - plan.closures.len()))],
        ),
        hexes: Some(HexLayer {
            grid,
            hexes,
            labels,
            palette: LOSS_PALETTE,
        }),
        layers: vec![
            Layer::Shapes {
                style: CLOSED,
                shapes: gone,
            },
            Layer::Numbered {
                colour: RANK,
                marks,
            },
        ],
        layer_legend: vec![LegendRow::Numbered(
            RANK,
            t.fmt("closure_map.closed", &[("n", &plan.closures.len())]),
        )],
        wide: true,
        ..Choropleth::plain(
            "map-closures",
            t.get("closure_map.legend"),
            vec![None; scene.neighbourhoods.len()],
            ValueFormat::Number(0),
            t.numbers(),
            LOSS_PALETTE,
            "",
        )
    };
    let mut caption = t.fmt(
        "closure_map.caption",
        &[("kind", &kind), ("width", &t.num(Some(grid.width), 0))],
    );
    if none_lose {
        caption = format!("{caption} {}", t.get("closure_map.none_lose"));
    }
    Some(figure(
        &t.fmt("closure_map.title", &[("kind", &t.kind(&plan.kind))]),
        maps::render(base, &map),
        &caption,
        true,
    ))
}

/// Per hexagon, what a scenario changes for its homes.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    gained: f64,
    lost: f64,
    nearer: usize,
    farther: usize,
}

impl Tally {
    /// The colour and legend key of the first that applies: children lose coverage, children
    /// gain it, more homes farther than nearer, else nearer.
    fn class(&self) -> (&'static str, &'static str) {
        if self.lost > 0.0 && self.lost >= self.gained {
            (LOSES, "scenario_map.loses")
        } else if self.gained > 0.0 {
            (GAINS, "scenario_map.gains")
        } else if self.farther > self.nearer {
            (FARTHER, "scenario_map.farther")
        } else {
            (NEARER, "scenario_map.nearer")
        }
    }
}

/// One map per scenario, the first [`MAX_SCENARIO_MAPS`] of them.
pub fn scenario_maps(input: &ReportInput, base: &MapBase) -> Vec<Markup> {
    input
        .scenarios
        .iter()
        .take(MAX_SCENARIO_MAPS)
        .enumerate()
        .filter_map(|(i, s)| scenario_map(input, base, i, s))
        .collect()
}

fn scenario_map(
    input: &ReportInput,
    base: &MapBase,
    i: usize,
    s: &ScenarioOutcome,
) -> Option<Markup> {
    let (scene, t) = (input.scene, input.texts);
    let grid = HexGrid::for_extent(scene.extent()?);
    let changes = &s.changes;
    let tallies = grid.bin_by(
        changes
            .homes
            .iter()
            .map(|c| (scene.homes.coords[c.home as usize], *c)),
        |tally: &mut Tally, c| {
            if c.covered > 0.0 {
                tally.gained += c.covered;
            } else {
                tally.lost -= c.covered;
            }
            if c.covered == 0.0 && c.metres > 0.0 {
                tally.farther += 1;
            } else if c.covered == 0.0 && c.metres < 0.0 {
                tally.nearer += 1;
            }
        },
    );
    let cells = tallies
        .iter()
        .filter(|(_, tally)| tally.gained + tally.lost > 0.0 || tally.nearer + tally.farther > 0)
        .map(|(centre, tally)| {
            let label = t.fmt(
                "scenario_map.hex",
                &[
                    ("lost", &t.num(Some(tally.lost), 1)),
                    ("gained", &t.num(Some(tally.gained), 1)),
                    ("farther", &tally.farther),
                    ("nearer", &tally.nearer),
                ],
            );
            (*centre, tally.class().0, label)
        })
        .collect::<Vec<_>>();
    let mut classes: Vec<(&str, &str)> = tallies.iter().map(|(_, tally)| tally.class()).collect();
    classes.sort();
    classes.dedup();
    let order = [LOSES, GAINS, FARTHER, NEARER];
    let mut legend: Vec<LegendRow> = order
        .iter()
        .filter_map(|colour| classes.iter().find(|c| c.0 == *colour))
        .map(|(colour, key)| LegendRow::Swatch(colour.to_string(), t.get(key).to_string()))
        .collect();
    let shapes = |list: &[(usize, Amenity)]| -> Vec<Shape> {
        list.iter()
            .map(|(k, a)| Shape {
                geometry: a.geometry.clone(),
                label: format!("{}: {}", t.kind(&scene.amenities[*k].kind), name_of(a)),
            })
            .collect()
    };
    let (removed, added) = (shapes(&changes.removed), shapes(&changes.added));
    if !removed.is_empty() {
        legend.push(LegendRow::Shape(
            REMOVED,
            t.fmt("scenario_map.removed", &[("n", &removed.len())]),
        ));
    }
    if !added.is_empty() {
        legend.push(LegendRow::Shape(
            ADDED,
            t.fmt("scenario_map.added", &[("n", &added.len())]),
        ));
    }
    // The mapped kind's amenities the scenario keeps, as every map draws a kind's amenities.
    let kept: Vec<Shape> = changes.kind.map_or_else(Vec::new, |k| {
        let gone: Vec<&str> = changes
            .removed
            .iter()
            .filter(|(rk, _)| *rk == k)
            .map(|(_, a)| a.id.as_str())
            .collect();
        amenity_shapes(input, k)
            .into_iter()
            .zip(&scene.amenities[k].items)
            .filter(|(_, a)| !gone.contains(&a.id.as_str()))
            .map(|(s, _)| s)
            .collect()
    });
    let kind = changes
        .kind
        .map(|k| t.kind_lower(&scene.amenities[k].kind))
        .unwrap_or_default();
    let map = Choropleth {
        amenity_label: t.fmt("scenario_map.kept", &[("kind", &kind), ("n", &kept.len())]),
        amenities: kept,
        layers: vec![
            Layer::Hexes { grid, cells },
            Layer::Shapes {
                style: REMOVED,
                shapes: removed,
            },
            Layer::Shapes {
                style: ADDED,
                shapes: added,
            },
        ],
        layer_legend: legend,
        ..Choropleth::plain(
            &format!("map-scenario-{}", i + 1),
            &t.fmt("scenario_map.legend", &[("kind", &kind)]),
            vec![None; scene.neighbourhoods.len()],
            ValueFormat::Number(0),
            t.numbers(),
            LOSS_PALETTE,
            "",
        )
    };
    let lost: f64 = changes.homes.iter().map(|c| (-c.covered).max(0.0)).sum();
    let gained: f64 = changes.homes.iter().map(|c| c.covered.max(0.0)).sum();
    let caption = t.fmt(
        "scenario_map.caption",
        &[
            ("kind", &kind),
            ("lost", &t.num(Some(lost), 1)),
            ("gained", &t.num(Some(gained), 1)),
            ("width", &t.num(Some(grid.width), 0)),
        ],
    );
    Some(figure(
        &t.fmt("scenario_map.title", &[("name", &s.name)]),
        maps::render(base, &map),
        &caption,
        false,
    ))
}
