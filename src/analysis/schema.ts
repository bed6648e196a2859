/**
 * The schema of a spec file (`mobility run analysis.yaml`): a declarative analysis in five parts, each optional
 * except `data` and at least one of `models`/`lists`.
 *
 *   name: short_name                  # used in the manifest and as the default output directory's title
 *   description: free text
 *   data:
 *     sources:  { <name>: { file | files, tag, reader, options, columns, missing, types, sheet, skip,
 *                           value_labels } }                                  files, read once each
 *     tables:   { <name>: { from: <source or table>, steps: [ <step>, ... ] } }
 *   models:     { <name>: { data, formula | event_study, vcov, cluster, ssc, weights, by, level, title, predict,
 *                           coefficients_table, fixef_table } }
 *   counterfactuals: { <name>: { model, data, reference, columns } }      predictions under another group's curve
 *   tables:     { <name>: { models, titles, coefficients, rows, notes, formats, ... } }   paper-style tables
 *   lists:      { <name>: { from, steps, columns, sort, formats } }          row listings (predictions, ...)
 *   plots:      { <name>: { type: scatter | event_study | map | binscatter | coefficients | estimates, ... } }
 *                                                                         SVG (and PNG) figures
 *   expect:     { tolerance, values: [ { model, term, estimate, ... }, ... ] }
 *
 * Every object is strict: an unknown key is an error naming the key and its line (see load.ts). Names of
 * sources, tables, models and lists share one namespace where they can be referred to (`from`, `with`, `data`).
 * Tables a model writes (`coefficients_table`, `fixef_table`, predictions, counterfactuals) are data like any other:
 * a data table may start `from` one, and is then built after that model is estimated (models run in spec order).
 */
import { z } from "zod";
import { READER_KINDS } from "../data/readers/index.js";
import { ReaderOptionsSchema } from "../data/readers/options.js";
import { FAMILIES } from "../estimate/registry.js";
import { FORMAT_NAMES } from "../report/formats.js";
import { STAT_NAMES } from "../report/stats.js";
import { COEF_STATS, type CoefStat, NOTES_MODES, type NotesMode } from "../report/table.js";
import { COVARIANCE_TYPES, findCovarianceType } from "../vcov/registry.js";
import { SMALL_SAMPLE_CONVENTIONS } from "../vcov/ssc.js";

/** A name that can be a file name and a YAML key: letters, digits, `_`, `-`, starting with a letter. */
const Name = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]*$/, "expected a name of letters, digits, '_' or '-' starting with a letter");

/** A list of column names; a single string is accepted as a one-element list. */
const Columns = z
  .union([z.string(), z.array(z.string()).min(1)])
  .transform((v) => (typeof v === "string" ? [v] : v));

// ---------------------------------------------------------------------------------------------------------------
// data
// ---------------------------------------------------------------------------------------------------------------

/** Options passed to a dataset reader (see src/data/readers/*; a reader ignores the options it does not use). */

/** One file of a stacked source, with its tag given explicitly. */
const TaggedFile = z.strictObject({ file: z.string().min(1), tag: z.union([z.string(), z.number()]) });

export const SourceSchema = z
  .strictObject({
    /**
     * Path of the file, relative to the spec file: delimited text, Stata .dta, Excel .xlsx/.xls, Parquet, any of
     * them .gz/.zst-compressed (the format is read from the content, then the name). Its sha256 goes into the
     * manifest.
     */
    file: z.string().min(1).optional(),
    /**
     * Several files stacked into one table (columns aligned by name; the data report lists the columns present in
     * some files only): a glob ("../../data/f33/f*.csv") or a list of paths, globs, or { file, tag } entries.
     */
    files: z.union([z.string().min(1), z.array(z.union([z.string().min(1), TaggedFile])).min(1)]).optional(),
    /**
     * With `files`: the column holding each file's tag, `year` or { name: year, pattern: "f(\\d{4})" } (a regular
     * expression on the file's base name: its `tag` named group, else its first group). Without a pattern or
     * explicit tags, the tag is the base name without extension.
     */
    tag: z
      .union([
        z.string().min(1),
        z.strictObject({ name: z.string().min(1), pattern: z.string().min(1).optional() }),
      ])
      .optional(),
    /** `csv` (generic, types inferred; any file format) or a dataset reader with a checked layout. */
    reader: z.enum(READER_KINDS as [string, ...string[]]).default("csv"),
    options: ReaderOptionsSchema.optional(),
    /** Only these columns (with `files`, a file lacking one has it missing, and the data report says so). */
    columns: z.array(z.string()).min(1).optional(),
    /** csv only: extra tokens that mean missing (always: empty, NA, "."). */
    missing: z.array(z.string()).optional(),
    /** csv only: force column types, e.g. { fips: string }. */
    types: z.record(z.string(), z.enum(["string", "number"])).optional(),
    /** Excel: the sheet, by name or 1-based position (default: the first). */
    sheet: z.union([z.string(), z.number().int().min(1)]).optional(),
    /** Excel: rows to skip before the header row (readxl's skip). */
    skip: z.number().int().min(0).optional(),
    /** Stata: labelled values as text (labels), numbers (codes), or labels where every value has one (auto). */
    value_labels: z.enum(["auto", "labels", "codes"]).optional(),
  })
  .superRefine((source, ctx) => {
    if ((source.file === undefined) === (source.files === undefined)) {
      ctx.addIssue({ code: "custom", path: ["file"], message: "give either file or files" });
    }
    if (source.tag !== undefined && source.files === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["tag"],
        message: "tag applies to files (several files stacked)",
      });
    }
  });
