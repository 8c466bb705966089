#!/usr/bin/python3
"""Writes the small GeoTIFFs under tests/fixtures/rasters/ and what GDAL itself reads from them.

Run through scripts/make_test_rasters.sh (Debian's GDAL Python bindings:
`apt-get install -y gdal-bin python3-gdal python3-numpy`). CI does not run this: the tests only
read the committed files.

Outputs
- one GeoTIFF per reader case (sample type, layout, compression, georeferencing);
- gdal_reading.json: for every file and band, GDAL's own reading (size, geotransform, nodata,
  EPSG code, a few pixels, sums and a SHA-256 of every pixel value) for the Rust reader to match;
- harderwijk_*.tif: the CBS 100 m grid of Harderwijk rasterised (see `harderwijk()`);
- zonal_expected.json: zonal statistics of the children raster per CBS wijk, computed here with
  numpy and OGR/GEOS point-in-polygon on cell centres (see `zonal()`), independent of kindscape.
"""

import hashlib
import json
import math
import os
import sys

import numpy as np
from osgeo import gdal, ogr, osr

gdal.UseExceptions()
ogr.UseExceptions()
osr.UseExceptions()

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "fixtures", "rasters")
SHARED = os.environ.get("KINDSCAPE_SHARED_DATA", os.path.join(ROOT, "..", "..", "shared", "data"))
if not os.path.isdir(SHARED):
    SHARED = "/work/shared/data"
GRID = os.path.join(SHARED, "harderwijk/population/cbs_vierkant100m_2020_harderwijk_epsg28992.geojson")
WIJKEN = os.path.join(SHARED, "harderwijk/neighbourhoods/cbs_wijken_2024_harderwijk_epsg28992.geojson")

# Pixels whose values the reader must reproduce exactly, besides the digest of all of them.
PROBES = [(0, 0), (1, 0), (0, 1), (3, 2), (17, 11), (-1, -1)]


def srs(epsg):
    s = osr.SpatialReference()
    s.ImportFromEPSG(epsg)
    return s.ExportToWkt()


def pattern(w, h, kind, seed):
    """Deterministic values that exercise sign, fractions and every pixel position."""
    rng = np.random.default_rng(seed)
    x, y = np.meshgrid(np.arange(w), np.arange(h))
    if kind == "float":
        return (np.sin(x / 5.0) * 100 + y * 1.25 + rng.normal(0, 3, (h, w))).astype(np.float64)
    return (x * 7 + y * 13 + rng.integers(0, 50, (h, w))).astype(np.int64)


def write(name, arrays, dtype, geotransform, epsg, options, nodata=None, metadata=None):
    """Creates a GeoTIFF through GDAL's MEM driver + CreateCopy, like gdal_translate does."""
    h, w = arrays[0].shape
    mem = gdal.GetDriverByName("MEM").Create("", w, h, len(arrays), dtype)
    if geotransform is not None:
        mem.SetGeoTransform(geotransform)
    if epsg is not None:
        mem.SetProjection(srs(epsg))
    if metadata:
        mem.SetMetadata(metadata)
    for i, a in enumerate(arrays, start=1):
        band = mem.GetRasterBand(i)
        if nodata is not None:
            band.SetNoDataValue(nodata)
        band.WriteArray(a)
    path = os.path.join(OUT, name)
    if os.path.exists(path):
        os.remove(path)
    driver = "COG" if "COG" in options else "GTiff"
    opts = [o for o in options if o != "COG"]
    gdal.GetDriverByName(driver).CreateCopy(path, mem, options=opts)
    return path


def digest(values):
    """SHA-256 of every pixel as little-endian f64, row by row; NaN written as one canonical NaN."""
    v = values.astype("<f8").ravel().copy()
    v[np.isnan(v)] = np.float64("nan")
    bits = v.view("<u8").copy()
    bits[np.isnan(v)] = 0x7FF8000000000000
    return hashlib.sha256(bits.astype("<u8").tobytes()).hexdigest()


