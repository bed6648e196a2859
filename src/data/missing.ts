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

export type TokenClass = "missing" | "number" | "text";

export function classifyToken(token: string, missing: ReadonlySet<string>): TokenClass {
  if (missing.has(token)) return "missing";
  if (LEADING_ZERO_CODE.test(token)) return "text";
  return NUMBER.test(token) ? "number" : "text";
}

export function isNumberToken(token: string): boolean {
  return NUMBER.test(token);
}

export function missingSet(extra: readonly string[] = []): Set<string> {
  return new Set([...DEFAULT_MISSING_TOKENS, ...extra]);
}
