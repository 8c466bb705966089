//! Catchment maps ("verzorgingsgebied"): per band of the focus kind's norms, each amenity's
//! catchment as `catchments.geojson` has it, with the children inside in its hover text, over
//! neighbourhoods whose ground within no catchment stands out.

use maud::Markup;

use super::maps::amenity_shapes;
use crate::output::report::html::figure;
use crate::output::report::maps::{
    self, Choropleth, Layer, LegendRow, MapBase, Palette, ValueFormat,
};
use crate::output::report::ReportInput;

/// The catchments' outline and faint fill.
const CATCHMENT: &str = "#1d6fb8";
/// Ground within no catchment.
pub const UNCOVERED: &str = "#f6c9a8";

/// One map per band of the focus kind's catchments, in norm order.
pub fn catchment_maps(input: &ReportInput, base: &MapBase) -> Vec<Markup> {
    let Some(c) = input.catchments else {
        return Vec::new();
    };
    let (scene, t) = (input.scene, input.texts);
    let Some(k) = scene.amenities.iter().position(|a| a.kind == c.kind) else {
        return Vec::new();
    };
    let items = &scene.amenities[k].items;
    let kind = t.kind_lower(&c.kind);
    let distance = if c.walked {
        t.get("distance.network")
    } else {
        t.get("distance.straight")
    };
    c.bands
        .iter()
        .enumerate()
        .map(|(b, (band, metres))| {
            let areas: Vec<(geo::MultiPolygon, String)> = c
                .items
                .iter()
                .filter(|item| item.band == b && !item.area.0.is_empty())
                .map(|item| {
                    let a = &items[item.amenity];
                    let name = if a.name.is_empty() { &a.id } else { &a.name };
                    let label = t.fmt(
                        "catchment_map.hover",
                        &[
                            ("name", name),
                            ("n", &t.num(Some(item.children_within), 1)),
                            ("band", band),
                            ("metres", &t.num(Some(*metres), 0)),
                        ],
                    );
                    (item.area.clone(), label)
                })
                .collect();
            let count = areas.len();
            let map = Choropleth {
                amenities: amenity_shapes(input, k),
                amenity_label: format!("{kind} ({})", items.len()),
                layers: vec![Layer::Areas {
                    colour: CATCHMENT,
                    areas,
                }],
                layer_legend: vec![
                    LegendRow::Swatch(
                        "#c9dcee".into(),
                        t.fmt("catchment_map.legend_area", &[("n", &count)]),
                    ),
                    LegendRow::Swatch(
                        UNCOVERED.into(),
                        t.fmt("catchment_map.legend_uncovered", &[("kind", &kind)]),
                    ),
                ],
                neutral: UNCOVERED,
                ..Choropleth::plain(
                    &format!("map-catchments-{b}"),
                    &t.fmt("catchment_map.legend", &[("band", band)]),
                    vec![None; scene.neighbourhoods.len()],
                    ValueFormat::Number(0),
                    t.numbers(),
                    Palette {
                        gradient: colorous::BLUES,
                        reverse: false,
                        start: 0.2,
                    },
                    "",
                )
            };
            let caption = t.fmt(
                "catchment_map.caption",
                &[
                    ("band", band),
                    ("kind", &kind),
                    ("metres", &t.num(Some(*metres), 0)),
                    ("distance", &distance),
                ],
            );
            figure(
                &t.fmt(
                    "catchment_map.title",
                    &[("kind", &t.kind(&c.kind)), ("band", band)],
                ),
                maps::render(base, &map),
                &caption,
                false,
            )
        })
        .collect()
}
