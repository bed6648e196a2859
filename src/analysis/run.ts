/**
 * Runs a spec: data -> models (and predictions) -> tables and lists -> expectations, then writes every output
 * into one directory with a manifest that traces each result to its inputs:
 *
 *   <out>/tables/<name>.txt|.md|.tex     paper-style tables
 *   <out>/lists/<name>.csv|.md           row listings (predictions, flagged counties, ...)
 *   <out>/plots/<name>.svg|.png          figures (scatter with fitted lines, event-study paths)
 *   <out>/models.json                    every model as `--format json` (the machine interface)
 *   <out>/data_report.txt                readers' reports, row counts after each step, merge match reports
 *   <out>/manifest.json                  tool and version, sha256 of the spec and of every input file, sha256 of
 *                                        every output, and the resolved spec (defaults filled in)
 *
 * Nothing time-dependent or machine-dependent (clock, absolute paths) is written: two runs of the same spec on
 * the same inputs give byte-identical directories.
 */
import { createHash } from "node:crypto";
import { dirname, join, resolve } from "node:path";
import { stringAt, Table } from "../data/table.js";
import { MobilityError, usageError } from "../errors.js";
import { OutputSet } from "../io/atomicWrite.js";
import { extensionOf, writeDocument } from "../report/formats.js";
import { renderJson } from "../report/json.js";
import { listDocument } from "../report/listTable.js";
import { VERSION } from "../version.js";
import { type CheckReport, checkExpectations } from "./check.js";
import { counterfactualTable } from "./counterfactual.js";
import { DataRunner, type InputFile } from "./data.js";
import { loadSpecFile } from "./load.js";
import { estimateModels, type FittedModel } from "./models.js";
import { renderPlot } from "./plots.js";
import type { ListSpec, Spec } from "./schema.js";
import { renderSpecTable } from "./tables.js";

export interface RunOptions {
  /** Output directory (default: `output/` next to the spec). */
  out?: string;
  /** Write the output files (default true). */
  write?: boolean;
}

export interface Manifest {
  tool: "mobility";
  version: string;
  name: string;
  spec: { file: string; sha256: string };
  inputs: InputFile[];
  outputs: { file: string; sha256: string; bytes: number }[];
  resolved_spec: Spec;
}

export interface RunResult {
  outDir: string;
  /** Output files by path relative to outDir (manifest.json included), in write order; PNG plots are bytes. */
  files: Map<string, string | Buffer>;
  manifest: Manifest;
  check: CheckReport;
  models: Map<string, FittedModel>;
  lists: Map<string, Table>;
}

const sha256 = (text: string | Buffer) => createHash("sha256").update(text).digest("hex");

export async function runSpec(specPath: string, options: RunOptions = {}): Promise<RunResult> {
  const loaded = loadSpecFile(specPath);
  const { spec } = loaded;
  const specDir = dirname(resolve(specPath));
  const specFile = specPath.split(/[\\/]/).pop() ?? specPath;
  const data = new DataRunner(spec, specDir, specFile, loaded.lineOf);

  // Read every table the analysis uses up front, in spec order, so that the data report reads top-down; tables
  // built from a model's output (coefficients, fixed effects, predictions, counterfactuals) wait for the model.
  const pending = modelOutputs(spec);
  const deferred = Object.keys(spec.data.tables).filter((name) => dependsOn(spec, name, pending));
  for (const name of Object.keys(spec.data.tables)) {
    if (!deferred.includes(name)) await data.table(name, ["data", "tables", name]);
  }
  if (
    Object.keys(spec.models).length === 0 &&
    Object.keys(spec.lists).length === 0 &&
    Object.keys(spec.plots).length === 0
  ) {
    throw usageError(`${specFile}: nothing to do (no models, lists or plots)`);
  }
  const models = await estimateModels(spec, data);
  for (const model of models.values()) data.report.push(...model.notes);
  for (const [name, cf] of Object.entries(spec.counterfactuals)) {
    const at = ["counterfactuals", name];
    const fitted = models.get(cf.model);
    if (fitted === undefined) {
      throw data.error(
        [...at, "model"],
        `no model named '${cf.model}' (models: ${[...models.keys()].join(", ")})`,
        "usage",
      );
    }
    const rows = await data.table(cf.data ?? fitted.spec.data, [...at, "data"]);
    const notes: string[] = [];
    try {
      data.register(name, counterfactualTable(cf, fitted, rows, notes));
    } catch (error) {
      if (error instanceof MobilityError) throw data.error(at, error.message, error.kind);
      throw error;
    }
    data.report.push(
      ...notes.map((n) => `counterfactual ${name} of model ${cf.model}${n.slice("counterfactual".length)}`),
    );
  }
  for (const name of deferred) await data.table(name, ["data", "tables", name]);

  const files = new Map<string, string | Buffer>();
  for (const [name, table] of Object.entries(spec.tables)) {
    try {
      for (const [file, text] of renderSpecTable(name, table, models, VERSION)) files.set(file, text);
    } catch (error) {
      if (error instanceof MobilityError) throw data.error(["tables", name], error.message, error.kind);
      throw error;
    }
  }
  const lists = new Map<string, Table>();
  for (const [name, list] of Object.entries(spec.lists)) {
    const table = await buildList(name, list, data);
    lists.set(name, table);
    // Every list format comes from the report's format registry (one writer per format for every table).
    const doc = listDocument(table, { digits: list.digits });
    for (const format of list.formats)
      files.set(`lists/${name}.${extensionOf(format)}`, writeDocument(doc, format));
  }
  if (models.size > 0) {
    files.set(
      "models.json",
      renderJson({
        tool: "mobility",
        version: VERSION,
        models: [...models.values()].flatMap((m) => m.results),
      }),
    );
  }
  for (const [name, plot] of Object.entries(spec.plots)) {
    const at = ["plots", name];
    try {
      const rendered = await renderPlot(name, plot, {
        table: (table) => data.table(table, [...at, "data"]),
        applySteps: (table, steps) => data.applySteps(table, steps, [...at, "steps"]),
        models,
        specDir,
        addInput: (input) => data.inputs.push(input),
        report: (line) => data.report.push(line),
        warn: (message) => data.report.push(`plot ${name}: ${message}`),
      });
      for (const [file, contents] of rendered.files) files.set(file, contents);
      // A plot's values (binscatter dots) can be pinned by expectations as a list of the plot's name.
      if (rendered.table !== null && !lists.has(name)) lists.set(name, rendered.table);
    } catch (error) {
      if (error instanceof MobilityError && !error.message.startsWith(specFile)) {
        throw data.error(at, error.message, error.kind);
      }
      throw error;
    }
  }
  files.set("data_report.txt", `${data.report.join("\n")}\n`);

  const check = checkExpectations(spec, models, lists);
  const outputs = [...files.entries()].map(([file, text]) => ({
    file,
    sha256: sha256(text),
    bytes: Buffer.byteLength(text),
  }));
  const manifest: Manifest = {
    tool: "mobility",
    version: VERSION,
    name: spec.name,
    spec: { file: specFile, sha256: sha256(loaded.text) },
    inputs: data.inputs,
    outputs,
    resolved_spec: spec,
  };
  files.set("manifest.json", `${JSON.stringify(manifest, null, 2)}\n`);

  const outDir = resolve(options.out ?? join(specDir, "output"));
  if (options.write !== false) writeRunOutputs(outDir, files);
  return { outDir, files, manifest, check, models, lists };
}

