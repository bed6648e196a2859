/**
 * The CSV writer of every table: a document's records (regression coefficients in tidy long form, event-study
 * paths, data listings), one line per record. Numbers in full precision (the shortest decimal that reads back as
 * the same double; see numberFormat.ts), NaN and null as an empty field, infinities as Inf / -Inf, booleans as
 * true / false; fields quoted by the project's one quoting rule (data/writeCsv.ts `csvField`: RFC 4180, plus
 * fields with leading or trailing spaces); lines end with "\n".
 *
 * The tidy regression records are built in regressionRecords.ts.
 */
import { csvField } from "../data/writeCsv.js";
import type { FormatWriter } from "./formats.js";
import type { Records, RecordValue, ReportDocument } from "./grid.js";
import { formatFull } from "./numberFormat.js";

export { csvField };

function field(value: RecordValue): string {
  if (value === null) return "";
  if (typeof value === "number") return formatFull(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  return csvField(value);
}

/** Records as CSV text (ends with a newline). */
export function recordsToCsv(records: Records): string {
  const lines = [records.columns.map(csvField).join(",")];
  for (const row of records.rows) lines.push(row.map(field).join(","));
  return `${lines.join("\n")}\n`;
}

export const csvFormat: FormatWriter = {
  name: "csv",
  aliases: [],
  extensions: ["csv"],
  summary: "tidy CSV for scripts (full precision)",
  write: (doc: ReportDocument) => recordsToCsv(doc.records()),
};
