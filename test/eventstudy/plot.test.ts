/**
 * Event-study plots (src/report/eventStudyPlot.ts): no line through missing periods, a reference marker only where
 * the path has one, group labels, one panel per outcome, estimators as offset series, legend below the data.
 * Checked on the Vega-Lite spec (what is drawn) and on the rendered SVG (what a reader sees).
 */
import { describe, expect, it } from "vitest";
import { readCsv } from "../../src/data/csv.js";
import { estimateEventStudy } from "../../src/estimate/eventStudy.js";
import { estimateEventStudyModel } from "../../src/estimate/staggered/eventStudies.js";
import { eventStudyModelsSpec, eventStudyPoints } from "../../src/report/eventStudyPlot.js";
import { renderSvg } from "../../src/report/plot.js";

const full = await readCsv("fixtures/eventstudy/states_reforms_full.csv", { types: { state: "string" } });
const subset = await readCsv("fixtures/eventstudy/states_reforms.csv", { types: { state: "string" } });
const base = {
  outcome: "log(total_revenue / enroll)",
  unit: "state",
  time: "year",
  eventTime: "reform_year",
};

describe("event-study plot", () => {
  it("a path with a missing period is split into two line segments (no line drawn across the gap)", () => {
    const model = estimateEventStudy(subset, { ...base, window: [-3, 6] }).model;
    // Remove period 2 from the path: the line must break there.
    const gapped = { ...model, coefficients: model.coefficients.filter((c) => c.rel_time !== 2) };
    const points = eventStudyPoints(gapped);
    const segmentOf = (rel: number) => points.find((p) => p.x === rel)?.segment;
    expect(segmentOf(1)).toBe(segmentOf(0));
    expect(segmentOf(3)).not.toBe(segmentOf(1));
    expect(segmentOf(4)).toBe(segmentOf(3));
  });

  it("--group-ref paths: 'ref.' only at the periods each group observes; groups named by their labels", async () => {
    const model = estimateEventStudy(full, {
      ...base,
      byGroup: "reform_year",
      groupReference: { "1992": [1], "1993": [0] },
    }).model;
    const points = eventStudyPoints(model, { "1992": "reform of 1992" });
    const refs = points.filter((p) => p.reference).map((p) => [p.series, p.x]);
    expect(refs).toContainEqual(["reform of 1992", 1]);
    expect(refs).not.toContainEqual(["reform of 1992", -1]);
    expect(points.filter((p) => p.series === "reform of 1992").every((p) => p.x >= 1)).toBe(true);
    const svg = await renderSvg(
      eventStudyModelsSpec([model], 0.95, { labels: { "1992": "reform of 1992" } }),
    );
    expect(svg).toContain(">reform of 1992</text>");
  });

  it("estimators of one outcome are series of one panel, offset; the legend sits below the plot", async () => {
    const models = (["twfe", "cs"] as const).map((estimator) =>
      estimateEventStudyModel(subset, { ...base, estimator, window: [-3, 5] }),
    );
    const spec = eventStudyModelsSpec(models, 0.95) as unknown as {
      layer: unknown[];
      config: { legend: { orient: string } };
      data: { values: { series: string; x: number; x_label: number }[] };
    };
    expect(spec.config.legend.orient).toBe("bottom");
    const series = [...new Set(spec.data.values.map((v) => v.series))];
    expect(series).toEqual(["TWFE", "Callaway-Sant'Anna"]);
    const at0 = spec.data.values.filter((v) => v.x_label === 0).map((v) => v.x);
    expect(new Set(at0).size).toBe(2);
    const svg = await renderSvg(spec as never);
    expect(svg).toContain("Event study: log(total_revenue/enroll)");
  });

  it("different outcomes get one panel each, with their own title and y axis", async () => {
    const revenue = estimateEventStudy(subset, { ...base, window: [-3, 5] }).model;
    const enrollment = estimateEventStudy(subset, { ...base, outcome: "log(enroll)", window: [-3, 5] }).model;
    const spec = eventStudyModelsSpec([revenue, enrollment], 0.95) as unknown as { vconcat: unknown[] };
    expect(spec.vconcat).toHaveLength(2);
    const svg = await renderSvg(spec as never);
    expect(svg).toContain("Effect on log(total_revenue/enroll)");
    expect(svg).toContain("Effect on log(enroll)");
    expect(svg).toContain("Event study (TWFE): log(enroll)");
  });
});
