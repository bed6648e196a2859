/**
 * Vectorised evaluation of row expressions (parser.ts) over a Table, with R's semantics for missing values:
 *   - arithmetic and comparisons with NA give NA; x / 0 is Inf (and -Inf, NaN for 0 / 0) as in R;
 *   - `&` and `|` use three-valued logic: FALSE & NA is FALSE, TRUE & NA is NA, TRUE | NA is TRUE, FALSE | NA
 *     is NA; `!NA` is NA; `&&` and `||` are the same element-wise operators (R 4.3 refuses them on vectors);
 *   - `x %in% c(...)` is never NA: NA %in% c(1, NA) is TRUE, NA %in% c(1) is FALSE (match() semantics);
 *   - is.na(x) is TRUE for missing values and never NA;
 *   - ifelse(test, yes, no) is NA where test is NA; case_when(c1 ~ v1, c2 ~ v2, .default = v) takes the first
 *     condition that is TRUE, treats NA conditions as FALSE (dplyr::case_when), and gives NA (or .default)
 *     where none is;
 *   - logical values are numbers 1/0 in arithmetic (TRUE + TRUE is 2) and in derived columns;
 *   - a text column compared with a number literal is compared with the literal as written (year == 1995
 *     matches the text "1995", as R's as.character coercion does); a numeric column compared with a quoted
 *     text is an error rather than R's silent coercion of the numbers to text;
 *   - text ordering (<, >) is by Unicode code points, not R's locale collation;
 *   - paste() and paste0() write NA as "NA", as R does; the other text functions give NA for NA.
 * Functions: is.na, ifelse (if_else), case_when, startsWith, endsWith, grepl (JavaScript regular expressions),
 * substr, nchar, toupper, tolower, trimws, paste, paste0, as.numeric, as.character, log (base e, or log(x, b)),
 * log10, log2, log1p, exp, expm1, sqrt, abs, round (half to even, as R: round(2.5) is 2), floor, ceiling, trunc,
 * sign, pmin, pmax, I (identity, for formula-style derive expressions), and the panel operators l(x, k), f(x, k),
 * d(x, k) (lag, lead, difference; see ../ops/panel.ts), which need a panel declared (unit and time).
 */
import { isNumberToken } from "../missing.js";
import { panelShiftRows } from "../ops/panel.js";
import { type Column, MISSING_CODE, type Table } from "../table.js";
import { expressionError } from "./lexer.js";
import type { Expr } from "./parser.js";

/** Numbers (NaN = NA), logicals (1, 0, NaN) and text (dictionary codes, -1 = NA), each of length n or 1. */
export type Value =
  | { kind: "number"; values: Float64Array }
  | { kind: "logical"; values: Float64Array }
  | { kind: "string"; codes: Int32Array; levels: string[] }
  | { kind: "set"; numbers: number[]; texts: string[]; hasNA: boolean };

export interface PanelSpec {
  unit: string;
  time: string;
  /** Time step (default: fixest's "unitary" step, the gcd of the gaps between periods). */
  step?: number;
}

export interface EvaluationContext {
  table: Table;
  /** The expression's text (for error positions). */
  source: string;
  panel?: PanelSpec;
  /** Notes gathered while evaluating (values that could not be converted, ...). */
  notes: string[];
}

