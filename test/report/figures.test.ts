import { readFileSync } from "node:fs";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { beforeAll, describe, expect, it } from "vitest";
import { readCsv } from "../../src/data/csv.js";
import type { Table } from "../../src/data/table.js";
import { type BinscatterResult, binscatter } from "../../src/estimate/binscatter.js";
import { binscatterCsv, binscatterPlotSpec } from "../../src/report/binscatterPlot.js";
import { coefficientPlotSpec } from "../../src/report/coefficientPlot.js";
import { estimatesPlotSpec } from "../../src/report/estimatesPlot.js";
import { decimalFormatter, renderFigure, renderFigureSvg, wrapLines } from "../../src/report/figure.js";
import { parseOutputJson } from "../../src/report/json.js";
import { svgMarks, translateOf } from "./svgMarks.js";

/** The scales of a rendered spec (x, y), to check that each mark sits where its data say. */
async function scalesOf(spec: TopLevelSpec) {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  await view.runAsync();
  const x = view.scale("x") as (v: unknown) => number;
  const y = view.scale("y") as (v: unknown) => number;
  const yOffset = (() => {
    try {
      return view.scale("yOffset") as ((v: unknown) => number) | undefined;
    } catch {
      return undefined;
    }
  })();
  view.finalize();
  return { x, y, yOffset };
}

let counties: Table;
let result: BinscatterResult;
beforeAll(async () => {
  counties = await readCsv("fixtures/atlas_f33_county.csv", { types: { fips: "string", state: "string" } });
  result = binscatter(counties, {
    y: "kfr_pooled_pooled_p25",
    x: "log_ppe",
    controls: "local_share",
    bins: 20,
    ci: true,
    cb: true,
    polyreg: 3,
    nsims: 500,
    simsgrid: 20,
  });
});

