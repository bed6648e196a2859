/**
 * Size of cluster-robust tests with few clusters: a Monte Carlo with the null true, comparing
 *   CR1 + t(G - 1)          (the fixest/Stata default; Cameron, Gelbach and Miller 2008 show it over-rejects)
 *   CR2 + Bell-McCaffrey    (Satterthwaite df; Pustejovsky and Tipton 2018)     src/vcov/cr2.ts, clusterDf.ts
 *   WCR wild bootstrap       (Rademacher, restricted; Cameron, Gelbach and Miller 2008; MacKinnon and Webb 2017)
 *   WCU wild bootstrap       (unrestricted: known to over-reject with few treated clusters)
 * at 5%, for G = 10, 20, 50 clusters, 1,000 replications each.
 *
 * Two designs, H0 true in both, random numbers from src/numeric/random.ts (mulberry32, seeded per replication):
 *   "cgm" (Cameron, Gelbach and Miller 2008, section IV): 30 observations per cluster, x_ig = z_g + z_ig, errors
 *     u_ig = nu_g + e_ig with z, nu, e standard normal; y = 1 + 0 x + u; H0: b_x = 0.
 *   "few_treated" (in the spirit of MacKinnon and Webb 2017, "Wild bootstrap inference for wildly different cluster
 *     sizes", J. Applied Econometrics 32(2)): n_g = round(10 + 90 (g / G)^2) observations (10 to 100); a treatment
 *     d_g = 1 in the 30% largest clusters; a covariate x ~ N(0, 1) plus a cluster shock; errors u = nu_g + e,
 *     nu_g ~ N(0, 0.5), e ~ N(0, (1 + d_g)^2) (treated clusters noisier); y = 1 + 0 d + 0.5 x + u; H0: b_d = 0.
 *     A hard case: few, large, noisy treated clusters (MacKinnon and Webb show every method struggles there).
 *
 * Run: npx tsx scripts/simulations/wild_size.ts  (a few minutes; writes scripts/simulations/wild_size.json and
 * prints the table). Not part of `npm test`.
 */
import { writeFileSync } from "node:fs";
import type { Matrix } from "ml-matrix";
import { twoSidedPValue } from "../../src/inference/distributions.js";
import { wildBootstrapOls } from "../../src/inference/wildBootstrap/ols.js";
import { leastSquares } from "../../src/numeric/leastSquares.js";
import { mulberry32, normalSource } from "../../src/numeric/random.js";
import { satterthwaiteDf } from "../../src/vcov/clusterDf.js";
import { cr2Vcov } from "../../src/vcov/cr2.js";
import { computeVcov } from "../../src/vcov/vcov.js";

const REPLICATIONS = 1000;
const BOOT_REPS = 999;
const ALPHA = 0.05;

type Design = "cgm" | "few_treated";

interface Row {
  design: Design;
  G: number;
  n_mean: number;
  replications: number;
  reject_cr1: number;
  reject_cr2_bm: number;
  reject_wcr: number;
  reject_wcu: number;
  mean_bm_df: number;
}

