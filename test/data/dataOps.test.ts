/**
 * Row expressions, filters, panel operators, group statistics, distinct, wider and stacking against R
 * (scripts/golden/data_ops.R: R's own evaluation, stats::quantile, duplicated, tidyr::pivot_wider,
 * data.table::rbindlist), on real files.
 */
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readCsv } from "../../src/data/csv.js";
import { deriveColumn, filterRows } from "../../src/data/expression/index.js";
import { distinctRows } from "../../src/data/ops/distinct.js";
import {
  groupIndex,
  groupQuantile,
  quantileSorted,
  quantileSplit,
  standardizeWithin,
  winsorize,
} from "../../src/data/ops/groupStats.js";
import { panelLag } from "../../src/data/ops/panel.js";
import { pivotWider } from "../../src/data/ops/reshape.js";
import { readStack } from "../../src/data/stackFiles.js";
import { type Column, stringAt, type Table } from "../../src/data/table.js";

const golden = JSON.parse(readFileSync("test/golden/data_ops.json", "utf8"));
type Cell = string | null;

/** Exact, or within `ulps` units in the last place (V8's Math.log is not always glibc's correctly rounded log). */
function expectColumn(column: Column, type: string, values: Cell[], where: string, ulps = 0): void {
  expect(column.kind === "number" ? "number" : "text", where).toBe(type);
  values.forEach((want, i) => {
    if (column.kind === "number") {
      const v = column.values[i] as number;
      if (want === null) expect(Number.isNaN(v), `${where} row ${i + 1}: ${v}`).toBe(true);
      else if (ulps === 0) expect(v, `${where} row ${i + 1}`).toBe(Number(want));
      else
        expect(Math.abs(v - Number(want)), `${where} row ${i + 1}`).toBeLessThanOrEqual(
          ulps * Number.EPSILON * Math.max(1, Math.abs(Number(want))),
        );
    } else expect(stringAt(column, i) ?? null, `${where} row ${i + 1}`).toBe(want);
  });
}

const f33 = () => readCsv("fixtures/readers/f33_1995_districts_subset.csv");

