/**
 * The command-line options that shape a printed table (`--keep`, `--labels`, `--title`, `--notes`, `--stats`,
 * `--fragment`, ...), shared by every command that prints regression tables, and their translation into the
 * report's options. The help texts list what the registries offer (formats, statistics).
 */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { usageError } from "../errors.js";
import { FORMATS, formatList, type WriteOptions } from "../report/formats.js";
import type { RegressionDocumentOptions } from "../report/regressionDocument.js";
import { parseStarLevels, type StarLevels } from "../report/stars.js";
import { statHelp } from "../report/stats.js";
import { COEF_STATS, type CoefStat, type ColumnGroup, NOTES_MODES, type NotesMode } from "../report/table.js";
import { parseListOption } from "./options.js";

export interface TableCliOptions {
  format?: string;
  digits?: string;
  statDigits?: string;
  keep?: string;
  drop?: string;
  order?: string;
  labels?: string[];
  title?: string;
  texLabel?: string;
  notes?: string;
  note?: string[];
  stats?: string;
  thousands?: boolean;
  seBeside?: boolean;
  seBelow?: boolean;
  coefstat?: string;
  fragment?: boolean;
  siunitx?: boolean;
  long?: boolean;
  panelColumns?: string;
  width?: string;
  groups?: string;
  feMarks?: string;
  stars?: string;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** "--format" help from the registry: "text, markdown, latex, csv or json". */
export function formatHelp(): string {
  return `${formatList()} (default: from --out's extension, else text)`;
}

/** Adds the table options to a command. `long` is left out for commands that use --long for something else. */
export function addTableOptions(command: Command, { long = true } = {}): Command {
  command
    .option("--format <format>", formatHelp())
    .option("--digits <n>", "decimals of coefficients in text, Markdown and LaTeX tables", "4")
    .option("--stat-digits <n>", "decimals of R2 and means (default: --digits) and F statistics (default 2)")
    .option("--keep <terms>", "show only these terms (comma-separated names, or /regex/)")
    .option("--drop <terms>", "hide these terms (names or /regex/)")
    .option("--order <terms>", "put these terms first, in this order (names or /regex/)")
    .option(
      "--labels <file|pairs>",
      'display names: "name=label,name=label" or a file (.json object, or .csv with columns name,label); repeatable',
      collect,
      [],
    )
    .option("--title <text>", "table title (the caption in LaTeX)")
    .option("--tex-label <label>", "LaTeX \\label of the table float")
    .option(
      "--notes <mode>",
      "footer: none, short (default: what is in parentheses, SE type, stars), full (also sample notes)",
    )
    .option("--note <text>", "a note line under the table (repeatable)", collect, [])
    .option("--stats <list>", `statistic rows, in order: ${statHelp()}`)
    .option("--no-thousands", "no thousands separators in counts (3119 rather than 3,119)")
    .option("--se-below", "standard errors below the estimates (default)")
    .option("--se-beside", "standard errors beside the estimates, on one row")
    .option(
      "--coefstat <stat>",
      "what goes with each estimate: se (default), t, p, ci, or with --boot boot_p or boot_ci (the wild bootstrap's p-value or interval in place of the SE)",
    )
    .option("--fragment", "LaTeX: only the table, for \\input{} into your own float")
    .option("--siunitx", "LaTeX: align numbers on the decimal point with siunitx S columns")
    .option("--panel-columns <n>", "split the table into panels of at most n model columns")
    .option("--width <n>", "text: split into panels to stay within n characters (default 120; 0 = never)")
    .option("--groups <list>", 'header cells over groups of columns, "Approach 1:2,Approach 2:2"')
    .option("--fe-marks <yes,no>", 'what fixed-effect rows print, e.g. "×," (default "Yes,No")')
    .option(
      "--stars <levels>",
      'significance stars, e.g. "***:0.001,**:0.01,*:0.05", or none (default 0.01/0.05/0.10)',
    );
  if (long) command.option("--long", "one row per model instead of one column (many --by groups)");
  return command;
}

function parseInteger(
  option: string,
  value: string | undefined,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw usageError(`${option}: expected a whole number from ${min} to ${max}, found '${value}'`);
  return n;
}

/** Splits "a=b,c=d" at commas outside parentheses and brackets (term names such as i(year, ref = 2000)). */
function splitTopLevel(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "(" || c === "[") depth++;
    else if (c === ")" || c === "]") depth--;
    else if (c === "," && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out.map((s) => s.trim()).filter((s) => s !== "");
}

/**
 * `--labels` values: name=label pairs, or a file: JSON (an object of name -> label) or CSV (name,label). A pair
 * splits at its last '=' that is followed by no ')' (so "i(year, ref = 2000)=Year" works).
 */
export function parseLabels(values: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const value of values) {
    if (/\.(json|csv)$/i.test(value)) {
      let text: string;
      try {
        text = readFileSync(value, "utf8");
      } catch (error) {
        throw usageError(`--labels: cannot read ${value}: ${(error as Error).message}`);
      }
      if (/\.json$/i.test(value)) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch (error) {
          throw usageError(`--labels: ${value} is not valid JSON: ${(error as Error).message}`);
        }
        if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
          throw usageError(`--labels: ${value} must hold an object of name: label`);
        for (const [k, v] of Object.entries(parsed)) {
          if (typeof v !== "string")
            throw usageError(`--labels: ${value}, key '${k}': expected a text label`);
          labels[k] = v;
        }
      } else {
        const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
        const header = (lines[0] ?? "").split(",").map((h) => h.trim().replace(/^"|"$/g, ""));
        if (header[0] !== "name" || header[1] !== "label")
          throw usageError(`--labels: ${value} line 1: expected the header name,label`);
        lines.slice(1).forEach((line, i) => {
          const m = /^\s*(?:"((?:[^"]|"")*)"|([^,]*)),\s*(?:"((?:[^"]|"")*)"|(.*))\s*$/.exec(line);
          if (m === null) throw usageError(`--labels: ${value} line ${i + 2}: expected name,label`);
          const name = m[1] !== undefined ? m[1].replace(/""/g, '"') : (m[2] ?? "").trim();
          const label = m[3] !== undefined ? m[3].replace(/""/g, '"') : (m[4] ?? "").trim();
          labels[name] = label;
        });
      }
      continue;
    }
    for (const pair of splitTopLevel(value)) {
      const m = /^(.*)=([^)=]*)$/.exec(pair);
      if (m === null || (m[1] as string).trim() === "")
        throw usageError(`--labels: expected name=label, found '${pair}'`);
      labels[(m[1] as string).trim()] = (m[2] as string).trim();
    }
  }
  return labels;
}

