#!/bin/sh
# Regenerates tests/fixtures/rasters/ (small GeoTIFFs, GDAL's reading of them, zonal statistics).
# Needs Debian's GDAL Python bindings and the shared data (../shared/data or $KINDSCAPE_SHARED_DATA):
#   apt-get install -y gdal-bin python3-gdal python3-numpy
set -eu
cd "$(dirname "$0")/.."
exec /usr/bin/python3 scripts/raster_fixtures.py "$@"
