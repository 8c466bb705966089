"""geopandas baseline for kindscape's straight-line benchmark (issue 8).

Measures, on one kindscape sample city, what a planner would do in geopandas:
  load    -- read the 5 layers (geopandas.read_file, engine pyogrio), reproject to EPSG:28992
             where needed, drop green spaces under 5000 m2 (min_area_m2 in sample-town.toml);
  compute -- for each of the 4 kinds, geopandas.sjoin_nearest(homes, kind, distance_col="d"),
             then the minimum distance per home (ties give duplicate rows);
  write   -- a CSV of home_id and the 4 distances, to a temporary file (deleted afterwards).
Prints one JSON line: load_s, compute_s, write_s, peak_mb (ru_maxrss of this process, taken
before the optional check), package versions and the number of homes.

With --check HOMES_CSV it then compares its distances with kindscape's homes.csv (columns
home_id, playground_m, green_space_m, library_m, community_centre_m; 1 decimal) and prints the
max absolute difference per kind: an independent check of kindscape's straight-line distances
(to a polygon's boundary, 0 inside, as sjoin_nearest does).

Run:
  python3 -m venv /tmp/venv-gpd && /tmp/venv-gpd/bin/pip install geopandas pyogrio shapely pyproj
  /tmp/venv-gpd/bin/python scripts/bench_geopandas.py /work/bench/h1m --check /work/bench/h1m/out/homes.csv
"""

import argparse
import json
import os
import resource
import sys
import tempfile
import time

import geopandas
import pandas
import pyogrio
import pyproj
import shapely

CRS = "EPSG:28992"
KINDS = {  # kind -> (file, min_area_m2)
    "playground": ("playgrounds.geojson", 0),
    "green_space": ("green_spaces.geojson", 5000),
    "library": ("libraries.geojson", 0),
    "community_centre": ("community_centres.geojson", 0),
}


def read(path):
    gdf = geopandas.read_file(path, engine="pyogrio")
    if gdf.crs is None:
        sys.exit(f"{path}: no CRS")
    return gdf if gdf.crs.equals(CRS) else gdf.to_crs(CRS)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("city_dir")
    ap.add_argument("--check", metavar="HOMES_CSV", help="kindscape homes.csv to compare with")
    args = ap.parse_args()

    t0 = time.perf_counter()
    homes = read(os.path.join(args.city_dir, "homes.geojson"))[["home_id", "geometry"]]
    amenities = {}
    for kind, (file, min_area) in KINDS.items():
        gdf = read(os.path.join(args.city_dir, file))
        if min_area:  # only polygons have area; points would all be dropped, as kindscape does
            gdf = gdf[gdf.geometry.area >= min_area]
        amenities[kind] = gdf[["geometry"]]
    t1 = time.perf_counter()

    out = pandas.DataFrame({"home_id": homes["home_id"]})
    for kind, gdf in amenities.items():
        joined = geopandas.sjoin_nearest(homes, gdf, distance_col="d")
        out[f"{kind}_m"] = joined["d"].groupby(level=0).min()
    t2 = time.perf_counter()

    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
        out.to_csv(f, index=False, float_format="%.1f")
    os.unlink(f.name)
    t3 = time.perf_counter()

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    versions = {m.__name__: m.__version__ for m in (geopandas, pyogrio, shapely, pyproj, pandas)}
    versions["gdal"] = pyogrio.__gdal_version_string__
    versions["geos"] = shapely.geos_version_string
    versions["proj"] = pyproj.proj_version_str
    print(json.dumps({"load_s": round(t1 - t0, 2), "compute_s": round(t2 - t1, 2),
                      "write_s": round(t3 - t2, 2), "peak_mb": round(peak_mb),
                      "versions": versions, "homes": len(homes)}))

    if args.check:
        ks = pandas.read_csv(args.check, usecols=["home_id"] + [f"{k}_m" for k in KINDS])
        both = out.merge(ks, on="home_id", suffixes=("", "_ks"), validate="1:1")
        if len(both) != len(out):
            print(f"check: {len(out)} homes here, {len(both)} matched in {args.check}")
        for kind in KINDS:
            diff = (both[f"{kind}_m"] - both[f"{kind}_m_ks"]).abs()
            worst = diff.idxmax()
            print(f"check {kind}: max |diff| {diff.max():.3f} m (home {both.at[worst, 'home_id']}), "
                  f"{(diff > 0.051).sum()} homes differ by more than rounding")


if __name__ == "__main__":
    main()
