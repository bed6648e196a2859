import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { readCsv } from "../../src/data/csv.js";
import { numericColumn, stringColumn, Table } from "../../src/data/table.js";
import { type BinscatterGroup, binscatter } from "../../src/estimate/binscatter.js";
import { binGrid, binIndex, quantileKnots, quantileType2 } from "../../src/estimate/binscatterBasis.js";
import { expectClose } from "../helpers/close.js";

// Golden values: R binsreg (nppackages/binsreg b9470f5) on the Atlas x F-33 counties, scripts/golden/binsreg.R.
interface GoldenCase {
  n: number;
  nbins: number;
  bins: { left: number[]; right: number[]; n: number[] };
  dots: { x: number[]; bin: number[]; fit: number[] };
  ci?: { x: number[]; bin: number[]; "ci.l": number[]; "ci.r": number[] };
  cb?: { x: number[]; bin: number[]; isknot: number[]; "cb.l": number[]; "cb.r": number[]; cval: number };
  poly?: { x: number[]; fit: number[] };
  [key: string]: unknown;
}
const golden = JSON.parse(readFileSync("test/golden/binsreg.json", "utf8")) as {
  cases: Record<string, GoldenCase> & { by: { black: GoldenCase; white: GoldenCase } };
};
const TOL = 1e-9;

let counties: Table;
beforeAll(async () => {
  const all = await readCsv("fixtures/atlas_f33_county.csv", { types: { fips: "string", state: "string" } });
  // The golden script's sample: y, x and the control present (3113 of 3116 counties).
  const y = all.numeric("kfr_pooled_pooled_p25").values;
  const x = all.numeric("log_ppe").values;
  const w = all.numeric("local_share").values;
  const rows: number[] = [];
  for (let i = 0; i < all.nrows; i++) {
    if (!Number.isNaN(y[i] as number) && !Number.isNaN(x[i] as number) && !Number.isNaN(w[i] as number))
      rows.push(i);
  }
  counties = all.take(rows);
});

const base = { y: "kfr_pooled_pooled_p25", x: "log_ppe" };

function expectDots(group: BinscatterGroup, c: GoldenCase) {
  expect(group.n).toBe(c.n);
  expect(group.nbins).toBe(c.nbins);
  expect(group.dots.map((d) => d.n)).toEqual(c.bins.n);
  expectClose(group.knots, [...c.bins.left, c.bins.right[c.bins.right.length - 1] as number], 1e-15, "knots");
  expectClose(
    group.dots.map((d) => d.x),
    c.dots.x,
    1e-15,
    "dots x",
  );
  expectClose(
    group.dots.map((d) => d.fit),
    c.dots.fit,
    TOL,
    "dots fit",
  );
}

function expectCi(group: BinscatterGroup, ci: { "ci.l": number[]; "ci.r": number[]; x: number[] }) {
  const mine = group.ci ?? [];
  expectClose(
    mine.map((p) => p.x),
    ci.x,
    1e-15,
    "ci x",
  );
  expectClose(
    mine.map((p) => p.low),
    ci["ci.l"],
    TOL,
    "ci low",
  );
  expectClose(
    mine.map((p) => p.high),
    ci["ci.r"],
    TOL,
    "ci high",
  );
}

/** The band's centre and standard error from binsreg's ends and critical value; the cval itself is simulated. */
function expectBand(group: BinscatterGroup, cb: NonNullable<GoldenCase["cb"]>) {
  const band = group.band;
  expect(band).not.toBeNull();
  const points = band?.points ?? [];
  expect(points.map((p) => (p.isKnot ? 1 : 0))).toEqual(cb.isknot);
  expectClose(
    points.map((p) => p.x),
    cb.x,
    1e-14,
    "band x",
  );
  expectClose(
    points.map((p) => p.fit),
    cb["cb.l"].map((l, i) => (l + (cb["cb.r"][i] as number)) / 2),
    TOL,
    "band centre",
  );
  expectClose(
    points.map((p) => p.se),
    cb["cb.l"].map((l, i) => ((cb["cb.r"][i] as number) - l) / (2 * cb.cval)),
    1e-8,
    "band se",
  );
  // Monte Carlo: binsreg's critical value with 2000 draws vs ours with 2000 draws of another generator.
  expect(Math.abs((band?.criticalValue ?? 0) / cb.cval - 1)).toBeLessThan(0.03);
}

