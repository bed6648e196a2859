#!/usr/bin/env python3
"""Reference values of Student-t quantiles and two-sided p-values (mpmath, 40 digits).

The OLS golden p-values and confidence limits use R's pt/qt; this file pins
the distribution functions themselves, so a mismatch in a test can be traced
to the t distribution implementation rather than to the estimator. (R 4.2.2's
qt agrees with these to <= 4e-16 relative; scipy 1.10.1's t.ppf(0.975, 9) is
off by 2.5e-11.) The dfs are those of the OLS golden cases plus small ones.

Output: test/golden/t_dist.json
Usage: python3 scripts/golden/t_dist.py
"""
import json
import os

import mpmath as mp

mp.mp.dps = 40
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))


def cdf_upper(t, nu):
    """P(T > t) for t >= 0."""
    x = nu / (nu + t * t)
    return mp.betainc(mp.mpf(nu) / 2, mp.mpf(1) / 2, 0, x, regularized=True) / 2


def quantile(p, nu):
    # upper tail probability 1-p, solve P(T > q) = 1 - p
    target = 1 - mp.mpf(p)
    guess = mp.mpf(2)
    return mp.findroot(lambda t: cdf_upper(t, nu) - target, guess, tol=mp.mpf(10) ** -35)


def main():
    dfs = [1, 2, 3, 5, 9, 10, 30, 49, 100, 499, 735, 3062, 3109, 3110, 3112, 4998]
    ts = ["0.5", "1", "1.96", "2.5", "4", "8", "18.7"]
    probs = ["0.95", "0.975", "0.995"]
    out = []
    for nu in dfs:
        out.append({
            "df": nu,
            "quantile": {p: float(quantile(p, nu)) for p in probs},
            "two_sided_p": {t: float(2 * cdf_upper(mp.mpf(t), nu)) for t in ts},
        })
    doc = {"description": "Student t: quantile[p] = qt(p, df); two_sided_p[t] = 2*pt(-|t|, df). "
                          "Computed with mpmath (40 digits, regularized incomplete beta), rounded once to double.",
           "generated_by": {"script": "scripts/golden/t_dist.py", "mpmath": mp.__version__},
           "cases": out}
    path = os.path.join(ROOT, "test", "golden", "t_dist.json")
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"wrote {path}: {len(out)} dfs")


if __name__ == "__main__":
    main()
