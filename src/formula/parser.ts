/**
 * Parses fixest-style formulas into a ParsedFormula.
 *
 *   y ~ x1 + x2 + x1:x2 + I(x^2) + log(z) + i(state) - 1 | fe1 + fe1^fe2 + fe3[x] | endo ~ z1 + z2
 *
 * Operator precedence follows R (?Syntax): `^` > unary minus > `:` > `* /` > `+ -`. Term algebra follows R's
 * terms(): `a*b` = a + b + a:b, `a - b` removes terms, `0`/`-1` removes the intercept, and terms are ordered by
 * degree (main effects, then two-way interactions, ...) with variables inside an interaction ordered by first
 * appearance in the formula, so labels match R and fixest exactly.
 */
import type { Expr, FixedEffectTerm, InstrumentPart, NamedArg, ParsedFormula, Term } from "./ast.js";
import { deparse } from "./deparse.js";
import { adjacentNamesHint, formulaError, type Token, tokenize } from "./lexer.js";

/**
 * Limits that keep hostile or generated formulas from exhausting the stack or the clock (a formula nested 2,000
 * deep, or with 5,000 terms, used to end in "Maximum call stack size exceeded"): nesting of parentheses,
 * function calls and signs, and the number of terms, written or produced by the term algebra (a*b, (a+b)^k).
 */
export const MAX_FORMULA_NESTING = 200;
export const MAX_FORMULA_TERMS = 2000;

export function parseFormula(source: string): ParsedFormula {
  const text = source.trim();
  if (text === "") throw formulaError(source, 0, "the formula is empty");
  const parser = new Parser(text, tokenize(text));
  return parser.formula();
}

/**
 * Parses one arithmetic expression (`TOTALEXP / V33`, `log(ppe)`, `x^2`) with the formula grammar, for derived
 * columns; evaluate it with evaluateNumeric. The whole text must be one expression.
 */
export function parseExpression(source: string): Expr {
  const text = source.trim();
  if (text === "") throw formulaError(source, 0, "the expression is empty");
  return new Parser(text, tokenize(text)).expression();
}

/** A term set under construction: factor label lists, plus the intercept flag. */
interface TermSet {
  terms: Expr[][];
  intercept: boolean | undefined;
}

class Parser {
  private at = 0;
  private depth = 0;
  /**
   * Labels of variables in order of first appearance: R orders factors inside an interaction by this. Each part
   * of the formula has its own order, as fixest builds each part's terms from a formula of its own: the main part
   * `y ~ x` (response included, as R's terms() counts it), the endogenous regressors, the instruments. So in
   * `y ~ x | beta + beta:pc ~ bsim + bsim:pc` the instrument interaction is `bsim:pc`, as fixest names it.
   */
  private variableOrder: string[] = [];

  constructor(
    private readonly source: string,
    private readonly tokens: Token[],
  ) {}

  formula(): ParsedFormula {
    const response = this.sum();
    this.expectOp("~", "'~' after the dependent variable");
    this.noteVariables(response);
    const rhs = this.termSet(this.sum());
    const { terms, intercept } = this.finishTerms(rhs);
    const fixedEffects: FixedEffectTerm[] = [];
    let iv: InstrumentPart | null = null;
    while (this.peekOp("|")) {
      const bar = this.next();
      const part = this.sum();
      if (this.peekOp("~")) {
        if (iv !== null) throw formulaError(this.source, bar.pos, "a second instrumental-variables part");
        this.next();
        const instruments = this.sum();
        this.variableOrder = [];
        const endogenous = this.finishTerms(this.termSet(part)).terms;
        this.variableOrder = [];
        iv = { endogenous, instruments: this.finishTerms(this.termSet(instruments)).terms };
      } else {
        if (iv !== null) {
          throw formulaError(
            this.source,
            bar.pos,
            "fixed effects after the IV part (write y ~ x | fe | endo ~ z)",
          );
        }
        if (fixedEffects.length > 0) throw formulaError(this.source, bar.pos, "a second fixed-effects part");
        fixedEffects.push(...this.fixedEffectTerms(part));
      }
    }
    const end = this.peek();
    if (end.type !== "end") {
      throw formulaError(this.source, end.pos, `unexpected '${end.text}'${this.adjacentHint()}`);
    }
    return {
      text: this.source,
      response,
      responseLabel: deparse(response),
      terms,
      intercept,
      fixedEffects,
      iv,
    };
  }

