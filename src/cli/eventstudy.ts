/**
 * `mobility eventstudy <data> --outcome y --unit u --time t --event-time e`: an event study around a unit-level
 * event (README "Event studies"). Reads only the needed columns, estimates through estimate/eventStudy.ts,
 * prints the long event-time table (or JSON), and optionally writes the plot.
 */
import type { Command } from "commander";
import { readCsvHeader } from "../data/csvHeader.js";
import { usageError } from "../errors.js";
import {
  type EventStudyControl,
  type EventStudyEstimator,
  estimateEventStudy,
} from "../estimate/eventStudy.js";
import { variablesOf } from "../formula/evaluate.js";
import { parseFormula } from "../formula/parser.js";
import type { Output } from "../model/result.js";
import { renderEventStudy } from "../report/eventStudyTable.js";
import { renderJson } from "../report/json.js";
import { writeOutputsAtomic } from "../report/writeAtomic.js";
import { findCovarianceType, resolveCovariance } from "../vcov/registry.js";
import { parseSmallSample } from "../vcov/ssc.js";
import { VERSION } from "../version.js";
import { outputFormatOption, parseDigitsOption, parseListOption, parseNumberOption } from "./options.js";
import { readNamedColumns } from "./readColumns.js";

export interface EventStudyCliOptions {
  outcome: string;
  unit: string;
  time: string;
  eventTime: string;
  window: string;
  ref: string;
  binEndpoints?: boolean;
  controls?: string;
  fe?: string;
  cluster?: string;
  vcov?: string;
  ssc?: string;
  weights?: string;
  byGroup?: string;
  estimator: string;
  control: string;
  level: string;
  plot?: string;
  format?: string;
  out?: string;
  digits: string;
  missing?: string;
  types?: string;
}

export function registerEventStudy(program: Command): void {
  program
    .command("eventstudy")
    .description("event study around a unit-level event: TWFE or Sun-Abraham paths, pre-trend test, plot")
    .argument("<data>", "CSV file (a panel: one row per unit and period)")
    .requiredOption("--outcome <expr>", 'outcome column or expression, e.g. y or "log(rev / enroll)"')
    .requiredOption("--unit <column>", "unit identifier (e.g. school)")
    .requiredOption("--time <column>", "period (e.g. year)")
    .requiredOption("--event-time <column>", "each unit's event period; empty for never-treated units")
    .option("--window <lo:hi>", "relative periods kept", "-6:15")
    .option("--ref <k[,k]>", "reference period(s), normalised to zero", "-1")
    .option(
      "--bin-endpoints",
      "put observations beyond the window into its end points instead of removing them",
    )
    .option("--controls <rhs>", 'control variables, formula syntax, e.g. "x1 + log(x2)"')
    .option("--fe <terms>", "fixed effects, formula syntax (default: unit + time)")
    .option("--cluster <columns>", "cluster by these columns (default: the unit)")
    .option("--vcov <type>", "iid, hc1, or cluster (default cluster)")
    .option("--ssc <convention>", "small-sample convention: fixest (default), per-term, none, reghdfe")
    .option("--weights <column>", "analytic weights")
    .option(
      "--by-group <column>",
      "one event path per group of treated units (one value per unit), in one regression",
    )
    .option("--estimator <name>", "twfe or sunab (Sun and Abraham 2021)", "twfe")
    .option("--control <rule>", "never (never-treated units) or not-yet (see README)", "never")
    .option("--level <p>", "confidence level of the intervals", "0.95")
    .option("--plot <file>", "write the event-study plot (.svg or .png)")
    .option("--format <format>", "text, markdown, latex, csv or json (default: from --out, else text)")
    .option("--out <file>", "write the table to this file (atomically) instead of stdout")
    .option("--digits <n>", "decimals in text, Markdown and LaTeX tables", "4")
    .option("--missing <tokens>", "extra tokens meaning missing (besides empty, NA and .)")
    .option("--types <list>", "force column types, e.g. school:string")
    .action(async (data: string, opts: EventStudyCliOptions) => {
      const output = await runEventStudy(data, opts);
      const format = outputFormatOption(opts.format, opts.out);
      const digits = parseDigitsOption(opts.digits);
      const level = parseNumberOption("--level", opts.level, 0, 1);
      const rendered =
        format === "json" ? renderJson(output) : renderEventStudy(output, format, { digits, level });
      // The plot and the table are one set of outputs: both are written, or neither (src/io/atomicWrite.ts).
      const outputs: [string, string | Buffer][] = [];
      if (opts.plot) {
        const model = output.models[0];
        if (model) {
          // Loaded only when plotting: vega and resvg take a while to import.
          const { renderEventStudyPlot } = await import("../report/eventStudyPlot.js");
          outputs.push([
            opts.plot,
            await renderEventStudyPlot(model, opts.plot, level, (m) =>
              process.stderr.write(`mobility: ${m}\n`),
            ),
          ]);
        }
      }
      if (opts.out) outputs.push([opts.out, rendered]);
      writeOutputsAtomic(outputs);
      if (!opts.out) process.stdout.write(rendered);
    });
}

