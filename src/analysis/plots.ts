/**
 * The `plots` of a spec, drawn with src/report/plot.ts and src/report/figure.ts (Vega-Lite rendered to SVG; PNG
 * rasterised by resvg):
 *
 *   scatter       y on x, one colour per group; with `bins`, a binned scatter (per group, the rows sorted by x are
 *                 cut into `bins` bins of equal count, the last taking the remainder, and each bin is drawn at the
 *                 mean of x and the mean of y); with `model`, the model's fitted line per group, predicted on 25
 *                 equally spaced x values over the group's plotted range (its rows, or with bins its bin means) with the group column set to the group and any
 *                 other numeric regressor held at its mean over the plotted rows.
 *   event_study   the coefficients of one or more event-study models by relative period with their intervals
 *                 (as `mobility eventstudy --plot`); several models are series of one plot.
 *   map           a choropleth (as `mobility map`); the match report goes into data_report.txt.
 *   binscatter    binsreg's binned scatter (as `mobility binscatter`); its dots are also plots/<name>.csv and a
 *                 table that expectations can read as the list <name>.
 *   coefficients  models' coefficients side by side (a coefficient plot).
 *   estimates     estimates with intervals along x from a table (e.g. a coefficients_table by year).
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Column, Table } from "../data/table.js";
import { numericColumn, stringAt, stringColumn, Table as TableClass } from "../data/table.js";
import { usageError } from "../errors.js";
import { binscatter } from "../estimate/binscatter.js";
import { fitLevels, predict } from "../estimate/predict.js";
import { evaluateNumeric, variablesOf } from "../formula/evaluate.js";
import { parseExpression } from "../formula/parser.js";
import { binscatterCsv, binscatterDotsTable, binscatterPlotSpec } from "../report/binscatterPlot.js";
import { coefficientPlotSpec } from "../report/coefficientPlot.js";
import { estimatesPlotSpec } from "../report/estimatesPlot.js";
import { eventStudyModelsSpec } from "../report/eventStudyPlot.js";
import { renderFigureSvg } from "../report/figure.js";
import {
  commutingZoneLayer,
  countyLayer,
  fileLayer,
  type PolygonLayer,
  stateLayer,
} from "../report/geography.js";
import { choroplethSpec, formatMapReport } from "../report/map.js";
import { type LinePoint, renderSvg, type ScatterPoint, scatterPlotSpec, svgToPng } from "../report/plot.js";
import type { InputFile } from "./data.js";
import type { FittedModel } from "./models.js";
import type { PlotSpec, StepSpec } from "./schema.js";

/** What a plot may read and record while it is drawn. */
export interface PlotContext {
  /** A data table by name. */
  table: (name: string) => Promise<Table>;
  /** The data steps (filter, derive, ...) applied to a table. */
  applySteps: (table: Table, steps: readonly StepSpec[]) => Promise<Table>;
  models: Map<string, FittedModel>;
  /** Directory of the spec (files are relative to it). */
  specDir: string;
  /** Records an input file read by a plot (its sha256 goes into the manifest). */
  addInput: (input: InputFile) => void;
  /** A line for data_report.txt. */
  report: (line: string) => void;
  warn: (message: string) => void;
}

export interface RenderedPlot {
  /** File name -> contents (SVG text, PNG bytes, CSV text). */
  files: Map<string, string | Buffer>;
  /** The plotted values as a table (binscatter dots), or null. */
  table: Table | null;
}

export const GRID_POINTS = 25;

