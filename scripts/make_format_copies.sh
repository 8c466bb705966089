#!/usr/bin/env bash
# Usage: scripts/make_format_copies.sh SHARED_DATA OUTDIR
#
# Converts the Harderwijk and Helsinki GeoJSON layers of the shared data into GeoPackage and
# Shapefile copies with GDAL's ogr2ogr (Debian: apt-get install gdal-bin), for
# tests/formats.rs, which runs both studies from the copies and compares their outputs with the
# GeoJSON runs byte for byte. Each copy keeps the layer's place and name in the data tree
# (OUTDIR/gpkg/<dir>/<name>.gpkg, OUTDIR/shp/<dir>/<name>.shp with its .dbf, .shx, .prj and a
# .cpg saying UTF-8), so the reports' source lines, which name the input files, read alike.
# GeoPackage layers are named after the file; the GeoJSON data is never modified.
#
# A Shapefile holds one geometry type: Helsinki's playgrounds, libraries and community centres
# mix points and polygons, so they get no Shapefile copy (the test reads them from the
# GeoPackage). GDAL cuts Shapefile field names to 10 characters; the test names the cut fields.
set -euo pipefail
DATA="$1"
OUT="$2"
command -v ogr2ogr >/dev/null || { echo "ogr2ogr not found (apt-get install gdal-bin)" >&2; exit 2; }
rm -rf "$OUT/gpkg" "$OUT/shp"

# source GeoJSON (relative to DATA), whether a Shapefile copy is made
LAYERS=(
  "harderwijk/neighbourhoods/cbs_wijken_2024_harderwijk_epsg28992.geojson yes"
  "harderwijk/population/cbs_vierkant100m_2020_harderwijk_epsg28992.geojson yes"
  "harderwijk/playgrounds/bgt_speeltuin_harderwijk_epsg28992.geojson yes"
  "helsinki-centre/neighbourhoods/paavo_2023_postal_areas_clipped_to_osm_extent.geojson yes"
  "helsinki-centre/osm_layers/building_points.geojson yes"
  "helsinki-centre/osm_layers/green_spaces.geojson yes"
  "helsinki-centre/osm_layers/playgrounds.geojson no"
  "helsinki-centre/osm_layers/libraries.geojson no"
  "helsinki-centre/osm_layers/community_centres.geojson no"
)

for entry in "${LAYERS[@]}"; do
  read -r src shp <<<"$entry"
  stem="${src%.geojson}"
  mkdir -p "$OUT/gpkg/$(dirname "$src")" "$OUT/shp/$(dirname "$src")"
  ogr2ogr -f GPKG "$OUT/gpkg/$stem.gpkg" "$DATA/$src"
  if [ "$shp" = yes ]; then
    ogr2ogr -f "ESRI Shapefile" "$OUT/shp/$stem.shp" "$DATA/$src" -lco ENCODING=UTF-8
  fi
done
echo "wrote $OUT/gpkg and $OUT/shp"
