#!/usr/bin/env python3
"""Run a kindscape study in regions on a Dask distributed cluster.

`kindscape split` writes one study per region; each region's `kindscape run` is one Dask task,
and `kindscape merge` is the last task, run once every region has finished. kindscape keeps no
scheduler of its own: the same script runs on a LocalCluster (here and in CI), on a scheduler
given by address, or on Slurm/PBS/Kubernetes through dask-jobqueue or dask-kubernetes, whose
cluster objects plug in where LocalCluster does (docs/SCALE.md).

    python3 scripts/dask_regions.py STUDY --tiles 16 --work WORK --out OUT [--workers 2]
    python3 scripts/dask_regions.py STUDY --by gemeentecode --work WORK --out OUT --scheduler tcp://host:8786

Each task runs the kindscape binary as a subprocess and reports its wall time and peak memory
(the child's maximum resident set size from wait4). The timings are printed as a table and
written to WORK/timings.json.

Every worker must see the binary, the study's files and WORK at the same paths (a shared file
system on a real cluster).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time


def run_command(args):
    """Runs a command; returns (seconds, peak RSS in MiB, exit code, stderr tail)."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    # wait4 gives this child's own resource use (ru_maxrss in KiB on Linux).
    _, status, usage = os.wait4(proc.pid, 0)
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    return (
        time.perf_counter() - start,
        usage.ru_maxrss / 1024.0,
        proc.returncode,
        err[-2000:],
    )


def run_region(kindscape, region_dir, threads):
    """One Dask task: `kindscape run` of one region's study."""
    args = [kindscape, "run", os.path.join(region_dir, "study.toml"), "--quiet"]
    if threads:
        args += ["--threads", str(threads)]
    seconds, rss_mib, code, err = run_command(args)
    if code != 0:
        raise RuntimeError(f"{region_dir}: kindscape run failed ({code}): {err}")
    with open(os.path.join(region_dir, "region.json")) as f:
        manifest = json.load(f)
    return {
        "region": os.path.basename(region_dir),
        "homes": sum(1 for h in manifest["homes"] if h is not None),
        "homes_with_halo": len(manifest["homes"]),
        "seconds": seconds,
        "peak_rss_mib": rss_mib,
    }


def merge_regions(kindscape, regions_dir, out, study, region_results):
    """The last Dask task: `kindscape merge`, given every region's result (so Dask runs it
    only after all of them)."""
    args = [kindscape, "merge", regions_dir, "--out", out]
    if study:
        args += ["--study", study]
    seconds, rss_mib, code, err = run_command(args)
    if code != 0:
        raise RuntimeError(f"kindscape merge failed ({code}): {err}")
    return {"seconds": seconds, "peak_rss_mib": rss_mib, "regions": len(region_results)}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("study", help="the study file to split")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--tiles", type=int, help="this many regions of about equal homes")
    group.add_argument("--by", help="one region per value of this neighbourhood attribute")
    p.add_argument("--work", required=True, help="folder for the region studies (new or empty)")
    p.add_argument("--out", required=True, help="output folder of the merged study")
    p.add_argument("--kindscape", default=shutil.which("kindscape") or "kindscape",
                   help="the kindscape binary (a default build: it has GeoParquet)")
    p.add_argument("--workers", type=int, default=2, help="LocalCluster workers (default 2)")
    p.add_argument("--threads", type=int, default=0,
                   help="--threads of each region's run (default: kindscape's own)")
    p.add_argument("--scheduler", help="address of a running Dask scheduler instead of a LocalCluster")
    a = p.parse_args()

    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        sys.exit("error: this driver needs Dask distributed: pip install dask distributed")

    kindscape = os.path.abspath(a.kindscape) if os.path.exists(a.kindscape) else a.kindscape
    work, out = os.path.abspath(a.work), os.path.abspath(a.out)
    study = os.path.abspath(a.study)
    split_args = [kindscape, "split", study, "--out", work]
    split_args += ["--tiles", str(a.tiles)] if a.tiles is not None else ["--by", a.by]
    split_seconds, split_rss, code, err = run_command(split_args)
    if code != 0:
        sys.exit(f"error: kindscape split failed: {err.strip()}")
    regions = sorted(
        os.path.join(work, d) for d in os.listdir(work)
        if os.path.isfile(os.path.join(work, d, "region.json"))
    )

    start = time.perf_counter()
    if a.scheduler:
        client = Client(a.scheduler)
        cluster = None
    else:
        # One process per worker and one task at a time in each: a region's run uses the
        # worker's cores itself (rayon), and processes keep the runs' memory apart.
        cluster = LocalCluster(n_workers=a.workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    try:
        futures = [client.submit(run_region, kindscape, r, a.threads, pure=False) for r in regions]
        merged = client.submit(merge_regions, kindscape, work, out, study, futures, pure=False)
        merge_result = merged.result()
        region_results = client.gather(futures)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    total = time.perf_counter() - start

    print(f"{'region':<16} {'homes':>10} {'with halo':>10} {'seconds':>8} {'peak MiB':>9}")
    for r in region_results:
        print(f"{r['region']:<16} {r['homes']:>10} {r['homes_with_halo']:>10} "
              f"{r['seconds']:>8.2f} {r['peak_rss_mib']:>9.0f}")
    print(f"split {split_seconds:.2f} s ({split_rss:.0f} MiB); merge {merge_result['seconds']:.2f} s "
          f"({merge_result['peak_rss_mib']:.0f} MiB); regions and merge on the cluster {total:.2f} s")
    with open(os.path.join(work, "timings.json"), "w") as f:
        json.dump({
            "split": {"seconds": split_seconds, "peak_rss_mib": split_rss},
            "regions": region_results,
            "merge": merge_result,
            "cluster_seconds": total,
            "workers": a.workers if not a.scheduler else None,
        }, f, indent=1)
    print(f"Merged outputs in {out}")


if __name__ == "__main__":
    main()
