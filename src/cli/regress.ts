/**
 * `mobility regress <data> <formula> [<formula> ...]`: estimate one or more models and print one table with a
 * column per model. A thin shell over the application layer (src/app/regression.ts): parse options into a
 * RegressionRequest, read the columns it needs, run, render.
 */

import type { Command } from "commander";
import type { BootstrapRequest } from "../app/bootstrap.js";
import {
  type EngineData,
  planEngine,
  runEngineRegressions,
  splitDataAndFormulas,
} from "../app/engineRegression.js";
import { readModelData } from "../app/readModelData.js";
import { fixedEffectsTable, type RegressionRequest, runRegressions } from "../app/regression.js";
import { readCsvHeader } from "../data/csvHeader.js";
import { stringColumn } from "../data/table.js";
import { tableToCsv } from "../data/writeCsv.js";
import { usageError } from "../errors.js";
import { FAMILIES } from "../estimate/registry.js";
import { expandFormula } from "../formula/expand.js";
import { parseExpression, parseFormula } from "../formula/parser.js";
import { BOOT_WEIGHT_TYPES } from "../inference/wildBootstrap/index.js";
import type { ModelResult, Output } from "../model/result.js";
import { findFormat, formatForPath } from "../report/formats.js";
import { combinationRows, parseStages, type Stage, stageColumns } from "../report/modelRows.js";
import { regressionDocument } from "../report/regressionDocument.js";
import { DEFAULT_STARS } from "../report/stars.js";
import { modelNumber, noteInTable } from "../report/table.js";
import { writeOutputsAtomic } from "../report/writeAtomic.js";
import { covarianceNames } from "../vcov/registry.js";
import { VERSION } from "../version.js";
import { addFileFormatOptions, addSubsetOption, fileFormatOptionsFrom } from "./fileOptions.js";
import { parseListOption, parseNumberOption, parseTypesOption, parseWildBootstrapKind } from "./options.js";
import { installProgress } from "./progress.js";
import { addTableOptions, type TableCliOptions, tableOptionsFrom, writeOptionsFrom } from "./tableOptions.js";

function warn(message: string): void {
  process.stderr.write(`mobility: ${message}\n`);
}

interface RegressOptions extends TableCliOptions {
  subset?: string;
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
  plot?: string;
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
  boot?: string;
  seed?: string;
  bootType?: string;
  bootWeights?: string;
  bootCluster?: string;
  bootTerms?: string;
  engine?: string;
  table?: string;
  query?: string;
  connection?: string;
  memoryBudget?: string;
  memoryLimit?: string;
  threads?: string;
  cache?: boolean;
}