def reading(path):
    """What GDAL reads from a file: the values the Rust reader must reproduce."""
    info = gdal.Info(path, format="json")
    ds = gdal.Open(path)
    epsg = None
    if ds.GetSpatialRef() is not None:
        ref = ds.GetSpatialRef()
        code = ref.GetAuthorityCode(None)
        epsg = int(code) if code else None
    bands = []
    for b in range(1, ds.RasterCount + 1):
        band = ds.GetRasterBand(b)
        a = band.ReadAsArray()
        if band.GetMetadataItem("PIXELTYPE", "IMAGE_STRUCTURE") == "SIGNEDBYTE":
            a = a.view(np.int8)  # GDAL 3.6 hands signed bytes over raw; this is their meaning
        a = a.astype(np.float64)
        nodata = band.GetNoDataValue()
        valid = np.isfinite(a)
        if nodata is not None and not math.isnan(nodata):
            valid &= a != nodata
        h, w = a.shape
        probes = []
        for c, r in PROBES:
            c, r = c % w, r % h
            v = float(a[r, c])
            probes.append({"col": c, "row": r, "value": None if math.isnan(v) else v})
        positive = valid & (a > 0)
        bands.append(
            {
                "band": b,
                "data_type": gdal.GetDataTypeName(band.DataType),
                "nodata": None if nodata is None else (str(nodata) if math.isnan(nodata) else nodata),
                "probes": probes,
                "valid_count": int(valid.sum()),
                "valid_sum": math.fsum(a[valid].tolist()),
                "valid_min": float(a[valid].min()) if valid.any() else None,
                "valid_max": float(a[valid].max()) if valid.any() else None,
                "positive_count": int(positive.sum()),
                "positive_sum": math.fsum(a[positive].tolist()),
                "sha256_f64": digest(a),
            }
        )
    md = ds.GetMetadata("IMAGE_STRUCTURE")
    return {
        "size": info["size"],
        "bands": ds.RasterCount,
        "geotransform": list(ds.GetGeoTransform()),
        "epsg": epsg,
        "area_or_point": ds.GetMetadataItem("AREA_OR_POINT"),
        "interleave": md.get("INTERLEAVE"),
        "compression": md.get("COMPRESSION"),
        "band_values": bands,
    }


