/**
 * Typed arrays in shared memory (SharedArrayBuffer), which worker threads read and write without a copy.
 *
 * Fixed-effect ids of large samples are allocated here from the start (`largeInt32Array`): the demeaning's
 * worker thread (demean.ts) reads them, and would otherwise get a copy of each, 40 MB per fixed effect at 10
 * million rows (and on a virtual machine a freshly touched 40 MB costs about as much as the copy itself).
 */

/** From this length on, `largeInt32Array` allocates in shared memory (small problems never use the worker). */
export const SHARED_MIN_LENGTH = 1 << 20;

export function isShared(a: Int32Array | Float64Array): boolean {
  return a.buffer instanceof SharedArrayBuffer;
}

export function int32Array(length: number, shared: boolean): Int32Array {
  return shared ? new Int32Array(new SharedArrayBuffer(4 * length)) : new Int32Array(length);
}

export function float64Array(length: number, shared: boolean): Float64Array {
  return shared ? new Float64Array(new SharedArrayBuffer(8 * length)) : new Float64Array(length);
}

/** An Int32Array of `length`, in shared memory when it is long enough for the parallel paths to read it. */
export function largeInt32Array(length: number): Int32Array {
  return int32Array(length, length >= SHARED_MIN_LENGTH);
}

/** The array itself when it lives in a SharedArrayBuffer, else a copy in one. */
export function toShared<T extends Int32Array | Float64Array>(a: T): T {
  if (isShared(a)) return a;
  const copy = (a instanceof Int32Array ? int32Array(a.length, true) : float64Array(a.length, true)) as T;
  copy.set(a);
  return copy;
}