/** Names of the tables that models and counterfactuals produce. */
function modelOutputs(spec: Spec): Set<string> {
  const names = new Set<string>(Object.keys(spec.counterfactuals));
  for (const [name, model] of Object.entries(spec.models)) {
    if (model.coefficients_table) names.add(model.coefficients_table);
    if (model.fixef_table) names.add(model.fixef_table);
    if (model.predict) names.add(model.predict.name ?? `${name}_predictions`);
  }
  return names;
}

/** Whether data table `name` reads (through `from` or a merge's `with`, transitively) one of `names`. */
function dependsOn(spec: Spec, name: string, names: Set<string>, seen = new Set<string>()): boolean {
  if (names.has(name)) return true;
  const table = spec.data.tables[name];
  if (table === undefined || seen.has(name)) return false;
  seen.add(name);
  const refs = [table.from, ...table.steps.flatMap((s) => ("merge" in s ? [s.merge.with] : []))];
  return refs.some((r) => dependsOn(spec, r, names, seen));
}

/**
 * Writes every output of a run as one set (src/io/atomicWrite.ts): all files are staged first, then renamed into
 * place together, so a failure (a full disk, a path that is a directory) leaves the previous run's files, whose
 * sha256 values the previous manifest lists, exactly as they were, and no temporary or new directory behind.
 */
function writeRunOutputs(outDir: string, files: ReadonlyMap<string, string | Buffer>): void {
  const set = new OutputSet();
  try {
    for (const [file, contents] of files) {
      const path = join(outDir, file);
      set.ensureDirectory(dirname(path));
      set.stage(path, contents);
    }
  } catch (error) {
    set.abort();
    throw error;
  }
  set.commit();
}

async function buildList(name: string, list: ListSpec, data: DataRunner): Promise<Table> {
  const at = ["lists", name];
  const base = await data.table(list.from, [...at, "from"]);
  data.report.push(`list ${name} (from ${list.from}, ${base.nrows} rows)`);
  let table = await data.applySteps(base, list.steps, [...at, "steps"]);
  try {
    if (list.sort.length > 0) table = sortTable(table, list.sort);
    if (list.columns !== undefined) {
      const columns = list.columns.map((c) => table.column(c));
      table = new Table(columns, table.nrows, table.source);
    }
  } catch (error) {
    if (error instanceof MobilityError) throw data.error(at, error.message, error.kind);
    throw error;
  }
  data.report.push(`  -> ${table.nrows} rows`);
  return table;
}

/** Stable sort by the keys ('-col' descending); missing values last. */
function sortTable(table: Table, keys: readonly string[]): Table {
  const parsed = keys.map((k) => ({ desc: k.startsWith("-"), column: table.column(k.replace(/^-/, "")) }));
  const order = Array.from({ length: table.nrows }, (_, i) => i);
  order.sort((a, b) => {
    for (const { desc, column } of parsed) {
      let c: number;
      if (column.kind === "number") {
        const x = column.values[a] as number;
        const y = column.values[b] as number;
        if (Number.isNaN(x) || Number.isNaN(y)) {
          c = Number(Number.isNaN(x)) - Number(Number.isNaN(y));
          if (c !== 0) return c;
          continue;
        }
        c = x - y;
      } else {
        const x = stringAt(column, a);
        const y = stringAt(column, b);
        if (x === undefined || y === undefined) {
          c = Number(x === undefined) - Number(y === undefined);
          if (c !== 0) return c;
          continue;
        }
        c = x < y ? -1 : x > y ? 1 : 0;
      }
      if (c !== 0) return desc ? -c : c;
    }
    return a - b;
  });
  return table.take(order);
}