def reader_cases():
    """One file per thing the reader has to get right. Returns {file: note}."""
    rd = [170000.0, 10.0, 0.0, 485000.0, 0.0, -10.0]
    cases = {}

    def case(name, note, *args, **kw):
        write(name, *args, **kw)
        cases[name] = note

    w, h = 37, 23  # odd sizes: partial strips and tiles
    ints = pattern(w, h, "int", 1)
    floats = pattern(w, h, "float", 2)
    case("byte_striped.tif", "Byte, strips of 5 rows, uncompressed, EPSG:28992",
         [(ints % 256).astype(np.uint8)], gdal.GDT_Byte, rd, 28992, ["BLOCKYSIZE=5"])
    # GDAL 3.6 has no Int8 type: signed bytes are a Byte band marked PIXELTYPE=SIGNEDBYTE (TIFF
    # SampleFormat=2), written and read as raw bytes.
    case("int8_deflate.tif", "signed Byte (PIXELTYPE=SIGNEDBYTE), DEFLATE, EPSG:28992",
         [(ints % 256 - 128).astype(np.int8).view(np.uint8)], gdal.GDT_Byte, rd, 28992,
         ["PIXELTYPE=SIGNEDBYTE", "COMPRESS=DEFLATE"])
    i16 = (ints - 300).astype(np.int16)
    i16[2:5, 3:9] = -32768
    case("int16_lzw_pred2_nodata.tif", "Int16, LZW with horizontal predictor, nodata -32768, EPSG:3067",
         [i16], gdal.GDT_Int16, [385000.0, 250.0, 0.0, 6675000.0, 0.0, -250.0], 3067,
         ["COMPRESS=LZW", "PREDICTOR=2"], nodata=-32768)
    case("uint16_tiled_deflate_pred2.tif", "UInt16, 16x16 tiles, DEFLATE with predictor 2, EPSG:28992",
         [(ints * 97).astype(np.uint16)], gdal.GDT_UInt16, rd, 28992,
         ["TILED=YES", "BLOCKXSIZE=16", "BLOCKYSIZE=16", "COMPRESS=DEFLATE", "PREDICTOR=2"])
    f32 = floats.astype(np.float32)
    f32[0, 5] = -9999
    f32[10, 10] = np.nan
    case("float32_tiled_deflate_pred3.tif",
         "Float32, 16x16 tiles, DEFLATE with floating-point predictor 3, nodata -9999 and one NaN, EPSG:28992",
         [f32], gdal.GDT_Float32, rd, 28992,
         ["TILED=YES", "BLOCKXSIZE=16", "BLOCKYSIZE=16", "COMPRESS=DEFLATE", "PREDICTOR=3"], nodata=-9999)
    case("float32_lzw_pred3_striped.tif", "Float32, strips, LZW with predictor 3, EPSG:28992",
         [f32], gdal.GDT_Float32, rd, 28992, ["COMPRESS=LZW", "PREDICTOR=3", "BLOCKYSIZE=4"])
    case("uint32_packbits.tif", "UInt32, PackBits, EPSG:28992",
         [(ints * 100003).astype(np.uint32)], gdal.GDT_UInt32, rd, 28992, ["COMPRESS=PACKBITS"])
    case("int32_bigtiff_tiled.tif", "Int32, BigTIFF, 16x16 tiles, DEFLATE, EPSG:28992",
         [(ints * -1000).astype(np.int32)], gdal.GDT_Int32, rd, 28992,
         ["BIGTIFF=YES", "TILED=YES", "BLOCKXSIZE=16", "BLOCKYSIZE=16", "COMPRESS=DEFLATE"])
    case("float64_geographic.tif", "Float64, DEFLATE, EPSG:4326 (lon/lat degrees)",
         [floats / 7.0], gdal.GDT_Float64, [24.90, 0.0005, 0.0, 60.18, 0.0, -0.00025], 4326,
         ["COMPRESS=DEFLATE"])
    case("web_mercator_cog.tif", "Float32 Cloud-Optimized GeoTIFF with overviews (first IFD is full size), EPSG:3857",
         [f32], gdal.GDT_Float32, [2773000.0, 30.0, 0.0, 8438000.0, 0.0, -30.0], 3857,
         ["COG", "COMPRESS=DEFLATE", "BLOCKSIZE=128", "OVERVIEWS=AUTO", "OVERVIEW_COUNT=1"])
    case("no_crs.tif", "Byte with a geotransform and no CRS", [(ints % 200).astype(np.uint8)],
         gdal.GDT_Byte, rd, None, [])
    case("no_georeferencing.tif", "Byte with neither geotransform nor CRS (GDAL reports 0,1,0,0,0,1)",
         [(ints % 200).astype(np.uint8)], gdal.GDT_Byte, None, None, [])
    case("pixel_is_point.tif",
         "Int16 with AREA_OR_POINT=Point: the tiepoint is a pixel centre, GDAL shifts the origin half a pixel",
         [i16], gdal.GDT_Int16, rd, 28992, [], metadata={"AREA_OR_POINT": "Point"})
    case("rotated.tif", "Float32 with a rotated geotransform (ModelTransformationTag), EPSG:28992",
         [f32], gdal.GDT_Float32, [170000.0, 8.0, 3.0, 485000.0, 2.0, -9.0], 28992, [])
    rgb = [((ints * k) % 256).astype(np.uint8) for k in (1, 3, 5)]
    case("rgb_pixel_interleaved.tif", "3 Byte bands, pixel interleaved (PlanarConfiguration=1), DEFLATE, EPSG:28992",
         rgb, gdal.GDT_Byte, rd, 28992, ["INTERLEAVE=PIXEL", "COMPRESS=DEFLATE"])
    case("two_bands_planar.tif", "2 Int16 bands, INTERLEAVE=BAND (PlanarConfiguration=2): the tiff reader rejects it",
         [i16, (i16 // 2).astype(np.int16)], gdal.GDT_Int16, rd, 28992, ["INTERLEAVE=BAND"])
    return cases


def harderwijk():
    """Rasterises the CBS 100 m squares of Harderwijk on their own grid (x 168500-176400,
    y 480400-486200: 79 x 58 cells of exactly 100 m, so each square is one cell).

    harderwijk_cbs100m_2020.tif: Int32, band 1 = aantal_inwoners_0_tot_15_jaar, band 2 =
    aantal_inwoners, CBS's suppression code -99997 kept as a value (a home whose count is unknown),
    nodata -99999 where there is no square (nobody lives there).
    harderwijk_children_0_15.tif: Float32, band 1 = aantal_inwoners_0_tot_15_jaar with both the
    suppressed squares and the empty cells as NaN (nodata = nan), for zonal statistics.
    Each square's value is written into the cell holding its centroid (no polygon burning), so
    the mapping from square to cell is exact and checked to be one-to-one."""
    x0, y1, size = 168500.0, 486200.0, 100.0
    w, h = 79, 58
    children = np.full((h, w), -99999, dtype=np.int32)
    inhabitants = np.full((h, w), -99999, dtype=np.int32)
    ds = ogr.Open(GRID)
    layer = ds.GetLayer(0)
    seen = set()
    for f in layer:
        c = f.GetGeometryRef().Centroid()
        col = int(math.floor((c.GetX() - x0) / size))
        row = int(math.floor((y1 - c.GetY()) / size))
        env = f.GetGeometryRef().GetEnvelope()
        assert env[1] - env[0] == size and env[3] - env[2] == size, env
        assert 0 <= col < w and 0 <= row < h and (row, col) not in seen, (col, row)
        seen.add((row, col))
        children[row, col] = f.GetField("aantal_inwoners_0_tot_15_jaar")
        inhabitants[row, col] = f.GetField("aantal_inwoners")
    gt = [x0, size, 0.0, y1, 0.0, -size]
    write("harderwijk_cbs100m_2020.tif", [children, inhabitants], gdal.GDT_Int32, gt, 28992,
          ["COMPRESS=DEFLATE", "PREDICTOR=2", "INTERLEAVE=PIXEL"], nodata=-99999)
    masked = children.astype(np.float32)
    masked[children < 0] = np.nan
    write("harderwijk_children_0_15.tif", [masked], gdal.GDT_Float32, gt, 28992,
          ["COMPRESS=DEFLATE", "PREDICTOR=3"], nodata=float("nan"))
    return {
        "harderwijk_cbs100m_2020.tif": "CBS 100 m grid 2020, Harderwijk: band 1 children 0-14, band 2 inhabitants; -99997 = suppressed (kept), nodata -99999 = no square",
        "harderwijk_children_0_15.tif": "CBS 100 m grid 2020, Harderwijk: children 0-14, suppressed and empty cells NaN (nodata nan)",
    }, len(seen)


# Hand-made zones (EPSG:28992) committed in the fixture, so the zonal test runs without the shared
# data: overlapping zones (the first one wins), a hole, a multipolygon, a zone outside the raster,
# and a square whose edges run through cell centres (centres on the boundary belong to the zone).
SYNTHETIC_ZONES = [
    ("overlap_first", "POLYGON ((169600 481000,171000 481000,171000 483000,169600 483000,169600 481000))"),
    ("overlap_second", "POLYGON ((170000 482000,172500 482000,172500 484500,170000 484500,170000 482000))"),
    ("with_hole", "POLYGON ((172500 483000,175000 483000,175000 485500,172500 485500,172500 483000),"
     "(173000 484000,174000 484000,174000 485000,173000 485000,173000 484000))"),
    ("two_triangles", "MULTIPOLYGON (((168500 481400,169500 481400,168500 482400,168500 481400)),"
     "((174500 485300,175500 485300,174500 486200,174500 485300)))"),
    ("outside", "POLYGON ((100000 400000,101000 400000,101000 401000,100000 400000))"),
    ("edges_on_centres", "POLYGON ((170750 485350,171150 485350,171150 485750,170750 485750,170750 485350))"),
]


def zonal(threshold, zones):
    """Zonal statistics of harderwijk_children_0_15.tif per zone (id, name, OGR geometry),
    cell-centre assignment: a cell belongs to the first zone (in order) whose polygon intersects
    its centre point (OGR Intersects, GEOS: boundary included); NaN cells are ignored."""
    ds = gdal.Open(os.path.join(OUT, "harderwijk_children_0_15.tif"))
    gt = ds.GetGeoTransform()
    a = ds.GetRasterBand(1).ReadAsArray().astype(np.float64)
    h, w = a.shape
    owner = np.full((h, w), -1)
    for r in range(h):
        for c in range(w):
            x = gt[0] + (c + 0.5) * gt[1] + (r + 0.5) * gt[2]
            y = gt[3] + (c + 0.5) * gt[4] + (r + 0.5) * gt[5]
            p = ogr.Geometry(ogr.wkbPoint)
            p.AddPoint_2D(x, y)
            for i, (_, _, g) in enumerate(zones):
                if g.Intersects(p):
                    owner[r, c] = i
                    break
    rows = []
    for i, (code, name, _) in enumerate(zones):
        v = a[(owner == i) & np.isfinite(a)]
        cells = int((owner == i).sum())
        rows.append(
            {
                "id": code,
                "name": name,
                "cells": cells,
                "count": int(v.size),
                "sum": math.fsum(v.tolist()),
                "mean": math.fsum(v.tolist()) / v.size if v.size else None,
                "min": float(v.min()) if v.size else None,
                "max": float(v.max()) if v.size else None,
                "share_above": float((v > threshold).sum()) / v.size if v.size else None,
            }
        )
    return rows


def main():
    os.makedirs(OUT, exist_ok=True)
    cases = reader_cases()
    grid_cases, squares = harderwijk()
    cases.update(grid_cases)
    files = {name: dict(note=note, **reading(os.path.join(OUT, name))) for name, note in sorted(cases.items())}
    versions = f"GDAL {gdal.__version__}, numpy {np.__version__}, Python {sys.version.split()[0]}"
    with open(os.path.join(OUT, "gdal_reading.json"), "w") as fh:
        json.dump(
            {
                "how": "Written and then read back by GDAL itself (scripts/raster_fixtures.py): size, "
                "geotransform (GDAL order), EPSG from the SRS authority code, nodata, and per band the "
                "values at a few (col,row) probes, count/sum/min/max of valid cells (not nodata, finite; "
                "sums with math.fsum), count/sum of valid cells > 0, and sha256_f64 = SHA-256 of every "
                "pixel as little-endian f64 row by row, NaN as 0x7ff8000000000000. " + versions,
                "cbs_squares_rasterised": squares,
                "files": files,
            },
            fh,
            indent=1,
        )
        fh.write("\n")
    threshold = 10.0
    wijken_ds = ogr.Open(WIJKEN)  # kept alive: OGR layers die with their dataset
    wijken = [
        (f.GetField("wijkcode"), f.GetField("wijknaam"), f.GetGeometryRef().Clone())
        for f in wijken_ds.GetLayer(0)
    ]
    synthetic = [(name, name, ogr.CreateGeometryFromWkt(wkt)) for name, wkt in SYNTHETIC_ZONES]
    with open(os.path.join(OUT, "zonal_expected.json"), "w") as fh:
        json.dump(
            {
                "how": "Zonal statistics of harderwijk_children_0_15.tif (band 1) per polygon of "
                "cbs_wijken_2024_harderwijk_epsg28992.geojson (wijkcode, in file order; the test needs "
                "the shared data) and per synthetic zone (WKT and GeoJSON geometry below, EPSG:28992). Each cell centre "
                "(gt[0] + (col+0.5) gt[1] + (row+0.5) gt[2], same for y) is tested with OGR/GEOS "
                "Intersects against the wijken in file order; the first hit owns the cell. NaN "
                "(nodata) cells are ignored. sum with math.fsum; mean = sum/count; share_above = "
                "share of valid cells with value > threshold. " + versions,
                "raster": "harderwijk_children_0_15.tif",
                "zones": "harderwijk/neighbourhoods/cbs_wijken_2024_harderwijk_epsg28992.geojson",
                "threshold": threshold,
                "wijken": zonal(threshold, wijken),
                "synthetic_zones": [
                    {"id": n, "wkt": w, "geometry": json.loads(ogr.CreateGeometryFromWkt(w).ExportToJson())}
                    for n, w in SYNTHETIC_ZONES
                ],
                "synthetic": zonal(threshold, synthetic),
            },
            fh,
            indent=1,
        )
        fh.write("\n")


if __name__ == "__main__":
    main()
