/**
 * Balance tables (`mobility describe --by`): group means, SDs and differences with Welch standard errors against
 * R's t.test (scripts/golden/balance.R, test/golden/balance.json) on the seed 002 Table AI comparison (Chetty et
 * al. 2014 Online Data Table VIII aggregated to states, the 20 sample states against the others).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readCsv } from "../../src/data/csv.js";
import { findFormat } from "../../src/report/formats.js";
import { balance, balanceDocument } from "../../src/report/summaryTable.js";
import { runCli } from "../helpers/cli.js";
import { expectClose } from "../helpers/close.js";

interface Case {
  variable: string;
  n: number[];
  mean: number[];
  sd: number[];
  difference: number;
  std_error: number;
  statistic: number;
  df: number;
  p_value: number;
}
const golden = JSON.parse(readFileSync("test/golden/balance.json", "utf8")) as { cases: Case[] };
const FIXTURE = "fixtures/balance/chetty2014_states.csv";

describe("balance table matches R's t.test (scripts/golden/balance.R)", async () => {
  const table = await readCsv(FIXTURE, { types: { state: "string" } });
  const b = balance(table, { by: "sample", columns: golden.cases.map((c) => c.variable) });

  it("has the groups in sorted order, the first the reference", () => {
    expect(b.groups).toEqual(["in_sample", "other"]);
    expect(b.sizes).toEqual([20, 31]);
  });

  it("agrees on n, means, SDs, and the Welch difference, SE, t, df and p to 1e-10", () => {
    for (const c of golden.cases) {
      const v = b.variables.find((x) => x.variable === c.variable);
      if (v === undefined) throw new Error(`no ${c.variable}`);
      expect(v.groups.map((g) => g.n)).toEqual(c.n);
      expectClose(
        v.groups.map((g) => g.mean),
        c.mean,
        1e-12,
        `${c.variable} mean`,
      );
      expectClose(
        v.groups.map((g) => g.sd),
        c.sd,
        1e-12,
        `${c.variable} sd`,
      );
      const d = v.differences[0];
      expectClose(
        [d?.estimate, d?.std_error, d?.statistic, d?.df, d?.p_value],
        [c.difference, c.std_error, c.statistic, c.df, c.p_value],
        1e-10,
        `${c.variable} difference`,
      );
    }
  });

  it("lays out means over SDs, the difference with stars over its SE, and the group sizes", () => {
    const doc = balanceDocument(table, {
      by: "sample",
      columns: ["population", "gini"],
      labels: { population: "Population (2000)", in_sample: "In sample", other: "Other states" },
    });
    const text = findFormat("text").write(doc);
    const lines = text.split("\n");
    expect(lines[1]).toMatch(/^ +\(1\) In sample +\(2\) Other states +\(1\) - \(2\)$/);
    expect(lines[3]).toMatch(/^Population \(2000\) +9375981\.750 +3029105\.516 +6346876\.234\*\*\*$/);
    expect(lines[4]).toMatch(/^ +\(8307196\.247\) +\(2083399\.804\) +\(1894859\.723\)$/);
    expect(text).toMatch(/\nObservations +20 +31\n/);
    const csv = findFormat("csv").write(doc).split("\n");
    expect(csv[0]).toBe("variable,group,n,mean,sd,difference,std_error,statistic,df,p_value");
    expect(csv[3]).toMatch(/^population,in_sample - other,,,,6346876\.23387/);
  });

  it("refuses a single group and an unknown reference", () => {
    expect(() => balance(table, { by: "sample", reference: "nope" })).toThrow(
      "--reference: no group 'nope' in column 'sample' (groups: in_sample, other)",
    );
    expect(() => balance(table, { by: "state", columns: ["gini"] })).not.toThrow();
  });
});

describe("mobility describe --by (CLI, built dist/)", () => {
  it("writes the balance table as LaTeX", () => {
    const r = runCli([
      "describe",
      FIXTURE,
      "--by",
      "sample",
      "--columns",
      "gini,divorced",
      "--format",
      "latex",
    ]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("\\begin{table}[htbp]");
    expect(r.stdout).toContain(" & (1) in\\_sample & (2) other & (1) - (2) \\\\");
    expect(r.stdout).toMatch(/\ngini & 0\.\d{3} & 0\.\d{3} & /);
  });
});
