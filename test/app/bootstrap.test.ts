/**
 * `--boot` through the application layer (src/app/bootstrap.ts): the same numbers the wild-bootstrap modules are
 * checked on, reached from a regression request. Under full enumeration (2^9 Rademacher draws over 9 Census
 * divisions) the p-values equal an independent brute-force R refit per draw exactly
 * (scripts/golden/wild_enumeration.R); sampled draws agree with fwildclusterboot::boottest to Monte Carlo error
 * (scripts/golden/wild_fwildclusterboot.R). One-way p-values do not depend on the small-sample convention.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { regress } from "../helpers/regress.js";

interface EnumerationCase {
  id: string;
  file: string;
  formula: string;
  terms: string[];
  weights: string | null;
  cluster: string[];
  boot_cluster: string;
  contrast: number[];
  null_value: number;
  type: "wcr" | "wcu";
  boot_weights?: string;
  draws: number;
  p_value: number;
  p_value_equal_tailed: number;
}

interface BoottestCase {
  id: string;
  file: string;
  formula: string;
  weights: string | null;
  param: string[];
  contrast: number[];
  null_value: number;
  cluster: string[];
  boot_cluster: string[];
  fe_projected: string | null;
  boot_weights: string;
  type: "wcr" | "wcu";
  reps: number;
  enumerated: boolean;
  p_value: number;
}

const enumeration = JSON.parse(readFileSync("test/golden/wild_enumeration.json", "utf8")) as {
  cases: EnumerationCase[];
};
const boottest = JSON.parse(readFileSync("test/golden/wild_fwildclusterboot.json", "utf8")) as {
  cases: BoottestCase[];
};

describe("regress --boot (application layer)", () => {
  const oneWaySingle = enumeration.cases.filter(
    (c) => c.cluster.length === 1 && c.contrast.filter((x) => x !== 0).length === 1 && c.null_value === 0,
  );
  for (const c of oneWaySingle) {
    it(`${c.id}: enumerated p-value equals the brute-force R refits (scripts/golden/wild_enumeration.R)`, async () => {
      const term = c.terms[c.contrast.indexOf(1)] as string;
      const output = await regress(c.file, [c.formula], {
        cluster: c.cluster.join(","),
        weights: c.weights ?? undefined,
        types: "state:string",
        bootstrap: {
          reps: c.draws,
          seed: 1,
          type: c.type,
          weights: (c.boot_weights ?? "rademacher") as "rademacher",
          cluster: c.boot_cluster === c.cluster[0] ? undefined : [c.boot_cluster],
          terms: [term],
        },
      });
      const model = output.models[0];
      if (model === undefined) throw new Error("no model");
      expect(model.bootstrap?.enumerated).toBe(true);
      expect(model.bootstrap?.reps).toBe(c.draws);
      const row = model.coefficients.find((x) => x.term === term);
      expect(row?.boot_p_value).toBe(c.p_value);
      expect(row?.boot_conf_low).toBeLessThan(row?.estimate as number);
      expect(row?.boot_conf_high).toBeGreaterThan(row?.estimate as number);
      // Terms not asked for are not bootstrapped.
      for (const other of model.coefficients.filter((x) => x.term !== term))
        expect(other.boot_p_value).toBeUndefined();
    });
  }

  const sampled = boottest.cases.filter(
    (c) =>
      !c.enumerated &&
      c.cluster.length === 1 &&
      c.fe_projected === null &&
      c.null_value === 0 &&
      c.param.length === 1,
  );
  for (const c of sampled.slice(0, 3)) {
    it(`${c.id}: p-value within Monte Carlo error of fwildclusterboot (B = ${c.reps})`, async () => {
      const reps = 9999;
      const output = await regress(c.file, [c.formula], {
        cluster: c.cluster.join(","),
        weights: c.weights ?? undefined,
        types: c.file.includes("atlas_f33") ? "fips:string,state:string" : "state:string",
        bootstrap: {
          reps,
          seed: 20261201,
          type: c.type,
          weights: c.boot_weights as "rademacher",
          cluster: c.boot_cluster.join(",") === c.cluster.join(",") ? undefined : c.boot_cluster,
          terms: c.param,
        },
      });
      const row = output.models[0]?.coefficients.find((x) => x.term === c.param[0]);
      const p = row?.boot_p_value as number;
      // Two Monte Carlo standard deviations of the difference (ours with B draws, theirs with c.reps) times 4.5.
      const sd = Math.sqrt(c.p_value * (1 - c.p_value) * (1 / reps + 1 / c.reps));
      expect(Math.abs(p - c.p_value)).toBeLessThan(4.5 * sd + 1e-12);
    });
  }

  it("needs clusters, least squares, and --boot for its options", async () => {
    await expect(
      regress("fixtures/petersen.csv", ["y ~ x"], { bootstrap: { reps: 99, seed: 1 } }),
    ).rejects.toThrow(/needs clusters/);
    await expect(
      regress("fixtures/poisson/trade.csv", ["Euros ~ log(dist_km) | Origin"], {
        family: "poisson",
        cluster: "Origin",
        bootstrap: { reps: 99, seed: 1 },
      }),
    ).rejects.toThrow(/least squares models/);
  });
});

describe("a spec's bootstrap block and boot_p table row", () => {
  it("gives the enumerated p-value of the brute-force R refits (wcr_division_twfe)", async () => {
    const { mkdtempSync, writeFileSync, readFileSync: read } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join, resolve } = await import("node:path");
    const { runSpec } = await import("../../src/analysis/run.js");
    const c = enumeration.cases.find((x) => x.id === "wcr_division_twfe") as EnumerationCase;
    const dir = mkdtempSync(join(tmpdir(), "mobility-boot-spec-"));
    writeFileSync(
      join(dir, "analysis.yaml"),
      `name: boot
data:
  sources:
    panel: { file: ${resolve(c.file)}, types: { state: string } }
models:
  m:
    data: panel
    formula: ${c.formula}
    cluster: division
    bootstrap: { reps: ${c.draws}, seed: 1, terms: [post] }
tables:
  t:
    models: [m]
    rows:
      - { label: "Wild bootstrap p (post)", boot_p: post }
`,
    );
    const result = await runSpec(join(dir, "analysis.yaml"), { out: join(dir, "out") });
    const model = result.models.get("m")?.results[0];
    expect(model?.coefficients.find((x) => x.term === "post")?.boot_p_value).toBe(c.p_value);
    const text = read(join(dir, "out", "tables", "t.txt"), "utf8");
    expect(text).toContain(`Wild bootstrap p (post)`);
    expect(text).toContain(c.p_value.toFixed(3));
  });
});