  expression(): Expr {
    const expr = this.sum();
    const end = this.peek();
    if (end.type !== "end") {
      throw formulaError(this.source, end.pos, `unexpected '${end.text}'${this.adjacentHint()}`);
    }
    return expr;
  }

  // ---- expressions (R precedence) ----

  private sum(): Expr {
    this.enter();
    let left = this.product();
    let operands = 1;
    while (this.peekOp("+") || this.peekOp("-")) {
      const op = this.next();
      if (++operands > MAX_FORMULA_TERMS) {
        throw formulaError(
          this.source,
          op.pos,
          `more than ${MAX_FORMULA_TERMS} terms in one sum (the limit)`,
        );
      }
      const right = this.product();
      left = { type: "binary", op: op.text as "+" | "-", left, right, pos: op.pos };
    }
    this.depth--;
    return left;
  }

  /** One more level of nesting (a parenthesis, a call's argument, a sign); an error past the limit. */
  private enter(): void {
    if (++this.depth > MAX_FORMULA_NESTING) {
      throw formulaError(
        this.source,
        this.peek().pos,
        `nesting deeper than ${MAX_FORMULA_NESTING} levels of parentheses, calls or signs (the limit)`,
      );
    }
  }

  private product(): Expr {
    let left = this.interaction();
    while (this.peekOp("*") || this.peekOp("/")) {
      const op = this.next();
      const right = this.interaction();
      left = { type: "binary", op: op.text as "*" | "/", left, right, pos: op.pos };
    }
    return left;
  }

  private interaction(): Expr {
    let left = this.unary();
    while (this.peekOp(":")) {
      const op = this.next();
      const right = this.unary();
      left = { type: "binary", op: ":", left, right, pos: op.pos };
    }
    return left;
  }

  private unary(): Expr {
    if (this.peekOp("-") || this.peekOp("+")) {
      const op = this.next();
      this.enter();
      const arg = this.unary();
      this.depth--;
      return { type: "unary", op: op.text as "-" | "+", arg, pos: op.pos };
    }
    return this.power();
  }

  private power(): Expr {
    const base = this.postfix();
    if (this.peekOp("^")) {
      const op = this.next();
      // Right-associative, and binds tighter than unary minus on its left but accepts one on its right (2^-1).
      const exponent = this.unary();
      return { type: "binary", op: "^", left: base, right: exponent, pos: op.pos };
    }
    return base;
  }

  /** An atom, possibly followed by `[x]` / `[[x]]` (varying slopes, only meaningful in the fixed-effects part). */
  private postfix(): Expr {
    const atom = this.atom();
    if (this.peekOp("[") || this.peekOp("[[")) {
      const open = this.next();
      const slopes = [this.sum()];
      while (this.peekOp(",")) {
        this.next();
        slopes.push(this.sum());
      }
      this.expectOp(open.text === "[" ? "]" : "]]", `'${open.text === "[" ? "]" : "]]"}'`);
      return {
        type: "call",
        fn: open.text === "[" ? "[" : "[[",
        args: [atom, ...slopes],
        named: [],
        pos: open.pos,
      };
    }
    return atom;
  }

  private atom(): Expr {
    const token = this.next();
    if (token.type === "number") {
      const value = Number(token.text);
      // 1e400 would silently be Infinity and 1e-400 zero: a literal must be a finite double, non-zero if written so.
      if (!Number.isFinite(value) || (value === 0 && /[1-9]/.test(token.text.replace(/[eE].*$/, "")))) {
        throw formulaError(
          this.source,
          token.pos,
          `the number ${token.text} is outside the range of double precision (magnitudes from about 5e-324 to 1.8e308)`,
        );
      }
      return { type: "num", value, text: token.text, pos: token.pos };
    }
    if (token.type === "string") return { type: "str", value: token.text, pos: token.pos };
    if (token.type === "ident") {
      if (this.peekOp("(")) return this.call(token);
      return { type: "var", name: token.text, pos: token.pos };
    }
    if (token.type === "op" && token.text === "(") {
      const inner = this.sum();
      this.expectOp(")", "')'");
      return { type: "paren", inner, pos: token.pos };
    }
    throw formulaError(
      this.source,
      token.pos,
      token.type === "end"
        ? "the formula ends where a term was expected"
        : `expected a term, found '${token.text}'`,
    );
  }