describe("binscatter dots, intervals and bands equal R binsreg (scripts/golden/binsreg.R)", () => {
  it("no controls: 20 bins, CI, band, cubic fit", () => {
    const c = golden.cases.raw as GoldenCase;
    const r = binscatter(counties, { ...base, bins: 20, ci: true, cb: true, polyreg: 3 });
    const g = r.groups[0] as BinscatterGroup;
    expectDots(g, c);
    expectCi(g, c.ci as NonNullable<GoldenCase["ci"]>);
    expectBand(g, c.cb as NonNullable<GoldenCase["cb"]>);
    expectClose(
      (g.poly ?? []).map((p) => p.fit),
      c.poly?.fit ?? [],
      1e-9,
      "polynomial fit",
    );
    // Without controls a dot is the mean of y in its bin.
    const y = counties.numeric(base.y).values;
    const x = counties.numeric(base.x).values;
    const bins = binIndex(x, g.knots);
    let s = 0;
    let m = 0;
    for (let i = 0; i < counties.nrows; i++) {
      if (bins[i] === 7) {
        s += y[i] as number;
        m++;
      }
    }
    expect(g.dots[6]?.fit).toBeCloseTo(s / m, 14);
  });

  it("with the local revenue share as a control", () => {
    const c = golden.cases.controls as GoldenCase;
    const r = binscatter(counties, {
      ...base,
      controls: "local_share",
      bins: 20,
      ci: true,
      cb: true,
      polyreg: 3,
    });
    const g = r.groups[0] as BinscatterGroup;
    expectDots(g, c);
    expectCi(g, c.ci as NonNullable<GoldenCase["ci"]>);
    expectBand(g, c.cb as NonNullable<GoldenCase["cb"]>);
    expectClose(
      (g.poly ?? []).map((p) => p.fit),
      c.poly?.fit ?? [],
      1e-9,
      "polynomial fit",
    );
  });

  it("with a state fixed effect: dots at the mean of the fixed effects (binsreg with the dummies in w)", () => {
    const c = golden.cases.fe as GoldenCase & {
      formula_dots_fit: number[];
      formula_shift: number;
      ci_within: { x: number[]; "ci.l": number[]; "ci.r": number[] };
    };
    const r = binscatter(counties, { ...base, controls: "local_share", absorb: "state", bins: 20, ci: true });
    const g = r.groups[0] as BinscatterGroup;
    expectDots(g, c);
    // binsreg's formula interface (w = ~ local_share + factor(state)) evaluates at the reference state instead:
    // the same dots shifted by one constant.
    expectClose(
      g.dots.map((d) => d.fit + c.formula_shift),
      c.formula_dots_fit,
      TOL,
      "formula-interface dots",
    );
    // Intervals: the within regression's (documented convention), centred where binsreg's are.
    expectCi(g, c.ci_within);
    expectClose(
      (g.ci ?? []).map((p) => p.fit),
      (c.ci?.["ci.l"] ?? []).map((l, i) => (l + (c.ci?.["ci.r"][i] as number)) / 2),
      TOL,
      "ci centre vs binsreg",
    );
  });

  it("with analytic weights and errors clustered by state", () => {
    const c = golden.cases.weights_cluster as GoldenCase;
    const r = binscatter(counties, {
      ...base,
      controls: "local_share",
      weights: "enrollment",
      cluster: "state_num",
      bins: 15,
      ci: true,
    });
    const g = r.groups[0] as BinscatterGroup;
    expectDots(g, c);
    expectCi(g, c.ci as NonNullable<GoldenCase["ci"]>);
  });

  it("one series per group (by), bins chosen per group", () => {
    const y = [
      ...counties.numeric("kfr_black_male_p25").values,
      ...counties.numeric("kfr_white_male_p25").values,
    ];
    const x = [...counties.numeric("log_ppe").values, ...counties.numeric("log_ppe").values];
    const race = [...Array(counties.nrows).fill("black"), ...Array(counties.nrows).fill("white")];
    const long = new Table(
      [numericColumn("kfr", y), numericColumn("log_ppe", x), stringColumn("race", race)],
      y.length,
    );
    const r = binscatter(long, { y: "kfr", x: "log_ppe", by: "race", bins: 10, ci: true });
    expect(r.groups.map((g) => g.group)).toEqual(["black", "white"]);
    for (const [i, name] of (["black", "white"] as const).entries()) {
      const g = r.groups[i] as BinscatterGroup;
      const c = golden.cases.by[name];
      expectDots(g, c);
      expectCi(g, c.ci as NonNullable<GoldenCase["ci"]>);
    }
  });

  it("the IMSE-optimal number of bins (binsregselect, direct plug-in): none, a control, a control and state dummies", () => {
    for (const [name, controls] of [
      ["select_raw", undefined],
      ["select_controls", "local_share"],
      ["select_fe", "local_share"],
    ] as const) {
      const c = golden.cases[name] as GoldenCase & Record<string, number>;
      const r = binscatter(counties, {
        ...base,
        ...(controls ? { controls } : {}),
        ...(name === "select_fe" ? { absorb: "state" } : {}),
      });
      const g = r.groups[0] as BinscatterGroup;
      const s = g.selection;
      expect(s?.rotPoly).toBe(c.nbinsrot_poly);
      expect(s?.rotRegularised).toBe(c.nbinsrot_regul);
      expect(s?.dpi).toBe(c.nbinsdpi);
      expectClose(
        [s?.imseBiasRot, s?.imseVarianceRot, s?.imseBiasDpi, s?.imseVarianceDpi] as number[],
        [c.imse_bsq_rot, c.imse_var_rot, c.imse_bsq_dpi, c.imse_var_dpi] as number[],
        1e-9,
        `${name} IMSE constants`,
      );
      expectDots(g, c);
    }
  });
});

