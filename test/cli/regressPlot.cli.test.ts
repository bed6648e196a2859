/**
 * `regress --plot FILE` (issue 17): the figure `mobility plot` draws from the same run's JSON, written in the same
 * all-or-nothing set as --out. The figure itself (marks, intervals, labels) is tested in test/cli/figures.cli.test.ts
 * and test/report; here: the same bytes as the two-step route, with and without --by, and the refusals.
 */
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "mobility-regress-plot-"));
const counties = "fixtures/atlas_f33_county.csv";
const formulas = ["kfr_pooled_pooled_p25 ~ log_ppe", "kfr_pooled_pooled_p25 ~ log_ppe + local_share"];

describe("regress --plot", () => {
  it("writes the coefficient plot that mobility plot draws from the JSON, byte for byte", () => {
    const direct = join(dir, "direct.svg");
    const run = runCli(["regress", counties, ...formulas, "--cluster", "state", "--plot", direct]);
    expect(run.status, run.stderr).toBe(0);
    const json = join(dir, "results.json");
    expect(runCli(["regress", counties, ...formulas, "--cluster", "state", "--out", json]).status).toBe(0);
    const twoStep = join(dir, "two-step.svg");
    const plotted = runCli(["plot", json, "--out", twoStep]);
    expect(plotted.status, plotted.stderr).toBe(0);
    const svg = readFileSync(direct, "utf8");
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("log_ppe");
    expect(svg).toBe(readFileSync(twoStep, "utf8"));
  });

  it("with --by: the term along the groups, as mobility plot --term", () => {
    const direct = join(dir, "by.svg");
    const args = [
      "regress",
      counties,
      "kfr_pooled_pooled_p25 ~ log_ppe",
      "--by",
      "n_districts",
      "--vcov",
      "hc1",
    ];
    const run = runCli([...args, "--subset", "n_districts <= 3", "--plot", direct]);
    expect(run.status, run.stderr).toBe(0);
    const json = join(dir, "by.json");
    expect(runCli([...args, "--subset", "n_districts <= 3", "--out", json]).status).toBe(0);
    const twoStep = join(dir, "by-two-step.svg");
    expect(runCli(["plot", json, "--out", twoStep]).status).toBe(0);
    expect(readFileSync(direct, "utf8")).toBe(readFileSync(twoStep, "utf8"));
  });

  it("refuses a --plot path that is --out, and an unknown extension, writing nothing", () => {
    const same = join(dir, "same.svg");
    const a = runCli(["regress", counties, formulas[0] as string, "--out", same, "--plot", same]);
    expect(a.status).toBe(2);
    expect(existsSync(same)).toBe(false);
    const out = join(dir, "table.txt");
    const b = runCli([
      "regress",
      counties,
      formulas[0] as string,
      "--out",
      out,
      "--plot",
      join(dir, "fig.gif"),
    ]);
    expect(b.status).toBe(2);
    expect(b.stderr.trim().split("\n")).toHaveLength(1);
    expect(existsSync(out)).toBe(false);
  });
});
