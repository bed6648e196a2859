/**
 * Evaluates the numeric expressions of a formula (`x`, `log(x)`, `I(x^2)`, `I(a/b)`) over every row of a
 * table. Arithmetic is carried in double-double (a `lo` correction array next to the double values) so that a
 * polynomial term like I(x^10) is exact to ~32 digits before the solver sees it: rounding x^10 to double alone
 * costs eight significant digits on NIST's Filip problem. Elementary functions are evaluated in double.
 */
import { isNumberToken } from "../data/missing.js";
import type { StringColumn, Table } from "../data/table.js";
import { dataError } from "../errors.js";
import { twoProd, twoSum } from "../numeric/doubleDouble.js";
import type { Expr } from "./ast.js";
import { deparse } from "./deparse.js";
import { formulaError } from "./lexer.js";

export interface NumericValues {
  hi: Float64Array;
  /** Rounding error of hi (value = hi + lo), or null where hi is exact or no better is known. */
  lo: Float64Array | null;
}

const FUNCTIONS: Record<string, (x: number) => number> = {
  log: Math.log,
  exp: Math.exp,
  sqrt: Math.sqrt,
  abs: Math.abs,
  log10: Math.log10,
  log2: Math.log2,
  log1p: Math.log1p,
  expm1: Math.expm1,
};

export function evaluateNumeric(expr: Expr, table: Table, formula: string): NumericValues {
  const n = table.nrows;
  switch (expr.type) {
    case "var": {
      if (!table.has(expr.name)) throw unknownColumn(table, expr.name, expr.pos, formula);
      const column = table.column(expr.name);
      if (column.kind !== "number") throw textInNumericColumn(table, column, formula, expr.pos);
      return { hi: column.values, lo: null };
    }
    case "num":
      return { hi: new Float64Array(n).fill(expr.value), lo: null };
    case "paren":
      return evaluateNumeric(expr.inner, table, formula);
    case "unary": {
      const arg = evaluateNumeric(expr.arg, table, formula);
      if (expr.op === "+") return arg;
      return { hi: arg.hi.map((v) => -v), lo: arg.lo ? arg.lo.map((v) => -v) : null };
    }
    case "binary":
      return binary(expr, table, formula);
    case "call": {
      if (expr.fn === "I" && expr.args.length === 1 && expr.named.length === 0) {
        return evaluateNumeric(expr.args[0] as Expr, table, formula);
      }
      // Panel operators l(), f(), d(): computed by the application layer (src/app/panelTerms.ts) as columns named
      // as the call deparses; without a panel there is no such column.
      if (expr.fn === "l" || expr.fn === "f" || expr.fn === "d") {
        const name = deparse(expr);
        const column = table.has(name) ? table.column(name) : undefined;
        if (column?.kind === "number") return { hi: column.values, lo: null };
        throw formulaError(
          formula,
          expr.pos,
          `${expr.fn}() needs the panel: give --panel-id unit,time (fixest's panel.id)`,
        );
      }
      // Column j of poly(x, k, raw = TRUE) (parser.ts): x^j, in double-double as I(x^j) is.
      const column = expr.fn === "poly" ? expr.named.find((a) => a.name === ".column") : undefined;
      if (column !== undefined && column.value.type === "num") {
        return integerPower(evaluateNumeric(expr.args[0] as Expr, table, formula), column.value.value);
      }
      const fn = FUNCTIONS[expr.fn];
      if (fn === undefined || expr.args.length !== 1 || expr.named.length > 0) {
        throw formulaError(
          formula,
          expr.pos,
          `unknown function ${expr.fn}() (numeric functions: I, ${Object.keys(FUNCTIONS).join(", ")}; factors: i, factor)`,
        );
      }
      const arg = evaluateNumeric(expr.args[0] as Expr, table, formula);
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = fn((arg.hi[i] as number) + (arg.lo ? (arg.lo[i] as number) : 0));
      return { hi: out, lo: null };
    }
    case "str":
      throw formulaError(formula, expr.pos, "a quoted string inside arithmetic");
  }
}

function binary(expr: Extract<Expr, { type: "binary" }>, table: Table, formula: string): NumericValues {
  const n = table.nrows;
  const a = evaluateNumeric(expr.left, table, formula);
  if (expr.op === "^" && expr.right.type === "num" && Number.isInteger(expr.right.value)) {
    return integerPower(a, expr.right.value);
  }
  const b = evaluateNumeric(expr.right, table, formula);
  const hi = new Float64Array(n);
  const lo = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const ah = a.hi[i] as number;
    const al = a.lo ? (a.lo[i] as number) : 0;
    const bh = b.hi[i] as number;
    const bl = b.lo ? (b.lo[i] as number) : 0;
    let h: number;
    let l: number;
    switch (expr.op) {
      case "+":
      case "-": {
        const sign = expr.op === "+" ? 1 : -1;
        const s = twoSum(ah, sign * bh);
        h = s.hi;
        l = s.lo + al + sign * bl;
        break;
      }
      case "*": {
        const p = twoProd(ah, bh);
        h = p.hi;
        l = p.lo + ah * bl + al * bh;
        break;
      }
      case "/": {
        h = ah / bh;
        // One correction step: (a - h*b) / b, with a - h*b computed exactly.
        const p = twoProd(h, bh);
        l = (ah - p.hi - p.lo + al - h * bl) / bh;
        break;
      }
      case "^":
        h = (ah + al) ** (bh + bl);
        l = 0;
        break;
      default:
        throw formulaError(formula, expr.pos, `'${expr.op}' is a formula operator; inside I() use + - * / ^`);
    }
    const r = twoSum(h, l);
    hi[i] = r.hi;
    lo[i] = r.lo;
  }
  return { hi, lo };
}

