/** Splits a formula into tokens, each with its character position for error messages. */
import { usageError } from "../errors.js";

/** C0 control characters and DEL. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/g;

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
      throw formulaError(source, i, `an unexpected character '${ch}'${backtickHint(source, i)}`);
    }
  }
  tokens.push({ type: "end", text: "", pos: source.length });
  return tokens;
}

/**
 * A hint for a column name the lexer cannot read as one name (letters outside A-Z such as "café", spaces,
 * symbols): the word around position `at`, suggested in backticks as R writes non-syntactic names.
 */
export function backtickHint(source: string, at: number): string {
  const isWordChar = (c: string | undefined) => c !== undefined && !/[\s~+*/^:|(),=[\]`"'-]/.test(c);
  let start = at;
  while (start > 0 && isWordChar(source[start - 1])) start--;
  let end = at;
  while (end < source.length && isWordChar(source[end])) end++;
  const word = source.slice(start, end);
  if (word === "") return "";
  return `; a column name with such characters is written in backticks: \`${word}\``;
}

/** The hint for two names in a row ("my var"): probably one column name with a space, to write in backticks. */
export function adjacentNamesHint(first: Token, second: Token): string {
  if (first.type !== "ident" || second.type !== "ident") return "";
  return `; if '${first.text} ${second.text}' is one column name, write it in backticks: \`${first.text} ${second.text}\``;
}

/**
 * A usage error that shows the formula with a caret under the offending character:
 *   formula error at position 9: expected a term, found ')'
 *     y ~ x1 + )
 *              ^
 * The CLI prints errors on one line, so the caret picture is folded into the message after " | ".
 */
export function formulaError(source: string, pos: number, what: string): Error {
  return usageError(
    visible(
      `formula "${clip(source, 0, 120)}" at position ${pos + 1}: ${what} (here: "${pointAt(source, pos)}")`,
    ),
  );
}

/** Control characters (a line break inside a formula) written as escapes, so that the message stays one line. */
function visible(text: string): string {
  const names: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };
  return text.replace(
    CONTROL_CHARACTERS,
    (c) => names[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** At most `width` characters of `text` from `start`, with "..." where something is left out. */
function clip(text: string, start: number, width: number): string {
  const from = Math.max(0, start);
  const to = Math.min(text.length, from + width);
  return `${from > 0 ? "..." : ""}${text.slice(from, to)}${to < text.length ? "..." : ""}`;
}

/** The text around `pos` with ">>>" before the offending character (a window of it for long formulas). */
function pointAt(source: string, pos: number): string {
  if (source.length <= 120) return `${source.slice(0, pos)}>>>${source.slice(pos)}`;
  const before = clip(source, pos - 40, 40);
  const after = clip(source, pos, 40);
  return `${before.endsWith("...") ? before.slice(0, -3) : before}>>>${after.startsWith("...") ? after.slice(3) : after}`;
}