export function evaluate(expr: Expr, ctx: EvaluationContext): Value {
  const n = ctx.table.nrows;
  switch (expr.type) {
    case "num":
      return { kind: "number", values: Float64Array.of(expr.value) };
    case "str":
      return { kind: "string", codes: Int32Array.of(0), levels: [expr.value] };
    case "bool":
      return { kind: "logical", values: Float64Array.of(expr.value ? 1 : 0) };
    case "na":
      return { kind: "logical", values: Float64Array.of(Number.NaN) };
    case "col": {
      if (!ctx.table.has(expr.name)) {
        let hint = "";
        try {
          ctx.table.column(expr.name);
        } catch (error) {
          hint = (error as Error).message.replace(/^.*?no column '[^']*'/, "");
        }
        throw expressionError(ctx.source, expr.pos, `no column '${expr.name}'${hint}`);
      }
      const column = ctx.table.column(expr.name);
      return column.kind === "number"
        ? { kind: "number", values: column.values }
        : { kind: "string", codes: column.codes, levels: [...column.levels] };
    }
    case "unary": {
      const arg = evaluate(expr.arg, ctx);
      if (expr.op === "!") return logicalNot(toLogical(arg, expr.arg, ctx));
      const x = toNumbers(arg, expr.arg, ctx, `unary ${expr.op}`);
      return expr.op === "+" ? { kind: "number", values: x } : { kind: "number", values: map1(x, (v) => -v) };
    }
    case "binary":
      return binary(expr, ctx, n);
    case "call":
      return call(expr, ctx, n);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------------------------------------------

function lengthOf(v: Value): number {
  if (v.kind === "string") return v.codes.length;
  if (v.kind === "set") return 1;
  return v.values.length;
}

function map1(x: Float64Array, f: (v: number) => number): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = f(x[i] as number);
  return out;
}

function map2(a: Float64Array, b: Float64Array, f: (x: number, y: number) => number): Float64Array {
  const n = Math.max(a.length, b.length);
  const out = new Float64Array(n);
  const sa = a.length === 1;
  const sb = b.length === 1;
  for (let i = 0; i < n; i++) out[i] = f(a[sa ? 0 : i] as number, b[sb ? 0 : i] as number);
  return out;
}

function describe(v: Value): string {
  return v.kind === "string"
    ? "text"
    : v.kind === "set"
      ? "a c(...) list"
      : v.kind === "logical"
        ? "TRUE/FALSE"
        : "a number";
}

function label(expr: Expr, ctx: EvaluationContext): string {
  return expr.type === "col" ? `'${expr.name}'` : `'${ctx.source.slice(expr.pos, expr.pos + 24).trim()}...'`;
}

function toNumbers(v: Value, expr: Expr, ctx: EvaluationContext, what: string): Float64Array {
  if (v.kind === "number" || v.kind === "logical") return v.values;
  if (v.kind === "set")
    throw expressionError(ctx.source, expr.pos, "c(...) is only allowed on the right of %in%");
  throw expressionError(
    ctx.source,
    expr.pos,
    `${label(expr, ctx)} is text; ${what} needs numbers (as.numeric(${expr.type === "col" ? expr.name : "..."}) converts)`,
  );
}

function toLogical(v: Value, expr: Expr, ctx: EvaluationContext): Float64Array {
  if (v.kind === "logical") return v.values;
  if (v.kind === "number") return map1(v.values, (x) => (Number.isNaN(x) ? Number.NaN : x !== 0 ? 1 : 0));
  throw expressionError(
    ctx.source,
    expr.pos,
    `${label(expr, ctx)} is ${describe(v)}, expected a condition (TRUE/FALSE)`,
  );
}

function logicalNot(x: Float64Array): Value {
  return { kind: "logical", values: map1(x, (v) => (Number.isNaN(v) ? Number.NaN : 1 - v)) };
}

/** Text of a string value at row i (undefined = NA). */
function textAt(v: Extract<Value, { kind: "string" }>, i: number): string | undefined {
  const code = v.codes[v.codes.length === 1 ? 0 : i] as number;
  return code === MISSING_CODE ? undefined : v.levels[code];
}

/** A text value from per-row strings (undefined = NA). */
function textValue(values: readonly (string | undefined)[]): Value {
  const index = new Map<string, number>();
  const levels: string[] = [];
  const codes = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const s = values[i];
    if (s === undefined) {
      codes[i] = MISSING_CODE;
      continue;
    }
    let code = index.get(s);
    if (code === undefined) {
      code = levels.length;
      levels.push(s);
      index.set(s, code);
    }
    codes[i] = code;
  }
  return { kind: "string", codes, levels };
}

/** f applied to each distinct level (cheap on dictionary-encoded columns); NA stays NA unless keepNA. */
function mapLevels<T>(
  v: Extract<Value, { kind: "string" }>,
  f: (s: string) => T,
  na: T,
): { perRow: (i: number) => T; length: number } {
  const perLevel = v.levels.map(f);
  const single = v.codes.length === 1;
  return {
    perRow: (i) => {
      const code = v.codes[single ? 0 : i] as number;
      return code === MISSING_CODE ? na : (perLevel[code] as T);
    },
    length: v.codes.length,
  };
}

/** R's as.character for a double: up to 15 significant digits. */
export function numberText(x: number): string {
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  return String(Number(x.toPrecision(15)));
}

function asText(v: Value, expr: Expr, ctx: EvaluationContext): Extract<Value, { kind: "string" }> {
  if (v.kind === "string") return v;
  if (v.kind === "set")
    throw expressionError(ctx.source, expr.pos, "c(...) is only allowed on the right of %in%");
  const values = Array.from(v.values, (x) =>
    Number.isNaN(x) ? undefined : v.kind === "logical" ? (x === 1 ? "TRUE" : "FALSE") : numberText(x),
  );
  return textValue(values) as Extract<Value, { kind: "string" }>;
}

