/**
 * Turns an expression back into text exactly as R's deparse() does, because coefficient names are deparsed
 * expressions: `I(x^2)`, `log(x + 1)`, `I(x * 2)`, `I(a/b)`. R puts spaces around `+`, `-`, `*` and `=`, none
 * around `/`, `^` and `:`.
 */
import type { Expr } from "./ast.js";

export function deparse(expr: Expr): string {
  switch (expr.type) {
    case "var":
      return /^[A-Za-z.][A-Za-z0-9_.]*$/.test(expr.name) && !/^\.\d/.test(expr.name)
        ? expr.name
        : `\`${expr.name}\``;
    case "num":
      return formatRNumber(expr.value);
    case "str":
      return `"${expr.value}"`;
    case "paren":
      return `(${deparse(expr.inner)})`;
    case "unary":
      return `${expr.op}${deparse(expr.arg)}`;
    case "binary": {
      const spaced = expr.op === "+" || expr.op === "-" || expr.op === "*";
      const op = spaced ? ` ${expr.op} ` : expr.op;
      return `${deparse(expr.left)}${op}${deparse(expr.right)}`;
    }
    case "call": {
      if (expr.fn === "[" || expr.fn === "[[") {
        const [base, ...rest] = expr.args;
        const close = expr.fn === "[" ? "]" : "]]";
        return `${deparse(base as Expr)}${expr.fn}${rest.map(deparse).join(", ")}${close}`;
      }
      // fixest names its panel operators with the order always written: l(x, 1), d(x, 1), f(x, 2).
      if ((expr.fn === "l" || expr.fn === "f" || expr.fn === "d") && expr.args.length >= 1) {
        const order = expr.args[1] ?? expr.named.find((a) => a.name === "lag" || a.name === "lead")?.value;
        return `${expr.fn}(${deparse(expr.args[0] as Expr)}, ${order === undefined ? "1" : deparse(order)})`;
      }
      // One column of poly(x, k, raw = TRUE) (parser.ts): R names it after the call and the column's number.
      const column = expr.named.find((a) => a.name === ".column");
      const named = expr.named.filter((a) => a !== column);
      const parts = [...expr.args.map(deparse), ...named.map((a) => `${a.name} = ${deparse(a.value)}`)];
      return `${expr.fn}(${parts.join(", ")})${column ? deparse(column.value) : ""}`;
    }
  }
}

/** R prints numbers with up to 15 significant digits and switches to e-notation like 1e+06 for large ones. */
function formatRNumber(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e5) return String(value);
  const fixed = String(Number(value.toPrecision(15)));
  if (!fixed.includes("e")) {
    // R uses scientific notation when it is shorter: 1e+05 rather than 100000.
    const sci = value.toExponential().replace(/e([+-])(\d)$/, "e$10$2");
    return sci.length < fixed.length ? sci : fixed;
  }
  return fixed.replace(/e([+-])(\d)$/, "e$10$2");
}
