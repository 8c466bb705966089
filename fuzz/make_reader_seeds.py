#!/usr/bin/env python3
"""Writes the seeds of the gpkg_wkb, gpkg and shapefile fuzz targets (fuzz/seeds/<target>/) and
their regression inputs (fuzz/regressions/<target>/), from the GeoPackage and Shapefile cases of
tests/bad_inputs (run scripts/make_bad_inputs.py first) and a few hand-made geometry blobs.
"""
import os, shutil, sqlite3, struct

HERE = os.path.dirname(os.path.abspath(__file__))
BAD = os.path.join(HERE, "..", "tests", "bad_inputs")


def out(kind, target, name, data):
    d = os.path.join(HERE, kind, target)
    os.makedirs(d, exist_ok=True)
    open(os.path.join(d, name), "wb").write(data)


def header(flags, srs=28992, envelope=b""):
    return b"GP\x00" + bytes([flags]) + struct.pack("<i", srs) + envelope


def wkb_point(x, y):
    return struct.pack("<BIdd", 1, 1, x, y)


def wkb_polygon(rings):
    body = struct.pack("<BII", 1, 3, len(rings))
    for ring in rings:
        body += struct.pack("<I", len(ring)) + b"".join(struct.pack("<dd", x, y) for x, y in ring)
    return body


SQUARE = [(0, 0), (10, 0), (10, 10), (0, 10), (0, 0)]
BOWTIE = [(0, 0), (10, 10), (10, 0), (0, 10), (0, 0)]
blobs = {
    "point.bin": header(1) + wkb_point(155000, 463000),
    "point_envelope_xy.bin": header(3, envelope=struct.pack("<4d", 1, 1, 2, 2)) + wkb_point(1, 2),
    "empty.bin": header(0b10001),
    "polygon_hole.bin": header(1) + wkb_polygon([SQUARE, [(2, 2), (2, 4), (4, 4), (4, 2), (2, 2)]]),
    "bowtie.bin": header(1) + wkb_polygon([BOWTIE]),
    "big_endian_point.bin": header(0) + struct.pack(">BIdd", 0, 1, 3, 4),
    "multipolygon.bin": header(1) + struct.pack("<BII", 1, 6, 2) + wkb_polygon([SQUARE]) + wkb_polygon([SQUARE]),
    "point_z.bin": header(1) + struct.pack("<BIddd", 1, 1001, 1, 2, 3),
}
for name, data in blobs.items():
    out("seeds", "gpkg_wkb", name, data)
for name in ["point.bin", "empty.bin", "bowtie.bin"]:
    out("regressions", "gpkg_wkb", name, blobs[name])
out("regressions", "gpkg_wkb", "cut_envelope.bin", header(0b100)[:8] + b"\0" * 10)
out("regressions", "gpkg_wkb", "cut_wkb.bin", (header(1) + wkb_point(1, 2))[:-3])
open(os.path.join(HERE, "regressions", "gpkg_wkb", "expected.txt"), "w").write(
    "# <file>: loads | error <words the message must hold>\n"
    "point.bin: loads\nempty.bin: loads\nbowtie.bin: loads\ncut_envelope.bin: error cut short\ncut_wkb.bin: error WKB\n"
    "# found by the fuzzer (kept as libFuzzer minimised it): a polygon with a NaN coordinate\n"
    "crash-nan-coordinate-in-polygon.bin: error not a finite number\n"
    "# wkb 0.9.3 panicked reading the inner point (its header sets the EWKB SRID flag)\n"
    "crash-multipoint-inner-srid-flag.bin: error WKB is malformed\n"
    "# geo's validity check hit a debug assertion (topology position conflict): skipped as unrepairable\n"
    "crash-topology-conflict-sliver-hole.bin: loads\n")

gpkg_cases = ["gpkg_homes_read", "gpkg_several_layers_with_key", "gpkg_boolean_filter", "gpkg_geometry_blob_corrupted",
              "gpkg_truncated_sqlite", "gpkg_undefined_crs", "gpkg_no_geometry_layer"]
