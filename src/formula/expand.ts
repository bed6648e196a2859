/**
 * fixest's multiple-estimation syntax, expanded into plain formulas before parsing (fixest R/fml_funs.R and
 * "Multiple estimations" in its documentation):
 *
 *   c(y1, y2) ~ x            one model per outcome
 *   y ~ sw(x1, x2)           stepwise: y ~ x1, then y ~ x2
 *   y ~ sw0(x1, x2)          y ~ 1, y ~ x1, y ~ x2
 *   y ~ z + csw(x1, x2)      cumulative: y ~ z + x1, y ~ z + x1 + x2
 *   y ~ csw0(x1, x2)         y ~ 1, y ~ x1, y ~ x1 + x2
 *   y ~ x | sw(fe1, fe2)     the same in the fixed-effects part (an argument 0 means no fixed effects)
 *   y ~ ..("^x_")            every column whose name matches the regular expression, in data order
 *
 * Models come in fixest's order: fixed-effect variants outermost, then outcomes, then right-hand sides (a split
 * sample, `--split`, is outside all of them). The expanded formulas are texts, written as a user would write them,
 * so that their terms are named exactly as if typed (`y ~ z + x1 + x2`).
 */
import { usageError } from "../errors.js";
import { formulaError } from "./lexer.js";

const STEPWISE = ["sw", "sw0", "csw", "csw0"] as const;
type Stepwise = (typeof STEPWISE)[number];

/** Positions of a character at bracket depth 0, outside quotes. */
function topLevel(text: string, chars: string): number[] {
  const out: number[] = [];
  let depth = 0;
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote !== null) {
      if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'" || c === "`") quote = c;
    else if (c === "(" || c === "[") depth++;
    else if (c === ")" || c === "]") depth--;
    else if (depth === 0 && chars.includes(c)) out.push(i);
  }
  return out;
}

/** Splits at top-level occurrences of one character. */
function splitTop(text: string, char: string): string[] {
  const cuts = topLevel(text, char);
  const parts: string[] = [];
  let start = 0;
  for (const cut of cuts) {
    parts.push(text.slice(start, cut));
    start = cut + 1;
  }
  parts.push(text.slice(start));
  return parts;
}

