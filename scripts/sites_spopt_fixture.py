#!/usr/bin/env python3
"""Reference optima for kindscape's maximal covering location (tests/sites_mclp.rs).

Builds seeded random instances (clustered demand points with integer children counts, random
candidate sites, a service radius, p sites), solves each to optimality with PySAL spopt's MCLP
(an integer programme solved by CBC through PuLP), and writes the instances and spopt's covered
weight and chosen facilities to tests/fixtures/sites_mclp_spopt.json.

Coverage is Euclidean distance <= radius, as spopt's aij = cost_matrix <= service_radius. Each
instance is rejected if any demand-candidate distance lies within 1e-6 m of the radius, so the
Rust test, rebuilding coverage from the coordinates, cannot disagree on a boundary case.

Run:
    python3 -m venv /tmp/venv-sites && /tmp/venv-sites/bin/pip install spopt
    /tmp/venv-sites/bin/python scripts/sites_spopt_fixture.py
"""
import json
import platform
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pulp
from scipy.spatial.distance import cdist
from spopt.locate import MCLP

OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "sites_mclp_spopt.json"


def instance(seed, n_demand, n_candidates, radius, p):
    rng = np.random.default_rng(seed)
    while True:
        # Clustered demand, as homes are: a few neighbourhoods of different density.
        centres = rng.uniform(100, 900, size=(6, 2))
        which = rng.integers(0, len(centres), size=n_demand)
        demand = np.round(centres[which] + rng.normal(0, 90, size=(n_demand, 2)), 2)
        candidates = np.round(rng.uniform(0, 1000, size=(n_candidates, 2)), 2)
        weights = rng.integers(1, 21, size=n_demand)
        cost = cdist(demand, candidates)
        if np.min(np.abs(cost - radius)) > 1e-6:
            break
    model = MCLP.from_cost_matrix(cost, weights, radius, p_facilities=p, name=f"mclp_{seed}")
    model = model.solve(pulp.PULP_CBC_CMD(msg=False))
    assert pulp.LpStatus[model.problem.status] == "Optimal", pulp.LpStatus[model.problem.status]
    chosen = [j for j, var in enumerate(model.fac_vars) if var.value() > 0.5]
    covered = (cost[:, chosen] <= radius).any(axis=1)
    covered_weight = int(weights[covered].sum())
    objective = pulp.value(model.problem.objective)
    assert abs(objective - covered_weight) < 1e-6, (objective, covered_weight)
    return {
        "seed": seed,
        "radius": radius,
        "p": p,
        "demand_xy": demand.tolist(),
        "weights": weights.tolist(),
        "candidate_xy": candidates.tolist(),
        "spopt_chosen": chosen,
        "spopt_covered_weight": covered_weight,
        "total_weight": int(weights.sum()),
    }


def main():
    instances = [
        instance(seed=2024, n_demand=300, n_candidates=40, radius=150.0, p=5),
        instance(seed=7, n_demand=300, n_candidates=40, radius=120.0, p=8),
        instance(seed=11, n_demand=400, n_candidates=60, radius=200.0, p=3),
    ]
    fixture = {
        "how": (
            "scripts/sites_spopt_fixture.py: seeded numpy instances; coverage = Euclidean "
            "distance (scipy cdist) <= radius; solved to optimality by spopt.locate.MCLP "
            "(PuLP + bundled CBC); spopt_covered_weight = sum of weights within the radius of "
            "a chosen facility (equal to the ILP objective)"
        ),
        "versions": {
            "python": platform.python_version(),
            "spopt": version("spopt"),
            "pulp": version("pulp"),
            "numpy": version("numpy"),
            "scipy": version("scipy"),
        },
        "instances": instances,
    }
    OUT.write_text(json.dumps(fixture, indent=1) + "\n")
    for inst in instances:
        print(inst["seed"], inst["p"], inst["spopt_chosen"], inst["spopt_covered_weight"],
              "/", inst["total_weight"])


if __name__ == "__main__":
    main()