function integerPower(a: NumericValues, power: number): NumericValues {
  const n = a.hi.length;
  const hi = new Float64Array(n);
  const lo = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let rh = 1;
    let rl = 0;
    let bh = a.hi[i] as number;
    let bl = a.lo ? (a.lo[i] as number) : 0;
    let k = Math.abs(power);
    while (k > 0) {
      if (k & 1) [rh, rl] = ddMulParts(rh, rl, bh, bl);
      [bh, bl] = ddMulParts(bh, bl, bh, bl);
      k >>= 1;
    }
    if (power < 0) {
      const h = 1 / rh;
      const p = twoProd(h, rh);
      rl = (1 - p.hi - p.lo - h * rl) / rh;
      rh = h;
    }
    const r = twoSum(rh, rl);
    hi[i] = r.hi;
    lo[i] = r.lo;
  }
  return { hi, lo };
}

function ddMulParts(ah: number, al: number, bh: number, bl: number): [number, number] {
  const p = twoProd(ah, bh);
  const l = p.lo + (ah * bl + al * bh);
  const h = p.hi + l;
  return [h, l - (h - p.hi)];
}

export function unknownColumn(table: Table, name: string, pos: number, formula: string): Error {
  let hint = "";
  try {
    table.column(name);
  } catch (error) {
    hint = (error as Error).message.replace(/^.*?no column '[^']*'/, "");
  }
  return formulaError(formula, pos, `no column '${name}' in ${table.source}${hint}`);
}

/** Every column name an expression reads. */
export function variablesOf(expr: Expr, out: Set<string> = new Set()): Set<string> {
  switch (expr.type) {
    case "var":
      out.add(expr.name);
      break;
    case "paren":
      variablesOf(expr.inner, out);
      break;
    case "unary":
      variablesOf(expr.arg, out);
      break;
    case "binary":
      variablesOf(expr.left, out);
      variablesOf(expr.right, out);
      break;
    case "call":
      for (const a of expr.args) variablesOf(a, out);
      break;
    default:
      break;
  }
  return out;
}

export { deparse };

/**
 * A column the formula uses as a number was read as text. Usually a few stray tokens ("n/a", "<5", "1,234")
 * turned the whole column into text: name the first one, with its line, so the user can fix or declare it
 * (--missing "n/a"). A column that is text throughout is a usage error (use it as a factor instead).
 */
function textInNumericColumn(table: Table, column: StringColumn, formula: string, pos: number): Error {
  return (
    strayTextError(table, column) ??
    formulaError(
      formula,
      pos,
      `column '${column.name}' is text; it cannot enter arithmetic (use it as a factor)`,
    )
  );
}

/**
 * The error for a column of numbers spoiled by a minority of text tokens, or null if the column is genuinely
 * text (then R would make it a factor, and so do we). Codes with leading zeros ("01", "48201") count as
 * numbers here: a column of such codes is a legitimate factor.
 */
export function strayTextError(table: Table, column: StringColumn): Error | null {
  const numericLevels = column.levels.map((level) => isNumberToken(level));
  const numeric = numericLevels.filter(Boolean).length;
  if (numeric === 0 || numeric === column.levels.length || numeric < column.levels.length - numeric)
    return null;
  for (let i = 0; i < column.codes.length; i++) {
    const code = column.codes[i] as number;
    if (code >= 0 && !numericLevels[code]) {
      return dataError(
        `${table.source} line ${i + 2}, column '${column.name}': expected a number, found '${column.levels[code]}' (declare it missing with --missing if it means NA)`,
      );
    }
  }
  return null;
}

/** "1,234" or "12,345.6": a number written with thousands separators (and, in such a column, plain "12"). */
const THOUSANDS = /^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$/;
const PLAIN_NUMBER = /^[+-]?\d{1,3}(\.\d+)?$/;

/**
 * A text column whose values are all numbers, some written with thousands separators ("1,234"): read as text, it
 * would enter a formula as a factor with one level per value, a regression that is silently not the one meant.
 */
export function thousandsSeparatorError(table: Table, column: StringColumn): Error | null {
  const levels = column.levels;
  if (!levels.some((level) => THOUSANDS.test(level))) return null;
  if (!levels.every((level) => THOUSANDS.test(level) || PLAIN_NUMBER.test(level))) return null;
  const first = column.codes.findIndex((code) => code >= 0 && THOUSANDS.test(levels[code] as string));
  return dataError(
    `${table.source} line ${first + 2}, column '${column.name}': '${levels[column.codes[first] as number]}' is a number written with thousands separators, so the column was read as text (it would enter as a factor of ${levels.length} levels); write the file without the separators`,
  );
}

/**
 * A text column of integer codes ("01" ... "20", as FIPS and district codes are written) that enters a formula by
 * name becomes a factor with one dummy per level but the first: said in a note, with how to use the codes as a
 * number instead. `levels` are those present in the estimation rows (both engines compute it so).
 */
export function integerCodeNote(name: string, levels: readonly string[]): string | null {
  if (levels.length < 2 || !levels.every((level) => /^\d+$/.test(level))) return null;
  const sorted = [...levels].sort();
  const padded = levels.some((level) => level.length > 1 && level.startsWith("0"));
  return `'${name}' is text (${padded ? "zero-padded " : ""}integer codes '${sorted[0]}' to '${sorted[sorted.length - 1]}'), so it enters as a factor with ${levels.length} levels; to use it as a number, force its type (--types ${name}:number, or types: in a spec)`;
}
