/**
 * Expectations (`expect:`): published or previously verified numbers, each compared with what the run computed
 * under a relative tolerance, |found - expected| <= tol * max(|expected|, 1e-300) (an expected 0 therefore needs
 * found == 0 unless the tolerance is absolute in effect). The report lists every drifted number with both values
 * and their relative difference, one line each, so a CI log shows what moved.
 */
import type { Table } from "../data/table.js";
import { stringAt } from "../data/table.js";
import { usageError } from "../errors.js";
import type { ModelResult } from "../model/result.js";
import type { FittedModel } from "./models.js";
import { COEFFICIENT_FIELDS, type Expectation, MODEL_FIELDS, type Spec } from "./schema.js";
import { firstStageF, lincom, nlcom } from "./tables.js";

export interface CheckLine {
  /** "model m1, term ppe_k, estimate". */
  what: string;
  expected: number;
  found: number;
  tolerance: number;
  ok: boolean;
}

export interface CheckReport {
  lines: CheckLine[];
  failed: number;
}

function relDiff(found: number, expected: number): number {
  if (found === expected) return 0;
  return Math.abs(found - expected) / Math.max(Math.abs(expected), 1e-300);
}

function findModel(models: Map<string, FittedModel>, name: string, index: number): ModelResult {
  // "m1" or, for a `by` model, "m1 (group values)".
  const plain = models.get(name);
  if (plain !== undefined) {
    if (plain.results.length !== 1) {
      throw usageError(
        `expect.values[${index}]: model '${name}' has ${plain.results.length} groups; name one as '${name} (${plain.groups[0]})'`,
      );
    }
    return plain.results[0] as ModelResult;
  }
  const m = /^(.*) \((.*)\)$/.exec(name);
  const base = m ? models.get(m[1] as string) : undefined;
  const at = base ? base.groups.indexOf(m?.[2] as string) : -1;
  if (base === undefined || at < 0) {
    throw usageError(
      `expect.values[${index}]: no model '${name}' (models: ${[...models.keys()].join(", ")})`,
    );
  }
  return base.results[at] as ModelResult;
}

function cellMatches(table: Table, row: number, column: string, value: string | number): boolean {
  const c = table.column(column);
  if (c.kind === "number") return c.values[row] === Number(value);
  return stringAt(c, row) === String(value);
}

/** Compares every expectation; throws a usage error for an expectation that names nothing. */
export function checkExpectations(
  spec: Spec,
  models: Map<string, FittedModel>,
  lists: Map<string, Table>,
): CheckReport {
  const lines: CheckLine[] = [];
  const block = spec.expect;
  if (block === undefined) return { lines, failed: 0 };
  block.values.forEach((e: Expectation, index) => {
    const tolerance = e.tolerance ?? block.tolerance;
    const add = (what: string, expected: number | undefined, found: number) => {
      if (expected === undefined) return;
      const ok = Number.isNaN(expected) ? Number.isNaN(found) : relDiff(found, expected) <= tolerance;
      lines.push({ what, expected, found, tolerance, ok });
    };
    const before = lines.length;
    if (e.model !== undefined) {
      const model = findModel(models, e.model, index);
      if (e.term !== undefined) {
        const c = model.coefficients.find((x) => x.term === e.term);
        if (c === undefined) {
          throw usageError(
            `expect.values[${index}]: model '${e.model}' has no term '${e.term}' (terms: ${model.coefficients.map((x) => x.term).join(", ")})`,
          );
        }
        for (const f of COEFFICIENT_FIELDS) add(`model ${e.model}, term ${e.term}, ${f}`, e[f], c[f]);
      } else if (e.lincom !== undefined) {
        const l = lincom(model, e.lincom);
        const label = Object.entries(e.lincom)
          .map(([t, w]) => `${w}*${t}`)
          .join(" + ");
        add(`model ${e.model}, lincom ${label}, estimate`, e.estimate, l.estimate);
        add(`model ${e.model}, lincom ${label}, std_error`, e.std_error, l.std_error);
        add(`model ${e.model}, lincom ${label}, p_value`, e.p_value, l.p_value);
      } else if (e.nlcom !== undefined) {
        const l = nlcom(model, e.nlcom);
        add(`model ${e.model}, nlcom ${e.nlcom}, estimate`, e.estimate, l.estimate);
        add(`model ${e.model}, nlcom ${e.nlcom}, std_error`, e.std_error, l.std_error);
        add(`model ${e.model}, nlcom ${e.nlcom}, p_value`, e.p_value, l.p_value);
      }
      if (e.first_stage_f !== undefined)
        add(`model ${e.model}, first_stage_f`, e.first_stage_f, firstStageF(model));
      for (const f of MODEL_FIELDS) {
        const found = model[f];
        add(`model ${e.model}, ${f}`, e[f], found === null ? Number.NaN : found);
      }
    } else if (e.list !== undefined) {
      const table = lists.get(e.list);
      if (table === undefined) throw usageError(`expect.values[${index}]: no list '${e.list}'`);
      add(`list ${e.list}, rows`, e.rows, table.nrows);
      if (e.column !== undefined) {
        const where = Object.entries(e.where ?? {});
        const rows: number[] = [];
        for (let i = 0; i < table.nrows; i++) {
          if (where.every(([col, v]) => cellMatches(table, i, col, v))) rows.push(i);
        }
        const desc = where.map(([c, v]) => `${c}=${v}`).join(", ");
        if (rows.length !== 1) {
          throw usageError(
            `expect.values[${index}]: list '${e.list}' has ${rows.length} rows where ${desc}, expected 1`,
          );
        }
        add(
          `list ${e.list}, row ${desc}, ${e.column}`,
          e.value,
          table.numeric(e.column).values[rows[0] as number] as number,
        );
      }
    }
    if (lines.length === before) throw usageError(`expect.values[${index}]: pins no number`);
  });
  return { lines, failed: lines.filter((l) => !l.ok).length };
}

function show(x: number): string {
  return Number.isNaN(x) ? "NaN" : String(x);
}

/** The readable diff: a summary line, then one line per drifted number. */
export function formatCheckReport(report: CheckReport): string {
  const total = report.lines.length;
  if (report.failed === 0) return `check: all ${total} expected values hold\n`;
  const out = [`check: ${report.failed} of ${total} expected values drifted:`];
  for (const line of report.lines) {
    if (line.ok) continue;
    out.push(
      `  ${line.what}: expected ${show(line.expected)}, found ${show(line.found)} ` +
        `(relative difference ${relDiff(line.found, line.expected).toExponential(2)} > tolerance ${line.tolerance})`,
    );
  }
  return `${out.join("\n")}\n`;
}