// ---------------------------------------------------------------------------------------------------------------
// operators
// ---------------------------------------------------------------------------------------------------------------

const ARITHMETIC: Record<string, (x: number, y: number) => number> = {
  "+": (x, y) => x + y,
  "-": (x, y) => x - y,
  "*": (x, y) => x * y,
  "/": (x, y) => x / y,
  "^": (x, y) => (x === 1 || y === 0 ? 1 : x ** y), // R: 1^NA = 1, NA^0 = 1
  "%%": (x, y) => (y === 0 ? Number.NaN : x - Math.floor(x / y) * y),
  "%/%": (x, y) => Math.floor(x / y),
};

const COMPARE: Record<string, (c: number) => boolean> = {
  "==": (c) => c === 0,
  "!=": (c) => c !== 0,
  "<": (c) => c < 0,
  "<=": (c) => c <= 0,
  ">": (c) => c > 0,
  ">=": (c) => c >= 0,
};

function binary(expr: Extract<Expr, { type: "binary" }>, ctx: EvaluationContext, n: number): Value {
  const op = expr.op;
  if (op === "~")
    throw expressionError(ctx.source, expr.pos, "'~' is only allowed inside case_when(condition ~ value)");
  if (op === "%in%") return inSet(expr, ctx);
  const left = evaluate(expr.left, ctx);
  const right = evaluate(expr.right, ctx);
  checkLength(left, expr.left, ctx, n);
  checkLength(right, expr.right, ctx, n);
  const arithmetic = ARITHMETIC[op];
  if (arithmetic !== undefined) {
    const a = toNumbers(left, expr.left, ctx, `'${op}'`);
    const b = toNumbers(right, expr.right, ctx, `'${op}'`);
    return { kind: "number", values: map2(a, b, arithmetic) };
  }
  if (op === "&" || op === "&&" || op === "|" || op === "||") {
    const a = toLogical(left, expr.left, ctx);
    const b = toLogical(right, expr.right, ctx);
    const and = op === "&" || op === "&&";
    return {
      kind: "logical",
      values: map2(a, b, (x, y) => {
        if (and) {
          if (x === 0 || y === 0) return 0;
          return Number.isNaN(x) || Number.isNaN(y) ? Number.NaN : 1;
        }
        if (x === 1 || y === 1) return 1;
        return Number.isNaN(x) || Number.isNaN(y) ? Number.NaN : 0;
      }),
    };
  }
  const test = COMPARE[op];
  if (test === undefined) throw expressionError(ctx.source, expr.pos, `unknown operator '${op}'`);
  return compare(left, right, expr, ctx, test);
}

function checkLength(v: Value, expr: Expr, ctx: EvaluationContext, n: number): void {
  const len = lengthOf(v);
  if (len !== 1 && len !== n) throw expressionError(ctx.source, expr.pos, `has ${len} values for ${n} rows`);
}

function compare(
  left: Value,
  right: Value,
  expr: Extract<Expr, { type: "binary" }>,
  ctx: EvaluationContext,
  test: (c: number) => boolean,
): Value {
  const literalText = (e: Expr) => (e.type === "num" ? e.text : undefined);
  if (left.kind === "set" || right.kind === "set") {
    throw expressionError(
      ctx.source,
      expr.pos,
      "c(...) is only allowed on the right of %in% (write x %in% c(...))",
    );
  }
  // Text against text, or text against a number literal written as text.
  if (left.kind === "string" || right.kind === "string") {
    let a = left;
    let b = right;
    if (a.kind !== "string") {
      const lit = literalText(expr.left);
      if (lit === undefined && !isNA(expr.left)) throw mixed(expr, ctx, expr.right, expr.left);
      a = {
        kind: "string",
        codes: Int32Array.of(lit === undefined ? MISSING_CODE : 0),
        levels: lit === undefined ? [] : [lit],
      };
    }
    if (b.kind !== "string") {
      const lit = literalText(expr.right);
      if (lit === undefined && !isNA(expr.right)) throw mixed(expr, ctx, expr.left, expr.right);
      b = {
        kind: "string",
        codes: Int32Array.of(lit === undefined ? MISSING_CODE : 0),
        levels: lit === undefined ? [] : [lit],
      };
    }
    const sa = a as Extract<Value, { kind: "string" }>;
    const sb = b as Extract<Value, { kind: "string" }>;
    const n = Math.max(sa.codes.length, sb.codes.length);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const x = textAt(sa, i);
      const y = textAt(sb, i);
      out[i] = x === undefined || y === undefined ? Number.NaN : test(x < y ? -1 : x > y ? 1 : 0) ? 1 : 0;
    }
    return { kind: "logical", values: out };
  }
  const a = toNumbers(left, expr.left, ctx, "a comparison");
  const b = toNumbers(right, expr.right, ctx, "a comparison");
  return {
    kind: "logical",
    values: map2(a, b, (x, y) =>
      Number.isNaN(x) || Number.isNaN(y) ? Number.NaN : test(x < y ? -1 : x > y ? 1 : 0) ? 1 : 0,
    ),
  };
}