  private call(name: Token): Expr {
    this.expectOp("(", "'('");
    const args: Expr[] = [];
    const named: NamedArg[] = [];
    if (!this.peekOp(")")) {
      for (;;) {
        const token = this.peek();
        const following = this.tokens[this.at + 1];
        if (token.type === "ident" && following?.type === "op" && following.text === "=") {
          this.next();
          this.next();
          named.push({ name: token.text, value: this.sum(), pos: token.pos });
        } else {
          if (named.length > 0)
            throw formulaError(this.source, token.pos, "a positional argument after a named one");
          args.push(this.sum());
        }
        if (!this.peekOp(",")) break;
        this.next();
      }
    }
    this.expectOp(")", `')' to close ${name.text}(`);
    if (name.text === "i") return fixestI(this.source, args, named, name.pos);
    return { type: "call", fn: name.text, args, named, pos: name.pos };
  }

  // ---- term algebra ----

  private termSet(expr: Expr): TermSet {
    switch (expr.type) {
      case "num":
        if (expr.value === 0 || expr.value === 1) return { terms: [], intercept: expr.value === 1 };
        throw formulaError(
          this.source,
          expr.pos,
          `a bare number ${expr.text} (only 0 or 1 stand alone; use I())`,
        );
      case "paren":
        return this.termSet(expr.inner);
      case "unary":
        if (expr.op === "+") return this.termSet(expr.arg);
        if (expr.arg.type === "num" && (expr.arg.value === 1 || expr.arg.value === 0)) {
          return { terms: [], intercept: expr.arg.value === 0 };
        }
        throw formulaError(this.source, expr.pos, "a minus sign before a term (only -1 or -0 stand alone)");
      case "binary":
        return this.binaryTermSet(expr);
      case "str":
        throw formulaError(this.source, expr.pos, "a quoted string where a term was expected");
      default: {
        this.checkFactor(expr);
        const columns = expr.type === "call" && expr.fn === "poly" ? polyColumns(this.source, expr) : [expr];
        for (const c of columns) this.noteVariables(c);
        // poly(x, k, raw = TRUE) is one R term with k columns; here k terms of one column each, adjacent, named
        // as R names the columns (`poly(x, 2, raw = TRUE)1`), so names and order agree with fixest.
        return { terms: columns.map((c) => [c]), intercept: undefined };
      }
    }
  }

  private binaryTermSet(expr: Extract<Expr, { type: "binary" }>): TermSet {
    const left = this.termSet(expr.left);
    if (expr.op === "-") {
      const removed = this.removal(expr.right);
      const keep = left.terms.filter((t) => !removed.terms.some((r) => sameTerm(r, t)));
      return { terms: keep, intercept: removed.intercept === false ? false : left.intercept };
    }
    if (expr.op === "^") return this.powerTermSet(expr, left);
    const right = this.termSet(expr.right);
    switch (expr.op) {
      case "+":
        return { terms: unionTerms(left.terms, right.terms), intercept: right.intercept ?? left.intercept };
      case ":":
        return { terms: this.crossTerms(left.terms, right.terms, expr.pos), intercept: undefined };
      case "*":
        return {
          terms: unionTerms(
            unionTerms(left.terms, right.terms),
            this.crossTerms(left.terms, right.terms, expr.pos),
          ),
          intercept: right.intercept ?? left.intercept,
        };
      default:
        throw formulaError(this.source, expr.pos, `'${expr.op}' outside I(); write I(a ${expr.op} b)`);
    }
  }

  /** `(a + b + c)^2`: all interactions up to degree 2, as in R. A single variable `x^2` is almost always a
   * mistake for I(x^2) (R silently reads it as x), so it is an error here. */
  private powerTermSet(expr: Extract<Expr, { type: "binary" }>, base: TermSet): TermSet {
    const degree = expr.right.type === "num" ? expr.right.value : Number.NaN;
    if (!Number.isInteger(degree) || degree < 1) {
      throw formulaError(this.source, expr.right.pos, "a whole-number degree after '^'");
    }
    if (base.terms.length < 2) {
      throw formulaError(
        this.source,
        expr.pos,
        "'^' on a single term outside I(); write I(x^2) for a square",
      );
    }
    let terms = base.terms;
    for (let d = 1; d < degree; d++) terms = unionTerms(terms, this.crossTerms(terms, base.terms, expr.pos));
    return { terms, intercept: base.intercept };
  }

