/**
 * `mobility plot <results.json|csv> --out fig.svg|png`: figures from tidy results (README "Plots of estimates").
 *
 *   results.json   the output of `regress --format json` (or a spec's models.json): with `--by` groups, the chosen
 *                  term or combination (--term; e.g. the turning point from --nlcom) along the group (x), one
 *                  series per term or formula; without groups, or with --type coef, a coefficient plot of the
 *                  models side by side (src/report/coefficientPlot.ts).
 *   results.csv    any tidy table with an x column, an estimate and its interval (conf_low/conf_high, or a standard
 *                  error and --level), optionally a series and a reference column.
 */
import { readFileSync } from "node:fs";
import normalQuantile from "@stdlib/stats-base-dists-normal-quantile";
import type { Command } from "commander";
import { readCsv } from "../data/csv.js";
import { stringAt, type Table } from "../data/table.js";
import { dataError, ioError, MobilityError, usageError } from "../errors.js";
import type { Output } from "../model/result.js";
import { parseNumberOption } from "./options.js";

export interface PlotCliOptions {
  type?: string;
  term?: string[];
  x?: string;
  estimate: string;
  low: string;
  high: string;
  se?: string;
  series?: string;
  reference?: string;
  level: string;
  interval: string;
  zeroLine: boolean;
  refLine?: string;
  refLabel?: string;
  title?: string;
  xTitle?: string;
  yTitle?: string;
  seriesTitle?: string;
  caption?: string[];
  labels?: string;
  width?: string;
  height?: string;
  out: string;
}

export function registerPlot(program: Command): void {
  program
    .command("plot")
    .description(
      "plot estimates with intervals from regress JSON or a tidy CSV: by group, or coefficients of models side by side",
    )
    .argument("<results>", "regress --format json output, or a CSV with estimate and interval columns")
    .option("--type <type>", "points, lines or coef (default: points with groups, coef without)")
    .option("--term <term...>", "term(s) or --nlcom/--lincom expression(s) to plot (JSON)")
    .option("--x <column>", "x axis: a --by column (JSON, default: the only one) or a CSV column")
    .option("--estimate <column>", "CSV: estimate column", "estimate")
    .option("--low <column>", "CSV: lower interval end", "conf_low")
    .option("--high <column>", "CSV: upper interval end", "conf_high")
    .option(
      "--se <column>",
      "CSV: standard error column, when there are no interval ends (normal intervals at --level)",
    )
    .option("--series <column>", "CSV: one series per value of this column")
    .option("--reference <column>", "CSV: true/1 marks a reference point (drawn hollow, no interval)")
    .option("--level <p>", "confidence level of the intervals (for the subtitle, and for --se)", "0.95")
    .option("--interval <style>", "errorbar or band", "errorbar")
    .option("--no-zero-line", "no horizontal line at zero")
    .option("--ref-line <y>", "a dashed horizontal line at this value")
    .option("--ref-label <text>", "label of the --ref-line")
    .option("--title <text>", "title")
    .option("--x-title <text>", "x axis title")
    .option("--y-title <text>", "y axis title")
    .option("--series-title <text>", "legend title")
    .option("--caption <line...>", "extra subtitle lines")
    .option("--labels <list>", "display names, e.g. log_ppe=Log spending,local_share=Local share")
    .option("--width <px>", "plot width")
    .option("--height <px>", "plot height")
    .requiredOption("--out <file>", "the figure: .svg or .png")
    .action(async (results: string, opts: PlotCliOptions) => {
      const { figureFormat, writeFigure } = await import("../report/figure.js");
      figureFormat(opts.out, "--out");
      const spec = results.toLowerCase().endsWith(".json")
        ? await jsonSpec(results, opts)
        : await csvSpec(results, opts);
      await writeFigure(spec, opts.out, "--out", (m) => process.stderr.write(`mobility: ${m}\n`));
    });
}

function oneOf<T extends string>(option: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw usageError(`${option}: expected one of ${allowed.join(", ")}, found '${value}'`);
}

function size(option: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 60 || n > 4000)
    throw usageError(`${option}: expected pixels from 60 to 4000, found '${value}'`);
  return n;
}

function labelsOf(text: string | undefined): Record<string, string> {
  if (!text) return {};
  const out: Record<string, string> = {};
  for (const item of text.split(",")) {
    const eq = item.indexOf("=");
    if (eq <= 0) throw usageError(`--labels: expected name=label pairs, found '${item}'`);
    out[item.slice(0, eq).trim()] = item.slice(eq + 1).trim();
  }
  return out;
}

function common(opts: PlotCliOptions) {
  const refLine = opts.refLine === undefined ? null : Number(opts.refLine);
  if (refLine !== null && !Number.isFinite(refLine))
    throw usageError(`--ref-line: expected a number, found '${opts.refLine}'`);
  return {
    ...(opts.title ? { title: opts.title } : {}),
    ...(opts.seriesTitle ? { seriesTitle: opts.seriesTitle } : {}),
    interval: oneOf("--interval", opts.interval, ["errorbar", "band"] as const),
    zeroLine: opts.zeroLine,
    referenceLine: refLine,
    ...(opts.refLabel ? { referenceLabel: opts.refLabel } : {}),
    ...(size("--width", opts.width) ? { width: size("--width", opts.width) as number } : {}),
    ...(size("--height", opts.height) ? { height: size("--height", opts.height) as number } : {}),
  };
}

