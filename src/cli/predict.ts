/**
 * `mobility predict <data> "<formula>"`: estimate a model (OLS, fixed effects, IV, Poisson; the options of
 * `regress`) on training rows and predict the others, or a second file: fitted values, standard errors,
 * confidence and prediction intervals, and where the outcome is known residuals with flags for rows above the
 * upper prediction bound (one-sided p-values and Benjamini-Hochberg q-values). A thin shell over src/app/predict.ts.
 */
import type { Command } from "commander";
import { type RowSelection, runPrediction } from "../app/predict.js";
import { readModelData } from "../app/readModelData.js";
import { readCsv } from "../data/csv.js";
import { readCsvHeader } from "../data/csvHeader.js";
import { usageError } from "../errors.js";
import { FAMILIES } from "../estimate/registry.js";
import { parseExpression, parseFormula } from "../formula/parser.js";
import { formulaVariables } from "../formula/variables.js";
import { writeOutputsAtomic } from "../io/atomicWrite.js";
import { findFormat, formatForPath, formatList } from "../report/formats.js";
import { listDocument } from "../report/listTable.js";
import { covarianceNames } from "../vcov/registry.js";
import { VERSION } from "../version.js";
import { parseListOption, parseNumberOption, parseTypesOption } from "./options.js";
import { installProgress } from "./progress.js";

interface PredictOptions {
  family?: string;
  offset?: string;
  vcov?: string;
  cluster?: string;
  weights?: string;
  ssc?: string;
  level: string;
  newdata?: string;
  train?: string;
  test?: string;
  splitColumn?: string;
  randomSplit?: string;
  seed: string;
  columns?: string;
  format?: string;
  out?: string;
  digits: string;
  missing?: string;
  types?: string;
  dropSingletons?: boolean;
  quiet?: boolean;
}

export function registerPredict(program: Command): void {
  program
    .command("predict")
    .description(
      "estimate a model on training rows and predict the others (or --newdata): fit, SE, confidence and prediction intervals, flags above the upper bound",
    )
    .argument("<data>", "CSV file")
    .argument("<formula>", 'fixest-style formula, e.g. "y ~ x | district"')
    .option("--family <family>", `model family: ${FAMILIES.join(", ")} (default gaussian: least squares)`)
    .option("--offset <expr>", 'offset of a Poisson model, e.g. "log(pop)"')
    .option(
      "--vcov <type>",
      `covariance: ${covarianceNames()} (default iid, or cluster when --cluster is given)`,
    )
    .option("--cluster <columns>", "cluster by these columns")
    .option("--weights <column>", "analytic weights")
    .option("--ssc <convention>", "small-sample convention: fixest (default), per-term, none, reghdfe")
    .option("--level <p>", "confidence level of the intervals", "0.95")
    .option(
      "--newdata <file>",
      "predict the rows of this file (the model is estimated on all rows of <data>)",
    )
    .option(
      "--train <condition>",
      'train on the rows where this holds (e.g. "year < 2015"); predict the others',
    )
    .option("--test <condition>", "predict the rows where this holds; train on the others")
    .option("--split-column <column>", "a column marking rows train/test (or 1/0, true/false)")
    .option("--random-split <fraction>", "train on a random fraction of the rows (seeded, see --seed)")
    .option("--seed <n>", "seed of --random-split", "1")
    .option("--columns <list>", "data columns copied into the output (default: those the model reads)")
    .option("--format <format>", `${formatList()} (default: from --out's extension, else csv)`)
    .option("--out <file>", "write to this file (atomically) instead of stdout")
    .option("--digits <n>", "significant digits in text, Markdown and LaTeX", "4")
    .option("--drop-singletons", "drop observations in singleton fixed-effect groups")
    .option("--missing <tokens>", "extra tokens meaning missing")
    .option("--types <list>", "force column types, e.g. fips:string")
    .option("--quiet", "no notes on stderr")
    .action(async (data: string, formulaText: string, opts: PredictOptions) => {
      installProgress(opts);
      const format = findFormat(opts.format ?? (opts.out ? formatForPath(opts.out) : "csv"));
      const formula = parseFormula(formulaText);
      const selection = selectionOf(opts);
      const columns = parseListOption(opts.columns);
      const extra = [
        ...(columns ?? []),
        ...(opts.splitColumn ? [opts.splitColumn] : []),
        ...conditionColumns(opts.train),
        ...conditionColumns(opts.test),
      ];
      const regression = {
        formulas: [formula],
        covariance: { vcov: opts.vcov, cluster: parseListOption(opts.cluster), ssc: opts.ssc },
        weights: opts.weights,
        family: opts.family,
        offset: opts.offset === undefined ? undefined : parseExpression(opts.offset),
        level: parseNumberOption("--level", opts.level, 0, 1),
        dropSingletons: opts.dropSingletons ?? false,
        data,
      };
      const header = await readCsvHeader(data);
      for (const name of extra)
        if (!header.includes(name)) throw usageError(`no column '${name}' in ${data} (named by an option)`);
      const { table: modelTable } = await readModelData(data, regression, {
        missing: parseListOption(opts.missing),
        types: parseTypesOption(opts.types),
      });
      // Columns the options name besides the model's: read them too.
      let table = modelTable;
      const more = [...new Set(extra)].filter((c) => !table.has(c));
      if (more.length > 0) {
        const rest = await readCsv(data, {
          columns: more,
          missing: parseListOption(opts.missing),
          types: parseTypesOption(opts.types),
        });
        table = table.withColumns(rest.columns);
      }
      const newdata =
        opts.newdata === undefined
          ? undefined
          : await readCsv(opts.newdata, {
              missing: parseListOption(opts.missing),
              types: parseTypesOption(opts.types),
            });
      const run = await runPrediction(table, {
        regression,
        selection,
        newdata,
        columns: columns ?? [...formulaVariables(formula)].filter((c) => (newdata ?? table).has(c)),
      });
      if (!opts.quiet) for (const note of run.notes) process.stderr.write(`mobility: note: ${note}\n`);
      const digits = Number(opts.digits);
      const doc = listDocument(run.table, { digits: Number.isInteger(digits) && digits > 0 ? digits : 4 });
      // CSV and JSON name the input and the formula, so that separate calls can be concatenated.
      const rendered =
        format.name === "json"
          ? `${JSON.stringify(
              {
                tool: "mobility",
                version: VERSION,
                data,
                ...(opts.newdata ? { newdata: opts.newdata } : {}),
                formula: formula.text,
                model: run.model.result,
                notes: run.notes,
                predictions: doc.json(),
              },
              (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? null : v),
              2,
            )}\n`
          : format.name === "csv"
            ? findFormat("csv").write(withProvenance(doc, data, formula.text))
            : format.write(doc);
      // Through the one atomic writer (src/io/atomicWrite.ts): the file is complete or untouched.
      if (opts.out) writeOutputsAtomic([[opts.out, rendered]]);
      else process.stdout.write(rendered);
    });
}