  /** What `- expr` removes: terms, or the intercept for `- 1`. */
  private removal(expr: Expr): TermSet {
    if (expr.type === "num" && expr.value === 1) return { terms: [], intercept: false };
    if (expr.type === "num" && expr.value === 0) return { terms: [], intercept: undefined };
    return this.termSet(expr);
  }

  private finishTerms(set: TermSet): { terms: Term[]; intercept: boolean } {
    const order = (e: Expr) => this.variableOrder.indexOf(deparse(e));
    const terms = set.terms.map((factors) => {
      const sorted = [...factors].sort((a, b) => order(a) - order(b));
      return { factors: sorted, label: sorted.map(deparse).join(":") };
    });
    // R orders terms by degree, keeping the order of appearance within a degree.
    const indexed = terms.map((term, index) => ({ term, index }));
    indexed.sort((a, b) => a.term.factors.length - b.term.factors.length || a.index - b.index);
    return { terms: indexed.map((x) => x.term), intercept: set.intercept ?? true };
  }

  /** All interactions of a term of `a` with one of `b`; an error when they would pass the term limit. */
  private crossTerms(a: Expr[][], b: Expr[][], pos: number): Expr[][] {
    const out: Expr[][] = [];
    const seen = new Set<string>();
    for (const x of a) {
      for (const y of b) {
        const factors = [...x];
        for (const f of y) if (!factors.some((g) => deparse(g) === deparse(f))) factors.push(f);
        const key = termKey(factors);
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(factors);
        if (out.length > MAX_FORMULA_TERMS) {
          throw formulaError(
            this.source,
            pos,
            `the interactions make more than ${MAX_FORMULA_TERMS} terms (the limit)`,
          );
        }
      }
    }
    return out;
  }

  private fixedEffectTerms(expr: Expr): FixedEffectTerm[] {
    // `| 1` or `| 0`: no fixed effects (fixest writes `| 1` for the no-fixed-effect model of sw(fe, 0)).
    if (expr.type === "num" && (expr.value === 0 || expr.value === 1)) return [];
    if (expr.type === "binary" && expr.op === "+") {
      return [...this.fixedEffectTerms(expr.left), ...this.fixedEffectTerms(expr.right)];
    }
    if (expr.type === "paren") return this.fixedEffectTerms(expr.inner);
    return [this.fixedEffect(expr)];
  }

  private fixedEffect(expr: Expr): FixedEffectTerm {
    if (expr.type === "var") {
      return { variables: [expr.name], slopes: [], slopesOnly: false, label: expr.name, pos: expr.pos };
    }
    if (expr.type === "binary" && expr.op === "^") {
      const left = this.fixedEffect(expr.left);
      const right = this.fixedEffect(expr.right);
      if (left.slopes.length > 0 || right.slopes.length > 0) {
        throw formulaError(this.source, expr.pos, "slopes inside an interacted fixed effect; write (a^b)[x]");
      }
      const variables = [...left.variables, ...right.variables];
      return { variables, slopes: [], slopesOnly: false, label: variables.join("^"), pos: expr.pos };
    }
    if (expr.type === "call" && (expr.fn === "[" || expr.fn === "[[")) {
      const [base, ...slopeExprs] = expr.args;
      const fe = this.fixedEffect(base as Expr);
      const slopes = slopeExprs.map((s) => {
        if (s.type !== "var") throw formulaError(this.source, s.pos, "a slope that is not a column name");
        return s.name;
      });
      const open = expr.fn === "[" ? "[" : "[[";
      const close = expr.fn === "[" ? "]" : "]]";
      return {
        variables: fe.variables,
        slopes,
        slopesOnly: expr.fn === "[[",
        label: `${fe.label}${open}${slopes.join(", ")}${close}`,
        pos: expr.pos,
      };
    }
    throw formulaError(this.source, expr.pos, "a fixed effect must be a column, a^b, or fe[x]");
  }

  /** Rejects factor expressions that R formulas do not allow as terms. */
  private checkFactor(expr: Expr): void {
    if (expr.type === "call" && (expr.fn === "[" || expr.fn === "[[")) {
      throw formulaError(
        this.source,
        expr.pos,
        "varying slopes fe[x] belong in the fixed-effects part after '|'",
      );
    }
  }

