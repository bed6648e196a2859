/**
 * Fit diagnostics (src/inference/diagnostics.ts) and scale handling (src/numeric/leastSquares.ts), checked against
 * sources that do not depend on them: NIST StRD's certified residual standard deviations (0 exactly for the
 * Wampler1/2 perfect fits, positive for the others), the closed form 1 - r^2 of a pair of columns, and IEEE 754's
 * exact scaling by powers of two.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readCsv } from "../../src/data/csv.js";
import { buildModelFrame } from "../../src/estimate/frame.js";
import { estimateOls } from "../../src/estimate/ols.js";
import { parseFormula } from "../../src/formula/parser.js";
import { leastSquares } from "../../src/numeric/leastSquares.js";
import { regressRun } from "../helpers/regress.js";

interface NistCase {
  dataset: string;
  file: string;
  formula: string;
  residual_sd: number;
}
const nist = (JSON.parse(readFileSync("test/golden/nist_certified.json", "utf8")) as { cases: NistCase[] })
  .cases;

async function nistModel(c: NistCase) {
  const frame = buildModelFrame(await readCsv(c.file), parseFormula(c.formula));
  return estimateOls(frame, { vcov: { type: "iid", convention: "fixest" }, level: 0.95 });
}

describe("perfect fit (R summary.lm's criterion) on NIST StRD", () => {
  for (const c of nist) {
    const perfect = c.residual_sd === 0;
    it(`${c.dataset}: certified residual SD ${c.residual_sd} -> ${perfect ? "a perfect-fit note, no tests" : "no perfect-fit note"}`, async () => {
      const model = await nistModel(c);
      const noted = model.notes.some((n) => n.startsWith("perfect fit"));
      expect(noted).toBe(perfect);
      if (perfect) {
        // Standard errors are reported (NIST certifies 0; ours are 0 to rounding), tests are not.
        for (const coef of model.coefficients) {
          expect(Number.isNaN(coef.statistic)).toBe(true);
          expect(Number.isNaN(coef.p_value)).toBe(true);
          expect(Number.isFinite(coef.std_error)).toBe(true);
        }
        expect(model.f_stat).toBeNull();
      } else {
        expect(model.coefficients.every((coef) => Number.isFinite(coef.p_value))).toBe(true);
      }
    });
  }
});

describe("near-collinearity", () => {
  it("x2 = round(2 x, 6): the note names the pair; its 1 - R^2 agrees to 5% with exact rational arithmetic on the file's decimals (the note prints 2 digits; the inverse of a Gram matrix with condition ~1e13 carries ~1e-3..1e-2 relative error)", async () => {
    const run = await regressRun("test/hardening/inputs/scales.csv", ["y ~ x + x2"], {});
    const notes = run.models[0]?.result.notes ?? [];
    const note = notes.find((n) => n.startsWith("near-collinear regressors 'x' and 'x2'"));
    expect(note).toBeDefined();
    const reported = Number(/1 - R² of '[^']+' on the other regressors ([0-9.e+-]+)/.exec(note ?? "")?.[1]);
    // With an intercept and one other regressor, 1 - R^2 = 1 - r(x, x2)^2 = (Sxx S22 - Sx2^2) / (Sxx S22) with
    // centred sums; computed exactly in integers (values scaled by 10^30) from the text of the file.
    const text = readFileSync("test/hardening/inputs/scales.csv", "utf8").trim().split("\n");
    const header = (text[0] as string).split(",");
    const rows = text.slice(1).map((line) => line.split(","));
    const exact = (cell: string): bigint => {
      const [mantissa, exponent] = cell.toLowerCase().split("e") as [string, string | undefined];
      const [whole, fraction = ""] = mantissa.split(".") as [string, string | undefined];
      const shift = 30 - fraction.length + Number(exponent ?? 0);
      const digits = BigInt(`${whole}${fraction}`);
      return shift >= 0 ? digits * 10n ** BigInt(shift) : digits / 10n ** BigInt(-shift);
    };
    const column = (name: string) => rows.map((r) => exact(r[header.indexOf(name)] as string));
    const x = column("x");
    const z = column("x2");
    const n = BigInt(rows.length);
    const sum = (v: bigint[]) => v.reduce((a, b) => a + b, 0n);
    const dot = (a: bigint[], b: bigint[]) => a.reduce((acc, v, i) => acc + v * (b[i] as bigint), 0n);
    const sxx = n * dot(x, x) - sum(x) ** 2n;
    const szz = n * dot(z, z) - sum(z) ** 2n;
    const sxz = n * dot(x, z) - sum(x) * sum(z);
    const scaled = ((sxx * szz - sxz * sxz) * 10n ** 40n) / (sxx * szz);
    const closedForm = Number(scaled) / 1e40;
    expect(closedForm).toBeGreaterThan(1e-13);
    expect(Math.abs(reported / closedForm - 1)).toBeLessThan(5e-2);
  });

  it("NIST Longley (ill-conditioned, VIFs in the thousands) gets no note; Filip's degree-10 polynomial does", async () => {
    const longley = await nistModel(nist.find((c) => c.dataset === "Longley") as NistCase);
    expect(longley.notes.filter((n) => n.startsWith("near-collinear"))).toEqual([]);
    const filip = await nistModel(nist.find((c) => c.dataset === "Filip") as NistCase);
    expect(filip.notes.some((n) => n.startsWith("near-collinear"))).toBe(true);
  });
});

describe("least squares on any scale (powers of two are exact: IEEE 754)", () => {
  it("a column multiplied by 2^996 or 2^-1000 gives the same fit, its coefficient divided by the factor exactly", async () => {
    const table = await readCsv("fixtures/nist/Longley.csv");
    const names = table.names.filter((n) => n !== "y");
    const column = (name: string, factor = 1) => ({
      name,
      hi: table.numeric(name).values.map((v) => v * factor),
      lo: null,
    });
    const ones = { name: "(Intercept)", hi: new Float64Array(table.nrows).fill(1), lo: null };
    const y = column("y");
    const base = leastSquares([ones, ...names.map((n) => column(n))], y, null);
    for (const factor of [2 ** 996, 2 ** -1000]) {
      const scaled = leastSquares([ones, ...names.map((n, j) => column(n, j === 0 ? factor : 1))], y, null);
      expect(scaled.kept).toEqual(base.kept);
      expect(scaled.coefficients[1]).toBe((base.coefficients[1] as number) / factor);
      for (const j of [0, 2, 3, 4, 5, 6]) expect(scaled.coefficients[j]).toBe(base.coefficients[j]);
      expect(scaled.rss).toBe(base.rss);
    }
  });
});
