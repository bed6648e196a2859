/**
 * `mobility eventstudy <data> --outcome y --unit u --time t --event-time e`: an event study around a unit-level
 * event (README "Event studies"). Reads only the needed columns, estimates through estimate/staggered/
 * eventStudies.ts with one or several estimators (`--estimator twfe|sunab|cs|imputation`, a comma list, or `all`),
 * prints the long event-time table (one estimator) or the side-by-side table (several), or JSON, and optionally
 * writes the plot (one series per group, or per estimator, offset).
 *
 * Command-line contract (scripts depend on it): --estimator, --control never|not-yet, --base-period
 * varying|universal, --covariates "x1 + x2", --cs-method reg|ipw|dr, --anticipation k, --boot B --seed S.
 */
import type { Command } from "commander";
import { prepareWildBootstrap } from "../app/bootstrap.js";
import { readCsvHeader } from "../data/csvHeader.js";
import { columnsOfExpression } from "../data/expression/index.js";
import { usageError } from "../errors.js";
import type {
  EventStudyControl,
  EventStudyEstimator,
  EventStudyWildBootstrap,
} from "../estimate/eventStudy.js";
import type { BasePeriod } from "../estimate/staggered/callawaySantAnna.js";
import type { CsMethod } from "../estimate/staggered/drdid.js";
import { parseNeverTreatedCodes } from "../estimate/staggered/eventPeriods.js";
import {
  ESTIMATOR_NAMES,
  estimateEventStudyModel,
  type StaggeredSpec,
} from "../estimate/staggered/eventStudies.js";
import { variablesOf } from "../formula/evaluate.js";
import { parseFormula } from "../formula/parser.js";
import type { Output } from "../model/result.js";
import { renderEventStudy } from "../report/eventStudyTable.js";
import { renderJson } from "../report/json.js";
import { writeOutputsAtomic } from "../report/writeAtomic.js";
import { findCovarianceType, resolveCovariance } from "../vcov/registry.js";
import { parseSmallSample } from "../vcov/ssc.js";
import { VERSION } from "../version.js";
import { applySubset } from "./fileOptions.js";
import {
  outputFormatOption,
  parseDigitsOption,
  parseListOption,
  parseNumberOption,
  parseWildBootstrapKind,
} from "./options.js";
import { readNamedColumns } from "./readColumns.js";

export interface EventStudyCliOptions {
  subset?: string;
  outcome: string;
  unit: string;
  time: string;
  eventTime: string;
  window?: string;
  ref: string;
  binEndpoints?: boolean;
  controls?: string;
  covariates?: string;
  fe?: string;
  cluster?: string;
  vcov?: string;
  ssc?: string;
  weights?: string;
  byGroup?: string;
  groupRef?: string;
  groupLabels?: string;
  estimator: string;
  method?: string;
  control: string;
  basePeriod: string;
  csMethod: string;
  anticipation: string;
  boot?: string;
  bootType?: string;
  bootWeights?: string;
  seed?: string;
  balanceE?: string;
  pretrends?: string;
  neverTreated?: string;
  lincom?: string[];
  cumulative?: string;
  level: string;
  plot?: string;
  format?: string;
  out?: string;
  digits: string;
  missing?: string;
  types?: string;
}

