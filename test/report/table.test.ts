import { describe, expect, it } from "vitest";
import { MobilityError } from "../../src/errors.js";
import type { Output } from "../../src/model/result.js";
import {
  buildTable,
  describeVcov,
  isCaveatNote,
  noteInTable,
  selectTerms,
  type TableRow,
} from "../../src/report/table.js";
import { clusteredModel, coef, fixedEffectModel, twoModels } from "./fixtures.js";

const texts = (row: TableRow | undefined) => row?.cells.map((c) => c.text + c.stars);
const labels = (rows: TableRow[]) => rows.map((r) => r.label);

describe("buildTable", () => {
  it("lists the union of terms in order of first appearance, each followed by its standard error", () => {
    const table = buildTable(twoModels());
    expect(table.columns).toBe(2);
    expect(table.header.map(texts)).toEqual([
      ["(1)", "(2)"],
      ["kfr_p25", "kfr_p25"],
    ]);
    expect(labels(table.coefficients)).toEqual([
      "(Intercept)",
      "",
      "log_ppe",
      "",
      "I(log_ppe^2)",
      "",
      "local_share",
      "",
      "log_ppe:local_share",
      "",
      "region::South",
      "",
      "share_%_black",
      "",
    ]);
    expect(texts(table.coefficients[2])).toEqual(["0.0457***", "0.0312***"]);
    expect(texts(table.coefficients[3])).toEqual(["(0.0150)", "(0.0110)"]);
    expect(texts(table.coefficients[10])).toEqual(["", "-1.2500*"]);
    expect(table.coefficients.map((r) => r.kind).slice(0, 2)).toEqual(["coef", "se"]);
  });

  it("adds fixed-effect rows, observations, R2s and the standard-error type", () => {
    const table = buildTable(twoModels());
    expect(table.fit.map((r) => [r.label, ...(texts(r) ?? [])])).toEqual([
      ["state FE", "No", "Yes"],
      ["Observations", "3,012", "3,000"],
      ["R²", "0.2346", "0.6123"],
      ["Adj. R²", "0.2335", "0.6001"],
      ["Within R²", "", "0.0412"],
      // The two columns differ in their standard errors, so the type is a row rather than a note.
      ["Standard errors", "Clustered (state)", "Two-way clustered (state, year)"],
    ]);
    // Short notes by default: the legend and the caveats of a model (a collinear term); full
    // notes add the sample notes (rows removed), which the command line otherwise prints on stderr.
    expect(table.notes).toEqual([
      "Standard errors in parentheses. * p < 0.10, ** p < 0.05, *** p < 0.01",
      "(1) Collinear term dropped: urban_share.",
    ]);
    expect(buildTable(twoModels(), { notes: "full" }).notes).toEqual([
      "Standard errors in parentheses. * p < 0.10, ** p < 0.05, *** p < 0.01",
      "(1) 12 rows dropped for missing values.",
      "(1) Collinear term dropped: urban_share.",
    ]);
    expect(buildTable(twoModels(), { notes: "none" }).notes).toEqual([]);
  });

  it("omits fixed-effect and within-R2 rows when no model has them; one SE type goes in the notes", () => {
    const table = buildTable({ tool: "mobility", version: "0", models: [clusteredModel()] });
    expect(labels(table.fit)).toEqual(["Observations", "R²", "Adj. R²"]);
    expect(table.notes).toEqual([
      "Standard errors in parentheses, clustered (state). * p < 0.10, ** p < 0.05, *** p < 0.01",
      "(1) Collinear term dropped: urban_share.",
    ]);
  });

  it("chooses fit statistics, extra rows, digits and stars", () => {
    const table = buildTable(twoModels(), {
      digits: 2,
      stars: false,
      fit: ["nobs", "rmse"],
      fixedEffects: false,
      thousands: false,
      extraRows: [{ label: "Controls", cells: ["Yes", "No"] }],
    });
    expect(table.fit.map((r) => [r.label, ...(texts(r) ?? [])])).toEqual([
      ["Observations", "3012", "3000"],
      ["RMSE", "0.05", "0.04"],
      ["Controls", "Yes", "No"],
    ]);
    expect(texts(table.coefficients[2])).toEqual(["0.05", "0.03"]);
    expect(table.notes[0]).toBe("Standard errors in parentheses.");
    expect(() => buildTable(twoModels(), { extraRows: [{ label: "x", cells: ["Yes"] }] })).toThrow(
      "extra row 'x' has 1 cells for 2 models",
    );
  });

  it("keeps, drops, orders and relabels terms", () => {
    const output = twoModels();
    expect(selectTerms(output.models, { keep: ["local_share", "log_ppe"] })).toEqual([
      "log_ppe",
      "local_share",
    ]);
    expect(selectTerms(output.models, { drop: ["(Intercept)", "I(log_ppe^2)", "share_%_black"] })).toEqual([
      "log_ppe",
      "local_share",
      "log_ppe:local_share",
      "region::South",
    ]);
    expect(
      selectTerms(output.models, {
        keep: ["log_ppe", "local_share", "region::South"],
        order: ["region::South"],
      }),
    ).toEqual(["region::South", "log_ppe", "local_share"]);
    const table = buildTable(output, {
      keep: ["log_ppe"],
      labels: { log_ppe: "Log spending per pupil", state: "State", kfr_p25: "Mobility", unused: "x" },
    });
    expect(labels(table.coefficients)).toEqual(["Log spending per pupil", ""]);
    expect(texts(table.header[1])).toEqual(["Mobility", "Mobility"]);
    expect(table.fit[0]?.label).toBe("State FE");
    expect(texts(table.fit.at(-1))).toEqual(["Clustered (State)", "Two-way clustered (State, year)"]);
  });

  it("rejects unknown terms in keep, drop and order", () => {
    const error = (() => {
      try {
        buildTable(twoModels(), { keep: ["log_pp"] });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(MobilityError);
    expect((error as MobilityError).kind).toBe("usage");
    expect((error as MobilityError).message).toMatch(
      /^keep: no model has a term 'log_pp'; terms are: \(Intercept\)/,
    );
    expect(() => buildTable(twoModels(), { drop: ["x"] })).toThrow(/^drop: /);
    expect(() => buildTable(twoModels(), { order: ["x"] })).toThrow(/^order: /);
  });

  it("merges terms that share a label, unless one model has both", () => {
    const output = twoModels();
    const table = buildTable(output, {
      keep: ["local_share", "region::South"],
      labels: { local_share: "Treatment", "region::South": "Treatment" },
    });
    expect(labels(table.coefficients)).toEqual(["Treatment", ""]);
    expect(texts(table.coefficients[0])).toEqual(["-0.1235**", "-1.2500*"]);
    expect(() => buildTable(output, { labels: { log_ppe: "T", local_share: "T" } })).toThrow(
      "labels: terms 'log_ppe' and 'local_share' of model (1) share the label 'T'",
    );
  });

  it("shows --by groups as a header row", () => {
    const a = { ...fixedEffectModel(), group: { region: "South", decade: 1990 } };
    const b = { ...fixedEffectModel(), group: { region: "West", decade: 2000 } };
    const table = buildTable({ tool: "mobility", version: "0", models: [a, b, clusteredModel()] });
    expect(table.header[2]?.label).toBe("Sample (region, decade)");
    expect(texts(table.header[2])).toEqual(["South, 1990", "West, 2000", "All"]);
  });

  it("leaves NaN statistics empty and never prints -0", () => {
    const model = clusteredModel();
    model.coefficients = [coef("x", -0, Number.NaN, Number.NaN), coef("y", Number.NaN, 1, 0.5)];
    model.adj_r2 = Number.NaN;
    const output: Output = { tool: "mobility", version: "0", models: [model] };
    const table = buildTable(output);
    expect(texts(table.coefficients[0])).toEqual(["0.0000"]);
    expect(texts(table.coefficients[1])).toEqual([""]);
    expect(texts(table.coefficients[2])).toEqual([""]);
    expect(texts(table.coefficients[3])).toEqual(["(1.0000)"]);
    expect(texts(table.fit.find((r) => r.stat === "adj_r2"))).toEqual([""]);
  });
});

describe("describeVcov", () => {
  const base = clusteredModel().vcov;
  it("names every standard-error type", () => {
    expect(describeVcov({ ...base, type: "iid", cluster: [] })).toBe("IID");
    expect(describeVcov({ ...base, type: "hc1", cluster: [] })).toBe("Heteroskedasticity-robust (HC1)");
    expect(describeVcov({ ...base, type: "HC3", cluster: [] })).toBe("Heteroskedasticity-robust (HC3)");
    expect(describeVcov(base)).toBe("Clustered (state)");
    expect(describeVcov({ ...base, cluster: ["firm", "year"] })).toBe("Two-way clustered (firm, year)");
    expect(describeVcov({ ...base, cluster: ["a", "b", "c"] })).toBe("3-way clustered (a, b, c)");
    expect(describeVcov({ ...base, type: "nw", lag: 2 })).toBe("Newey-West (L=2)");
    expect(describeVcov({ ...base, type: "dk", lag: 3 })).toBe("Driscoll-Kraay (L=3)");
    expect(describeVcov({ ...base, type: "conley" })).toBe("conley");
  });
});

describe("notes in the table (issue 14: bookkeeping leaves the short footer; the hardening catalogue: caveats stay)", () => {
  it("sorts the estimation's own note texts", () => {
    // Bookkeeping (texts of src/estimate/frame.ts, src/absorb, src/app/regression.ts, src/vcov, the event study).
    for (const note of [
      "1468 observations removed because of missing values (kfr_black_male_p25: 1468)",
      "12 singleton observations removed (--drop-singletons)",
      'subset "year >= 2000" removed 40 of 100 rows',
      "fixed effects nested in the cluster variable are not counted in the small-sample correction",
      "reference period -1 normalised to zero",
    ]) {
      expect(isCaveatNote(note), note).toBe(false);
      expect(noteInTable(note, "short")).toBe(false);
      expect(noteInTable(note, "full")).toBe(true);
    }
    // Caveats: a number is not what it seems. In every table but --notes none.
    for (const note of [
      "variable 'z' removed because of collinearity",
      "near-collinear regressors 'x' and 'x2': condition number of the pair 1e12",
      "perfect fit: the residuals are zero up to rounding",
      "the multi-way clustered covariance had a negative variance: rebuilt from its eigendecomposition",
      "the standard error of 'x' is not defined (the covariance has no finite, non-negative variance there)",
      "the fixed-effects demeaning did not converge: results are approximate (see --help for tolerances)",
    ]) {
      expect(isCaveatNote(note), note).toBe(true);
      expect(noteInTable(note, "short")).toBe(true);
      expect(noteInTable(note, "none")).toBe(false);
    }
  });
});
