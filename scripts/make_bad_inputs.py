#!/usr/bin/env python3
"""Writes the corpus of bad inputs under tests/bad_inputs/: one folder per case with a study file,
the layers it breaks, and `expect.txt` (first line: error | warning | ok; then one substring per line
that the message must contain). tests/bad_inputs.rs runs every case. Shared valid layers are in _base/.
"""
import json, os, shutil

ROOT = os.path.join(os.path.dirname(__file__), "..", "tests", "bad_inputs")
RD = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}}
X, Y = 150000, 460000

BASE = open(os.path.join(ROOT, "_base", "study.toml")).read()


def rel_base(text):
    for n in ["neighbourhoods", "homes", "playgrounds"]:
        text = text.replace(f'path = "{n}.geojson"', f'path = "../_base/{n}.geojson"')
    return text


def fc(feats, crs=RD):
    d = {"type": "FeatureCollection", "features": feats}
    if crs:
        d["crs"] = crs
    return d


def feat(props, geom):
    return {"type": "Feature", "properties": props, "geometry": geom}


def pt(x, y):
    return {"type": "Point", "coordinates": [x, y]}


def sq(x, y, s):
    return {"type": "Polygon", "coordinates": [[[x, y], [x + s, y], [x + s, y + s], [x, y + s], [x, y]]]}


CASES = {}


def case(name, expect, study, files=None, raw_files=None):
    CASES[name] = (expect, study, files or {}, raw_files or {})


S = rel_base(BASE)
case("unknown_key", ["error", "childern", "line"], S.replace('id = "hid"', 'id = "hid"\nchildern = "x"'))
case("missing_file", ["error", "nope.geojson", "cannot read"], S.replace("../_base/neighbourhoods.geojson", "nope.geojson"))
case("not_geojson", ["error", "not valid GeoJSON"], S.replace("../_base/homes.geojson", "homes.geojson"), raw_files={"homes.geojson": "hello, I am a CSV\n1,2,3\n"})
case("nan_coordinates", ["error", "not valid GeoJSON"], S.replace("../_base/homes.geojson", "homes.geojson"),
     raw_files={"homes.geojson": '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"hid":"a"},"geometry":{"type":"Point","coordinates":[NaN, 52.1]}}]}'})
case("infinity_coordinates", ["error", "not valid GeoJSON"], S.replace("../_base/homes.geojson", "homes.geojson"),
     raw_files={"homes.geojson": '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"hid":"a"},"geometry":{"type":"Point","coordinates":[Infinity, 52.1]}}]}'})
case("homes_are_lines", ["error", "feature 0", "LineString"], S.replace("../_base/homes.geojson", "homes.geojson"),
     {"homes.geojson": fc([feat({"hid": "a"}, {"type": "LineString", "coordinates": [[X, Y], [X + 10, Y]]})])})
case("neighbourhoods_are_points", ["error", "must be polygons"], S.replace("../_base/neighbourhoods.geojson", "nb.geojson"),
     {"nb.geojson": fc([feat({"code": "A", "name": "a", "kids": 3, "income": 1}, pt(X, Y))])})
case("geometry_collection", ["error", "GeometryCollection"], S.replace("../_base/homes.geojson", "homes.geojson"),
     {"homes.geojson": fc([feat({"hid": "a"}, {"type": "GeometryCollection", "geometries": [pt(X, Y), pt(X + 5, Y)]})])})
case("amenities_are_lines", ["error", "amenities must be points or polygons"], S.replace("../_base/playgrounds.geojson", "p.geojson"),
     {"p.geojson": fc([feat({}, {"type": "LineString", "coordinates": [[X, Y], [X + 10, Y]]})])})
case("missing_id_attribute", ["error", "kode", "Did you mean", "code"], S.replace('id = "code"', 'id = "kode"'))
case("missing_children_attribute", ["error", "kinder", "[neighbourhoods] children"], S.replace('children = "kids"', 'children = "kinder"'))
case("non_numeric_children", ["error", "feature 1", "\"lots\" is not a number"], S.replace("../_base/homes.geojson", "homes.geojson").replace('id = "hid"', 'id = "hid"\nchildren = "children"'),
     {"homes.geojson": fc([feat({"hid": "a", "children": 2}, pt(X + 10, Y + 10)), feat({"hid": "b", "children": "lots"}, pt(X + 20, Y + 10))])})
