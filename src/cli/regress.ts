/**
 * `mobility regress <data> <formula> [<formula> ...]`: estimate one or more models on a CSV and print one table
 * with a column per model. The data path: header check -> stream only the needed columns -> model frame ->
 * estimator -> covariance -> Result -> renderer.
 */

import type { Command } from "commander";
import type { FixedEffectValuesResult } from "../absorb/fixedEffectValues.js";
import { readCsvHeader } from "../data/csvHeader.js";
import { splitByGroups } from "../data/ops/splitGroups.js";
import { formatReport, getReader } from "../data/readers/index.js";
import { estimationError, MobilityError, usageError } from "../errors.js";
import { buildModelFrame } from "../estimate/frame.js";
import { estimateOls } from "../estimate/ols.js";
import type { ParsedFormula } from "../formula/ast.js";
import { variablesOf } from "../formula/evaluate.js";
import { formulaError } from "../formula/lexer.js";
import { parseFormula } from "../formula/parser.js";
import { modelCombination } from "../inference/combination.js";
import type { ModelResult, Output } from "../model/result.js";
import { renderOutput } from "../report/render.js";
import { writeFileAtomic } from "../report/writeAtomic.js";
import { parseSmallSample } from "../vcov/smallSample.js";
import { parseVcovType } from "../vcov/vcov.js";
import { VERSION } from "../version.js";
import { readerOptionsFrom } from "./ingest.js";
import { outputFormatOption, parseDigitsOption, parseListOption, parseNumberOption } from "./options.js";
import { installProgress } from "./progress.js";
import { type NamedColumns, readNamedColumns } from "./readColumns.js";

function warn(message: string): void {
  process.stderr.write(`mobility: ${message}\n`);
}

interface RegressOptions {
  vcov?: string;
  cluster?: string;
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
  /** Not a CLI flag: lets tests run the golden cases through both solver paths. */
  solver?: "exact" | "fast";
}

