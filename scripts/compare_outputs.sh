#!/usr/bin/env bash
# Runs two kindscape binaries on the reference studies (sample town, its OSM variant, Harderwijk,
# the three Helsinki studies and, with --city1m, a 1 M-home synthetic city) and compares every
# output file byte for byte except run.json (timings, hashes of the binary's own run).
# Usage: scripts/compare_outputs.sh OLD_BINARY NEW_BINARY [--city1m]
# Needs ../shared beside the checkout for the real-data studies (they are skipped without it).
set -euo pipefail
old=$1 new=$2
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
studies=("$root/layers/sample-town/sample-town.toml" "$root/layers/sample-town/sample-town-osm.toml")
if [ -d "$root/../shared/data" ]; then
  for s in harderwijk helsinki helsinki-network helsinki-osm; do studies+=("$root/examples/$s.toml"); done
fi
if [ "${3:-}" = "--city1m" ]; then
  "$new" sample "$work/city1m" --homes 1000000 --seed 42 >/dev/null
  studies+=("$work/city1m/"*.toml)
fi
status=0
for s in "${studies[@]}"; do
  name=$(basename "$(dirname "$s")")-$(basename "$s" .toml)
  "$old" run "$s" --quiet --out "$work/old-$name" 2>/dev/null
  "$new" run "$s" --quiet --out "$work/new-$name" 2>/dev/null
  differ=()
  for f in "$work/old-$name"/*; do
    b=$(basename "$f")
    [ "$b" = run.json ] && continue
    cmp -s "$f" "$work/new-$name/$b" || differ+=("$b")
  done
  n_old=$(ls "$work/old-$name" | wc -l) n_new=$(ls "$work/new-$name" | wc -l)
  if [ ${#differ[@]} -eq 0 ] && [ "$n_old" = "$n_new" ]; then
    echo "same   $name ($n_old files)"
  else
    echo "DIFFER $name: ${differ[*]:-} (files: $n_old old, $n_new new)"; status=1
  fi
done
rm -rf "$work"
exit $status