case("suppressed_children", ["warning", "suppressed", "estimated"], S.replace("../_base/homes.geojson", "homes.geojson").replace('id = "hid"', 'id = "hid"\nchildren = "children"'),
     {"homes.geojson": fc([feat({"hid": "a", "children": 2}, pt(X + 10, Y + 10)), feat({"hid": "b", "children": -99997}, pt(X + 20, Y + 10))])})
case("duplicate_neighbourhood_ids", ["error", "duplicate neighbourhood id \"A\"", "feature 0"], S.replace("../_base/neighbourhoods.geojson", "nb.geojson"),
     {"nb.geojson": fc([feat({"code": "A", "name": "a", "kids": 3, "income": 1}, sq(X, Y, 100)), feat({"code": "A", "name": "b", "kids": 3, "income": 1}, sq(X + 100, Y, 100))])})
case("rd_coordinates_without_crs", ["error", "cannot be longitude/latitude", "EPSG:28992"], S.replace("../_base/neighbourhoods.geojson", "nb.geojson"),
     {"nb.geojson": fc([feat({"code": "A", "name": "a", "kids": 3, "income": 1}, sq(X, Y, 2000))], crs=None)})
case("degrees_declared_as_rd", ["error", "looks like longitude/latitude", "EPSG:28992"], S.replace("../_base/homes.geojson", "homes.geojson"),
     {"homes.geojson": fc([feat({"hid": "a"}, pt(5.1, 52.1))])})
case("huge_coordinates", ["error", "not plausible"], S.replace("../_base/homes.geojson", "homes.geojson"),
     {"homes.geojson": fc([feat({"hid": "a"}, pt(1e300, 1e300))])})
case("empty_amenity_layer", ["warning", "coverage is 0"], S.replace("../_base/playgrounds.geojson", "p.geojson"), {"p.geojson": fc([])})
case("invalid_polygon_repaired", ["warning", "1 invalid polygon(s) (self-intersecting or badly nested rings) were repaired"], S.replace("../_base/playgrounds.geojson", "p.geojson"),
     {"p.geojson": fc([feat({}, {"type": "Polygon", "coordinates": [[[X, Y], [X + 50, Y + 50], [X + 50, Y], [X, Y + 50], [X, Y]]]})])})
case("norm_for_band_without_children", ["error", "band \"6-11\" has no children field"], S.replace('children = "kids"', 'children = { "0-5" = "kids" }') + '\n[norms]\nplayground = { "0-5" = 100, "6-11" = 400 }\n')
case("norm_zero", ["error", "a norm must be a distance above 0"], S + '\n[norms]\nplayground = { all = 0 }\n')
case("norm_negative", ["error", "a norm must be a distance above 0"], S + '\n[norms]\nplayground = { all = -100 }\n')
case("norm_for_unknown_kind", ["error", "[norms] library"], S + '\n[norms]\nlibrary = { all = 1000 }\n')
case("unknown_preset", ["error", "preset \"mars\" is unknown"], S + '\n[norms]\npreset = "mars"\n')
case("score_weight_for_unknown_kind", ["error", "[score] weights", "library"], S + '\n[score]\nweights = { library = 1 }\n')
case("score_weights_do_not_sum_to_1", ["warning", "weights sum to 2", "normalised"], S + '\n[score]\nweights = { playground = 2 }\n')
case("score_weight_negative", ["error", "a weight must be a number >= 0"], S + '\n[score]\nweights = { playground = -1 }\n')
case("empty_geometry", ["warning", "without geometry"], S.replace("../_base/homes.geojson", "homes.geojson"),
     {"homes.geojson": fc([feat({"hid": "a"}, pt(X + 10, Y + 10)), {"type": "Feature", "properties": {"hid": "b"}, "geometry": None}])})
case("three_d_coordinates", ["ok"], S.replace("../_base/homes.geojson", "homes.geojson"),
     {"homes.geojson": fc([feat({"hid": "a"}, {"type": "Point", "coordinates": [X + 10, Y + 10, 4.5]})])})