describe("binscatter building blocks (hand-computed)", () => {
  it("quantile type 2 averages at exact order statistics, as R's quantile(type = 2)", () => {
    const sorted = Float64Array.from([1, 2, 3, 4]);
    // n p = 2 at p = 0.5: (x2 + x3) / 2; n p = 1.2 at p = 0.3: x2; p = 0: x1; p = 1: x4.
    expect([0, 0.3, 0.5, 1].map((p) => quantileType2(sorted, p))).toEqual([1, 2, 2.5, 4]);
  });

  it("bins are (k_{j-1}, k_j], the first closed; repeated inner knots are merged as binsreg does", () => {
    const x = Float64Array.from([1, 1, 1, 1, 2, 3]);
    // Quantiles at 0, 1/3, 2/3, 1: n p = 2 -> (x2 + x3)/2 = 1; n p = 4 -> (x4 + x5)/2 = 1.5. binsreg keeps the
    // first knot and the distinct later ones (c(knot[1], unique(knot[-1]))), so a degenerate first bin [1, 1].
    expect(quantileKnots(x, 3)).toEqual([1, 1, 1.5, 3]);
    expect(Array.from(binIndex(x, [1, 1, 1.5, 3]))).toEqual([1, 1, 1, 1, 3, 3]);
    expect(quantileKnots(Float64Array.from([1, 1, 1, 1, 1, 2, 3]), 2)).toEqual([1, 1, 3]);
    // 100 zeros then 100..199: knots 0, 0, 50, ... leave the bin (0, 50] empty.
    const v = Array.from({ length: 200 }, (_, i) => (i < 100 ? 0 : i));
    const t = new Table([numericColumn("y", v), numericColumn("x", v)], 200);
    expect(() => binscatter(t, { y: "y", x: "x", bins: 4 })).toThrow(/bin 2 of 4 is empty/);
  });

  it("grids hold ngrid interior points per bin and the inner knots", () => {
    const grid = binGrid([0, 1, 3], 1);
    expect(grid).toEqual([
      { x: 0.5, bin: 1, isKnot: false },
      { x: 1, bin: 1, isKnot: true },
      { x: 2, bin: 2, isKnot: false },
    ]);
  });

  it("refuses a single bin and more bins than the data can carry", () => {
    expect(() => binscatter(counties, { ...base, bins: 1 })).toThrow(/at least 2/);
    expect(() => binscatter(counties.take([...Array(40).keys()]), { ...base, bins: 20 })).toThrow(
      /fewer bins/,
    );
  });
});