export type SourceSpec = z.infer<typeof SourceSchema>;

/**
 * A derived column: a row expression in R syntax (src/data/expression: arithmetic, comparisons, &, |, !,
 * %in% c(...), ifelse, case_when(cond ~ value, ...), is.na, startsWith, paste0, substr, as.numeric, log, ...;
 * the panel operators l(x, k), f(x, k), d(x, k) after a `panel` step; R's rules for missing values: NA
 * propagates, TRUE/FALSE are 1/0, infinite results are missing), or a group statistic (src/data/ops/groupStats.ts;
 * `within` are the group columns, none for the whole table; `type` R's quantile type, default 7):
 *   { standardize: <expr>, within, weight }     (x - group mean) / group SD (n - 1; weighted if given)
 *   { median: <expr>, within }                  the group median
 *   { quantile: <expr>, p: 0.9, within, type }  the group quantile
 *   { winsorize: <expr>, p: [0.01, 0.99], within, type }   x clamped to the group quantiles
 *   { split: <expr>, quantiles: 2, within, type }          quantile group 1..q (2 = median split: 1 <= median)
 *   { mean | sum | min | max | sd | n: <expr>, within, weight }   group mean (weighted), sum, ..., count of values
 *   { concat: [cols], sep: "_" }                text column joining the values (missing if any is)
 */
const Within = { within: Columns.optional() };
const QuantileType = z.number().int().min(1).max(9).default(7);
export const DeriveSchema = z.union([
  z.string().min(1),
  z.strictObject({ standardize: z.string().min(1), ...Within, weight: z.string().optional() }),
  z.strictObject({ median: z.string().min(1), ...Within, type: QuantileType }),
  z.strictObject({ quantile: z.string().min(1), p: z.number().min(0).max(1), ...Within, type: QuantileType }),
  z.strictObject({
    winsorize: z.string().min(1),
    p: z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]),
    ...Within,
    type: QuantileType,
  }),
  z.strictObject({
    split: z.string().min(1),
    quantiles: z.number().int().min(2).default(2),
    ...Within,
    type: QuantileType,
  }),
  z.strictObject({ mean: z.string().min(1), ...Within, weight: z.string().optional() }),
  z.strictObject({ sum: z.string().min(1), ...Within }),
  z.strictObject({ min: z.string().min(1), ...Within }),
  z.strictObject({ max: z.string().min(1), ...Within }),
  z.strictObject({ sd: z.string().min(1), ...Within }),
  z.strictObject({ n: z.string().min(1), ...Within }),
  z.strictObject({ concat: z.array(z.string()).min(1), sep: z.string().default("_") }),
]);
export type DeriveSpec = z.infer<typeof DeriveSchema>;

export const AggregateSchema = z.strictObject({
  /** Group columns; groups come out sorted by their values. */
  by: Columns,
  /** Sums, `name=column` to rename. */
  sum: z.array(z.string()).optional(),
  /** Means, weighted by `weight` if given. */
  mean: z.array(z.string()).optional(),
  /**
   * Ratios of sums, `name=numerator/denominator` (county per-pupil spending = sum(TOTALEXP)/sum(V33)). With
   * ratios, a row is used only when every ratio has its numerator and a positive denominator, and is then used
   * by every output column alike (sums, means, n); the data report counts the rows left out.
   */
  ratio: z.array(z.string()).optional(),
  weight: z.string().optional(),
  /** Add `n`, the number of rows per group. */
  count: z.boolean().optional(),
});

/**
 * Wide to long. Every column whose name matches `match` (a regular expression with named groups) is one cell;
 * the named groups become key columns, and each entry of `values` gathers, per cell, the column named by its
 * template (`{group}` replaced by the cell's key value). A template naming a column that does not exist gives
 * missing values for that cell.
 */
export const LongerSchema = z.strictObject({
  /** Columns copied onto every output row. */
  id: Columns,
  match: z.string().min(1),
  /** Output value column -> template of its source column, e.g. kfr_se: "kfr_{race}_{gender}_p25_se". */
  values: z.record(z.string(), z.string()),
});

export const MergeSchema = z.strictObject({
  /** The right-hand table: a source or a table defined in data.tables. */
  with: Name,
  on: Columns,
  how: z.enum(["inner", "left", "outer"]).default("inner"),
  /** Key uniqueness to verify: 1:1, m:1 (right unique), 1:m, m:m (no check). Violations stop the run. */
  expect: z.enum(["1:1", "m:1", "1:m", "m:m"]).default("m:m"),
  suffixes: z.tuple([z.string(), z.string()]).optional(),
  /** never (default): a missing key matches nothing; match: a missing key matches a missing key (Stata). */
  missing_keys: z.enum(["never", "match"]).default("never"),
});

/** Long to wide (tidyr::pivot_wider; src/data/ops/reshape.ts pivotWider). */
export const WiderSchema = z.strictObject({
  /** Columns identifying a row (default: all columns not in names_from / values_from). */
  id: Columns.optional(),
  names_from: z.string().min(1),
  values_from: Columns,
  names_prefix: z.string().optional(),
  names_sep: z.string().optional(),
});

