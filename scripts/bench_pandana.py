"""pandana baseline for kindscape's network benchmark (issue 15).

Measures, on one kindscape sample city (`kindscape sample --homes N --street-pieces 25`), what a
planner would do in pandana to get every home's walking distance to the nearest amenity of each
of the 4 kinds of the sample study:
  read    -- the homes, the 4 amenity layers and walk.geojson (pyogrio, as WKB; shapely), green
             spaces reprojected from WGS84 to EPSG:28992 (pyproj) and those under 5000 m2 dropped
             (min_area_m2 in sample-town.toml); the network's nodes are the distinct vertices of
             its lines (exactly equal coordinates are one node, as kindscape reads it) and its
             edges every segment between consecutive vertices, weighted by length;
  network -- pandana.Network(...): the contraction hierarchy (twoway);
  nearest -- per kind, set_pois (maxdist 2000 m = the study's [network] max_distance) and
             nearest_pois(2000, kind, num_pois=1); then get_node_ids for the homes and each
             home's distance read at its node. A point amenity is one POI; a polygon is a POI at
             every ring vertex and at points dividing each side into pieces of at most 25 m, the
             points where kindscape's network joins it (src/reach/network/mod.rs).
pandana has one graph and no sides of barrier roads: it does the work of one of kindscape's three
age bands (12-17, whose barriers, motorway and trunk, the sample has none of), and no E2SFCA,
meeting places or sites. Prints one JSON line: read_s, network_s, nearest_s, CPU seconds (all,
and of the network + nearest steps), peak_mb (ru_maxrss), graph size, package versions and the
number of homes.

With --check HOMES_CSV (kindscape's homes.csv of the same city) it then compares, on --sample
homes drawn at random, its distances with kindscape's `K_net_m_12-17`. The attach models differ:
pandana snaps a home and a POI to their nearest graph node and walks node to node; kindscape joins
the nearest edge at the perpendicular foot and adds the straight offset. So kindscape - pandana
should be about the home's offset plus the reached POI's offset (each its distance to the nearest
line), give or take the walk between a foot and the nearest node (up to half a piece at each
end). It prints per kind the quantiles of kindscape - pandana and of that less the two offsets.

Run:
  python3 -m venv /tmp/venv-pandana && /tmp/venv-pandana/bin/pip install -r scripts/bench_pandana-requirements.txt
  /tmp/venv-pandana/bin/python scripts/bench_pandana.py target/bench-cities/h1000000-p25 \\
      --check target/bench-cities/h1000000-p25/out/homes.csv
"""

import argparse
import json
import math
import os
import resource
import time
from importlib.metadata import version

# pandana's contraction hierarchy runs on OpenMP, whose idle threads spin: on a shared machine
# (more runnable threads than cores) that made the hierarchy of a 1320-node graph take 17 s instead
# of 0.5 s. Passive waiting changes nothing on an idle machine and keeps the baseline fair here.
os.environ.setdefault("OMP_WAIT_POLICY", "passive")

import numpy as np  # noqa: E402
import pandas  # noqa: E402
import pandana  # noqa: E402
import pyogrio  # noqa: E402
import pyproj  # noqa: E402
import shapely  # noqa: E402

CRS = "EPSG:28992"
MAX_DISTANCE = 2000.0
SPACING = 25.0
KINDS = {  # kind -> (file, min_area_m2)
    "playground": ("playgrounds.geojson", 0),
    "green_space": ("green_spaces.geojson", 5000),
    "library": ("libraries.geojson", 0),
    "community_centre": ("community_centres.geojson", 0),
}


def read(path, columns=()):
    """The layer's geometries in EPSG:28992 and the named attribute columns."""
    meta, _, wkb, fields = pyogrio.raw.read(path, columns=list(columns))
    geoms = shapely.from_wkb(wkb)
    crs = pyproj.CRS.from_user_input(meta["crs"])
    if not crs.equals(pyproj.CRS(CRS)):
        t = pyproj.Transformer.from_crs(crs, CRS, always_xy=True)
        geoms = shapely.transform(geoms, lambda c: np.column_stack(t.transform(c[:, 0], c[:, 1])))
    return geoms, dict(zip(meta["fields"], fields))


