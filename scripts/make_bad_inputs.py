#!/usr/bin/env python3
"""Writes the corpus of bad inputs under tests/bad_inputs/: one folder per case with a study file,
the layers it breaks, and `expect.txt` (first line: error | error run-only | warning | ok; then one
substring per line that the message must contain; `check` must fail as `run` does on an `error`, while
`error run-only` is for what only a run can find, such as an unwritable output folder). tests/bad_inputs.rs runs every case. Shared valid layers are in _base/.
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
    assert name not in CASES, f"case {name} is defined twice"
    CASES[name] = (expect, study, files or {}, raw_files or {})


S = rel_base(BASE)
case("unknown_key", ["error", "childern", "line"], S.replace('id = "hid"', 'id = "hid"\nchildern = "x"'))
case("missing_file", ["error", "nope.geojson", "cannot read"], S.replace("../_base/neighbourhoods.geojson", "nope.geojson"))
case("not_geojson", ["error", "not valid GeoJSON"], S.replace("../_base/homes.geojson", "homes.geojson"), raw_files={"homes.geojson": "hello, I am a CSV\n1,2,3\n"})
case("nan_coordinates", ["error", "not valid GeoJSON"], S.replace("../_base/homes.geojson", "homes.geojson"),
     raw_files={"homes.geojson": '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"hid":"a"},"geometry":{"type":"Point","coordinates":[NaN, 52.1]}}]}'})
case("infinity_coordinates", ["error", "not valid GeoJSON"], S.replace("../_base/homes.geojson", "homes.geojson"),
     raw_files={"homes.geojson": '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"hid":"a"},"geometry":{"type":"Point","coordinates":[Infinity, 52.1]}}]}'})
# A file of brackets where coordinates belong must be an error, not a stack overflow.
DEEP = "[" * 100000 + "]" * 100000
case("coordinates_nested_deep_homes", ["error", "homes.geojson", "not valid GeoJSON", "recursion limit"], S.replace("../_base/homes.geojson", "homes.geojson"),
     raw_files={"homes.geojson": '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"hid":"a"},"geometry":{"type":"Point","coordinates":' + DEEP + '}}]}'})
case("coordinates_nested_deep_amenity", ["error", "p.geojson", "not valid GeoJSON", "recursion limit"], S.replace("../_base/playgrounds.geojson", "p.geojson"),
     raw_files={"p.geojson": '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":' + DEEP + '}}]}'})
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
case("amenity_id_empty", ["error", "p.geojson", "feature 1", "attribute \"code\" (id) is empty"],
     S.replace('path = "../_base/playgrounds.geojson"', 'path = "p.geojson"\nid = "code"'),
     {"p.geojson": fc([feat({"code": "SP-1"}, pt(X, Y)), feat({"code": ""}, pt(X + 20, Y))])})
case("amenity_id_attribute_missing", ["error", "kode", "[[amenities]] id"],
     S.replace('path = "../_base/playgrounds.geojson"', 'path = "../_base/playgrounds.geojson"\nid = "kode"'))
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
case("output_not_writable", ["error run-only", "output folder"], S.replace('output = "out"', 'output = "/proc/kindscape-cannot-write-here"'))
case("study_points_at_itself", ["error", "study.toml", "not valid GeoJSON"], S.replace("../_base/neighbourhoods.geojson", "study.toml"))
case("amenity_without_path", ["error", "give `path`"], S.replace('path = "../_base/playgrounds.geojson"\n', ""))
case("no_amenities", ["error", "no [[amenities]] entry"], S[: S.index("[[amenities]]")])
case("geographic_working_crs", ["error", "in degrees", "metres"], S.replace('name = "base"', 'name = "base"\ncrs = "EPSG:4326"'))
case("unknown_crs_string", ["error", "\"Amersfoort\" is not understood"], S.replace('name = "base"', 'name = "base"\ncrs = "Amersfoort"'))
case("empty_homes_layer", ["error", "no features"], S.replace("../_base/homes.geojson", "homes.geojson"), {"homes.geojson": fc([])})
case("filter_keeps_no_home", ["error", "homes.geojson", "no home is left after the [homes] filter { residential = true }"],
     S.replace("../_base/homes.geojson", "homes.geojson").replace('id = "hid"', 'id = "hid"\nfilter = { residential = true }'),
     {"homes.geojson": fc([feat({"hid": "a", "residential": False}, pt(X + 10, Y + 10))])})
# A filter naming an attribute no feature has (a typo) would keep nothing without saying why.
case("filter_attribute_missing_homes", ["error", "homes.geojson", "no feature has the attribute \"residental\" ([homes] filter)", "Did you mean \"residential\""],
     S.replace("../_base/homes.geojson", "homes.geojson").replace('id = "hid"', 'id = "hid"\nfilter = { residental = true }'),
     {"homes.geojson": fc([feat({"hid": "a", "residential": True}, pt(X + 10, Y + 10))])})
case("filter_attribute_missing_amenities", ["error", "p.geojson", "no feature has the attribute \"stauts\" ([[amenities]] filter)", "Did you mean \"status\""],
     S.replace("../_base/playgrounds.geojson", "p.geojson").replace('path = "p.geojson"', 'path = "p.geojson"\nfilter = { stauts = "bestaand" }'),
     {"p.geojson": fc([feat({"status": "bestaand"}, pt(X + 150, Y + 100))])})
case("filter_attribute_missing_neighbourhoods", ["error", "nb.geojson", "no feature has the attribute \"gemeente\" ([neighbourhoods] filter)", "Did you mean \"gemeentecode\""],
     S.replace("../_base/neighbourhoods.geojson", "nb.geojson").replace('id = "code"', 'id = "code"\nfilter = { gemeente = "GM0001" }'),
     {"nb.geojson": fc([feat({"code": "A", "name": "a", "kids": 3, "income": 1, "gemeentecode": "GM0001"}, sq(X, Y, 2000))])})
case("keep_clashes_with_score", ["error", "[neighbourhoods] keep: \"score\" is also the name of the computed column `score`"], S.replace('keep = ["income"]', 'keep = ["income", "score"]'))
case("keep_clashes_with_name_case", ["error", "[neighbourhoods] keep: \"NAME\" is also the name of the computed column `name`"], S.replace('keep = ["income"]', 'keep = ["NAME"]'))
# Kind names are free: two kinds, or a kind and a computed column, must not name one column.
case("kinds_share_a_column", ["error", "the kind \"playground\" and the kind \"playground_net\" both give homes.csv a column `playground_net_m`"],
     S + '\n[[amenities]]\nkind = "playground_net"\npath = "../_base/playgrounds.geojson"\n\n[norms]\nplayground_net = { all = 200 }\n')
case("kinds_share_a_column_case", ["error", "both give homes.csv a column `Playground_m`"],
     S + '\n[[amenities]]\nkind = "Playground"\npath = "../_base/playgrounds.geojson"\n\n[norms]\nPlayground = { all = 200 }\n')
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


# ---- which amenity serves which child (issue 15): [[amenities]] ages / bands ----
def with_ages(value, key='ages = "doelgroep"'):
    """The playgrounds with an ages attribute: P1 every band, P2 `value`."""
    study = S.replace('path = "../_base/playgrounds.geojson"', f'path = "p.geojson"\n{key}')
    return study, {"p.geojson": fc([feat({"name": "P1", "doelgroep": ""}, pt(X + 150, Y + 100)),
                                    feat({"name": "P2", "doelgroep": value}, sq(X + 1600, Y + 600, 50))])}


for name, value, says in [
    ("ages_backwards", "5-3", "runs backwards"),
    ("ages_not_a_range", "abc", "is not an age range"),
    ("ages_negative", "-1", "ages cannot be negative"),
    ("ages_above_120", "0-150", "an age above 120 is not an age"),
    ("ages_decimal", "2.5-5", "is not an age range"),
]:
    case(name, ["error", "p.geojson", "feature 1", "attribute \"doelgroep\" (ages)", f"\"{value}\"", says], *with_ages(value))
case("ages_list_ok", ["ok"], *with_ages("0-5;6-11 jaar"))
case("ages_comma_space_list_ok", ["ok"], *with_ages("0-5, 6-11"))
# A Dutch decimal comma is no list separator: "2,5-5" is refused as "2.5-5" is, not read as 2 and 5.
for name, value in [("ages_decimal_comma", "2,5-5 jaar"), ("ages_comma_between_digits", "0-5,6-11")]:
    case(name, ["error", "p.geojson", "feature 1", "attribute \"doelgroep\" (ages)", f"\"{value}\"", "may be a decimal comma", "\"0-5;6-11\""], *with_ages(value))
case("ages_json_list", ["error", "p.geojson", "feature 1", "attribute \"doelgroep\" (ages) is a list, [\"0-5\",\"6-11\"]", "one text"],
     with_ages("")[0], {"p.geojson": fc([feat({"name": "P1", "doelgroep": ""}, pt(X + 150, Y + 100)),
                                          feat({"name": "P2", "doelgroep": ["0-5", "6-11"]}, sq(X + 1600, Y + 600, 50))])})
case("ages_serve_no_band", ["warning", "playground (", "p.geojson): 1 feature(s) serve no band of the study by their ages (first: feature 1)"], *with_ages("4-5;9-10"))
case("ages_attribute_missing", ["error", "doelgroep", "[[amenities]] ages"], S.replace('path = "../_base/playgrounds.geojson"', 'path = "../_base/playgrounds.geojson"\nages = "doelgroep"'))
case("ages_and_bands", ["error", "[[amenities]] entry 1", "either `ages`", "not both"], *with_ages("0-5", 'ages = "doelgroep"\nbands = ["0-5"]'))
case("ages_empty_name", ["error", "ages = \"\"", "name the attribute"], *with_ages("0-5", 'ages = ""'))
case("bands_unknown", ["error", "bands: \"0-4\" is not a band of the study", "0-5, 6-11, 12-17"], *with_ages("0-5", 'bands = ["0-4"]'))
case("bands_empty", ["error", "bands = []"], *with_ages("0-5", 'bands = []'))
case("bands_of_ageless_children", ["error", "band \"toddlers\" holds no age"],
     with_ages("0-5", 'bands = ["toddlers"]')[0].replace('children = "kids"', 'children = { toddlers = "kids" }') + '\n[norms]\nplayground = { toddlers = 100 }\n',
     with_ages("0-5")[1])

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
# The equity and play area stages read their attributes after every measure; `check` must stop
# on a value that is no number as `run` does.
NB_TEXT = json.loads(json.dumps(NB_BASE))
NB_TEXT["features"][0]["properties"].update({"income": "rich", "res": "abc"})
case("equity_by_not_a_number", ["error", "nb.geojson", "neighbourhood BU01", "\"rich\""],
     S_NB + '\n[equity]\nby = "income"\n', {"nb.geojson": NB_TEXT})
case("play_area_base_not_a_number", ["error", "[play_area] base: neighbourhood BU01", "\"abc\""],
     S_NB + '\n[play_area]\nkind = "playground"\nbase = "res"\n', {"nb.geojson": NB_TEXT})
case("children_share_without_band", ["error", "children = { share = ..., of = ... } names no band", "children = { \"all\" = { share = \"kids_share\", of = \"pop\" } }"],
     S.replace('children = "kids"', 'children = { share = "kids_share", of = "pop" }', 1))
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
case("huge_negative_norm_shown_short", ["error", "\"all\" = -1e300: a norm must be a distance above 0 m"], S + '\n[norms]\nplayground = { all = -1e300 }\n')
case("band_en_dash_read_as_hyphen", ["warning", "[neighbourhoods] children: band \"0–5\" is written with a dash that is not a hyphen (U+2013); it is read as \"0-5\"", "0-5 100 m"],
     S.replace('children = "kids"', 'children = { "0–5" = "kids" }') + '\n[norms]\nplayground = { "0-5" = 100 }\n')
case("band_em_dash_in_norms_read_as_hyphen", ["warning", "[norms] playground: band \"0—5\" is written with a dash that is not a hyphen (U+2014)"],
     S.replace('children = "kids"', 'children = { "0-5" = "kids" }') + '\n[norms]\nplayground = { "0—5" = 100 }\n')
case("band_en_dash_and_hyphen_both", ["error", "[neighbourhoods] children: band \"0-5\" is given twice", "keep one"],
     S.replace('children = "kids"', 'children = { "0–5" = "kids", "0-5" = "kids" }'))
# ---- end of geometry-crs ----


# --- resolve: the study resolved once (issue 13) and numeric settings (issue 18 item 7) ---------
# Errors `check` must find exactly as `run` does (tests/bad_inputs.rs runs both on every error case).
# CBS's missing-value markers are no quintile: only an empty value means none (docs/STUDY.md).
case("equity_quintile_text", ["error", "neighbourhood A: [equity] quintile \"q\"", "\"x\" is not a quintile (1 to 5; leave it empty for none)"],
     S.replace("../_base/neighbourhoods.geojson", "nb.geojson") + '\n[equity]\nby = "income"\nquintile = "q"\n',
     {"nb.geojson": fc([feat({"code": "A", "name": "a", "kids": 3, "income": 1, "q": "x"}, sq(X, Y, 2000))])})
case("equity_quintile_negative", ["error", "neighbourhood A: [equity] quintile \"q\"", "-1 is not a quintile (1 to 5)"],
     S.replace("../_base/neighbourhoods.geojson", "nb.geojson") + '\n[equity]\nby = "income"\nquintile = "q"\n',
     {"nb.geojson": fc([feat({"code": "A", "name": "a", "kids": 3, "income": 1, "q": -1}, sq(X, Y, 2000))])})
case("equity_by_missing_attribute", ["error", "[equity] by = \"wealth\"", "no neighbourhood has that attribute"], S + '\n[equity]\nby = "wealth"\n')
case("sites_candidates_missing", ["error", "[sites] candidates = \"lots.geojson\"", "no such file"], S + '\n[sites]\ncandidates = "lots.geojson"\n')
case("costs_unknown_preset", ["error", "[costs] preset = \"cheap\"", "unknown", "ecorys-2020"], S + '\n[sites]\ncount = 1\n[costs]\npreset = "cheap"\n')
case("catchment_kind_without_amenities", ["error", "[catchment] kind \"pool\"", "no [[amenities]] entry", "kinds: playground"], S + '\n[catchment]\nkind = "pool"\n')
case("play_area_kind_without_amenities", ["error", "[play_area] kind \"pool\"", "no [[amenities]] entry"], S + '\n[play_area]\nkind = "pool"\n')
case("score_weight_unknown_kind", ["error", "[score] weights", "\"library\" has no [[amenities]] entry"], S + '\n[score]\nweights = { playground = 1, library = 1 }\n')
case("network_every_line_refused", ["error", "walk.geojson", "no line to walk on", "3 lines refused by the walk rules", "1 motorway_or_trunk_without_foot", "1 foot_no", "1 access_private"], S + '\n[network]\npath = "walk.geojson"\n',
     {"walk.geojson": fc([feat({"highway": "motorway"}, {"type": "LineString", "coordinates": [[X, Y], [X + 100, Y]]}),
                          feat({"highway": "footway", "foot": "no"}, {"type": "LineString", "coordinates": [[X, Y + 10], [X + 100, Y + 10]]}),
                          feat({"highway": "service", "access": "private"}, {"type": "LineString", "coordinates": [[X, Y + 20], [X + 100, Y + 20]]})])})
# A network feature without geometry is said, as in every other layer; and the warnings met
# before an error are printed with it (here: why only one playground may close).
case("network_null_geometry", ["warning", "network (", "walk.geojson): 2 feature(s) without geometry were skipped"], S + '\n[network]\npath = "walk.geojson"\n',
     {"walk.geojson": fc([feat({"highway": "residential"}, {"type": "LineString", "coordinates": [[X, Y], [X + 3000, Y + 2000]]}),
                          feat({"highway": "residential"}, None),
                          feat({"highway": "residential"}, {"type": "LineString", "coordinates": []})])})
case("warnings_before_an_error", ["error", "[closures] count = 2", "warning: playground (", "p.geojson): 1 feature(s) without geometry were skipped"],
     S.replace('path = "../_base/playgrounds.geojson"', 'path = "p.geojson"') + '\n[closures]\nkind = "playground"\ncount = 2\n',
     {"p.geojson": fc([feat({"name": "P1"}, pt(X + 150, Y + 100)), feat({"name": "P2"}, None)])})
# A norm beyond max_distance: every measure searches to the norm (coverage too), said once.
case("norm_beyond_max_distance", ["warning", "[network] max_distance = 2000: below the playground norm all 3000 m", "distances are searched up to 3000 m"],
     S + '\n[norms]\nplayground = { all = 3000 }\n[network]\npath = "walk.geojson"\n',
     {"walk.geojson": fc([feat({"highway": "residential"}, {"type": "LineString", "coordinates": [[X, Y], [X + 3000, Y + 2000]]})])})
# The Dutch terminal table's header writes a time norm with a decimal comma, as the line above it.
case("dutch_time_norm_header", ["warning", " kinderen 16,666667 min "],
     S.replace('[study]\n', '[study]\nlanguage = "nl"\n', 1) + '\n[norms]\nplayground = { all = "1000 s" }\n[network]\npath = "walk.geojson"\nspeed_m_s = { all = 1 }\n',
     {"walk.geojson": fc([feat({"highway": "residential"}, {"type": "LineString", "coordinates": [[X, Y], [X + 3000, Y + 2000]]})])})
case("osm_given_geojson", ["error", "walk.geojson", "looks like JSON", "`osm =` reads an .osm.pbf extract; give a GeoJSON file as `path = \"walk.geojson\"` instead"],
     S + '\n[network]\nosm = "walk.osm.pbf"\n', raw_files={"walk.osm.pbf": '{"type": "FeatureCollection", "features": []}'})
# A misspelt barrier class would bar nothing without a word; an OSM class the town simply lacks
# passes without a word (DESIGN.md's lists name motorways for every town), as does a class of the
# network's own that is not an OSM value.
WALK_BARRIER = {"walk.geojson": fc([feat({"highway": "residential"}, {"type": "LineString", "coordinates": [[X, Y], [X + 1000, Y + 1000]]}),
                                    feat({"highway": "footway"}, {"type": "LineString", "coordinates": [[X + 1000, Y + 1000], [X + 1500, Y + 200]]})])}
case("barrier_class_typo", ["error", "[network.barriers] \"0-5\"", "\"primery\" is no OSM highway class", "Classes in the network: footway, residential", "Did you mean \"primary\""],
     S + '\n[network]\npath = "walk.geojson"\n[network.barriers]\nall = ["primery"]\n', WALK_BARRIER)
case("barrier_classes_absent", ["ok"],
     S + '\n[network]\npath = "walk.geojson"\n[network.barriers]\nall = ["primary", "trunk"]\n', WALK_BARRIER)
case("barrier_class_of_the_network_own", ["ok"],
     S + '\n[network]\npath = "walk.geojson"\nwalkable = "all"\n[network.barriers]\nall = ["hoofdweg"]\n',
     {"walk.geojson": fc([feat({"highway": "hoofdweg"}, {"type": "LineString", "coordinates": [[X, Y], [X + 1000, Y + 1000]]}),
                          feat({"highway": "footway"}, {"type": "LineString", "coordinates": [[X + 1000, Y + 1000], [X + 1500, Y + 200]]})])})
# A neighbourhood without an [equity] by value drops out of every quintile: said, with its children
# (BU02's 20 of the 60, spread over its homes from the neighbourhood count).
case("equity_by_value_missing", ["warning", "[equity] by \"income\"", "1 of 2 neighbourhood(s) have no value", "\"BU02\"", "20 of the 60 children"],
     S.replace("../_base/neighbourhoods.geojson", "nb.geojson") + '\n[equity]\nby = "income"\n',
     {"nb.geojson": fc([feat({"code": "BU01", "name": "North", "kids": 40, "income": 30000}, sq(X, Y, 1000)),
                        feat({"code": "BU02", "name": "South", "kids": 20, "income": None}, sq(X + 1000, Y, 1000))])})
case("network_walkable_unknown", ["error", "[network] walkable = \"some\"", "\"osm\"", "\"all\""], S + '\n[network]\npath = "walk.geojson"\nwalkable = "some"\n')
# Children in one field: barriers are per norm band, and a band that is none of them is named.
case("barrier_band_not_a_norm_band_one_field", ["error", "[network.barriers]", "\"0-4\"", "bands: 0-5, 6-11, 12-17, or all"], S + '\n[network]\npath = "walk.geojson"\n[network.barriers]\n"0-4" = ["primary"]\n')
# Walking time: a norm written as a time it cannot read, and walking speeds that are wrong.
case("norm_time_in_hours", ["error", "[norms] playground.\"all\" = \"2 hours\"", "minutes or seconds"], S + '\n[norms]\nplayground = { all = "2 hours" }\n')
case("network_speed_negative", ["error", "[network] speed_m_s.\"all\" = -1", "metres per second"], S + '\n[norms]\nplayground = { all = "5 min" }\n[network]\npath = "walk.geojson"\nspeed_m_s = { all = -1 }\n')
case("network_speed_unknown_band", ["error", "[network] speed_m_s.\"4-7\"", "no band \"4-7\""], S + '\n[norms]\nplayground = { all = "5 min" }\n[network]\npath = "walk.geojson"\nspeed_m_s = { "4-7" = 0.9 }\n')
case("sites_kind_without_amenities", ["error", "[sites] kind \"library\"", "no [[amenities]] entry"], S + '\n[sites]\nkind = "library"\n')
case("sites_generate_unknown", ["error", "[sites] generate = \"nodes\"", "give \"network\"", "\"grid\""], S + '\n[sites]\ngenerate = "nodes"\n')
case("sites_generate_network_without_network", ["error", "[sites] generate = \"network\"", "no [network]"], S + '\n[sites]\ngenerate = "network"\n')
# [closures]: which playgrounds could close. The base layer has two playgrounds, ids "0" and "1".
C = S + '\n[closures]\n'
case("closures_count_and_keep_coverage", ["error", "[closures]: give either `count`", "not both"], C + 'count = 1\nkeep_coverage = 0.9\n')
case("closures_neither_count_nor_keep_coverage", ["error", "[closures]: give `count`", "keep_coverage"], C + 'keep = ["0"]\n')
case("closures_count_zero", ["error", "[closures] count = 0", "at least 1"], C + 'count = 0\n')
case("closures_keep_coverage_percent", ["error", "[closures] keep_coverage = 95", "0.95 for 95%"], C + 'keep_coverage = 95\n')
case("closures_keep_coverage_nan", ["error", "[closures] keep_coverage = NaN", "above 0 and at most 1"], C + 'keep_coverage = nan\n')
case("closures_keep_coverage_zero", ["error", "[closures] keep_coverage = 0", "above 0 and at most 1"], C + 'keep_coverage = 0\n')
case("closures_kind_without_amenities", ["error", "[closures] kind \"library\"", "no [[amenities]] entry"], C + 'kind = "library"\ncount = 1\n')
case("closures_keep_unknown_id", ["error", "[closures] keep: no playground has the id \"SP-9\"", "of 2 playground amenities"], C + 'count = 1\nkeep = ["SP-9"]\n')
case("closures_keep_empty_id", ["error", "[closures] keep: an id is empty"], C + 'count = 1\nkeep = [" "]\n')
case("closures_count_above_amenities", ["error", "[closures] count = 3: only 2 playground amenities may close"], C + 'count = 3\n')
case("closures_count_all_kept", ["error", "[closures] count = 1: only 0 playground amenities may close", "2 kept open by `keep`"], C + 'count = 1\nkeep = ["0", "1"]\n')
case("closures_weight_by_deprivation_without_equity", ["warning", "[closures] weight_by_deprivation has no effect"], C + 'count = 1\nweight_by_deprivation = true\n')
# Numbers: NaN, infinities, negatives and zeros where they mean nothing, each naming its key.
NUMBERS = [
    ("network_max_distance_nan", '[network]\npath = "walk.geojson"\nmax_distance = nan\n', "[network] max_distance = NaN"),
    ("network_max_distance_zero", '[network]\npath = "walk.geojson"\nmax_distance = 0\n', "[network] max_distance = 0"),
    ("network_attach_limit_negative", '[network]\npath = "walk.geojson"\nattach_limit_m = -5\n', "[network] attach_limit_m = -5"),
    ("network_attach_limit_infinite", '[network]\npath = "walk.geojson"\nattach_limit_m = inf\n', "[network] attach_limit_m = inf"),
    ("norm_nan", '[norms]\nplayground = { all = nan }\n', "[norms] playground.\"all\" = NaN"),
    ("norm_negative_band", '[norms]\nplayground = { all = -300 }\n', "[norms] playground.\"all\" = -300"),
    ("norm_infinite", '[norms]\nplayground = { all = inf }\n', "[norms] playground.\"all\" = inf"),
    ("priority_weight_nan", '[priority]\ndeprivation_weight = nan\n', "[priority] deprivation_weight = NaN"),
    ("priority_weight_negative", '[priority]\ndeprivation_weight = -0.5\n', "[priority] deprivation_weight = -0.5"),
    ("priority_top_zero", '[priority]\ntop = 0\n', "[priority] top = 0"),
    ("play_area_share_nan", '[play_area]\nshare = nan\n', "[play_area] share = NaN"),
    ("play_area_share_above_one", '[play_area]\nshare = 3\n', "[play_area] share = 3"),
    ("score_weight_nan", '[score]\nweights = { playground = nan }\n', "\"playground\" = NaN"),
    ("score_weights_all_zero", '[score]\nweights = { playground = 0 }\n', "at least one weight must be above 0"),
    ("sites_count_zero", '[sites]\ncount = 0\n', "[sites] count = 0"),
    ("sites_capacity_zero", '[sites]\ncapacity = 0\n', "[sites] capacity = 0"),
    ("sites_capacity_nan", '[sites]\ncapacity = nan\n', "[sites] capacity = NaN"),
    ("sites_min_distance_negative", '[sites]\nmin_distance_m = -10\n', "[sites] min_distance_m = -10"),
    ("costs_rate_as_percent", '[sites]\n[costs]\ndiscount_rate = 2.25\n', "[costs] discount_rate = 2.25"),
    ("costs_rate_nan", '[sites]\n[costs]\ndiscount_rate = nan\n', "[costs] discount_rate = NaN"),
    ("costs_years_zero", '[sites]\n[costs]\nyears = 0\n', "[costs] years = 0"),
    # Present values overflowed to empty cells (years 1100, rate -0.5); 200 years and -10% stay finite.
    ("costs_years_too_many", '[sites]\n[costs]\nyears = 1100\n', "[costs] years = 1100: the appraisal period must be 1 to 200 years"),
    ("costs_rate_below_minus_ten_percent", '[sites]\n[costs]\ndiscount_rate = -0.5\n', "[costs] discount_rate = -0.5: must be a yearly rate as a fraction, from -0.1"),
    ("costs_capex_infinite", '[sites]\n[costs]\ncapex_eur = inf\n', "[costs] capex_eur = inf"),
    ("costs_benefit_negative", '[sites]\n[costs]\nbenefit_eur_per_child_per_year = -40\n', "[costs] benefit_eur_per_child_per_year = -40"),
    ("amenity_point_area_nan", None, "`point_area_m2` must be a number >= 0, not NaN"),
    ("homes_band_zero", None, "[homes] band = 0"),
]
for name, extra, want in NUMBERS:
    if name == "amenity_point_area_nan":
        study = S.replace('path = "../_base/playgrounds.geojson"', 'path = "../_base/playgrounds.geojson"\npoint_area_m2 = nan')
    elif name == "homes_band_zero":
        study = S.replace('id = "hid"', 'id = "hid"\nband = 0')
    else:
        study = S + "\n" + extra
    case(name, ["error", want], study)
# Sections that change nothing in the study: a warning each, and the run goes on.
case("costs_without_sites", ["warning", "[costs] has no effect", "no [sites]"], S + '\n[costs]\ncapex_eur = 90000\n')
case("deprivation_weight_without_equity", ["warning", "[priority] deprivation_weight has no effect"], S + '\n[priority]\ndeprivation_weight = 2\n')
case("sites_crs_without_candidates", ["warning", "[sites] crs has no effect"], S + '\n[sites]\ncount = 1\ncrs = "EPSG:28992"\n')
case("sites_weight_by_deprivation_without_equity", ["warning", "[sites] weight_by_deprivation has no effect"], S + '\n[sites]\ncount = 1\nweight_by_deprivation = true\n')
case("empty_score_section", ["warning", "[score] has no effect"], S + '\n[score]\n')
# [costs] capex / maintenance: a site's own cost from a candidates attribute.
LOTS = '\n[sites]\ncount = 1\ncandidates = "lots.geojson"\n[costs]\n'
case("costs_capex_attribute_not_a_number", ["error", "lots.geojson", "feature 1", "kosten", "[costs] capex"],
     S + LOTS + 'capex = "kosten"\n',
     {"lots.geojson": fc([feat({"kosten": 90000}, pt(X + 50, Y + 50)), feat({"kosten": "duur"}, pt(X + 60, Y + 50))])})
case("costs_maintenance_attribute_negative", ["error", "lots.geojson", "feature 0", "onderhoud", "must not be negative", "[costs] maintenance"],
     S + LOTS + 'maintenance = "onderhoud"\n',
     {"lots.geojson": fc([feat({"onderhoud": -500}, pt(X + 50, Y + 50))])})
case("costs_capex_attribute_absent", ["error", "lots.geojson", "[costs] capex = \"kosten\"", "no candidate site has a value", "prijs"],
     S + LOTS + 'capex = "kosten"\n',
     {"lots.geojson": fc([feat({"prijs": 90000}, pt(X + 50, Y + 50))])})
case("costs_capex_attribute_empty", ["error", "[costs] capex = \"\"", "must name an attribute"], S + '\n[sites]\ncount = 1\n[costs]\ncapex = ""\n')
case("costs_capex_without_candidates", ["warning", "[costs] capex = \"kosten\" has no effect on the sites", "[sites] candidates"],
     S + '\n[sites]\ncount = 1\n[costs]\ncapex = "kosten"\n')
# [closures] save each playground's own upkeep ([costs] maintenance on the playground layer).
case("closures_maintenance_attribute_not_a_number", ["error", "p.geojson", "feature 1", "onderhoud", "[costs] maintenance"],
     S.replace("../_base/playgrounds.geojson", "p.geojson") + '\n[closures]\ncount = 1\n[costs]\nmaintenance = "onderhoud"\n',
     {"p.geojson": fc([feat({"onderhoud": 1000}, pt(X + 50, Y + 50)), feat({"onderhoud": "veel"}, pt(X + 60, Y + 50))])})
case("closures_maintenance_attribute_absent", ["warning", "[costs] maintenance = \"onderhoud\"", "no playground has a value", "maintenance_eur_per_year"],
     S + '\n[closures]\ncount = 1\n[costs]\nmaintenance = "onderhoud"\n')
# --- end resolve ---------------------------------------------------------------------------------

# --- data in: tables, derived counts, band splits, numbers as text -------------------------------
NB_ONLY_CODE = {"nb.geojson": fc([
    feat({"code": "BU01", "name": "North"}, {"type": "Polygon", "coordinates": [[[150000, 460000], [151000, 460000], [151000, 461000], [150000, 461000], [150000, 460000]]]}),
    feat({"code": "BU02", "name": "South"}, {"type": "Polygon", "coordinates": [[[151000, 460000], [152000, 460000], [152000, 461000], [151000, 461000], [151000, 460000]]]}),
])}
def with_table(table, extra=""):
    return S.replace('path = "../_base/neighbourhoods.geojson"', 'path = "nb.geojson"\ntables = [{ path = "t.csv", key = "code"%s }]' % extra)
case("table_duplicate_key", ["error", "t.csv", "line 3", "the key \"BU01\" is also on line 2"], with_table(None), NB_ONLY_CODE, {"t.csv": "code;kids\nBU01;4\nBU01;5\nBU02;6\n"})
# The table's "code" column replaces the layer's id attribute: its duplicate is the table's, on its lines.
case("table_column_replaces_id_duplicate", ["error", "t.csv", "line 3 (key \"BU02\"), column \"code\": \"ZZ\" is also on line 2", "replaces the neighbourhood id attribute"],
     S.replace('path = "../_base/neighbourhoods.geojson"', 'path = "nb.geojson"\ntables = [{ path = "t.csv", key = "buurt" }]'), NB_ONLY_CODE,
     {"t.csv": "buurt;kids;code\nBU01;4;ZZ\nBU02;6;ZZ\n"})
case("table_without_the_key_column", ["error", "t.csv", "no column \"code\"", "wijkcode"], with_table(None), NB_ONLY_CODE, {"t.csv": "wijkcode;kids\nBU01;4\n"})
case("table_thousands_not_declared", ["error", "t.csv", "line 2", "\"BU01\"", "column \"kids\"", "\"1.234\" is not a number", "thousands = \".\""], with_table(None), NB_ONLY_CODE, {"t.csv": "code;kids\nBU01;1.234\nBU02;6\n"})
case("table_decimal_comma_not_declared", ["error", "t.csv", "\"2,5\" is not a number", "decimal = \",\""], with_table(None), NB_ONLY_CODE, {"t.csv": "code;kids\nBU01;2,5\nBU02;6\n"})
case("table_keys_match_nothing", ["error", "t.csv", "no key of column \"code\" matches", "\"WK01\"", "\"BU01\""], with_table(None), NB_ONLY_CODE, {"t.csv": "code;kids\nWK01;4\nWK02;6\n"})
case("table_has_one_column", ["error", "t.csv", "no delimiter"], with_table(None), NB_ONLY_CODE, {"t.csv": "code\nBU01\n"})
case("table_has_no_rows", ["error", "t.csv", "no rows"], with_table(None), NB_ONLY_CODE, {"t.csv": "code;kids\n"})
case("table_is_missing", ["error", "nope.csv", "cannot read"], S.replace('path = "../_base/neighbourhoods.geojson"', 'path = "nb.geojson"\ntables = [{ path = "nope.csv", key = "code" }]'), NB_ONLY_CODE)
case("table_delimiter_unknown", ["error", "[neighbourhoods] tables entry 1", "delimiter = \":\""], with_table(None, ', delimiter = ":"'), NB_ONLY_CODE, {"t.csv": "code:kids\nBU01:4\n"})
case("table_thousands_equal_decimal", ["error", "[neighbourhoods] tables entry 1", "also the decimal separator"], with_table(None, ', decimal = ",", thousands = ","'), NB_ONLY_CODE, {"t.csv": "code;kids\nBU01;4\n"})
case("table_dutch_numbers_and_markers", ["warning", "t.csv: 1 value(s) of column \"kids\" are missing", "t.csv: 1 row(s) match no neighbourhood feature (keys \"BU09\")"], with_table(None, ', decimal = ",", thousands = "."'), NB_ONLY_CODE, {"t.csv": "\ufeffcode;kids;income\nBU01;1.040,5;30.000\nBU02;.;22.000\nBU09;3;1\n"})
case("table_row_missing_for_a_neighbourhood", ["warning", "t.csv: 1 neighbourhood feature(s) have no row (ids \"BU02\")"], with_table(None), NB_ONLY_CODE, {"t.csv": "code,kids,income\nBU01,40,30000\n"})
case("table_overrides_a_layer_attribute", ["warning", "column \"kids\" is also an attribute"], S.replace('path = "../_base/neighbourhoods.geojson"', 'path = "../_base/neighbourhoods.geojson"\ntables = [{ path = "t.csv", key = "code" }]'), None, {"t.csv": "code,kids\nBU01,41\nBU02,19\n"})
case("children_percent_above_100", ["error", "feature 0", "attribute \"pct\" = 140 is not a percentage"], S.replace('children = "kids"', 'population = "pop"\nchildren = { "0-14" = { percent = "pct", of = "pop" } }').replace("../_base/neighbourhoods.geojson", "nb.geojson"),
     {"nb.geojson": fc([feat({"code": "A", "name": "a", "pct": 140, "pop": 100, "income": 1}, {"type": "Polygon", "coordinates": [[[150000, 460000], [151000, 460000], [151000, 461000], [150000, 461000], [150000, 460000]]]})])})
case("children_percent_without_of", ["error", "[neighbourhoods] children.\"0-14\"", "needs `of`"], S.replace('children = "kids"', 'children = { "0-14" = { percent = "kids" } }'))
case("children_percent_and_share", ["error", "[neighbourhoods] children.\"0-14\"", "either `percent` or `share`"], S.replace('children = "kids"', 'children = { "0-14" = { percent = "kids", share = "kids", of = "kids" } }'))
case("children_percent_unknown_key", ["error", "[neighbourhoods] children.\"0-14\"", "unknown key `off`"], S.replace('children = "kids"', 'children = { "0-14" = { percent = "kids", off = "kids" } }'))
case("children_share_of_a_missing_field", ["error", "inwoners", "[neighbourhoods] children"], S.replace('children = "kids"', 'children = { "0-14" = { share = "kids", of = "inwoners" } }'))
case("split_of_an_unknown_band", ["error", "[neighbourhoods] split.\"0-15\"", "not a children band"], S.replace('children = "kids"', 'children = { "0-14" = "kids" }\nsplit = { "0-15" = { "0-5" = 0.5 } }'))
case("split_shares_above_one", ["error", "[neighbourhoods] split.\"0-14\"", "sum to 1.2"], S.replace('children = "kids"', 'children = { "0-14" = "kids" }\nsplit = { "0-14" = { "0-5" = 0.6, "6-11" = 0.6 } }'))
case("split_share_negative", ["error", "[neighbourhoods] split.\"0-14\".\"0-5\" = -0.1"], S.replace('children = "kids"', 'children = { "0-14" = "kids" }\nsplit = { "0-14" = { "0-5" = -0.1 } }'))
# Bands that would count a child twice.
case("children_bands_overlap", ["error", "[neighbourhoods] children", "the bands \"0-14\" and \"0-5\" share ages"], S.replace('children = "kids"', 'children = { "0-14" = "kids", "0-5" = "income" }'))
case("children_band_backwards", ["error", "[neighbourhoods] children.\"5-0\"", "upper age 0 is below the lower age 5"], S.replace('children = "kids"', 'children = { "5-0" = "kids" }'))
case("children_field_twice_in_band", ["error", "[homes] children.\"0-5\"", "the field \"kids\" is listed twice"], S.replace('id = "hid"', 'id = "hid"\nchildren = { "0-5" = ["kids", "kids"] }'))
# Values whose sums overflow to infinity: refused with the file, the feature and the field.
case("children_huge", ["error", "nb.geojson", "feature 0", "attribute \"kids\" = 1.5e308 is too large"], S.replace("../_base/neighbourhoods.geojson", "nb.geojson"),
     {"nb.geojson": fc([feat({"code": "A", "name": "a", "kids": 1.5e308, "income": 1}, sq(X, Y, 2000))])})
case("population_huge", ["error", "nb.geojson", "feature 0", "attribute \"pop\" = 1e300 is too large"], S.replace("../_base/neighbourhoods.geojson", "nb.geojson").replace('children = "kids"', 'children = "kids"\npopulation = "pop"'),
     {"nb.geojson": fc([feat({"code": "A", "name": "a", "kids": 5, "pop": 1e300, "income": 1}, sq(X, Y, 2000))])})
case("capacity_huge", ["error", "p.geojson", "feature 0", "attribute \"cap\" = 2e200 is too large"], S.replace("../_base/playgrounds.geojson", "p.geojson").replace('path = "p.geojson"', 'path = "p.geojson"\ncapacity = "cap"'),
     {"p.geojson": fc([feat({"cap": 2e200}, pt(X + 150, Y + 100))])})
# Features without geometry are skipped with a warning in every layer; an empty Point
# ("coordinates": [], which RFC 7946 lets a reader take as null) is one of them.
case("amenity_null_geometry", ["warning", "p.geojson): 1 feature(s) without geometry were skipped"], S.replace("../_base/playgrounds.geojson", "p.geojson"),
     {"p.geojson": fc([feat({}, pt(X + 150, Y + 100)), feat({}, None)])})
case("candidate_null_geometry", ["warning", "candidates (", "lots.geojson): 1 feature(s) without geometry were skipped"],
     S + '\n[sites]\nkind = "playground"\ncount = 1\ncandidates = "lots.geojson"\n',
     {"lots.geojson": fc([feat({}, pt(X + 500, Y + 500)), feat({}, None)])})
case("amenity_empty_point", ["warning", "p.geojson): 1 feature(s) without geometry were skipped"], S.replace("../_base/playgrounds.geojson", "p.geojson"),
     {"p.geojson": fc([feat({}, pt(X + 150, Y + 100)), feat({}, {"type": "Point", "coordinates": []})])})
case("home_empty_point", ["warning", "homes.geojson): 1 feature(s) without geometry were skipped"], S.replace("../_base/homes.geojson", "homes.geojson"),
     {"homes.geojson": fc([feat({"hid": "a"}, pt(X + 10, Y + 10)), feat({"hid": "b"}, {"type": "Point", "coordinates": []})])})
case("band_split_by_years", ["warning", "children band \"0-14\" is split over the norm bands by the years each covers: 0-5 6/15, 6-11 6/15, 12-17 3/15"], S.replace('children = "kids"', 'children = { "0-14" = "kids" }'))
case("layer_decimal_unknown", ["error", "[neighbourhoods] decimal = \";\""], S.replace('children = "kids"', 'children = "kids"\ndecimal = ";"'))
case("layer_text_number_ambiguous", ["error", "nb.geojson", "feature 0", "attribute \"kids\" = \"1.234\"", "thousands"], S.replace("../_base/neighbourhoods.geojson", "nb.geojson"),
     {"nb.geojson": fc([feat({"code": "A", "name": "a", "kids": "1.234", "income": 1}, {"type": "Polygon", "coordinates": [[[150000, 460000], [151000, 460000], [151000, 461000], [150000, 461000], [150000, 460000]]]})])})
case("layer_text_numbers_with_declared_format", ["ok"], S.replace('children = "kids"', 'children = "kids"\ndecimal = ","\nthousands = "."').replace("../_base/neighbourhoods.geojson", "nb.geojson"),
     {"nb.geojson": fc([feat({"code": "A", "name": "a", "kids": "1.234,5", "income": 1}, {"type": "Polygon", "coordinates": [[[150000, 460000], [151000, 460000], [151000, 461000], [150000, 461000], [150000, 460000]]]})])})
case("count_looks_like_a_percentage", ["warning", "every value is at most 18", "percent = \"kids\", of = \"pop\""], S.replace('children = "kids"', 'population = "pop"\nchildren = "kids"').replace("../_base/neighbourhoods.geojson", "nb.geojson"),
     {"nb.geojson": fc([feat({"code": c, "name": c, "kids": k, "pop": 4000, "income": 1}, {"type": "Polygon", "coordinates": [[[150000 + i * 1000, 460000], [151000 + i * 1000, 460000], [151000 + i * 1000, 461000], [150000 + i * 1000, 461000], [150000 + i * 1000, 460000]]]}) for i, (c, k) in enumerate([("A", 12), ("B", 18), ("C", 15)])])})
case("homes_children_far_from_the_neighbourhood_count", ["warning", "the homes' children sum to less than half or more than twice", "\"BU01\" (10 on its homes, 40 in the neighbourhood layer)"],
     S.replace('id = "hid"', 'id = "hid"\nchildren = "c"').replace("../_base/homes.geojson", "homes.geojson"),
     {"homes.geojson": fc([feat({"hid": "a", "c": 5}, pt(150500, 460500)), feat({"hid": "b", "c": 5}, pt(150600, 460500)), feat({"hid": "c", "c": 12}, pt(151500, 460500)), feat({"hid": "d", "c": 8}, pt(151600, 460500))])})
case("neighbourhoods_osm_without_admin_level", ["error", "[neighbourhoods]: `osm` needs `admin_level`"], S.replace('path = "../_base/neighbourhoods.geojson"', 'osm = "city.osm.pbf"'))
case("neighbourhoods_path_and_osm", ["error", "[neighbourhoods]: give either `path` or `osm`, not both"], S.replace('path = "../_base/neighbourhoods.geojson"', 'path = "../_base/neighbourhoods.geojson"\nosm = "city.osm.pbf"\nadmin_level = 10'))
case("neighbourhoods_admin_level_without_osm", ["error", "[neighbourhoods] admin_level: only with `osm`"], S.replace('path = "../_base/neighbourhoods.geojson"', 'path = "../_base/neighbourhoods.geojson"\nadmin_level = 10'))
case("neighbourhoods_admin_level_out_of_range", ["error", "[neighbourhoods] admin_level = 13", "from 1 to 12"], S.replace('path = "../_base/neighbourhoods.geojson"', 'osm = "city.osm.pbf"\nadmin_level = 13'))
case("neighbourhoods_without_path_or_osm", ["error", "[neighbourhoods]: give `path`"], S.replace('path = "../_base/neighbourhoods.geojson"\n', ''))
case("neighbourhoods_without_id", ["error", "[neighbourhoods]: `id` is required"], S.replace('id = "code"\n', ''))
# "default-build": the case holds only for a kindscape built without the `parquet` feature.
case("formats_parquet", ["error", "[study] formats: \"parquet\"", "built without", "--features parquet", "default-build"], S.replace('output = "out"', 'output = "out"\nformats = ["parquet"]'))
case("formats_unknown", ["error", "[study] formats: \"shp\" is not an output format"], S.replace('output = "out"', 'output = "out"\nformats = ["shp"]'))
case("formats_gpkg", ["ok"], S.replace('output = "out"', 'output = "out"\nformats = ["gpkg"]'))
case("homes_text_numbers_ambiguous", ["error", "homes.geojson", "feature 0", "attribute \"c\" = \"1,5\" is not a number"], S.replace('id = "hid"', 'id = "hid"\nchildren = "c"').replace("../_base/homes.geojson", "homes.geojson"),
     {"homes.geojson": fc([feat({"hid": "a", "c": "1,5"}, pt(150500, 460500))])})
case("homes_text_numbers_with_decimal_comma", ["ok"], S.replace('id = "hid"', 'id = "hid"\nchildren = "c"\ndecimal = ","').replace("../_base/homes.geojson", "homes.geojson"),
     {"homes.geojson": fc([feat({"hid": "a", "c": "1,5"}, pt(150500, 460500)), feat({"hid": "b", "c": "20"}, pt(151500, 460500))])})
# Amenity and candidate layers take decimal/thousands as [neighbourhoods] and [homes] do.
P_CAP = S.replace("../_base/playgrounds.geojson", "p.geojson").replace('path = "p.geojson"', 'path = "p.geojson"\ncapacity = "cap"')
case("amenity_text_capacity_ambiguous", ["error", "p.geojson", "feature 0", "attribute \"cap\" = \"1.234\" is not a number", "[[amenities]]"], P_CAP,
     {"p.geojson": fc([feat({"cap": "1.234"}, pt(X + 150, Y + 100))])})
case("amenity_text_capacity_with_declared_format", ["ok"], P_CAP.replace('capacity = "cap"', 'capacity = "cap"\ndecimal = ","\nthousands = "."'),
     {"p.geojson": fc([feat({"cap": "1.234,5"}, pt(X + 150, Y + 100))])})
case("amenity_decimal_unknown", ["error", "[[amenities]] entry 1 (kind \"playground\")", "decimal = \";\""], S.replace('kind = "playground"', 'kind = "playground"\ndecimal = ";"'))
case("sites_decimal_without_candidates", ["warning", "[sites] decimal and thousands have no effect"], S + '\n[sites]\ncount = 1\ndecimal = ","\n')
case("sites_layer_without_candidates", ["warning", "[sites] layer has no effect"], S + '\n[sites]\ncount = 1\nlayer = "kandidaten"\n')
case("more_children_than_residents", ["warning", "1 neighbourhood(s) have more children than residents", "A"], S.replace('children = "kids"', 'population = "pop"\nchildren = "kids"').replace("../_base/neighbourhoods.geojson", "nb.geojson"),
     {"nb.geojson": fc([feat({"code": "A", "name": "a", "kids": 500, "pop": 300, "income": 1}, {"type": "Polygon", "coordinates": [[[150000, 460000], [151000, 460000], [151000, 461000], [150000, 461000], [150000, 460000]]]})])})

SC = S + '\n[[scenarios]]\nname = "close"\n'
case("scenario_unknown_id", ["error", "[[scenarios]] \"close\" remove: no playground has the id \"P9\"", "its ids are like \"0\", \"1\""],
     SC + 'remove = { kind = "playground", ids = ["P9"] }\n')
case("scenario_remove_unknown_kind", ["error", "[[scenarios]] \"close\" remove: kind \"pool\" has no [[amenities]] entry"],
     SC + 'remove = { kind = "pool", ids = ["1"] }\n')
case("scenario_add_unknown_kind", ["error", "[[scenarios]] \"close\" add: kind \"pool\" has no [[amenities]] entry"],
     SC + 'add = [{ kind = "pool", path = "../_base/playgrounds.geojson" }]\n')
case("scenario_ids_and_where", ["error", "[[scenarios]] \"close\" remove: give either `ids` or `where`, not both"],
     SC + 'remove = { kind = "playground", ids = ["0"], where = { name = "P1" } }\n')
case("scenario_remove_names_nothing", ["error", "[[scenarios]] \"close\" remove: give `ids"],
     SC + 'remove = { kind = "playground" }\n')
case("scenario_where_unknown_attribute", ["error", "[[scenarios]] \"close\" remove: where: no playground has the attribute \"status\""],
     SC + 'remove = { kind = "playground", where = { status = "te saneren" } }\n')
case("scenario_where_matches_none", ["warning", "[[scenarios]] \"close\" remove: no playground matches `where`"],
     SC + 'remove = { kind = "playground", where = { name = "P9" } }\n')
case("scenario_same_name_twice", ["error", "[[scenarios]] \"close\": another scenario has the same name"],
     SC + SC[len(S):])
case("scenario_changes_nothing", ["warning", "[[scenarios]] \"close\" has neither `remove` nor `add`"], SC)
case("scenario_add_missing_layer", ["error", "plan.geojson", "[[scenarios]] \"close\" (playground) add"],
     SC + 'add = [{ kind = "playground", path = "plan.geojson" }]\n')
case("scenario_add_lines", ["error", "plan.geojson", "feature 0", "[[scenarios]] \"close\" add", "amenities must be points or polygons"],
     SC + 'add = [{ kind = "playground", path = "plan.geojson" }]\n',
     {"plan.geojson": fc([feat({}, {"type": "LineString", "coordinates": [[X, Y], [X + 10, Y]]})])})
case("scenario_add_without_path", ["error", "[[scenarios]] \"close\" add entry 1 (kind \"playground\"): give `path`"],
     SC + 'add = [{ kind = "playground" }]\n')

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


# ---------------------------------------------------------------------------------------------
# Readers (issue 14, issue 18 item 8): GeoPackage, Shapefile and files whose extension and
# content disagree. GeoPackages are written with sqlite3, Shapefiles byte by byte (struct), so
# no GDAL is needed. This block writes its own cases after main() (binary files), append-only.
# ---------------------------------------------------------------------------------------------
import io, sqlite3, struct, zipfile

RD_WKT = ('PROJCS["Amersfoort / RD New",GEOGCS["Amersfoort",DATUM["Amersfoort",SPHEROID["Bessel 1841",'
          '6377397.155,299.1528128]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],'
          'PROJECTION["Oblique_Stereographic"],UNIT["metre",1],AUTHORITY["EPSG","28992"]]')
HOMES = [("H0", 2, 150100, 460100), ("H1", 3, 150500, 460500), ("H2", 1, 151500, 460200), ("H3", 4, 151800, 460800)]


def gp_point(x, y, srs=28992):
    """A GeoPackage geometry blob: 'GP', version 0, flags (little-endian, no envelope), srs_id, WKB."""
    return b"GP\x00\x01" + struct.pack("<i", srs) + struct.pack("<BIdd", 1, 1, x, y)


def gpkg_bytes(layers, srs_id=28992, extra_sql=()):
    """A GeoPackage with `layers` = {name: [(props dict, blob)]} (columns from the first row)."""
    path = os.path.join(ROOT, ".tmp.gpkg")
    if os.path.exists(path):
        os.remove(path)
    db = sqlite3.connect(path)
    db.execute("PRAGMA application_id = 1196444487")
    db.execute("PRAGMA user_version = 10300")
    db.execute("CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT, srs_id INTEGER PRIMARY KEY, organization TEXT, organization_coordsys_id INTEGER, definition TEXT, description TEXT)")
    db.execute("INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined cartesian', -1, 'NONE', -1, 'undefined', NULL)")
    db.execute("INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined geographic', 0, 'NONE', 0, 'undefined', NULL)")
    db.execute("INSERT INTO gpkg_spatial_ref_sys VALUES ('Amersfoort / RD New', 28992, 'EPSG', 28992, ?, NULL)", (RD_WKT,))
    db.execute("CREATE TABLE gpkg_contents (table_name TEXT PRIMARY KEY, data_type TEXT, identifier TEXT, description TEXT, last_change TEXT, min_x REAL, min_y REAL, max_x REAL, max_y REAL, srs_id INTEGER)")
    db.execute("CREATE TABLE gpkg_geometry_columns (table_name TEXT, column_name TEXT, geometry_type_name TEXT, srs_id INTEGER, z TINYINT, m TINYINT)")
    for name, rows in layers.items():
        cols = list(rows[0][0].keys()) if rows else []
        types = {bool: "BOOLEAN", int: "INTEGER", float: "REAL", str: "TEXT"}
        decl = ", ".join(f'"{c}" {types[type(rows[0][0][c])]}' for c in cols)
        db.execute(f'CREATE TABLE "{name}" (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom BLOB{", " + decl if decl else ""})')
        db.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) VALUES (?, 'features', ?, ?)", (name, name, srs_id))
        db.execute("INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', 'POINT', ?, 0, 0)", (name, srs_id))
        for props, blob in rows:
            marks = ", ".join("?" for _ in range(len(cols) + 1))
            names = ", ".join(["geom"] + [f'"{c}"' for c in cols])
            db.execute(f'INSERT INTO "{name}" ({names}) VALUES ({marks})', [blob] + [props[c] for c in cols])
    for sql in extra_sql:
        db.execute(sql)
    db.commit()
    db.close()
    data = open(path, "rb").read()
    os.remove(path)
    return data


def home_rows(blob=gp_point):
    return [({"hid": h, "children": c}, blob(x, y)) for h, c, x, y in HOMES]


def shapefile_bytes(points, fields, records):
    """(.shp, .shx, .dbf) bytes for Point shapes, or Polygon shapes when each of `points` is a
    ring (a list of (x, y)); fields = [(name, 'C'|'N', length, decimals)]."""
    n = len(points)
    polygons = isinstance(points[0], list)
    flat = [c for ring in points for c in ring] if polygons else points
    xs, ys = [p[0] for p in flat], [p[1] for p in flat]
    bbox = struct.pack("<4d", min(xs), min(ys), max(xs), max(ys)) + struct.pack("<4d", 0, 0, 0, 0)

    def header(length_words):
        return struct.pack(">7i", 9994, 0, 0, 0, 0, 0, length_words) + struct.pack("<2i", 1000, 5 if polygons else 1) + bbox

    def polygon(ring):  # shape type 5 = Polygon, one part
        rx, ry = [c[0] for c in ring], [c[1] for c in ring]
        return (struct.pack("<i4d2i", 5, min(rx), min(ry), max(rx), max(ry), 1, len(ring)) + struct.pack("<i", 0)
                + b"".join(struct.pack("<2d", x, y) for x, y in ring))

    content = [polygon(r) for r in points] if polygons else [struct.pack("<i2d", 1, x, y) for x, y in points]
    shp_body = b"".join(struct.pack(">2i", i + 1, len(c) // 2) + c for i, c in enumerate(content))
    shp = header((100 + len(shp_body)) // 2) + shp_body
    offsets, pos = [], 100
    for c in content:
        offsets.append(struct.pack(">2i", pos // 2, len(c) // 2))
        pos += 8 + len(c)
    shx = header((100 + 8 * n) // 2) + b"".join(offsets)
    record_size = 1 + sum(f[2] for f in fields)
    dbf = struct.pack("<B3BIHH", 3, 124, 1, 1, len(records), 32 + 32 * len(fields) + 1, record_size) + b"\x00" * 20
    for name, kind, length, decimals in fields:
        dbf += name.encode("ascii").ljust(11, b"\x00") + kind.encode() + b"\x00" * 4 + bytes([length, decimals]) + b"\x00" * 14
    dbf += b"\x0d"
    for rec in records:
        dbf += b" "
        for (name, kind, length, decimals), value in zip(fields, rec):
            raw = value if isinstance(value, bytes) else str(value).encode("utf-8")
            dbf += raw.rjust(length) if kind == "N" else raw.ljust(length)
    dbf += b"\x1a"
    return shp, shx, dbf


HOME_FIELDS = [("hid", "C", 10, 0), ("children", "N", 5, 0)]
HOME_SHP = shapefile_bytes([(x, y) for _, _, x, y in HOMES], HOME_FIELDS, [(h, c) for h, c, _, _ in HOMES])


def homes_shp(prj=RD_WKT, cpg="UTF-8", dbf=True, parts=HOME_SHP, stem="homes"):
    shp, shx, dbf_bytes = parts
    files = {f"{stem}.shp": shp, f"{stem}.shx": shx}
    if dbf:
        files[f"{stem}.dbf"] = dbf_bytes
    if prj is not None:
        files[f"{stem}.prj"] = prj.encode()
    if cpg is not None:
        files[f"{stem}.cpg"] = cpg.encode()
    return files


def homes_at(path, extra=""):
    return S.replace('path = "../_base/homes.geojson"', f'path = "{path}"{extra}')


def nb_at(path, extra=""):
    return S.replace('path = "../_base/neighbourhoods.geojson"', f'path = "{path}"{extra}')


BASE_HOMES_TEXT = open(os.path.join(ROOT, "_base", "homes.geojson"), encoding="utf-8").read()
BASE_HOMES = json.loads(BASE_HOMES_TEXT)
OSM_XML = b"<?xml version='1.0' encoding='UTF-8'?>\n<osm version=\"0.6\"><node id=\"1\" lat=\"52.1\" lon=\"5.1\"/></osm>\n"


def zipped(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in files.items():
            z.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), data)  # reproducible
    return buf.getvalue()


READER_CASES = {}


def reader_case(name, expect, study, files):
    READER_CASES[name] = (expect, study, files)


reader_case("gpkg_homes_read", ["ok", "4 homes"], homes_at("homes.gpkg"), {"homes.gpkg": gpkg_bytes({"homes": home_rows()})})
reader_case("gpkg_broken_sqlite", ["error", "homes.gpkg", "broken SQLite file"], homes_at("homes.gpkg"),
            {"homes.gpkg": b"this was a GeoPackage until the download stopped" * 20})
reader_case("gpkg_truncated_sqlite", ["error", "homes.gpkg", "broken SQLite file"], homes_at("homes.gpkg"),
            {"homes.gpkg": gpkg_bytes({"homes": home_rows()})[:1500]})
reader_case("gpkg_without_the_layer", ["error", "no layer \"huizen\"", "\"homes\""], homes_at("homes.gpkg", '\nlayer = "huizen"'),
            {"homes.gpkg": gpkg_bytes({"homes": home_rows()})})
reader_case("gpkg_several_layers_no_key", ["error", "2 layers", "\"homes\", \"homes_2020\"", "layer = "], homes_at("homes.gpkg"),
            {"homes.gpkg": gpkg_bytes({"homes": home_rows(), "homes_2020": home_rows()})})
reader_case("gpkg_several_layers_with_key", ["ok", "4 homes"], homes_at("homes.gpkg", '\nlayer = "homes_2020"'),
            {"homes.gpkg": gpkg_bytes({"homes": home_rows()[:2], "homes_2020": home_rows()})})
reader_case("gpkg_empty_file", ["error", "homes.gpkg", "empty"], homes_at("homes.gpkg"), {"homes.gpkg": b""})
reader_case("gpkg_plain_sqlite", ["error", "not a GeoPackage", "gpkg_contents"], homes_at("homes.gpkg"),
            {"homes.gpkg": gpkg_bytes({}, extra_sql=["DROP TABLE gpkg_contents"])})
reader_case("gpkg_no_geometry_layer", ["error", "no layer with geometry", "\"kids_per_home\""], homes_at("homes.gpkg"),
            {"homes.gpkg": gpkg_bytes({}, extra_sql=["CREATE TABLE kids_per_home (hid TEXT, children INTEGER)",
                                                       "INSERT INTO gpkg_contents (table_name, data_type) VALUES ('kids_per_home', 'attributes')"])})
reader_case("gpkg_layer_without_geometry", ["error", "\"kids_per_home\" is a table without geometry", "\"homes\""],
            homes_at("homes.gpkg", '\nlayer = "kids_per_home"'),
            {"homes.gpkg": gpkg_bytes({"homes": home_rows()}, extra_sql=["CREATE TABLE kids_per_home (hid TEXT, children INTEGER)",
                                                                           "INSERT INTO gpkg_contents (table_name, data_type) VALUES ('kids_per_home', 'attributes')"])})
reader_case("gpkg_geometry_blob_corrupted", ["error", "feature 1", "not a GeoPackage geometry blob"], homes_at("homes.gpkg"),
            {"homes.gpkg": gpkg_bytes({"homes": [home_rows()[0], ({"hid": "H1", "children": 3}, b"\x01\x01\x00\x00\x00garbage")]})})
reader_case("gpkg_wkb_cut_short", ["error", "feature 0", "WKB"], homes_at("homes.gpkg"),
            {"homes.gpkg": gpkg_bytes({"homes": [({"hid": "H0", "children": 2}, gp_point(150100, 460100)[:-6])]})})
reader_case("gpkg_undefined_crs", ["error", "declares no CRS", "crs = "], homes_at("homes.gpkg"),
            {"homes.gpkg": gpkg_bytes({"homes": home_rows(lambda x, y: gp_point(x, y, 0))}, srs_id=0)})
reader_case("gpkg_undefined_crs_with_crs_key", ["ok", "4 homes"], homes_at("homes.gpkg", '\ncrs = "EPSG:28992"'),
            {"homes.gpkg": gpkg_bytes({"homes": home_rows(lambda x, y: gp_point(x, y, 0))}, srs_id=0)})
# GDAL writes polygons from GML with arcs (BGT) as CURVEPOLYGON / MULTISURFACE (ISO WKB types 10,
# 12): read as the polygons they are, rings made of a LineString and a CompoundCurve alike.
def gp_wkb(wkb):
    return b"GP\x00\x01" + struct.pack("<i", 28992) + wkb


def wkb_points(code, pts):
    return struct.pack("<BII", 1, code, len(pts)) + b"".join(struct.pack("<dd", x, y) for x, y in pts)


def curvepolygon(ring, compound):
    body = wkb_points(2, ring)
    if compound:
        body = struct.pack("<BII", 1, 9, 2) + wkb_points(2, ring[:3]) + wkb_points(2, ring[2:])
    return struct.pack("<BII", 1, 10, 1) + body


NB_PROPS = [{"code": "BU01", "name": "North", "kids": 40, "income": 30000}, {"code": "BU02", "name": "South", "kids": 20, "income": 22000}]
NB_CCW = [[(150000, 460000), (151000, 460000), (151000, 461000), (150000, 461000), (150000, 460000)],
          [(151000, 460000), (152000, 460000), (152000, 461000), (151000, 461000), (151000, 460000)]]
reader_case("gpkg_boolean_filter", ["ok", "2 homes"], homes_at("homes.gpkg", "\nfilter = { residential = true }"),
            {"homes.gpkg": gpkg_bytes({"homes": [({"hid": h, "children": c, "residential": i % 2 == 0}, gp_point(x, y)) for i, (h, c, x, y) in enumerate(HOMES)]})})
reader_case("layer_key_on_geojson", ["error", "`layer` key picks a layer of a GeoPackage"], homes_at("../_base/homes.geojson", '\nlayer = "homes"'), {})
reader_case("shp_homes_read", ["ok", "4 homes"], homes_at("homes.shp"), homes_shp())
reader_case("shp_without_dbf", ["error", "homes.shp", "no .dbf"], homes_at("homes.shp"), homes_shp(dbf=False))
reader_case("shp_without_prj", ["error", "no .prj", "needs a `crs` key"], homes_at("homes.shp"), homes_shp(prj=None))
reader_case("shp_without_prj_with_crs_key", ["ok", "4 homes"], homes_at("homes.shp", '\ncrs = "EPSG:28992"'), homes_shp(prj=None))
reader_case("shp_unknown_prj", ["error", "homes.prj", "\"Local grid\"", "crs = "], homes_at("homes.shp"),
            homes_shp(prj='PROJCS["Local grid",GEOGCS["GCS_Bessel_1841"],UNIT["Meter",1.0]]'))
reader_case("shp_esri_prj_without_authority", ["ok", "4 homes"], homes_at("homes.shp"),
            homes_shp(prj='PROJCS["RD_New",GEOGCS["GCS_Amersfoort",DATUM["D_Amersfoort",SPHEROID["Bessel_1841",6377397.155,299.1528128]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Double_Stereographic"],UNIT["Meter",1.0]]'))
NB_FIELDS = [("code", "C", 8, 0), ("name", "C", 20, 0), ("kids", "N", 5, 0), ("income", "N", 8, 0)]
NB_RECORDS = [(b"BU01", "Hierdén".encode("latin-1"), 40, 30000), (b"BU02", "Tweede Wijk".encode("latin-1"), 20, 22000)]
# Outer rings clockwise, as Shapefiles store them.
NB_RINGS = [[(150000, 460000), (150000, 461000), (151000, 461000), (151000, 460000), (150000, 460000)],
            [(151000, 460000), (151000, 461000), (152000, 461000), (152000, 460000), (151000, 460000)]]
reader_case("shp_latin1_cpg_read_correctly", ["ok", "BU01         Hierdén"], nb_at("wijken.shp"),
            homes_shp(cpg="ISO-8859-1", stem="wijken", parts=shapefile_bytes(NB_RINGS, NB_FIELDS, NB_RECORDS)))
# Without a .cpg the .dbf's language driver byte (29) names the encoding (0x57: ANSI 1252); with
# neither, the text must be UTF-8, and Latin-1 text is refused rather than read as U+FFFD.
NB_SHP = shapefile_bytes(NB_RINGS, NB_FIELDS, NB_RECORDS)
reader_case("shp_latin1_without_cpg", ["error", "wijken.dbf", "feature 0", "not UTF-8", "names no encoding", "add a .cpg"], nb_at("wijken.shp"),
            homes_shp(cpg=None, stem="wijken", parts=NB_SHP))
reader_case("shp_latin1_language_driver_read_correctly", ["ok", "BU01         Hierdén"], nb_at("wijken.shp"),
            homes_shp(cpg=None, stem="wijken", parts=(NB_SHP[0], NB_SHP[1], NB_SHP[2][:29] + b"\x57" + NB_SHP[2][30:])))
reader_case("shp_unknown_cpg", ["error", "homes.cpg", "\"klingon\" is not known"], homes_at("homes.shp"), homes_shp(cpg="klingon"))
reader_case("shp_fewer_records_than_shapes", ["error", "homes.dbf", "fewer records"], homes_at("homes.shp"),
            homes_shp(parts=shapefile_bytes([(x, y) for _, _, x, y in HOMES], HOME_FIELDS, [(h, c) for h, c, _, _ in HOMES[:2]])))
reader_case("shp_zipped", ["error", "homes.zip", "unzip"], homes_at("homes.zip"), {"homes.zip": zipped(homes_shp())})
reader_case("shp_is_a_zip", ["error", "homes.shp", "ZIP archive", "unzip"], homes_at("homes.shp"), {"homes.shp": zipped(homes_shp())})
reader_case("shp_part_given", ["error", "homes.dbf", "give the .shp"], homes_at("homes.dbf"), homes_shp())
reader_case("geojson_with_utf8_bom", ["ok", "4 homes"], homes_at("homes.geojson"), {"homes.geojson": b"\xef\xbb\xbf" + BASE_HOMES_TEXT.encode()})
reader_case("geojson_utf16", ["error", "homes.geojson", "UTF-16", "iconv"], homes_at("homes.geojson"), {"homes.geojson": BASE_HOMES_TEXT.encode("utf-16")})
reader_case("geojsonseq_record_separators", ["error", "homes.geojson", "GeoJSONSeq", "ogr2ogr"], homes_at("homes.geojson"),
            {"homes.geojson": b"".join(b"\x1e" + json.dumps(f).encode() + b"\n" for f in BASE_HOMES["features"])})
reader_case("geojsonseq_one_feature_per_line", ["error", "homes.geojson", "GeoJSONSeq"], homes_at("homes.geojson"),
            {"homes.geojson": b"".join(json.dumps(f).encode() + b"\n" for f in BASE_HOMES["features"])})
reader_case("osm_xml_renamed_pbf", ["error", "town.osm.pbf", "XML", "osmium cat"],
            S.replace('path = "../_base/playgrounds.geojson"', 'osm = "town.osm.pbf"\ntags = ["leisure=playground"]'), {"town.osm.pbf": OSM_XML})
reader_case("sqlite_named_geojson", ["error", "homes.geojson", "SQLite database", ".gpkg"], homes_at("homes.geojson"),
            {"homes.geojson": gpkg_bytes({"homes": home_rows()})})
reader_case("gpkg_under_another_extension", ["error", "homes.db", "give it a .gpkg extension"], homes_at("homes.db"),
            {"homes.db": gpkg_bytes({"homes": home_rows()})})
reader_case("shp_named_gpkg", ["error", "homes.gpkg", "Shapefile"], homes_at("homes.gpkg"), {"homes.gpkg": HOME_SHP[0]})
# A default build names the file and says how to build with GeoParquet (the content is not read).
PARQUET_STUB = b"PAR1" + b"\0" * 16 + b"PAR1"
reader_case("parquet_without_feature", ["error", "homes.parquet", "without the `parquet` feature", "cargo install --path . --features parquet", "default-build"],
            homes_at("homes.parquet"), {"homes.parquet": PARQUET_STUB})
reader_case("parquet_named_geojson", ["error", "homes.geojson", "a Parquet file", "give it a .parquet extension"], homes_at("homes.geojson"),
            {"homes.geojson": PARQUET_STUB})


def write_reader_cases():
    for name, (expect, study, files) in READER_CASES.items():
        d = os.path.join(ROOT, name)
        if os.path.isdir(d):
            shutil.rmtree(d)
        os.makedirs(d)
        open(os.path.join(d, "study.toml"), "w").write(study)
        open(os.path.join(d, "expect.txt"), "w").write("\n".join(expect) + "\n")
        for f, content in files.items():
            open(os.path.join(d, f), "wb").write(content)
    print(len(READER_CASES), "reader cases")


write_reader_cases()


# ---------------------------------------------------------------------------------------------
# Issue 18 (output folder, special files, sizes): cases added by the output-safety work, kept in
# their own table and written by their own function (after `main()` above has written the
# others), since they may hold subfolders (a file name with a "/") and binary files. The corpus
# runs every case with KINDSCAPE_MEMORY_LIMIT=1G (tests/bad_inputs.rs), so the memory checks give
# the same answer on every machine. "unchanged" on a line of its own in expect.txt: the run must
# leave every file of the case as it was.
# ---------------------------------------------------------------------------------------------
import struct, zlib

OUTPUT_SAFETY_CASES = {}


def safety_case(name, expect, study, files=None):
    # `check` refuses an output folder as `run` does (it holds an input, or files kindscape did
    # not write), without writing anything; only a folder that cannot be written to is left to a run.
    OUTPUT_SAFETY_CASES[name] = (expect, study, files or {})


def tiff(width, height, cells):
    """A little-endian baseline TIFF of float32 cells in one DEFLATE strip (`cells`: the raw
    bytes, compressed here), without GeoTIFF tags: the study gives the CRS."""
    data = zlib.compress(cells, 9)
    entries = [  # tag, type (3 SHORT, 4 LONG), value; 273 (StripOffsets) is filled in below
        (256, 4, width), (257, 4, height), (258, 3, 32), (259, 3, 8), (262, 3, 1),
        (273, 4, 0), (277, 3, 1), (278, 4, height), (279, 4, len(data)), (339, 3, 3),
    ]
    data_at = 8 + 2 + 12 * len(entries) + 4
    out = b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", len(entries))
    for tag, typ, value in entries:
        value = data_at if tag == 273 else value
        out += struct.pack("<HHI", tag, typ, 1)
        out += struct.pack("<HH", value, 0) if typ == 3 else struct.pack("<I", value)
    return out + struct.pack("<I", 0) + data


OUT_MSG = "a run replaces the whole output folder"


def with_output(o):
    return S.replace('output = "out"', f'output = "{o}"')


safety_case("output_is_the_study_folder", ["error", "output folder holds that input (the study file", "out/study", "unchanged"], with_output("."))
safety_case("output_is_an_empty_string", ["error", "output folder holds that input (the study file", OUT_MSG, "unchanged"], with_output(""))
safety_case("output_is_dot_slash", ["error", "output folder holds that input", "unchanged"], with_output("./"))
safety_case("output_climbs_back_into_the_study_folder", ["error", "output folder holds that input (the study file", "unchanged"], with_output("out/.."))
safety_case("output_is_the_parent_folder", ["error", "output folder holds that input", OUT_MSG, "unchanged"], with_output(".."))
safety_case("output_is_the_layers_folder", ["error", "output folder holds that input ([neighbourhoods] path", "unchanged"], with_output("../_base"))
safety_case("output_is_an_input_layer", ["error", "output folder is that input itself ([homes] path", "unchanged"], with_output("../_base/homes.geojson"))
safety_case("output_is_the_study_file", ["error", "output folder is that input itself (the study file", "unchanged"], with_output("study.toml"))
safety_case("output_holds_a_user_file", ["error", "kindscape did not write: notes.txt", "move it out", "unchanged"], S,
            {"out/notes.txt": "my notes\n", "out/summary.md": "an earlier summary\n"})
safety_case("output_report_html_is_a_folder", ["error", "report.html (not a file)", "unchanged"], S,
            {"out/report.html/keep.txt": "mine\n", "out/homes.csv": "old\n"})
safety_case("output_is_a_file", ["error", "the output folder is a file, not a folder", "unchanged"], S, {"out": "not a folder\n"})
safety_case("output_holds_earlier_outputs", ["ok"], S,
            {"out/summary.md": "an earlier summary\n", "out/sites.csv": "an earlier run's sites\n", "out/.kindscape-staging-77/homes.csv": "a killed run's\n"})
safety_case("output_in_a_subfolder_of_the_layers_folder", ["ok"], with_output("../_base/out-of-a-case"))
safety_case("homes_are_dev_zero", ["error", "/dev/zero: [homes] path is a character device, not a regular file"], S.replace("../_base/homes.geojson", "/dev/zero"))
safety_case("neighbourhoods_are_dev_null", ["error", "/dev/null: [neighbourhoods] path is a character device"], S.replace("../_base/neighbourhoods.geojson", "/dev/null"))
safety_case("amenities_are_dev_zero", ["error", "[[amenities]] playground path is a character device"], S.replace("../_base/playgrounds.geojson", "/dev/zero"))
safety_case("homes_osm_is_dev_zero", ["error", "[homes] osm is a character device"],
            S.replace('path = "../_base/homes.geojson"\nid = "hid"', 'osm = "/dev/zero"\ntags = ["building=house"]'))
safety_case("network_is_dev_zero", ["error", "[network] path is a character device"], S + '\n[network]\npath = "/dev/zero"\n')
safety_case("raster_is_dev_zero", ["error", "[[rasters]] noise path is a character device"], S + '\n[[rasters]]\nkind = "noise"\npath = "/dev/zero"\n')
safety_case("site_candidates_are_dev_zero", ["error", "[sites] candidates is a character device"], S + '\n[sites]\nkind = "playground"\ncount = 1\ncandidates = "/dev/zero"\n')
safety_case("homes_path_is_a_folder", ["error", "[homes] path is a folder, not a regular file"], S.replace("../_base/homes.geojson", "../_base"))
RASTER_HOMES = S.replace('path = "../_base/homes.geojson"\nid = "hid"', 'path = "grid.tif"\ncrs = "EPSG:28992"')
safety_case("raster_declares_ten_billion_cells", ["error", "grid.tif", "its 100000 x 100000 cells", "would need about 149 GB of memory, more than the 1.0 GB available"],
            RASTER_HOMES, {"grid.tif": tiff(100000, 100000, b"\x00" * 64)})
safety_case("raster_homes_infinite_cell", ["error", "grid.tif", "cell (column 1, row 0) = inf: not a finite value"],
            RASTER_HOMES, {"grid.tif": tiff(2, 1, struct.pack("<ff", 1.0, float("inf")))})
safety_case("raster_homes_too_many_to_fit", ["error", "grid.tif: as homes: 1440000 homes would need about 1.4 GB of memory"],
            RASTER_HOMES, {"grid.tif": tiff(1200, 1200, struct.pack("<f", 1.0) * (1200 * 1200))})

# The statistic of a [[rasters]] entry is chosen when the raster is read, so `check` refuses a bad
# one as `run` does.
RASTER_NOISE = S + '\n[[rasters]]\nkind = "noise"\npath = "noise.tif"\ncrs = "EPSG:28992"\n'
NOISE_TIF = {"noise.tif": tiff(2, 2, struct.pack("<ffff", 50.0, 55.0, 60.0, 65.0))}
safety_case("raster_statistic_unknown", ["error", "[[rasters]] entry 1 (kind \"noise\"): statistic \"median\" is not known"],
            RASTER_NOISE + 'statistic = "median"\n', NOISE_TIF)
safety_case("raster_share_above_without_threshold", ["error", "[[rasters]] entry 1 (kind \"noise\"): statistic \"share_above\" needs a threshold"],
            RASTER_NOISE + 'statistic = "share_above"\n', NOISE_TIF)
safety_case("raster_threshold_without_share_above", ["error", "threshold only applies to statistic \"share_above\", not \"mean\""],
            RASTER_NOISE + 'threshold = 2\n', NOISE_TIF)


def write_output_safety_cases():
    for name, (expect, study, files) in OUTPUT_SAFETY_CASES.items():
        d = os.path.join(ROOT, name)
        if os.path.isdir(d):
            shutil.rmtree(d)
        os.makedirs(d)
        open(os.path.join(d, "study.toml"), "w").write(study)
        open(os.path.join(d, "expect.txt"), "w").write("\n".join(expect) + "\n")
        for f, content in files.items():
            os.makedirs(os.path.dirname(os.path.join(d, f)), exist_ok=True)
            mode = "wb" if isinstance(content, bytes) else "w"
            open(os.path.join(d, f), mode).write(content)
    print(len(OUTPUT_SAFETY_CASES), "output-safety cases")


write_output_safety_cases()


# ---------------------------------------------------------------------------------------------
# split and merge (issue 19): cases of other verbs. `args.txt` holds the arguments (one per line,
# `{case}` for the case's folder) run instead of `run study.toml`; "parquet-build": the case holds
# only for a kindscape built with the `parquet` feature (split writes GeoParquet layers).
# Append-only, as the blocks above.
# ---------------------------------------------------------------------------------------------
REGION_CASES = {}


def region_case(name, expect, args, files=None, study=S):
    assert name not in REGION_CASES and name not in CASES, f"case {name} is defined twice"
    REGION_CASES[name] = (expect, args, study, files or {})


def manifest(split_id, index, regions, name, study="/data/city.toml"):
    """A region.json as `kindscape split` writes it (see src/regions/mod.rs)."""
    return {
        "kindscape": "0.1.0", "study": study, "split_id": split_id, "split": "--tiles %d" % regions,
        "regions": regions, "index": index, "name": name, "study_homes": 2, "study_neighbourhoods": 1,
        "homes": [index], "neighbourhoods": [0] if index == 0 else [None],
        "halo": {"amenities_m": 100.0, "homes_m": 200.0, "network_m": 300.0},
    }


SPLIT = ["split", "{case}/study.toml"]
region_case("split_by_missing_attribute", ["error", "--by gemeente: no neighbourhood has that attribute", "code, income, kids, name", "parquet-build"],
            SPLIT + ["--by", "gemeente", "--out", "{case}/regions"])
region_case("split_zero_tiles", ["error", "--tiles 0: give at least 1 tile", "parquet-build"], SPLIT + ["--tiles", "0", "--out", "{case}/regions"])
region_case("split_more_tiles_than_neighbourhoods", ["error", "--tiles 50: the study has only", "owns whole neighbourhoods", "parquet-build"],
            SPLIT + ["--tiles", "50", "--out", "{case}/regions"])
region_case("split_into_a_folder_with_files", ["error", "regions", "split writes into a new or empty folder", "parquet-build"],
            SPLIT + ["--tiles", "1", "--out", "{case}/regions"], {"regions/notes.txt": "mine\n"})
region_case("split_needs_parquet", ["error", "split writes each region's layers as GeoParquet", "--features parquet", "default-build"],
            SPLIT + ["--tiles", "2", "--out", "{case}/regions"])
MERGE = ["merge", "{case}/a", "{case}/b", "--out", "{case}/merged"]
region_case("merge_regions_of_mixed_studies", ["error", "b: this region is of another split than", "/data/town.toml", "merge the regions of one split"], MERGE,
            {"a/region.json": manifest("1111", 0, 2, "tile_1"), "b/region.json": manifest("2222", 1, 2, "tile_2", study="/data/town.toml")})
region_case("merge_region_given_twice", ["error", "region \"tile_1\" is given twice"], MERGE,
            {"a/region.json": manifest("1111", 0, 2, "tile_1"), "b/region.json": manifest("1111", 0, 2, "tile_1")})
region_case("merge_region_missing", ["error", "1 of the split's 3 regions are missing (numbers 3)", "merge needs every region"], MERGE,
            {"a/region.json": manifest("1111", 0, 3, "tile_1"), "b/region.json": manifest("1111", 1, 3, "tile_2")})
region_case("merge_region_not_run", ["error", "out/homes.csv", "missing: run the region first", "kindscape run"], MERGE,
            {"a/region.json": manifest("1111", 0, 2, "tile_1"), "b/region.json": manifest("1111", 1, 2, "tile_2"),
             "a/study.toml": S, "b/study.toml": S})
region_case("merge_not_a_region", ["error", "no region here", "region.json"], ["merge", "{case}", "--out", "{case}/merged"])
region_case("merge_manifest_not_json", ["error", "region.json", "not a region manifest written by `kindscape split`"], MERGE,
            {"a/region.json": "{\"regions\": 2", "b/region.json": manifest("1111", 1, 2, "tile_2")})


def write_region_cases():
    for name, (expect, args, study, files) in REGION_CASES.items():
        d = os.path.join(ROOT, name)
        if os.path.isdir(d):
            shutil.rmtree(d)
        os.makedirs(d)
        open(os.path.join(d, "study.toml"), "w").write(study)
        open(os.path.join(d, "expect.txt"), "w").write("\n".join(expect) + "\n")
        open(os.path.join(d, "args.txt"), "w").write("\n".join(args) + "\n")
        for f, content in files.items():
            os.makedirs(os.path.dirname(os.path.join(d, f)), exist_ok=True)
            with open(os.path.join(d, f), "w") as out:
                if isinstance(content, str):
                    out.write(content)
                else:
                    json.dump(content, out)
    print(len(REGION_CASES), "split and merge cases")


write_region_cases()
