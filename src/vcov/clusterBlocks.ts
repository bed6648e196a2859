/**
 * Rows grouped by cluster, and how an absorbed fixed effect sits in a clustering (identical to it, nested in it,
 * or crossing it). Shared by the small-sample cluster covariances (CR2, CR3) and the wild cluster bootstrap, which
 * both work cluster by cluster and treat fixed effects differently depending on their nesting.
 */

/** A plain absorbed fixed effect (no varying slope): dense level ids 0..nlevels-1 on the rows used. */
export interface AbsorbedFixedEffect {
  name: string;
  ids: Int32Array;
  nlevels: number;
}

/** Row indices ordered by cluster: the rows of cluster g are rows[start[g] .. start[g + 1]). */
export interface ClusterBlocks {
  count: number;
  start: Int32Array;
  rows: Int32Array;
}

/** Counting sort of the rows by cluster id (ids dense in 0..count-1); rows keep their order within a cluster. */
export function clusterBlocks(ids: Int32Array, count: number): ClusterBlocks {
  const n = ids.length;
  const start = new Int32Array(count + 1);
  for (let i = 0; i < n; i++) start[(ids[i] as number) + 1] = (start[(ids[i] as number) + 1] as number) + 1;
  for (let g = 0; g < count; g++) start[g + 1] = (start[g + 1] as number) + (start[g] as number);
  const next = Int32Array.from(start.subarray(0, count));
  const rows = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const g = ids[i] as number;
    rows[next[g] as number] = i;
    next[g] = (next[g] as number) + 1;
  }
  return { count, start, rows };
}

export type Nesting = "identical" | "nested" | "crossed";

/**
 * "nested": every level of the fixed effect lies inside one cluster; "identical": nested and each cluster holds
 * exactly one level (the same partition of the rows, as clubSandwich's `identical(individual, cluster)` for plm);
 * "crossed": some level spans two clusters.
 */
export function nestingInClusters(
  fe: AbsorbedFixedEffect,
  clusterIds: Int32Array,
  clusterCount: number,
): Nesting {
  const clusterOf = new Int32Array(fe.nlevels).fill(-1);
  for (let i = 0; i < fe.ids.length; i++) {
    const level = fe.ids[i] as number;
    const c = clusterIds[i] as number;
    const seen = clusterOf[level] as number;
    if (seen < 0) clusterOf[level] = c;
    else if (seen !== c) return "crossed";
  }
  const levelsPerCluster = new Int32Array(clusterCount);
  for (let level = 0; level < fe.nlevels; level++) {
    const c = clusterOf[level] as number;
    if (c >= 0) levelsPerCluster[c] = (levelsPerCluster[c] as number) + 1;
  }
  for (let c = 0; c < clusterCount; c++) if (levelsPerCluster[c] !== 1) return "nested";
  return "identical";
}
