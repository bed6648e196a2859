/**
 * Linear and nonlinear combinations of estimated coefficients with delta-method standard errors:
 *   --lincom "b[log_ppe] + 10*b[log_ppe:pc]"      (Stata's lincom)
 *   --nlcom "-b[x]/(2*b[I(x^2)])"                 (Stata's nlcom: a turning point)
 * The expression is parsed with the formula grammar; `b[term]` names a coefficient exactly as the table prints
 * it (or quoted: b["log(ppe)"]). It is evaluated with forward-mode automatic differentiation (dual numbers), so
 * the gradient is exact, and Var = g' V g. For a linear combination the delta method is exact.
 */
import { Matrix } from "ml-matrix";
import { estimationError, usageError } from "../errors.js";
import type { Expr } from "../formula/ast.js";
import { deparse } from "../formula/deparse.js";
import { parseExpression } from "../formula/parser.js";
import type { ModelResult } from "../model/result.js";
import { criticalValue, twoSidedPValue } from "./distributions.js";

export interface CombinationResult {
  expression: string;
  kind: "lincom" | "nlcom";
  estimate: number;
  std_error: number;
  statistic: number;
  p_value: number;
  conf_low: number;
  conf_high: number;
  /** The combination's own degrees of freedom, when they are not the model's (CR2/CR3). */
  df?: number;
}

/** A value with its gradient with respect to the coefficients, and whether it is still linear in them. */
interface Dual {
  value: number;
  gradient: Float64Array;
  linear: boolean;
  constant: boolean;
}

const FUNCTIONS: Record<string, [(x: number) => number, (x: number) => number]> = {
  log: [Math.log, (x) => 1 / x],
  exp: [Math.exp, Math.exp],
  sqrt: [Math.sqrt, (x) => 0.5 / Math.sqrt(x)],
  abs: [Math.abs, (x) => Math.sign(x)],
};

/**
 * The value of a combination and its exact gradient with respect to the coefficients (dual numbers); a lincom that
 * is not linear in them is a usage error. The gradient of a lincom is its contrast vector.
 */
export function evaluateCombination(
  kind: "lincom" | "nlcom",
  expression: string,
  terms: readonly string[],
  estimates: Float64Array,
): { value: number; gradient: Float64Array } {
  const k = terms.length;
  const constant = (value: number): Dual => ({
    value,
    gradient: new Float64Array(k),
    linear: true,
    constant: true,
  });
  const fail = (expr: Expr, what: string) =>
    usageError(`${kind} "${expression}" at position ${expr.pos + 1}: ${what}`);

  // The innermost sub-expression whose value or gradient stops being finite (1/(b[x]-b[x]) divides by zero):
  // the error names it, since a combination that is not finite at the estimates has no meaning to report.
  let firstNonFinite: { expr: Expr; gradient: boolean; value: number } | null = null;
  const evaluate = (expr: Expr): Dual => {
    const result = evaluateNode(expr);
    if (firstNonFinite === null) {
      if (!Number.isFinite(result.value)) firstNonFinite = { expr, gradient: false, value: result.value };
      else if (result.gradient.some((g) => !Number.isFinite(g)))
        firstNonFinite = { expr, gradient: true, value: result.value };
    }
    return result;
  };
  const evaluateNode = (expr: Expr): Dual => {
    switch (expr.type) {
      case "num":
        return constant(expr.value);
      case "paren":
        return evaluate(expr.inner);
      case "unary": {
        const a = evaluate(expr.arg);
        return expr.op === "+" ? a : { ...a, value: -a.value, gradient: a.gradient.map((g) => -g) };
      }
      case "call": {
        if (expr.fn === "[" || expr.fn === "[[") return coefficient(expr);
        const fn = FUNCTIONS[expr.fn];
        if (fn === undefined || expr.args.length !== 1) {
          throw fail(expr, `unknown function ${expr.fn}() (available: ${Object.keys(FUNCTIONS).join(", ")})`);
        }
        const a = evaluate(expr.args[0] as Expr);
        const slope = fn[1](a.value);
        return {
          value: fn[0](a.value),
          gradient: a.gradient.map((g) => g * slope),
          linear: a.constant,
          constant: a.constant,
        };
      }
      case "binary":
        return binary(expr.op, evaluate(expr.left), evaluate(expr.right), expr);
      case "var":
        throw fail(expr, `write coefficients as b[${expr.name}]`);
      case "str":
        throw fail(expr, "a quoted string outside b[...]");
    }
  };

  const coefficient = (expr: Extract<Expr, { type: "call" }>): Dual => {
    const [base, inner] = expr.args;
    if (base?.type !== "var" || (base.name !== "b" && base.name !== "_b") || inner === undefined) {
      throw fail(expr, "coefficients are written b[term]");
    }
    const name = inner.type === "str" ? inner.value : deparse(inner);
    const j = terms.indexOf(name);
    if (j < 0) throw fail(expr, `no coefficient '${name}' (coefficients: ${terms.join(", ")})`);
    const gradient = new Float64Array(k);
    gradient[j] = 1;
    return { value: estimates[j] as number, gradient, linear: true, constant: false };
  };

  const binary = (op: string, a: Dual, b: Dual, expr: Expr): Dual => {
    const combine = (value: number, da: number, db: number, linear: boolean): Dual => ({
      value,
      gradient: a.gradient.map((g, j) => da * g + db * (b.gradient[j] as number)),
      linear,
      constant: a.constant && b.constant,
    });
    switch (op) {
      case "+":
        return combine(a.value + b.value, 1, 1, a.linear && b.linear);
      case "-":
        return combine(a.value - b.value, 1, -1, a.linear && b.linear);
      case "*":
        return combine(
          a.value * b.value,
          b.value,
          a.value,
          (a.constant && b.linear) || (b.constant && a.linear),
        );
      case "/":
        return combine(
          a.value / b.value,
          1 / b.value,
          -a.value / (b.value * b.value),
          a.linear && b.constant,
        );
      case "^":
        return combine(
          a.value ** b.value,
          b.value * a.value ** (b.value - 1),
          a.value > 0 ? a.value ** b.value * Math.log(a.value) : 0,
          a.constant && b.constant,
        );
      default:
        throw fail(expr, `'${op}' is not an arithmetic operator`);
    }
  };

  let parsed: Expr;
  try {
    parsed = parseExpression(expression);
  } catch (error) {
    throw usageError(`${kind}: ${(error as Error).message}`);
  }
  const result = evaluate(parsed);
  if (kind === "lincom" && !result.linear) {
    throw usageError(`lincom "${expression}" is not linear in the coefficients: use nlcom`);
  }
  const bad = firstNonFinite as { expr: Expr; gradient: boolean; value: number } | null;
  if (bad !== null) {
    const part = deparse(bad.expr);
    throw estimationError(
      bad.gradient
        ? `${kind} "${expression}": the derivative of ${part} (at position ${bad.expr.pos + 1}) is not finite at the estimates, so the delta method gives no standard error`
        : `${kind} "${expression}": ${part} (at position ${bad.expr.pos + 1}) is ${Number.isNaN(bad.value) ? "undefined" : "not finite"} at the estimates (a division by zero or a function outside its domain)`,
    );
  }
  return { value: result.value, gradient: result.gradient };
}