/** The CSV records with two constant columns naming the input and the formula. */
function withProvenance(doc: ReturnType<typeof listDocument>, data: string, formula: string) {
  return {
    ...doc,
    records: () => {
      const r = doc.records();
      return {
        columns: [...r.columns, "data", "formula"],
        rows: r.rows.map((row) => [...row, data, formula]),
      };
    },
  };
}

/** Column names a condition mentions (identifiers that are not keywords), to read them with the model's. */
function conditionColumns(condition: string | undefined): string[] {
  if (condition === undefined) return [];
  const stripped = condition.replace(/'[^']*'|"[^"]*"/g, " ");
  const words = stripped.match(/[A-Za-z_.][A-Za-z0-9_.]*/g) ?? [];
  const keywords = new Set(["in", "not", "is", "missing", "and", "or", "log", "exp", "sqrt", "abs", "I"]);
  return words.filter((w) => !keywords.has(w));
}

function selectionOf(opts: PredictOptions): RowSelection {
  const given = [opts.train ?? opts.test, opts.splitColumn, opts.randomSplit, opts.newdata].filter(
    (v) => v !== undefined,
  );
  if (given.length > 1)
    throw usageError("--train/--test, --split-column, --random-split and --newdata exclude each other");
  if (opts.train !== undefined || opts.test !== undefined)
    return {
      kind: "condition",
      ...(opts.train !== undefined ? { train: opts.train } : {}),
      ...(opts.test !== undefined ? { test: opts.test } : {}),
    };
  if (opts.splitColumn !== undefined) return { kind: "column", column: opts.splitColumn };
  if (opts.randomSplit !== undefined) {
    const seed = Number(opts.seed);
    if (!Number.isInteger(seed)) throw usageError(`--seed: expected a whole number, found '${opts.seed}'`);
    return { kind: "random", fraction: parseNumberOption("--random-split", opts.randomSplit, 0, 1), seed };
  }
  return { kind: "all" };
}
