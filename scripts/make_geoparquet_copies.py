#!/usr/bin/env python3
"""GeoParquet copies of GeoJSON layers, written with pyarrow, shapely and pyproj (not by kindscape).

Usage:
  scripts/make_geoparquet_copies.py SHARED_DATA OUTDIR     the Harderwijk and Helsinki layers
  scripts/make_geoparquet_copies.py --one IN.geojson OUT.parquet

For tests/formats_parquet.rs, which runs both studies from the copies and compares their outputs
with the GeoJSON runs byte for byte. Debian's GDAL (ogr2ogr) has no Parquet driver, so this
script writes GeoParquet 1.1 itself: one WKB column `geometry` (ISO WKB, 2D, by shapely), the
`geo` file metadata with `primary_column`, `encoding`, `geometry_types`, `bbox` and `crs` as
PROJJSON from pyproj (left out, meaning OGC:CRS84, when the GeoJSON declares no CRS, as RFC 7946
says), and one column per property: booleans, int64 where every value is an integer, float64
where every value is a number, text otherwise (a list or object as its JSON). Each copy keeps the
layer's place and name in the data tree: OUTDIR/<dir>/<name>.parquet.

Needs: pip install pyarrow shapely pyproj (tested with pyarrow 26, shapely 2.2, pyproj 3.7).
"""

import json
import os
import sys

import pyarrow as pa
import pyarrow.parquet as pq
import pyproj
import shapely

LAYERS = [
    "harderwijk/neighbourhoods/cbs_wijken_2024_harderwijk_epsg28992.geojson",
    "harderwijk/population/cbs_vierkant100m_2020_harderwijk_epsg28992.geojson",
    "harderwijk/playgrounds/bgt_speeltuin_harderwijk_epsg28992.geojson",
    "helsinki-centre/neighbourhoods/paavo_2023_postal_areas_clipped_to_osm_extent.geojson",
    "helsinki-centre/osm_layers/building_points.geojson",
    "helsinki-centre/osm_layers/green_spaces.geojson",
    "helsinki-centre/osm_layers/playgrounds.geojson",
    "helsinki-centre/osm_layers/libraries.geojson",
    "helsinki-centre/osm_layers/community_centres.geojson",
]


def column(values):
    """A property's values as a typed Arrow array."""
    present = [v for v in values if v is not None]
    if all(isinstance(v, bool) for v in present):
        return pa.array(values, type=pa.bool_() if present else pa.null())
    if all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return pa.array(values, type=pa.int64())
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        return pa.array([None if v is None else float(v) for v in values], type=pa.float64())
    text = [None if v is None else v if isinstance(v, str) else json.dumps(v) for v in values]
    return pa.array(text, type=pa.string())


def legacy_crs(doc):
    """The PROJJSON of a GeoJSON's legacy `crs` member, or None (OGC:CRS84)."""
    crs = doc.get("crs")
    if not crs:
        return None
    name = crs["properties"]["name"]
    parsed = pyproj.CRS.from_user_input(name)
    if parsed.equals(pyproj.CRS.from_user_input("OGC:CRS84")):
        return None
    return parsed.to_json_dict()


def convert(src, dst):
    with open(src, encoding="utf-8") as f:
        doc = json.load(f)
    features = doc["features"]
    names = []
    for feat in features:
        for k in (feat.get("properties") or {}):
            if k not in names:
                names.append(k)
    geometry_name = "geometry"
    while geometry_name in names:
        geometry_name = "_" + geometry_name
    geoms = [
        None if feat.get("geometry") is None else shapely.geometry.shape(feat["geometry"])
        for feat in features
    ]
    arrays = [column([(feat.get("properties") or {}).get(k) for feat in features]) for k in names]
    wkb = shapely.to_wkb(geoms, output_dimension=2, byte_order=1, flavor="iso")
    arrays.append(pa.array(list(wkb), type=pa.binary()))
    present = [g for g in geoms if g is not None]
    meta = {"encoding": "WKB", "geometry_types": sorted({g.geom_type for g in present})}
    if present:
        meta["bbox"] = list(shapely.total_bounds(present))
    crs = legacy_crs(doc)
    if crs is not None:
        meta["crs"] = crs
    geo = {"version": "1.1.0", "primary_column": geometry_name, "columns": {geometry_name: meta}}
    table = pa.Table.from_arrays(arrays, names=names + [geometry_name])
    table = table.replace_schema_metadata({b"geo": json.dumps(geo).encode()})
    os.makedirs(os.path.dirname(dst) or ".", exist_ok=True)
    pq.write_table(table, dst, compression="snappy")


def main(argv):
    if len(argv) == 3 and argv[0] == "--one":
        convert(argv[1], argv[2])
        return 0
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    data, out = argv
    for rel in LAYERS:
        convert(os.path.join(data, rel), os.path.join(out, rel[: -len(".geojson")] + ".parquet"))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
