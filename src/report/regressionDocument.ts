/**
 * A regression Output as a ReportDocument: the table (table.ts) for the layout formats, tidy records for CSV and
 * the Output itself for JSON, so that every format writer (formats.ts) prints regressions.
 *
 * The tidy records, like broom's `tidy()`, one row per model and term:
 *
 *   model, name, [one column per `--by` variable], term, estimate, std_error, statistic, p_value, conf_low,
 *   conf_high, nobs, r2, type, formula, data   [, stage]
 *
 * `model` is the column number in the tables (1, 2, ...) and `name` the model's name. The `--by` columns appear
 * only when some model has a group (named after the variables; `by_` is prefixed to a name that would clash with
 * a fixed column). `type` is "coefficient", or "lincom"/"nlcom" for the combinations (`--lincom`, `--nlcom`),
 * whose `term` is the expression. `formula` and `data` (the input file, or a spec's table) let the CSV files of
 * separate calls be concatenated. `stage` appears when the table holds IV stages (`--stages`). A model without
 * coefficients (fixed effects only) has no coefficient rows.
 */
import type { ModelResult, Output } from "../model/result.js";
import type { Grid, Records, RecordValue, ReportDocument } from "./grid.js";
import { validatedOutput } from "./outputValidation.js";
import { buildTable, longRegressionGrid, regressionGrid, type TableOptions } from "./table.js";

export interface RegressionDocumentOptions extends TableOptions {
  /** Title (caption in LaTeX). */
  title?: string;
  /** LaTeX `\label{}`. */
  label?: string;
  /** One row per model instead of one column (tables of many `--by` groups). */
  long?: boolean;
}

export const RECORD_COLUMNS = [
  "term",
  "estimate",
  "std_error",
  "statistic",
  "p_value",
  "conf_low",
  "conf_high",
  "nobs",
  "r2",
  "type",
  "formula",
  "data",
] as const;

/** The tidy records of all coefficients and combinations of all models. */
export function regressionRecords(output: Output): Records {
  const fixed = new Set<string>(["model", "name", "stage", ...RECORD_COLUMNS]);
  const keys: string[] = [];
  for (const model of output.models) {
    for (const key of Object.keys(model.group ?? {})) if (!keys.includes(key)) keys.push(key);
  }
  const staged = output.models.some((m) => m.stage !== undefined);
  const columns = [
    "model",
    "name",
    ...keys.map((key) => (fixed.has(key) ? `by_${key}` : key)),
    ...RECORD_COLUMNS,
    ...(staged ? ["stage"] : []),
  ];
  const rows: RecordValue[][] = [];
  output.models.forEach((model: ModelResult, i) => {
    const groups = keys.map((key) => model.group?.[key] ?? null);
    const tail = (type: string): RecordValue[] => [
      model.nobs,
      model.r2,
      type,
      model.formula,
      model.data ?? null,
      ...(staged ? [model.stage ?? null] : []),
    ];
    for (const c of model.coefficients) {
      rows.push([
        i + 1,
        model.name,
        ...groups,
        c.term,
        c.estimate,
        c.std_error,
        c.statistic,
        c.p_value,
        c.conf_low,
        c.conf_high,
        ...tail("coefficient"),
      ]);
    }
    for (const c of model.combinations ?? []) {
      rows.push([
        i + 1,
        model.name,
        ...groups,
        c.expression,
        c.estimate,
        c.std_error,
        c.statistic,
        c.p_value,
        c.conf_low,
        c.conf_high,
        ...tail(c.kind),
      ]);
    }
  });
  return { columns, rows };
}

/** The document of a regression output: its table, its tidy records and its JSON. */
export function regressionDocument(output: Output, options: RegressionDocumentOptions = {}): ReportDocument {
  // Build eagerly so that a bad option (keep, labels, groups) fails before anything is written.
  const grid: Grid = options.long
    ? longRegressionGrid(output, options)
    : regressionGrid(buildTable(output, options));
  return {
    ...(options.title !== undefined ? { title: options.title } : {}),
    ...(options.label !== undefined ? { label: options.label } : {}),
    grids: [grid],
    records: () => regressionRecords(output),
    json: () => validatedOutput(output),
  };
}
