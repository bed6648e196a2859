/**
 * The columnar cache (src/engines/cache.ts): a second read of an unchanged CSV comes from the cache and gives the
 * same Table (hence the same regression: fixest's feols on Grunfeld, test/golden/feols.json); a command needing a
 * column the entry lacks parses only that column and adds it; a changed file misses; --no-cache bypasses it.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { readModelData } from "../../src/app/readModelData.js";
import { runRegressions } from "../../src/app/regression.js";
import { parseFormula } from "../../src/formula/parser.js";

let dir: string;
const saved = { dir: process.env.MOBILITY_CACHE_DIR, min: process.env.MOBILITY_CACHE_MIN };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "mobility-cache-test-"));
  process.env.MOBILITY_CACHE_DIR = join(dir, "cache");
  process.env.MOBILITY_CACHE_MIN = "1KB";
});
afterEach(() => {
  process.env.MOBILITY_CACHE_DIR = saved.dir;
  process.env.MOBILITY_CACHE_MIN = saved.min;
  if (saved.dir === undefined) delete process.env.MOBILITY_CACHE_DIR;
  if (saved.min === undefined) delete process.env.MOBILITY_CACHE_MIN;
});

const request = (formula: string) => ({
  formulas: [parseFormula(formula)],
  covariance: { cluster: ["firm"] },
  level: 0.95,
});

it("keeps parsed columns, reads them back identically, adds missing ones, and misses on a changed file (fixest feols, Grunfeld)", async () => {
  const csv = join(dir, "grunfeld.csv");
  cpSync("fixtures/fe/grunfeld.csv", csv);
  const first = await readModelData(csv, request("inv ~ value | firm"));
  const manifests = () => readdirSync(join(dir, "cache")).filter((f) => f.endsWith(".json"));
  expect(manifests()).toHaveLength(1);
  const manifest = () => JSON.parse(readFileSync(join(dir, "cache", manifests()[0] as string), "utf8"));
  expect(
    manifest()
      .columns.map((c: { name: string }) => c.name)
      .sort(),
  ).toEqual(["firm", "inv", "value"]);

  const second = await readModelData(csv, request("inv ~ value | firm"));
  expect(second.table.names).toEqual(first.table.names);
  expect(Array.from(second.table.numeric("value").values)).toEqual(
    Array.from(first.table.numeric("value").values),
  );

  // A model with capital: only capital is parsed and added; the result is fixest's.
  const third = await readModelData(csv, request("inv ~ value + capital | firm"));
  expect(
    manifest()
      .columns.map((c: { name: string }) => c.name)
      .sort(),
  ).toEqual(["capital", "firm", "inv", "value"]);
  const model = runRegressions(third.table, request("inv ~ value + capital | firm")).models[0]?.result;
  // fixest: feols(inv ~ value + capital | firm, cluster = ~firm): value 0.1101238041207 (scripts/golden/feols.R)
  expect(model?.coefficients[0]?.estimate).toBeCloseTo(0.1101238041207, 12);

  // A changed modification time is a different key; --no-cache writes nothing.
  utimesSync(csv, new Date(2000, 1, 1), new Date(2000, 1, 1));
  await readModelData(csv, request("inv ~ value | firm"), { cache: false });
  expect(manifests()).toHaveLength(1);
  await readModelData(csv, request("inv ~ value | firm"));
  expect(manifests()).toHaveLength(2);
  expect(existsSync(join(dir, "cache"))).toBe(true);
});
