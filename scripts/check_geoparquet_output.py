#!/usr/bin/env python3
"""Checks a run's homes.parquet and neighbourhoods.parquet with pyarrow, shapely and pyproj
(readers independent of kindscape). Usage: scripts/check_geoparquet_output.py OUT_DIR

For tests/formats_parquet.rs. Against the CSV files of the same run: the same columns in the
same order (then the geometry column), the same rows, and every value the CSV cell (an empty cell
is null; numbers equal the CSV number exactly; text equal). The `geo` metadata: GeoParquet 1.1.0,
a primary column of WKB (binary) geometries of the declared types, no `crs` (OGC:CRS84), a bbox
holding every geometry. The geometries: each home's point is its CSV x, y moved from the run's
working CRS to longitude/latitude by pyproj (within 3e-7 degrees, 2-3 cm: the CSV rounds to
1 cm, and kindscape's pure-Rust transformation differs from PROJ's default by millimetres); each
neighbourhood's polygon lies within 2e-7 degrees of the one in neighbourhoods.geojson (which is
rounded to 1e-7). Prints what differs and exits 1.
"""

import csv
import json
import math
import os
import sys

import pyarrow.parquet as pq
import pyproj
import shapely

problems = []


def check(cond, what):
    if not cond:
        problems.append(what)
    return cond


def compare_table(out, name):
    table = pq.read_table(os.path.join(out, name + ".parquet"))
    with open(os.path.join(out, name + ".csv"), newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header, rows = rows[0], rows[1:]
    geo = json.loads(table.schema.metadata[b"geo"])
    primary = geo.get("primary_column")
    check(geo.get("version") == "1.1.0", f"{name}: geo version {geo.get('version')}")
    check(table.column_names == header + [primary],
          f"{name}: columns {table.column_names} != CSV {header} + [{primary}]")
    meta = geo["columns"][primary]
    check(meta.get("encoding") == "WKB", f"{name}: encoding {meta.get('encoding')}")
    check("crs" not in meta, f"{name}: a crs is declared, the writer promises OGC:CRS84")
    check(str(table.schema.field(primary).type) == "binary", f"{name}: geometry type")
    check(table.num_rows == len(rows), f"{name}: {table.num_rows} rows, CSV {len(rows)}")
    for c, col in enumerate(header):
        values = table.column(col).to_pylist()
        kind = str(table.schema.field(col).type)
        check(kind in ("double", "int64", "string", "bool"), f"{name}.{col}: type {kind}")
        for r, (v, cell) in enumerate(zip(values, (row[c] for row in rows))):
            if cell == "":
                ok = v is None
            elif kind in ("double", "int64"):
                ok = v is not None and float(cell) == v
            elif kind == "bool":
                ok = v == (cell == "true")
            else:
                ok = v == cell
            if not check(ok, f"{name}.{col} row {r}: parquet {v!r}, CSV {cell!r}"):
                break
    geoms = shapely.from_wkb(table.column(primary).to_pylist())
    types = sorted({g.geom_type for g in geoms})
    check(set(types) <= set(meta["geometry_types"]),
          f"{name}: geometry types {types}, declared {meta['geometry_types']}")
    if len(geoms):
        x0, y0, x1, y1 = shapely.total_bounds(geoms)
        b = meta["bbox"]
        check(b[0] <= x0 and b[1] <= y0 and b[2] >= x1 and b[3] >= y1, f"{name}: bbox {b}")
        check(-180 <= x0 and x1 <= 180 and -90 <= y0 and y1 <= 90, f"{name}: not lon/lat")
    return header, rows, geoms


def main(out):
    run = json.load(open(os.path.join(out, "run.json"), encoding="utf-8"))
    to_lonlat = pyproj.Transformer.from_crs(run["working_crs"], "OGC:CRS84", always_xy=True)

    header, rows, geoms = compare_table(out, "homes")
    ix, iy = header.index("x"), header.index("y")
    for r, (row, g) in enumerate(zip(rows, geoms)):
        lon, lat = to_lonlat.transform(float(row[ix]), float(row[iy]))
        if not check(g.geom_type == "Point" and abs(g.x - lon) < 3e-7 and abs(g.y - lat) < 3e-7,
                     f"homes row {r}: point {g}, pyproj gives ({lon}, {lat})"):
            break

    header, rows, geoms = compare_table(out, "neighbourhoods")
    gj = json.load(open(os.path.join(out, "neighbourhoods.geojson"), encoding="utf-8"))
    check(len(gj["features"]) == len(geoms), "neighbourhoods: feature counts")
    for r, (feat, g) in enumerate(zip(gj["features"], geoms)):
        ref = shapely.geometry.shape(feat["geometry"])
        d = shapely.hausdorff_distance(ref, g)
        if not check(g.geom_type == "MultiPolygon" and d < 2e-7,
                     f"neighbourhoods row {r}: {d} degrees from neighbourhoods.geojson"):
            break

    for p in problems[:20]:
        print(p)
    if not problems:
        print(f"ok: {out}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
