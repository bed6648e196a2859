#!/usr/bin/env python3
"""Third-party cross-check of test/golden/ols.json with Python statsmodels.

Recomputes the Petersen cases (y ~ x: iid, HC0-HC3, cluster by firm, cluster
by year) with statsmodels OLS and asserts that estimates, standard errors, t
statistics, p-values, confidence limits, the Wald F, r2, adj_r2 and sigma agree
with the golden values to 1e-10 relative (p-values: 1e-10 absolute or
relative, whichever is larger). Prints the largest relative difference.

Usage: python3 scripts/golden/ols_statsmodels.py
"""
import csv
import json
import os
import sys

import numpy as np
import statsmodels
import statsmodels.api as sm

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
TOL = 1e-10


def rel(a, b):
    a, b = np.atleast_1d(np.asarray(a, float)), np.atleast_1d(np.asarray(b, float))
    scale = np.maximum(np.abs(a), np.abs(b))
    d = np.abs(a - b)
    return float(np.max(np.where(scale == 0, 0.0, d / np.where(scale == 0, 1.0, scale))))


def main():
    golden = {c["id"]: c for c in json.load(open(os.path.join(ROOT, "test/golden/ols.json")))["cases"]}
    with open(os.path.join(ROOT, "fixtures/petersen.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    y = np.array([float(r["y"]) for r in rows])
    X = sm.add_constant(np.array([float(r["x"]) for r in rows]))
    firm = np.array([int(r["firm"]) for r in rows])
    year = np.array([int(r["year"]) for r in rows])
    model = sm.OLS(y, X)
    fits = {
        "petersen_iid": model.fit(),
        "petersen_hc0": model.fit(cov_type="HC0", use_t=True),
        "petersen_hc1": model.fit(cov_type="HC1", use_t=True),
        "petersen_hc2": model.fit(cov_type="HC2", use_t=True),
        "petersen_hc3": model.fit(cov_type="HC3", use_t=True),
        # use_correction=True: G/(G-1) (n-1)/(n-K); df_correction=True: t with G-1 df
        "petersen_cluster_firm": model.fit(cov_type="cluster", cov_kwds={"groups": firm, "use_correction": True,
                                                                         "df_correction": True}, use_t=True),
        "petersen_cluster_year": model.fit(cov_type="cluster", cov_kwds={"groups": year, "use_correction": True,
                                                                         "df_correction": True}, use_t=True),
    }
    worst, bad = 0.0, []
    for cid, r in fits.items():
        g = golden[cid]
        ci = r.conf_int(alpha=0.05)
        wald = r.f_test(np.array([[0.0, 1.0]]))
        diffs = {
            "estimate": rel(r.params, g["estimate"]),
            "std_error": rel(r.bse, g["std_error"]),
            "statistic": rel(r.tvalues, g["statistic"]),
            "p_value": float(np.max(np.abs(r.pvalues - np.array(g["p_value"])) /
                                    np.maximum(1.0, np.abs(np.array(g["p_value"]))))),
            "conf_low": rel(ci[:, 0], g["conf_low"]),
            "conf_high": rel(ci[:, 1], g["conf_high"]),
            "vcov_matrix": rel(r.cov_params(), g["vcov_matrix"]),
            "f_stat": rel(float(np.squeeze(wald.fvalue)), g["f_stat"]),
            "f_df2": rel(float(wald.df_denom), g["f_df2"]),
            "r2": rel(r.rsquared, g["r2"]),
            "adj_r2": rel(r.rsquared_adj, g["adj_r2"]),
            "sigma": rel(np.sqrt(r.mse_resid), g["sigma"]),
            "df_t": rel(getattr(r, "df_resid_inference", None) or r.df_resid, g["df_t"]),
        }
        m = max(diffs.values())
        worst = max(worst, m)
        field = max(diffs, key=diffs.get)
        print(f"{cid:24s} max rel diff {m:.2e} ({field})")
        if m > TOL:
            bad.append((cid, field, m))
    print(f"statsmodels {statsmodels.__version__}, numpy {np.__version__}: max relative difference {worst:.2e} "
          f"over {len(fits)} cases (tolerance {TOL:g})")
    if bad:
        print("FAILED:", bad)
        sys.exit(1)


if __name__ == "__main__":
    main()
