/**
 * R's default uniform random number generator, bit for bit: `set.seed(seed)` followed by `unif_rand()` with
 * RNGkind("Mersenne-Twister"). We need it so that the multiplier bootstrap (multiplierBootstrap.ts) draws exactly
 * the Rademacher weights that R's `did` package draws after the same `set.seed()`: the bootstrap standard errors
 * and sup-t critical values can then be checked against R digit for digit instead of only to Monte Carlo error.
 *
 * Source: R 4.x src/main/RNG.c. `RNG_Init` scrambles the seed with 50 steps of the LCG seed = 69069 seed + 1
 * (unsigned 32-bit), then fills the 625 words of the Mersenne-Twister state (mti first, then mt[0..623]) with
 * further LCG steps; `FixupSeeds` sets mti = 624 so that the first draw regenerates the whole block.
 * `MT_genrand` is Matsumoto and Nishimura's MT19937 (genrand_int32 with the usual tempering) scaled by
 * 2.3283064365386963e-10, and `unif_rand` passes it through `fixup` (never exactly 0 or 1).
 */

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;
/** 1 / (2^32 - 1), R's i2_32m1. */
const I2_32M1 = 2.328306437080797e-10;

export class RMersenneTwister {
  private readonly mt = new Uint32Array(N);
  private mti = N;

  /** The state R holds after `set.seed(seed)` (seed as R's integer: negative values wrap to unsigned). */
  constructor(seed: number) {
    if (!Number.isInteger(seed)) throw new Error(`internal: R seed must be an integer, found ${seed}`);
    let s = seed >>> 0;
    for (let j = 0; j < 50; j++) s = (Math.imul(69069, s) + 1) >>> 0;
    // i_seed[0] (mti, overwritten by FixupSeeds) and i_seed[1..624] = mt[0..623].
    s = (Math.imul(69069, s) + 1) >>> 0;
    for (let j = 0; j < N; j++) {
      s = (Math.imul(69069, s) + 1) >>> 0;
      this.mt[j] = s;
    }
    this.mti = N;
  }

  /** R's MT_genrand(): a 32-bit draw scaled to [0, 1). */
  private genrand(): number {
    const mt = this.mt;
    if (this.mti >= N) {
      let kk = 0;
      let y: number;
      for (; kk < N - M; kk++) {
        y = ((mt[kk] as number) & UPPER_MASK) | ((mt[kk + 1] as number) & LOWER_MASK);
        mt[kk] = (mt[kk + M] as number) ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
      }
      for (; kk < N - 1; kk++) {
        y = ((mt[kk] as number) & UPPER_MASK) | ((mt[kk + 1] as number) & LOWER_MASK);
        mt[kk] = (mt[kk + (M - N)] as number) ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
      }
      y = ((mt[N - 1] as number) & UPPER_MASK) | ((mt[0] as number) & LOWER_MASK);
      mt[N - 1] = (mt[M - 1] as number) ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
      this.mti = 0;
    }
    let y = mt[this.mti++] as number;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return (y >>> 0) * 2.3283064365386963e-10;
  }

  /** R's unif_rand(). */
  unifRand(): number {
    const x = this.genrand();
    if (x <= 0) return 0.5 * I2_32M1;
    if (1 - x <= 0) return 1 - 0.5 * I2_32M1;
    return x;
  }
}