function isNA(e: Expr): boolean {
  return e.type === "na";
}

function mixed(expr: Expr, ctx: EvaluationContext, textSide: Expr, numberSide: Expr): Error {
  return expressionError(
    ctx.source,
    expr.pos,
    `compares text (${label(textSide, ctx)}) with a number (${label(numberSide, ctx)}); quote the value ('...') or convert with as.numeric()/as.character()`,
  );
}

function inSet(expr: Extract<Expr, { type: "binary" }>, ctx: EvaluationContext): Value {
  const left = evaluate(expr.left, ctx);
  const right = evaluate(expr.right, ctx);
  if (right.kind !== "set") {
    // x %in% y with a column on the right: only a single value makes sense here.
    throw expressionError(ctx.source, expr.right.pos, "expected c(...) of values on the right of %in%");
  }
  if (left.kind === "set") throw expressionError(ctx.source, expr.left.pos, "c(...) on the left of %in%");
  if (left.kind === "string") {
    const wanted = new Set([...right.texts, ...right.numbers.map(String)]);
    const literalTexts = collectNumberTexts(expr.right);
    for (const t of literalTexts) wanted.add(t);
    const m = mapLevels(left, (s) => (wanted.has(s) ? 1 : 0), right.hasNA ? 1 : 0);
    return { kind: "logical", values: Float64Array.from({ length: m.length }, (_, i) => m.perRow(i)) };
  }
  if (right.texts.length > 0) {
    throw expressionError(
      ctx.source,
      expr.pos,
      `${label(expr.left, ctx)} is numeric; compare it with numbers, not quoted text`,
    );
  }
  const wanted = new Set(right.numbers);
  const x = left.values;
  return {
    kind: "logical",
    values: map1(x, (v) => (Number.isNaN(v) ? (right.hasNA ? 1 : 0) : wanted.has(v) ? 1 : 0)),
  };
}

/** The number literals of a c(...) as written ("1995", "01" stays "01"), to match text columns. */
function collectNumberTexts(e: Expr): string[] {
  if (e.type !== "call") return [];
  return e.args.flatMap((a) =>
    a.type === "num" ? [a.text] : a.type === "unary" && a.arg.type === "num" ? [`-${a.arg.text}`] : [],
  );
}

// ---------------------------------------------------------------------------------------------------------------
// functions
// ---------------------------------------------------------------------------------------------------------------

const MATH: Record<string, (x: number) => number> = {
  log: Math.log,
  log10: Math.log10,
  log2: Math.log2,
  log1p: Math.log1p,
  exp: Math.exp,
  expm1: Math.expm1,
  sqrt: Math.sqrt,
  abs: Math.abs,
  floor: Math.floor,
  ceiling: Math.ceil,
  trunc: Math.trunc,
  sign: (x) => (Number.isNaN(x) ? x : Math.sign(x)),
};

export const FUNCTION_NAMES = [
  "is.na",
  "ifelse",
  "if_else",
  "case_when",
  "startsWith",
  "endsWith",
  "grepl",
  "substr",
  "nchar",
  "toupper",
  "tolower",
  "trimws",
  "paste",
  "paste0",
  "as.numeric",
  "as.character",
  "round",
  "pmin",
  "pmax",
  "I",
  "c",
  "l",
  "f",
  "d",
  ...Object.keys(MATH),
];

function arity(expr: Extract<Expr, { type: "call" }>, ctx: EvaluationContext, min: number, max = min): void {
  const k = expr.args.length;
  if (k < min || k > max) {
    const want =
      min === max ? `${min}` : max === Number.POSITIVE_INFINITY ? `at least ${min}` : `${min} to ${max}`;
    throw expressionError(
      ctx.source,
      expr.pos,
      `${expr.fn}() takes ${want} argument${want === "1" ? "" : "s"}, found ${k}`,
    );
  }
}

