#!/usr/bin/env python3
"""Reference network distances on the Helsinki walk network, computed with networkx.

Writes tests/fixtures/network_helsinki_networkx.json, read by tests/network_helsinki.rs.

How: the GeoJSON walk edges (osm_layers/walk_network_edges.geojson, WGS84) are projected to
EPSG:32635 with pyproj (always_xy); each edge's length is the sum of its projected segment
lengths; an undirected networkx Graph on the `u`/`v` node ids keeps the shortest of parallel
edges. Three vertices of the largest component are the amenities (sources). Targets are
(a) 20 vertices (never one that another, non-incident edge passes within 1 cm of, so joining the
network at it is unambiguous) and (b) 20 building points (osm_layers/building_points.geojson),
joined to the nearest edge with shapely (STRtree nearest, projection onto the edge line):
distance = perpendicular offset + min(along + D[u], length - along + D[v]). D is networkx's
multi_source_dijkstra_path_length from the three sources, without cutoff. Targets are drawn with
random.Random(20240815); a target outside the sources' component expects null.

Polygons: 40 more building points (drawn after the above) get their distance to the nearest
playground polygon (osm_layers/playgrounds.geojson, Polygons and MultiPolygons) over the densified
boundary and the way-boundary crossings: every vertex of every ring (holes too), each side cut
into ceil(length / 25 m) equal pieces, each such point joined to its nearest edge when within
200 m (shapely STRtree nearest); and every point where an edge line meets a side (shapely
intersection, the ends of an overlap) joined to that edge at offset 0. One networkx Dijkstra runs
from a super-source tied to both ends of each point's edge (offset + the way along to that end);
a home on the same edge as a point may also walk straight along it.

Run: python3 -m venv /tmp/venv-network && /tmp/venv-network/bin/pip install networkx==3.6.1 pyproj==3.7.2 shapely==2.2.0
     /tmp/venv-network/bin/python scripts/network_networkx.py /work/shared/data
"""

import json
import math
import random
import sys
from pathlib import Path

import networkx as nx
import pyproj
import shapely
from shapely.geometry import LineString, Point
from shapely.strtree import STRtree


def main():
    data = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data") / "helsinki-centre"
    out = Path(__file__).resolve().parent.parent / "tests/fixtures/network_helsinki_networkx.json"
    to_utm = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:32635", always_xy=True)

    g, lines, ends, node_lonlat, tree = load_graph(data, to_utm)

    rng = random.Random(20240815)
    largest = max(nx.connected_components(g), key=len)
    sources = rng.sample(sorted(largest), 3)
    dist = nx.multi_source_dijkstra_path_length(g, sources, weight="length")

    def utm(n):
        return Point(to_utm.transform(*node_lonlat[n]))

    targets = []
    candidates = sorted(g.nodes)
    rng.shuffle(candidates)
    for n in candidates:
        if len([t for t in targets if t["what"] == "vertex"]) == 20:
            break
        p = utm(n)
        near = tree.query(p, predicate="dwithin", distance=0.01)
        if any(n not in ends[i] for i in near):
            continue
        targets.append({"what": "vertex", "id": n, "lon": node_lonlat[n][0], "lat": node_lonlat[n][1],
                        "distance_m": dist.get(n)})

    buildings = json.loads((data / "osm_layers/building_points.geojson").read_text())["features"]
    for f in rng.sample(buildings, 20):
        lon, lat, _, _, offset, best = join_building(f, to_utm, lines, ends, tree, dist)
        targets.append({"what": "building", "id": f"{f['properties']['osm_type']}/{f['properties']['osm_id']}",
                        "lon": lon, "lat": lat,
                        "distance_m": None if math.isinf(best) else offset + best,
                        "offset_m": offset})

    polygons = playground_polygon_distances(data, to_utm, g, lines, ends, tree, rng, buildings)

    fixture = {
        "how": next(p for p in __doc__.split("\n\n") if p.startswith("How:")).replace("\n", " "),
        "versions": {"python": sys.version.split()[0], "networkx": nx.__version__, "pyproj": pyproj.__version__,
                     "proj": pyproj.proj_version_str, "shapely": shapely.__version__},
        "graph": {"vertices": g.number_of_nodes(), "components": nx.number_connected_components(g),
                  "largest": len(largest)},
        "sources": [{"id": s, "lon": node_lonlat[s][0], "lat": node_lonlat[s][1]} for s in sources],
        "targets": targets,
        "polygons": polygons,
    }
    out.write_text(json.dumps(fixture, indent=1) + "\n")
    print(f"wrote {out}: {len(targets)} targets, {len(polygons['homes'])} homes to playground polygons "
          f"({polygons['rings']} rings, {polygons['points']} points), graph {fixture['graph']}")