/** Declares the panel for l(), f(), d() in later steps: unit and time columns (fixest's panel.id). */
export const PanelSchema = z.strictObject({
  unit: z.string().min(1),
  time: z.string().min(1),
  /** Time step (default: the gcd of the gaps between periods, fixest's "unitary"). */
  step: z.number().positive().optional(),
});

/** De-duplication on key columns (default all), with a report; keep first (default), last or none. */
export const DistinctSchema = z.union([
  z
    .array(z.string())
    .min(1)
    .transform((on) => ({ on, keep: "first" as const })),
  z.strictObject({ on: Columns.optional(), keep: z.enum(["first", "last", "none"]).default("first") }),
]);

/**
 * One step; each is an object with exactly one key:
 *   filter: "ryear > 1990 & !is.na(kfr)" | ["race != 'pooled'", "state %in% c('01', '02')", "ppe > 0"]
 *           (row expressions, all must hold; rows where a condition is FALSE or NA are removed, as
 *           dplyr::filter does; the data report counts them. The older forms `x is missing`,
 *           `x is not missing`, `x in [..]`, `x not in [..]` are still read)
 *   derive: { name: expression | {standardize ...} | {median ...} | ... }   (in order; later ones see earlier ones)
 *   panel: { unit, time, step }   declares the panel for l(), f(), d() in the steps after it
 *   aggregate: { by, sum, mean, ratio, weight, count }
 *   longer: { id, match, values }     wide to long
 *   wider: { id, names_from, values_from, names_prefix, names_sep }   long to wide
 *   distinct: [columns] | { on, keep: first | last | none }   de-duplication, reported
 *   merge: { with, on, how, expect, suffixes, missing_keys }   (the match report goes into data_report.txt)
 *   select: [columns]          keep these columns, in this order
 *   drop: [columns]            remove these columns
 *   rename: { old: new }
 */
export const STEP_NAMES = [
  "filter",
  "derive",
  "panel",
  "aggregate",
  "longer",
  "wider",
  "distinct",
  "merge",
  "select",
  "drop",
  "rename",
] as const;

export const StepSchema = z.union([
  z.strictObject({ filter: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]) }),
  z.strictObject({ derive: z.record(z.string(), DeriveSchema) }),
  z.strictObject({ panel: PanelSchema }),
  z.strictObject({ aggregate: AggregateSchema }),
  z.strictObject({ longer: LongerSchema }),
  z.strictObject({ wider: WiderSchema }),
  z.strictObject({ distinct: DistinctSchema }),
  z.strictObject({ merge: MergeSchema }),
  z.strictObject({ select: z.array(z.string()).min(1) }),
  z.strictObject({ drop: z.array(z.string()).min(1) }),
  z.strictObject({ rename: z.record(z.string(), z.string()) }),
]);
export type StepSpec = z.infer<typeof StepSchema>;

export const TableStepsSchema = z.strictObject({
  /** A source or another table. */
  from: Name,
  steps: z.array(StepSchema).default([]),
});

export const DataSchema = z.strictObject({
  sources: z.record(Name, SourceSchema),
  tables: z.record(Name, TableStepsSchema).default({}),
});

// ---------------------------------------------------------------------------------------------------------------
// models
// ---------------------------------------------------------------------------------------------------------------

/** A covariance type or alias of the registry (src/vcov/registry.ts). */
const CovarianceName = z.string().superRefine((name, ctx) => {
  if (findCovarianceType(name) === undefined)
    ctx.addIssue({
      code: "custom",
      message: `expected one of ${COVARIANCE_TYPES.map((t) => t.name).join(", ")} (or an alias), found '${name}'`,
    });
});

/**
 * Predictions for new rows from a fitted model: fitted values with confidence and prediction intervals (see
 * src/estimate/predict.ts), as a table named `name` that lists can read.
 */
export const PredictSchema = z.strictObject({
  /** The table to predict for (default: the model's data, all its rows). */
  data: Name.optional(),
  /** Name of the prediction table (default: <model>_predictions). */
  name: Name.optional(),
  /** Interval level (default: the model's level). */
  level: z.number().gt(0).lt(1).optional(),
  /** Columns of the data copied into the prediction table (default: all). */
  columns: z.array(z.string()).optional(),
  /**
   * Rows whose outcome is known: add residual, p_above (the upper-tail t probability of lying that far above the
   * prediction), q_above (Benjamini-Hochberg over the rows) and above (1 when above the upper prediction bound).
   */
  flag_above: z.boolean().default(false),
});

/**
 * An event study (estimator: event_study), as `mobility eventstudy` (README "Event studies"): relative-period
 * dummies around each unit's event period in a two-way fixed-effects regression (twfe, sunab), clustered by the
 * unit unless `cluster`/`vcov` say otherwise, or the heterogeneity-robust estimators of Callaway and Sant'Anna (cs)
 * and Borusyak, Jaravel and Spiess (imputation).
 */