export function combination(
  kind: "lincom" | "nlcom",
  expression: string,
  terms: readonly string[],
  estimates: Float64Array,
  vcov: Matrix,
  dfT: number,
  level: number,
  /** Degrees of freedom of the combination with this gradient, when they depend on it (CR2/CR3). */
  dfFor?: (gradient: Float64Array) => number,
): CombinationResult {
  const k = terms.length;
  const result = evaluateCombination(kind, expression, terms, estimates);
  let variance = 0;
  for (let a = 0; a < k; a++) {
    for (let c = 0; c < k; c++) {
      variance += (result.gradient[a] as number) * vcov.get(a, c) * (result.gradient[c] as number);
    }
  }
  const se = Math.sqrt(variance);
  const statistic = result.value / se;
  // Degrees of freedom that depend on the combination (CR2/CR3's Satterthwaite df of the gradient).
  const df = dfFor ? dfFor(result.gradient) : dfT;
  const q = criticalValue(level, df);
  return {
    expression,
    kind,
    estimate: result.value,
    std_error: se,
    statistic,
    p_value: twoSidedPValue(statistic, df),
    conf_low: result.value - q * se,
    conf_high: result.value + q * se,
    ...(dfFor ? { df } : {}),
  };
}

/**
 * A combination of a reported model's coefficients, using its covariance and t degrees of freedom. A model whose
 * coefficients carry no test (a perfect fit, src/inference/diagnostics.ts) gives a combination without one too.
 */
export function modelCombination(
  kind: "lincom" | "nlcom",
  expression: string,
  model: ModelResult,
  level: number,
  dfFor?: (gradient: Float64Array) => number,
): CombinationResult {
  const result = combination(
    kind,
    expression,
    model.coefficients.map((c) => c.term),
    Float64Array.from(model.coefficients, (c) => c.estimate),
    new Matrix(model.vcov_matrix),
    model.vcov.df_t,
    level,
    dfFor,
  );
  const untested = model.coefficients.length > 0 && model.coefficients.every((c) => Number.isNaN(c.p_value));
  return untested ? { ...result, statistic: Number.NaN, p_value: Number.NaN } : result;
}
