/**
 * The JSON writer of the format registry: a document's JSON value, pretty-printed with a 2-space indent. JSON has
 * no NaN or Infinity: NaN is written null and infinities "Infinity" / "-Infinity" (numberFormat.ts jsonNumber;
 * json.ts reads them back). A regression result is checked against its schema (json.ts) before it is written:
 * `prepare` loads that schema (zod), which no other format needs.
 */
import type { FormatWriter } from "./formats.js";
import type { ReportDocument } from "./grid.js";
import { jsonNumber } from "./numberFormat.js";

/** Any value as pretty JSON (2-space indent, ends with a newline), non-finite numbers mapped as documented. */
export function jsonText(value: unknown): string {
  const text = JSON.stringify(value, (_key, v: unknown) => (typeof v === "number" ? jsonNumber(v) : v), 2);
  return `${text}\n`;
}

export const jsonFormat: FormatWriter = {
  name: "json",
  aliases: [],
  extensions: ["json"],
  summary: "JSON (the full result, for scripts and CI)",
  write: (doc: ReportDocument) => jsonText(doc.json()),
  prepare: async () => {
    await import("./json.js");
  },
};
