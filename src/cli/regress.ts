/**
 * `mobility regress <data> <formula> [<formula> ...]`: estimate one or more models and print one table with a
 * column per model. A thin shell over the application layer (src/app/regression.ts): parse options into a
 * RegressionRequest, read the columns it needs, run, render.
 */

import type { Command } from "commander";
import { readModelData } from "../app/readModelData.js";
import {
  fixedEffectsTable,
  type RegressionRequest,
  type RegressionRun,
  runRegressions,
} from "../app/regression.js";
import { readCsvHeader } from "../data/csvHeader.js";
import { stringColumn } from "../data/table.js";
import { tableToCsv } from "../data/writeCsv.js";
import { usageError } from "../errors.js";
import { FAMILIES } from "../estimate/registry.js";
import { expandFormula } from "../formula/expand.js";
import { parseExpression, parseFormula } from "../formula/parser.js";
import type { ModelResult, Output } from "../model/result.js";
import { findFormat, formatForPath } from "../report/formats.js";
import { combinationRows, parseStages, type Stage, stageColumns } from "../report/modelRows.js";
import { regressionDocument } from "../report/regressionDocument.js";
import { DEFAULT_STARS } from "../report/stars.js";
import { modelNumber } from "../report/table.js";
import { writeFileAtomic } from "../report/writeAtomic.js";
import { covarianceNames } from "../vcov/registry.js";
import { VERSION } from "../version.js";
import { parseListOption, parseNumberOption, parseTypesOption } from "./options.js";
import { installProgress } from "./progress.js";
import { addTableOptions, type TableCliOptions, tableOptionsFrom, writeOptionsFrom } from "./tableOptions.js";

function warn(message: string): void {
  process.stderr.write(`mobility: ${message}\n`);
}

interface RegressOptions extends TableCliOptions {
  family?: string;
  offset?: string;
  vcov?: string;
  cluster?: string;
  panelId?: string;
  lag?: string;
  weights?: string;
  ssc?: string;
  level: string;
  out?: string;
  by?: string;
  split?: string;
  fsplit?: string;
  missing?: string;
  types?: string;
  reader?: string;
  long?: boolean;
  perPupil?: boolean;
  fipsVintage?: string;
  quiet?: boolean;
  dropSingletons?: boolean;
  firstStage?: boolean;
  stages?: string;
  lincom?: string[];
  nlcom?: string[];
  fixefOut?: string;
}

export function registerRegress(program: Command): void {
  const command = program
    .command("regress")
    .description(
      "estimate OLS, fixed-effects, IV and Poisson models and print a regression table (one column per formula)",
    )
    .argument("<data>", "CSV file")
    .argument("<formulas...>", 'fixest-style formulas, e.g. "y ~ x1 + x2"')
    .option("--family <family>", `model family: ${FAMILIES.join(", ")} (default gaussian: least squares)`)
    .option("--offset <expr>", 'offset of a Poisson model, e.g. "log(pop)"')
    .option(
      "--vcov <type>",
      `covariance: ${covarianceNames()} (default iid, or cluster when --cluster is given)`,
    )
    .option("--cluster <columns>", "cluster by these columns (comma-separated; two or more = multi-way)")
    .option("--panel-id <columns>", "unit,time (or time alone for a time series) for --vcov nw and dk")
    .option("--lag <L>", "lag of --vcov nw or dk (default: fixest's rule)")
    .option("--weights <column>", "analytic weights, as lm(weights =)")
    .option(
      "--ssc <convention>",
      "small-sample convention: fixest (default, = stata), per-term, none, reghdfe (Stata's reghdfe: exact redundant FE levels, nested FEs dropped)",
    )
    .option("--level <p>", "confidence level of the intervals", "0.95")
    .option("--by <columns>", "estimate separately for each group of these columns")
    .option("--split <column>", "estimate separately for each value of this column (fixest's split)")
    .option("--fsplit <column>", "the full sample, then each value of this column (fixest's fsplit)")
    .option("--out <file>", "write the table to this file (atomically) instead of stdout")
    .option(
      "--lincom <expr>",
      'linear combination of coefficients, e.g. "b[x] + 10*b[x:pc]" (repeatable)',
      collect,
      [],
    )
    .option(
      "--nlcom <expr>",
      'nonlinear combination (delta method), e.g. "-b[x]/(2*b[I(x^2)])" (repeatable)',
      collect,
      [],
    )
    .option(
      "--reader <kind>",
      "read the file with a dataset reader (atlas, f33, tea, states, ...; default: plain CSV)",
    )
    .option(
      "--long",
      "one row per model (tables of many --by groups); with --reader atlas: the long kfr table",
    )
    .option("--per-pupil", "with --reader f33/states: derive per-pupil measures")
    .option("--fips-vintage <year>", "with --reader f33: bring county codes to this vintage")
    .option(
      "--stages <list>",
      "IV models: columns for these stages, in order: first (one per endogenous regressor), reduced, second",
    )
    .option("--first-stage", "IV models: first stages next to the second stage (= --stages first,second)")
    .option("--drop-singletons", "drop observations in singleton fixed-effect groups (reghdfe's default)")
    .option("--fixef-out <file>", "write the estimated fixed effects (fixest's normalisation) to this CSV")
    .option("--missing <tokens>", "extra tokens meaning missing (besides empty, NA and .)")
    .option("--types <list>", "force column types, e.g. fips:string")
    .option("--quiet", "no progress bar while reading")
    .action(async (data: string, formulas: string[], opts: RegressOptions) => {
      installProgress(opts);
      const format = findFormat(opts.format ?? (opts.out ? formatForPath(opts.out) : "text"));
      const tableOptions = tableOptionsFrom(opts);
      const writeOptions = writeOptionsFrom(opts);
      if (opts.fixefOut !== undefined && opts.out !== undefined && opts.fixefOut === opts.out)
        throw usageError("--fixef-out and --out name the same file");
      const stages: Stage[] | null =
        opts.stages !== undefined ? parseStages(opts.stages) : opts.firstStage ? ["first", "second"] : null;
      // ..("regex") in a formula selects columns by name: read the header first.
      const columns =
        formulas.some((f) => f.includes("..(")) && opts.reader === undefined
          ? await readCsvHeader(data)
          : undefined;
      const request = regressionRequest(formulas, opts, columns);
      request.data = data;
      if (stages?.includes("reduced")) request.reducedForms = true;
      // --long belongs to the atlas reader when a reader is given.
      if (opts.reader !== undefined) delete tableOptions.long;
      const { table, readerReport } = await readModelData(data, request, {
        reader: opts.reader,
        // The dataset readers load only when one is asked for (start-up time of plain CSV regressions).
        readerOptions:
          opts.reader === undefined
            ? undefined
            : (await import("./ingest.js")).readerOptionsFrom(opts as unknown as Record<string, unknown>),
        missing: parseListOption(opts.missing),
        types: parseTypesOption(opts.types),
      });
      if (readerReport && !opts.quiet) process.stderr.write(readerReport);
      const run = runRegressions(table, request);
      for (const message of run.warnings) warn(`warning: ${message}`);
      const output: Output = {
        tool: "mobility",
        version: VERSION,
        models: tableColumns(run, stages, opts.stages !== undefined ? "--stages" : "--first-stage"),
      };
      const digits = tableOptions.digits ?? 4;
      const doc = regressionDocument(output, {
        ...tableOptions,
        extraRows: [
          ...(tableOptions.extraRows ?? []),
          ...combinationRows(output, digits, tableOptions.stars ?? DEFAULT_STARS),
        ],
      });
      await format.prepare?.();
      const rendered = format.write(doc, writeOptions);
      if (opts.fixefOut) {
        if (run.models.every((m) => m.result.fixed_effects.length === 0))
          throw usageError("--fixef-out: no model has fixed effects");
        // Named by input and formula, as every CSV output is, so that files of separate calls concatenate.
        const fe = fixedEffectsTable(run, "model");
        const modelOf = fe.numeric("model").values;
        const named = fe.withColumns([
          stringColumn(
            "formula",
            Array.from(modelOf, (k) => run.models[k - 1]?.result.formula),
          ),
          stringColumn(
            "data",
            Array.from(modelOf, () => data),
          ),
        ]);
        await writeFileAtomic(opts.fixefOut, tableToCsv(named));
      }
      if (opts.out) await writeFileAtomic(opts.out, rendered);
      else process.stdout.write(rendered);
      // Sample notes (rows removed, collinear terms) go to stderr unless the table or the JSON carries them;
      // after the output, so that a failure leaves one error line and nothing else.
      if (!opts.quiet && format.name !== "json" && tableOptions.notes !== "full") {
        output.models.forEach((m, i) => {
          for (const note of m.notes) warn(`note: ${modelNumber(i)} ${note}`);
        });
      }
    });
  addTableOptions(command, { long: false });
}

