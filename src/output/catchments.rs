//! `catchments.geojson`: per amenity of the focus kind and band, its catchment area with the
//! children within (also the `catchments` layer of `kindscape.gpkg`).

use std::io::Write;

use serde_json::{json, Value};

use super::table::{Cell, Table};
use crate::error::{Error, Result};
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
    let to_wgs84 = crs.to(&Crs::wgs84());
    let mut features = Vec::with_capacity(c.items.len());
    for (i, item) in c.items.iter().enumerate() {
        let mut g = geo::Geometry::MultiPolygon(item.area.clone());
        to_wgs84
            .geometry(&mut g)
            .map_err(|e| Error::Other(format!("catchment of amenity {}: {e}", item.amenity)))?;
        super::round_coords(&mut g, 7);
        features.push(json!({
            "type": "Feature",
            "properties": Value::Object(table.row_object(i)),
            "geometry": geojson::Geometry::from(&g),
        }));
    }
    let fc = json!({"type": "FeatureCollection", "features": features});
    serde_json::to_writer(w, &fc).map_err(|e| Error::Other(e.to_string()))
}