case("zero_area_neighbourhood", ["warning", "zero-area"], S.replace("../_base/neighbourhoods.geojson", "nb.geojson"),
     {"nb.geojson": fc([feat({"code": "A", "name": "a", "kids": 3, "income": 1}, sq(X, Y, 2000)),
                        feat({"code": "B", "name": "b", "kids": 3, "income": 1}, {"type": "Polygon", "coordinates": [[[X, Y], [X + 10, Y], [X + 20, Y], [X, Y]]]})])})
case("overlapping_neighbourhoods", ["ok"], S.replace("../_base/neighbourhoods.geojson", "nb.geojson"),
     {"nb.geojson": fc([feat({"code": "A", "name": "a", "kids": 3, "income": 1}, sq(X, Y, 2000)), feat({"code": "B", "name": "b", "kids": 3, "income": 1}, sq(X, Y, 1000))])})
case("homes_outside_every_neighbourhood", ["warning", "1 of 5 homes lie outside every neighbourhood"], S.replace("../_base/homes.geojson", "homes.geojson"),
     {"homes.geojson": fc([feat({"hid": f"H{i}"}, pt(X + 100 * i + 50, Y + 50)) for i in range(4)] + [feat({"hid": "far"}, pt(X + 9000, Y + 9000))])})
case("output_not_writable", ["error", "output folder"], S.replace('output = "out"', 'output = "/proc/kindscape-cannot-write-here"'))
case("study_points_at_itself", ["error", "study.toml", "not valid GeoJSON"], S.replace("../_base/neighbourhoods.geojson", "study.toml"))
case("amenity_without_path", ["error", "give `path`"], S.replace('path = "../_base/playgrounds.geojson"\n', ""))
case("no_amenities", ["error", "no [[amenities]] entry"], S[: S.index("[[amenities]]")])
case("geographic_working_crs", ["error", "in degrees", "metres"], S.replace('name = "base"', 'name = "base"\ncrs = "EPSG:4326"'))
case("unknown_crs_string", ["error", "\"Amersfoort\" is not understood"], S.replace('name = "base"', 'name = "base"\ncrs = "Amersfoort"'))
case("empty_homes_layer", ["error", "no features"], S.replace("../_base/homes.geojson", "homes.geojson"), {"homes.geojson": fc([])})
case("filter_keeps_no_home", ["error", "filter"], S.replace('id = "hid"', 'id = "hid"\nfilter = { residential = true }'))
case("no_children_anywhere", ["error", "no children anywhere"], S.replace('children = "kids"\n', ""))
case("wrong_value_type", ["error", "invalid type", "name"], S.replace('name = "base"', 'name = 5'))
case("duplicate_home_ids", ["warning", "duplicate home id"], S.replace("../_base/homes.geojson", "homes.geojson"),
     {"homes.geojson": fc([feat({"hid": "a"}, pt(X + 10, Y + 10)), feat({"hid": "a"}, pt(X + 20, Y + 10))])})
case("mixed_crs_between_layers", ["ok"], S.replace("../_base/homes.geojson", "homes.geojson"),
     {"homes.geojson": fc([feat({"hid": "a"}, pt(4.4961, 52.1255))], crs=None)})
case("ids_as_floats_and_leading_zeros", ["ok"], S.replace("../_base/neighbourhoods.geojson", "nb.geojson"),
     {"nb.geojson": fc([feat({"code": 12.0, "name": "a", "kids": "3", "income": 1}, sq(X, Y, 1000)), feat({"code": "0012", "name": "b", "kids": 3, "income": 1}, sq(X + 1000, Y, 1000))])})
case("negative_min_area", ["error", "min_area_m2", ">= 0"], S.replace('path = "../_base/playgrounds.geojson"', 'path = "../_base/playgrounds.geojson"\nmin_area_m2 = -5'))
case("play_area_share_zero", ["error", "[play_area] share"], S + '\n[play_area]\nshare = 0\n')
case("barrier_band_not_a_children_band", ["error", "[network.barriers]", "9-99"], S + '\n[network]\npath = "walk.geojson"\n[network.barriers]\n"9-99" = ["primary"]\n')
case("children_band_not_a_list_of_names", ["error", "children.\"0-5\"", "field name"], S.replace('children = "kids"', 'children = { "0-5" = 5 }'))