  private noteVariables(expr: Expr): void {
    const label = deparse(expr);
    if (!this.variableOrder.includes(label)) this.variableOrder.push(label);
  }

  // ---- token helpers ----

  /** The backtick hint when the current token is a name right after another name. */
  private adjacentHint(): string {
    const previous = this.tokens[this.at - 1];
    return previous === undefined ? "" : adjacentNamesHint(previous, this.peek());
  }

  private peek(): Token {
    return this.tokens[this.at] as Token;
  }

  private next(): Token {
    const token = this.tokens[this.at] as Token;
    if (token.type !== "end") this.at++;
    return token;
  }

  private peekOp(text: string): boolean {
    const token = this.peek();
    return token.type === "op" && token.text === text;
  }

  private expectOp(text: string, what: string): Token {
    const token = this.peek();
    if (token.type !== "op" || token.text !== text) {
      const found = token.type === "end" ? "the end of the formula" : `'${token.text}'`;
      throw formulaError(this.source, token.pos, `expected ${what}, found ${found}${this.adjacentHint()}`);
    }
    return this.next();
  }
}

function termKey(factors: Expr[]): string {
  return factors.map(deparse).sort().join("\u0000");
}

function sameTerm(a: Expr[], b: Expr[]): boolean {
  return termKey(a) === termKey(b);
}

function unionTerms(a: Expr[][], b: Expr[][]): Expr[][] {
  const out = [...a];
  const seen = new Set(a.map(termKey));
  for (const t of b) {
    const key = termKey(t);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(t);
    }
  }
  return out;
}

/** The name of poly()'s hidden argument selecting one of its columns (see deparse.ts and evaluate.ts). */
export const POLY_COLUMN = ".column";

/**
 * fixest's i(factor_var, var, ref, keep, bin): positional arguments after the second are its `ref`, `keep` and
 * `bin` (fixest R/miscfuns.R), so `i(period, treat, 5)` is `i(period, treat, ref = 5)`.
 */
function fixestI(source: string, args: Expr[], named: NamedArg[], pos: number): Expr {
  const names = ["ref", "keep", "bin"];
  const kept = args.slice(0, 2);
  const extra = args.slice(2).map((value, k) => {
    const name = names[k];
    if (name === undefined) throw formulaError(source, value.pos, "i() takes at most 5 positional arguments");
    if (named.some((a) => a.name === name))
      throw formulaError(source, value.pos, `i(): '${name}' is given both by position and by name`);
    return { name, value, pos: value.pos };
  });
  const second = kept[1];
  if (second !== undefined && (second.type === "num" || second.type === "str"))
    throw formulaError(
      source,
      second.pos,
      "i()'s second argument is a variable to interact with; write the reference level as ref = value",
    );
  return { type: "call", fn: "i", args: kept, named: [...extra, ...named], pos };
}

/** The columns of poly(x, k, raw = TRUE): one expression per power, each naming its column. */
function polyColumns(source: string, expr: Extract<Expr, { type: "call" }>): Expr[] {
  const [x, degree] = expr.args;
  if (x === undefined || degree === undefined || expr.args.length > 2)
    throw formulaError(source, expr.pos, "poly() takes a variable and a degree: poly(x, 2, raw = TRUE)");
  if (degree.type !== "num" || !Number.isInteger(degree.value) || degree.value < 1)
    throw formulaError(source, degree.pos, "poly()'s degree must be a whole number of at least 1");
  const raw = expr.named.find((a) => a.name === "raw");
  const isTrue = raw?.value.type === "var" && (raw.value.name === "TRUE" || raw.value.name === "T");
  if (!isTrue)
    throw formulaError(
      source,
      expr.pos,
      "poly() without raw = TRUE is R's orthogonal polynomial, which is not supported; write poly(x, k, raw = TRUE)",
    );
  const other = expr.named.find((a) => a.name !== "raw");
  if (other !== undefined)
    throw formulaError(source, other.pos, `poly() has no argument '${other.name}' here`);
  return Array.from({ length: degree.value }, (_, j) => ({
    ...expr,
    named: [
      ...expr.named,
      {
        name: POLY_COLUMN,
        value: { type: "num" as const, value: j + 1, text: String(j + 1), pos: expr.pos },
        pos: expr.pos,
      },
    ],
  }));
}
