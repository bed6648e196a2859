/** Cluster ids of the intersection of several clusterings (firm x year), densely re-encoded. */
import type { ClusterVariable } from "./types.js";

export function intersectClusters(clusters: readonly ClusterVariable[]): ClusterVariable {
  const n = (clusters[0] as ClusterVariable).ids.length;
  let ids = Int32Array.from((clusters[0] as ClusterVariable).ids);
  let count = (clusters[0] as ClusterVariable).count;
  for (let c = 1; c < clusters.length; c++) {
    const other = clusters[c] as ClusterVariable;
    const index = new Map<number, number>();
    const next = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const key = (ids[i] as number) * other.count + (other.ids[i] as number);
      let id = index.get(key);
      if (id === undefined) {
        id = index.size;
        index.set(key, id);
      }
      next[i] = id;
    }
    ids = next;
    count = index.size;
  }
  return { name: clusters.map((c) => c.name).join("^"), ids, count };
}