for case in gpkg_cases:
    data = open(os.path.join(BAD, case, "homes.gpkg"), "rb").read()
    out("seeds", "gpkg", case + ".gpkg", data)
for case in ["gpkg_homes_read", "gpkg_truncated_sqlite", "gpkg_several_layers_with_key"]:
    out("regressions", "gpkg", case + ".gpkg", open(os.path.join(BAD, case, "homes.gpkg"), "rb").read())
# The homes of gpkg_homes_read with the first one's geometry a polygon with a NaN coordinate.
nan_gpkg = os.path.join(HERE, "regressions", "gpkg", "nan_coordinate.gpkg")
shutil.copyfile(os.path.join(BAD, "gpkg_homes_read", "homes.gpkg"), nan_gpkg)
db = sqlite3.connect(nan_gpkg)
db.execute("UPDATE homes SET geom = ? WHERE fid = (SELECT MIN(fid) FROM homes)",
           (header(1) + wkb_polygon([[(0, 0), (10, 0), (10, 10), (0, float("nan")), (0, 0)]]),))
db.commit()
db.close()
# The same homes with the first one's geometry the MultiPoint the wkb crate panicked on.
bad_wkb_gpkg = os.path.join(HERE, "regressions", "gpkg", "wkb_nested_point_past_end.gpkg")
shutil.copyfile(os.path.join(BAD, "gpkg_homes_read", "homes.gpkg"), bad_wkb_gpkg)
db = sqlite3.connect(bad_wkb_gpkg)
db.execute("UPDATE homes SET geom = ? WHERE fid = (SELECT MIN(fid) FROM homes)",
           (open(os.path.join(HERE, "regressions", "gpkg_wkb", "crash-multipoint-inner-srid-flag.bin"), "rb").read(),))
db.commit()
db.close()
open(os.path.join(HERE, "regressions", "gpkg", "expected.txt"), "w").write(
    "# <file>: loads | error <words the message must hold>\n"
    "gpkg_homes_read.gpkg: loads\ngpkg_truncated_sqlite.gpkg: error broken SQLite file\n"
    "gpkg_several_layers_with_key.gpkg: error 2 layers\nnan_coordinate.gpkg: error feature 0: coordinate (0, NaN) is not a finite number\n"
    "wkb_nested_point_past_end.gpkg: error feature 0: the geometry's WKB is malformed\n")


def framed(case, stem):
    shp = open(os.path.join(BAD, case, stem + ".shp"), "rb").read()
    dbf = open(os.path.join(BAD, case, stem + ".dbf"), "rb").read()
    return struct.pack("<I", len(shp)) + shp + dbf


shp_cases = {"shp_homes_read": "homes", "shp_latin1_cpg_read_correctly": "wijken", "shp_fewer_records_than_shapes": "homes"}
for case, stem in shp_cases.items():
    out("seeds", "shapefile", case + ".bin", framed(case, stem))
    out("regressions", "shapefile", case + ".bin", framed(case, stem))
homes = framed("shp_homes_read", "homes")
out("regressions", "shapefile", "cut_shp.bin", struct.pack("<I", 120) + homes[4:124] + homes[4 + len(homes) - 4:])
open(os.path.join(HERE, "regressions", "shapefile", "expected.txt"), "w").write(
    "# <file>: loads | error <words the message must hold>\n"
    "shp_homes_read.bin: loads\nshp_latin1_cpg_read_correctly.bin: loads\n"
    "shp_fewer_records_than_shapes.bin: error fewer records\n"
    "# found by the fuzzer: a part start far past the shape's points made the shapefile crate reserve 17 GB\n"
    "oom-part-start-past-its-points.bin: error feature 0: the shape's part 2 starts at point 1090670464\n"
    "# found by the fuzzer: after an empty record the crate read on from its own place and took bytes for a 1e9 part count\n"
    "oom-empty-record-then-huge-part-count.bin: error feature 0: the shape cannot be read\n")
print("wrote fuzz/seeds and fuzz/regressions for gpkg_wkb, gpkg, shapefile")