function parseWindow(text: string): [number, number] {
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*:\s*(-?\d+(?:\.\d+)?)\s*$/.exec(text);
  if (!m) throw usageError(`--window: expected lo:hi such as -6:15, found '${text}'`);
  const lo = Number(m[1]);
  const hi = Number(m[2]);
  if (!(lo < hi)) throw usageError(`--window: lo must be below hi, found '${text}'`);
  return [lo, hi];
}

function parseRef(text: string): number[] {
  const values = text.split(",").map((s) => Number(s.trim()));
  if (values.length === 0 || values.some((v) => !Number.isFinite(v))) {
    throw usageError(`--ref: expected numbers such as -1 or -1,-6, found '${text}'`);
  }
  return values;
}

function oneOf<T extends string>(option: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw usageError(`${option}: expected one of ${allowed.join(", ")}, found '${value}'`);
}

export async function runEventStudy(data: string, opts: EventStudyCliOptions): Promise<Output> {
  const window = parseWindow(opts.window);
  const ref = parseRef(opts.ref);
  const estimator = oneOf<EventStudyEstimator>("--estimator", opts.estimator, ["twfe", "sunab"]);
  const control = oneOf<EventStudyControl>("--control", opts.control, ["never", "not-yet"]);
  const level = parseNumberOption("--level", opts.level, 0, 1);
  const requestedCluster = parseListOption(opts.cluster);
  // Event studies cluster by the unit unless another covariance is asked for.
  const clustered = opts.vcov === undefined || findCovarianceType(opts.vcov)?.name === "cluster";
  const cluster = clustered ? (requestedCluster ?? [opts.unit]) : [];
  const vcovType = resolveCovariance({
    vcov: opts.vcov,
    cluster: clustered ? cluster : requestedCluster,
  }).type;
  const convention = parseSmallSample(opts.ssc);

  // Validate formula pieces on their own so that errors point into what the user wrote.
  const needed = new Set<string>();
  for (const v of variablesOf(parseFormula(`${opts.outcome} ~ 1`).response)) needed.add(v);
  if (opts.controls) {
    const f = parseFormula(`y ~ ${opts.controls}`);
    for (const term of f.terms) for (const factor of term.factors) variablesOf(factor, needed);
  }
  const fe = opts.fe ?? `${opts.unit} + ${opts.time}`;
  for (const term of parseFormula(`y ~ 1 | ${fe}`).fixedEffects) {
    for (const v of [...term.variables, ...term.slopes]) needed.add(v);
  }
  const header = await readCsvHeader(data);
  const named: [string, string[]][] = [
    ["--unit", [opts.unit]],
    ["--time", [opts.time]],
    ["--event-time", [opts.eventTime]],
    ["--by-group", opts.byGroup ? [opts.byGroup] : []],
    ["--cluster", cluster],
    ["--weights", opts.weights ? [opts.weights] : []],
    ["--outcome/--controls/--fe", [...needed]],
  ];
  const table = await readNamedColumns(data, header, named, opts);
  const fit = estimateEventStudy(table, {
    outcome: opts.outcome,
    unit: opts.unit,
    time: opts.time,
    eventTime: opts.eventTime,
    window,
    ref,
    binEndpoints: opts.binEndpoints ?? false,
    controls: opts.controls ?? null,
    fixedEffects: fe,
    cluster,
    vcov: vcovType,
    convention,
    byGroup: opts.byGroup ?? null,
    estimator,
    control,
    level,
    weights: opts.weights ?? null,
  });
  return { tool: "mobility", version: VERSION, models: [fit.model] };
}
