/**
 * Which text tokens mean "missing", and how a token is classified while a column's type is inferred.
 *
 * Defaults follow what our files use: empty (Atlas, F-33), NA (R exports) and "." (Stata exports, TEA files).
 */
export const DEFAULT_MISSING_TOKENS: readonly string[] = ["", "NA", "."];

/** A plain decimal or scientific number: what R's type.convert and Stata's destring accept, minus hex and Inf. */
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
/** An integer written with a leading zero ("01001", "0480001"): an identifier, never a quantity. */
const LEADING_ZERO_CODE = /^0\d+$/;
/** An integer of 16 or more digits: beyond 2^53 a double cannot hold it (9007199254740993 reads as ...992). */
const LONG_INTEGER = /^[+-]?\d{16,}$/;

export type TokenClass = "missing" | "number" | "text";

export function classifyToken(token: string, missing: ReadonlySet<string>): TokenClass {
  if (missing.has(token)) return "missing";
  if (LEADING_ZERO_CODE.test(token)) return "text";
  // Integers a double cannot hold exactly are identifiers (record ids, NCES codes): kept as their text, so two
  // ids that differ beyond 2^53 stay distinct and are written back unchanged (fread reads them as integer64).
  if (LONG_INTEGER.test(token) && !Number.isSafeInteger(Number(token))) return "text";
  return NUMBER.test(token) ? "number" : "text";
}

export function isNumberToken(token: string): boolean {
  return NUMBER.test(token);
}

export function missingSet(extra: readonly string[] = []): Set<string> {
  return new Set([...DEFAULT_MISSING_TOKENS, ...extra]);
}