/** The table's columns: every model, or with `stages` the IV models' stages (first stages, reduced form, 2SLS). */
function tableColumns(run: RegressionRun, stages: Stage[] | null, option: string): ModelResult[] {
  if (stages === null) return run.models.map((m) => m.result);
  if (run.models.every((m) => m.result.iv === undefined))
    throw usageError(`${option}: no model is an IV model`);
  return run.models.flatMap((m) => stageColumns(m.result, stages, m.reduced?.result ?? null));
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** The command line's options as the application layer's request. */
export function regressionRequest(
  formulas: string[],
  opts: RegressOptions,
  columns?: readonly string[],
): RegressionRequest {
  const lag = opts.lag === undefined ? undefined : Number(opts.lag);
  if (lag !== undefined && !Number.isInteger(lag))
    throw usageError(`--lag: expected a whole number, found '${opts.lag}'`);
  return {
    // fixest's multiple estimation: c(y1, y2) ~, sw(), csw(), sw0(), csw0(), ..("regex") (formula/expand.ts).
    formulas: formulas.flatMap((f) => expandFormula(f, columns)).map(parseFormula),
    covariance: {
      vcov: opts.vcov,
      cluster: parseListOption(opts.cluster),
      panelId: parseListOption(opts.panelId),
      lag,
      ssc: opts.ssc,
    },
    weights: opts.weights,
    family: opts.family,
    offset: opts.offset === undefined ? undefined : parseExpression(opts.offset),
    by: splitOption(opts),
    fullSample: opts.fsplit !== undefined,
    level: parseNumberOption("--level", opts.level, 0, 1),
    dropSingletons: opts.dropSingletons ?? false,
    lincom: opts.lincom,
    nlcom: opts.nlcom,
  };
}

/** --by, --split (one column, as --by) and --fsplit (the full sample too): at most one of them. */
function splitOption(opts: RegressOptions): string[] | undefined {
  const given = [opts.by, opts.split, opts.fsplit].filter((v) => v !== undefined);
  if (given.length > 1) throw usageError("--by, --split and --fsplit exclude each other");
  const value = opts.by ?? opts.split ?? opts.fsplit;
  const columns = parseListOption(value);
  if ((opts.split !== undefined || opts.fsplit !== undefined) && (columns?.length ?? 0) !== 1)
    throw usageError(
      `--${opts.split !== undefined ? "split" : "fsplit"}: expected one column, found '${value}'`,
    );
  return columns;
}
