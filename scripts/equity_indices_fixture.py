"""Reference equity indices for tests/equity_indices.rs, computed independently of kindscape.

A random instance of 40 neighbourhoods with whole-number children (1..30), an income with ties
and a score 0..100 (some zeros). Every weighted index of the R package `accessibility` equals the
unweighted index of the data with each unit repeated `children` times, so this script expands
the data and uses plain, independent tools on it:

* Gini: PySAL `inequality.gini.Gini` (sum |xi - xj| / (2 n^2 mean), the Lorenz-curve Gini);
* Theil T and its between/within decomposition: PySAL `inequality.theil.Theil` and `TheilD`;
* concentration index: 2 cov(h, r) / mean(h) and 8 cov(h, r) / (max - min) with numpy, the
  fractional rank r = (scipy.stats.rankdata(income, "average") - 0.5) / N, so tied incomes share
  their mid rank (kindscape's rule);
* Palma ratio: cut points numpy.quantile(income, [0.4, 0.9]) (R type 7 = Hmisc wtd.quantile with
  frequency weights); mean score of income > q90 over mean score of income <= q40;
* quintiles: floor(5 * mid rank) + 1 with the same average ranks;
* FGT poverty with line 60: numpy means of 1[x<z], ((z-x)/z)_+, ((z-x)/z)_+^2.

Run: /tmp/venv-equity/bin/pip install inequality scipy
     /tmp/venv-equity/bin/python scripts/equity_indices_fixture.py
"""

import json
import platform
from importlib.metadata import version
from pathlib import Path

import numpy as np
from inequality.gini import Gini
from inequality.theil import Theil, TheilD
from scipy.stats import rankdata

SEED = 5
UNITS = 40
LINE = 60.0

rng = np.random.default_rng(SEED)
children = rng.integers(1, 31, size=UNITS)
# Incomes in steps of 1000 so that some neighbourhoods tie.
income = rng.integers(15, 45, size=UNITS) * 1000.0
score = np.round(rng.uniform(0, 100, size=UNITS) * (income / 45000.0), 3)
score[rng.choice(UNITS, size=4, replace=False)] = 0.0
group = rng.integers(1, 6, size=UNITS)

h = np.repeat(score, children)
y = np.repeat(income, children)
g = np.repeat(group, children)
n = len(h)
r = (rankdata(y, method="average") - 0.5) / n
cov = np.mean((h - h.mean()) * (r - r.mean()))

q40, q90 = np.quantile(y, [0.4, 0.9])
palma = h[y > q90].mean() / h[y <= q40].mean()

theil_d = TheilD(h, g)

# Each unit's individuals share one income, hence one average rank: take its first one.
starts = np.concatenate([[0], np.cumsum(children)[:-1]])
unit_rank = r[starts]
quintile = np.minimum(np.floor(5 * unit_rank).astype(int) + 1, 5)

shortfall = np.clip((LINE - h) / LINE, 0, None)

fixture = {
    "how": (
        "Expanded data (each unit repeated children times); Gini and Theil from PySAL "
        "inequality, concentration index from numpy covariance with scipy rankdata average "
        "ranks, Palma from numpy.quantile type 7; see scripts/equity_indices_fixture.py"
    ),
    "python": platform.python_version(),
    "packages": {p: version(p) for p in ("inequality", "numpy", "scipy")},
    "seed": SEED,
    "children": children.tolist(),
    "income": income.tolist(),
    "score": score.tolist(),
    "group": group.tolist(),
    "poverty_line": LINE,
    "expected": {
        "gini": float(Gini(h).g),
        "theil_t": float(Theil(h).T),
        "theil_between": float(theil_d.bg[0]),
        "theil_within": float(theil_d.wg[0]),
        "concentration_standard": float(2 * cov / h.mean()),
        "concentration_corrected": float(8 * cov / (h.max() - h.min())),
        "palma_ratio": float(palma),
        "income_q40": float(q40),
        "income_q90": float(q90),
        "quintile": quintile.tolist(),
        "fgt0": float(np.mean(shortfall > 0)),
        "fgt1": float(np.mean(shortfall)),
        "fgt2": float(np.mean(shortfall**2)),
    },
}
path = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "equity_indices.json"
path.write_text(json.dumps(fixture, indent=1) + "\n")
print(json.dumps(fixture["expected"], indent=1))