export function registerRegress(program: Command): void {
  program
    .command("regress")
    .description("estimate OLS models and print a regression table (one column per formula)")
    .argument("<data>", "CSV file")
    .argument("<formulas...>", 'fixest-style formulas, e.g. "y ~ x1 + x2"')
    .option("--vcov <type>", "iid (default), hc0, hc1 (= hetero, robust), hc2, hc3, cluster")
    .option("--cluster <columns>", "cluster by these columns (comma-separated; two or more = multi-way)")
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
    .option("--first-stage", "also print the first-stage regressions of IV models as a table")
    .option("--drop-singletons", "drop observations in singleton fixed-effect groups (reghdfe's default)")
    .option("--fixef-out <file>", "write the estimated fixed effects (fixest's normalisation) to this CSV")
    .option("--missing <tokens>", "extra tokens meaning missing (besides empty, NA and .)")
    .option("--types <list>", "force column types, e.g. fips:string")
    .option("--quiet", "no progress bar while reading")
    .action(async (data: string, formulas: string[], opts: RegressOptions) => {
      installProgress(opts);
      const fixedEffectRows: FixedEffectRow[] = [];
      // Recovering the fixed effects costs another demeaning pass: only when --fixef-out asks for them.
      const collectFixedEffects = (model: number, values: FixedEffectValuesResult) => {
        for (const fe of values.fixedEffects) {
          fe.values.forEach((value, j) => {
            fixedEffectRows.push({ model, fixedEffect: fe.name, level: fe.levels?.[j] ?? String(j), value });
          });
        }
      };
      const output = await runRegress(data, formulas, opts, opts.fixefOut ? collectFixedEffects : undefined);
      const format = outputFormatOption(opts.format, opts.out);
      const digits = parseDigitsOption(opts.digits);
      let rendered = renderOutput(output, format, { digits, extraRows: extraRowsFor(output, digits) });
      if (opts.firstStage) {
        const stages = firstStageOutput(output);
        if (stages.models.length === 0) throw usageError("--first-stage: no model is an IV model");
        // JSON always carries the first stages (models[].iv.first_stages); other formats get a second table.
        if (format !== "json") {
          rendered += `\nFirst stages\n${renderOutput(stages, format, { digits, extraRows: firstStageRows(stages, digits) })}`;
        }
      }
      if (opts.fixefOut) await writeFileAtomic(opts.fixefOut, fixedEffectsCsv(output, fixedEffectRows));
      if (opts.out) await writeFileAtomic(opts.out, rendered);
      else process.stdout.write(rendered);
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/**
 * Attaches --lincom / --nlcom results to every model that has all the coefficients the expression names; an
 * expression that fits no model is an error.
 */
function addCombinations(models: ModelResult[], opts: RegressOptions, level: number): void {
  const requests = [
    ...(opts.lincom ?? []).map((e) => ["lincom", e] as const),
    ...(opts.nlcom ?? []).map((e) => ["nlcom", e] as const),
  ];
  for (const [kind, expression] of requests) {
    let lastError: unknown = null;
    let used = 0;
    for (const model of models) {
      try {
        const result = modelCombination(kind, expression, model, level);
        model.combinations = [...(model.combinations ?? []), result];
        used++;
      } catch (error) {
        if (!(error instanceof MobilityError && /no coefficient/.test(error.message))) throw error;
        lastError = error;
      }
    }
    if (used === 0 && lastError) throw lastError;
  }
}

/** Rows under the fit statistics: combinations (estimate and standard error) and IV first-stage F statistics. */
function extraRowsFor(output: Output, digits: number): { label: string; cells: string[] }[] {
  const rows: { label: string; cells: string[] }[] = [];
  const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(digits) : "");
  const expressions = [
    ...new Set(
      output.models.flatMap((m) => (m.combinations ?? []).map((c) => `${c.kind}\u0000${c.expression}`)),
    ),
  ];
  for (const key of expressions) {
    const [kind, expression] = key.split("\u0000") as [string, string];
    rows.push({
      label: `${kind}: ${expression}`,
      cells: output.models.map((m) => {
        const c = m.combinations?.find((x) => x.kind === kind && x.expression === expression);
        return c ? `${fmt(c.estimate)} (${fmt(c.std_error)}) [p=${c.p_value.toFixed(3)}]` : "";
      }),
    });
  }
  const endogenous = [...new Set(output.models.flatMap((m) => m.iv?.endogenous ?? []))];
  for (const endo of endogenous) {
    rows.push({
      label: `First-stage F (${endo})`,
      cells: output.models.map((m) => {
        const stage = m.iv?.first_stages.find((f) => f.endogenous === endo);
        return stage ? stage.partial_f.toFixed(2) : "";
      }),
    });
  }
  return rows;
}

/** The first stages of every IV model as models of their own, so that the usual renderers print them. */
function firstStageOutput(output: Output): Output {
  const models: ModelResult[] = [];
  output.models.forEach((model, index) => {
    for (const stage of model.iv?.first_stages ?? []) {
      models.push({
        ...model,
        name: `${stage.endogenous} (${index + 1})`,
        dependent: stage.endogenous,
        estimator: "ols",
        coefficients: stage.coefficients,
        collinear: [],
        vcov_matrix: [],
        // With fixed effects the first stage's R2 is the within R2 (it is computed on demeaned data).
        r2: model.fixed_effects.length > 0 ? Number.NaN : stage.r2,
        adj_r2: Number.NaN,
        within_r2: model.fixed_effects.length > 0 ? stage.r2 : null,
        f_stat: stage.partial_f,
        f_df1: stage.partial_f_df1,
        f_df2: stage.partial_f_df2,
        f_p_value: stage.partial_f_p_value,
        notes: [],
        iv: undefined,
        combinations: undefined,
      });
    }
  });
  return { ...output, models };
}

function firstStageRows(stages: Output, digits: number): { label: string; cells: string[] }[] {
  return [
    {
      label: "F (excluded instruments)",
      cells: stages.models.map(
        (m) =>
          `${(m.f_stat ?? Number.NaN).toFixed(Math.min(digits, 2))} [p=${(m.f_p_value ?? Number.NaN).toFixed(3)}]`,
      ),
    },
  ];
}

interface FixedEffectRow {
  model: number;
  fixedEffect: string;
  level: string;
  value: number;
}

/** Long CSV of estimated fixed effects: model (1-based, as in the table), fixed_effect, level, value. */
function fixedEffectsCsv(output: Output, rows: FixedEffectRow[]): string {
  if (rows.length === 0 && output.models.every((m) => m.fixed_effects.length === 0)) {
    throw usageError("--fixef-out: no model has fixed effects");
  }
  const quote = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = rows.map((r) => `${r.model},${quote(r.fixedEffect)},${quote(r.level)},${r.value}`);
  return `model,fixed_effect,level,value\n${lines.join("\n")}${lines.length > 0 ? "\n" : ""}`;
}

export async function runRegress(
  data: string,
  formulaTexts: string[],
  opts: RegressOptions,
  onFixedEffects?: (model: number, values: FixedEffectValuesResult) => void,
): Promise<Output> {
  const formulas = formulaTexts.map(parseFormula);
  const clusters = parseListOption(opts.cluster) ?? [];
  const by = parseListOption(opts.by) ?? [];
  const vcovType = parseVcovType(opts.vcov, clusters.length > 0);
  const convention = parseSmallSample(opts.ssc);
  const level = parseNumberOption("--level", opts.level, 0, 1);

  // A dataset reader (--reader atlas, f33, ...) reads and normalises the whole file first; a plain CSV is read
  // column by column after checking every name against the header, so that an unknown column points into the
  // formula before any row is read.
  const readerKind = opts.reader ?? "csv";
  const prepared =
    readerKind === "csv"
      ? null
      : await getReader(readerKind)(data, readerOptionsFrom(opts as unknown as Record<string, unknown>));
  if (prepared && !opts.quiet) process.stderr.write(formatReport(prepared.report));
  const header = prepared ? prepared.table.names : await readCsvHeader(data);
  const needed = new Set<string>();
  for (const formula of formulas) {
    for (const name of formulaVariables(formula)) {
      if (!header.includes(name)) throw unknownInFormula(formula, name, data, header);
      needed.add(name);
    }
  }
  const optionColumns: NamedColumns = [
    ["--cluster", clusters],
    ["--by", by],
    ["--weights", opts.weights ? [opts.weights] : []],
  ];
  for (const [option, names] of optionColumns) {
    for (const name of names)
      if (!header.includes(name)) throw usageError(`${option}: no column '${name}' in ${data}`);
  }
  const table = prepared ? prepared.table : await readNamedColumns(data, header, optionColumns, opts, needed);

  const models: ModelResult[] = [];
  const skipped: string[] = [];
  for (const { table: part, group } of splitByGroups(table, by)) {
    for (const formula of formulas) {
      try {
        const frame = buildModelFrame(part, formula, { weights: opts.weights, cluster: clusters });
        models.push(
          estimateOls(frame, {
            vcov: { type: vcovType, convention },
            level,
            group,
            forcePath: opts.solver,
            dropSingletons: opts.dropSingletons ?? false,
            onFixedEffects: onFixedEffects
              ? (values) => onFixedEffects(models.length + 1, values)
              : undefined,
            name: group ? `${frame.response.name} (${Object.values(group).join(", ")})` : undefined,
          }),
        );
      } catch (error) {
        // With --by, a group too small to estimate is skipped with a warning (like Stata's statsby), so one
        // tiny state does not stop fifty others; without --by the error stands.
        if (group === null || !(error instanceof MobilityError) || error.kind !== "estimation") throw error;
        const label = Object.entries(group)
          .map(([k, v]) => `${k}=${v}`)
          .join(", ");
        skipped.push(label);
        warn(`warning: group ${label} skipped: ${error.message}`);
      }
    }
  }
  if (models.length === 0) {
    throw estimationError(`no group could be estimated (${skipped.length} skipped)`);
  }
  addCombinations(models, opts, level);
  return { tool: "mobility", version: VERSION, models };
}

function formulaVariables(formula: ParsedFormula): Set<string> {
  const names = variablesOf(formula.response);
  const terms = [
    ...formula.terms,
    ...(formula.iv ? [...formula.iv.endogenous, ...formula.iv.instruments] : []),
  ];
  for (const term of terms) for (const factor of term.factors) variablesOf(factor, names);
  for (const fe of formula.fixedEffects) for (const v of [...fe.variables, ...fe.slopes]) names.add(v);
  return names;
}

function unknownInFormula(formula: ParsedFormula, name: string, data: string, header: string[]): Error {
  const pattern = new RegExp(
    `(^|[^A-Za-z0-9_.])${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}($|[^A-Za-z0-9_.])`,
  );
  const match = pattern.exec(formula.text);
  const pos = match ? match.index + (match[1] as string).length : 0;
  const lower = name.toLowerCase();
  const close = header
    .filter((h) => h.toLowerCase() === lower || h.toLowerCase().includes(lower))
    .slice(0, 3);
  const hint = close.length > 0 ? ` (did you mean ${close.map((c) => `'${c}'`).join(", ")}?)` : "";
  return formulaError(formula.text, pos, `no column '${name}' in ${data}${hint}`);
}
