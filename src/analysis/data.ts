/**
 * Executes the `data` part of a spec with the existing operations: sources through the dataset readers (or the
 * generic CSV reader), then each table's steps (filter, derive, aggregate, longer, merge, select, rename).
 * Tables are built on first use and cached; a table may refer to any other (a cycle is an error). Every step
 * appends a line to the data report (rows in -> rows out, the merge match report, the readers' reports), which
 * the runner writes as data_report.txt.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { readCsv } from "../data/csv.js";
import { aggregateTable } from "../data/ops/aggregate.js";
import { formatMergeReport, mergeTables } from "../data/ops/merge.js";
import { pivotLonger } from "../data/ops/reshape.js";
import { formatReport, getReader, type ReaderOptions } from "../data/readers/index.js";
import {
  type Column,
  MISSING_CODE,
  numericColumn,
  type StringColumn,
  stringAt,
  stringColumn,
  Table,
} from "../data/table.js";
import { dataError, MobilityError, usageError } from "../errors.js";
import { evaluateNumeric } from "../formula/evaluate.js";
import { parseExpression } from "../formula/parser.js";
import { formatPath, type Path } from "./load.js";
import type { DeriveSpec, SourceSpec, Spec, StepSpec } from "./schema.js";

export interface InputFile {
  /** As written in the spec (relative to the spec file). */
  file: string;
  sha256: string;
  bytes: number;
}

export class DataRunner {
  private readonly cache = new Map<string, Table>();
  private readonly building = new Set<string>();
  /** Lines of data_report.txt, in the order things were computed. */
  readonly report: string[] = [];
  readonly inputs: InputFile[] = [];

  constructor(
    private readonly spec: Spec,
    private readonly specDir: string,
    private readonly specFile: string,
    private readonly lineOf: (path: Path) => number,
  ) {}

  /** Adds a computed table (predictions) under a name. */
  register(name: string, table: Table): void {
    if (this.cache.has(name) || this.known(name)) {
      throw usageError(`${this.specFile}: the name '${name}' is used twice (tables, sources, predictions)`);
    }
    this.cache.set(name, table);
  }

  private known(name: string): boolean {
    return Object.hasOwn(this.spec.data.sources, name) || Object.hasOwn(this.spec.data.tables, name);
  }

  /** Whether a counterfactual needs the estimated fixed effects of this model. */
  wantsFixedEffects(model: string): boolean {
    return Object.values(this.spec.counterfactuals).some((c) => c.model === model);
  }

  has(name: string): boolean {
    return this.cache.has(name) || this.known(name);
  }

  /** The table named `name` (a source, a data table or a registered table), built on first use. */
  async table(name: string, usedAt: Path): Promise<Table> {
    const cached = this.cache.get(name);
    if (cached !== undefined) return cached;
    if (this.building.has(name)) {
      throw this.error(usedAt, `table '${name}' depends on itself`, "usage");
    }
    this.building.add(name);
    let table: Table;
    const source = this.spec.data.sources[name];
    const steps = this.spec.data.tables[name];
    if (source !== undefined) {
      table = await this.readSource(name, source);
    } else if (steps !== undefined) {
      const base = await this.table(steps.from, ["data", "tables", name, "from"]);
      this.report.push(`table ${name} (from ${steps.from}, ${base.nrows} rows)`);
      table = await this.applySteps(base, steps.steps, ["data", "tables", name, "steps"]);
      this.report.push(`  -> ${table.nrows} rows, ${table.columns.length} columns`);
    } else {
      const known = [
        ...Object.keys(this.spec.data.sources),
        ...Object.keys(this.spec.data.tables),
        ...this.cache.keys(),
      ];
      throw this.error(usedAt, `no source or table named '${name}' (known: ${known.join(", ")})`, "usage");
    }
    this.building.delete(name);
    this.cache.set(name, table);
    return table;
  }

