/**
 * Tokens of the row expression language (derive, filter, --subset), each with its character position so that
 * errors point at it as formula errors do (src/formula/lexer.ts).
 */
import { usageError } from "../../errors.js";

export type TokenType = "ident" | "number" | "string" | "op" | "end";

export interface Token {
  type: TokenType;
  text: string;
  pos: number;
  /** For idents: written in backticks (never a keyword such as TRUE or NA). */
  quoted?: boolean;
}

/** Longest first, so that "<=" wins over "<" and "%in%" over "%%". */
const OPERATORS = [
  "%in%",
  "%/%",
  "%%",
  "&&",
  "||",
  "==",
  "!=",
  "<=",
  ">=",
  "+",
  "-",
  "*",
  "/",
  "^",
  "<",
  ">",
  "!",
  "&",
  "|",
  "(",
  ")",
  ",",
  "~",
  "=",
];

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
      const match = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?L?/.exec(source.slice(i));
      if (!match) throw expressionError(source, i, "a malformed number");
      i += match[0].length;
      tokens.push({ type: "number", text: match[0].replace(/L$/, ""), pos: start });
    } else if (ch === "`") {
      const end = source.indexOf("`", i + 1);
      if (end < 0) throw expressionError(source, i, "an unclosed backtick");
      tokens.push({ type: "ident", text: source.slice(i + 1, end), pos: start, quoted: true });
      i = end + 1;
    } else if (ch === '"' || ch === "'") {
      let text = "";
      let j = i + 1;
      for (;;) {
        if (j >= source.length) throw expressionError(source, i, "an unclosed quote");
        const c = source[j] as string;
        if (c === "\\" && j + 1 < source.length) {
          const next = source[j + 1] as string;
          text += next === "n" ? "\n" : next === "t" ? "\t" : next;
          j += 2;
          continue;
        }
        if (c === ch) break;
        text += c;
        j++;
      }
      tokens.push({ type: "string", text, pos: start });
      i = j + 1;
    } else {
      const op = OPERATORS.find((o) => source.startsWith(o, i));
      if (op === undefined) {
        if (ch === "%") throw expressionError(source, i, "an unknown %...% operator (known: %in%, %%, %/%)");
        throw expressionError(source, i, `an unexpected character '${ch}'`);
      }
      tokens.push({ type: "op", text: op, pos: start });
      i += op.length;
    }
  }
  tokens.push({ type: "end", text: "", pos: source.length });
  return tokens;
}

/**
 * A usage error that shows the expression with a marker at the offending character, on one line:
 *   expression "ppe > > 0" at position 7: expected a value, found '>' (here: "ppe > >>>> 0")
 */
export function expressionError(source: string, pos: number, what: string): Error {
  return usageError(
    `expression "${source}" at position ${pos + 1}: ${what} (here: "${source.slice(0, pos)}>>>${source.slice(pos)}")`,
  );
}