export const EventStudySchema = z.strictObject({
  /** Outcome column or expression (`log(total_revenue / enroll)`). */
  outcome: z.string().min(1),
  unit: z.string().min(1),
  time: z.string().min(1),
  /** Column with each unit's event period (empty for never-treated units). */
  event_time: z.string().min(1),
  /** First and last relative period (default: every observed relative period). */
  window: z.tuple([z.number().int(), z.number().int()]).optional(),
  /** Reference period(s) (default [-1]). */
  ref: z.union([z.number().int(), z.array(z.number().int()).min(1)]).optional(),
  bin_endpoints: z.boolean().default(false),
  control: z.enum(["never", "not-yet"]).default("never"),
  /** twfe (one dummy per period), sunab (Sun and Abraham 2021), cs (Callaway and Sant'Anna 2021), imputation. */
  method: z.enum(["twfe", "sunab", "cs", "imputation"]).default("twfe"),
  /** One event path per group of treated units (a column with one value per unit). */
  by_group: z.string().optional(),
  /** Reference period of groups with no observation at `ref` (`{ equity: 5 }`). */
  group_ref: z.record(z.string(), z.union([z.number().int(), z.array(z.number().int()).min(1)])).optional(),
  /** Control variables, formula syntax ("x1 + log(x2)") (twfe, sunab). */
  controls: z.string().optional(),
  /** Covariates, formula syntax (cs: in the propensity score and outcome regression; imputation: first stage). */
  covariates: z.string().optional(),
  /** Fixed effects, formula syntax (default "unit + time"). */
  fixed_effects: z.string().optional(),
  /** Values of event_time meaning never treated (e.g. [0] or ["Inf", "never"]). */
  never_treated: z.array(z.union([z.string(), z.number()])).optional(),
  /** cs: varying (did's default, when absent) or universal base period. */
  base_period: z.enum(["varying", "universal"]).optional(),
  /** cs: dr (doubly robust, did's default, when absent), ipw or reg. */
  cs_method: z.enum(["dr", "ipw", "reg"]).optional(),
  /** cs: anticipation periods (default 0). */
  anticipation: z.number().int().min(0).optional(),
  /** cs: multiplier bootstrap draws (and seed, R's set.seed). */
  boot: z.number().int().min(1).optional(),
  seed: z.number().int().optional(),
  /** cs: did's balance_e for the dynamic aggregation. */
  balance_e: z.number().int().min(0).optional(),
  /** imputation: event times of the pre-trend test (e.g. [-3, -2, -1]). */
  pretrends: z.array(z.number().int()).optional(),
  /** Linear combinations of path coefficients ("b[rel::3] - b[rel::0]"). */
  lincom: z.array(z.string()).optional(),
  /** Cumulative effects from period 0 to each k. */
  cumulative: z.array(z.number().int()).optional(),
});
export type EventStudyModelSpec = z.infer<typeof EventStudySchema>;

export const ModelSchema = z
  .strictObject({
    /** The table to estimate on (a source or a data table). */
    data: Name,
    /**
     * fixest-style formula: OLS, fixed effects `y ~ x | fe`, instrumental variables `y ~ x | endo ~ z` (or
     * `y ~ x | fe | endo ~ z`). Not used by an event study.
     */
    formula: z.string().min(1).optional(),
    /**
     * ols (with fixed effects and IV as the formula says; `iv` is accepted as a synonym that requires an IV
     * formula) or event_study (with an `event_study` block).
     */
    estimator: z.enum(["ols", "iv", "event_study"]).default("ols"),
    event_study: EventStudySchema.optional(),
    /** Column title in tables (default: the model's name). */
    title: z.string().optional(),
    /** Keep only rows where this R-style condition is TRUE (FALSE and NA rows are dropped, with a note). */
    subset: z.string().min(1).optional(),
    /** Model family: gaussian (least squares: OLS, or 2SLS with an IV formula) or poisson (PPML). */
    family: z.enum(FAMILIES).optional(),
    /** Offset of a Poisson model, an expression such as log(pop). */
    offset: z.string().min(1).optional(),
    /** Covariance: a name of the covariance registry (default iid, or cluster when `cluster` is given). */
    vcov: CovarianceName.optional(),
    /** Cluster variables (one, or several for multi-way); implies vcov: cluster. */
    cluster: Columns.optional(),
    /** fixest's panel.id for vcov nw / dk: [unit, time], or [time] for a time series. */
    panel_id: Columns.optional(),
    /** Lag of a HAC covariance (nw, dk); default fixest's rule. */
    lag: z.number().int().min(1).optional(),
    /**
     * Wild cluster bootstrap of the coefficients and lincoms (regress --boot): draws, seed, wcr | wcu, weights
     * (rademacher | webb | mammen | normal), bootstrap clusters (default the covariance's), terms (default all but
     * the intercept).
     */
    bootstrap: z
      .strictObject({
        reps: z.number().int().min(1),
        seed: z.number().int().default(1),
        type: z.enum(["wcr", "wcu"]).optional(),
        weights: z.enum(["rademacher", "webb", "mammen", "normal"]).optional(),
        cluster: Columns.optional(),
        terms: z.array(z.string()).optional(),
      })
      .optional(),
    ssc: z.enum(["stata", ...SMALL_SAMPLE_CONVENTIONS]).optional(),
    weights: z.string().optional(),
    /** Estimate separately per group: the model becomes one column per group (`<name> (value)`). */
    by: Columns.optional(),
    /** fixest's split: one model per value of this column (as `by` with one column). */
    split: z.string().optional(),
    /** fixest's fsplit: the full sample first, then one model per value of this column. */
    fsplit: z.string().optional(),
    /** Confidence level of the intervals. */
    level: z.number().gt(0).lt(1).default(0.95),
    predict: PredictSchema.optional(),
    /**
     * Register the coefficients as a table under this name: the `by` columns, then term, estimate, std_error,
     * statistic, p_value, conf_low, conf_high, nobs (one row per group and coefficient; event studies add rel_time
     * and reference). A second-stage analysis (an event study of per-state slopes) reads it as data.
     */
    coefficients_table: Name.optional(),
    /**
     * Register the estimated fixed effects (normalised as fixest::fixef) under this name: the `by` columns, then
     * fixed_effect, level, value.
     */
    fixef_table: Name.optional(),
    /**
     * Where the model is estimated (src/engines): memory (default: the data table in typed arrays), duckdb (the
     * data table, or `source`, in embedded DuckDB) or clickhouse (`source` on a ClickHouse server). SQL engines:
     * OLS and 2SLS with iid, hc0, hc1 and (multi-way) clustered errors; no by, predict or fixef_table.
     */
    engine: z.enum(["memory", "duckdb", "clickhouse"]).optional(),
    /** The rows for a SQL engine when they are not the data table: a table or query behind a connection. */
    source: z
      .strictObject({
        connection: z.string().optional(),
        table: z.string().optional(),
        query: z.string().optional(),
      })
      .optional(),
  })
  .superRefine((model, ctx) => {
    if (model.estimator === "event_study") {
      if (model.event_study === undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["event_study"],
          message: "missing (estimator event_study needs outcome, unit, time, event_time)",
        });
      }
    } else if (model.formula === undefined) {
      ctx.addIssue({ code: "custom", path: ["formula"], message: "missing (expected a text)" });
    }
  });
