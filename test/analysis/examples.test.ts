import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatCheckReport } from "../../src/analysis/check.js";
import { runSpec } from "../../src/analysis/run.js";

// Each example's spec pins numbers printed by its independent R script (scripts/examples/<name>.R) at 1e-8
// relative: those are the correctness check. The byte comparison with the committed output is a format snapshot
// (layout, notes, file set), not a source of truth: the committed files were written by mobility itself.
for (const name of [
  "spending_race_gender",
  "beat_prediction",
  "spending_curves",
  "equalization",
  "figures",
  "tables",
]) {
  describe(`examples/${name} (expected values from scripts/examples/${name}.R)`, () => {
    const run = runSpec(join("examples", name, "analysis.yaml"), { write: false });
    run.catch(() => {}); // a failed run fails both tests below (they await it), not as an unhandled rejection
    it("every value pinned by the R script holds (--check)", async () => {
      const result = await run;
      expect(formatCheckReport(result.check)).toMatch(/^check: all \d+ expected values hold\n$/);
      expect(result.check.lines.length).toBeGreaterThan(10);
    }, 60_000);
    it("format snapshot: the output files equal the committed ones byte for byte", async () => {
      const dir = join("examples", name);
      const result = await run;
      for (const [file, text] of result.files) {
        const committed = readFileSync(join(dir, "output", file));
        if (typeof text === "string") expect(text, file).toBe(committed.toString("utf8"));
        else expect(Buffer.compare(text, committed), file).toBe(0);
      }
    }, 60_000);
  });
}
