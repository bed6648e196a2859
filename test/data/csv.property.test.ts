/**
 * Property tests for the streaming CSV reader: well-formed generated files parse to exactly what an
 * independent simple parser says; arbitrary (often malformed) input either parses or throws a MobilityError,
 * never another exception.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseCsvText } from "../../src/data/csv.js";
import { stringAt, type Table } from "../../src/data/table.js";
import { MobilityError } from "../../src/errors.js";

/** RFC 4180 parser for comma-separated text that is known to be well formed (reference implementation). */
function simpleParse(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (ch === '"') {
        quoted = false;
        i++;
        continue;
      }
      field += ch;
      i++;
      continue;
    }
    if (ch === '"') {
      quoted = true;
      i++;
    } else if (ch === ",") {
      row.push(field);
      field = "";
      i++;
    } else if (ch === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i += 2;
    } else if (ch === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i++;
    } else {
      field += ch;
      i++;
    }
  }
  if (field !== "" || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

const encode = (field: string) => (/[",\r\n]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field);

/** Text cells: letters, spaces inside, quotes, commas, newlines; never purely numeric or a missing token. */
const textCell = fc
  .array(fc.constantFrom("a", "b", "Z", "é", " ", ",", '"', "\n", "\r\n", "x", "'", "-"), {
    minLength: 1,
    maxLength: 12,
  })
  .map((parts) => `t${parts.join("")}`.replace(/\s+$/, "") || "t");
const numberCell = fc.oneof(
  fc.integer({ min: -1_000_000, max: 1_000_000 }).map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e9, max: 1e9 }).map((x) => String(x)),
);

const wellFormed = fc
  .record({
    ncol: fc.integer({ min: 1, max: 5 }),
    nrow: fc.integer({ min: 0, max: 20 }),
    eol: fc.constantFrom("\n", "\r\n"),
    bom: fc.boolean(),
    finalEol: fc.boolean(),
    seed: fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
  })
  .chain(({ ncol, nrow, eol, bom, finalEol, seed }) =>
    fc
      .tuple(
        ...Array.from({ length: ncol }, (_, j) =>
          fc.array(seed[j] ? numberCell : fc.oneof(textCell, fc.constant("")), {
            minLength: nrow,
            maxLength: nrow,
          }),
        ),
      )
      .map((columns) => {
        const header = Array.from({ length: ncol }, (_, j) => `c${j}`);
        const lines = [header.join(",")];
        for (let i = 0; i < nrow; i++) lines.push(columns.map((c) => encode(c[i] as string)).join(","));
        // A row whose only field is empty is a blank line, which the reader skips by design; avoid it.
        const text = lines.filter((l) => l !== "").join(eol) + (finalEol ? eol : "");
        return { text: (bom ? "\uFEFF" : "") + text, header, columns, nrow };
      }),
  );

function cellText(table: Table, name: string, row: number): string {
  const column = table.column(name);
  if (column.kind === "number") {
    const v = column.values[row] as number;
    return Number.isNaN(v) ? "" : String(v);
  }
  return stringAt(column, row) ?? "";
}

describe("CSV reader properties", () => {
  it("well-formed input parses to what a reference parser finds", async () => {
    await fc.assert(
      fc.asyncProperty(wellFormed, async ({ text, header }) => {
        const expected = simpleParse(text.replace(/^\uFEFF/, "")).filter(
          (r) => !(r.length === 1 && r[0] === ""),
        );
        const table = await parseCsvText(text, "gen.csv");
        expect(table.names).toEqual(header);
        expect(table.nrows).toBe(expected.length - 1);
        for (let i = 1; i < expected.length; i++) {
          const row = expected[i] as string[];
          header.forEach((name, j) => {
            const want = (row[j] as string).trim();
            const got = cellText(table, name, i - 1);
            const column = table.column(name);
            if (column.kind === "number") {
              if (want === "" || want === "NA" || want === ".") expect(got).toBe("");
              else expect(Number(got)).toBe(Number(want));
            } else {
              expect(got).toBe(want === "NA" || want === "." ? "" : want);
            }
          });
        }
      }),
      { numRuns: 200 },
    );
  });

  it("any input either parses or throws a MobilityError", async () => {
    const pieces = fc.constantFrom(
      "a",
      "1",
      "2.5",
      ",",
      ",",
      '"',
      '""',
      "\n",
      "\r\n",
      "\r",
      "\uFEFF",
      " ",
      ".",
      "NA",
      "x".repeat(5000),
      "\t",
      ";",
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.array(pieces, { maxLength: 60 }).map((p) => p.join("")),
          fc.string({ maxLength: 200 }),
        ),
        async (text) => {
          try {
            const table = await parseCsvText(text, "fuzz.csv");
            expect(table.nrows).toBeGreaterThanOrEqual(0);
          } catch (error) {
            if (!(error instanceof MobilityError)) throw error;
            expect(error.message).toMatch(/^fuzz\.csv/);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it("edge cases: empty file, header only, ragged rows, unterminated quote, long fields", async () => {
    await expect(parseCsvText("", "e.csv")).rejects.toThrow("e.csv: the file is empty (no header line)");
    await expect(parseCsvText("\uFEFF", "e.csv")).rejects.toThrow(MobilityError);
    expect((await parseCsvText("a,b\r\n", "h.csv")).nrows).toBe(0);
    await expect(parseCsvText("a,b\n1,2\n3\n4,5,6\n", "r.csv")).rejects.toThrow(
      "r.csv line 3: expected 2 fields (as in the header), found 1",
    );
    await expect(parseCsvText('a,b\n1,"2\n', "q.csv")).rejects.toThrow(MobilityError);
    const long = "y".repeat(200_000);
    const t = await parseCsvText(`a,b\n"${long}",1\n`, "l.csv");
    expect(cellText(t, "a", 0)).toBe(long);
  });
});
