/** Parsing of option values shared by several commands. */
import type { ColumnType } from "../data/columnBuilder.js";
import { usageError } from "../errors.js";
import { BOOT_WEIGHT_TYPES, type BootType, type BootWeightType } from "../inference/wildBootstrap/index.js";
import { findFormat, formatForPath } from "../report/formats.js";
import type { OutputFormat } from "../report/render.js";

/** "a,b , c" -> ["a","b","c"]; undefined stays undefined. */
export function parseListOption(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/** "fips:string,year:number" -> { fips: "string", year: "number" }. */
export function parseTypesOption(value: string | undefined): Record<string, ColumnType> | undefined {
  const items = parseListOption(value);
  if (items === undefined) return undefined;
  const types: Record<string, ColumnType> = {};
  for (const item of items) {
    const [name, type] = item.split(":").map((s) => s.trim());
    if (!name || (type !== "string" && type !== "number")) {
      throw usageError(`--types: expected column:string or column:number, found '${item}'`);
    }
    types[name] = type;
  }
  return types;
}

export function parseNumberOption(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= min || n >= max) {
    throw usageError(`${name}: expected a number between ${min} and ${max} (exclusive), found '${value}'`);
  }
  return n;
}

/** --format if given, else the format --out's extension implies, else text. */
export function outputFormatOption(format: string | undefined, out: string | undefined): OutputFormat {
  if (format) return findFormat(format).name as OutputFormat;
  return (out ? formatForPath(out) : "text") as OutputFormat;
}

/** --digits: decimals in text, Markdown and LaTeX tables. */
export function parseDigitsOption(value: string | undefined): number {
  const digits = Number(value);
  if (!Number.isInteger(digits) || digits < 0 || digits > 12) {
    throw usageError(`--digits: expected a whole number from 0 to 12, found '${value}'`);
  }
  return digits;
}

/** --boot-type and --boot-weights of the wild cluster bootstrap (regress, eventstudy): checked, typed. */
export function parseWildBootstrapKind(
  type: string | undefined,
  weights: string | undefined,
): { type: BootType | undefined; weights: BootWeightType | undefined } {
  if (type !== undefined && type !== "wcr" && type !== "wcu")
    throw usageError(`--boot-type: expected wcr or wcu, found '${type}'`);
  if (weights !== undefined && !(BOOT_WEIGHT_TYPES as readonly string[]).includes(weights))
    throw usageError(`--boot-weights: expected one of ${BOOT_WEIGHT_TYPES.join(", ")}, found '${weights}'`);
  return { type, weights: weights as BootWeightType | undefined };
}