def load_graph(data, to_utm):
    """The walk edges as an undirected networkx Graph on their `u`/`v` ids (the shortest of
    parallel edges kept), with each edge's projected line, its ends, the ids' WGS84 positions and
    an STRtree over the lines."""
    edges = json.loads((data / "osm_layers/walk_network_edges.geojson").read_text())["features"]
    g = nx.Graph()
    lines, ends = [], []
    node_lonlat = {}
    for f in edges:
        lonlat = f["geometry"]["coordinates"]
        xy = [to_utm.transform(x, y) for x, y in lonlat]
        length = sum(math.dist(a, b) for a, b in zip(xy, xy[1:]))
        u, v = f["properties"]["u"], f["properties"]["v"]
        node_lonlat.setdefault(u, lonlat[0])
        node_lonlat.setdefault(v, lonlat[-1])
        if u != v and (not g.has_edge(u, v) or g[u][v]["length"] > length):
            g.add_edge(u, v, length=length)
        g.add_nodes_from([u, v])
        lines.append(LineString(xy))
        ends.append((u, v))
    tree = STRtree(lines)
    return g, lines, ends, node_lonlat, tree


def join_building(f, to_utm, lines, ends, tree, dist):
    """A building point joined to its nearest edge: lon, lat, the edge, the way along it, the
    offset, and the shortest walk from the edge to the nearest source (without the offset)."""
    lon, lat = f["geometry"]["coordinates"]
    p = Point(to_utm.transform(lon, lat))
    i = int(tree.nearest(p))
    line, (u, v) = lines[i], ends[i]
    along = line.project(p)
    best = min(dist.get(u, math.inf) + along, dist.get(v, math.inf) + line.length - along)
    return lon, lat, i, along, p.distance(line), best


def ring_join_points(xy, lines, tree, spacing=25.0, limit=200.0):
    """Where a ring (projected, not closed) joins the edges: (line index, distance along it,
    offset) of every vertex and every point dividing a side into pieces <= spacing, each joined
    to its nearest edge when within limit, and of every point where an edge meets a side."""
    points = []
    for i, p in enumerate(xy):
        q = xy[(i + 1) % len(xy)]
        pieces = max(1, math.ceil(math.dist(p, q) / spacing))
        for k in range(pieces):
            f = k / pieces
            x = Point(p[0] + f * (q[0] - p[0]), p[1] + f * (q[1] - p[1]))
            j = int(tree.nearest(x))
            offset = x.distance(lines[j])
            if offset <= limit:
                points.append((j, lines[j].project(x), offset))
        side = LineString([p, q])
        for j in tree.query(side, predicate="intersects"):
            meet = side.intersection(lines[j])
            for part in getattr(meet, "geoms", [meet]):
                at = part.boundary.geoms if part.geom_type == "LineString" else [part]
                points.extend((int(j), lines[j].project(x), 0.0) for x in at)
    return points


def playground_polygon_distances(data, to_utm, g, lines, ends, tree, rng, buildings, spacing=25.0, limit=200.0):
    features = json.loads((data / "osm_layers/playgrounds.geojson").read_text())["features"]
    rings = []
    for f in features:
        geom = shapely.geometry.shape(f["geometry"])
        if geom.geom_type not in ("Polygon", "MultiPolygon"):
            continue
        for poly in getattr(geom, "geoms", [geom]):
            for ring in [poly.exterior, *poly.interiors]:
                xy = [to_utm.transform(x, y) for x, y in ring.coords]
                xy = [p for i, p in enumerate(xy) if i == 0 or p != xy[i - 1]][:-1]
                rings.append(xy)
    # (line index, distance along it, offset) of every point the playgrounds are reached at.
    points = [p for xy in rings for p in ring_join_points(xy, lines, tree, spacing, limit)]
    h = g.copy()
    for j, along, offset in points:
        u, v = ends[j]
        for n, w in ((u, offset + along), (v, offset + lines[j].length - along)):
            if not h.has_edge("start", n) or h["start"][n]["length"] > w:
                h.add_edge("start", n, length=w)
    dist = nx.single_source_dijkstra_path_length(h, "start", weight="length")
    on_line = {}
    for j, along, offset in points:
        on_line.setdefault(j, []).append((along, offset))
    homes = []
    for f in rng.sample(buildings, 40):
        lon, lat, i, along, offset, best = join_building(f, to_utm, lines, ends, tree, dist)
        for a, o in on_line.get(i, []):
            best = min(best, abs(along - a) + o)
        homes.append({"id": f"{f['properties']['osm_type']}/{f['properties']['osm_id']}", "lon": lon, "lat": lat,
                      "distance_m": None if math.isinf(best) or offset > limit else offset + best})
    return {"rings": len(rings), "points": len(points), "homes": homes}


if __name__ == "__main__":
    main()
