#!/usr/bin/env python3
"""Writes tiny hand-made .osm.pbf files as seeds for the `osm_pbf` fuzz target.

Each file is a few hundred bytes: an OSMHeader blob and one OSMData blob holding nodes (dense
and plain), walkable ways (one referencing a node that is not in the file, as in an extract cut at
its edge), a closed `leisure=playground` way and a `type=multipolygon` relation with an outer and an
inner ring. Blobs are stored raw (uncompressed) so that libFuzzer's byte mutations reach the
protobuf decoding; one file uses zlib, as real extracts do. Protobuf is encoded by hand (the
standard library only) so the script needs nothing installed.

Usage: python3 fuzz/make_osm_seeds.py fuzz/seeds/osm_pbf
"""

import struct
import sys
import zlib
from pathlib import Path


def varint(n):
    out = bytearray()
    n &= (1 << 64) - 1
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def zigzag(n):
    return (n << 1) ^ (n >> 63)


def key(field, wire):
    return varint(field << 3 | wire)


def vint(field, n):
    return key(field, 0) + varint(n)


def sint(field, n):
    return key(field, 0) + varint(zigzag(n))


def ld(field, payload):
    return key(field, 2) + varint(len(payload)) + payload


def packed(field, values, enc=varint):
    return ld(field, b"".join(enc(v) for v in values))


def packed_sint(field, values):
    return packed(field, values, lambda v: varint(zigzag(v)))


def delta(values):
    prev, out = 0, []
    for v in values:
        out.append(v - prev)
        prev = v
    return out


STRINGS = [
    "",
    "highway",
    "footway",
    "residential",
    "crossing",
    "leisure",
    "playground",
    "type",
    "multipolygon",
    "outer",
    "inner",
    "park",
    "name",
    "Speeltuin",
]
S = {s: i for i, s in enumerate(STRINGS)}

# Nodes: id -> (lat, lon) in 1e-7 degrees (granularity 100 nanodegrees); near Harderwijk.
NODES = {
    1: (523400000, 56100000),
    2: (523400000, 56110000),
    3: (523410000, 56110000),
    4: (523410000, 56100000),
    5: (523402000, 56102000),
    6: (523402000, 56104000),
    7: (523404000, 56104000),
    8: (523404000, 56102000),
    9: (523420000, 56120000),
}
NODE_TAGS = {9: [("highway", "crossing")], 5: [("leisure", "playground")]}


def dense_nodes(ids):
    kv = []
    for i in ids:
        for k, v in NODE_TAGS.get(i, []):
            kv += [S[k], S[v]]
        kv.append(0)
    return (
        packed_sint(1, delta(ids))
        + packed_sint(8, delta([NODES[i][0] for i in ids]))
        + packed_sint(9, delta([NODES[i][1] for i in ids]))
        + packed(10, kv)
    )


def plain_node(i):
    tags = NODE_TAGS.get(i, [])
    return (
        sint(1, i)
        + packed(2, [S[k] for k, _ in tags])
        + packed(3, [S[v] for _, v in tags])
        + sint(8, NODES[i][0])
        + sint(9, NODES[i][1])
    )


def way(wid, refs, tags):
    return (
        vint(1, wid)
        + packed(2, [S[k] for k, _ in tags])
        + packed(3, [S[v] for _, v in tags])
        + packed_sint(8, delta(refs))
    )


def relation(rid, members, tags):
    return (
        vint(1, rid)
        + packed(2, [S[k] for k, _ in tags])
        + packed(3, [S[v] for _, v in tags])
        + packed(8, [S[role] for _, role in members])
        + packed_sint(9, delta([m for m, _ in members]))
        + packed(10, [1 for _ in members])  # WAY
    )


WAYS = [
    way(10, [1, 2, 3], [("highway", "footway")]),
    way(11, [3, 9, 4, 99], [("highway", "residential")]),  # node 99 is missing: cut way
    way(12, [5, 6, 7, 8, 5], [("leisure", "playground"), ("name", "Speeltuin")]),
    way(13, [1, 2, 3, 4, 1], []),
    way(14, [5, 6, 7, 8, 5], []),
]
RELATIONS = [
    relation(20, [(13, "outer"), (14, "inner")], [("type", "multipolygon"), ("leisure", "park")]),
]


def primitive_block(groups):
    table = ld(1, b"".join(ld(1, s.encode()) for s in STRINGS))
    return table + b"".join(ld(2, g) for g in groups) + vint(17, 100)


def blob(kind, payload, compress):
    if compress:
        body = vint(2, len(payload)) + ld(3, zlib.compress(payload))
    else:
        body = ld(1, payload)
    header = ld(1, kind.encode()) + vint(3, len(body))
    return struct.pack(">I", len(header)) + header + body


def header_block():
    return ld(4, b"OsmSchema-V0.6") + ld(4, b"DenseNodes")


def file(groups, compress=False):
    return blob("OSMHeader", header_block(), compress) + blob(
        "OSMData", primitive_block(groups), compress
    )


def main(out):
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    ids = sorted(NODES)
    dense = ld(2, dense_nodes(ids))
    plain = b"".join(ld(1, plain_node(i)) for i in ids)
    ways = b"".join(ld(3, w) for w in WAYS)
    rels = b"".join(ld(4, r) for r in RELATIONS)
    seeds = {
        "dense_ways_relation.osm.pbf": file([dense, ways, rels]),
        "plain_nodes.osm.pbf": file([plain, ways]),
        "zlib_blobs.osm.pbf": file([dense, ways, rels], compress=True),
        "header_only.osm.pbf": blob("OSMHeader", header_block(), False),
        "ways_without_nodes.osm.pbf": file([ways, rels]),
    }
    for name, data in seeds.items():
        (out / name).write_bytes(data)
        print(name, len(data), "bytes")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "fuzz/seeds/osm_pbf")
