"""Writes the small synthetic inputs of the hardening catalogue (test/hardening/inputs/).

Each file is an edge case of scale or of a known data-generating process, so it is synthetic by design (COMMON.md:
"synthetic data only for a known data-generating process or scale"); real-data cases of the catalogue copy files
from fixtures/ instead. Deterministic: python3 scripts/hardening/make_inputs.py rewrites identical files.
"""
import os
import random

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "test", "hardening", "inputs")


def write(name, header, rows):
    with open(os.path.join(OUT, name), "w", newline="\n") as f:
        f.write(",".join(header) + "\n")
        for r in rows:
            f.write(",".join(str(v) for v in r) + "\n")


def main():
    os.makedirs(OUT, exist_ok=True)
    # A constant outcome (issue 16: y = 5 everywhere printed x = -2.2e-33 with t = -14).
    write("const.csv", ["y", "x", "f", "n"],
          [[5, x, "abc"[i % 3], 0 if i % 3 == 0 else i % 4] for i, x in enumerate([1, 2, 3, 4, 5, 7, 8, 10, 11, 13])])

    # y = 1000 + 2 x - 3 z exactly up to the 17-digit text: a perfect fit.
    rng = random.Random(2)
    rows = []
    for i in range(30):
        x, z = rng.random(), rng.random()
        rows.append([repr(1000 + 2 * x - 3 * z), repr(x), repr(z), i % 3])
    write("perfect.csv", ["y", "x", "z", "g"], rows)

    # y = 1 + 2 x + N(0, 1); x2 = round(2 x, 6) (near-collinear pair); big/tiny: x on 1e300 / 1e-300 scales;
    # near: x at 1e-3 around 1e8 (nearly constant); huge: 1e308-scale outcome.
    rng = random.Random(1)
    rows = []
    for i in range(40):
        x = rng.random()
        y = 1 + 2 * x + rng.gauss(0, 1)
        rows.append([repr(y), repr(x), repr(round(2 * x, 6)), repr(x * 1e300), repr(x * 1e-300),
                     repr(1e8 + x * 1e-3), "ab"[i % 2], repr(y * 1e307)])
    write("scales.csv", ["y", "x", "x2", "big", "tiny", "near", "g", "huge"], rows)

    # A plain small data set: groups with a missing group value, clusters, weights, a text column.
    rng = random.Random(3)
    rows = []
    for i in range(24):
        x = rng.gauss(0, 1)
        z = rng.gauss(0, 1)
        s = "" if i == 5 else "ab"[i % 2]
        rows.append([repr(round(1 + 0.5 * x - 0.25 * z + rng.gauss(0, 1), 6)), repr(round(x, 6)),
                     repr(round(z, 6)), repr(round(0.5 + rng.random(), 6)), s, f"c{i % 6}", f"f{i % 4}",
                     1 + i % 3])
    write("small.csv", ["y", "x", "z", "w", "s", "cl", "f", "k"], rows)

    # Column names that need backticks in formulas.
    rng = random.Random(4)
    rows = []
    for i in range(12):
        x = rng.random()
        rows.append([repr(round(1 + x + rng.gauss(0, 0.1), 6)), repr(round(x, 6)), repr(round(rng.random(), 6))])
    write("names.csv", ["y", "café", "my var"], rows)

    # Two-way clustering whose variance of the intercept comes out negative (Cameron-Gelbach-Miller's sum is not
    # positive semi-definite): a standard error that is not finite. Found by a search over small random designs.
    write("twoway.csv", ["y", "x", "a", "b"], list(zip(
        [0.82, 0.73, 0.43, 0.72, 0.65, 0.75, 0.34, 0.46], [0.56, 0.02, 0.62, 0.92, 0.5, 0.66, 0.01, 0.75],
        ["a0", "a1", "a2", "a0", "a1", "a2", "a0", "a1"], ["b1", "b2", "b1", "b2", "b1", "b0", "b2", "b0"])))

    # A panel whose event column codes never-treated units as 0 (R did's convention): units 1-4 treated in 2005
    # or 2007 with an effect of 1 from the event on, units 5-8 never treated; y = unit + 0.1 t + effect + noise.
    rng = random.Random(5)
    rows = []
    for u in range(1, 9):
        event = [2005, 2005, 2007, 2007, 0, 0, 0, 0][u - 1]
        for t in range(2000, 2011):
            effect = 1.0 if event and t >= event else 0.0
            rows.append([u, t, event, repr(round(u + 0.1 * (t - 2000) + effect + rng.gauss(0, 0.1), 6))])
    write("panel0.csv", ["u", "t", "e", "y"], rows)

    # Zero-padded integer codes 01..20 (ids, not numbers).
    rng = random.Random(6)
    write("codes.csv", ["y", "code"], [[repr(round(rng.gauss(0, 1), 6)), f"{1 + i % 20:02d}"] for i in range(60)])

    # Specs that reach the same cases through `mobility run`.
    with open(os.path.join(OUT, "spec_big.yaml"), "w") as f:
        f.write("# A model whose regressor is on a 1e300 scale.\nname: big\ndata:\n  sources:\n"
                "    scales: { file: scales.csv }\nmodels:\n  m1: { data: scales, formula: y ~ big }\n")
    with open(os.path.join(OUT, "spec_deep.yaml"), "w") as f:
        f.write("# A derive expression nested 2,000 deep.\nname: deep\ndata:\n  sources:\n    small: { file: small.csv }\n"
                "  tables:\n    t:\n      from: small\n      steps:\n        - derive: { d: \"" + "(" * 2000 + "x" + ")" * 2000
                + "\" }\nmodels:\n  m1: { data: t, formula: y ~ d }\n")
    with open(os.path.join(OUT, "spec_div0.yaml"), "w") as f:
        f.write("# derive x / 0: a column that is all missing.\nname: div0\ndata:\n  sources:\n    small: { file: small.csv }\n"
                "  tables:\n    t:\n      from: small\n      steps:\n        - derive: { d: x / 0 }\n"
                "models:\n  m1: { data: t, formula: y ~ x + d }\n")


if __name__ == "__main__":
    main()
