// SIMULATED campus panel for examples/spending_curves: NOT real data. Deterministic (seeded) stand-in for the
// Texas campus finance panel and TDHCA LIHTC approvals of seed 003 (neither is available here), calibrated to the
// paper's summary statistics: about 3,900 campuses, school years 2000-2020 (balanced), free-lunch share mean
// about 0.54. Run from the repository root:
//
//   node scripts/examples/simulate_lihtc_panel.mjs      -> examples/spending_curves/data/simulated_lihtc_campus_panel.csv
//
// Data-generating process (every number here is what the event studies should recover):
//   campuses i = 1..3900 in 390 districts of 10; 30% of campuses (drawn at random) get one LIHTC approval, in a
//   year drawn uniformly from 2003-2016; the others never do (approval_year empty).
//   frl_share_it   = clamp(f_i + 0.004 (t - 2000) + u_t + E_frl(k) + 0.02 e_it, 0, 1)
//                    f_i ~ 0.50 + 0.18 N(0,1) clamped to [0.03, 0.97]; u_t ~ 0.01 N(0,1)
//   log_spending_it = 9.1 + d_j + a_i + 0.012 (t - 2000) + v_t + E_spend(k) + 0.04 e'_it
//                    d_j ~ 0.08 N(0,1) (district), a_i ~ 0.10 N(0,1), v_t ~ 0.01 N(0,1)
//   k = t - approval year; the true effects are zero before approval and, for k >= 0,
//     E_frl(k)   = 0.025 min(k + 1, 7) / 7      (rises to 0.025 at k = 6, then stays)
//     E_spend(k) = -0.01 min(k + 1, 4)         (falls to -0.04 at k = 3, then stays)
//   Values are written with 4 decimals (the rounding is part of the data).
import { mkdirSync, writeFileSync } from "node:fs";

const SEED = 20240611;
const N_CAMPUSES = 3900;
const YEARS = Array.from({ length: 21 }, (_, t) => 2000 + t);

// mulberry32: a small, well-known 32-bit generator; enough for a reproducible simulation.
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const uniform = mulberry32(SEED);
// Box-Muller, one value per call (the second is discarded to keep the stream simple).
function normal() {
  const u1 = 1 - uniform();
  const u2 = uniform();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}
const clamp = (x, lo, hi) => Math.min(hi, Math.max(lo, x));

export const effectFrl = (k) => (k < 0 ? 0 : (0.025 * Math.min(k + 1, 7)) / 7);
export const effectSpend = (k) => (k < 0 ? 0 : -0.01 * Math.min(k + 1, 4));

const yearFrl = YEARS.map(() => 0.01 * normal());
const yearSpend = YEARS.map(() => 0.01 * normal());
const district = Array.from({ length: N_CAMPUSES / 10 }, () => 0.08 * normal());
const lines = ["campus,district,year,approval_year,frl_share,log_spending"];
for (let i = 0; i < N_CAMPUSES; i++) {
  const f = clamp(0.5 + 0.18 * normal(), 0.03, 0.97);
  const a = 0.1 * normal();
  const treated = uniform() < 0.3;
  const approval = treated ? 2003 + Math.floor(uniform() * 14) : null;
  const campus = String(100001 + i);
  const j = Math.floor(i / 10);
  YEARS.forEach((year, t) => {
    const k = approval === null ? -Infinity : year - approval;
    const frl = clamp(f + 0.004 * t + yearFrl[t] + effectFrl(k) + 0.02 * normal(), 0, 1);
    const spend = 9.1 + district[j] + a + 0.012 * t + yearSpend[t] + effectSpend(k) + 0.04 * normal();
    lines.push(`${campus},${j + 1},${year},${approval ?? ""},${frl.toFixed(4)},${spend.toFixed(4)}`);
  });
}
mkdirSync("examples/spending_curves/data", { recursive: true });
writeFileSync("examples/spending_curves/data/simulated_lihtc_campus_panel.csv", `${lines.join("\n")}\n`);
console.log(`${lines.length - 1} rows`);