# ---- geometry-crs (issue 18: units and distortion, polygons, far points, multi-part homes, messages) ----
# The base data lie near 5.1 E 52.1 N: UTM zone 31N (EPSG:32631) is the zone named in suggestions.
def with_crs(crs):
    return S.replace('name = "base"', f'name = "base"\ncrs = "{crs}"')


def nb_wgs84(*squares):
    return fc([feat({"code": f"W{i}", "name": f"w{i}", "kids": 3, "income": 1}, sq(lon, lat, side)) for i, (lon, lat, side) in enumerate(squares)], crs=None)


def multi(*squares):
    return {"type": "MultiPolygon", "coordinates": [sq(x, y, s)["coordinates"] for x, y, s in squares]}


NB_BASE = json.load(open(os.path.join(ROOT, "_base", "neighbourhoods.geojson")))
S_NB = S.replace("../_base/neighbourhoods.geojson", "nb.geojson")
S_HOMES = S.replace("../_base/homes.geojson", "homes.geojson")
S_PLAY = S.replace("../_base/playgrounds.geojson", "p.geojson")
case("crs_us_survey_feet", ["error", "[study] crs = \"EPSG:2263\"", "US survey feet", "EPSG:32631 (UTM zone 31N)"], with_crs("EPSG:2263"))
case("crs_international_feet", ["error", "in feet", "1 unit = 0.3048 m", "EPSG:32631"], with_crs("+proj=tmerc +lon_0=5 +k=1 +x_0=0 +y_0=0 +ellps=WGS84 +units=ft"))
case("crs_to_meter_not_one", ["error", "1 unit = 0.201168 m", "kindscape measures in metres"], with_crs("+proj=tmerc +lon_0=5 +k=1 +x_0=0 +y_0=0 +ellps=WGS84 +to_meter=0.201168"))
case("crs_web_mercator", ["error", "[study] crs = \"EPSG:3857\"", "distances are off by 6", "EPSG:32631"], with_crs("EPSG:3857"))
case("crs_web_mercator_old_code", ["error", "[study] crs = \"EPSG:900913\"", "distances are off by", "EPSG:32631"], with_crs("EPSG:900913"))
case("crs_plain_mercator", ["error", "distances are off by", "within 1%"], with_crs("+proj=merc +lon_0=0 +ellps=WGS84"))
case("crs_geographic_names_the_utm_zone", ["error", "in degrees", "EPSG:32631 (UTM zone 31N)"], with_crs("EPSG:4258"))
case("crs_utm_zone_far_from_the_data", ["error", "EPSG:32635", "distances are off by"], with_crs("EPSG:32635"))
case("crs_neighbouring_utm_zone_warned", ["warning", "[study] crs = \"EPSG:32633\"", "off by up to 0.5%", "EPSG:32631 (UTM zone 31N) is truer"], with_crs("EPSG:32633"))
case("crs_national_grid_ok", ["ok"], with_crs("EPSG:28992"))
case("auto_data_wider_than_a_utm_zone", ["error", "[study] crs = \"auto\"", "wider than one UTM zone"], S_NB, {"nb.geojson": nb_wgs84((0.0, 52.0, 0.5), (9.5, 52.0, 0.5))})
case("auto_data_beyond_utm_north", ["error", "85", "where UTM is not defined", "EPSG:3413"], S_NB, {"nb.geojson": nb_wgs84((10.0, 84.8, 0.5))})
case("auto_data_across_a_zone_boundary_ok", ["ok"], S_NB, {"nb.geojson": nb_wgs84((4.9, 52.0, 1.4))})
case("multipolygon_repeated_part", ["warning", "1 multipolygon(s) have parts that overlap or repeat others (1 such part(s))", "union of its parts", "BU01"], S_NB,
     {"nb.geojson": fc([feat(NB_BASE["features"][0]["properties"], multi((X, Y, 1000), (X, Y, 1000))), NB_BASE["features"][1]])})
case("multipolygon_quarter_overlap", ["warning", "have parts that overlap or repeat others (1 such part(s))"], S_NB,
     {"nb.geojson": fc([feat(NB_BASE["features"][0]["properties"], multi((X, Y, 600), (X + 300, Y + 300, 600))), NB_BASE["features"][1]])})
