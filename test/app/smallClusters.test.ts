/**
 * `--vcov cr2|cr3` through the application layer: standard errors, per-coefficient Satterthwaite degrees of freedom,
 * p-values and a linear contrast's df against clubSandwich 0.5.8 (scripts/golden/fewclusters_cr.R), with and
 * without absorbed fixed effects and weights, on the Atlas x F-33 counties and the state reform panel.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { expectClose } from "../helpers/close.js";
import { regress } from "../helpers/regress.js";

interface CrBlock {
  vcov: number[][];
  std_error: number[];
  df: number[];
  p_value: number[];
  contrasts: { weights: number[]; estimate: number; std_error: number; df: number }[];
}

interface CrCase {
  id: string;
  file: string;
  formula: string;
  cluster: string;
  weights: string | null;
  nobs: number;
  terms: string[];
  estimate: number[];
  cr2: CrBlock;
  cr3: CrBlock | null;
}

const golden = JSON.parse(readFileSync("test/golden/fewclusters_cr.json", "utf8")) as { cases: CrCase[] };

describe("CR2 / CR3 with Satterthwaite df match clubSandwich (scripts/golden/fewclusters_cr.R)", () => {
  for (const c of golden.cases) {
    for (const type of ["cr2", "cr3"] as const) {
      const block = c[type];
      if (block === null) continue;
      it(`${c.id} ${type}: ${c.formula}, cluster ${c.cluster}${c.weights ? `, weights ${c.weights}` : ""}`, async () => {
        const lincom = block.contrasts.map((k) =>
          k.weights
            .map((w, j) => (w === 0 ? null : `${w}*b[${c.terms[j]}]`))
            .filter((x) => x !== null)
            .join(" + "),
        );
        const output = await regress(c.file, [c.formula], {
          vcov: type,
          cluster: c.cluster,
          weights: c.weights ?? undefined,
          lincom,
          types: c.file.includes("atlas_f33") ? "fips:string,state:string" : "state:string",
        });
        const model = output.models[0];
        if (model === undefined) throw new Error("no model");
        expect(model.nobs).toBe(c.nobs);
        expect(model.coefficients.map((x) => x.term)).toEqual(c.terms);
        expect(model.vcov.type).toBe(type);
        expectClose(
          model.coefficients.map((x) => x.std_error),
          block.std_error,
          1e-10,
          "std_error",
        );
        expectClose(
          model.coefficients.map((x) => x.df),
          block.df,
          1e-8,
          "Satterthwaite df",
        );
        expectClose(
          model.coefficients.map((x) => x.p_value),
          block.p_value,
          1e-7,
          "p_value",
          { logScale: true },
        );
        expect(model.f_stat).toBeNull();
        block.contrasts.forEach((k, i) => {
          const comb = model.combinations?.[i];
          expectClose(
            [comb?.estimate, comb?.std_error, comb?.df],
            [k.estimate, k.std_error, k.df],
            1e-8,
            `contrast ${i}`,
          );
        });
      });
    }
  }

  it("refuses multi-way clustering and Poisson", async () => {
    await expect(
      regress("fixtures/fewclusters/states_panel.csv", ["log_rev_pp ~ post | state"], {
        vcov: "cr2",
        cluster: "state,year",
        types: "state:string",
      }),
    ).rejects.toThrow(/one cluster variable/);
    await expect(
      regress("fixtures/poisson/trade.csv", ["Euros ~ log(dist_km) | Origin"], {
        family: "poisson",
        vcov: "cr2",
        cluster: "Origin",
      }),
    ).rejects.toThrow(/defined for least squares/);
  });
});