const ESTIMATORS = ["twfe", "sunab", "cs", "imputation"] as const;

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function registerEventStudy(program: Command): void {
  program
    .command("eventstudy")
    .description(
      "event study around a unit-level event: TWFE, Sun-Abraham, Callaway-Sant'Anna or imputation paths (or all side by side), pre-trend test, aggregates, plot",
    )
    .argument("<data>", "CSV file (a panel: one row per unit and period)")
    .requiredOption("--outcome <expr>", 'outcome column or expression, e.g. y or "log(rev / enroll)"')
    .requiredOption("--unit <column>", "unit identifier (e.g. school)")
    .requiredOption("--time <column>", "period (e.g. year)")
    .requiredOption("--event-time <column>", "each unit's event period; empty for never-treated units")
    .option("--estimator <name>", "twfe, sunab, cs, imputation, a comma list, or all", "twfe")
    .option("--method <name>", "alias of --estimator")
    .option("--window <lo:hi>", "relative periods kept (default: every observed relative period)")
    .option("--ref <k[,k]>", "reference period(s), normalised to zero (twfe, sunab)", "-1")
    .option(
      "--bin-endpoints",
      "put observations beyond the window into its end points instead of removing them",
    )
    .option("--control <rule>", "never (never-treated units) or not-yet (see README)", "never")
    .option(
      "--never-treated <codes>",
      "values of --event-time that mean never treated, e.g. 0 or 0,Inf,never",
    )
    .option("--controls <rhs>", 'twfe/sunab control variables, formula syntax, e.g. "x1 + log(x2)"')
    .option("--covariates <rhs>", 'cs/imputation covariates, formula syntax, e.g. "x1 + x2"')
    .option(
      "--base-period <rule>",
      "cs: varying (short differences before treatment) or universal",
      "varying",
    )
    .option("--cs-method <method>", "cs: dr (doubly robust), ipw or reg", "dr")
    .option("--anticipation <k>", "cs: periods of anticipation before the event", "0")
    .option(
      "--boot <B>",
      "B bootstrap draws: cs a multiplier bootstrap (simultaneous bands); twfe/sunab a wild cluster bootstrap p-value and interval per event coefficient",
    )
    .option("--boot-type <type>", "twfe/sunab wild bootstrap: wcr (restricted, default) or wcu")
    .option(
      "--boot-weights <w>",
      "twfe/sunab wild bootstrap weights: rademacher (default), webb, mammen, normal",
    )
    .option("--seed <S>", "seed of the bootstrap (R's set.seed: the same draws as did)", "1")
    .option("--balance-e <e>", "cs: dynamic aggregation only over cohorts observed e periods after the event")
    .option(
      "--pretrends <list>",
      "imputation: pre-periods of the pre-trend test, e.g. -5:-1 (default: all but the earliest)",
    )
    .option("--fe <terms>", "fixed effects, formula syntax (default: unit + time)")
    .option("--cluster <columns>", "cluster by these columns (default: the unit)")
    .option("--vcov <type>", "twfe/sunab: iid, hc1, or cluster (default cluster)")
    .option("--ssc <convention>", "small-sample convention: fixest (default), per-term, none, reghdfe")
    .option("--weights <column>", "analytic weights (twfe, sunab), sampling weights (cs, imputation)")
    .option(
      "--by-group <column>",
      "one event path per group of treated units (one value per unit), in one regression",
    )
    .option("--group-ref <list>", 'reference period of groups not observed at --ref, e.g. "equity=5"')
    .option("--group-labels <list>", 'display names of groups, e.g. "0=below,1=above"')
    .option(
      "--lincom <expr>",
      'a linear combination of path coefficients, e.g. "b[rel::3] - b[rel::-2]" (repeatable)',
      collect,
    )
    .option("--cumulative <k[,k]>", "cumulative effect from period 0 to k")
    .option("--level <p>", "confidence level of the intervals", "0.95")
    .option("--plot <file>", "write the event-study plot (.svg or .png)")
    .option("--format <format>", "text, markdown, latex, csv or json (default: from --out, else text)")
    .option("--out <file>", "write the table to this file (atomically) instead of stdout")
    .option("--digits <n>", "decimals in text, Markdown and LaTeX tables", "4")
    .option("--missing <tokens>", "extra tokens meaning missing (besides empty, NA and .)")
    .option("--types <list>", "force column types, e.g. school:string")
    .option(
      "--subset <condition>",
      'keep only rows where this R-style condition is TRUE (e.g. "year >= 1995"); rows where it is FALSE or NA are dropped',
    )
    .action(async (data: string, opts: EventStudyCliOptions) => {
      const output = await runEventStudy(data, opts);
      const format = outputFormatOption(opts.format, opts.out);
      const digits = parseDigitsOption(opts.digits);
      const level = parseNumberOption("--level", opts.level, 0, 1);
      const groupLabels = parseGroupLabels(opts.groupLabels);
      const rendered =
        format === "json"
          ? renderJson(output)
          : renderEventStudy(output, format, {
              digits,
              level,
              groupLabels,
              sideBySide: output.models.length > 1,
            });
      // The plot and the table are one set of outputs: both are written, or neither (src/io/atomicWrite.ts).
      const outputs: [string, string | Buffer][] = [];
      if (opts.plot) {
        // Loaded only when plotting: vega and resvg take a while to import.
        const { renderEventStudyPlot } = await import("../report/eventStudyPlot.js");
        outputs.push([
          opts.plot,
          await renderEventStudyPlot(
            output.models,
            opts.plot,
            level,
            (m) => process.stderr.write(`mobility: ${m}\n`),
            groupLabels,
          ),
        ]);
      }
      if (opts.out) outputs.push([opts.out, rendered]);
      writeOutputsAtomic(outputs);
      if (!opts.out) process.stdout.write(rendered);
    });
}