def cpu_seconds():
    """User + system CPU seconds of this process, all threads."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def poi_points(geoms):
    """Join points: a point itself; a polygon's ring vertices and side points <= SPACING apart."""
    xs, ys, owner = [], [], []
    for k, g in enumerate(geoms):
        if shapely.get_type_id(g) == 0:
            xs.append(g.x)
            ys.append(g.y)
            owner.append(k)
            continue
        for ring in shapely.get_rings(g):
            c = shapely.get_coordinates(ring)
            a, b = c[:-1], c[1:]
            parts = np.maximum(np.ceil(np.hypot(*(b - a).T) / SPACING), 1).astype(int)
            for (ax, ay), (bx, by), n in zip(a, b, parts):
                t = np.arange(n) / n
                xs.extend(ax + t * (bx - ax))
                ys.extend(ay + t * (by - ay))
                owner.extend([k] * n)
    return pandas.DataFrame({"x": xs, "y": ys, "amenity": owner})


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("city_dir")
    ap.add_argument("--check", metavar="HOMES_CSV", help="kindscape homes.csv to compare with")
    ap.add_argument("--sample", type=int, default=10000, help="homes compared by --check")
    args = ap.parse_args()

    t0 = time.perf_counter()
    homes, fields = read(os.path.join(args.city_dir, "homes.geojson"), ["home_id"])
    home_xy = shapely.get_coordinates(homes)
    pois = {}
    for kind, (file, min_area) in KINDS.items():
        geoms, _ = read(os.path.join(args.city_dir, file))
        if min_area:  # only polygons have area; points would all be dropped, as kindscape does
            geoms = geoms[shapely.area(geoms) >= min_area]
        pois[kind] = poi_points(geoms)
    lines, _ = read(os.path.join(args.city_dir, "walk.geojson"))
    coords, line_of = shapely.get_coordinates(lines, return_index=True)
    node_xy, node_of = np.unique(coords, axis=0, return_inverse=True)
    same_line = line_of[:-1] == line_of[1:]
    edge_from, edge_to = node_of[:-1][same_line], node_of[1:][same_line]
    length = np.hypot(*(node_xy[edge_to] - node_xy[edge_from]).T)
    t1, cpu1 = time.perf_counter(), cpu_seconds()

    net = pandana.Network(pandas.Series(node_xy[:, 0]), pandas.Series(node_xy[:, 1]),
                          pandas.Series(edge_from), pandas.Series(edge_to),
                          pandas.DataFrame({"length": length}), twoway=True)
    t2 = time.perf_counter()

    home_nodes = net.get_node_ids(pandas.Series(home_xy[:, 0]), pandas.Series(home_xy[:, 1])).to_numpy()
    distances = {}
    for kind, p in pois.items():
        net.set_pois(kind, MAX_DISTANCE, 1, p["x"], p["y"])
        nearest = net.nearest_pois(MAX_DISTANCE, kind, num_pois=1)[1]
        d = nearest.reindex(home_nodes).to_numpy(dtype=float, copy=True)
        d[d >= MAX_DISTANCE] = np.nan  # pandana's "nothing within" is the search distance
        distances[kind] = d
    t3, cpu3 = time.perf_counter(), cpu_seconds()

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    versions = {m: version(m) for m in ("pandana", "pandas", "numpy", "pyogrio", "shapely", "pyproj", "scikit-learn")}
    print(json.dumps({"read_s": round(t1 - t0, 2), "network_s": round(t2 - t1, 2), "nearest_s": round(t3 - t2, 2),
                      "cpu_s": round(cpu3, 2), "network_nearest_cpu_s": round(cpu3 - cpu1, 2),
                      "peak_mb": round(peak_mb), "nodes": len(node_xy), "edges": int(same_line.sum()),
                      "pois": {k: len(p) for k, p in pois.items()}, "versions": versions, "homes": len(homes)}),
          flush=True)

    if args.check:
        check(args, net, fields["home_id"], home_xy, home_nodes, node_xy, pois, distances)


def check(args, net, home_ids, home_xy, home_nodes, node_xy, pois, distances):
    ks = pandas.read_csv(args.check, usecols=["home_id"] + [f"{k}_net_m_12-17" for k in KINDS])
    ks = ks.set_index("home_id").reindex(home_ids)
    rng = np.random.default_rng(15)
    pick = rng.choice(len(home_xy), size=min(args.sample, len(home_xy)), replace=False)
    lines, _ = read(os.path.join(args.city_dir, "walk.geojson"))
    tree = shapely.STRtree(lines)
    offset = lambda x, y: tree.query_nearest(shapely.points(x, y), return_distance=True, all_matches=False)[1]
    home_offset = offset(home_xy[pick, 0], home_xy[pick, 1])
    q = lambda v: " ".join(f"{n} {np.quantile(v, x):+.1f}" for n, x in
                           (("min", 0), ("p5", .05), ("median", .5), ("p95", .95), ("max", 1)))
    for kind, p in pois.items():
        poi_offset = offset(p["x"].to_numpy(), p["y"].to_numpy())
        net.set_pois(kind, MAX_DISTANCE, 1, p["x"], p["y"])
        poi_id = net.nearest_pois(MAX_DISTANCE, kind, num_pois=1, include_poi_ids=True)["poi1"]
        poi_id = poi_id.reindex(home_nodes[pick]).to_numpy()
        k = ks[f"{kind}_net_m_12-17"].to_numpy()[pick]
        d = distances[kind][pick]
        both = ~np.isnan(k) & ~np.isnan(d)
        diff = k[both] - d[both]
        rest = diff - home_offset[both] - poi_offset[poi_id[both].astype(int)]
        print(f"check {kind}: {both.sum()} of {len(pick)} homes reached by both "
              f"({(np.isnan(k) != np.isnan(d)).sum()} by one only); kindscape - pandana (m): {q(diff)}; "
              f"less the two offsets: {q(rest)}; |that| <= 12.5 m: {np.mean(np.abs(rest) <= 12.5):.1%}, "
              f"<= 25 m: {np.mean(np.abs(rest) <= 25):.1%}")

if __name__ == "__main__":
    main()