export type ModelSpec = z.infer<typeof ModelSchema>;

/**
 * Predictions of a model estimated `by` groups, with fixed effects, for every row of `data`, under the row's own
 * group's curve and under the `reference` group's curve, holding the row's fixed effects at those estimated in its
 * own group's model (see counterfactual.ts for the exact columns):
 *   fit_own       = FE(row, own group's model) + x'b(own group)
 *   fit_reference = FE(row, own group's model) + x'b(reference group)
 *   difference    = fit_reference - fit_own
 * The result is a table under the counterfactual's name (for lists, plots and later data tables).
 */
export const CounterfactualSchema = z.strictObject({
  model: Name,
  /** Rows to predict for (default: the model's data). */
  data: Name.optional(),
  /** The group whose coefficients every row gets, as its label ("nonmetro"; several by columns: "a, b"). */
  reference: z.union([z.string(), z.number()]).transform(String),
  /** Columns of the data copied into the table (default: all). */
  columns: z.array(z.string()).optional(),
});
export type CounterfactualSpec = z.infer<typeof CounterfactualSchema>;

// ---------------------------------------------------------------------------------------------------------------
// tables
// ---------------------------------------------------------------------------------------------------------------

/** Statistic rows below the coefficients: the report's statistics registry (src/report/stats.ts). */
export const FIT_STATS = STAT_NAMES;
/** Statistics a `{ label, stat }` row can show: the registry's, plus the residual standard error's older name. */
export const ROW_STATS = [...STAT_NAMES] as [string, ...string[]];

/**
 * A row below the fit statistics, one of:
 *   { label, cells: [one per column] }                     literal cells ("Yes", "No", "County")
 *   { label, stat: n | r2 | ... | clusters }               a statistic of each column under your own label (names
 *                                                          of src/report/stats.ts; a statistic with several rows,
 *                                                          such as first_stage_f with two endogenous regressors,
 *                                                          takes its first)
 *   { label, lincom: { term: weight, ... } }                a linear combination of coefficients with its stars, and
 *                                                          its p-value in brackets on the row below (pvalue: false
 *                                                          to omit; below_label names that row)
 *   { label, nlcom: "-b[x]/(2*b[I(x^2)])", below }          a nonlinear combination (delta method) with its stars,
 *                                                          its standard error in parentheses below (below: p_value
 *                                                          | std_error | none)
 */
export const RowSchema = z.union([
  z.strictObject({ label: z.string(), cells: z.array(z.string()) }),
  z.strictObject({ label: z.string(), stat: z.enum(ROW_STATS) }),
  /** The wild cluster bootstrap p-value of a coefficient (the model needs a `bootstrap` block). */
  z.strictObject({ label: z.string(), boot_p: z.string().min(1) }),
  z.strictObject({
    label: z.string(),
    lincom: z.record(z.string(), z.number()),
    pvalue: z.boolean().default(true),
    /** Label of the p-value row (default empty). */
    below_label: z.string().optional(),
  }),
  z.strictObject({
    label: z.string(),
    /** A nonlinear combination by the delta method, e.g. "-b[share]/(2*b[I(share^2)])" (the turning point). */
    nlcom: z.string().min(1),
    /** What goes on the row below: the standard error (default), the p-value, or nothing. */
    below: z.enum(["p_value", "std_error", "none"]).default("std_error"),
    below_label: z.string().optional(),
  }),
]);
export type RowSpec = z.infer<typeof RowSchema>;

/** The output formats of tables and lists: the report's format registry (src/report/formats.ts). */
export const TABLE_FORMATS = FORMAT_NAMES;

/**
 * A column of a table: a model's name (every `by` group a column), or an IV model's stage:
 * `{ model: iv1, stage: first }` (one column per endogenous regressor), `reduced` (y on the exogenous regressors
 * and the instruments) or `second`.
 */