function noNamed(
  expr: Extract<Expr, { type: "call" }>,
  ctx: EvaluationContext,
  allowed: string[] = [],
): void {
  for (const name of Object.keys(expr.named)) {
    if (!allowed.includes(name))
      throw expressionError(ctx.source, expr.pos, `${expr.fn}() has no argument '${name}'`);
  }
}

/** A literal number argument (k in l(x, k), digits in round). */
function literalNumber(e: Expr | undefined, ctx: EvaluationContext, fallback: number, what: string): number {
  if (e === undefined) return fallback;
  if (e.type === "num") return e.value;
  if (e.type === "unary" && e.op === "-" && e.arg.type === "num") return -e.arg.value;
  throw expressionError(ctx.source, e.pos, `${what} must be a number written in the expression`);
}

function call(expr: Extract<Expr, { type: "call" }>, ctx: EvaluationContext, n: number): Value {
  const fn = expr.fn;
  const arg = (k: number) => evaluate(expr.args[k] as Expr, ctx);
  const math = MATH[fn];
  if (math !== undefined) {
    if (fn === "log" && expr.args.length === 2) {
      noNamed(expr, ctx);
      const x = toNumbers(arg(0), expr.args[0] as Expr, ctx, "log()");
      const base = toNumbers(arg(1), expr.args[1] as Expr, ctx, "log()");
      return { kind: "number", values: map2(x, base, (a, b) => Math.log(a) / Math.log(b)) };
    }
    arity(expr, ctx, 1);
    noNamed(expr, ctx);
    return { kind: "number", values: map1(toNumbers(arg(0), expr.args[0] as Expr, ctx, `${fn}()`), math) };
  }
  switch (fn) {
    case "I":
      arity(expr, ctx, 1);
      return arg(0);
    case "c": {
      noNamed(expr, ctx);
      const set = { kind: "set" as const, numbers: [] as number[], texts: [] as string[], hasNA: false };
      for (const a of expr.args) {
        if (a.type === "num") set.numbers.push(a.value);
        else if (a.type === "unary" && a.op === "-" && a.arg.type === "num") set.numbers.push(-a.arg.value);
        else if (a.type === "str") set.texts.push(a.value);
        else if (a.type === "na") set.hasNA = true;
        else if (a.type === "bool") set.numbers.push(a.value ? 1 : 0);
        else
          throw expressionError(ctx.source, a.pos, "c(...) takes written values only (numbers, 'text', NA)");
      }
      return set;
    }
    case "is.na": {
      arity(expr, ctx, 1);
      const v = arg(0);
      if (v.kind === "string") {
        return { kind: "logical", values: Float64Array.from(v.codes, (c) => (c === MISSING_CODE ? 1 : 0)) };
      }
      if (v.kind === "set") throw expressionError(ctx.source, expr.pos, "is.na() of c(...)");
      return { kind: "logical", values: map1(v.values, (x) => (Number.isNaN(x) ? 1 : 0)) };
    }
    case "ifelse":
    case "if_else": {
      arity(expr, ctx, 3);
      noNamed(expr, ctx);
      const test = toLogical(arg(0), expr.args[0] as Expr, ctx);
      return choose(
        n,
        [(i) => test[test.length === 1 ? 0 : i] as number],
        [arg(1), arg(2)],
        [expr.args[1] as Expr, expr.args[2] as Expr],
        ctx,
      );
    }
    case "case_when":
      return caseWhen(expr, ctx, n);
    case "startsWith":
    case "endsWith": {
      arity(expr, ctx, 2);
      const x = asStringArg(arg(0), expr.args[0] as Expr, ctx, fn);
      const affix = asStringArg(arg(1), expr.args[1] as Expr, ctx, fn);
      const out = new Float64Array(Math.max(x.codes.length, affix.codes.length));
      for (let i = 0; i < out.length; i++) {
        const s = textAt(x, i);
        const a = textAt(affix, i);
        out[i] =
          s === undefined || a === undefined
            ? Number.NaN
            : (fn === "startsWith" ? s.startsWith(a) : s.endsWith(a))
              ? 1
              : 0;
      }
      return { kind: "logical", values: out };
    }
    case "grepl": {
      arity(expr, ctx, 2);
      noNamed(expr, ctx, ["fixed", "ignore.case"]);
      const pattern = expr.args[0] as Expr;
      if (pattern.type !== "str")
        throw expressionError(ctx.source, pattern.pos, "grepl() needs a quoted pattern");
      const fixed = expr.named.fixed?.type === "bool" && expr.named.fixed.value;
      const ignoreCase = expr.named["ignore.case"]?.type === "bool" && expr.named["ignore.case"].value;
      let re: RegExp;
      try {
        re = new RegExp(
          fixed ? pattern.value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") : pattern.value,
          ignoreCase ? "i" : "",
        );
      } catch (error) {
        throw expressionError(
          ctx.source,
          pattern.pos,
          `not a regular expression (${(error as Error).message})`,
        );
      }
      const x = asStringArg(arg(1), expr.args[1] as Expr, ctx, fn);
      // R: grepl gives FALSE for NA input.
      const m = mapLevels(x, (s) => (re.test(s) ? 1 : 0), 0);
      return { kind: "logical", values: Float64Array.from({ length: m.length }, (_, i) => m.perRow(i)) };
    }
    case "substr": {
      arity(expr, ctx, 3);
      const x = asStringArg(arg(0), expr.args[0] as Expr, ctx, fn);
      const start = literalNumber(expr.args[1], ctx, 1, "substr()'s start");
      const stop = literalNumber(expr.args[2], ctx, 1, "substr()'s stop");
      return textFromLevels(x, (s) => [...s].slice(Math.max(start, 1) - 1, Math.max(stop, 0)).join(""));
    }
    case "toupper":
    case "tolower":
    case "trimws": {
      arity(expr, ctx, 1);
      const x = asStringArg(arg(0), expr.args[0] as Expr, ctx, fn);
      const f =
        fn === "toupper"
          ? (s: string) => s.toUpperCase()
          : fn === "tolower"
            ? (s: string) => s.toLowerCase()
            : (s: string) => s.trim();
      return textFromLevels(x, f);
    }
    case "nchar": {
      arity(expr, ctx, 1);
      const x = asStringArg(arg(0), expr.args[0] as Expr, ctx, fn);
      // R: nchar(NA) is 2 for a logical NA but NA_integer_ for NA_character_; text columns hold NA_character_.
      const m = mapLevels(x, (s) => [...s].length, Number.NaN);
      return { kind: "number", values: Float64Array.from({ length: m.length }, (_, i) => m.perRow(i)) };
    }
    case "paste":
    case "paste0": {
      noNamed(expr, ctx, fn === "paste" ? ["sep"] : []);
      const sepExpr = expr.named.sep;
      if (sepExpr !== undefined && sepExpr.type !== "str")
        throw expressionError(ctx.source, sepExpr.pos, "sep must be a quoted text");
      const sep = fn === "paste0" ? "" : sepExpr?.type === "str" ? sepExpr.value : " ";
      const parts = expr.args.map((a) => asText(evaluate(a, ctx), a, ctx));
      const out: string[] = new Array(n);
      for (let i = 0; i < n; i++) out[i] = parts.map((p) => textAt(p, i) ?? "NA").join(sep);
      return textValue(out);
    }
    case "as.numeric": {
      arity(expr, ctx, 1);
      const v = arg(0);
      if (v.kind !== "string") return { kind: "number", values: toNumbers(v, expr.args[0] as Expr, ctx, fn) };
      let failed = 0;
      const example: string[] = [];
      const m = mapLevels(v, (s) => (isNumberToken(s.trim()) ? Number(s.trim()) : Number.NaN), Number.NaN);
      const values = Float64Array.from({ length: m.length }, (_, i) => {
        const x = m.perRow(i);
        if (Number.isNaN(x) && textAt(v, i) !== undefined) {
          failed++;
          if (example.length < 3) example.push(`'${textAt(v, i)}'`);
        }
        return x;
      });
      if (failed > 0)
        ctx.notes.push(
          `as.numeric: ${failed} value(s) are not numbers and became missing (e.g. ${example.join(", ")})`,
        );
      return { kind: "number", values };
    }
    case "as.character":
      arity(expr, ctx, 1);
      return asText(arg(0), expr.args[0] as Expr, ctx);
    case "round": {
      arity(expr, ctx, 1, 2);
      noNamed(expr, ctx, ["digits"]);
      const digits = literalNumber(expr.args[1] ?? expr.named.digits, ctx, 0, "round()'s digits");
      const x = toNumbers(arg(0), expr.args[0] as Expr, ctx, fn);
      return { kind: "number", values: map1(x, (v) => roundHalfEven(v, digits)) };
    }
    case "pmin":
    case "pmax": {
      arity(expr, ctx, 1, Number.POSITIVE_INFINITY);
      noNamed(expr, ctx);
      let acc = toNumbers(arg(0), expr.args[0] as Expr, ctx, fn);
      for (let k = 1; k < expr.args.length; k++) {
        const next = toNumbers(arg(k), expr.args[k] as Expr, ctx, fn);
        acc = map2(acc, next, (a, b) =>
          Number.isNaN(a) || Number.isNaN(b) ? Number.NaN : fn === "pmin" ? Math.min(a, b) : Math.max(a, b),
        );
      }
      return { kind: "number", values: acc };
    }
    case "l":
    case "f":
    case "d":
      return panelOperator(expr, ctx);
  }
  throw expressionError(
    ctx.source,
    expr.pos,
    `unknown function ${fn}() (functions: ${FUNCTION_NAMES.join(", ")})`,
  );
}

