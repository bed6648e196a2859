/** The table columns a parsed formula reads, and the error for one that the data lacks. */
import type { ParsedFormula } from "./ast.js";
import { variablesOf } from "./evaluate.js";
import { formulaError } from "./lexer.js";

/** Every column name the formula refers to: response, terms, instruments, fixed effects and their slopes. */
export function formulaVariables(formula: ParsedFormula): Set<string> {
  const names = variablesOf(formula.response);
  const terms = [
    ...formula.terms,
    ...(formula.iv ? [...formula.iv.endogenous, ...formula.iv.instruments] : []),
  ];
  for (const term of terms) for (const factor of term.factors) variablesOf(factor, names);
  for (const fe of formula.fixedEffects) for (const v of [...fe.variables, ...fe.slopes]) names.add(v);
  return names;
}

/** A formula error pointing at the first use of `name`, with close column names as a hint. */
export function unknownInFormula(
  formula: ParsedFormula,
  name: string,
  source: string,
  header: readonly string[],
): Error {
  const pattern = new RegExp(
    `(^|[^A-Za-z0-9_.])${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}($|[^A-Za-z0-9_.])`,
  );
  const match = pattern.exec(formula.text);
  const pos = match ? match.index + (match[1] as string).length : 0;
  const lower = name.toLowerCase();
  const close = header
    .filter((h) => h.toLowerCase() === lower || h.toLowerCase().includes(lower))
    .slice(0, 3);
  const hint = close.length > 0 ? ` (did you mean ${close.map((c) => `'${c}'`).join(", ")}?)` : "";
  return formulaError(formula.text, pos, `no column '${name}' in ${source}${hint}`);
}