function parseWindow(text: string | undefined): [number, number] | null {
  if (text === undefined) return null;
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

function parseInteger(option: string, text: string, min: number): number {
  const v = Number(text);
  if (!Number.isInteger(v) || v < min)
    throw usageError(`${option}: expected a whole number >= ${min}, found '${text}'`);
  return v;
}

/** "a=1,b=-2" -> { a: [1], b: [-2] }. */
function parseGroupRef(text: string | undefined): Record<string, number[]> | null {
  if (text === undefined) return null;
  const out: Record<string, number[]> = {};
  for (const item of text.split(",")) {
    const m = /^\s*(.+?)\s*=\s*(-?\d+(?:\.\d+)?)\s*$/.exec(item);
    if (!m) throw usageError(`--group-ref: expected group=period pairs such as "equity=5", found '${item}'`);
    out[m[1] as string] = [...(out[m[1] as string] ?? []), Number(m[2])];
  }
  return out;
}

/** "0=below,1=above" -> { "0": "below", "1": "above" }. */
export function parseGroupLabels(text: string | undefined): Record<string, string> {
  if (text === undefined) return {};
  const out: Record<string, string> = {};
  for (const item of text.split(",")) {
    const at = item.indexOf("=");
    if (at <= 0)
      throw usageError(`--group-labels: expected value=label pairs such as "0=below", found '${item}'`);
    out[item.slice(0, at).trim()] = item.slice(at + 1).trim();
  }
  return out;
}

/** "-5:-1" or "-3,-2,-1". */
function parsePeriods(option: string, text: string | undefined): number[] | null {
  if (text === undefined) return null;
  const range = /^\s*(-?\d+)\s*:\s*(-?\d+)\s*$/.exec(text);
  if (range) {
    const lo = Number(range[1]);
    const hi = Number(range[2]);
    if (lo > hi) throw usageError(`${option}: expected lo:hi with lo <= hi, found '${text}'`);
    return Array.from({ length: hi - lo + 1 }, (_, j) => lo + j);
  }
  const values = text.split(",").map((s) => Number(s.trim()));
  if (values.some((v) => !Number.isInteger(v)))
    throw usageError(`${option}: expected periods such as -5:-1 or -3,-2, found '${text}'`);
  return values;
}

export function parseEstimators(text: string): EventStudyEstimator[] {
  if (text.trim() === "all") return [...ESTIMATORS];
  const list = text.split(",").map((s) => s.trim());
  return [
    ...new Set(
      list.map((s) => oneOf<EventStudyEstimator>("--estimator", s, [...ESTIMATORS, "all"] as never)),
    ),
  ];
}

export async function runEventStudy(data: string, opts: EventStudyCliOptions): Promise<Output> {
  const window = parseWindow(opts.window);
  const ref = parseRef(opts.ref);
  const estimators = parseEstimators(opts.method ?? opts.estimator);
  const control = oneOf<EventStudyControl>("--control", opts.control, ["never", "not-yet"]);
  const basePeriod = oneOf<BasePeriod>("--base-period", opts.basePeriod, ["varying", "universal"]);
  const csMethod = oneOf<CsMethod>("--cs-method", opts.csMethod, ["dr", "ipw", "reg"]);
  const anticipation = parseInteger("--anticipation", opts.anticipation, 0);
  const boot = opts.boot === undefined ? null : parseInteger("--boot", opts.boot, 1);
  const seed = parseInteger("--seed", opts.seed ?? "1", Number.MIN_SAFE_INTEGER);
  const balanceE = opts.balanceE === undefined ? null : parseInteger("--balance-e", opts.balanceE, 0);
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
  const neverTreated = parseNeverTreatedCodes(opts.neverTreated);
  const cumulative = parsePeriods("--cumulative", opts.cumulative) ?? [];
  const pretrends = parsePeriods("--pretrends", opts.pretrends);

  // Validate formula pieces on their own so that errors point into what the user wrote.
  const needed = new Set<string>();
  for (const v of variablesOf(parseFormula(`${opts.outcome} ~ 1`).response)) needed.add(v);
  for (const rhs of [opts.controls, opts.covariates]) {
    if (!rhs) continue;
    const f = parseFormula(`y ~ ${rhs}`);
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
    ["--outcome/--controls/--covariates/--fe", [...needed]],
    ["--subset", opts.subset ? columnsOfExpression(opts.subset) : []],
  ];
  const read = await readNamedColumns(data, header, named, opts);
  const table = applySubset(read, opts as unknown as Record<string, unknown>);
  const spec: StaggeredSpec = {
    outcome: opts.outcome,
    unit: opts.unit,
    time: opts.time,
    eventTime: opts.eventTime,
    window,
    ref,
    binEndpoints: opts.binEndpoints ?? false,
    controls: opts.controls ?? null,
    covariates: opts.covariates ?? null,
    fixedEffects: fe,
    cluster,
    vcov: vcovType,
    convention,
    byGroup: opts.byGroup ?? null,
    groupReference: parseGroupRef(opts.groupRef),
    neverTreated,
    control,
    level,
    weights: opts.weights ?? null,
    basePeriod,
    csMethod,
    anticipation,
    boot,
    seed,
    balanceE,
    pretrends,
    aggregates: { lincom: opts.lincom ?? [], cumulative },
    ...(boot === null ? {} : { wildBootstrap: wildBootstrapHook(boot, seed, opts, level) }),
  };
  const models = estimators.map((estimator) => {
    // Side by side with --covariates only: TWFE and Sun-Abraham take them as linear controls.
    const regression = estimator === "twfe" || estimator === "sunab";
    const routed =
      estimators.length > 1 && regression && spec.covariates && !spec.controls
        ? { controls: spec.covariates, covariates: null }
        : estimators.length > 1 && !regression
          ? { controls: null }
          : {};
    const model = estimateEventStudyModel(table, { ...spec, ...routed, estimator });
    return estimators.length > 1 ? { ...model, name: ESTIMATOR_NAMES[estimator] as string } : model;
  });
  return { tool: "mobility", version: VERSION, models };
}

/** twfe/sunab: the wild cluster bootstrap of src/app/bootstrap.ts on the event study's own regression. */
function wildBootstrapHook(
  reps: number,
  seed: number,
  opts: EventStudyCliOptions,
  level: number,
): EventStudyWildBootstrap {
  const { type, weights } = parseWildBootstrapKind(opts.bootType, opts.bootWeights);
  return (fit, covariance, request) =>
    prepareWildBootstrap(fit, covariance, request, { reps, seed, type, weights }, level);
}