function percent(level: number): string {
  return `${Math.round(level * 1000) / 10}%`;
}

async function jsonSpec(path: string, opts: PlotCliOptions) {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw ioError(`cannot read ${path}: ${(error as Error).message}`);
  }
  const { parseOutputJson } = await import("../report/json.js");
  let output: Output;
  try {
    output = parseOutputJson(text);
  } catch (error) {
    if (error instanceof MobilityError) throw new MobilityError(error.kind, `${path}: ${error.message}`);
    throw dataError(`${path}: not a mobility results file (regress --format json)`);
  }
  const models = output.models;
  if (models.length === 0) throw dataError(`${path}: no models`);
  const level = parseNumberOption("--level", opts.level, 0, 1);
  const type =
    opts.type === undefined ? undefined : oneOf("--type", opts.type, ["points", "lines", "coef"] as const);
  const { resultsPlotSpec } = await import("../report/resultsPlot.js");
  return resultsPlotSpec(models, {
    ...common(opts),
    ...(type ? { type } : {}),
    ...(opts.term ? { terms: opts.term } : {}),
    ...(opts.x ? { x: opts.x } : {}),
    level,
    labels: labelsOf(opts.labels),
    ...(opts.xTitle ? { xTitle: opts.xTitle } : {}),
    ...(opts.yTitle ? { yTitle: opts.yTitle } : {}),
    ...(opts.caption ? { caption: opts.caption } : {}),
    source: path,
  });
}

async function csvSpec(path: string, opts: PlotCliOptions) {
  if (opts.type === "coef") throw usageError("--type coef needs a regress JSON file");
  if (opts.term) throw usageError("--term applies to regress JSON files; for a CSV name the columns");
  if (!opts.x) throw usageError("plot: name the x column of the CSV with --x");
  const table = await readCsv(path, {
    ...(opts.series ? { types: { [opts.series]: "string" } } : {}),
  });
  const level = parseNumberOption("--level", opts.level, 0, 1);
  const need = (option: string, name: string) => {
    if (!table.has(name))
      throw usageError(`${option}: no column '${name}' in ${path} (columns: ${table.names.join(", ")})`);
    return table.column(name);
  };
  const xCol = need("--x", opts.x);
  const est = numericOf(table, need("--estimate", opts.estimate).name, path);
  let low: Float64Array;
  let high: Float64Array;
  let intervalNote: string;
  if (opts.se) {
    const se = numericOf(table, need("--se", opts.se).name, path);
    const z = normalQuantile(1 - (1 - level) / 2, 0, 1);
    low = est.map((e, i) => e - z * (se[i] as number));
    high = est.map((e, i) => e + z * (se[i] as number));
    intervalNote = `Bars: ${percent(level)} normal intervals, estimate ± ${z.toFixed(2)} × ${opts.se}`;
  } else {
    if (!table.has(opts.low) || !table.has(opts.high)) {
      throw usageError(
        `plot: ${path} has no interval columns '${opts.low}' and '${opts.high}': name them with --low/--high, or give --se`,
      );
    }
    low = numericOf(table, opts.low, path);
    high = numericOf(table, opts.high, path);
    intervalNote = `Bars: ${percent(level)} confidence intervals (${opts.low} to ${opts.high})`;
  }
  const seriesCol = opts.series ? need("--series", opts.series) : null;
  const refCol = opts.reference ? need("--reference", opts.reference) : null;
  const labels = labelsOf(opts.labels);
  const rows = [];
  for (let i = 0; i < table.nrows; i++) {
    const x = xCol.kind === "number" ? (xCol.values[i] as number) : stringAt(xCol, i);
    const e = est[i] as number;
    if (x === undefined || (typeof x === "number" && Number.isNaN(x)) || !Number.isFinite(e)) continue;
    const s = seriesCol
      ? seriesCol.kind === "string"
        ? (stringAt(seriesCol, i) ?? "")
        : String(seriesCol.values[i])
      : "";
    const refRaw = refCol
      ? refCol.kind === "string"
        ? stringAt(refCol, i)
        : String(refCol.values[i])
      : undefined;
    const reference = refRaw !== undefined && /^(true|1|yes)$/i.test(refRaw);
    rows.push({
      x,
      estimate: e,
      low: reference ? e : (low[i] as number),
      high: reference ? e : (high[i] as number),
      series: labels[s] ?? s,
      reference,
    });
  }
  if (rows.length === 0) throw dataError(`${path}: no row with both ${opts.x} and ${opts.estimate}`);
  const { estimatesPlotSpec } = await import("../report/estimatesPlot.js");
  const type = oneOf("--type", opts.type ?? "points", ["points", "lines"] as const);
  return estimatesPlotSpec(rows, {
    ...common(opts),
    xTitle: opts.xTitle ?? opts.x,
    yTitle: opts.yTitle ?? opts.estimate,
    mark: type,
    ...(opts.seriesTitle === undefined && opts.series ? { seriesTitle: opts.series } : {}),
    caption: [intervalNote, ...(opts.caption ?? [])],
  });
}

function numericOf(table: Table, name: string, path: string): Float64Array {
  const c = table.column(name);
  if (c.kind !== "number") throw dataError(`${path}: column '${name}' is text, expected numbers`);
  return c.values;
}