export const TableColumnSchema = z.union([
  Name,
  z.strictObject({ model: Name, stage: z.enum(["first", "reduced", "second"]) }),
]);
export type TableColumnSpec = z.infer<typeof TableColumnSchema>;

export const TableSchema = z.strictObject({
  /** Title: first line of the text and Markdown files, the LaTeX caption. */
  title: z.string().optional(),
  /** The LaTeX float's \label (default tab:<table name>). */
  label: z.string().optional(),
  /** The columns, in order (a `by` model contributes one column per group). */
  models: z.array(TableColumnSchema).min(1),
  /** Column titles, one per column (default: each model's title). */
  titles: z.array(z.string()).optional(),
  /** Header cells over groups of columns: [{ label: "Approach 1", span: 2 }, ...], spans adding up to the columns. */
  groups: z.array(z.strictObject({ label: z.string(), span: z.number().int().min(1) })).optional(),
  /**
   * Coefficients to show, in this order: a term name, or { term: label }. Omitted: all, in order of appearance.
   * A /regular expression/ selects every matching term.
   */
  coefficients: z.array(z.union([z.string(), z.record(z.string(), z.string())])).optional(),
  /** Terms to hide (names or /regex/). */
  drop: z.array(z.string()).optional(),
  /** Statistic rows below the coefficients, in order (names of src/report/stats.ts; default fe, n, r2, adj_r2,
   * within_r2, pseudo_r2, first_stage_f, and the standard-error type when the columns differ in it). */
  stats: z.array(z.enum(FIT_STATS)).optional(),
  /** Older name of `stats`. */
  fit: z.array(z.enum(FIT_STATS)).optional(),
  /** Yes/No rows for fixed effects with the default statistics (default true). */
  fixed_effects: z.boolean().default(true),
  /** What fixed-effect rows print for present and absent (default ["Yes", "No"]; e.g. ["×", ""]). */
  fe_marks: z.tuple([z.string(), z.string()]).optional(),
  /** Display names for terms, fixed effects, cluster variables, ... (fixest's dict). */
  labels: z.record(z.string(), z.string()).optional(),
  rows: z.array(RowSchema).default([]),
  /** Lines added after the standard-error legend. */
  notes: z.array(z.string()).default([]),
  /** The footer: none, short (default: the legend and your notes), full (also each model's sample notes). */
  notes_mode: z.enum(NOTES_MODES as [NotesMode, ...NotesMode[]]).default("short"),
  /** Decimals of coefficients and standard errors. */
  digits: z.number().int().min(0).max(12).default(4),
  /** Decimals of R², means and F statistics (default: digits for R², 2 for F). */
  stat_digits: z.number().int().min(0).max(12).optional(),
  /**
   * Significance stars: true (default: *** p < 0.01, ** p < 0.05, * p < 0.10), false, or your own symbols and
   * thresholds, e.g. { "***": 0.001, "**": 0.01, "*": 0.05 } (Stata's esttab default).
   */
  stars: z.union([z.boolean(), z.record(z.string().min(1), z.number().gt(0).lt(1))]).default(true),
  /** Thousands separators in counts (N = 3,119). */
  thousands: z.boolean().default(true),
  /** Below (or beside) each estimate: se (default), t, p, or ci. */
  coefstat: z.enum(COEF_STATS as [CoefStat, ...CoefStat[]]).default("se"),
  /** The standard error beside the estimate instead of below it. */
  beside: z.boolean().default(false),
  /** One row per column instead of one column per model (tables of many `by` groups). */
  long: z.boolean().default(false),
  /** Split into panels of at most this many columns. */
  panel_columns: z.number().int().min(1).optional(),
  /** LaTeX: only the table for \input (no float, caption or label); siunitx decimal alignment. */
  latex: z
    .strictObject({ fragment: z.boolean().default(false), siunitx: z.boolean().default(false) })
    .optional(),
  formats: z.array(z.enum(TABLE_FORMATS)).default(["text", "markdown", "latex"]),
});
export type TableSpec = z.infer<typeof TableSchema>;

// ---------------------------------------------------------------------------------------------------------------
// lists
// ---------------------------------------------------------------------------------------------------------------

export const ListSchema = z.strictObject({
  /** A data table or a prediction table. */
  from: Name,
  /** The same steps as data tables (filter, derive, ...). */
  steps: z.array(StepSchema).default([]),
  /** Columns to write, in order (default: all). */
  columns: z.array(z.string()).optional(),
  /** Sort keys, in priority; prefix a column with '-' for descending. Ties keep their order. */
  sort: z.array(z.string()).default([]),
  /** Significant digits of numbers in Markdown (CSV keeps full precision). */
  digits: z.number().int().min(1).max(17).default(4),
  /** Output formats (src/report/formats.ts). */
  formats: z.array(z.enum(TABLE_FORMATS)).default(["csv", "markdown"]),
});
export type ListSpec = z.infer<typeof ListSchema>;

// ---------------------------------------------------------------------------------------------------------------
// plots
// ---------------------------------------------------------------------------------------------------------------

export const PLOT_FORMATS = ["svg", "png"] as const;

/**
 * A scatter plot of `y` on `x` with one colour per `group`, optionally binned (the mean of x and y within `bins`
 * equal-count bins of x per group, as a binned scatter), and fitted lines per group from `model` (predictions on
 * a grid of x over each group's plotted range; any other numeric regressor is held at its mean in the group's rows).
 */
