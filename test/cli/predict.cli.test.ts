/**
 * `mobility predict` end to end (built dist/): a fixed-effect model trained on the rows a split column marks,
 * predictions of the others equal to fixest::predict / predict.lm with dummies (scripts/golden/predict.R), the
 * unseen level reported on stderr, and the CSV naming its input file and formula.
 */
import { readFileSync } from "node:fs";
import Papa from "papaparse";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";

const golden = JSON.parse(readFileSync("test/golden/predict.json", "utf8")) as {
  cases: { id: string; fit: (number | null)[]; se_fit: (number | null)[] }[];
};

describe("mobility predict (CLI)", () => {
  it("predicts held-out counties through the state fixed effects, as fixest::predict", () => {
    const formula = "kfr ~ log_ppe + local_share | state";
    const r = runCli([
      "predict",
      "fixtures/predict/counties.csv",
      formula,
      "--split-column",
      "sample",
      "--columns",
      "fips",
      "--types",
      "fips:string,state:string",
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/fixed effect 'state': 1 level not in the fit \(44\)/);
    const rows = Papa.parse<Record<string, string>>(r.stdout, { header: true, skipEmptyLines: true }).data;
    const c = golden.cases.find((x) => x.id === "feols_fe_iid");
    expect(rows).toHaveLength(c?.fit.length ?? -1);
    let worst = 0;
    rows.forEach((row, i) => {
      const e = c?.fit[i];
      if (e === null || e === undefined) expect(row.fit).toBe("");
      else worst = Math.max(worst, Math.abs(Number(row.fit) - e) / Math.abs(e));
    });
    expect(worst).toBeLessThan(1e-10);
    expect(Object.keys(rows[0] ?? {})).toEqual([
      "fips",
      "sample",
      "fit",
      "se_fit",
      "conf_low",
      "conf_high",
      "pred_low",
      "pred_high",
      "residual",
      "p_above",
      "q_above",
      "above",
      "data",
      "formula",
    ]);
    expect(rows[0]?.data).toBe("fixtures/predict/counties.csv");
    expect(rows[0]?.formula).toBe(formula);
  });
});
