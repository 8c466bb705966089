//! `catchments.geojson`: per amenity of the focus kind and band, its catchment area with the
//! children within (also the `catchments` layer of `kindscape.gpkg`).

use std::io::Write;

use super::table::{Cell, Table};
use crate::error::Result;
use crate::layers::crs::Crs;
use crate::measures::catchments::Catchments;
use crate::scene::Scene;

/// The properties: `kind,amenity_id,name,band,norm_m,children_within,walked`; `amenity_id` is
/// the amenity's [`id`](crate::scene::Amenity::id).
pub fn catchment_table(scene: &Scene, c: &Catchments) -> Table {
    let columns = [
        "kind",
        "amenity_id",
        "name",
        "band",
        "norm_m",
        "children_within",
        "walked",
    ];
    let amenities = scene.kind(&c.kind).map_or(&[][..], |k| &k.items[..]);
    let rows = c
        .items
        .iter()
        .map(|item| {
            let a = &amenities[item.amenity];
            let (label, metres) = c.bands[item.band].clone();
            vec![
                Cell::Text(c.kind.clone()),
                Cell::Text(a.id.clone()),
                Cell::Text(a.name.clone()),
                Cell::Text(label),
                Cell::Num(Some(metres), 1),
                Cell::Num(Some(item.children_within), 2),
                Cell::Text(if c.walked { "yes" } else { "no" }.into()),
            ]
        })
        .collect();
    Table {
        columns: columns.iter().map(|s| s.to_string()).collect(),
        rows,
    }
}

/// The catchments as GeoJSON in WGS84 (coordinates to 7 decimals, about 1 cm).
pub fn write_catchments_geojson(
    w: impl Write,
    crs: &Crs,
    table: &Table,
    c: &Catchments,
) -> Result<()> {
    let shapes: Vec<&geo::MultiPolygon> = c.items.iter().map(|item| &item.area).collect();
    super::write_wgs84_collection(w, crs, table, &shapes, |i| {
        format!("catchment of amenity {}", c.items[i].amenity)
    })
}
