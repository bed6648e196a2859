/** Splits a formula into tokens, each with its character position for error messages. */
import { usageError } from "../errors.js";

export type TokenType = "ident" | "number" | "string" | "op" | "end";

export interface Token {
  type: TokenType;
  text: string;
  pos: number;
}

const OPERATORS = ["~", "+", "-", "*", "/", "^", ":", "|", "(", ")", ",", "=", "[", "]"];

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i] as string;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const start = i;
    if (/[A-Za-z_.]/.test(ch) && !/^\.\d/.test(source.slice(i, i + 2))) {
      while (i < source.length && /[A-Za-z0-9_.]/.test(source[i] as string)) i++;
      tokens.push({ type: "ident", text: source.slice(start, i), pos: start });
    } else if (/[0-9.]/.test(ch)) {
      const match = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(source.slice(i));
      if (!match) throw formulaError(source, i, "a malformed number");
      i += match[0].length;
      tokens.push({ type: "number", text: match[0], pos: start });
    } else if (ch === "`") {
      const end = source.indexOf("`", i + 1);
      if (end < 0) throw formulaError(source, i, "an unclosed backtick");
      tokens.push({ type: "ident", text: source.slice(i + 1, end), pos: start });
      i = end + 1;
    } else if (ch === '"' || ch === "'") {
      const end = source.indexOf(ch, i + 1);
      if (end < 0) throw formulaError(source, i, "an unclosed quote");
      tokens.push({ type: "string", text: source.slice(i + 1, end), pos: start });
      i = end + 1;
    } else if (OPERATORS.includes(ch)) {
      if (ch === "[" && source[i + 1] === "[") {
        tokens.push({ type: "op", text: "[[", pos: start });
        i += 2;
      } else if (ch === "]" && source[i + 1] === "]") {
        tokens.push({ type: "op", text: "]]", pos: start });
        i += 2;
      } else {
        tokens.push({ type: "op", text: ch, pos: start });
        i++;
      }
    } else {
      throw formulaError(source, i, `an unexpected character '${ch}'`);
    }
  }
  tokens.push({ type: "end", text: "", pos: source.length });
  return tokens;
}

/**
 * A usage error that shows the formula with a caret under the offending character:
 *   formula error at position 9: expected a term, found ')'
 *     y ~ x1 + )
 *              ^
 * The CLI prints errors on one line, so the caret picture is folded into the message after " | ".
 */
export function formulaError(source: string, pos: number, what: string): Error {
  return usageError(`formula "${source}" at position ${pos + 1}: ${what} (here: "${pointAt(source, pos)}")`);
}

function pointAt(source: string, pos: number): string {
  return `${source.slice(0, pos)}>>>${source.slice(pos)}`;
}