/**
 * R's round(): half to even at 0 digits (IEC 60559, round(2.5) is 2); with digits > 0, the nearer of the two
 * candidates x rounded down and up at that decimal, ties to the even one (R >= 4.0.0's "long double free"
 * algorithm picks the candidate closer to x).
 */
function roundHalfEven(x: number, digits: number): number {
  if (!Number.isFinite(x)) return x;
  if (digits === 0) return Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : Math.round(x);
  const scale = 10 ** digits;
  const lo = Math.floor(x * scale);
  const hi = lo + 1;
  const dlo = Math.abs(x - lo / scale);
  const dhi = Math.abs(hi / scale - x);
  if (dlo < dhi) return lo / scale;
  if (dhi < dlo) return hi / scale;
  return (lo % 2 === 0 ? lo : hi) / scale;
}

function asStringArg(
  v: Value,
  expr: Expr,
  ctx: EvaluationContext,
  fn: string,
): Extract<Value, { kind: "string" }> {
  if (v.kind === "string") return v;
  if (v.kind === "logical" && lengthOf(v) === 1 && Number.isNaN(v.values[0] as number)) {
    return { kind: "string", codes: Int32Array.of(MISSING_CODE), levels: [] };
  }
  throw expressionError(
    ctx.source,
    expr.pos,
    `${fn}() needs text, found ${describe(v)} (as.character() converts)`,
  );
}