export const ScatterPlotSchema = z.strictObject({
  type: z.literal("scatter"),
  data: Name,
  x: z.string(),
  y: z.string(),
  group: z.string().optional(),
  bins: z.number().int().min(2).max(200).optional(),
  /** A model (without `by` or fixed effects) whose fitted line is drawn per group. */
  model: Name.optional(),
  title: z.string().optional(),
  x_title: z.string().optional(),
  y_title: z.string().optional(),
  /** Display names of the groups. */
  labels: z.record(z.string(), z.string()).optional(),
  formats: z.array(z.enum(PLOT_FORMATS)).default(["svg"]),
});

/** An event study's coefficients by relative period with confidence intervals (as `eventstudy --plot`). */
export const EventStudyPlotSchema = z.strictObject({
  type: z.literal("event_study"),
  /** Event-study models; several are drawn as series of one plot, named by `series` (default their titles). */
  models: z.array(Name).min(1),
  series: z.array(z.string()).optional(),
  /** Display names of the groups of a `by_group` path (`{ "0": below, "1": above }`). */
  group_labels: z.record(z.string(), z.string()).optional(),
  title: z.string().optional(),
  y_title: z.string().optional(),
  x_title: z.string().optional(),
  formats: z.array(z.enum(PLOT_FORMATS)).default(["svg"]),
});

/**
 * A choropleth map (as `mobility map`; README "Maps"): one value per id of `data`, on counties (5-digit FIPS, the
 * 2017 Census boundaries of us-atlas), states, commuting zones (counties dissolved by a crosswalk table) or the
 * polygons of a GeoJSON/TopoJSON file. The match report (ids without a polygon, polygons without data) goes into
 * data_report.txt.
 */
export const MapPlotSchema = z.strictObject({
  type: z.literal("map"),
  data: Name,
  /** The id column (county or state FIPS, commuting zone, or the polygons' id). */
  id: z.string(),
  /** The value: a column or an expression (`ppe / 1000`). */
  value: z.string(),
  level: z.enum(["county", "state", "cz"]).default("county"),
  /** level cz: a table (source) mapping county FIPS (`from`) to zones (`to`), with the year of its codes. */
  crosswalk: z
    .strictObject({
      table: Name,
      from: z.string().default("County FIPS Code"),
      to: z.string().default("CZ90"),
      vintage: z.number().int().min(1970).max(2100).default(1990),
    })
    .optional(),
  /** Polygons from a file instead (path relative to the spec; its sha256 goes into the manifest). */
  polygons: z
    .strictObject({ file: z.string(), id_field: z.string(), layer: z.string().optional() })
    .optional(),
  /** County ids of this year, brought to the map's 2017 codes. */
  id_vintage: z.number().int().min(1970).max(2017).optional(),
  scale: z.enum(["quantile", "continuous"]).default("quantile"),
  classes: z.number().int().min(2).max(12).default(10),
  /** A colour-blind-safe Vega scheme (default redyellowblue; continuous: viridis). */
  palette: z.string().optional(),
  reverse: z.boolean().default(false),
  projection: z.string().optional(),
  title: z.string().optional(),
  legend_title: z.string().optional(),
  caption: z.array(z.string()).optional(),
  width: z.number().min(100).max(4000).optional(),
  height: z.number().min(100).max(4000).optional(),
  formats: z.array(z.enum(PLOT_FORMATS)).default(["svg"]),
});

/**
 * A binned scatter plot as R's binsreg computes it (as `mobility binscatter`; README "Binned scatter plots"): dots
 * from y on bin dummies + controls (+ absorbed fixed effects) evaluated at the controls' means, optional CIs,
 * uniform band and polynomial fit. The dots are also written as plots/<name>.csv and can be pinned by
 * expectations as a list of the plot's name: `{ list: <name>, where: { bin: 3 }, column: fit, value: ... }`
 * (columns: the by column, bin, left, right, n, x, fit, ci_fit, ci_low, ci_high).
 */
export const BinscatterPlotSchema = z.strictObject({
  type: z.literal("binscatter"),
  data: Name,
  y: z.string(),
  x: z.string(),
  controls: z.string().optional(),
  absorb: z.string().optional(),
  weights: z.string().optional(),
  cluster: z.string().optional(),
  by: z.string().optional(),
  /** Number of bins (default: the IMSE-optimal number, binsregselect). */
  bins: z.number().int().min(2).max(1000).optional(),
  ci: z.boolean().default(false),
  cb: z.boolean().default(false),
  polyreg: z.number().int().min(0).max(10).optional(),
  level: z.number().gt(0).lt(1).default(0.95),
  vcov: z.enum(["iid", "hc0", "hc1", "hc2", "hc3"]).optional(),
  nsims: z.number().int().min(100).default(2000),
  simsgrid: z.number().int().min(1).default(50),
  seed: z.number().int().min(0).default(1),
  title: z.string().optional(),
  x_title: z.string().optional(),
  y_title: z.string().optional(),
  /** Display names of the `by` groups. */
  labels: z.record(z.string(), z.string()).optional(),
  caption: z.array(z.string()).optional(),
  width: z.number().min(100).max(4000).optional(),
  height: z.number().min(100).max(4000).optional(),
  formats: z.array(z.enum(PLOT_FORMATS)).default(["svg"]),
});

