/**
 * The parsed form of a fixest-style formula: `y ~ x1 + x2 | fe1 + fe2 | endo ~ inst`.
 *
 * Expressions keep their source position so that every error can point at the offending character.
 */

export type Expr =
  | { type: "var"; name: string; pos: number }
  | { type: "num"; value: number; text: string; pos: number }
  | { type: "str"; value: string; pos: number }
  | { type: "call"; fn: string; args: Expr[]; named: NamedArg[]; pos: number }
  | { type: "binary"; op: BinaryOp; left: Expr; right: Expr; pos: number }
  | { type: "unary"; op: "-" | "+"; arg: Expr; pos: number }
  | { type: "paren"; inner: Expr; pos: number };

export type BinaryOp = "+" | "-" | "*" | "/" | "^" | ":";

export interface NamedArg {
  name: string;
  value: Expr;
  pos: number;
}

/**
 * One model term: the interaction of its factors (a main effect has one). Factors are expressions (`x`,
 * `log(x)`, `I(x^2)`, `i(state)`), keyed by their deparsed label; `label` is R's term label (`a:b`).
 */
export interface Term {
  factors: Expr[];
  label: string;
}

/** A fixed-effect dimension: `fe`, `fe1^fe2` (interacted) or `fe[x]` (varying slope on x). */
export interface FixedEffectTerm {
  variables: string[];
  slopes: string[];
  /** `fe[[x]]`: slopes without the fixed effect itself. */
  slopesOnly: boolean;
  label: string;
  pos: number;
}

export interface InstrumentPart {
  endogenous: Term[];
  instruments: Term[];
}

export interface ParsedFormula {
  /** The formula as the user wrote it, trimmed. */
  text: string;
  response: Expr;
  responseLabel: string;
  terms: Term[];
  intercept: boolean;
  fixedEffects: FixedEffectTerm[];
  iv: InstrumentPart | null;
}