describe("binned scatter figure", () => {
  it("puts each dot and interval bar at the scales' position of its data (dots checked against R binsreg)", async () => {
    const spec = binscatterPlotSpec(result, { title: "t" });
    const svg = await renderFigureSvg(spec);
    const { x, y } = await scalesOf(spec);
    const marks = svgMarks(svg);
    const dots = marks.filter((m) => m.label.startsWith("dot: "));
    expect(dots.length).toBe(20);
    const group = result.groups[0];
    for (const d of group?.dots ?? []) {
      const mark = dots.find((m) => m.label.startsWith(`dot: bin ${d.bin},`));
      const [px, py] = translateOf(mark as (typeof dots)[number]);
      expect(px).toBeCloseTo(x(d.x), 2);
      expect(py).toBeCloseTo(y(d.fit), 2);
    }
    const bars = marks.filter((m) => m.label.startsWith("ci: "));
    expect(bars.length).toBe(20);
    const ci = group?.ci?.[4];
    const bar = bars.find((m) => m.label.startsWith("ci: bin 5,"));
    // A vertical rule: <line transform="translate(x, y1)" x2="0" y2="y2 - y1">.
    const [px, py] = translateOf(bar as (typeof bars)[number]);
    expect(bar?.x2).toBe(0);
    expect(px).toBeCloseTo(x(ci?.x), 2);
    const ends = [py, py + (bar?.y2 as number)];
    expect(Math.min(...ends)).toBeCloseTo(y(ci?.high), 2);
    expect(Math.max(...ends)).toBeCloseTo(y(ci?.low), 2);
  }, 20_000);

  it("says what the dots, bars, band and line are", async () => {
    const svg = await renderFigureSvg(binscatterPlotSpec(result));
    expect(svg).toContain("quantile bins of log_ppe");
    expect(svg).toContain("Controls at their means: local_share");
    expect(svg).toContain("95% CIs; band: 95% uniform band (HC1 SEs)");
    expect(svg).toContain("Line: cubic polynomial fit");
    expect(svg).toContain("N = 3,113");
  });

  it("writes the dots as CSV with the interval at the same x", () => {
    const lines = binscatterCsv(result).trim().split("\n");
    expect(lines[0]).toBe("bin,left,right,n,x,fit,ci_fit,ci_low,ci_high");
    expect(lines.length).toBe(21);
    const first = (lines[1] as string).split(",").map(Number);
    const dot = result.groups[0]?.dots[0];
    expect(first.slice(0, 6)).toEqual([1, dot?.left, dot?.right, dot?.n, dot?.x, dot?.fit]);
  });

  it("is byte-identical across runs, SVG and PNG", async () => {
    const spec = binscatterPlotSpec(result);
    const a = await renderFigure(spec, "svg");
    const b = await renderFigure(binscatterPlotSpec(result), "svg");
    expect(a === b).toBe(true);
    const p1 = (await renderFigure(spec, "png")) as Buffer;
    const p2 = (await renderFigure(spec, "png")) as Buffer;
    expect(p1.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(Buffer.compare(p1, p2)).toBe(0);
  }, 20_000);
});

describe("coefficient plot of several models (regress JSON)", () => {
  it("draws each model's estimate of each term at the x scale's position, one row per term", async () => {
    const output = parseOutputJson(readFileSync("examples/spending_race_gender/output/models.json", "utf8"));
    const models = output.models;
    const spec = coefficientPlotSpec(models, { terms: ["ppe_k", "local_share"] });
    const svg = await renderFigureSvg(spec);
    const { x, y, yOffset } = await scalesOf(spec);
    const points = svgMarks(svg).filter((m) => /, (ppe_k|local_share): estimate/.test(m.label));
    // ppe_k in both models, local_share in the second only
    expect(points.length).toBe(3);
    for (const [i, model] of models.entries()) {
      for (const c of model.coefficients.filter((c) => ["ppe_k", "local_share"].includes(c.term))) {
        const mark = points.find((m) => m.label.startsWith(`${model.name}, ${c.term}:`));
        expect(mark, `${model.name} ${c.term}`).toBeDefined();
        const [px, py] = translateOf(mark as (typeof points)[number]);
        expect(px).toBeCloseTo(x(c.estimate), 2);
        // rows by term, models dodged within the row
        const row = y(c.term) + (yOffset ? yOffset(model.name) : 0);
        expect(Math.abs(py - row)).toBeLessThan(30);
        void i;
      }
    }
    expect(svg).toContain("Bars: 95% confidence intervals, clustered (state) SEs");
  }, 20_000);
});

describe("estimates along groups", () => {
  it("places estimates, dodges series and marks the reference point", async () => {
    const rows = [
      { x: 2000, estimate: 0.5, low: 0.4, high: 0.6, series: "a" },
      { x: 2001, estimate: 0.7, low: 0.5, high: 0.9, series: "a" },
      { x: 2000, estimate: 0.2, low: 0.1, high: 0.3, series: "b" },
      { x: 2001, estimate: 0, low: 0, high: 0, series: "b", reference: true },
    ];
    const spec = estimatesPlotSpec(rows, { xTitle: "year", yTitle: "turning point", referenceLine: 0.55 });
    const svg = await renderFigureSvg(spec);
    const { x, y } = await scalesOf(spec);
    const marks = svgMarks(svg);
    const a2001 = marks.find((m) => m.label.startsWith("a, x 2001:"));
    const b2000 = marks.find((m) => m.label.startsWith("b, x 2000:"));
    const [ax, ay] = translateOf(a2001 as NonNullable<typeof a2001>);
    const [bx] = translateOf(b2000 as NonNullable<typeof b2000>);
    expect(ay).toBeCloseTo(y(0.7), 2);
    // two series: a shifted left of the year, b right of it, by 0.18 of the gap / 2 each side
    expect(ax).toBeCloseTo(x(2001 - 0.09), 2);
    expect(bx).toBeCloseTo(x(2000 + 0.09), 2);
    expect(marks.some((m) => m.label.includes("(reference)"))).toBe(true);
    expect(svg).toContain(">ref.<");
  });
});

describe("figure text", () => {
  it("wraps subtitle lines at spaces and formats legend numbers with one decimals count", () => {
    expect(wrapLines(["one two three four"], 9)).toEqual(["one two", "  three", "  four"]);
    expect(["3627.1", "10250.4"].map(Number).map(decimalFormatter([3627.1, 10250.4]))).toEqual([
      "3627",
      "10,250",
    ]);
    expect([0.3012, 0.3349].map(decimalFormatter([0.3012, 0.3349]))).toEqual(["0.30", "0.33"]);
  });
});