/** The coefficients of several models side by side (a coefficient plot; `mobility plot --type coef`). */
export const CoefficientsPlotSchema = z.strictObject({
  type: z.literal("coefficients"),
  /** Models (a `by` model contributes one series per group). */
  models: z.array(Name).min(1),
  /** Terms, in order (default: all but the intercept). */
  terms: z.array(z.string()).optional(),
  /** Display names of terms. */
  labels: z.record(z.string(), z.string()).optional(),
  /** Legend names of the series (default: the models' titles). */
  series: z.array(z.string()).optional(),
  title: z.string().optional(),
  x_title: z.string().optional(),
  caption: z.array(z.string()).optional(),
  width: z.number().min(100).max(4000).optional(),
  formats: z.array(z.enum(PLOT_FORMATS)).default(["svg"]),
});

/**
 * Estimates with intervals along x from a table (e.g. a `coefficients_table` of a model estimated `by` year), one
 * series per `series` value: points or lines, error bars or a band, zero line, an optional reference line.
 */
export const EstimatesPlotSchema = z.strictObject({
  type: z.literal("estimates"),
  data: Name,
  /** Steps applied to the table first (e.g. `filter: term == 'share'`). */
  steps: z.array(StepSchema).default([]),
  x: z.string(),
  estimate: z.string().default("estimate"),
  low: z.string().default("conf_low"),
  high: z.string().default("conf_high"),
  series: z.string().optional(),
  /** A column that is true (or 1) on reference points (drawn hollow, without interval). */
  reference: z.string().optional(),
  mark: z.enum(["points", "lines"]).default("points"),
  interval: z.enum(["errorbar", "band"]).default("errorbar"),
  zero_line: z.boolean().default(true),
  ref_line: z.number().optional(),
  ref_label: z.string().optional(),
  /** What the bars are, for the subtitle (default "Bars: 95% confidence intervals"). */
  caption: z.array(z.string()).optional(),
  title: z.string().optional(),
  x_title: z.string().optional(),
  y_title: z.string().optional(),
  series_title: z.string().optional(),
  width: z.number().min(100).max(4000).optional(),
  height: z.number().min(100).max(4000).optional(),
  formats: z.array(z.enum(PLOT_FORMATS)).default(["svg"]),
});

export const PlotSchema = z.discriminatedUnion("type", [
  ScatterPlotSchema,
  EventStudyPlotSchema,
  MapPlotSchema,
  BinscatterPlotSchema,
  CoefficientsPlotSchema,
  EstimatesPlotSchema,
]);
export type PlotSpec = z.infer<typeof PlotSchema>;

// ---------------------------------------------------------------------------------------------------------------
// expect
// ---------------------------------------------------------------------------------------------------------------

export const COEFFICIENT_FIELDS = [
  "estimate",
  "std_error",
  "statistic",
  "p_value",
  "conf_low",
  "conf_high",
] as const;
export const MODEL_FIELDS = ["nobs", "r2", "adj_r2", "rmse", "sigma", "f_stat", "df_resid"] as const;

/**
 * One expectation, with the number(s) it pins:
 *   { model, term, estimate, std_error, ... }   coefficient fields
 *   { model, nobs, r2, sigma, ... }             model statistics
 *   { model, lincom: {term: w}, estimate, std_error, p_value }
 *   { model, nlcom: "-b[x]/(2*b[I(x^2)])", estimate, std_error, p_value }
 *   { model, first_stage_f }                    IV: the first-stage F (one endogenous regressor)
 *   { list, rows }                              number of rows of a list
 *   { list, where: {col: value}, column, value } one cell of a list (the row must be unique)
 * `tolerance` (relative; |found - expected| <= tol * max(|expected|, tiny)) overrides the block's default;
 * `source` says where the number comes from (an R script, a paper's table).
 */
const num = z.number().optional();
export const ExpectationSchema = z.strictObject({
  model: z.string().optional(),
  term: z.string().optional(),
  lincom: z.record(z.string(), z.number()).optional(),
  nlcom: z.string().optional(),
  list: Name.optional(),
  where: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  column: z.string().optional(),
  tolerance: z.number().nonnegative().optional(),
  source: z.string().optional(),
  estimate: num,
  std_error: num,
  statistic: num,
  p_value: num,
  conf_low: num,
  conf_high: num,
  nobs: num,
  r2: num,
  adj_r2: num,
  rmse: num,
  sigma: num,
  f_stat: num,
  df_resid: num,
  first_stage_f: num,
  rows: num,
  value: num,
});
export type Expectation = z.infer<typeof ExpectationSchema>;

export const ExpectSchema = z.strictObject({
  /** Default relative tolerance. */
  tolerance: z.number().nonnegative().default(1e-8),
  /** Where the numbers come from, e.g. scripts/examples/<name>.R. */
  source: z.string().optional(),
  values: z.array(ExpectationSchema).min(1),
});

// ---------------------------------------------------------------------------------------------------------------

export const SpecSchema = z.strictObject({
  name: Name,
  description: z.string().optional(),
  data: DataSchema,
  models: z.record(Name, ModelSchema).default({}),
  counterfactuals: z.record(Name, CounterfactualSchema).default({}),
  tables: z.record(Name, TableSchema).default({}),
  lists: z.record(Name, ListSchema).default({}),
  plots: z.record(Name, PlotSchema).default({}),
  expect: ExpectSchema.optional(),
});
export type Spec = z.infer<typeof SpecSchema>;
