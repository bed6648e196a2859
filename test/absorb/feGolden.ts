/**
 * Shared loader for test/golden/demean.json (written by scripts/golden/demean.R) and the fixtures/fe CSVs.
 * The fixtures are plain quoted CSV without embedded commas; a local reader keeps these tests independent of
 * the data layer.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  encodeFixedEffect,
  type FixedEffect,
  subsetFixedEffect,
  withSlope,
} from "../../src/absorb/fixedEffects.js";
import { type Column, numericColumn, stringColumn } from "../../src/data/table.js";

export interface GoldenFe {
  levels: string[];
  values: number[];
  references: number;
}

export interface GoldenCase {
  name: string;
  file: string;
  fe: string[];
  columns: string[];
  weights: string | null;
  slope: { fe: string; var: string } | null;
  filter: string | null;
  n: number;
  rank: number;
  demeaned: Record<string, number[]>;
  fixef: { x: string[]; y: string; coef: number[]; fe: Record<string, GoldenFe> } | null;
  slopeFixef: { x: string[]; y: string; coef: number[]; levels: string[]; values: number[] } | null;
}

const root = join(import.meta.dirname, "..", "..");

export const golden: { cases: GoldenCase[] } = JSON.parse(
  readFileSync(join(root, "test", "golden", "demean.json"), "utf8"),
);

const tables = new Map<string, Map<string, string[]>>();

function table(file: string): Map<string, string[]> {
  let t = tables.get(file);
  if (t) return t;
  const lines = readFileSync(join(root, "fixtures", "fe", file), "utf8")
    .trim()
    .split("\n");
  const split = (line: string) => line.split(",").map((s) => s.replace(/^"|"$/g, ""));
  const header = split(lines[0] as string);
  t = new Map(header.map((h) => [h, [] as string[]]));
  for (const line of lines.slice(1)) {
    const cells = split(line);
    header.forEach((h, j) => {
      t?.get(h)?.push(cells[j] as string);
    });
  }
  tables.set(file, t);
  return t;
}

export function textColumn(file: string, name: string): Column {
  return stringColumn(name, table(file).get(name) as string[]);
}

export function numbers(file: string, name: string): Float64Array {
  return Float64Array.from(table(file).get(name) as string[], Number);
}

export interface CaseData {
  fes: FixedEffect[];
  columns: Map<string, Float64Array>;
  weights: Float64Array | undefined;
  keep: Uint8Array | undefined;
}

/** The case's FEs (text-encoded; `year` of Grunfeld numerically, to cover both paths), columns and weights. */
export function caseData(c: GoldenCase): CaseData {
  const file = c.file;
  const all = numbers(file, c.columns[0] as string).length;
  const keep = c.filter ? Uint8Array.from(numbers(file, c.filter), (v) => (v === 1 ? 1 : 0)) : undefined;
  const pick = (v: Float64Array) => (keep ? v.filter((_, i) => keep[i] === 1) : v);
  let fes = c.fe.map((name) => {
    const column =
      file === "grunfeld.csv" && name === "year"
        ? numericColumn(name, numbers(file, name))
        : textColumn(file, name);
    let fe = encodeFixedEffect([column]);
    if (c.slope && c.slope.fe === name)
      fe = withSlope(fe, numericColumn(c.slope.var, numbers(file, c.slope.var)));
    return fe;
  });
  if (keep) fes = fes.map((fe) => subsetFixedEffect(fe, keep));
  const columns = new Map<string, Float64Array>();
  const names = new Set([...c.columns, ...(c.fixef?.x ?? []), ...(c.slopeFixef?.x ?? [])]);
  for (const name of names) columns.set(name, pick(numbers(file, name)));
  const weights = c.weights ? pick(numbers(file, c.weights)) : undefined;
  if (fes[0]?.ids.length !== (keep ? c.n : all)) throw new Error("fixture row count mismatch");
  return { fes, columns, weights, keep };
}

export function sd(v: Float64Array): number {
  let m = 0;
  for (const x of v) m += x;
  m /= v.length;
  let s = 0;
  for (const x of v) s += (x - m) * (x - m);
  return Math.sqrt(s / (v.length - 1));
}