function simulate(design: Design, G: number): Row {
  let cr1 = 0;
  let cr2 = 0;
  let wcr = 0;
  let wcu = 0;
  let dfSum = 0;
  let nSum = 0;
  for (let rep = 0; rep < REPLICATIONS; rep++) {
    const uniform = mulberry32((design === "cgm" ? 500_000 : 0) + 1000 * G + rep);
    const normal = normalSource(uniform);
    const sizes = Array.from({ length: G }, (_, g) =>
      design === "cgm" ? 30 : Math.round(10 + 90 * ((g + 1) / G) ** 2),
    );
    const treated = Math.max(1, Math.round(0.3 * G));
    const n = sizes.reduce((a, b) => a + b, 0);
    nSum += n;
    const ids = new Int32Array(n);
    const d = new Float64Array(n);
    const x = new Float64Array(n);
    const y = new Float64Array(n);
    let i = 0;
    for (let g = 0; g < G; g++) {
      const dg = g >= G - treated ? 1 : 0;
      const nu = design === "cgm" ? normal() : Math.sqrt(0.5) * normal();
      const xShock = normal();
      for (let m = 0; m < (sizes[g] as number); m++) {
        ids[i] = g;
        if (design === "cgm") {
          d[i] = xShock + normal(); // the tested regressor x_ig = z_g + z_ig
          x[i] = normal(); // an irrelevant covariate
          y[i] = 1 + nu + normal();
        } else {
          d[i] = dg;
          x[i] = normal() + xShock;
          y[i] = 1 + 0.5 * (x[i] as number) + nu + (1 + dg) * normal();
        }
        i++;
      }
    }
    const one = new Float64Array(n).fill(1);
    const columns = [one, d, x];
    const fit = leastSquares(
      columns.map((c, j) => ({ name: `c${j}`, hi: c, lo: null })),
      { name: "y", hi: y, lo: null },
      null,
    );
    const cluster = { name: "g", ids, count: G };
    const v1 = computeVcov(
      {
        columns,
        residuals: fit.residuals,
        weights: null,
        bread: fit.xtxInverse,
        rss: fit.rss,
        nobs: n,
        k: 3,
      },
      { type: "cluster", clusters: [cluster], convention: "fixest" },
    );
    const b = fit.coefficients[1] as number;
    if (twoSidedPValue(b / Math.sqrt(v1.matrix.get(1, 1)), G - 1) < ALPHA) cr1++;
    const r2 = cr2Vcov({
      columns,
      residuals: fit.residuals,
      weights: null,
      bread: fit.xtxInverse,
      clusterIds: ids,
      clusterCount: G,
    });
    const df = satterthwaiteDf(r2, [0, 1, 0]);
    dfSum += df;
    if (twoSidedPValue(b / Math.sqrt(r2.matrix.get(1, 1)), df) < ALPHA) cr2++;
    const inputs = {
      columns,
      response: y,
      weights: null,
      bread: fit.xtxInverse as Matrix,
      clusters: [cluster],
    };
    const hyp = { contrast: [0, 1, 0], value: 0 };
    const base = { reps: BOOT_REPS, seed: 7 * rep + G, interval: "none" as const };
    if (wildBootstrapOls(inputs, hyp, { ...base, type: "wcr" }).pValue < ALPHA) wcr++;
    if (wildBootstrapOls(inputs, hyp, { ...base, type: "wcu" }).pValue < ALPHA) wcu++;
  }
  return {
    design,
    G,
    n_mean: nSum / REPLICATIONS,
    replications: REPLICATIONS,
    reject_cr1: cr1 / REPLICATIONS,
    reject_cr2_bm: cr2 / REPLICATIONS,
    reject_wcr: wcr / REPLICATIONS,
    reject_wcu: wcu / REPLICATIONS,
    mean_bm_df: dfSum / REPLICATIONS,
  };
}

const started = Date.now();
const rows = (["cgm", "few_treated"] as const).flatMap((design) =>
  [10, 20, 50].map((G) => simulate(design, G)),
);
const mcse = Math.sqrt((ALPHA * (1 - ALPHA)) / REPLICATIONS);
const doc = {
  script: "scripts/simulations/wild_size.ts",
  alpha: ALPHA,
  boot_reps: BOOT_REPS,
  monte_carlo_se_at_5pct: mcse,
  seconds: (Date.now() - started) / 1000,
  rows,
};
writeFileSync("scripts/simulations/wild_size.json", `${JSON.stringify(doc, null, 2)}\n`);
console.log(
  `rejection rates at 5% (H0 true), ${REPLICATIONS} replications, Monte Carlo s.e. ${mcse.toFixed(4)}`,
);
console.log("design        G   CR1 t(G-1)   CR2 + BM df (mean df)   WCR      WCU");
for (const r of rows) {
  console.log(
    `${r.design.padEnd(12)} ${String(r.G).padStart(3)}   ${r.reject_cr1.toFixed(3)}        ${r.reject_cr2_bm.toFixed(3)} (${r.mean_bm_df.toFixed(1)})          ${r.reject_wcr.toFixed(3)}    ${r.reject_wcu.toFixed(3)}`,
  );
}
