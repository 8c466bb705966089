#!/usr/bin/env python3
"""Reference play space per child over the Helsinki walk network: PySAL `access` fed with a
networkx cost matrix of the same graph. Writes tests/fixtures/network_e2sfca_helsinki.json, read
by tests/network_helsinki.rs.

How: the graph, the joins of building points (nearest edge, perpendicular offset) and of
playground polygons (every ring vertex, side points <= 25 m apart, every point where an edge
meets a side; each within 200 m) are those of scripts/network_networkx.py (imported). Per
playground, one networkx Dijkstra (cutoff 1000 m) from a super-source tied to both ends of each
join point's edge; a home's distance is its offset plus the better of its edge's two ends, or
straight along its edge to a join point on the same edge; 0 inside the playground. Homes
farther than 200 m from every edge reach nothing. The cost matrix then goes to PySAL access's
enhanced_two_stage_fca exactly as scripts/equity_e2sfca_fixture.py does: one demand location per
(home, band), cost = distance / the band's catchment, max_cost = 1, the step or gaussian decay.
Homes whose distance to a playground lies within 1 cm of a step threshold are drawn again, so
that rounding in either program cannot move a pair across a threshold.

Run: python3 -m venv /tmp/venv-net && /tmp/venv-net/bin/pip install networkx==3.6.1 pyproj==3.7.2 shapely==2.2.0 access
     /tmp/venv-net/bin/python scripts/network_e2sfca_fixture.py /work/shared/data
"""

import json
import math
import platform
import random
import sys
from importlib.metadata import version
from pathlib import Path

import networkx as nx
import pandas as pd
import pyproj
import numpy as np
import shapely
from access import Access
from shapely.geometry import Point

sys.path.insert(0, str(Path(__file__).resolve().parent))
from network_networkx import load_graph, ring_join_points  # noqa: E402

SEED = 20261206
HOMES, PLAYGROUNDS = 300, 30
BANDS = [("0-5", 100.0), ("6-11", 400.0), ("12-17", 1000.0)]
LIMIT = 200.0


def step(x):
    if x <= 1.0 / 3.0:
        return 1.0
    if x <= 2.0 / 3.0:
        return 0.68
    if x <= 1.0:
        return 0.22
    return 0.0


EDGE = math.exp(-0.5)


def gaussian(x):
    if x > 1.0:
        return 0.0
    return (math.exp(-0.5 * x * x) - EDGE) / (1.0 - EDGE)


