/**
 * Property tests of the formula parser on hostile input (issue 16): any nesting depth, any number of terms, any
 * magnitude of a number literal, any string at all. The parser must either return a formula or throw a usage
 * error (one line, exit 2): never a stack overflow, never a number silently turned into 0 or Infinity. Sources of
 * truth: the parser's documented limits (MAX_FORMULA_NESTING, MAX_FORMULA_TERMS) and IEEE 754 (Number()).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MobilityError } from "../../src/errors.js";
import type { Expr } from "../../src/formula/ast.js";
import {
  MAX_FORMULA_NESTING,
  MAX_FORMULA_TERMS,
  parseExpression,
  parseFormula,
} from "../../src/formula/parser.js";

/** The parse result, or the error's kind and message; any other exception fails the property. */
function attempt(
  text: string,
  parse: (t: string) => unknown = parseFormula,
): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: parse(text) };
  } catch (error) {
    if (!(error instanceof MobilityError) || error.kind !== "usage") throw error;
    expect(error.message).not.toMatch(/[\r\n]/);
    return { ok: false, message: error.message };
  }
}

/** The number literal inside `I(x * <literal>)`. */
function literalOf(expr: Expr): number {
  if (expr.type === "call") return literalOf(expr.args[0] as Expr);
  if (expr.type === "binary") return literalOf(expr.right);
  if (expr.type === "paren") return literalOf(expr.inner);
  if (expr.type === "num") return expr.value;
  throw new Error(`unexpected ${expr.type}`);
}

const opener = fc.constantFrom("(", "log(", "I(", "exp(", "-", "+", "sqrt(");

describe("formula parser under hostile input (fast-check)", () => {
  it("nesting of any depth parses below the limit and is a usage error naming the limit above it", () => {
    fc.assert(
      fc.property(fc.array(opener, { maxLength: 2 * MAX_FORMULA_NESTING + 50 }), (openers) => {
        const open = openers.join("");
        const close = openers
          .filter((o) => o.endsWith("("))
          .map(() => ")")
          .join("");
        // Inside I() a sign or a call is arithmetic; the term itself stays one term.
        const result = attempt(`y ~ I(${open}x${close})`);
        const depth = 2 + openers.length; // the formula's sum, I()'s argument, then one level per opener
        if (depth <= MAX_FORMULA_NESTING) expect(result.ok).toBe(true);
        else {
          expect(result.ok).toBe(false);
          if (!result.ok)
            expect(result.message).toContain(`nesting deeper than ${MAX_FORMULA_NESTING} levels`);
        }
      }),
      { numRuns: 60 },
    );
  });

  it("any number of terms parses up to the limit (each term kept) and is a usage error beyond it", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_FORMULA_TERMS + 500 }), (n) => {
        const result = attempt(`y ~ ${Array.from({ length: n }, (_, i) => `x${i}`).join(" + ")}`);
        if (n <= MAX_FORMULA_TERMS) {
          expect(result.ok).toBe(true);
          if (result.ok) expect((result.value as ReturnType<typeof parseFormula>).terms).toHaveLength(n);
        } else {
          expect(result.ok).toBe(false);
          if (!result.ok) expect(result.message).toContain(`more than ${MAX_FORMULA_TERMS} terms`);
        }
      }),
      { numRuns: 25 },
    );
  });

  it("a number literal of any magnitude is read exactly as IEEE 754 does, or refused when it would be 0 or Infinity", () => {
    const mantissa = fc.oneof(
      fc.integer({ min: 0, max: 999_999 }).map(String),
      fc
        .tuple(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 99_999_999 }))
        .map(([a, b]) => `${a}.${b}`),
    );
    fc.assert(
      fc.property(mantissa, fc.integer({ min: -420, max: 420 }), (m, e) => {
        const text = `${m}e${e}`;
        const expected = Number(text);
        const result = attempt(`y ~ I(x * ${text})`);
        const writtenZero = !/[1-9]/.test(m);
        if (Number.isFinite(expected) && (expected !== 0 || writtenZero)) {
          expect(result.ok).toBe(true);
          if (result.ok) {
            const term = (result.value as ReturnType<typeof parseFormula>).terms[0]?.factors[0] as Expr;
            expect(Object.is(literalOf(term), expected)).toBe(true);
          }
        } else {
          expect(result.ok).toBe(false);
          if (!result.ok) expect(result.message).toContain("outside the range of double precision");
        }
      }),
      { numRuns: 300 },
    );
  });

  it("huge and tiny literals in --lincom/--nlcom expressions are read exactly or refused", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (v) => {
        const text = Math.abs(v).toExponential(16);
        const result = attempt(`b[x] * ${text}`, parseExpression);
        expect(result.ok).toBe(true);
        if (result.ok) expect(Object.is(literalOf(result.value as Expr), Number(text))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it("any string is a formula or one usage error, never another exception", () => {
    const alphabet = fc.constantFrom(
      ..."yxz~+-*/^:|()[],=`'\" 0123456789.eEIlogé_".split(""),
      "log(",
      "i(",
      "I(",
      "((((",
      "))))",
      "\n",
      "\u0000",
      "\uFFFD",
    );
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 80 }), (parts) => {
        attempt(parts.join(""));
        attempt(parts.join(""), parseExpression);
      }),
      { numRuns: 2000 },
    );
  });

  it("interactions that would expand past the term limit are refused before they are built", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 30 }), fc.integer({ min: 2, max: 5 }), (k, degree) => {
        const vars = Array.from({ length: k }, (_, i) => `v${i}`).join(" + ");
        const result = attempt(`y ~ (${vars})^${degree}`);
        // Number of distinct interactions up to the degree: sum over d of C(k, d).
        let count = 0;
        let binomial = 1;
        for (let d = 1; d <= Math.min(degree, k); d++) {
          binomial = (binomial * (k - d + 1)) / d;
          count += binomial;
        }
        if (count <= MAX_FORMULA_TERMS) {
          expect(result.ok).toBe(true);
          if (result.ok) expect((result.value as ReturnType<typeof parseFormula>).terms).toHaveLength(count);
        } else expect(result.ok).toBe(false);
      }),
      { numRuns: 40 },
    );
  });
});