/** "Approach 1:2,Approach 2:2" -> column groups. */
export function parseGroups(value: string | undefined): ColumnGroup[] | undefined {
  if (value === undefined) return undefined;
  return value.split(",").map((item) => {
    const m = /^(.*):\s*(\d+)\s*$/.exec(item);
    if (m === null) throw usageError(`--groups: expected label:columns, found '${item}'`);
    return { label: (m[1] as string).trim(), span: Number(m[2]) };
  });
}

function parseChoice<T extends string>(
  option: string,
  value: string | undefined,
  choices: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!(choices as readonly string[]).includes(value))
    throw usageError(`${option}: expected one of ${choices.join(", ")}, found '${value}'`);
  return value as T;
}

function starsOption(value: string): StarLevels | false {
  try {
    return parseStarLevels(value);
  } catch (error) {
    throw usageError(`--stars: ${(error as Error).message}`);
  }
}

/** "×," -> ["×", ""]. */
function parseMarks(value: string): [string, string] {
  const parts = value.split(",");
  if (parts.length !== 2) throw usageError(`--fe-marks: expected yes,no (two texts), found '${value}'`);
  return [parts[0] as string, parts[1] as string];
}

/** The table options of the command line. */
export function tableOptionsFrom(opts: TableCliOptions): RegressionDocumentOptions {
  const digits = parseInteger("--digits", opts.digits ?? "4", 0, 12) as number;
  const statDigits = parseInteger("--stat-digits", opts.statDigits, 0, 12);
  if (opts.seBeside && opts.seBelow) throw usageError("--se-beside and --se-below exclude each other");
  const notes = parseChoice<NotesMode>("--notes", opts.notes, NOTES_MODES);
  const coefstat = parseChoice<CoefStat>("--coefstat", opts.coefstat, COEF_STATS);
  const labels = parseLabels(opts.labels ?? []);
  return {
    digits,
    ...(statDigits !== undefined ? { statDigits } : {}),
    ...(opts.keep !== undefined ? { keep: splitTopLevel(opts.keep) } : {}),
    ...(opts.drop !== undefined ? { drop: splitTopLevel(opts.drop) } : {}),
    ...(opts.order !== undefined ? { order: splitTopLevel(opts.order) } : {}),
    labels,
    ...(opts.title !== undefined ? { title: opts.title } : {}),
    ...(opts.texLabel !== undefined ? { label: opts.texLabel } : {}),
    ...(notes !== undefined ? { notes } : {}),
    extraNotes: opts.note ?? [],
    ...(opts.stats !== undefined ? { stats: parseListOption(opts.stats) ?? [] } : {}),
    thousands: opts.thousands !== false,
    beside: opts.seBeside === true,
    ...(coefstat !== undefined ? { coefstat } : {}),
    ...(opts.long ? { long: true } : {}),
    ...(opts.groups !== undefined ? { groups: parseGroups(opts.groups) } : {}),
    ...(opts.feMarks !== undefined ? { feMarks: parseMarks(opts.feMarks) } : {}),
    ...(opts.stars !== undefined ? { stars: starsOption(opts.stars) } : {}),
  };
}

/** The layout options of the command line. */
export function writeOptionsFrom(opts: TableCliOptions): WriteOptions {
  const panelColumns = parseInteger("--panel-columns", opts.panelColumns, 1, 10000);
  const width = parseInteger("--width", opts.width, 0, 100000);
  return {
    ...(panelColumns !== undefined ? { panelColumns } : {}),
    ...(width !== undefined ? { width } : {}),
    latex: { fragment: opts.fragment === true, siunitx: opts.siunitx === true },
  };
}

/** Names the registry offers, for tests of the help text. */
export const FORMAT_HELP_NAMES = FORMATS.map((f) => f.name);
