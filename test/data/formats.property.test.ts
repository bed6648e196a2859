/**
 * Malformed inputs to the file-format readers (property tests, as test/data/csv.property.test.ts does for CSV):
 * a truncated or bit-flipped .dta, .xlsx, .parquet, .gz or .zst, and random bytes under those names, either read
 * or fail with a MobilityError whose message is one line naming the file; never another exception, never a hang.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readCsv } from "../../src/data/csv.js";
import { readTableHeader } from "../../src/data/csvHeader.js";
import { MobilityError } from "../../src/errors.js";

const dir = mkdtempSync(join(tmpdir(), "mobility-fuzz-"));
let count = 0;

/** Reads `bytes` saved as `name`; returns "ok" or the error message, failing on any non-MobilityError. */
async function attempt(bytes: Uint8Array, name: string): Promise<string> {
  const file = join(dir, `${count++}-${name}`);
  writeFileSync(file, bytes);
  for (const read of [() => readTableHeader(file), () => readCsv(file)]) {
    try {
      await read();
    } catch (error) {
      if (!(error instanceof MobilityError))
        throw new Error(`not a MobilityError for ${name}: ${String(error)}`);
      expect(error.message).not.toMatch(/\n/);
      expect(error.message).toContain(file);
      return error.message;
    }
  }
  return "ok";
}

const SEEDS: [string, string][] = [
  ["fixtures/formats/lihtc_ak_v118.dta", "data.dta"],
  ["fixtures/formats/lihtc_ak_v114.dta", "data.dta"],
  ["fixtures/formats/f33_subset_zstd.parquet", "data.parquet"],
  ["fixtures/formats/tdhca_2017_award_log.xlsx", "book.xlsx"],
];

describe("malformed binary inputs give one-line errors (fast-check)", () => {
  for (const [seed, name] of SEEDS) {
    const bytes = new Uint8Array(readFileSync(seed));
    it(`${seed}: every truncation fails cleanly`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 0, max: bytes.length - 1 }), async (cut) => {
          const message = await attempt(bytes.subarray(0, cut), name);
          // A strict prefix of a .dta or .parquet file is never a complete file.
          if (!name.endsWith(".xlsx")) expect(message).not.toBe("ok");
        }),
        { numRuns: name.endsWith(".xlsx") ? 15 : 40 },
      );
    }, 60_000);

    it(`${seed}: flipped bytes read or fail cleanly`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.tuple(fc.integer({ min: 0, max: bytes.length - 1 }), fc.integer({ min: 1, max: 255 })),
            {
              minLength: 1,
              maxLength: 8,
            },
          ),
          async (flips) => {
            const copy = Uint8Array.from(bytes);
            for (const [at, xor] of flips) copy[at] = (copy[at] as number) ^ xor;
            await attempt(copy, name);
          },
        ),
        { numRuns: name.endsWith(".xlsx") ? 4 : 40 },
      );
    }, 60_000);
  }

  it("random bytes under a binary name fail cleanly", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 0, maxLength: 300 }),
        fc.constantFrom("x.dta", "x.parquet", "x.xlsx", "x.xls", "x.gz", "x.zst", "x.csv.gz"),
        async (bytes, name) => {
          const message = await attempt(bytes, name);
          expect(message).not.toBe("ok");
        },
      ),
      { numRuns: 60 },
    );
  }, 60_000);

  it("a non-gzip .gz, a truncated gzip stream and a truncated zstd frame", async () => {
    expect(await attempt(new TextEncoder().encode("a,b\n1,2\n"), "plain.csv.gz")).toMatch(
      /expected a gzip-compressed file \(from its name\), but its first bytes are not/,
    );
    const gz = gzipSync(readFileSync("fixtures/grunfeld.csv"));
    expect(await attempt(gz.subarray(0, gz.length - 20), "g.csv.gz")).toMatch(
      /not a valid gzip stream .*truncated or damaged/,
    );
    // The content decides: a Parquet file named .zst is read as Parquet.
    expect(await attempt(readFileSync("fixtures/formats/f33_subset_zstd.parquet"), "x.csv.zst")).toBe("ok");
    const frame = Uint8Array.from([0x28, 0xb5, 0x2f, 0xfd, 0x24, 0x10, 0x41, 0x00, 0x00, 0x61, 0x2c]);
    expect(await attempt(frame, "cut.csv.zst")).toMatch(/not a valid zstd stream .*truncated or damaged/);
  });

  it("a truncated Stata file says which part it ends in", async () => {
    const bytes = readFileSync("fixtures/formats/lihtc_ak_v118.dta");
    expect(await attempt(bytes.subarray(0, 2000), "t.dta")).toMatch(
      /not a complete Stata \.dta file: it ends inside the/,
    );
  });
});
