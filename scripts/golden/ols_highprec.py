#!/usr/bin/env python3
"""High-precision reference values for the OLS golden cases (Python stdlib only).

For every case in scripts/golden/ols_cases.json this rebuilds the design matrix
from the CSV fixture with its own small formula parser (so R's term names and
factor coding are checked independently), converts each input double exactly
to a 60-digit Decimal and computes the estimate, the covariance matrix under
the case's convention (see scripts/golden/ols.R), standard errors, t
statistics, r2, adj_r2, rmse, sigma and the Wald F in 60-digit arithmetic.
That is the exact answer for the double inputs to far more digits than a double
holds; each number is then rounded once to the nearest double.

Output: test/golden/ols_highprec.json, read by scripts/golden/ols.R, which
uses these numbers as the golden values after checking them against its own
double-precision computation and against sandwich/estimatr/lm.

Usage: python3 scripts/golden/ols_highprec.py
"""
import csv
import json
import math
import os
import re
import sys
from decimal import Decimal, getcontext

getcontext().prec = int(os.environ.get("OLS_HP_PREC", "60"))
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
CASES = os.path.join(ROOT, "scripts", "golden", "ols_cases.json")
OUT = os.path.join(ROOT, "test", "golden", "ols_highprec.json")
TEXT_COLUMNS = {"fips", "state", "czname"}

D0, D1 = Decimal(0), Decimal(1)


# ---------------------------------------------------------------- data + design
def load(path):
    with open(os.path.join(ROOT, path), newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def parse_formula(formula):
    """Supports: y ~ a + b, I(a^p), a*b (-> a + b + a:b), '- 1', text columns as factors."""
    lhs, rhs = [s.strip() for s in formula.split("~")]
    intercept = True
    rhs = rhs.replace(" ", "")
    if rhs.endswith("-1"):
        intercept, rhs = False, rhs[:-2]
    terms = []
    for part in rhs.split("+"):
        if "*" in part:
            a, b = part.split("*")
            terms += [a, b, f"{a}:{b}"]
        else:
            terms.append(part)
    return lhs, intercept, terms


def variables(term):
    m = re.fullmatch(r"I\((\w+)\^(\d+)\)", term)
    if m:
        return [m.group(1)]
    return term.split(":")


def design(rows, formula, extra):
    lhs, intercept, terms = parse_formula(formula)
    needed = {lhs} | set(extra) | {v for t in terms for v in variables(t)}
    rows = [r for r in rows if all(r[v] != "" for v in needed)]
    num = lambda r, v: Decimal(float(r[v]))  # exact value of the double the tools parse
    cols = []  # (name, function(row) -> Decimal)
    if intercept:
        cols.append(("(Intercept)", lambda r: D1))
    for t in terms:
        m = re.fullmatch(r"I\((\w+)\^(\d+)\)", t)
        if m:
            v, p = m.group(1), int(m.group(2))
            cols.append((f"I({v}^{p})", lambda r, v=v, p=p: Decimal(float(r[v]) ** p)))
        elif ":" in t:
            a, b = t.split(":")
            cols.append((t, lambda r, a=a, b=b: Decimal(float(r[a]) * float(r[b]))))
        elif t in TEXT_COLUMNS:
            levels = sorted({r[t] for r in rows})
            for lev in levels[1:] if intercept else levels:
                cols.append((f"{t}{lev}", lambda r, t=t, lev=lev: D1 if r[t] == lev else D0))
        else:
            cols.append((t, lambda r, t=t: num(r, t)))
    X = [[fn(r) for _, fn in cols] for r in rows]
    y = [num(r, lhs) for r in rows]
    return rows, [c[0] for c in cols], X, y, intercept


# ---------------------------------------------------------------- linear algebra
def inverse(A):
    n = len(A)
    M = [list(A[i]) + [D1 if i == j else D0 for j in range(n)] for i in range(n)]
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(M[r][c]))
        M[c], M[p] = M[p], M[c]
        piv = M[c][c]
        M[c] = [v / piv for v in M[c]]
        for r in range(n):
            if r != c and M[r][c] != 0:
                f = M[r][c]
                M[r] = [a - f * b for a, b in zip(M[r], M[c])]
    return [row[n:] for row in M]


