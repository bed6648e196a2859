import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseCsvText } from "../../src/data/csv.js";
import { numericColumn, stringColumn, Table } from "../../src/data/table.js";
import { tableToCsv, writeCsv, writeJson } from "../../src/data/writeCsv.js";
import { MobilityError } from "../../src/errors.js";

describe("writeCsv", () => {
  it("shortest round-trip numbers, empty missing, quoting only when needed", () => {
    const t = new Table(
      [
        stringColumn("id", ["01001", 'a "q", b', undefined]),
        numericColumn("x", [0.1 + 0.2, Number.NaN, 1e21]),
        numericColumn("y", [1 / 3, -0, Number.POSITIVE_INFINITY]),
      ],
      3,
    );
    expect(tableToCsv(t)).toBe(
      'id,x,y\n01001,0.30000000000000004,0.3333333333333333\n"a ""q"", b",,0\n,1e+21,Inf\n',
    );
  });

  it("round-trips through the reader, written atomically", async () => {
    const dir = mkdtempSync(join(tmpdir(), "writecsv-"));
    const t = new Table(
      [stringColumn("fips", ["01001", "48141"]), numericColumn("v", [3628.171247357294, Number.NaN])],
      2,
    );
    const out = join(dir, "out.csv");
    writeCsv(t, out);
    expect(readdirSync(dir)).toEqual(["out.csv"]);
    const back = await parseCsvText(readFileSync(out, "utf8"), out);
    expect(back.numeric("v").values[0]).toBe(3628.171247357294);
    expect(Number.isNaN(back.numeric("v").values[1])).toBe(true);
    writeJson(t, join(dir, "out.json"));
    expect(JSON.parse(readFileSync(join(dir, "out.json"), "utf8"))).toEqual([
      { fips: "01001", v: 3628.171247357294 },
      { fips: "48141", v: null },
    ]);
  });

  it("an unwritable path is an io error and leaves no temp file", () => {
    const dir = mkdtempSync(join(tmpdir(), "writecsv-"));
    const t = new Table([numericColumn("v", [1])], 1);
    expect(() => writeCsv(t, join(dir, "no", "such", "dir.csv"))).toThrow(MobilityError);
    expect(readdirSync(dir)).toEqual([]);
  });
});
