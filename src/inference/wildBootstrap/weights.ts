/**
 * The auxiliary weights v_g of the wild cluster bootstrap, one per bootstrap cluster and draw (Cameron, Gelbach
 * and Miller 2008; Roodman, MacKinnon, Nielsen and Webb 2019, section 3.2; Webb 2023, "Reworking wild bootstrap
 * based inference for clustered errors", Canadian Journal of Economics 56(3)):
 *   rademacher  +1 or -1 with probability 1/2
 *   webb        +-sqrt(1/2), +-1, +-sqrt(3/2), each with probability 1/6 (six points, mean 0, variance 1)
 *   mammen      -(sqrt5 - 1)/2 with probability (sqrt5 + 1)/(2 sqrt5), else (sqrt5 + 1)/2
 *   normal      standard normal
 *
 * Random draws come from the seeded generator of src/numeric/random.ts, consumed in one fixed order (draw by draw,
 * cluster by cluster within a draw), on one thread: the same seed gives the same draws on any machine and with
 * any thread count. (The values are not those of fwildclusterboot's dqrng stream: agreement with it is to Monte
 * Carlo error.)
 *
 * Full enumeration: a two-point (Rademacher) or six-point (Webb) distribution over G clusters has 2^G or 6^G
 * equally likely draws. When that number is at most the replications asked for, every draw is used once instead
 * of sampling (fwildclusterboot does this for Rademacher; boottest for both), and the bootstrap p-value is then
 * exact and deterministic: the seed plays no part. Mammen (unequal probabilities) and normal weights are always
 * sampled.
 */
import { mulberry32, normalSource } from "../../numeric/random.js";

export type BootWeightType = "rademacher" | "webb" | "mammen" | "normal";

export const BOOT_WEIGHT_TYPES: readonly BootWeightType[] = ["rademacher", "webb", "mammen", "normal"];

const SQRT5 = Math.sqrt(5);
const WEBB_POINTS = [-Math.sqrt(1.5), -1, -Math.sqrt(0.5), Math.sqrt(0.5), 1, Math.sqrt(1.5)];
const MAMMEN_LOW = -(SQRT5 - 1) / 2;
const MAMMEN_HIGH = (SQRT5 + 1) / 2;
const MAMMEN_P_LOW = (SQRT5 + 1) / (2 * SQRT5);

/** Number of distinct equally likely draws for G clusters (Infinity when the distribution is not enumerable). */
export function distinctDraws(type: BootWeightType, clusters: number): number {
  if (type === "rademacher") return 2 ** clusters;
  if (type === "webb") return 6 ** clusters;
  return Number.POSITIVE_INFINITY;
}

export interface DrawPlan {
  /** Draws actually made: `reps`, or the number of distinct draws under full enumeration. */
  draws: number;
  enumerated: boolean;
  /** Writes draw b's G weights into `out`. Draws must be requested in order 0, 1, 2, ... */
  fill: (b: number, out: Float64Array) => void;
}

export function drawPlan(type: BootWeightType, clusters: number, reps: number, seed: number): DrawPlan {
  const distinct = distinctDraws(type, clusters);
  if (distinct <= reps) {
    const points = type === "rademacher" ? [1, -1] : WEBB_POINTS;
    const base = points.length;
    // Draw b is b written in base 2 (or 6), cluster 0 the most significant digit: draw 0 is all +1 (Rademacher),
    // the order of fwildclusterboot's gtools-style permutations with v = c(1, -1).
    return {
      draws: distinct,
      enumerated: true,
      fill: (b, out) => {
        let rest = b;
        for (let g = clusters - 1; g >= 0; g--) {
          out[g] = points[rest % base] as number;
          rest = Math.floor(rest / base);
        }
      },
    };
  }
  const uniform = mulberry32(seed);
  const normal = type === "normal" ? normalSource(uniform) : null;
  let next = 0;
  return {
    draws: reps,
    enumerated: false,
    fill: (b, out) => {
      if (b !== next)
        throw new Error(`internal: bootstrap draw ${b} requested out of order (expected ${next})`);
      next++;
      for (let g = 0; g < clusters; g++) {
        switch (type) {
          case "rademacher":
            out[g] = uniform() < 0.5 ? -1 : 1;
            break;
          case "webb":
            out[g] = WEBB_POINTS[Math.floor(uniform() * 6)] as number;
            break;
          case "mammen":
            out[g] = uniform() < MAMMEN_P_LOW ? MAMMEN_LOW : MAMMEN_HIGH;
            break;
          case "normal":
            out[g] = (normal as () => number)();
            break;
        }
      }
    },
  };
}