/** The closing parenthesis matching the one at `open`, or -1. */
function matching(text: string, open: number): number {
  let depth = 0;
  let quote: string | null = null;
  for (let i = open; i < text.length; i++) {
    const c = text[i] as string;
    if (quote !== null) {
      if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'" || c === "`") quote = c;
    else if (c === "(") depth++;
    else if (c === ")") {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

interface Call {
  fn: string;
  start: number;
  end: number;
  args: string[];
}

/** The first call of one of `names` in `part` (at any depth), with its arguments. */
function findCall(part: string, names: readonly string[], source: string, offset: number): Call | null {
  const re = new RegExp(
    `(^|[^A-Za-z0-9_.])(${names.map((n) => n.replace(/\./g, "\\.")).join("|")})\\s*\\(`,
    "g",
  );
  const m = re.exec(part);
  if (m === null) return null;
  const start = m.index + (m[1] as string).length;
  const open = part.indexOf("(", start);
  const end = matching(part, open);
  if (end < 0) throw formulaError(source, offset + open, `an unclosed '(' after ${m[2]}`);
  const inner = part.slice(open + 1, end);
  const args = inner.trim() === "" ? [] : splitTop(inner, ",").map((a) => a.trim());
  return { fn: m[2] as string, start, end: end + 1, args };
}

/** The part with `part[call.start, call.end)` replaced by `text`; an empty text takes a '+' next to it along. */
function replaceCall(part: string, call: Call, text: string): string {
  if (text !== "") return part.slice(0, call.start) + text + part.slice(call.end);
  let before = part.slice(0, call.start);
  let after = part.slice(call.end);
  if (/\+\s*$/.test(before)) before = before.replace(/\+\s*$/, "");
  else if (/^\s*\+/.test(after)) after = after.replace(/^\s*\+/, "");
  return before + after;
}

/** The variants of a part with a stepwise call, or the part alone. */
function stepwiseVariants(part: string, source: string, offset: number): string[] {
  const call = findCall(part, STEPWISE, source, offset);
  if (call === null) return [part];
  if (call.args.length === 0) throw formulaError(source, offset + call.start, `${call.fn}() needs arguments`);
  const fn = call.fn as Stepwise;
  const lists: string[][] = [];
  if (fn === "sw0" || fn === "csw0") lists.push([]);
  call.args.forEach((_, k) => {
    lists.push(fn.startsWith("csw") ? call.args.slice(0, k + 1) : [call.args[k] as string]);
  });
  const variants = lists.map((args) => replaceCall(part, call, args.join(" + ")));
  for (const v of variants) {
    if (findCall(v, STEPWISE, source, offset) !== null)
      throw formulaError(
        source,
        offset + call.start,
        "one stepwise function (sw, sw0, csw, csw0) per formula part",
      );
  }
  return variants;
}

/** `..("regex")` replaced by the matching column names joined with " + ". */
function expandRegex(
  part: string,
  columns: readonly string[] | undefined,
  exclude: Set<string>,
  source: string,
  offset: number,
): string {
  let out = part;
  for (;;) {
    const call = findCall(out, [".."], source, offset);
    if (call === null) return out;
    const arg = call.args[0] ?? "";
    const m = /^(["'])(.*)\1$/.exec(arg);
    if (call.args.length !== 1 || m === null)
      throw formulaError(
        source,
        offset + call.start,
        '..() takes one quoted regular expression, e.g. ..("^x_")',
      );
    if (columns === undefined)
      throw usageError(`formula "${source}": ..("${m[2]}") needs the data's column names`);
    let re: RegExp;
    try {
      re = new RegExp(m[2] as string);
    } catch (error) {
      throw formulaError(
        source,
        offset + call.start,
        `an invalid regular expression: ${(error as Error).message}`,
      );
    }
    const names = columns.filter((c) => re.test(c) && !exclude.has(c));
    if (names.length === 0)
      throw formulaError(
        source,
        offset + call.start,
        `..("${m[2]}") matches no column (columns: ${columns.join(", ")})`,
      );
    out = replaceCall(
      out,
      call,
      names.map((n) => (/^[A-Za-z.][A-Za-z0-9_.]*$/.test(n) ? n : `\`${n}\``)).join(" + "),
    );
  }
}

/**
 * The formulas a fixest formula stands for, in fixest's order. `columns` (the data's column names) is needed
 * only for `..("regex")`. A formula without multiple-estimation syntax comes back alone and unchanged.
 */
export function expandFormula(text: string, columns?: readonly string[]): string[] {
  const source = text.trim();
  if (!/(^|[^A-Za-z0-9_.])(c|sw|sw0|csw|csw0|\.\.)\s*\(/.test(source)) return [source];
  const tilde = topLevel(source, "~")[0];
  if (tilde === undefined) return [source];
  const lhsText = source.slice(0, tilde).trim();
  const rest = source.slice(tilde + 1);
  // Outcomes: c(y1, y2) on the left.
  const lhsCall = /^c\s*\(/.test(lhsText) ? findCall(lhsText, ["c"], source, 0) : null;
  const outcomes =
    lhsCall !== null && lhsCall.start === 0 && lhsCall.end === lhsText.length ? lhsCall.args : [lhsText];
  if (outcomes.length === 0) throw formulaError(source, 0, "c() needs at least one outcome");
  const parts = splitTop(rest, "|");
  const offset = tilde + 1;
  const rhs = expandRegex(parts[0] as string, columns, new Set(outcomes), source, offset);
  const rhsVariants = stepwiseVariants(rhs, source, offset).map((v) => (v.trim() === "" ? " 1" : v));
  // The part after the right-hand side: fixed effects unless it holds an IV formula (a '~').
  const fePart =
    parts.length > 1 && topLevel(parts[1] as string, "~").length === 0 ? (parts[1] as string) : null;
  const feVariants = fePart === null ? [null] : stepwiseVariants(fePart, source, offset);
  const tail = parts.slice(fePart === null ? 1 : 2);
  for (const t of tail) {
    if (findCall(t, STEPWISE, source, offset) !== null)
      throw formulaError(source, offset, "stepwise functions in the IV part are not supported");
  }
  if (lhsCall === null && rhs === parts[0] && rhsVariants.length === 1 && feVariants.length === 1)
    return [source];
  const out: string[] = [];
  for (const fe of feVariants) {
    for (const y of outcomes) {
      for (const r of rhsVariants) {
        const feText = fe === null ? null : fe.trim();
        // An empty fixed-effects variant, or 0 (sw(fe, 0)), means no fixed effects: written `| 1` as fixest does.
        const feKept = feText === null ? "" : feText === "" || feText === "0" ? " | 1" : ` | ${feText}`;
        out.push(`${y} ~ ${r.trim()}${feKept}${tail.map((t) => ` | ${t.trim()}`).join("")}`);
      }
    }
  }
  return out;
}
