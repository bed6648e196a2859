/**
 * Worker thread of the parallel demeaning (see src/absorb/demeaning/parallel.ts): demeans its share of the columns in
 * shared memory and reports through the shared `control` array, which the main thread watches with Atomics.wait
 * (its event loop is blocked meanwhile, so nothing here may wait for it). Loaded from the compiled dist only.
 */
import { workerData } from "node:worker_threads";
import type { WorkerTask } from "./parallel.js";

const task = workerData as WorkerTask;
const control = task.control;
// control: [0] status (1 done, 2 failed), [1] started, [2] cross-tabs sent (see parallel.ts).
Atomics.store(control, 1, 1);
try {
  const { runWorkerTask } = await import("./parallel.js");
  runWorkerTask(task);
  Atomics.store(control, 0, 1);
} catch (e) {
  try {
    const { reportWorkerFailure } = await import("./parallel.js");
    reportWorkerFailure(task, e);
  } catch {
    Atomics.store(control, 0, 2);
  }
} finally {
  // Wake the main thread wherever it waits (for the cross-tabs or for the end).
  Atomics.notify(control, 0);
  Atomics.notify(control, 2);
}
