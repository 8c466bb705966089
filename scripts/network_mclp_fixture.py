#!/usr/bin/env python3
"""Reference optima for kindscape's site selection over the walk network (tests/network_mclp.rs).

Writes small seeded instances into tests/fixtures/network_mclp/<name>/: a walk network
(walk.geojson, every street piece a 2-point LineString on a jittered grid of about 100 m blocks
with some streets removed and some diagonal footpaths), homes with children per band
(homes.geojson), existing playgrounds and candidate sites (points), one neighbourhood, and
expected.json with PySAL spopt's exact MCLP over the networkx cost matrix of the same graph.

How: the graph's nodes are the distinct line vertices (coordinates rounded to 0.01 m, as
written), its edges the segments, weighted by length. A point (home, playground, candidate) joins
its nearest segment at the perpendicular foot and adds the straight offset (kindscape's attach
model, src/reach/network/mod.rs); a point as near to two segments (within 1 cm) is drawn again.
Per playground and per candidate one networkx Dijkstra from a super-source tied to both ends of
its segment (offset + the walk along it); a home's distance is its offset plus the better of its
segment's two ends, or straight along the segment when both joined the same one. Demand is each
(home, band) with children whose distance to the nearest existing playground exceeds the band's
norm; spopt's MCLP (CBC through PuLP) chooses p candidates over the cost matrix
distance / norm with service radius 1 (so each band keeps its own norm) and weights = children.
An instance is drawn again when a distance lies within 1 cm of a norm, so that rounding cannot
move a pair across it. The optimum is called unique when a second solve that forbids the chosen
set covers less. expected.json also holds the demand and, per candidate, the demand it covers, so
that a test can score any choice of sites on this cost matrix.

Run: python3 -m venv /tmp/venv-net && /tmp/venv-net/bin/pip install networkx==3.6.1 pyproj==3.7.2 shapely==2.2.0 access spopt
     /tmp/venv-net/bin/python scripts/network_mclp_fixture.py
"""

import json
import math
import platform
import random
import shutil
from importlib.metadata import version
from pathlib import Path

import networkx as nx
import numpy as np
import pulp
import shapely
from shapely.geometry import LineString, Point
from spopt.locate import MCLP

OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "network_mclp"
ORIGIN = (155000.0, 463000.0)  # RD New metres (near Amersfoort), so the layers are plausible
BANDS = [("0-5", 150.0), ("6-11", 300.0), ("12-17", 500.0)]
INSTANCES = [  # name, seed, grid size, homes, existing playgrounds, candidates, p
    ("a", 1, 6, 80, 1, 12, 2),
    ("b", 2, 7, 120, 2, 18, 3),
    ("c", 3, 8, 150, 2, 25, 4),
    ("d", 4, 8, 150, 3, 30, 3),
    ("e", 5, 9, 200, 2, 30, 5),
]
RD_CRS = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}}


def network(rng, n):
    """Jittered n x n grid, 100 m apart; about 15% of inner streets removed (connectivity kept)."""
    xy = {(i, j): (round(ORIGIN[0] + 100 * i + rng.uniform(-15, 15), 2),
                   round(ORIGIN[1] + 100 * j + rng.uniform(-15, 15), 2))
          for i in range(n) for j in range(n)}
    edges = [((i, j), (i + 1, j)) for i in range(n - 1) for j in range(n)]
    edges += [((i, j), (i, j + 1)) for i in range(n) for j in range(n - 1)]
    g = nx.Graph(edges)
    for e in rng.sample(edges, len(edges)):
        if rng.random() < 0.15:
            g.remove_edge(*e)
            if not nx.is_connected(g):
                g.add_edge(*e)
    lines = [(xy[a], xy[b], "residential") for a, b in g.edges]
    for i in range(n - 1):  # a few footpaths across blocks
        for j in range(n - 1):
            if rng.random() < 0.1:
                lines.append((xy[(i, j)], xy[(i + 1, j + 1)], "footway"))
    return lines


class Graph:
    def __init__(self, lines):
        self.lines = [LineString([a, b]) for a, b, _ in lines]
        self.ends = [(a, b) for a, b, _ in lines]
        self.tree = shapely.STRtree(self.lines)
        self.g = nx.Graph()
        for (a, b), line in zip(self.ends, self.lines):
            self.g.add_edge(a, b, length=line.length)

    def join(self, p):
        """(segment, along, offset) of a point, or None when two segments are about as near."""
        i = int(self.tree.nearest(p))
        offset = p.distance(self.lines[i])
        if len(self.tree.query(p, predicate="dwithin", distance=offset + 0.01)) > 1:
            return None
        return i, self.lines[i].project(p), offset

    def from_point(self, join, cutoff):
        """Distances from a joined point to every node within cutoff."""
        i, along, offset = join
        (u, v), length = self.ends[i], self.lines[i].length
        h = self.g.copy()
        h.add_edge("s", u, length=offset + along)
        h.add_edge("s", v, length=offset + length - along)
        return nx.single_source_dijkstra_path_length(h, "s", cutoff=cutoff, weight="length")

    def to_point(self, dist, source_join, join):
        i, along, offset = join
        (u, v), length = self.ends[i], self.lines[i].length
        best = min(dist.get(u, math.inf) + along, dist.get(v, math.inf) + length - along)
        if source_join[0] == i:
            best = min(best, source_join[2] + abs(source_join[1] - along))
        return offset + best


