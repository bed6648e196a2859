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
import { tableToCsv } from "../data/writeCsv.js";
import { usageError } from "../errors.js";
import { FAMILIES } from "../estimate/registry.js";
import { parseExpression, parseFormula } from "../formula/parser.js";
import { BOOT_WEIGHT_TYPES, type BootWeightType } from "../inference/wildBootstrap/index.js";
import type { Output } from "../model/result.js";
import { combinationAndFirstStageRows, firstStageOutput, firstStageRows } from "../report/modelRows.js";
import { renderOutput } from "../report/render.js";
import { writeOutputsAtomic } from "../report/writeAtomic.js";
import { covarianceNames } from "../vcov/registry.js";
import { VERSION } from "../version.js";
import { addFileFormatOptions, addSubsetOption, fileFormatOptionsFrom } from "./fileOptions.js";
import { readerOptionsFrom } from "./ingest.js";
import {
  outputFormatOption,
  parseDigitsOption,
  parseListOption,
  parseNumberOption,
  parseTypesOption,
} from "./options.js";
import { installProgress } from "./progress.js";

function warn(message: string): void {
  process.stderr.write(`mobility: ${message}\n`);
}

interface RegressOptions {
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
  format?: string;
  out?: string;
  by?: string;
  missing?: string;
  types?: string;
  digits?: string;
  reader?: string;
  long?: boolean;
  perPupil?: boolean;
  fipsVintage?: string;
  quiet?: boolean;
  dropSingletons?: boolean;
  firstStage?: boolean;
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
    .option("--format <format>", "text, markdown, latex, csv or json (default: from --out, else text)")
    .option("--out <file>", "write the table to this file (atomically) instead of stdout")
    .option("--digits <n>", "decimals in text, Markdown and LaTeX tables", "4")
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
    .option("--long", "with --reader atlas: reshape kfr_<race>_<gender>_p<pct> into long rows")
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
    .option("--first-stage", "also print the first-stage regressions of IV models as a table")
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
  addSubsetOption(addFileFormatOptions(command)).action(
    async (data: string, formulaArgs: string[], opts: RegressOptions) => {
      installProgress(opts);
      // Output options are checked before any data is read.
      outputFormatOption(opts.format, opts.out);
      parseDigitsOption(opts.digits);
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
        if (opts.reader || opts.fixefOut || opts.by || opts.subset || opts.boot)
          throw usageError(
            `--reader, --by, --subset, --boot and --fixef-out need the memory engine (this run uses ${choice.engine})`,
          );
        if (choice.reason && !opts.quiet) warn(choice.reason);
        const engineRun = await runEngineRegressions(
          regressionRequest(split.formulas, opts),
          engineData,
          choice,
        );
        for (const message of engineRun.warnings) warn(`warning: ${message}`);
        const output: Output = { tool: "mobility", version: VERSION, models: engineRun.models };
        writeOutput(output, opts, []);
        return;
      }
      data = split.paths[0] as string;
      const formulas = split.formulas;
      if (opts.fixefOut !== undefined && opts.out !== undefined && opts.fixefOut === opts.out)
        throw usageError("--fixef-out and --out name the same file");
      const request = regressionRequest(formulas, opts);
      const { table, readerReport } = await readModelData(data, request, {
        reader: opts.reader,
        readerOptions: readerOptionsFrom(opts as unknown as Record<string, unknown>),
        missing: parseListOption(opts.missing),
        types: parseTypesOption(opts.types),
        cache: opts.cache,
        format: fileFormatOptionsFrom(opts as unknown as Record<string, unknown>),
      });
      if (readerReport && !opts.quiet) process.stderr.write(readerReport);
      const run = runRegressions(table, request);
      for (const message of run.warnings) warn(`warning: ${message}`);
      const output: Output = { tool: "mobility", version: VERSION, models: run.models.map((m) => m.result) };
      // --fixef-out and --out are one set of outputs: both are written, or neither (src/io/atomicWrite.ts).
      const outputs: [string, string][] = [];
      if (opts.fixefOut) {
        if (output.models.every((m) => m.fixed_effects.length === 0))
          throw usageError("--fixef-out: no model has fixed effects");
        outputs.push([opts.fixefOut, tableToCsv(fixedEffectsTable(run, "model"))]);
      }
      writeOutput(output, opts, outputs);
    },
  );
}

/**
 * Renders the output in the requested format (and the first stages' table) to --out or stdout; `outputs` are
 * files written with it as one set (all or none).
 */
function writeOutput(output: Output, opts: RegressOptions, outputs: [string, string][]): void {
  const format = outputFormatOption(opts.format, opts.out);
  const digits = parseDigitsOption(opts.digits);
  let rendered = renderOutput(output, format, {
    digits,
    extraRows: combinationAndFirstStageRows(output, digits),
  });
  if (opts.firstStage) {
    const stages = firstStageOutput(output);
    if (stages.models.length === 0) throw usageError("--first-stage: no model is an IV model");
    // JSON always carries the first stages (models[].iv.first_stages); other formats get a second table.
    if (format !== "json") {
      rendered += `\nFirst stages\n${renderOutput(stages, format, { digits, extraRows: firstStageRows(stages, digits) })}`;
    }
  }
  if (opts.out) outputs.push([opts.out, rendered]);
  writeOutputsAtomic(outputs);
  if (!opts.out) process.stdout.write(rendered);
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
export function regressionRequest(formulas: string[], opts: RegressOptions): RegressionRequest {
  const lag = opts.lag === undefined ? undefined : Number(opts.lag);
  if (lag !== undefined && !Number.isInteger(lag))
    throw usageError(`--lag: expected a whole number, found '${opts.lag}'`);
  return {
    formulas: formulas.map(parseFormula),
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
    by: parseListOption(opts.by),
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
  const type = opts.bootType;
  if (type !== undefined && type !== "wcr" && type !== "wcu")
    throw usageError(`--boot-type: expected wcr or wcu, found '${type}'`);
  const weights = opts.bootWeights;
  if (weights !== undefined && !(BOOT_WEIGHT_TYPES as readonly string[]).includes(weights))
    throw usageError(`--boot-weights: expected one of ${BOOT_WEIGHT_TYPES.join(", ")}, found '${weights}'`);
  return {
    reps,
    seed,
    type,
    weights: weights as BootWeightType | undefined,
    cluster: parseListOption(opts.bootCluster),
    terms: parseListOption(opts.bootTerms),
  };
}
