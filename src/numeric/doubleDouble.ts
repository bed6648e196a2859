/**
 * Double-double arithmetic (about 32 significant digits): a value is hi + lo with |lo| <= ulp(hi)/2.
 *
 * Used where double precision is not enough to meet our accuracy bar: the Gram matrix and Cholesky factor of
 * ill-conditioned designs (NIST Filip), and polynomial terms such as I(x^10) whose rounding to double alone
 * costs eight digits. Algorithms: Dekker (1971) and Knuth's TwoSum, as in Hida, Li and Bailey's QD library.
 */

export interface DD {
  hi: number;
  lo: number;
}

const SPLITTER = 134217729; // 2^27 + 1

/** a + b exactly, as hi + lo. */
export function twoSum(a: number, b: number): DD {
  const s = a + b;
  const bb = s - a;
  return { hi: s, lo: a - (s - bb) + (b - bb) };
}

/** a * b exactly, as hi + lo (Dekker's split; no fused multiply-add in JavaScript). */
export function twoProd(a: number, b: number): DD {
  const p = a * b;
  let t = SPLITTER * a;
  const ahi = t - (t - a);
  const alo = a - ahi;
  t = SPLITTER * b;
  const bhi = t - (t - b);
  const blo = b - bhi;
  return { hi: p, lo: ahi * bhi - p + ahi * blo + alo * bhi + alo * blo };
}

export function dd(hi: number, lo = 0): DD {
  return { hi, lo };
}

export function ddAdd(a: DD, b: DD): DD {
  const s = twoSum(a.hi, b.hi);
  const t = twoSum(a.lo, b.lo);
  let lo = s.lo + t.hi;
  let hi = s.hi + lo;
  lo = lo - (hi - s.hi);
  lo += t.lo;
  const r = hi + lo;
  lo = lo - (r - hi);
  hi = r;
  return { hi, lo };
}

export function ddNeg(a: DD): DD {
  return { hi: -a.hi, lo: -a.lo };
}

export function ddSub(a: DD, b: DD): DD {
  return ddAdd(a, ddNeg(b));
}

export function ddMul(a: DD, b: DD): DD {
  const p = twoProd(a.hi, b.hi);
  const lo = p.lo + (a.hi * b.lo + a.lo * b.hi);
  const hi = p.hi + lo;
  return { hi, lo: lo - (hi - p.hi) };
}

export function ddDiv(a: DD, b: DD): DD {
  const q1 = a.hi / b.hi;
  let r = ddSub(a, ddMul(b, dd(q1)));
  const q2 = r.hi / b.hi;
  r = ddSub(r, ddMul(b, dd(q2)));
  const q3 = r.hi / b.hi;
  return ddAdd(ddAdd(dd(q1), dd(q2)), dd(q3));
}

export function ddSqrt(a: DD): DD {
  if (a.hi <= 0) return dd(a.hi === 0 ? 0 : Number.NaN);
  const x = Math.sqrt(a.hi);
  // One Newton step from the double estimate doubles the digits: sqrt(a) ~ x + (a - x^2) / (2x).
  const residual = ddSub(a, twoProd(x, x));
  return ddAdd(dd(x), dd(residual.hi / (2 * x)));
}

/** Integer power by repeated squaring, in double-double. */
export function ddPowInt(a: DD, n: number): DD {
  if (n === 0) return dd(1);
  if (n < 0) return ddDiv(dd(1), ddPowInt(a, -n));
  let result = dd(1);
  let base = a;
  let k = n;
  while (k > 0) {
    if (k & 1) result = ddMul(result, base);
    base = ddMul(base, base);
    k >>= 1;
  }
  return result;
}

export function ddToNumber(a: DD): number {
  return a.hi + a.lo;
}
