import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatCheckReport } from "../../src/analysis/check.js";
import { runSpec } from "../../src/analysis/run.js";

// Each example's spec pins numbers printed by its independent R script (scripts/examples/<name>.R) at 1e-8
// relative; the run must reproduce them (--check) and its committed output byte for byte.
for (const name of [
  "spending_race_gender",
  "beat_prediction",
  "spending_curves",
  "equalization",
  "figures",
  "tables",
]) {
  describe(`examples/${name} (expected values from scripts/examples/${name}.R)`, () => {
    it("passes --check and reproduces the committed output", async () => {
      const dir = join("examples", name);
      const result = await runSpec(join(dir, "analysis.yaml"), { write: false });
      expect(formatCheckReport(result.check)).toMatch(/^check: all \d+ expected values hold\n$/);
      expect(result.check.lines.length).toBeGreaterThan(10);
      for (const [file, text] of result.files) {
        const committed = readFileSync(join(dir, "output", file));
        if (typeof text === "string") expect(text, file).toBe(committed.toString("utf8"));
        else expect(Buffer.compare(text, committed), file).toBe(0);
      }
    }, 60_000);
  });
}
