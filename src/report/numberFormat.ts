/**
 * Deterministic number formatting for every output format. Nothing here depends on the locale: "." as the decimal
 * mark, "," as the thousands separator of counts in paper tables (3,119 as fixest's etable prints N; never in
 * CSV or JSON), and the same bytes on every machine.
 *
 * - Tables (text, Markdown, LaTeX): a fixed number of decimals (`digits`, default 4); a value that rounds to zero
 *   prints as "0.0000", never "-0.0000"; NaN prints as "" (an empty cell); infinities print as "Inf" / "-Inf";
 *   counts (observations, clusters) with thousands separators unless asked not to.
 * - CSV: full precision (the shortest decimal that reads back as the same double), so scripts lose nothing;
 *   NaN is "" (read as missing by R, pandas and Stata), infinities are "Inf" / "-Inf" (read by R and pandas).
 * - JSON: see `jsonNumber`.
 *
 * Rounding is JavaScript's `toFixed`, i.e. of the exact binary value (as C's printf), with exact ties away from zero.
 */
import { usageError } from "../errors.js";

export const DEFAULT_DIGITS = 4;
export const MAX_DIGITS = 15;

/** Throws a usage error unless `digits` is an integer in 0..MAX_DIGITS (it usually comes from `--digits`). */
export function checkDigits(digits: number): number {
  if (!Number.isInteger(digits) || digits < 0 || digits > MAX_DIGITS) {
    throw usageError(`digits must be an integer from 0 to ${MAX_DIGITS}, got ${digits}`);
  }
  return digits;
}

function nonFinite(x: number): string {
  if (Number.isNaN(x)) return "";
  return x > 0 ? "Inf" : "-Inf";
}

/** Removes the sign of a zero: "-0.0000" -> "0.0000", "-0" -> "0". */
function unsignZero(text: string): string {
  return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text;
}

/** `x` with exactly `digits` decimals: 0.12345 -> "0.1235", -0.00001 -> "0.0000", NaN -> "". */
export function formatFixed(x: number, digits: number = DEFAULT_DIGITS): string {
  if (!Number.isFinite(x)) return nonFinite(x);
  return unsignZero(x.toFixed(checkDigits(digits)));
}

/**
 * A count (observations, clusters) as an integer: 12345 -> "12345", or with `thousands` "12,345"; NaN -> "".
 */
export function formatCount(x: number, thousands = false): string {
  if (!Number.isFinite(x)) return nonFinite(x);
  const text = unsignZero(Math.round(x).toFixed(0));
  return thousands ? groupThousands(text) : text;
}

/** "1234567" -> "1,234,567", "-1234.5" -> "-1,234.5": commas between groups of three integer digits. */
export function groupThousands(text: string): string {
  const m = /^(-?)(\d+)(.*)$/.exec(text);
  if (!m) return text;
  return `${m[1]}${(m[2] as string).replace(/\B(?=(\d{3})+$)/g, ",")}${m[3]}`;
}

/** Full precision for machine-readable text: the shortest round-trip decimal (may use exponent notation). */
export function formatFull(x: number): string {
  if (!Number.isFinite(x)) return nonFinite(x);
  return Object.is(x, -0) ? "0" : String(x);
}

/** How a number is written in JSON: finite numbers as themselves (-0 as 0), NaN as null, infinities as strings. */
export type JsonNumber = number | null | "Infinity" | "-Infinity";

/**
 * JSON has no NaN or Infinity. NaN (a statistic that does not exist, e.g. an undefined R²) becomes `null`;
 * +/-Infinity (e.g. `df_t` = Infinity, meaning normal-based inference) becomes the string "Infinity" /
 * "-Infinity", so that it stays distinguishable from a missing value and reads back exactly (`parseOutputJson`).
 */
export function jsonNumber(x: number): JsonNumber {
  if (Number.isNaN(x)) return null;
  if (x === Number.POSITIVE_INFINITY) return "Infinity";
  if (x === Number.NEGATIVE_INFINITY) return "-Infinity";
  return Object.is(x, -0) ? 0 : x;
}
