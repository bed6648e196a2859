/**
 * A deterministic staggered-adoption panel with effects that differ by cohort and grow with time since the event,
 * for the Sun-Abraham tests. Seeded PRNG (mulberry32) and Box-Muller normals: the same panel on every machine.
 */
import { numericColumn, Table } from "../../src/data/table.js";
import { mulberry32 } from "../../src/numeric/random.js";

export { mulberry32 };

export function normal(rand: () => number): () => number {
  return () => {
    const u = 1 - rand();
    const v = rand();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
}

export interface Simulated {
  table: Table;
  /** True effect of cohort e at relative period l (0 before the event). */
  effect: (cohort: number, rel: number) => number;
  cohorts: number[];
}

/** Units 1..N over years 1..T; cohorts 5, 9, 13 and never treated (NaN). */
export function simulatePanel(seed = 20240611, unitsPerCohort = 60, years = 18): Simulated {
  const rand = mulberry32(seed);
  const z = normal(rand);
  const cohorts = [5, 9, 13];
  // Early adopters gain fast, late adopters barely: heterogeneous, dynamic effects.
  const slope: Record<number, number> = { 5: 0.6, 9: 0.25, 13: 0.05 };
  const effect = (cohort: number, rel: number) => (rel < 0 ? 0 : (slope[cohort] ?? 0) * (rel + 1));
  const yearEffect = Array.from({ length: years + 1 }, (_, t) => 0.05 * t + 0.2 * z());
  const unit: number[] = [];
  const year: number[] = [];
  const event: number[] = [];
  const y: number[] = [];
  let id = 0;
  for (const cohort of [...cohorts, Number.NaN]) {
    for (let j = 0; j < unitsPerCohort; j++) {
      id++;
      const alpha = z();
      for (let t = 1; t <= years; t++) {
        unit.push(id);
        year.push(t);
        event.push(cohort);
        const tau = Number.isNaN(cohort) ? 0 : effect(cohort, t - cohort);
        y.push(alpha + (yearEffect[t] as number) + tau + 0.5 * z());
      }
    }
  }
  const table = new Table(
    [
      numericColumn("unit", unit),
      numericColumn("year", year),
      numericColumn("event", event),
      numericColumn("y", y),
    ],
    unit.length,
    "simulated",
  );
  return { table, effect, cohorts };
}
