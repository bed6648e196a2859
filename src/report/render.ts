/** One entry point for regression outputs, so that commands only choose a format and a destination. */
import type { Output } from "../model/result.js";
import { FORMAT_NAMES, findFormat, formatForPath as pathFormat, type WriteOptions } from "./formats.js";
import { type RegressionDocumentOptions, regressionDocument } from "./regressionDocument.js";
// The JSON format validates results with the schema; this synchronous entry point loads it up front.
import "./json.js";

/** Every format name, from the registry (formats.ts). */
export const OUTPUT_FORMATS: readonly string[] = FORMAT_NAMES;
/**
 * The built-in format names as a type, for callers that switch on them (the event-study table until it is ported
 * onto the registry). The registry (formats.ts) is what the command line and spec files offer.
 */
export type OutputFormat = "text" | "markdown" | "latex" | "csv" | "json";

/** Table options (text, Markdown, LaTeX) and layout options; CSV and JSON always hold every coefficient. */
export type RenderOptions = RegressionDocumentOptions & WriteOptions;

/** Renders `output` in `format`; every format ends with a newline and is byte-identical for identical input. */
export function renderOutput(output: Output, format: string, options: RenderOptions = {}): string {
  return findFormat(format).write(regressionDocument(output, options), options);
}

/** Validates a `--format` value (case-insensitive; also accepts "md", "tex", "txt"). */
export function parseOutputFormat(value: string): OutputFormat {
  return findFormat(value).name as OutputFormat;
}

/** The format an output file's extension implies (.md, .tex, .csv, .json; anything else is text). */
export function formatForPath(path: string): OutputFormat {
  return pathFormat(path) as OutputFormat;
}
