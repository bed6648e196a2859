/**
 * NIST StRD linear least squares: certified values (computed by NIST in 500-digit arithmetic), read from
 * test/golden/nist_certified.json (transcribed and re-verified by scripts/fixtures/verify_nist_exact.py).
 * The bar is 9 significant digits in every coefficient and standard error, Filip included (R's lm drops a
 * term there; we do not). Both solver paths are checked: the exact one and the fast one, which must hand an
 * ill-conditioned problem over to the exact path by itself.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readCsv } from "../../src/data/csv.js";
import { buildModelFrame } from "../../src/estimate/frame.js";
import { estimateOls } from "../../src/estimate/ols.js";
import { parseFormula } from "../../src/formula/parser.js";
import { expectClose } from "../helpers/close.js";

interface NistCase {
  id: string;
  dataset: string;
  file: string;
  formula: string;
  terms: string[];
  estimate: number[];
  std_error: number[];
  residual_sd: number;
  r2: number;
}

const certified = JSON.parse(readFileSync("test/golden/nist_certified.json", "utf8")) as {
  cases: NistCase[];
};

describe("NIST StRD certified values (test/golden/nist_certified.json)", () => {
  for (const c of certified.cases) {
    for (const path of ["exact", "fast"] as const) {
      it(`${c.dataset} (${c.formula}) to 9 digits via the ${path} path`, async () => {
        const table = await readCsv(c.file);
        const frame = buildModelFrame(table, parseFormula(c.formula));
        const model = estimateOls(frame, {
          vcov: { type: "iid", convention: "fixest" },
          level: 0.95,
          forcePath: path,
        });
        expect(model.collinear).toEqual([]);
        expect(model.coefficients.map((x) => x.term)).toEqual(c.terms);
        expectClose(
          model.coefficients.map((x) => x.estimate),
          c.estimate,
          1e-9,
          "estimate",
        );
        // Wampler1/2 are exact fits: certified standard errors 0, which a computation in double reproduces only
        // to rounding relative to the coefficients' scale.
        const exactFit = c.std_error.every((v) => v === 0);
        expectClose(
          model.coefficients.map((x) => x.std_error),
          c.std_error,
          1e-9,
          "std_error",
          exactFit ? { floor: Math.max(...c.estimate.map(Math.abs)) } : {},
        );
        // For an exact fit the residual sd is compared on the scale of the response.
        const y = table.numeric("y").values;
        const yScale = Math.max(...Array.from(y, Math.abs));
        expectClose([model.sigma], [c.residual_sd], 1e-9, "residual sd", exactFit ? { floor: yScale } : {});
        expectClose([model.r2], [c.r2], 1e-9, "R2");
      });
    }
  }
});