def main():
    data = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data") / "helsinki-centre"
    out = Path(__file__).resolve().parent.parent / "tests/fixtures/network_e2sfca_helsinki.json"
    to_utm = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:32635", always_xy=True)
    g, lines, ends, _, tree = load_graph(data, to_utm)
    rng = random.Random(SEED)

    features = json.loads((data / "osm_layers/playgrounds.geojson").read_text())["features"]
    polygons = [i for i, f in enumerate(features) if f["geometry"]["type"] in ("Polygon", "MultiPolygon")]
    chosen = sorted(rng.sample(polygons, PLAYGROUNDS))
    playgrounds = []
    for i in chosen:
        geom = shapely.geometry.shape(features[i]["geometry"])
        projected = shapely.transform(geom, lambda c: np.column_stack(to_utm.transform(c[:, 0], c[:, 1])))
        points = []
        for poly in getattr(projected, "geoms", [projected]):
            for ring in [poly.exterior, *poly.interiors]:
                xy = list(ring.coords)
                xy = [p for k, p in enumerate(xy) if k == 0 or p != xy[k - 1]][:-1]
                points.extend(ring_join_points(xy, lines, tree, 25.0, LIMIT))
        h = g
        h.add_node("start")
        for j, along, offset in points:
            u, v = ends[j]
            for n, w in ((u, offset + along), (v, offset + lines[j].length - along)):
                if not h.has_edge("start", n) or h["start"][n]["length"] > w:
                    h.add_edge("start", n, length=w)
        dist = nx.single_source_dijkstra_path_length(h, "start", cutoff=1000.0, weight="length")
        h.remove_node("start")
        on_line = {}
        for j, along, offset in points:
            on_line.setdefault(j, []).append((along, offset))
        playgrounds.append({"feature": i, "area": projected.area, "shape": projected,
                            "dist": dist, "on_line": on_line})

    buildings = json.loads((data / "osm_layers/building_points.geojson").read_text())["features"]
    homes = []
    for f in rng.sample(buildings, len(buildings)):
        if len(homes) == HOMES:
            break
        lon, lat = f["geometry"]["coordinates"]
        p = Point(to_utm.transform(lon, lat))
        i = int(tree.nearest(p))
        offset = p.distance(lines[i])
        # A home at the same distance from two edges joins either: leave such homes out.
        if len({int(k) for k in tree.query(p, predicate="dwithin", distance=offset + 0.01)}) > 1:
            continue
        along = lines[i].project(p)
        u, v = ends[i]
        row = []
        for pg in playgrounds:
            if pg["shape"].intersects(p):
                row.append(0.0)
                continue
            if offset > LIMIT:
                row.append(None)
                continue
            best = min(pg["dist"].get(u, math.inf) + along, pg["dist"].get(v, math.inf) + lines[i].length - along)
            for a, o in pg["on_line"].get(i, []):
                best = min(best, abs(along - a) + o)
            d = offset + best
            row.append(d if d <= 1000.0 else None)
        near = any(d is not None and abs(d - t * c) < 0.01 for d in row for _, c in BANDS for t in (1 / 3, 2 / 3, 1))
        if near:
            continue
        homes.append({"id": f"{f['properties']['osm_type']}/{f['properties']['osm_id']}", "lon": lon, "lat": lat,
                      "children": [rng.uniform(0.5, 12.0) for _ in BANDS], "distance_m": row})

    expected = {}
    for decay, fn in (("step", step), ("gaussian", gaussian)):
        demand_rows, cost_rows = [], []
        for b, (name, d0) in enumerate(BANDS):
            for i, home in enumerate(homes):
                key = f"{name}|{i}"
                demand_rows.append({"id": key, "children": home["children"][b]})
                for j, d in enumerate(home["distance_m"]):
                    if d is not None and d / d0 <= 1.0:
                        cost_rows.append({"origin": key, "dest": f"p{j}", "cost": d / d0})
        a = Access(
            demand_df=pd.DataFrame(demand_rows).set_index("id"), demand_value="children",
            supply_df=pd.DataFrame({"id": [f"p{j}" for j in range(len(playgrounds))],
                                    "area": [pg["area"] for pg in playgrounds]}).set_index("id"),
            supply_value="area", cost_df=pd.DataFrame(cost_rows), cost_origin="origin", cost_dest="dest",
            cost_name="cost",
        )
        result = a.enhanced_two_stage_fca(name="e2sfca", weight_fn=fn, max_cost=1.0, normalize=False)["e2sfca_area"]
        expected[decay] = [[None if math.isnan(v := result.get(f"{name}|{i}", math.nan)) else float(v)
                            for i in range(len(homes))] for name, _ in BANDS]
        print(decay, "pairs within catchments:", len(cost_rows))

    fixture = {
        "how": next(p for p in __doc__.split("\n\n") if p.startswith("How:")).replace("\n", " "),
        "versions": {"python": platform.python_version(), "networkx": nx.__version__, "pyproj": pyproj.__version__,
                     "shapely": shapely.__version__, "access": version("access"), "pandas": version("pandas")},
        "seed": SEED,
        "bands": [{"name": n, "catchment_m": c} for n, c in BANDS],
        "playgrounds": [{"feature": pg["feature"], "area": pg["area"]} for pg in playgrounds],
        "homes": homes,
        "expected": expected,
    }
    out.write_text(json.dumps(fixture, indent=1) + "\n")
    print(f"wrote {out}: {len(homes)} homes, {len(playgrounds)} playgrounds")


if __name__ == "__main__":
    main()
