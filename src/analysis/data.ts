/**
 * Executes the `data` part of a spec with the existing operations: sources through the dataset readers (or the
 * generic reader, any file format), one file or several stacked, then each table's steps (filter, derive, panel,
 * aggregate, longer, wider, distinct, merge, select, drop, rename).
 * Tables are built on first use and cached; a table may refer to any other (a cycle is an error). Every step
 * appends a line to the data report (rows in -> rows out, the merge match report, the readers' reports), which
 * the runner writes as data_report.txt.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { readCsv } from "../data/csv.js";
import { deriveColumn as deriveExpression, filterRows, type PanelSpec } from "../data/expression/index.js";
import { aggregateWithReport, formatAggregateReport } from "../data/ops/aggregate.js";
import { distinctRows, formatDistinctReport } from "../data/ops/distinct.js";
import {
  groupIndex,
  groupQuantile,
  groupSummary,
  quantileSplit,
  standardizeWithin,
  winsorize,
} from "../data/ops/groupStats.js";
import { formatMergeReport, mergeTables } from "../data/ops/merge.js";
import { pivotLonger, pivotWider } from "../data/ops/reshape.js";
import { formatStackReport } from "../data/ops/stack.js";
import { formatReport, getReader, type ReaderOptions } from "../data/readers/index.js";
import { readStack } from "../data/stackFiles.js";
import { type Column, numericColumn, stringAt, stringColumn, Table } from "../data/table.js";
import { dataError, MobilityError, usageError } from "../errors.js";
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

  private recordInput(file: string, path: string, at: Path): void {
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      throw this.error(at, `cannot read ${file} (${code})`, "data");
    }
    this.inputs.push({ file, sha256: createHash("sha256").update(bytes).digest("hex"), bytes: bytes.length });
  }

  private async readSource(name: string, source: SourceSpec): Promise<Table> {
    if (source.reader !== "csv" && (source.missing || source.types)) {
      throw this.error(
        ["data", "sources", name],
        `missing and types apply to the csv reader only (the ${source.reader} reader has its own layout)`,
        "usage",
      );
    }
    const format = {
      ...(source.sheet !== undefined ? { sheet: source.sheet } : {}),
      ...(source.skip !== undefined ? { skip: source.skip } : {}),
      ...(source.value_labels !== undefined ? { valueLabels: source.value_labels } : {}),
    };
    const options: ReaderOptions = {
      ...(source.options ?? {}),
      ...(Object.keys(format).length > 0 ? { format } : {}),
    };
    if (source.files !== undefined) return this.readStackedSource(name, source, format, options);
    const file = source.file as string;
    const path = resolve(this.specDir, file);
    this.recordInput(file, path, ["data", "sources", name, "file"]);
    const display = (text: string) => text.split(path).join(file);
    try {
      if (source.reader === "csv") {
        const notes: string[] = [];
        let table = await readCsv(path, {
          ...(source.missing ? { missing: source.missing } : {}),
          ...(source.types ? { types: source.types } : {}),
          ...(source.columns ? { columns: source.columns } : {}),
          ...format,
          onNote: (note) => notes.push(note),
        });
        table = new Table(table.columns, table.nrows, file);
        this.report.push(
          `source ${name}: ${file} (csv): ${table.nrows} rows, ${table.columns.length} columns`,
        );
        for (const note of notes) this.report.push(`  note: ${note}`);
        return table;
      }
      const { table, report } = await getReader(source.reader)(path, options);
      this.report.push(`source ${name}: ${display(formatReport(report)).trimEnd()}`);
      const selected = source.columns ? source.columns.map((c) => table.column(c)) : table.columns;
      return new Table(selected, table.nrows, file);
    } catch (error) {
      if (error instanceof MobilityError && !error.message.startsWith(this.specFile)) {
        throw new MobilityError(error.kind, display(error.message));
      }
      throw error;
    }
  }

  /** A source with `files`: every file read with the source's reader, stacked (ops/stack.ts). */
  private async readStackedSource(
    name: string,
    source: SourceSpec,
    format: { sheet?: string | number; skip?: number; valueLabels?: "auto" | "labels" | "codes" },
    options: ReaderOptions,
  ): Promise<Table> {
    const entries = typeof source.files === "string" ? [source.files] : (source.files ?? []);
    const explicit = entries.filter((e) => typeof e !== "string");
    if (explicit.length > 0 && explicit.length !== entries.length) {
      throw this.error(["data", "sources", name, "files"], "give a tag for every file or for none", "usage");
    }
    const tagName = typeof source.tag === "string" ? source.tag : source.tag?.name;
    if (explicit.length > 0 && tagName === undefined) {
      throw this.error(
        ["data", "sources", name, "tag"],
        "files with tags need the tag column's name (tag: year)",
        "usage",
      );
    }
    const pattern = typeof source.tag === "object" ? source.tag.pattern : undefined;
    try {
      const result = await readStack({
        files: entries.map((e) => (typeof e === "string" ? e : e.file)),
        baseDir: this.specDir,
        ...(tagName !== undefined ? { tag: tagName } : {}),
        ...(pattern !== undefined ? { tagPattern: pattern } : {}),
        ...(explicit.length > 0 ? { tags: explicit.map((e) => (e as { tag: string | number }).tag) } : {}),
        reader: source.reader,
        readerOptions: options,
        ...(source.columns ? { columns: source.columns } : {}),
        ...(source.missing ? { missing: source.missing } : {}),
        ...(source.types ? { types: source.types } : {}),
        format,
      });
      for (const file of result.files)
        this.recordInput(file, resolve(this.specDir, file), ["data", "sources", name, "files"]);
      this.report.push(`source ${name}: ${formatStackReport(result.report).trimEnd()}`);
      for (const report of result.readerReports) {
        this.report.push(
          ...formatReport(report)
            .trimEnd()
            .split("\n")
            .map((line) => `  ${line}`),
        );
      }
      return new Table(result.table.columns, result.table.nrows, name);
    } catch (error) {
      if (error instanceof MobilityError && !error.message.startsWith(this.specFile)) {
        throw this.error(
          ["data", "sources", name, "files"],
          error.message.split(`${this.specDir}/`).join(""),
          error.kind,
        );
      }
      throw error;
    }
  }

  /** Applies steps in order; `at` is the spec path of the step list (for error messages). */
  async applySteps(input: Table, steps: readonly StepSpec[], at: Path): Promise<Table> {
    let table = input;
    const context: StepContext = {};
    for (const [index, step] of steps.entries()) {
      const path = [...at, index];
      try {
        table = await this.step(table, step, path, context);
      } catch (error) {
        if (error instanceof MobilityError && !error.message.startsWith(this.specFile)) {
          throw this.error(path, error.message, error.kind);
        }
        throw error;
      }
    }
    return table;
  }

  private async step(table: Table, step: StepSpec, path: Path, context: StepContext): Promise<Table> {
    const panel = context.panel ? { panel: context.panel } : {};
    if ("filter" in step) {
      const conditions = typeof step.filter === "string" ? [step.filter] : step.filter;
      let out = table;
      for (const condition of conditions) {
        const before = out.nrows;
        const result = filterRows(out, condition, undefined, panel);
        out = result.table;
        const undecided = result.undecided > 0 ? ` (${result.undecided} where the condition is NA)` : "";
        this.report.push(`  filter ${condition}: ${before} -> ${out.nrows} rows${undecided}`);
        for (const note of result.notes) this.report.push(`    note: ${note}`);
      }
      return out;
    }
    if ("derive" in step) {
      let out = table;
      for (const [name, spec] of Object.entries(step.derive)) {
        const { column, notes } = deriveColumn(out, name, spec, context.panel);
        out = out.withColumns([column]);
        this.report.push(`  derive ${name} = ${describeDerive(spec)}`);
        for (const note of notes) this.report.push(`    note: ${note}`);
      }
      return out;
    }
    if ("panel" in step) {
      for (const name of [step.panel.unit, step.panel.time]) table.column(name);
      context.panel = {
        unit: step.panel.unit,
        time: step.panel.time,
        ...(step.panel.step !== undefined ? { step: step.panel.step } : {}),
      };
      this.report.push(
        `  panel: unit ${step.panel.unit}, time ${step.panel.time}${step.panel.step ? `, step ${step.panel.step}` : ""}`,
      );
      return table;
    }
    if ("aggregate" in step) {
      const a = step.aggregate;
      const { table: out, report } = aggregateWithReport(table, {
        by: a.by,
        ...(a.sum ? { sum: a.sum } : {}),
        ...(a.mean ? { mean: a.mean } : {}),
        ...(a.ratio ? { ratio: a.ratio } : {}),
        ...(a.weight ? { weight: a.weight } : {}),
        count: a.count === true,
      });
      this.report.push(
        ...formatAggregateReport(report, a.by)
          .trimEnd()
          .split("\n")
          .map((line) => `  ${line}`),
      );
      return out;
    }
    if ("wider" in step) {
      const w = step.wider;
      const out = pivotWider(table, {
        ...(w.id ? { id: w.id } : {}),
        namesFrom: w.names_from,
        valuesFrom: w.values_from,
        ...(w.names_prefix !== undefined ? { namesPrefix: w.names_prefix } : {}),
        ...(w.names_sep !== undefined ? { namesSep: w.names_sep } : {}),
      });
      this.report.push(`  wider: ${table.nrows} rows -> ${out.nrows} rows, ${out.columns.length} columns`);
      return out;
    }
    if ("distinct" in step) {
      const d = step.distinct;
      const { table: out, report } = distinctRows(table, d.on ?? [], d.keep);
      this.report.push(`  ${formatDistinctReport(report)}`);
      return out;
    }
    if ("drop" in step) {
      for (const name of step.drop) table.column(name);
      const dropped = new Set(step.drop);
      return new Table(
        table.columns.filter((c) => !dropped.has(c.name)),
        table.nrows,
        table.source,
      );
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
        missingKeys: m.missing_keys,
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

interface StepContext {
  /** Set by a `panel` step: unit and time for l(), f(), d() in later steps. */
  panel?: PanelSpec;
}

// ---------------------------------------------------------------------------------------------------------------
// derive
// ---------------------------------------------------------------------------------------------------------------

const GROUP_STATS = [
  "median",
  "quantile",
  "winsorize",
  "split",
  "mean",
  "sum",
  "min",
  "max",
  "sd",
  "n",
] as const;

function describeDerive(spec: DeriveSpec): string {
  if (typeof spec === "string") return spec;
  const within = "within" in spec && spec.within ? ` within ${spec.within.join(", ")}` : "";
  if ("standardize" in spec) {
    return `standardize(${spec.standardize})${within}${spec.weight ? ` weighted by ${spec.weight}` : ""}`;
  }
  if ("concat" in spec) return `concat(${spec.concat.join(", ")}, sep = "${spec.sep}")`;
  if ("quantile" in spec) return `quantile(${spec.quantile}, p = ${spec.p}, type = ${spec.type})${within}`;
  if ("winsorize" in spec)
    return `winsorize(${spec.winsorize}, p = [${spec.p.join(", ")}], type = ${spec.type})${within}`;
  if ("split" in spec)
    return `split(${spec.split}, quantiles = ${spec.quantiles}, type = ${spec.type})${within}`;
  if ("median" in spec) return `median(${spec.median})${within}`;
  const stat = GROUP_STATS.find((k) => k in spec) as string;
  const weight = "weight" in spec && spec.weight ? ` weighted by ${spec.weight}` : "";
  return `${stat}(${(spec as Record<string, unknown>)[stat]})${within}${weight}`;
}

/** The numbers of an expression (for group statistics). */
function numbersOf(table: Table, expression: string, panel: PanelSpec | undefined): Float64Array {
  const { column } = deriveExpression(table, "_", expression, panel ? { panel } : {});
  if (column.kind !== "number") throw usageError(`'${expression}' is text; a group statistic needs numbers`);
  return column.values;
}

export function deriveColumn(
  table: Table,
  name: string,
  spec: DeriveSpec,
  panel?: PanelSpec,
): { column: Column; notes: string[] } {
  if (typeof spec === "string") return deriveExpression(table, name, spec, panel ? { panel } : {});
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
    return { column: stringColumn(name, values), notes: [] };
  }
  const { groups, count } = groupIndex(
    (spec.within ?? []).map((c) => table.column(c)),
    table.nrows,
  );
  const weightOf = (w: string | undefined) => (w === undefined ? undefined : table.numeric(w).values);
  let values: Float64Array;
  if ("standardize" in spec) {
    values = standardizeWithin(
      numbersOf(table, spec.standardize, panel),
      groups,
      count,
      weightOf(spec.weight),
    );
  } else if ("median" in spec) {
    values = groupQuantile(numbersOf(table, spec.median, panel), groups, count, 0.5, spec.type);
  } else if ("quantile" in spec) {
    values = groupQuantile(numbersOf(table, spec.quantile, panel), groups, count, spec.p, spec.type);
  } else if ("winsorize" in spec) {
    values = winsorize(
      numbersOf(table, spec.winsorize, panel),
      groups,
      count,
      spec.p[0],
      spec.p[1],
      spec.type,
    );
  } else if ("split" in spec) {
    values = quantileSplit(numbersOf(table, spec.split, panel), groups, count, spec.quantiles, spec.type);
  } else {
    const stat = (["mean", "sum", "min", "max", "sd", "n"] as const).find((k) => k in spec);
    if (stat === undefined) throw usageError(`derive ${name}: unknown form`);
    const expression = (spec as Record<string, unknown>)[stat] as string;
    const weight = "weight" in spec ? weightOf(spec.weight as string | undefined) : undefined;
    values = groupSummary(numbersOf(table, expression, panel), groups, count, stat, weight);
  }
  return { column: numericColumn(name, values), notes: [] };
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