export function registerRegress(program: Command): void {
  const command = program
    .command("regress")
    .description(
      "estimate OLS, fixed-effects, IV and Poisson models and print a regression table (one column per formula)",
    )
    .argument("<data>", "CSV or Parquet file(s) (a glob, or several files); omitted with --table or --query")
    .argument("[formulas...]", 'fixest-style formulas, e.g. "y ~ x1 + x2"')
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
      "--plot <file>",
      "also write a figure of the estimates (.svg or .png): the models' coefficients side by side, or with --by the term along the groups (mobility plot draws more)",
    )
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
      "--boot <B>",
      "wild cluster bootstrap with B draws: p-values and intervals of the coefficients and lincoms",
    )
    .option("--seed <S>", "seed of the bootstrap draws", "1")
    .option("--boot-type <type>", "wcr (restricted, default) or wcu (unrestricted); for IV: WRE / WRU")
    .option("--boot-weights <weights>", `${BOOT_WEIGHT_TYPES.join(", ")} (default rademacher)`)
    .option("--boot-cluster <columns>", "bootstrap clusters (default: the intersection of --cluster)")
    .option("--boot-terms <terms>", "coefficients to bootstrap (default: all but the intercept)")
    .option(
      "--stages <list>",
      "IV models: columns for these stages, in order: first (one per endogenous regressor), reduced, second",
    )
    .option("--first-stage", "IV models: first stages next to the second stage (= --stages first,second)")
    .option("--drop-singletons", "drop observations in singleton fixed-effect groups (reghdfe's default)")
    .option("--fixef-out <file>", "write the estimated fixed effects (fixest's normalisation) to this CSV")
    .option("--missing <tokens>", "extra tokens meaning missing (besides empty, NA and .)")
    .option("--types <list>", "force column types, e.g. fips:string")
    .option("--quiet", "no progress bar while reading, no progress of long runs")
    .option(
      "--engine <engine>",
      "memory (default), duckdb (embedded, out of core; the default for files beyond the memory budget) or clickhouse",
    )
    .option("--table <name>", "read this table of the database given by --connection (SQL engines)")
    .option("--query <sql>", "read the result of this query (SQL engines)")
    .option("--connection <string>", "DuckDB: a database file; ClickHouse: http://host:port[/database]")
    .option(
      "--memory-budget <size>",
      "files whose estimated in-memory size exceeds this run on DuckDB (default: half the RAM)",
    )
    .option(
      "--memory-limit <size>",
      "DuckDB's memory limit (default 2GB; it spills beyond) or ClickHouse's per query",
    )
    .option("--no-cache", "do not read or write the columnar cache of large CSV files (README, Engines)")
    .option(
      "--threads <n>",
      "DuckDB threads (default: all cores; 1 gives byte-identical sums from run to run)",
    );
  addSubsetOption(addFileFormatOptions(addTableOptions(command, { long: false }))).action(
    async (data: string, formulaArgs: string[], opts: RegressOptions) => {
      installProgress(opts);
      // Output options are checked before any data is read.
      findFormat(opts.format ?? (opts.out ? formatForPath(opts.out) : "text"));
      tableOptionsFrom(opts);
      const stages = stagesOption(opts);
      const split = splitDataAndFormulas(
        [data, ...formulaArgs],
        opts.table !== undefined || opts.query !== undefined,
      );
      if (split.formulas.length === 0) throw usageError('no formula: give one like "y ~ x1 + x2"');
      const engineData: EngineData = {
        paths: split.paths,
        table: opts.table,
        query: opts.query,
        connection: opts.connection,
        engine: opts.engine,
        memoryBudget: opts.memoryBudget,
        memoryLimit: opts.memoryLimit,
        threads: opts.threads === undefined ? undefined : Number(opts.threads),
        missing: parseListOption(opts.missing),
        types: parseTypesOption(opts.types),
        progress: opts.quiet ? undefined : throttledProgress(),
      };
      const choice = planEngine(engineData);
      if (choice.engine !== "memory") {
        if (
          opts.reader ||
          opts.fixefOut ||
          opts.by ||
          opts.split ||
          opts.fsplit ||
          opts.subset ||
          opts.boot ||
          stages?.includes("reduced")
        )
          throw usageError(
            `--reader, --by, --split, --fsplit, --subset, --boot, --stages reduced and --fixef-out need the memory engine (this run uses ${choice.engine})`,
          );
        if (choice.reason && !opts.quiet) warn(choice.reason);
        const engineRun = await runEngineRegressions(
          regressionRequest(split.formulas, opts),
          engineData,
          choice,
        );
        for (const message of engineRun.warnings) warn(`warning: ${message}`);
        // Named by input, as every JSON output is, so that the results of separate calls concatenate.
        const input = split.paths.length > 0 ? split.paths.join(" ") : (opts.table ?? opts.query);
        const models = engineRun.models.map((m) => (input === undefined ? m : { ...m, data: input }));
        const output: Output = {
          tool: "mobility",
          version: VERSION,
          models: tableColumns(
            models.map((result) => ({ result })),
            stages,
            opts,
          ),
        };
        await writeOutput(output, opts, []);
        return;
      }
      data = split.paths[0] as string;
      const formulas = split.formulas;
      if (opts.fixefOut !== undefined && opts.out !== undefined && opts.fixefOut === opts.out)
        throw usageError("--fixef-out and --out name the same file");
      if (opts.plot !== undefined && (opts.plot === opts.out || opts.plot === opts.fixefOut))
        throw usageError("--plot names the same file as --out or --fixef-out");
      // ..("regex") in a formula selects columns by name: read the header first.
      const columns =
        formulas.some((f) => f.includes("..(")) && opts.reader === undefined
          ? await readCsvHeader(data, fileFormatOptionsFrom(opts as unknown as Record<string, unknown>))
          : undefined;
      const request = regressionRequest(formulas, opts, columns);
      request.data = data;
      if (stages?.includes("reduced")) request.reducedForms = true;
      const { table, readerReport } = await readModelData(data, request, {
        reader: opts.reader,
        // The dataset readers load only when one is asked for (start-up time of plain CSV regressions).
        readerOptions:
          opts.reader === undefined
            ? undefined
            : (await import("./ingest.js")).readerOptionsFrom(opts as unknown as Record<string, unknown>),
        missing: parseListOption(opts.missing),
        types: parseTypesOption(opts.types),
        cache: opts.cache,
        format: fileFormatOptionsFrom(opts as unknown as Record<string, unknown>),
      });
      if (readerReport && !opts.quiet) process.stderr.write(readerReport);
      const run = runRegressions(table, request);
      for (const message of run.warnings) warn(`warning: ${message}`);
      const output: Output = {
        tool: "mobility",
        version: VERSION,
        models: tableColumns(run.models, stages, opts),
      };
      // --fixef-out and --out are one set of outputs: both are written, or neither (src/io/atomicWrite.ts).
      const outputs: [string, string | Uint8Array][] = [];
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
        outputs.push([opts.fixefOut, tableToCsv(named)]);
      }
      await writeOutput(output, opts, outputs);
    },
  );
}

