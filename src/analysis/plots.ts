/**
 * The `plots` of a spec, drawn with src/report/plot.ts (Vega-Lite rendered to SVG; PNG rasterised by resvg):
 *
 *   scatter       y on x, one colour per group; with `bins`, a binned scatter (per group, the rows sorted by x are
 *                 cut into `bins` bins of equal count, the last taking the remainder, and each bin is drawn at the
 *                 mean of x and the mean of y); with `model`, the model's fitted line per group, predicted on 25
 *                 equally spaced x values over the group's plotted range (its rows, or with bins its bin means) with the group column set to the group and any
 *                 other numeric regressor held at its mean over the plotted rows.
 *   event_study   the coefficients of one or more event-study models by relative period with their intervals
 *                 (as `mobility eventstudy --plot`); several models are series of one plot.
 */
import type { Column, Table } from "../data/table.js";
import { numericColumn, stringAt, stringColumn, Table as TableClass } from "../data/table.js";
import { usageError } from "../errors.js";
import { fitLevels, predict } from "../estimate/predict.js";
import { variablesOf } from "../formula/evaluate.js";
import { eventStudyModelsSpec } from "../report/eventStudyPlot.js";
import { type LinePoint, renderSvg, type ScatterPoint, scatterPlotSpec, svgToPng } from "../report/plot.js";
import type { FittedModel } from "./models.js";
import type { PlotSpec } from "./schema.js";

export const GRID_POINTS = 25;

/** Renders one plot: file name -> contents (SVG text, PNG bytes). */
export async function renderPlot(
  name: string,
  spec: PlotSpec,
  table: (name: string) => Promise<Table>,
  models: Map<string, FittedModel>,
  warn: (message: string) => void,
): Promise<Map<string, string | Buffer>> {
  const vl =
    spec.type === "scatter"
      ? await scatterSpec(spec, await table(spec.data), models)
      : eventStudySpec(spec, models);
  const svg = await renderSvg(vl);
  const files = new Map<string, string | Buffer>();
  for (const format of spec.formats) {
    files.set(`plots/${name}.${format}`, format === "svg" ? svg : svgToPng(svg, warn));
  }
  return files;
}

function labelOf(column: Column, i: number): string | undefined {
  if (column.kind === "number") {
    const v = column.values[i] as number;
    return Number.isNaN(v) ? undefined : String(v);
  }
  return stringAt(column, i);
}