def matmul(A, B):
    Bt = list(zip(*B))
    return [[sum((a * b for a, b in zip(row, col) if a and b), D0) for col in Bt] for row in A]


def outer_acc(M, v):
    idx = [i for i, x in enumerate(v) if x]
    for i in idx:
        vi = v[i]
        Mi = M[i]
        for j in idx:
            Mi[j] += vi * v[j]


def zeros(k):
    return [[D0] * k for _ in range(k)]


def meat(S, groups=None):
    k = len(S[0])
    if groups is None:
        M = zeros(k)
        for s in S:
            outer_acc(M, s)
        return M
    sums = {}
    for s, g in zip(S, groups):
        acc = sums.setdefault(g, [D0] * k)
        for j, v in enumerate(s):
            if v:
                acc[j] += v
    M = zeros(k)
    for s in sums.values():
        outer_acc(M, s)
    return M


def madd(*terms):
    k = len(terms[0][1])
    return [[sum((c * M[i][j] for c, M in terms), D0) for j in range(k)] for i in range(k)]


# ---------------------------------------------------------------- one case
def compute(case, cache):
    key = case["file"]
    if key not in cache:
        cache[key] = load(case["file"])
    extra = list(case.get("cluster") or []) + ([case["weights"]] if case.get("weights") else [])
    rows, names, X, y, intercept = design(cache[key], case["formula"], extra)
    n, K = len(X), len(X[0])
    w = [Decimal(float(r[case["weights"]])) for r in rows] if case.get("weights") else [D1] * n
    XtWX = zeros(K)
    for xi, wi in zip(X, w):
        idx = [j for j, v in enumerate(xi) if v]
        for a in idx:
            wa = wi * xi[a]
            for c in idx:
                XtWX[a][c] += wa * xi[c]
    XtWy = [sum((xi[j] * wi * yi for xi, wi, yi in zip(X, w, y)), D0) for j in range(K)]
    B = inverse(XtWX)
    b = [sum((B[i][j] * XtWy[j] for j in range(K)), D0) for i in range(K)]
    e = [yi - sum((a * c for a, c in zip(xi, b) if a), D0) for xi, yi in zip(X, y)]
    rss = sum((wi * ei * ei for wi, ei in zip(w, e)), D0)
    sigma2 = rss / (n - K)
    S = [[v * wi * ei for v in xi] for xi, wi, ei in zip(X, w, e)]
    sand = lambda M: matmul(matmul(B, M), B)
    nclus = None
    vc, cl = case["vcov"], case.get("cluster")
    if vc == "iid":
        V = [[sigma2 * v for v in row] for row in B]
        df = n - K
    elif vc in ("hc0", "hc1", "hc2", "hc3"):
        if vc in ("hc2", "hc3"):
            XB = matmul(X, B)
            h = [wi * sum((a * c for a, c in zip(xb, xi) if c), D0) for xb, xi, wi in zip(XB, X, w)]
            fac = [(D1 - hi).sqrt() if vc == "hc2" else (D1 - hi) for hi in h]
            S = [[v / f for v in s] for s, f in zip(S, fac)]
        V = sand(meat(S))
        if vc == "hc1":
            V = [[v * n / (n - K) for v in row] for row in V]
        df = n - K
    elif len(cl) == 1:
        g = [r[cl[0]] for r in rows]
        G = len(set(g))
        adj = Decimal(G) / (G - 1) * (n - 1) / (n - K)
        V = [[adj * v for v in row] for row in sand(meat(S, g))]
        df = G - 1
        nclus = {cl[0]: G}
    else:
        ga, gb = [r[cl[0]] for r in rows], [r[cl[1]] for r in rows]
        gab = [a + "\r" + b for a, b in zip(ga, gb)]
        GA, GB, GAB = len(set(ga)), len(set(gb)), len(set(gab))
        Gmin = min(GA, GB)
        MA, MB, MAB = meat(S, ga), meat(S, gb), meat(S, gab)
        c = Decimal(n - 1) / (n - K)
        if case.get("ssc", "fixest") == "fixest":
            f = c * Gmin / (Gmin - 1)
            V = sand(madd((f, MA), (f, MB), (-f, MAB)))
        else:
            V = sand(madd((c * GA / (GA - 1), MA), (c * GB / (GB - 1), MB), (-c * GAB / (GAB - 1), MAB)))
        df = Gmin - 1
        nclus = {cl[0]: GA, cl[1]: GB, f"{cl[0]}^{cl[1]}": GAB}
    se = [V[i][i].sqrt() for i in range(K)]
    if intercept:
        sw = sum(w, D0)
        ybar = sum((wi * yi for wi, yi in zip(w, y)), D0) / sw
        tss = sum((wi * (yi - ybar) ** 2 for wi, yi in zip(w, y)), D0)
        r2 = 1 - rss / tss
        adj_r2 = 1 - (1 - r2) * (n - 1) / (n - K)
    else:
        tss = sum((wi * yi * yi for wi, yi in zip(w, y)), D0)
        r2 = 1 - rss / tss
        adj_r2 = 1 - (1 - r2) * n / (n - K)
    idx = [i for i, nm in enumerate(names) if nm != "(Intercept)"]
    f_stat = None
    if idx:
        Vq = [[V[i][j] for j in idx] for i in idx]
        bq = [b[i] for i in idx]
        Vi = inverse(Vq)
        f_stat = sum((bq[i] * Vi[i][j] * bq[j] for i in range(len(idx)) for j in range(len(idx))), D0) / len(idx)
    return {
        "names": names, "nobs": n, "df_t": df, "n_clusters": nclus, "estimate": b, "std_error": se,
        "statistic": [bi / si for bi, si in zip(b, se)], "vcov_matrix": V,
        "r2": r2, "adj_r2": adj_r2, "rmse": (rss / n).sqrt(), "sigma": sigma2.sqrt(), "f_stat": f_stat,
    }