/** Renders one plot. */
export async function renderPlot(name: string, spec: PlotSpec, context: PlotContext): Promise<RenderedPlot> {
  const files = new Map<string, string | Buffer>();
  let table: Table | null = null;
  let svg: string;
  switch (spec.type) {
    case "scatter":
      svg = await renderSvg(await scatterSpec(spec, await context.table(spec.data), context.models));
      break;
    case "event_study":
      svg = await renderSvg(eventStudySpec(spec, context.models));
      break;
    case "map":
      svg = await renderFigureSvg(await mapSpec(name, spec, context));
      break;
    case "binscatter": {
      const data = await context.table(spec.data);
      const result = binscatter(data, {
        y: spec.y,
        x: spec.x,
        ...(spec.controls ? { controls: spec.controls } : {}),
        ...(spec.absorb ? { absorb: spec.absorb } : {}),
        ...(spec.weights ? { weights: spec.weights } : {}),
        ...(spec.cluster ? { cluster: spec.cluster } : {}),
        ...(spec.by ? { by: spec.by } : {}),
        ...(spec.bins !== undefined ? { bins: spec.bins } : {}),
        ci: spec.ci,
        cb: spec.cb,
        ...(spec.polyreg !== undefined ? { polyreg: spec.polyreg } : {}),
        level: spec.level,
        ...(spec.vcov ? { vcov: spec.vcov } : {}),
        nsims: spec.nsims,
        simsgrid: spec.simsgrid,
        seed: spec.seed,
      });
      context.report(`plot ${name}: binned scatter of ${spec.y} on ${spec.x} (${spec.data})`);
      for (const note of result.notes) context.report(`  ${note}`);
      for (const g of result.groups) {
        const where = g.group === null ? "" : `${spec.by} = ${g.group}: `;
        const chosen = g.selection
          ? `IMSE-optimal (direct plug-in ${g.selection.dpi ?? "failed"}, rule of thumb ${g.selection.rotRegularised})`
          : "given";
        context.report(`  ${where}${g.n} observations, ${g.nbins} bins (${chosen})`);
        for (const note of g.notes) context.report(`  ${where}${note}`);
      }
      files.set(`plots/${name}.csv`, binscatterCsv(result));
      table = binscatterDotsTable(result);
      svg = await renderFigureSvg(
        binscatterPlotSpec(result, {
          ...(spec.title ? { title: spec.title } : {}),
          ...(spec.x_title ? { xTitle: spec.x_title } : {}),
          ...(spec.y_title ? { yTitle: spec.y_title } : {}),
          ...(spec.labels ? { labels: spec.labels } : {}),
          ...(spec.caption ? { caption: spec.caption } : {}),
          ...(spec.width ? { width: spec.width } : {}),
          ...(spec.height ? { height: spec.height } : {}),
        }),
      );
      break;
    }
    case "coefficients": {
      const results = spec.models.flatMap((m) => {
        const fitted = context.models.get(m);
        if (fitted === undefined) throw usageError(`models: no model named '${m}'`);
        return fitted.results.map((r, i) => ({
          ...r,
          name:
            fitted.groups.length > 0
              ? `${fitted.spec.title ?? m} (${fitted.groups[i]})`
              : (fitted.spec.title ?? m),
        }));
      });
      if (spec.series !== undefined && spec.series.length !== results.length) {
        throw usageError(`series: ${spec.series.length} names for ${results.length} models`);
      }
      const level = context.models.get(spec.models[0] as string)?.spec.level ?? 0.95;
      svg = await renderFigureSvg(
        coefficientPlotSpec(results, {
          ...(spec.terms ? { terms: spec.terms } : {}),
          ...(spec.labels ? { labels: spec.labels } : {}),
          ...(spec.series ? { modelNames: spec.series } : {}),
          level,
          ...(spec.title ? { title: spec.title } : {}),
          ...(spec.x_title ? { xTitle: spec.x_title } : {}),
          ...(spec.caption ? { caption: spec.caption } : {}),
          ...(spec.width ? { width: spec.width } : {}),
        }),
      );
      break;
    }
    case "estimates":
      svg = await renderFigureSvg(await estimatesSpec(spec, context));
      break;
  }
  for (const format of spec.formats) {
    files.set(`plots/${name}.${format}`, format === "svg" ? svg : svgToPng(svg, context.warn));
  }
  return { files, table };
}