def points(rng, graph, count, lo, hi):
    out = []
    while len(out) < count:
        p = Point(round(rng.uniform(lo[0], hi[0]), 2), round(rng.uniform(lo[1], hi[1]), 2))
        j = graph.join(p)
        if j is not None and j[2] > 0.5:
            out.append((p, j))
    return out


def solve(cost, weights, p, forbid=None):
    model = MCLP.from_cost_matrix(cost, weights, 1.0, p_facilities=p, name="mclp")
    if forbid is not None:
        model.problem += pulp.lpSum(model.fac_vars[j] for j in forbid) <= p - 1
    model = model.solve(pulp.PULP_CBC_CMD(msg=False))
    assert pulp.LpStatus[model.problem.status] == "Optimal", pulp.LpStatus[model.problem.status]
    chosen = [j for j, var in enumerate(model.fac_vars) if var.value() > 0.5]
    covered = (cost[:, chosen] <= 1.0).any(axis=1)
    value = float(weights[covered].sum())
    assert abs(pulp.value(model.problem.objective) - value) < 1e-6
    return chosen, value


def instance(name, seed, n, n_homes, n_existing, n_candidates, p):
    rng = random.Random(seed)
    while True:
        lines = network(rng, n)
        graph = Graph(lines)
        lo, hi = (ORIGIN[0] - 10, ORIGIN[1] - 10), (ORIGIN[0] + 100 * (n - 1) + 10, ORIGIN[1] + 100 * (n - 1) + 10)
        homes = points(rng, graph, n_homes, lo, hi)
        children = [[rng.choice([0, 0, 1, 1, 2, 3]) for _ in BANDS] for _ in homes]
        existing = points(rng, graph, n_existing, lo, hi)
        candidates = points(rng, graph, n_candidates, lo, hi)
        cutoff = max(r for _, r in BANDS) + 1
        to_home = lambda src: [graph.to_point(graph.from_point(src[1], cutoff), src[1], h[1]) for h in homes]
        existing_d = np.array([to_home(e) for e in existing]).T  # home x playground
        cand_d = np.array([to_home(c) for c in candidates]).T  # home x candidate
        radii = np.array([r for _, r in BANDS])
        near = lambda d: np.any(np.abs(d[:, :, None] - radii[None, None, :]) < 0.01)
        if near(existing_d) or near(cand_d):
            continue
        nearest = existing_d.min(axis=1)
        demand = [(h, b) for h in range(len(homes)) for b, (_, r) in enumerate(BANDS)
                  if children[h][b] > 0 and nearest[h] > r]
        weights = np.array([children[h][b] for h, b in demand], dtype=float)
        cost = np.array([cand_d[h] / BANDS[b][1] for h, b in demand])
        chosen, value = solve(cost, weights, p)
        _, second = solve(cost, weights, p, forbid=chosen)
        break

    d = OUT / name
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)

    def write(file, features):
        (d / file).write_text(json.dumps({"type": "FeatureCollection", "crs": RD_CRS, "features": features}) + "\n")

    def point(p, props):
        return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [p.x, p.y]}, "properties": props}

    write("walk.geojson", [{"type": "Feature", "properties": {"highway": cls},
                            "geometry": {"type": "LineString", "coordinates": [list(a), list(b)]}}
                           for a, b, cls in lines])
    write("homes.geojson", [point(h, {"home_id": f"h{k}", "a": c[0], "b": c[1], "c": c[2]})
                            for k, ((h, _), c) in enumerate(zip(homes, children))])
    write("playgrounds.geojson", [point(e, {"name": f"existing {k}"}) for k, (e, _) in enumerate(existing)])
    write("candidates.geojson", [point(c, {"name": f"c{k}"}) for k, (c, _) in enumerate(candidates)])
    ring = [[lo[0], lo[1]], [hi[0], lo[1]], [hi[0], hi[1]], [lo[0], hi[1]], [lo[0], lo[1]]]
    totals = [int(sum(c[b] for c in children)) for b in range(len(BANDS))]
    write("neighbourhood.geojson", [{"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]},
                                     "properties": {"code": "N1", "a": totals[0], "b": totals[1], "c": totals[2]}}])
    expected = {
        "how": next(s for s in __doc__.split("\n\n") if s.startswith("How:")).replace("\n", " "),
        "versions": {"python": platform.python_version(), "networkx": nx.__version__, "shapely": shapely.__version__,
                     "spopt": version("spopt"), "pulp": version("pulp")},
        "seed": seed,
        "norms": {n: r for n, r in BANDS},
        "p": p,
        "demand_points": len(demand),
        "uncovered_children": float(weights.sum()),
        "spopt_covered_children": value,
        "spopt_chosen": [f"c{j}" for j in chosen],
        "unique": second < value - 1e-9,
        "second_best_covered_children": second,
        # The cost matrix as cover lists, to score any choice: demand = [home index, band, children].
        "demand": [[h, b, children[h][b]] for h, b in demand],
        "covers": {f"c{j}": [k for k in range(len(demand)) if cost[k, j] <= 1.0] for j in range(len(candidates))},
    }
    (d / "expected.json").write_text(json.dumps(expected, indent=1) + "\n")
    print(f"{name}: {len(lines)} streets, {len(homes)} homes, {len(demand)} uncovered (home, band) with "
          f"{weights.sum():.0f} children, {len(candidates)} candidates, p={p}: spopt covers {value:.0f} "
          f"with {chosen} ({'unique' if second < value else 'not unique'}; next best {second:.0f})")


def main():
    for args in INSTANCES:
        instance(*args)


if __name__ == "__main__":
    main()