describe("row expressions (R evaluates the same text: eval(parse()), dplyr::case_when)", () => {
  for (const cs of golden.expressions) {
    it(`${cs.id}: ${cs.expr}`, async () => {
      const table = await f33();
      const { column } = deriveColumn(table, cs.id, cs.expr);
      expectColumn(column, cs.type, cs.values, cs.id, /log|sqrt/.test(cs.expr) ? 2 : 0);
    });
  }

  it("filter keeps the rows where the condition is TRUE (NA dropped, as dplyr::filter)", async () => {
    const table = await f33();
    for (const cs of golden.filters) {
      const result = filterRows(table, cs.expr);
      const kept = result.table.column("NAME");
      const expected = cs.rows.map((r: number) => stringAt(table.column("NAME") as never, r - 1));
      expect(result.table.nrows, cs.expr).toBe(cs.rows.length);
      expect(
        Array.from({ length: result.table.nrows }, (_, i) => stringAt(kept as never, i)),
        cs.expr,
      ).toEqual(expected);
    }
  });

  it("case_when .default, legacy filter forms, errors pointing at the character (by hand)", async () => {
    const table = await f33();
    const { column } = deriveColumn(table, "ca", "case_when(STABBR == 'CA' ~ 1, .default = 0)");
    const truth = deriveColumn(table, "t", "ifelse(STABBR == 'CA', 1, 0)").column;
    expect(column).toEqual({ ...truth, name: "ca" });
    expect(filterRows(table, "FIPSCO is missing").table.nrows).toBe(
      filterRows(table, "is.na(FIPSCO)").table.nrows,
    );
    expect(filterRows(table, "STABBR in ['CA', 'AK']").table.nrows).toBe(
      filterRows(table, "STABBR %in% c('CA', 'AK')").table.nrows,
    );
    // The old `not in` never kept a missing value; R's !(x %in% ...) would.
    const notIn = filterRows(table, "FIPSCO not in [1]");
    expect(notIn.table.nrows).toBe(filterRows(table, "!is.na(FIPSCO) & FIPSCO != 1").table.nrows);
    expect(() => filterRows(table, "V33 > > 0", "--subset")).toThrow(
      /^--subset: expression "V33 > > 0" at position 7: expected a value, found '>' \(here: "V33 > >>>> 0"\)$/,
    );
    expect(() => filterRows(table, "V3 > 0")).toThrow(/at position 1: no column 'V3' \(did you mean 'V33'/);
    expect(() => filterRows(table, "V33 + 1")).toThrow(/gives numbers, expected a condition/);
    expect(() => filterRows(table, "STABBR == 1 & V33 == 'a'")).toThrow(/compares text .* with a number/);
    expect(() => filterRows(table, "0 < V33 < 10")).toThrow(/a chained comparison/);
    expect(() => deriveColumn(table, "x", "l(V33)")).toThrow(/needs a panel/);
  });
});

describe("panel operators l(), f(), d() with gaps (R: values at (unit, time - k) by key)", () => {
  async function panel(): Promise<Table> {
    const states = await readCsv("fixtures/eventstudy/states_reforms.csv");
    const gaps = golden.panel.gap_states.map((s: string) => `'${s}'`).join(", ");
    return filterRows(states, `!(year %% 7 == 0 & state %in% c(${gaps}))`).table;
  }

  it("states_all panel with rows removed: lags of order 1 and 2, a lead, a difference", async () => {
    const table = await panel();
    expect(table.nrows).toBe(golden.panel.nrows);
    for (const cs of golden.panel.lags) {
      const expr = `${cs.fn}(log(total_revenue / enroll), ${cs.k})`;
      const { column } = deriveColumn(table, cs.id, expr, { panel: { unit: "state", time: "year" } });
      expectColumn(column, "number", cs.values, expr, 2);
    }
  });

  it("biennial panel: fixest's unitary time step is the gcd of the gaps (2), so l(x, 1) is two years back", async () => {
    const table = filterRows(await panel(), "year %% 2 == 0").table;
    expect(table.nrows).toBe(golden.panel_biennial.nrows);
    for (const cs of golden.panel_biennial.lags) {
      const expr = `${cs.fn}(log(total_revenue / enroll), ${cs.k})`;
      const { column } = deriveColumn(table, cs.id, expr, { panel: { unit: "state", time: "year" } });
      expectColumn(column, "number", cs.values, expr, 2);
    }
  });

  it("the kernel panelLag on typed arrays; a duplicated (unit, time) is an error", () => {
    const units = Int32Array.from([0, 0, 0, 1, 1]);
    const time = Float64Array.from([2000, 2001, 2003, 2000, 2001]);
    const x = Float64Array.from([1, 2, 3, 4, 5]);
    expect(Array.from(panelLag(x, units, time, 1))).toEqual([Number.NaN, 1, Number.NaN, Number.NaN, 4]);
    expect(() =>
      panelLag(x, Int32Array.from([0, 0, 0, 1, 1]), Float64Array.from([1, 1, 2, 1, 2]), 1),
    ).toThrow(/two rows for/);
  });
});

describe("group statistics (R: stats::quantile types 1-9, pmin/pmax, findInterval, median, scale)", () => {
  it("quantiles of all nine types at 0.1, 0.5, 0.9 per state", async () => {
    const table = (await (async () => {
      const states = await readCsv("fixtures/eventstudy/states_reforms.csv");
      const gaps = golden.panel.gap_states.map((s: string) => `'${s}'`).join(", ");
      return filterRows(states, `!(year %% 7 == 0 & state %in% c(${gaps}))`).table;
    })()) as Table;
    const state = table.column("state");
    const enroll = table.numeric("enroll").values;
    for (const g of golden.quantiles) {
      const values = Float64Array.from(
        Array.from(enroll).filter((_, i) => state.kind === "string" && stringAt(state, i) === g.state),
      ).sort();
      g.q.forEach((qs: string[], t: number) => {
        golden.quantile_probs ??= [0.1, 0.5, 0.9];
        [0.1, 0.5, 0.9].forEach((p, k) => {
          expect(quantileSorted(values, p, t + 1), `${g.state} type ${t + 1} p ${p}`).toBe(Number(qs[k]));
        });
      });
    }
    const { groups, count } = groupIndex([state], table.nrows);
    const gs = golden.group_stats;
    expectColumn(
      { kind: "number", name: "w", values: winsorize(enroll, groups, count, 0.05, 0.95) },
      "number",
      gs.winsorize_05_95,
      "winsorize",
    );
    expectColumn(
      { kind: "number", name: "s", values: quantileSplit(enroll, groups, count, 4) },
      "number",
      gs.quartile,
      "quartile",
    );
    const years = groupIndex([table.column("year")], table.nrows);
    const revenue = table.numeric("total_revenue").values;
    expectColumn(
      { kind: "number", name: "m", values: groupQuantile(revenue, years.groups, years.count, 0.5) },
      "number",
      gs.median_revenue_by_year,
      "median",
    );
    const z = standardizeWithin(enroll, groups, count);
    gs.standardize.forEach((want: string, i: number) => {
      expect(Math.abs((z[i] as number) - Number(want))).toBeLessThan(1e-13);
    });
  });
});

describe("distinct, wider, stack", () => {
  it("distinct on STABBR, NAME in the F-33 FY1995 file: first, last, none (R: duplicated())", async () => {
    const table = await readCsv("fixtures/f33_1995_districts.csv");
    const d = golden.distinct;
    const first = distinctRows(table, ["STABBR", "NAME"], "first");
    expect(first.table.nrows).toBe(d.keep_first);
    expect(first.report.duplicatedKeys).toBe(d.duplicated_keys);
    expect(distinctRows(table, ["STABBR", "NAME"], "last").table.nrows).toBe(d.keep_last);
    const none = distinctRows(table, ["STABBR", "NAME"], "none");
    expect(none.table.nrows).toBe(d.keep_none);
    expect(none.report.duplicatedRows).toBe(d.removed_none.length);
  });

  it("wider: enrollment by state and year (tidyr::pivot_wider, names_sort = TRUE)", async () => {
    const states = await readCsv("fixtures/eventstudy/states_reforms.csv");
    const wide = pivotWider(states, { id: ["state"], namesFrom: "year", valuesFrom: ["enroll"] });
    expect(wide.names).toEqual(golden.wider.names);
    golden.wider.names.forEach((name: string) => {
      const want = golden.wider.columns[name];
      expectColumn(wide.column(name), want.type, want.values, name);
    });
  });

  const SHARED = "../shared/data/tea_texas";
  if (!existsSync(SHARED))
    process.stdout.write(`dataOps.test: ${SHARED} absent, the stack of the 12 shared TEA files is skipped\n`);
  it.skipIf(!existsSync(SHARED) || golden.stack === undefined)(
    "stack: the 12 TEA district files (data.table::rbindlist(fill = TRUE))",
    async () => {
      const s = golden.stack;
      const result = await readStack({
        files: [`${SHARED}/*_district_*.csv`],
        tag: "year",
        tagPattern: "^(\\d{4})",
      });
      expect(result.files.map((f) => f.split("/").at(-1))).toEqual(s.files);
      expect(result.table.nrows).toBe(s.rows);
      expect(result.table.columns.length).toBe(s.columns + 1);
      expect(result.report.files.map((f) => f.rows)).toEqual(s.rows_per_file);
      expect(result.report.partial.length).toBe(s.partial_columns);
      expect(result.report.partial.slice(0, 10).map((p) => p.column)).toEqual(s.partial_first);
      const year = result.table.numeric("year").values;
      const enroll = result.table.numeric("DPETALLC").values;
      const sums = new Map<number, number>();
      for (let i = 0; i < enroll.length; i++) {
        const v = enroll[i] as number;
        if (v >= 0) sums.set(year[i] as number, (sums.get(year[i] as number) ?? 0) + v);
      }
      expect([...sums.values()]).toEqual(s.enrollment_per_file.map(Number));
    },
    30_000,
  );
});
