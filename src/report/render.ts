/** One entry point for every output format, so that commands only choose a format and a destination. */
import { usageError } from "../errors.js";
import type { Output } from "../model/result.js";
import { renderCsv } from "./csv.js";
import { renderJson } from "./json.js";
import { renderLatex } from "./latex.js";
import { renderMarkdown } from "./markdown.js";
import type { TableOptions } from "./table.js";
import { renderText } from "./text.js";

export const OUTPUT_FORMATS = ["text", "markdown", "latex", "csv", "json"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Table options; they shape the text, Markdown and LaTeX tables. CSV and JSON always hold every coefficient. */
export type RenderOptions = TableOptions;

/** Renders `output` in `format`; every format ends with a newline and is byte-identical for identical input. */
export function renderOutput(output: Output, format: OutputFormat, options: RenderOptions = {}): string {
  switch (format) {
    case "text":
      return renderText(output, options);
    case "markdown":
      return renderMarkdown(output, options);
    case "latex":
      return renderLatex(output, options);
    case "csv":
      return renderCsv(output);
    case "json":
      return renderJson(output);
  }
}

/** Validates a `--format` value (also accepts "md" and "tex"). */
export function parseOutputFormat(value: string): OutputFormat {
  const v = value.toLowerCase();
  if (v === "md") return "markdown";
  if (v === "tex") return "latex";
  if ((OUTPUT_FORMATS as readonly string[]).includes(v)) return v as OutputFormat;
  throw usageError(`unknown format '${value}'; expected one of ${OUTPUT_FORMATS.join(", ")}`);
}

/** The format an output file's extension implies (.md, .tex, .csv, .json; anything else is text). */
export function formatForPath(path: string): OutputFormat {
  const ext = /\.([^./\\]+)$/.exec(path)?.[1]?.toLowerCase();
  switch (ext) {
    case "md":
    case "markdown":
      return "markdown";
    case "tex":
      return "latex";
    case "csv":
      return "csv";
    case "json":
      return "json";
    default:
      return "text";
  }
}