async function mapSpec(name: string, spec: Extract<PlotSpec, { type: "map" }>, context: PlotContext) {
  let layer: PolygonLayer;
  if (spec.polygons) {
    const path = resolve(context.specDir, spec.polygons.file);
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (error) {
      throw usageError(
        `polygons: cannot read ${spec.polygons.file} (${(error as NodeJS.ErrnoException).code})`,
      );
    }
    context.addInput({
      file: spec.polygons.file,
      sha256: createHash("sha256").update(bytes).digest("hex"),
      bytes: bytes.length,
    });
    layer = fileLayer(path, spec.polygons.id_field, spec.polygons.layer);
  } else if (spec.level === "cz") {
    if (!spec.crosswalk) throw usageError("level cz needs a crosswalk: { table, from, to, vintage }");
    const cw = await context.table(spec.crosswalk.table);
    const from = cw.column(spec.crosswalk.from);
    const to = cw.column(spec.crosswalk.to);
    const map = new Map<string, string>();
    for (let i = 0; i < cw.nrows; i++) {
      const county = textAt(from, i);
      const zone = textAt(to, i);
      if (county !== undefined && zone !== undefined) map.set(county.padStart(5, "0"), zone);
    }
    layer = commutingZoneLayer(map, spec.crosswalk.vintage, spec.crosswalk.table);
  } else {
    layer = spec.level === "state" ? stateLayer() : countyLayer();
  }
  const data = await context.table(spec.data);
  const idColumn = data.column(spec.id);
  const { updateCountyFips } = await import("../data/fips.js");
  const ids = Array.from({ length: data.nrows }, (_, i) => {
    const raw = textAt(idColumn, i);
    if (raw === undefined || spec.id_vintage === undefined) return raw;
    try {
      return updateCountyFips(raw, spec.id_vintage, 2017);
    } catch {
      return raw;
    }
  });
  const values = evaluateNumeric(parseExpression(spec.value), data, spec.value).hi;
  const mapData = { ids, values, source: spec.data, idColumn: spec.id, valueLabel: spec.value };
  const { spec: vl, report } = choroplethSpec(layer, mapData, {
    ...(spec.title ? { title: spec.title } : {}),
    ...(spec.legend_title ? { legendTitle: spec.legend_title } : {}),
    ...(spec.caption ? { caption: spec.caption } : {}),
    scale: spec.scale,
    classes: spec.classes,
    ...(spec.palette ? { palette: spec.palette } : {}),
    ...(spec.reverse ? { reverse: true } : {}),
    ...(spec.projection ? { projection: spec.projection } : {}),
    ...(spec.width ? { width: spec.width } : {}),
    ...(spec.height ? { height: spec.height } : {}),
  });
  context.report(`plot ${name}: ${formatMapReport(report, layer, mapData).trimEnd()}`);
  return vl;
}

function textAt(column: Column, i: number): string | undefined {
  if (column.kind === "string") return stringAt(column, i);
  const v = column.values[i] as number;
  return Number.isNaN(v) ? undefined : String(v);
}

async function estimatesSpec(spec: Extract<PlotSpec, { type: "estimates" }>, context: PlotContext) {
  const table = await context.applySteps(await context.table(spec.data), spec.steps);
  const num = (name: string) => table.numeric(name).values;
  const xColumn = table.column(spec.x);
  const estimate = num(spec.estimate);
  const low = num(spec.low);
  const high = num(spec.high);
  const seriesColumn = spec.series ? table.column(spec.series) : null;
  const referenceColumn = spec.reference ? table.column(spec.reference) : null;
  const rows = [];
  for (let i = 0; i < table.nrows; i++) {
    const x = xColumn.kind === "number" ? (xColumn.values[i] as number) : stringAt(xColumn, i);
    if (x === undefined || (typeof x === "number" && Number.isNaN(x)) || Number.isNaN(estimate[i] as number))
      continue;
    const ref = referenceColumn ? textAt(referenceColumn, i) : undefined;
    rows.push({
      x,
      estimate: estimate[i] as number,
      low: low[i] as number,
      high: high[i] as number,
      series: seriesColumn ? (textAt(seriesColumn, i) ?? "") : "",
      reference: ref !== undefined && /^(true|1)$/i.test(ref),
    });
  }
  if (rows.length === 0) throw usageError(`data: no rows with ${spec.x} and ${spec.estimate}`);
  return estimatesPlotSpec(rows, {
    xTitle: spec.x_title ?? spec.x,
    yTitle: spec.y_title ?? spec.estimate,
    ...(spec.title ? { title: spec.title } : {}),
    caption: spec.caption ?? ["Bars: 95% confidence intervals"],
    ...(spec.series_title
      ? { seriesTitle: spec.series_title }
      : spec.series
        ? { seriesTitle: spec.series }
        : {}),
    mark: spec.mark,
    interval: spec.interval,
    zeroLine: spec.zero_line,
    referenceLine: spec.ref_line ?? null,
    ...(spec.ref_label ? { referenceLabel: spec.ref_label } : {}),
    ...(spec.width ? { width: spec.width } : {}),
    ...(spec.height ? { height: spec.height } : {}),
  });
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