/**
 * Renders the output through the report's format registry (src/report/formats.ts) to --out or stdout; `outputs`
 * are files written with it as one set (all or none). Model notes the table does not carry (sample notes under
 * the default --notes short, all under none) then go to stderr unless the output is JSON, which carries them all:
 * after the output, so that a failure leaves one error line.
 */
async function writeOutput(
  output: Output,
  opts: RegressOptions,
  outputs: [string, string | Uint8Array][],
): Promise<void> {
  const format = findFormat(opts.format ?? (opts.out ? formatForPath(opts.out) : "text"));
  const tableOptions = tableOptionsFrom(opts);
  // --long belongs to the atlas reader when a reader is given.
  if (opts.reader !== undefined) delete tableOptions.long;
  const digits = tableOptions.digits ?? 4;
  const doc = regressionDocument(output, {
    ...tableOptions,
    extraRows: [
      ...(tableOptions.extraRows ?? []),
      ...combinationRows(output, digits, tableOptions.stars ?? DEFAULT_STARS),
    ],
  });
  await format.prepare?.();
  const rendered = format.write(doc, writeOptionsFrom(opts));
  if (opts.out) outputs.push([opts.out, rendered]);
  if (opts.plot) outputs.push([opts.plot, await estimatesFigure(output, opts.plot, opts)]);
  writeOutputsAtomic(outputs);
  if (!opts.out) process.stdout.write(rendered);
  if (!opts.quiet && format.name !== "json") {
    output.models.forEach((m, i) => {
      for (const note of m.notes)
        if (!noteInTable(note, tableOptions.notes)) warn(`note: ${modelNumber(i)} ${note}`);
    });
  }
}

/** --stages, or --first-stage (= first,second); null for neither. */
function stagesOption(opts: RegressOptions): Stage[] | null {
  if (opts.stages !== undefined) return parseStages(opts.stages);
  return opts.firstStage ? ["first", "second"] : null;
}

/** The table's columns: every model, or with `stages` the IV models' stages (first stages, reduced form, 2SLS). */
function tableColumns(
  models: readonly { result: ModelResult; reduced?: { result: ModelResult } | null | undefined }[],
  stages: Stage[] | null,
  opts: RegressOptions,
): ModelResult[] {
  if (stages === null) return models.map((m) => m.result);
  const option = opts.stages !== undefined ? "--stages" : "--first-stage";
  if (models.every((m) => m.result.iv === undefined)) throw usageError(`${option}: no model is an IV model`);
  return models.flatMap((m) => stageColumns(m.result, stages, m.reduced?.result ?? null));
}

/** Progress lines on stderr for long runs only: none in the first two seconds, then at most one a second. */
function throttledProgress(): (message: string) => void {
  const started = Date.now();
  let last = 0;
  return (message) => {
    const now = Date.now();
    if (now - started < 2000 || now - last < 1000) return;
    last = now;
    process.stderr.write(`mobility: ${message}\n`);
  };
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
    subset: opts.subset,
    level: parseNumberOption("--level", opts.level, 0, 1),
    dropSingletons: opts.dropSingletons ?? false,
    lincom: opts.lincom,
    nlcom: opts.nlcom,
    bootstrap: bootstrapRequest(opts),
  };
}

function bootstrapRequest(opts: RegressOptions): BootstrapRequest | undefined {
  if (opts.boot === undefined) {
    for (const [flag, value] of [
      ["--boot-type", opts.bootType],
      ["--boot-weights", opts.bootWeights],
      ["--boot-cluster", opts.bootCluster],
      ["--boot-terms", opts.bootTerms],
    ] as const)
      if (value !== undefined) throw usageError(`${flag} needs --boot B`);
    return undefined;
  }
  const reps = Number(opts.boot);
  if (!Number.isInteger(reps) || reps < 1)
    throw usageError(`--boot: expected a whole number of draws, found '${opts.boot}'`);
  const seed = Number(opts.seed ?? "1");
  if (!Number.isInteger(seed)) throw usageError(`--seed: expected a whole number, found '${opts.seed}'`);
  const { type, weights } = parseWildBootstrapKind(opts.bootType, opts.bootWeights);
  return {
    reps,
    seed,
    type,
    weights,
    cluster: parseListOption(opts.bootCluster),
    terms: parseListOption(opts.bootTerms),
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

/**
 * --plot: the figure `mobility plot` draws from this run's JSON (src/report/resultsPlot.ts): coefficients of the
 * models side by side, or with --by groups the term along the groups; written in the same set as --out.
 */
async function estimatesFigure(
  output: Output,
  path: string,
  opts: RegressOptions,
): Promise<string | Uint8Array> {
  const [{ resultsPlotSpec }, { figureFormat, renderFigure }] = await Promise.all([
    import("../report/resultsPlot.js"),
    import("../report/figure.js"),
  ]);
  const spec = resultsPlotSpec(output.models, {
    level: parseNumberOption("--level", opts.level, 0, 1),
    source: "this regression",
  });
  return renderFigure(spec, figureFormat(path, "--plot"), (m) => warn(m));
}
