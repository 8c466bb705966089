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

Compare a run of examples/helsinki-network.toml with the exact search (no fixture written):
     /tmp/venv-network/bin/python scripts/network_networkx.py /work/shared/data --homes OUT/homes.csv \
       [KIND COLUMN VARIANT, default: playground playground_net_m plain; e.g. green green_space_net_m_0-6 sided]

Run: python3 -m venv /tmp/venv-network && /tmp/venv-network/bin/pip install networkx==3.6.1 pyproj==3.7.2 shapely==2.2.0
     /tmp/venv-network/bin/python scripts/network_networkx.py /work/shared/data
"""

import bisect
import json
import math
import random
import sys
from pathlib import Path

import networkx as nx
import pyproj
import numpy
import shapely
from shapely.geometry import LineString, Point
from shapely.strtree import STRtree


def main():
    if len(sys.argv) > 3 and sys.argv[2] == "--homes":
        kind, column, variant = (sys.argv[4:] + ["playground", "playground_net_m", "plain"][len(sys.argv) - 4:])[:3]
        return compare_homes(Path(sys.argv[1]) / "helsinki-centre", Path(sys.argv[3]), kind, column, variant)
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
    exact = exact_park_distances(data, to_utm)

    fixture = {
        "how": next(p for p in __doc__.split("\n\n") if p.startswith("How:")).replace("\n", " "),
        "versions": {"python": sys.version.split()[0], "networkx": nx.__version__, "pyproj": pyproj.__version__,
                     "proj": pyproj.proj_version_str, "shapely": shapely.__version__},
        "graph": {"vertices": g.number_of_nodes(), "components": nx.number_connected_components(g),
                  "largest": len(largest)},
        "sources": [{"id": s, "lon": node_lonlat[s][0], "lat": node_lonlat[s][1]} for s in sources],
        "targets": targets,
        "polygons": polygons,
        "exact": exact,
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


def compare_homes(data, homes_csv, kind, column, variant, max_distance=2500.0):
    """Prints how far a run's `column` (homes.csv of examples/helsinki-network.toml, x and y in
    EPSG:32635) is from the exact search to `kind` ("playground" or "green") without barriers
    (`variant` "plain") or with primary and secondary roads as barriers ("sided"), over the
    homes outside every amenity of the kind (straight-line column, `column` up to "_net", > 0)."""
    import csv

    straight = column.split("_net")[0] + "_m"
    rows = [r for r in csv.DictReader(homes_csv.open()) if float(r[straight]) > 0]
    to_utm = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:32635", always_xy=True)
    homes = [Point(float(r["x"]), float(r["y"])) for r in rows]
    exact = exact_park_distances(data, to_utm, homes, kinds=(kind,), variants=(variant,))
    diffs, unreached_differ = [], 0
    for r, want in zip(rows, exact[kind][variant]):
        got = float(r[column]) if r[column] else None
        want = want if want is not None and want <= max_distance else None
        if (got is None) != (want is None):
            unreached_differ += 1
        elif got is not None:
            diffs.append(abs(got - want))
    diffs.sort()
    q = lambda p: diffs[round((len(diffs) - 1) * p)]
    print(f"{homes_csv}: {len(diffs)} homes, |{column} - exact {kind} {variant}| p50 {q(0.5):.2f} p95 {q(0.95):.2f} "
          f"max {q(1.0):.2f} m; over 0.5 m: {sum(d > 0.5 for d in diffs)}; reached by one only: {unreached_differ}")


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


BARRIERS = ["primary", "secondary"]
# The classes DESIGN.md walks unless foot=no (motorway and trunk only with a foot permission).
WALK_CLASSES = {"footway", "path", "pedestrian", "living_street", "residential", "service", "unclassified",
                "tertiary", "tertiary_link", "secondary", "secondary_link", "primary", "primary_link", "steps",
                "cycleway", "track", "corridor"}


def exact_park_distances(data, to_utm, homes=None, kinds=("playground", "green"), variants=("plain", "sided"),
                         spacing=25.0, limit=200.0, on_edge=1e-6):
    """Every building point's distance to the nearest playground (polygons and points) and the
    nearest green space (osm_layers/green_spaces.geojson), over the segments of the walk
    network, without barriers and with primary and secondary roads (and their _link ramps) as
    barriers (the sided graph of DESIGN.md, written out here on its own).

    Nodes: a line's first and last point are its `u` and `v` (first coordinates seen), every
    other point a node of its own; a line gives one segment per pair of points, a segment
    already given between the same nodes with the same class is not repeated. Sided graph: at a
    node touched by k >= 2 barrier segments (no node is a crossing: the GeoJSON has no crossing
    tags), one copy per angular sector between consecutive barrier segments; a barrier segment
    gives a left and a right sidewalk between the sectors on its left (counter-clockwise at its
    first node, clockwise at its second) and on its right; any other segment joins the sector
    its direction lies in. A point (home, playground point, boundary point off the network)
    joins its nearest segment (ties within 1e-6 m to the first in file order) within 200 m, at
    its perpendicular foot, on its own side of a barrier. A boundary point on the network (within
    1e-6 m of a segment: a vertex on a road's node, a point where a way crosses or touches a
    side) joins every segment through it at offset 0: inside a barrier segment each side whose
    side of the point (1e-4 m off the segment, and 1e-4 m along either way) lies inside the
    polygon (shapely contains); at a split node each sector in which a point 1e-3 m away, in any
    of 720 directions spread over the sector, lies inside. Boundary points: every vertex of every
    ring, each side cut into ceil(length / 25 m) equal pieces, and every point where a segment
    meets a side (shapely intersection). One networkx Dijkstra from a super-source tied to the
    ends of every join (the way along the segment added) gives each home min over its segment's
    two ends (same side), or straight along its segment to a join on the same segment and side.
    """
    features = json.loads((data / "osm_layers/walk_network_edges.geojson").read_text())["features"]
    index, node_xy, crossing = {}, [], []

    def node(key, xy):
        if key not in index:
            index[key] = len(node_xy)
            node_xy.append(xy)
            crossing.append(False)
        return index[key]

    segs, seen = [], set()
    for i, f in enumerate(features):
        p = f["properties"]
        assert p["highway"] in WALK_CLASSES and p["foot"] not in ("no", "private", "use_sidepath"), p
        xy = [to_utm.transform(x, y) for x, y in f["geometry"]["coordinates"]]
        keys = [("id", str(p["u"]))] + [("shape", i, k) for k in range(1, len(xy) - 1)] + [("id", str(p["v"]))]
        ids = [node(k, c) for k, c in zip(keys, xy)]
        if p["highway"] == "crossing":
            for n in ids:
                crossing[n] = True
        for a, b in zip(ids, ids[1:]):
            key = (min(a, b), max(a, b), p["highway"])
            if a != b and key not in seen:
                seen.add(key)
                segs.append((a, b, p["highway"]))
    lines = [LineString([node_xy[a], node_xy[b]]) for a, b, _ in segs]
    tree = STRtree(lines)
    if homes is None:
        homes = [Point(to_utm.transform(*f["geometry"]["coordinates"]))
                 for f in json.loads((data / "osm_layers/building_points.geojson").read_text())["features"]]
    def project(g):
        return shapely.transform(g, lambda a: numpy.column_stack(to_utm.transform(a[:, 0], a[:, 1])))

    files = {"playground": "playgrounds", "green": "green_spaces"}
    kinds = {k: [project(shapely.geometry.shape(f["geometry"]))
                 for f in json.loads((data / f"osm_layers/{files[k]}.geojson").read_text())["features"]]
             for k in kinds}

    def foot(j, x):
        """(t, offset, left) of point x on segment j."""
        (ax, ay), (bx, by) = node_xy[segs[j][0]], node_xy[segs[j][1]]
        dx, dy = bx - ax, by - ay
        l2 = dx * dx + dy * dy
        t = min(1.0, max(0.0, ((x[0] - ax) * dx + (x[1] - ay) * dy) / l2)) if l2 > 0 else 0.0
        offset = math.hypot(x[0] - (ax + t * dx), x[1] - (ay + t * dy))
        return t, offset, dx * (x[1] - ay) - dy * (x[0] - ax) > 0

    def nearest(x):
        p = Point(x)
        d = p.distance(lines[int(tree.nearest(p))])
        return min(int(j) for j in tree.query(p, predicate="dwithin", distance=d + 1e-6)), d

    # Joins: ("seg", j, t, offset, side or None for both) and ("node", n, polygon or None).
    def point_joins(x):
        j, d = nearest(x)
        if d > limit:
            return []
        t, offset, left = foot(j, x)
        return [("seg", j, t, offset, left)]

    def boundary_joins(x, polygon):
        j, d = nearest(x)
        if d > limit:
            return []
        if d > on_edge:
            t, offset, left = foot(j, x)
            return [("seg", j, t, offset, left)]
        out = []
        for j in tree.query(Point(x), predicate="dwithin", distance=on_edge):
            j = int(j)
            a, b, _ = segs[j]
            at = [n for n in (a, b) if math.dist(node_xy[n], x) <= on_edge]
            if at:
                out.append(("node", at[0], polygon, x))
            else:
                t, _, _ = foot(j, x)
                out.append(("seg", j, t, 0.0, ("polygon", polygon, x)))
        return out

    def kind_joins(geoms):
        out = []
        for g in geoms:
            if g.geom_type == "Point":
                out.extend(point_joins((g.x, g.y)))
                continue
            for poly in getattr(g, "geoms", [g]):
                for ring in [poly.exterior, *poly.interiors]:
                    xy = list(ring.coords)
                    xy = [p for i, p in enumerate(xy) if i == 0 or p != xy[i - 1]][:-1]
                    for i, p in enumerate(xy):
                        q = xy[(i + 1) % len(xy)]
                        pieces = max(1, math.ceil(math.dist(p, q) / spacing))
                        for k in range(pieces):
                            f = k / pieces
                            out.extend(boundary_joins((p[0] + f * (q[0] - p[0]), p[1] + f * (q[1] - p[1])), g))
                        side = LineString([p, q])
                        for j in tree.query(side, predicate="intersects"):
                            meet = side.intersection(lines[j])
                            for part in getattr(meet, "geoms", [meet]):
                                ends = part.boundary.geoms if part.geom_type == "LineString" else [part]
                                for x in ends:
                                    if min(math.dist((x.x, x.y), p), math.dist((x.x, x.y), q)) > on_edge:
                                        out.extend(boundary_joins((x.x, x.y), g))
        return out

    joins = {k: kind_joins(g) for k, g in kinds.items()}
    home_joins = [point_joins((h.x, h.y)) for h in homes]
    result = {"how": " ".join(exact_park_distances.__doc__.split()), "barriers": BARRIERS,
              "homes": len(homes)}
    for name, barriers in (("plain", []), ("sided", BARRIERS)):
        if name not in variants:
            continue
        graph = Sided(node_xy, crossing, segs, barriers)
        for kind, kj in joins.items():
            result.setdefault(kind, {})[name] = graph.distances(kj, home_joins, node_xy, segs)
    return result


class Sided:
    def __init__(self, node_xy, crossing, segs, barriers):
        self.barrier = [cls.removesuffix("_link") in barriers for _, _, cls in segs]
        self.sectors = {}  # split node -> [(start angle, sweep, copy)]
        ccw, cw = {}, {}
        around = {}
        for s, (a, b, _) in enumerate(segs):
            for end, (here, there) in enumerate(((a, b), (b, a))):
                (hx, hy), (tx, ty) = node_xy[here], node_xy[there]
                around.setdefault(here, []).append((math.atan2(ty - hy, tx - hx), s, end))
        for v, inc in around.items():
            bars = sorted(x for x in inc if self.barrier[x[1]])
            if len(bars) < 2 or crossing[v]:
                for _, s, end in inc:
                    ccw[s, end] = cw[s, end] = (v, 0)
                continue
            k = len(bars)
            angles = [x[0] for x in bars]
            self.sectors[v] = []
            for j, (angle, s, end) in enumerate(bars):
                ccw[s, end] = (v, j)
                cw[s, end] = (v, (j - 1) % k)
                sweep = angles[j + 1] - angle if j + 1 < k else angles[0] + 2 * math.pi - angle
                self.sectors[v].append((angle, sweep, (v, j)))
            for phi, s, end in inc:
                if not self.barrier[s]:
                    ccw[s, end] = cw[s, end] = (v, (bisect.bisect_right(angles, phi) - 1) % k)
        self.g = nx.Graph()
        self.sides = []  # per segment: (left ends, right ends)
        for s, (a, b, _) in enumerate(segs):
            left = (ccw[s, 0], cw[s, 1])
            right = (cw[s, 0], ccw[s, 1]) if self.barrier[s] else left
            self.sides.append((left, right))
            length = math.dist(node_xy[a], node_xy[b])
            for u, w in {left, right}:
                if u != w and (not self.g.has_edge(u, w) or self.g[u][w]["length"] > length):
                    self.g.add_edge(u, w, length=length)

    def side_keys(self, j, side, node_xy, segs):
        """The sides (0 left, 1 right) of segment j a join with `side` uses."""
        if not self.barrier[j]:
            return [0]
        if isinstance(side, bool):
            return [0 if side else 1]
        _, polygon, x = side
        (ax, ay), (bx, by) = node_xy[segs[j][0]], node_xy[segs[j][1]]
        length = math.hypot(bx - ax, by - ay)
        ux, uy = (bx - ax) / length, (by - ay) / length
        out = []
        for key, sign in ((0, 1.0), (1, -1.0)):
            nx_, ny_ = -uy * sign, ux * sign
            tries = [(x[0] + 1e-4 * (nx_ + a * ux), x[1] + 1e-4 * (ny_ + a * uy)) for a in (-1.0, 0.0, 1.0)]
            if shapely.contains_xy(polygon, *zip(*tries)).any():
                out.append(key)
        return out

    def distances(self, joins, home_joins, node_xy, segs):
        g = self.g.copy()
        along = {}  # (segment, side key) -> [(t, offset)]

        def seed(n, w):
            if not g.has_edge("start", n) or g["start"][n]["length"] > w:
                g.add_edge("start", n, length=w)

        for join in joins:
            if join[0] == "node":
                _, n, polygon, x = join
                sectors = self.sectors.get(n)
                if sectors is None:
                    seed((n, 0), 0.0)
                    continue
                for start, sweep, copy in sectors:
                    a = [start + sweep * (i + 0.5) / 720 for i in range(720)]
                    xs = [x[0] + 1e-3 * math.cos(t) for t in a]
                    ys = [x[1] + 1e-3 * math.sin(t) for t in a]
                    if sweep > 0 and shapely.contains_xy(polygon, xs, ys).any():
                        seed(copy, 0.0)
                continue
            _, j, t, offset, side = join
            length = math.dist(node_xy[segs[j][0]], node_xy[segs[j][1]])
            for key in self.side_keys(j, side, node_xy, segs):
                (a, b) = self.sides[j][key]
                seed(a, offset + t * length)
                seed(b, offset + (1 - t) * length)
                along.setdefault((j, key), []).append((t, offset))
        dist = nx.single_source_dijkstra_path_length(g, "start", weight="length") if "start" in g else {}
        out = []
        for hj in home_joins:
            if not hj:
                out.append(None)
                continue
            _, j, t, offset, left = hj[0]
            key = self.side_keys(j, left, node_xy, segs)[0]
            a, b = self.sides[j][key]
            length = math.dist(node_xy[segs[j][0]], node_xy[segs[j][1]])
            best = min(dist.get(a, math.inf) + t * length, dist.get(b, math.inf) + (1 - t) * length)
            for ts, os in along.get((j, key), []):
                best = min(best, abs(t - ts) * length + os)
            out.append(None if math.isinf(best) else round(offset + best, 3))
        return out


if __name__ == "__main__":
    main()