  private async readSource(name: string, source: SourceSpec): Promise<Table> {
    const path = resolve(this.specDir, source.file);
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      throw this.error(["data", "sources", name, "file"], `cannot read ${source.file} (${code})`, "data");
    }
    this.inputs.push({
      file: source.file,
      sha256: createHash("sha256").update(bytes).digest("hex"),
      bytes: bytes.length,
    });
    const display = (text: string) => text.split(path).join(source.file);
    try {
      if (source.reader === "csv") {
        const table = await readCsv(path, {
          ...(source.missing ? { missing: source.missing } : {}),
          ...(source.types ? { types: source.types } : {}),
        });
        this.report.push(
          `source ${name}: ${source.file} (csv): ${table.nrows} rows, ${table.columns.length} columns`,
        );
        return new Table(table.columns, table.nrows, source.file);
      }
      if (source.missing || source.types) {
        throw this.error(
          ["data", "sources", name],
          `missing and types apply to the csv reader only (the ${source.reader} reader has its own layout)`,
          "usage",
        );
      }
      const options: ReaderOptions = { ...(source.options ?? {}) };
      const { table, report } = await getReader(source.reader)(path, options);
      this.report.push(`source ${name}: ${display(formatReport(report)).trimEnd()}`);
      return new Table(table.columns, table.nrows, source.file);
    } catch (error) {
      if (error instanceof MobilityError && !error.message.startsWith(this.specFile)) {
        throw new MobilityError(error.kind, display(error.message));
      }
      throw error;
    }
  }

  /** Applies steps in order; `at` is the spec path of the step list (for error messages). */
  async applySteps(input: Table, steps: readonly StepSpec[], at: Path): Promise<Table> {
    let table = input;
    for (const [index, step] of steps.entries()) {
      const path = [...at, index];
      try {
        table = await this.step(table, step, path);
      } catch (error) {
        if (error instanceof MobilityError && !error.message.startsWith(this.specFile)) {
          throw this.error(path, error.message, error.kind);
        }
        throw error;
      }
    }
    return table;
  }

  private async step(table: Table, step: StepSpec, path: Path): Promise<Table> {
    if ("filter" in step) {
      const conditions = typeof step.filter === "string" ? [step.filter] : step.filter;
      let out = table;
      for (const condition of conditions) {
        const before = out.nrows;
        out = filterTable(out, condition);
        this.report.push(`  filter ${condition}: ${before} -> ${out.nrows} rows`);
      }
      return out;
    }
    if ("derive" in step) {
      let out = table;
      for (const [name, spec] of Object.entries(step.derive)) {
        out = out.withColumns([deriveColumn(out, name, spec)]);
        this.report.push(`  derive ${name} = ${describeDerive(spec)}`);
      }
      return out;
    }
    if ("aggregate" in step) {
      const a = step.aggregate;
      const out = aggregateTable(table, {
        by: a.by,
        ...(a.sum ? { sum: a.sum } : {}),
        ...(a.mean ? { mean: a.mean } : {}),
        ...(a.ratio ? { ratio: a.ratio } : {}),
        ...(a.weight ? { weight: a.weight } : {}),
        count: a.count === true,
      });
      this.report.push(`  aggregate by ${a.by.join(", ")}: ${table.nrows} rows -> ${out.nrows} groups`);
      return out;
    }
    if ("longer" in step) {
      const out = longer(table, step.longer.id, step.longer.match, step.longer.values);
      this.report.push(`  longer: ${table.nrows} rows -> ${out.nrows} rows`);
      return out;
    }
    if ("merge" in step) {
      const m = step.merge;
      const right = await this.table(m.with, [...path, "merge", "with"]);
      const { table: out, report } = mergeTables(table, right, {
        on: m.on,
        how: m.how,
        expect: m.expect,
        ...(m.suffixes ? { suffixes: m.suffixes } : {}),
      });
      this.report.push(
        ...formatMergeReport(report)
          .trimEnd()
          .split("\n")
          .map((line, i) => `  ${i === 0 ? `${line} (with ${m.with}, expect ${m.expect})` : line}`),
      );
      return out;
    }
    if ("select" in step) {
      return new Table(
        step.select.map((name) => table.column(name)),
        table.nrows,
        table.source,
      );
    }
    const renames = step.rename;
    for (const name of Object.keys(renames)) table.column(name);
    const columns = table.columns.map((c): Column => {
      const to = renames[c.name];
      return to === undefined ? c : { ...c, name: to };
    });
    const names = columns.map((c) => c.name);
    const duplicate = names.find((n, i) => names.indexOf(n) !== i);
    if (duplicate !== undefined) throw usageError(`rename: two columns would be named '${duplicate}'`);
    return new Table(columns, table.nrows, table.source);
  }

  /** An error located at a spec path: `<file> line <n>, key <path>: <what>`. */
  error(path: Path, what: string, kind: MobilityError["kind"]): MobilityError {
    return new MobilityError(
      kind,
      `${this.specFile} line ${this.lineOf(path)}, key ${formatPath(path)}: ${what}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------------------------
// filter
// ---------------------------------------------------------------------------------------------------------------

type Literal = { kind: "number"; value: number; text: string } | { kind: "string"; value: string };

function parseLiteral(text: string, condition: string): Literal {
  const t = text.trim();
  const quoted = /^'(.*)'$|^"(.*)"$/.exec(t);
  if (quoted) return { kind: "string", value: quoted[1] ?? quoted[2] ?? "" };
  const value = Number(t);
  if (t !== "" && Number.isFinite(value)) return { kind: "number", value, text: t };
  throw usageError(`filter "${condition}": expected a number or a quoted text, found '${t}'`);
}

/**
 * Keeps the rows where `condition` holds. Forms: `<lhs> == | != | < | <= | > | >= <value>`,
 * `<lhs> in [v1, v2]`, `<lhs> not in [...]`, `<lhs> is missing`, `<lhs> is not missing`. The left side is a
 * column (text or number) or a numeric expression; values are numbers or quoted texts. A missing left side
 * fails every comparison (only `is missing` keeps it).
 */
export function filterTable(table: Table, condition: string): Table {
  const n = table.nrows;
  const keep: number[] = [];
  const missingForm = /^(.+?)\s+is\s+(not\s+)?missing\s*$/.exec(condition);
  const compareForm = /^(.+?)\s*(==|!=|<=|>=|<|>)\s*(.+)$/.exec(condition);
  const inForm = /^(.+?)\s+(not\s+in|in)\s*\[(.*)\]\s*$/.exec(condition);
  const form = missingForm ?? inForm ?? compareForm;
  if (form === null) {
    throw usageError(
      `filter "${condition}": expected '<column or expression> <op> <value>' with op one of ==, !=, <, <=, >, >=, in [..], not in [..], is missing, is not missing`,
    );
  }
  const lhs = (form[1] as string).trim();
  const text = lhsValues(table, lhs);
  if (missingForm) {
    const wantMissing = missingForm[2] === undefined;
    for (let i = 0; i < n; i++) if (text.missing(i) === wantMissing) keep.push(i);
    return table.take(keep);
  }
  let test: (i: number) => boolean;
  if (inForm) {
    const items = splitList(inForm[3] as string).map((item) => parseLiteral(item, condition));
    const negate = (inForm[2] as string).startsWith("not");
    const matches = items.map((literal) => text.equals(literal));
    test = (i) => !text.missing(i) && matches.some((m) => m(i)) !== negate;
  } else {
    const op = (compareForm as RegExpExecArray)[2] as string;
    const literal = parseLiteral((compareForm as RegExpExecArray)[3] as string, condition);
    if (op === "==" || op === "!=") {
      const equal = text.equals(literal);
      test = (i) => !text.missing(i) && equal(i) === (op === "==");
    } else {
      if (literal.kind !== "number" || text.number === undefined) {
        throw usageError(`filter "${condition}": ${op} compares numbers`);
      }
      const v = literal.value;
      const x = text.number;
      test = (i) => {
        const a = x[i] as number;
        if (Number.isNaN(a)) return false;
        return op === "<" ? a < v : op === "<=" ? a <= v : op === ">" ? a > v : a >= v;
      };
    }
  }
  for (let i = 0; i < n; i++) if (test(i)) keep.push(i);
  return table.take(keep);
}

function splitList(text: string): string[] {
  const items: string[] = [];
  const re = /\s*('[^']*'|"[^"]*"|[^,]+)\s*(?:,|$)/g;
  for (const m of text.matchAll(re)) if ((m[1] ?? "").trim() !== "") items.push((m[1] as string).trim());
  return items;
}

interface LhsValues {
  missing: (i: number) => boolean;
  equals: (literal: Literal) => (i: number) => boolean;
  number: Float64Array | undefined;
}

function lhsValues(table: Table, lhs: string): LhsValues {
  if (table.has(lhs) && table.column(lhs).kind === "string") {
    const column = table.column(lhs) as StringColumn;
    return {
      missing: (i) => column.codes[i] === MISSING_CODE,
      equals: (literal) => {
        const target = literal.kind === "string" ? literal.value : literal.text;
        const code = column.levels.indexOf(target);
        return (i) => code >= 0 && column.codes[i] === code;
      },
      number: undefined,
    };
  }
  const values = evaluateNumeric(parseExpression(lhs), table, lhs).hi;
  return {
    missing: (i) => Number.isNaN(values[i] as number),
    equals: (literal) => {
      if (literal.kind === "string") {
        throw usageError(`filter: '${lhs}' is numeric; compare it with a number, not '${literal.value}'`);
      }
      return (i) => values[i] === literal.value;
    },
    number: values,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// derive
// ---------------------------------------------------------------------------------------------------------------

function describeDerive(spec: DeriveSpec): string {
  if (typeof spec === "string") return spec;
  if ("standardize" in spec) {
    const within = spec.within ? ` within ${spec.within.join(", ")}` : "";
    return `standardize(${spec.standardize})${within}${spec.weight ? ` weighted by ${spec.weight}` : ""}`;
  }
  return `concat(${spec.concat.join(", ")}, sep = "${spec.sep}")`;
}

export function deriveColumn(table: Table, name: string, spec: DeriveSpec): Column {
  if (typeof spec === "string") {
    const values = evaluateNumeric(parseExpression(spec), table, spec).hi;
    // Non-finite results (log(0), x/0) are missing, as a derived column should not carry infinities.
    const out = new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as number;
      out[i] = Number.isFinite(v) ? v : Number.NaN;
    }
    return numericColumn(name, out);
  }
  if ("concat" in spec) {
    const columns = spec.concat.map((c) => table.column(c));
    const values: (string | undefined)[] = new Array(table.nrows);
    for (let i = 0; i < table.nrows; i++) {
      const parts: string[] = [];
      for (const column of columns) {
        const v = column.kind === "number" ? column.values[i] : stringAt(column, i);
        if (v === undefined || (typeof v === "number" && Number.isNaN(v))) break;
        parts.push(String(v));
      }
      values[i] = parts.length === columns.length ? parts.join(spec.sep) : undefined;
    }
    return stringColumn(name, values);
  }
  return standardize(table, name, spec.standardize, spec.within ?? [], spec.weight);
}

/** (x - mean) / sd within groups, sd with the n - 1 divisor (weighted: sum w (x - m)^2 / (sum w - 1)). */
function standardize(
  table: Table,
  name: string,
  expression: string,
  within: readonly string[],
  weight: string | undefined,
): Column {
  const n = table.nrows;
  const x = evaluateNumeric(parseExpression(expression), table, expression).hi;
  const w = weight === undefined ? undefined : table.numeric(weight).values;
  const groupColumns = within.map((c) => table.column(c));
  const groupOf = new Int32Array(n);
  const index = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    let key = "";
    let missing = false;
    for (const column of groupColumns) {
      if (column.kind === "number") {
        const v = column.values[i] as number;
        if (Number.isNaN(v)) missing = true;
        key += `${v}\u0000`;
      } else {
        const c = column.codes[i] as number;
        if (c === MISSING_CODE) missing = true;
        key += `${c}\u0000`;
      }
    }
    if (missing) {
      groupOf[i] = -1;
      continue;
    }
    let g = index.get(key);
    if (g === undefined) {
      g = index.size;
      index.set(key, g);
    }
    groupOf[i] = g;
  }
  const G = index.size;
  const sw = new Float64Array(G);
  const swx = new Float64Array(G);
  const valid = (i: number) =>
    (groupOf[i] as number) >= 0 &&
    !Number.isNaN(x[i] as number) &&
    (w === undefined || (w[i] as number) >= 0);
  const weightAt = (i: number) => (w === undefined ? 1 : (w[i] as number));
  for (let i = 0; i < n; i++) {
    if (!valid(i)) continue;
    const g = groupOf[i] as number;
    sw[g] = (sw[g] as number) + weightAt(i);
    swx[g] = (swx[g] as number) + weightAt(i) * (x[i] as number);
  }
  const mean = new Float64Array(G);
  for (let g = 0; g < G; g++) mean[g] = (swx[g] as number) / (sw[g] as number);
  const ss = new Float64Array(G);
  for (let i = 0; i < n; i++) {
    if (!valid(i)) continue;
    const g = groupOf[i] as number;
    const d = (x[i] as number) - (mean[g] as number);
    ss[g] = (ss[g] as number) + weightAt(i) * d * d;
  }
  const out = new Float64Array(n).fill(Number.NaN);
  for (let i = 0; i < n; i++) {
    if (!valid(i)) continue;
    const g = groupOf[i] as number;
    const sd = Math.sqrt((ss[g] as number) / ((sw[g] as number) - 1));
    out[i] = sd > 0 ? ((x[i] as number) - (mean[g] as number)) / sd : Number.NaN;
  }
  return numericColumn(name, out);
}

// ---------------------------------------------------------------------------------------------------------------
// longer
// ---------------------------------------------------------------------------------------------------------------

function longer(
  table: Table,
  id: readonly string[],
  match: string,
  values: Readonly<Record<string, string>>,
): Table {
  let re: RegExp;
  try {
    re = new RegExp(match);
  } catch (error) {
    throw usageError(`longer: match is not a regular expression (${(error as Error).message})`);
  }
  const cells: Record<string, string>[] = [];
  for (const name of table.names) {
    const m = re.exec(name);
    if (m === null) continue;
    if (m.groups === undefined || Object.keys(m.groups).length === 0) {
      throw usageError(`longer: match needs named groups, e.g. "kfr_(?<race>[a-z]+)_(?<gender>[a-z]+)_p25"`);
    }
    cells.push(Object.fromEntries(Object.entries(m.groups).map(([k, v]) => [k, v ?? ""])));
  }
  if (cells.length === 0) throw dataError(`longer: no column of ${table.source} matches /${match}/`);
  const keys = Object.keys(cells[0] as Record<string, string>);
  const valueNames = Object.keys(values);
  const present = new Set(table.names);
  const groups = cells.map((cell) => ({
    key: keys.map((k) => cell[k] as string),
    sources: valueNames.map((v) => {
      const source = (values[v] as string).replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, k: string) => {
        if (!(k in cell)) throw usageError(`longer: template of '${v}' names {${k}}, not a group of match`);
        return cell[k] as string;
      });
      return present.has(source) ? source : undefined;
    }),
  }));
  return pivotLonger(table, { id, keys, values: valueNames, groups });
}
