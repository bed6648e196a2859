/**
 * Tidy long CSV for scripts, like broom's `tidy()`: one row per model and term, with
 *
 *   model, name, [one column per `--by` variable], term, estimate, std_error, statistic, p_value, conf_low,
 *   conf_high, nobs, r2
 *
 * `model` is the column number in the tables (1, 2, ...) and `name` the model's name. The `--by` columns appear
 * only when some model has a group (named after the variables; `by_` is prefixed to a name that would clash with
 * a fixed column). Numbers are written in full precision (shortest round-trip), NaN as an empty field and
 * infinities as Inf / -Inf (see numberFormat.ts); fields are quoted as RFC 4180 says (when they contain a comma,
 * a double quote or a line break, doubling inner quotes); lines end with "\n". A model without coefficients
 * (e.g. fixed effects only) has no rows.
 */

import type { Output } from "../model/result.js";
import { formatCount, formatFull } from "./numberFormat.js";

export const CSV_COLUMNS = [
  "term",
  "estimate",
  "std_error",
  "statistic",
  "p_value",
  "conf_low",
  "conf_high",
  "nobs",
  "r2",
] as const;

/** Quotes a field if RFC 4180 requires it. */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The tidy CSV of all coefficients of all models (ends with a newline). */
export function renderCsv(output: Output): string {
  const fixed = new Set<string>(["model", "name", ...CSV_COLUMNS]);
  const keys: string[] = [];
  for (const model of output.models) {
    for (const key of Object.keys(model.group ?? {})) if (!keys.includes(key)) keys.push(key);
  }
  const header = [
    "model",
    "name",
    ...keys.map((key) => (fixed.has(key) ? `by_${key}` : key)),
    ...CSV_COLUMNS,
  ];
  const lines = [header.map(csvField).join(",")];
  output.models.forEach((model, i) => {
    const groups = keys.map((key) => {
      const value = model.group?.[key];
      return value === undefined ? "" : typeof value === "number" ? formatFull(value) : value;
    });
    for (const c of model.coefficients) {
      const fields = [
        String(i + 1),
        model.name,
        ...groups,
        c.term,
        formatFull(c.estimate),
        formatFull(c.std_error),
        formatFull(c.statistic),
        formatFull(c.p_value),
        formatFull(c.conf_low),
        formatFull(c.conf_high),
        formatCount(model.nobs),
        formatFull(model.r2),
      ];
      lines.push(fields.map(csvField).join(","));
    }
  });
  return `${lines.join("\n")}\n`;
}