async function scatterSpec(
  spec: Extract<PlotSpec, { type: "scatter" }>,
  data: Table,
  models: Map<string, FittedModel>,
) {
  const x = data.numeric(spec.x).values;
  const y = data.numeric(spec.y).values;
  const groupColumn = spec.group === undefined ? null : data.column(spec.group);
  const display = (g: string) => spec.labels?.[g] ?? g;
  const byGroup = new Map<string, number[]>();
  for (let i = 0; i < data.nrows; i++) {
    const xi = x[i] as number;
    const yi = y[i] as number;
    if (!Number.isFinite(xi) || !Number.isFinite(yi)) continue;
    const g = groupColumn === null ? "" : labelOf(groupColumn, i);
    if (g === undefined) continue;
    let rows = byGroup.get(g);
    if (rows === undefined) {
      rows = [];
      byGroup.set(g, rows);
    }
    rows.push(i);
  }
  const groups = [...byGroup.keys()].sort();
  const points: ScatterPoint[] = [];
  for (const g of groups) {
    const rows = byGroup.get(g) as number[];
    if (spec.bins === undefined) {
      for (const i of rows) points.push({ x: x[i] as number, y: y[i] as number, series: display(g) });
      continue;
    }
    const sorted = [...rows].sort((a, b) => (x[a] as number) - (x[b] as number) || a - b);
    const size = Math.max(1, Math.floor(sorted.length / spec.bins));
    for (let b = 0; b * size < sorted.length && b < spec.bins; b++) {
      const end = b === spec.bins - 1 ? sorted.length : Math.min(sorted.length, (b + 1) * size);
      let sx = 0;
      let sy = 0;
      for (let k = b * size; k < end; k++) {
        sx += x[sorted[k] as number] as number;
        sy += y[sorted[k] as number] as number;
      }
      const m = end - b * size;
      points.push({ x: sx / m, y: sy / m, series: display(g) });
    }
  }

  const lines: LinePoint[] = [];
  if (spec.model !== undefined) {
    const fitted = models.get(spec.model);
    if (fitted === undefined) throw usageError(`model: no model named '${spec.model}'`);
    const formula = fitted.formula;
    if (formula === null || fitted.results.length !== 1 || formula.fixedEffects.length > 0 || formula.iv) {
      throw usageError(
        `model '${spec.model}': fitted lines need one OLS model without by, fixed effects or IV`,
      );
    }
    const result = fitted.results[0] as (typeof fitted.results)[0];
    const used = new Set<string>();
    for (const term of formula.terms) for (const factor of term.factors) variablesOf(factor, used);
    const others = [...used].filter((v) => v !== spec.x && v !== spec.group);
    const levels = fitLevels(
      formula,
      data,
      Int32Array.from({ length: data.nrows }, (_, i) => i),
    );
    for (const g of groups) {
      const rows = byGroup.get(g) as number[];
      let lo = Number.POSITIVE_INFINITY;
      let hi = Number.NEGATIVE_INFINITY;
      // Over the group's plotted x range: its rows, or with bins, its bin means (the tails stay in view).
      const xs =
        spec.bins === undefined
          ? rows.map((i) => x[i] as number)
          : points.filter((p) => p.series === display(g)).map((p) => p.x);
      for (const v of xs) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      const grid = Float64Array.from(
        { length: GRID_POINTS },
        (_, k) => lo + ((hi - lo) * k) / (GRID_POINTS - 1),
      );
      const columns: Column[] = [numericColumn(spec.x, grid)];
      if (spec.group !== undefined) {
        columns.push(
          groupColumn?.kind === "number"
            ? numericColumn(spec.group, new Float64Array(GRID_POINTS).fill(Number(g)))
            : stringColumn(spec.group, new Array(GRID_POINTS).fill(g)),
        );
      }
      for (const v of others) {
        const values = data.numeric(v).values;
        let s = 0;
        let m = 0;
        for (const i of rows) {
          const value = values[i] as number;
          if (Number.isFinite(value)) {
            s += value;
            m++;
          }
        }
        columns.push(numericColumn(v, new Float64Array(GRID_POINTS).fill(s / m)));
      }
      const fit = predict(result, formula, levels, new TableClass(columns, GRID_POINTS, "grid"), 0.95).fit;
      grid.forEach((xv, k) => {
        lines.push({ x: xv, y: fit[k] as number, series: display(g) });
      });
    }
  }
  return scatterPlotSpec(points, lines, {
    xTitle: spec.x_title ?? spec.x,
    yTitle: spec.y_title ?? spec.y,
    ...(spec.title ? { title: spec.title } : {}),
    caption: [
      spec.bins === undefined
        ? `${points.length} points`
        : `Binned scatter: means of ${spec.bins} equal-count bins of ${spec.x} per group`,
      ...(spec.model ? [`Lines: fitted values of model ${spec.model}`] : []),
    ],
    seriesTitle: spec.group ?? "",
    series: groups.map(display),
    pointSize: spec.bins === undefined ? 12 : 36,
    pointOpacity: spec.bins === undefined ? 0.35 : 0.85,
  });
}

function eventStudySpec(spec: Extract<PlotSpec, { type: "event_study" }>, models: Map<string, FittedModel>) {
  const results = spec.models.flatMap((name) => {
    const fitted = models.get(name);
    if (fitted === undefined) throw usageError(`models: no model named '${name}'`);
    if (fitted.spec.estimator !== "event_study") throw usageError(`model '${name}' is not an event study`);
    return fitted.results;
  });
  if (spec.series !== undefined && spec.series.length !== results.length) {
    throw usageError(`series: ${spec.series.length} names for ${results.length} event paths`);
  }
  const level = models.get(spec.models[0] as string)?.spec.level ?? 0.95;
  // eventStudyPlot.ts: one panel per outcome (own title and axis), models as series, group labels.
  return eventStudyModelsSpec(results, level, {
    ...(spec.series
      ? { names: spec.series }
      : results.length > 1
        ? { names: results.map((m) => m.name) }
        : {}),
    ...(spec.group_labels ? { labels: spec.group_labels } : {}),
    ...(spec.title ? { title: spec.title } : {}),
    ...(spec.x_title ? { xTitle: spec.x_title } : {}),
    ...(spec.y_title ? { yTitle: spec.y_title } : {}),
  });
}