case("amenity_multipolygon_three_copies", ["warning", "playground", "have parts that overlap or repeat others (2 such part(s))"], S_PLAY,
     {"p.geojson": fc([feat({}, multi((X + 100, Y + 100, 50), (X + 100, Y + 100, 50), (X + 100, Y + 100, 50)))])})
case("home_multipoint", ["error", "homes.geojson", "feature 1", "MultiPoint holds 2 distinct points"], S_HOMES,
     {"homes.geojson": fc([feat({"hid": "a"}, pt(X + 10, Y + 10)), feat({"hid": "b"}, {"type": "MultiPoint", "coordinates": [[X + 10, Y + 10], [X + 1500, Y + 500]]})])})
case("home_multipoint_of_one_place_ok", ["ok"], S_HOMES,
     {"homes.geojson": fc([feat({"hid": "a"}, {"type": "MultiPoint", "coordinates": [[X + 10, Y + 10], [X + 10, Y + 10]]})])})
case("amenity_multipoint_split", ["warning", "1 MultiPoint feature(s) were taken as 3 separate amenities"], S_PLAY,
     {"p.geojson": fc([feat({}, {"type": "MultiPoint", "coordinates": [[X + 100, Y + 100], [X + 1500, Y + 500], [X + 900, Y + 900]]})])})
case("amenity_far_outside_the_study_area", ["warning", "playground", "p.geojson", "1 feature(s) lie far outside the study area", "feature 1", "check their coordinates and CRS"], S_PLAY,
     {"p.geojson": fc([feat({}, pt(5.32, 52.133)), feat({}, pt(5.32, -30.0))], crs=None)})
case("only_amenity_far_outside_the_study_area", ["warning", "1 feature(s) lie far outside the study area", "feature 0"], S_PLAY,
     {"p.geojson": fc([feat({}, pt(-120.0, 40.0))], crs=None)})
case("home_far_outside_the_study_area", ["warning", "1 of 2 homes lie outside every neighbourhood", "1 home(s) lie far outside the study area", "home \"far\""], S_HOMES,
     {"homes.geojson": fc([feat({"hid": "a"}, pt(5.32, 52.133)), feat({"hid": "far"}, pt(52.133, 5.32))], crs=None)})
case("empty_pbf_network", ["error", "empty.osm.pbf", "holds no OpenStreetMap data"], S + '\n[network]\nosm = "empty.osm.pbf"\n', raw_files={"empty.osm.pbf": ""})
case("empty_pbf_amenities", ["error", "empty.osm.pbf", "holds no OpenStreetMap data"],
     S.replace('path = "../_base/playgrounds.geojson"', 'osm = "empty.osm.pbf"\ntags = ["leisure=playground"]'), raw_files={"empty.osm.pbf": ""})
case("network_without_lines", ["error", "walk.geojson", "[network] path", "no line to walk on"], S + '\n[network]\npath = "walk.geojson"\n',
     {"walk.geojson": fc([{"type": "Feature", "properties": {"highway": "footway"}, "geometry": None}])})
case("huge_coordinate_shown_short", ["error", "coordinate (1e99, 4.6e99) is not plausible"], S_HOMES, {"homes.geojson": fc([feat({"hid": "a"}, pt(1e99, 4.6e99))])})
case("huge_weight_shown_short", ["warning", "weights sum to 1e300, not 1"], S + '\n[score]\nweights = { playground = 1e300 }\n')
case("huge_min_area_shown_short", ["warning", "smaller than 1e300 m2 were left out"], S.replace('path = "../_base/playgrounds.geojson"', 'path = "../_base/playgrounds.geojson"\nmin_area_m2 = 1e300'))
# ---- end of geometry-crs ----


def main():
    for name in os.listdir(ROOT):
        if name != "_base" and os.path.isdir(os.path.join(ROOT, name)):
            shutil.rmtree(os.path.join(ROOT, name))
    for name, (expect, study, files, raw) in CASES.items():
        d = os.path.join(ROOT, name)
        os.makedirs(d)
        open(os.path.join(d, "study.toml"), "w").write(study)
        open(os.path.join(d, "expect.txt"), "w").write("\n".join(expect) + "\n")
        for f, content in files.items():
            json.dump(content, open(os.path.join(d, f), "w"))
        for f, content in raw.items():
            open(os.path.join(d, f), "w").write(content)
    print(len(CASES), "cases")


main()