function textFromLevels(x: Extract<Value, { kind: "string" }>, f: (s: string) => string): Value {
  const levels = x.levels.map(f);
  const out: (string | undefined)[] = new Array(x.codes.length);
  for (let i = 0; i < out.length; i++) {
    const c = x.codes[i] as number;
    out[i] = c === MISSING_CODE ? undefined : levels[c];
  }
  return textValue(out);
}

/** ifelse: a TRUE test takes values[0], FALSE values[1], NA gives NA. */
function choose(
  n: number,
  tests: ((i: number) => number)[],
  values: Value[],
  exprs: Expr[],
  ctx: EvaluationContext,
): Value {
  const branch = (i: number): number => {
    const t = (tests[0] as (i: number) => number)(i);
    return Number.isNaN(t) ? -1 : t === 1 ? 0 : 1;
  };
  return combineBranches(n, branch, values, exprs, ctx);
}

/** Row i takes values[branch(i)] (-1 = NA); the result's type is the branches' common type (text wins). */
function combineBranches(
  n: number,
  branch: (i: number) => number,
  values: Value[],
  exprs: Expr[],
  ctx: EvaluationContext,
): Value {
  values.forEach((v, k) => {
    if (v.kind === "set")
      throw expressionError(
        ctx.source,
        (exprs[k] as Expr).pos,
        "c(...) is only allowed on the right of %in%",
      );
    checkLength(v, exprs[k] as Expr, ctx, n);
  });
  const isNaLiteral = (k: number) => (exprs[k] as Expr).type === "na";
  const anyText = values.some((v) => v.kind === "string");
  if (anyText) {
    const texts = values.map((v, k) =>
      isNaLiteral(k)
        ? ({ kind: "string", codes: Int32Array.of(MISSING_CODE), levels: [] } as Extract<
            Value,
            { kind: "string" }
          >)
        : asText(v, exprs[k] as Expr, ctx),
    );
    const out: (string | undefined)[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const b = branch(i);
      out[i] = b < 0 ? undefined : textAt(texts[b] as Extract<Value, { kind: "string" }>, i);
    }
    return textValue(out);
  }
  const allLogical = values.every((v, k) => v.kind === "logical" || isNaLiteral(k));
  const arrays = values.map((v) => (v as Extract<Value, { kind: "number" | "logical" }>).values);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const b = branch(i);
    if (b < 0) {
      out[i] = Number.NaN;
      continue;
    }
    const a = arrays[b] as Float64Array;
    out[i] = a[a.length === 1 ? 0 : i] as number;
  }
  return { kind: allLogical ? "logical" : "number", values: out };
}

