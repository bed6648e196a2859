/**
 * A Pratt parser for row expressions in R syntax, with R's operator precedence (R Language Definition, section
 * 10.4.2 "Infix and prefix operators"; ?Syntax), from loosest to tightest:
 *   ~ (inside case_when)  <  | ||  <  & &&  <  ! (prefix)  <  == != < <= > >=  <  + - (binary)  <  * /
 *   <  %in% %% %/%  <  - + (prefix)  <  ^ (right-associative)  <  function call
 * so `!x == 1` is `!(x == 1)`, `-2^2` is -4 and `a %in% c(1, 2) & b` is `(a %in% c(1, 2)) & b`. Chained
 * comparisons (`a < b < c`, legal in R but a comparison of TRUE/FALSE with c) are refused.
 */
import { expressionError, type Token, tokenize } from "./lexer.js";

export type Expr =
  | { type: "num"; value: number; text: string; pos: number }
  | { type: "str"; value: string; pos: number }
  | { type: "bool"; value: boolean; pos: number }
  | { type: "na"; pos: number }
  | { type: "col"; name: string; pos: number }
  | { type: "call"; fn: string; args: Expr[]; named: Record<string, Expr>; pos: number }
  | { type: "unary"; op: "-" | "+" | "!"; arg: Expr; pos: number }
  | { type: "binary"; op: string; left: Expr; right: Expr; pos: number };

const BINARY: Record<string, number> = {
  "~": 10,
  "|": 20,
  "||": 20,
  "&": 30,
  "&&": 30,
  "==": 50,
  "!=": 50,
  "<": 50,
  "<=": 50,
  ">": 50,
  ">=": 50,
  "+": 60,
  "-": 60,
  "*": 70,
  "/": 70,
  "%in%": 80,
  "%%": 80,
  "%/%": 80,
  "^": 100,
};
const NOT_BP = 40;
const NEGATE_BP = 90;
const COMPARISON = 50;

export function parseExpression(source: string): Expr {
  const parser = new Parser(source, tokenize(source));
  const expr = parser.expression(0);
  const next = parser.peek();
  if (next.type !== "end")
    throw expressionError(source, next.pos, `unexpected '${next.text}' after a complete expression`);
  return expr;
}

class Parser {
  private i = 0;

  constructor(
    private readonly source: string,
    private readonly tokens: Token[],
  ) {}

  peek(): Token {
    return this.tokens[this.i] as Token;
  }

  private next(): Token {
    return this.tokens[this.i++] as Token;
  }

  private expectOp(text: string, what: string): Token {
    const token = this.next();
    if (token.type !== "op" || token.text !== text) {
      throw expressionError(this.source, token.pos, `expected ${what}, found ${show(token)}`);
    }
    return token;
  }

  expression(minBp: number): Expr {
    let left = this.prefix();
    for (;;) {
      const token = this.peek();
      if (token.type !== "op") {
        if (token.type === "end") return left;
        throw expressionError(this.source, token.pos, `expected an operator, found ${show(token)}`);
      }
      const bp = BINARY[token.text];
      if (bp === undefined || bp <= minBp) return left;
      if (token.text === "~" && minBp > 0) return left;
      this.next();
      const rightBp = token.text === "^" ? bp - 1 : bp;
      const right = this.expression(rightBp);
      if (bp === COMPARISON && left.type === "binary" && BINARY[left.op] === COMPARISON) {
        throw expressionError(this.source, token.pos, "a chained comparison (write a < b & b < c)");
      }
      left = { type: "binary", op: token.text, left, right, pos: token.pos };
    }
  }

  private prefix(): Expr {
    const token = this.next();
    switch (token.type) {
      case "number":
        return { type: "num", value: Number(token.text), text: token.text, pos: token.pos };
      case "string":
        return { type: "str", value: token.text, pos: token.pos };
      case "ident": {
        if (!token.quoted) {
          if (token.text === "TRUE" || token.text === "T")
            return { type: "bool", value: true, pos: token.pos };
          if (token.text === "FALSE" || token.text === "F")
            return { type: "bool", value: false, pos: token.pos };
          if (["NA", "NA_real_", "NA_character_", "NA_integer_"].includes(token.text))
            return { type: "na", pos: token.pos };
          if (token.text === "Inf")
            return { type: "num", value: Number.POSITIVE_INFINITY, text: "Inf", pos: token.pos };
        }
        const after = this.peek();
        if (!token.quoted && after.type === "op" && after.text === "(") return this.call(token);
        return { type: "col", name: token.text, pos: token.pos };
      }
      case "op": {
        if (token.text === "(") {
          const inner = this.expression(0);
          this.expectOp(")", "')'");
          return inner;
        }
        if (token.text === "-" || token.text === "+") {
          return { type: "unary", op: token.text, arg: this.expression(NEGATE_BP), pos: token.pos };
        }
        if (token.text === "!")
          return { type: "unary", op: "!", arg: this.expression(NOT_BP), pos: token.pos };
        throw expressionError(this.source, token.pos, `expected a value, found ${show(token)}`);
      }
      case "end":
        throw expressionError(this.source, token.pos, "the expression ends where a value was expected");
    }
  }

  private call(name: Token): Expr {
    this.expectOp("(", "'('");
    const args: Expr[] = [];
    const named: Record<string, Expr> = {};
    if (this.peek().type === "op" && this.peek().text === ")") {
      this.next();
      return { type: "call", fn: name.text, args, named, pos: name.pos };
    }
    for (;;) {
      const token = this.peek();
      const after = this.tokens[this.i + 1];
      if (token.type === "ident" && after?.type === "op" && after.text === "=") {
        this.i += 2;
        if (Object.hasOwn(named, token.text))
          throw expressionError(this.source, token.pos, `argument '${token.text}' given twice`);
        named[token.text] = this.expression(0);
      } else {
        if (Object.keys(named).length > 0 && name.text !== "paste" && name.text !== "paste0") {
          throw expressionError(this.source, token.pos, "a positional argument after a named one");
        }
        args.push(this.expression(0));
      }
      const sep = this.next();
      if (sep.type === "op" && sep.text === ")") break;
      if (sep.type !== "op" || sep.text !== ",") {
        throw expressionError(
          this.source,
          sep.pos,
          `expected ',' or ')' in the arguments of ${name.text}(), found ${show(sep)}`,
        );
      }
    }
    return { type: "call", fn: name.text, args, named, pos: name.pos };
  }
}

function show(token: Token): string {
  return token.type === "end" ? "the end of the expression" : `'${token.text}'`;
}

/** Column names an expression reads (for reading only the columns a command needs). */
export function expressionColumns(expr: Expr, out: Set<string> = new Set()): Set<string> {
  switch (expr.type) {
    case "col":
      out.add(expr.name);
      break;
    case "call":
      for (const a of expr.args) expressionColumns(a, out);
      for (const a of Object.values(expr.named)) expressionColumns(a, out);
      break;
    case "unary":
      expressionColumns(expr.arg, out);
      break;
    case "binary":
      expressionColumns(expr.left, out);
      expressionColumns(expr.right, out);
      break;
    default:
      break;
  }
  return out;
}
