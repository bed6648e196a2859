/** Ids of the intersection of several groupings (firm x year), densely re-encoded in order of first appearance. */

/** A grouping of rows: a dense 0..count-1 id per row. */
export interface DenseIds {
  readonly name: string;
  readonly ids: Int32Array;
  readonly count: number;
}

export function intersectIds(clusters: readonly DenseIds[]): DenseIds {
  const n = (clusters[0] as DenseIds).ids.length;
  let ids = Int32Array.from((clusters[0] as DenseIds).ids);
  let count = (clusters[0] as DenseIds).count;
  for (let c = 1; c < clusters.length; c++) {
    const other = clusters[c] as DenseIds;
    const next = new Int32Array(n);
    const cells = count * other.count;
    if (cells <= Math.max(4 * n, 1 << 22)) {
      // A lookup table over all pairs (firm x year: 5 million cells) is several times faster than hashing.
      const table = new Int32Array(cells).fill(-1);
      let size = 0;
      for (let i = 0; i < n; i++) {
        const key = (ids[i] as number) * other.count + (other.ids[i] as number);
        let id = table[key] as number;
        if (id < 0) {
          id = size++;
          table[key] = id;
        }
        next[i] = id;
      }
      count = size;
    } else {
      const index = new Map<number, number>();
      for (let i = 0; i < n; i++) {
        const key = (ids[i] as number) * other.count + (other.ids[i] as number);
        let id = index.get(key);
        if (id === undefined) {
          id = index.size;
          index.set(key, id);
        }
        next[i] = id;
      }
      count = index.size;
    }
    ids = next;
  }
  return { name: clusters.map((c) => c.name).join("^"), ids, count };
}