function caseWhen(expr: Extract<Expr, { type: "call" }>, ctx: EvaluationContext, n: number): Value {
  noNamed(expr, ctx, [".default"]);
  if (expr.args.length === 0)
    throw expressionError(ctx.source, expr.pos, "case_when() needs at least one condition ~ value");
  const tests: Float64Array[] = [];
  const values: Value[] = [];
  const exprs: Expr[] = [];
  for (const a of expr.args) {
    if (a.type !== "binary" || a.op !== "~") {
      throw expressionError(ctx.source, a.pos, "each case_when() argument is condition ~ value");
    }
    const t = toLogical(evaluate(a.left, ctx), a.left, ctx);
    checkLength({ kind: "logical", values: t }, a.left, ctx, n);
    tests.push(t);
    values.push(evaluate(a.right, ctx));
    exprs.push(a.right);
  }
  const fallback = expr.named[".default"];
  if (fallback !== undefined) {
    values.push(evaluate(fallback, ctx));
    exprs.push(fallback);
  }
  const branch = (i: number): number => {
    for (let k = 0; k < tests.length; k++) {
      const t = tests[k] as Float64Array;
      if (t[t.length === 1 ? 0 : i] === 1) return k;
    }
    return fallback === undefined ? -1 : tests.length;
  };
  return combineBranches(n, branch, values, exprs, ctx);
}

function panelOperator(expr: Extract<Expr, { type: "call" }>, ctx: EvaluationContext): Value {
  arity(expr, ctx, 1, 2);
  noNamed(expr, ctx);
  const panel = ctx.panel;
  if (panel === undefined) {
    throw expressionError(
      ctx.source,
      expr.pos,
      `${expr.fn}() needs a panel: declare the unit and time first (a step { panel: { unit: ..., time: ... } })`,
    );
  }
  const k = literalNumber(expr.args[1], ctx, 1, `${expr.fn}()'s order`);
  const lag = expr.fn === "f" ? -k : k;
  const unitColumn = ctx.table.column(panel.unit);
  const timeColumn = ctx.table.column(panel.time);
  if (timeColumn.kind !== "number") {
    throw expressionError(
      ctx.source,
      expr.pos,
      `the panel time '${panel.time}' is text; panel operators need numeric periods`,
    );
  }
  const unitIds =
    unitColumn.kind === "string"
      ? unitColumn.codes
      : (() => {
          const index = new Map<number, number>();
          return Int32Array.from(unitColumn.values, (v) => {
            if (Number.isNaN(v)) return MISSING_CODE;
            let c = index.get(v);
            if (c === undefined) {
              c = index.size;
              index.set(v, c);
            }
            return c;
          });
        })();
  const rows = panelShiftRows(unitIds, timeColumn.values, lag, panel.step, {
    unit: panel.unit,
    time: panel.time,
  });
  const x = evaluate(expr.args[0] as Expr, ctx);
  if (x.kind === "string") {
    if (expr.fn === "d") throw expressionError(ctx.source, expr.pos, "d() of text");
    const codes = Int32Array.from(rows, (r) =>
      r < 0 ? MISSING_CODE : (x.codes[x.codes.length === 1 ? 0 : r] as number),
    );
    return { kind: "string", codes, levels: x.levels };
  }
  if (x.kind === "set") throw expressionError(ctx.source, expr.pos, `${expr.fn}() of c(...)`);
  const v = x.values;
  const shifted = Float64Array.from(rows, (r) =>
    r < 0 ? Number.NaN : (v[v.length === 1 ? 0 : r] as number),
  );
  if (expr.fn !== "d") return { kind: x.kind, values: shifted };
  return { kind: "number", values: map2(v, shifted, (a, b) => a - b) };
}

/** A derived column from a value: numbers (non-finite -> missing), logicals as 1/0, text. */
export function valueToColumn(value: Value, name: string, n: number): Column {
  if (value.kind === "set") throw new Error("internal: a set as a column");
  if (value.kind === "string") {
    if (value.codes.length === n) return { kind: "string", name, codes: value.codes, levels: value.levels };
    const codes = new Int32Array(n).fill(value.codes[0] as number);
    return { kind: "string", name, codes, levels: value.levels };
  }
  const out = new Float64Array(n);
  const single = value.values.length === 1;
  for (let i = 0; i < n; i++) {
    const v = value.values[single ? 0 : i] as number;
    out[i] = Number.isFinite(v) ? v : Number.NaN;
  }
  return { kind: "number", name, values: out };
}