def main():
    spec = json.load(open(CASES))
    cache, out = {}, []
    for case in spec["cases"]:
        hp = compute(case, cache)
        f = lambda v: None if v is None else float(v)  # Decimal -> nearest double
        out.append({
            "id": case["id"], "terms": hp["names"], "nobs": hp["nobs"], "df_t": hp["df_t"],
            "n_clusters": hp["n_clusters"],
            "estimate": [f(v) for v in hp["estimate"]],
            "std_error": [f(v) for v in hp["std_error"]],
            "statistic": [f(v) for v in hp["statistic"]],
            "vcov_matrix": [[f(v) for v in row] for row in hp["vcov_matrix"]],
            "r2": f(hp["r2"]), "adj_r2": f(hp["adj_r2"]), "rmse": f(hp["rmse"]), "sigma": f(hp["sigma"]),
            "f_stat": f(hp["f_stat"]),
        })
        print(f"{case['id']:40s} n={hp['nobs']:<5d} K={len(hp['names']):<3d} df_t={hp['df_t']}")
    with open(OUT, "w") as fh:
        json.dump({"description": "60-digit Decimal recomputation of the OLS golden cases, each number rounded once "
                                  "to the nearest double; generated by scripts/golden/ols_highprec.py from "
                                  "scripts/golden/ols_cases.json",
                   "generated_by": {"script": "scripts/golden/ols_highprec.py"},
                   "python": sys.version.split()[0], "decimal_precision": getcontext().prec,
                   "cases": out}, fh, indent=1)
        fh.write("\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
