import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { runSpec } from "../../src/analysis/run.js";

const golden = JSON.parse(readFileSync("test/golden/binsreg.json", "utf8")) as {
  cases: { raw: { dots: { fit: number[] } } };
};

function spec(extra = ""): string {
  const dir = mkdtempSync(join(tmpdir(), "mobility-figspec-"));
  writeFileSync(join(dir, "states.csv"), "state,v\n01,1\n06,2\n48,3\n");
  const counties = resolve("fixtures/atlas_f33_county.csv");
  writeFileSync(
    join(dir, "figures.yaml"),
    `name: figs
data:
  sources:
    counties: { file: ${counties}, types: { fips: string, state: string } }
    states: { file: states.csv, types: { state: string } }
plots:
  bs:
    type: binscatter
    data: counties
    y: kfr_pooled_pooled_p25
    x: log_ppe
    bins: 20${extra}
  st:
    type: map
    data: states
    id: state
    value: v
    level: state
    classes: 3
expect:
  values:
    - { list: bs, rows: 20 }
    - { list: bs, where: { bin: 1 }, column: fit, value: ${golden.cases.raw.dots.fit[0]} }
    - { list: bs, where: { bin: 20 }, column: fit, value: ${golden.cases.raw.dots.fit[19]} }
`,
  );
  return join(dir, "figures.yaml");
}

describe("figures in spec files", () => {
  it("runs a plots-only spec: binscatter dots pinned to R binsreg as a list, a state map with its report", async () => {
    const result = await runSpec(spec(), { write: false });
    expect(result.check.failed).toBe(0);
    expect(result.check.lines).toHaveLength(3);
    expect([...result.files.keys()]).toEqual(
      expect.arrayContaining([
        "plots/bs.svg",
        "plots/bs.csv",
        "plots/st.svg",
        "data_report.txt",
        "manifest.json",
      ]),
    );
    const report = result.files.get("data_report.txt") as string;
    expect(report).toContain("plot st: map: 3 rows of states; 3 states drawn with a value of v");
    expect(report).toContain("plot bs: binned scatter of kfr_pooled_pooled_p25 on log_ppe (counties)");
  }, 30_000);

  it("names the line and key of an unknown plot option", async () => {
    await expect(runSpec(spec("\n    colour: red"), { write: false })).rejects.toThrow(
      /figures\.yaml line \d+, key plots\.bs/,
    );
  });
});
