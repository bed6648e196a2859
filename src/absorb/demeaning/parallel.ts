import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from "node:worker_threads";
import { float64Array } from "../../numeric/sharedArrays.js";
import type { DemeanOptions, DemeanResult } from "../demean.js";
import { CrossEngine, type CrossState, type CrossTab } from "./crossEngine.js";
import { checkLengths, resolveSettings, run } from "./driver.js";
import { RowEngine, type RowState } from "./rowEngine.js";
// ---------------------------------------------------------------------------------------------------------------
// Parallel path: the columns split between the main thread and one worker thread.
//
// WHY COLUMNS. Each column's iteration is independent of the others (see `accelerate`), so splitting the columns
// gives results identical, bit for bit, to the serial path whatever the split. Splitting a sweep's rows instead
// would change the order of the sums that the smaller FE accumulates, and hence the rounding.
//
// SYNCHRONOUS. The callers (absorb -> design -> OLS/IV, event studies, ...) are synchronous, so the main thread
// starts the worker, demeans its own group, then blocks in Atomics.wait on a shared flag until the worker is done
// (allowed on Node's main thread). Everything the worker needs is in workerData (no message from the main thread,
// whose event loop is blocked); its results go to shared memory.
//
// DATA. The output columns are allocated in SharedArrayBuffers and filled with the inputs (the copy the serial
// path makes anyway); both threads demean their group in place. The FE ids (and weights, slopes) are copied once
// into shared memory (4 bytes per row per FE). The cross-tabulations are built once, by the worker, directly into
// shared memory, and sent to the main thread (receiveMessageOnPort, synchronous), which meanwhile computes its
// columns' right-hand sides and then iterates on the same tabs. (Building them on the main thread before starting
// the worker measured ~0.5 s slower on 10M rows, twofe: the build, ~0.5 s, is then on the critical path; a private
// build per thread would also double their memory and compete for memory bandwidth.) Per-level arrays are cloned.
//
// SPLIT. Deterministic: the main thread takes the first ceil(K/2) columns (y first), the worker the rest. With
// y and two regressors the worker has one column plus the cross-tabs and its start-up (~50 ms), the main thread
// two columns, whose sweeps read the cross-tab once for both. Splitting columns duplicates the per-row overhead
// (each thread streams the cross-tab and the FE ids), so two threads use ~40% more CPU in total than one.
//
// FAILURE. If the worker cannot be created, does not start within WORKER_START_TIMEOUT_MS or throws, the main
// thread demeans the worker's columns itself (from the untouched inputs, into fresh arrays): same results.

/** Below this many cells (rows x columns), a worker's start-up (~50-100 ms) is not worth it. */
export const PARALLEL_MIN_CELLS = 4e6;
const WORKER_URL = new URL("./worker.js", import.meta.url);
const WORKER_START_TIMEOUT_MS = 10_000;
/** Shared control array: status (0 running, 1 done, 2 failed), started, cross-tabs sent; then per worker column
 * its iterations, then its convergence (0/1). */
const STATUS = 0;
const STARTED = 1;
const CROSS_READY = 2;
const CONTROL_HEADER = 3;

let workerFileExists: boolean | undefined;

/** Whether the compiled worker (worker.js) sits next to this module: not when running the .ts sources. */
export function demeanWorkerAvailable(): boolean {
  if (workerFileExists === undefined) {
    try {
      workerFileExists = WORKER_URL.protocol === "file:" && existsSync(fileURLToPath(WORKER_URL));
    } catch {
      workerFileExists = false;
    }
  }
  return workerFileExists;
}

interface ParallelDecision {
  parallel: boolean;
  /** Why (not): for diagnostics (MOBILITY_THREADS_TRACE=1) and tests. */
  reason: string;
}

/**
 * Whether `absorber.demean` takes the parallel path: asked for (`parallel: true`), not disabled by
 * MOBILITY_THREADS=1 (any number <= 1), more than one CPU (os.availableParallelism()), at least two columns and
 * two FEs (one FE is a closed form: two passes over the rows), n x columns >= PARALLEL_MIN_CELLS, no
 * coefficients asked for, and the compiled worker file present.
 */
export function parallelGate(
  n: number,
  columns: number,
  fixedEffects: number,
  options: DemeanOptions = {},
): ParallelDecision {
  const no = (reason: string): ParallelDecision => ({ parallel: false, reason });
  if (options.parallel !== true) return no("not requested");
  if (options.coefficients === true) return no("coefficients requested");
  if (options.start !== undefined || options.keepState === true) return no("warm start");
  const env = process.env.MOBILITY_THREADS?.trim();
  if (env !== undefined && env !== "" && Number(env) <= 1) return no(`MOBILITY_THREADS=${env}`);
  if (availableParallelism() < 2) return no("one CPU");
  if (columns < 2) return no("fewer than two columns");
  if (fixedEffects < 2) return no("one fixed effect (closed form)");
  if (n * columns < PARALLEL_MIN_CELLS) return no(`n x columns = ${n * columns} < ${PARALLEL_MIN_CELLS}`);
  if (!demeanWorkerAvailable()) return no("worker not compiled (running from TypeScript sources)");
  return { parallel: true, reason: "large problem" };
}

/** What the worker receives in workerData (plain data and shared memory only). */
export interface WorkerTask {
  state: CrossState | RowState;
  /** The worker's columns (shared memory), demeaned in place. */
  columns: Float64Array[];
  options: DemeanOptions;
  /** Build the cross-tabs (in shared memory) first and send them to the main thread. */
  publishCrossTabs: boolean;
  control: Int32Array;
  /** Messages to the main thread, read with receiveMessageOnPort (its event loop is blocked). */
  port: MessagePort;
}

type WorkerMessage =
  | { type: "cross"; cross: (CrossTab | undefined)[][] }
  | { type: "error"; message: string };

/** The worker's job (called by worker.ts): demean its columns in place, write iterations and convergence. */
export function runWorkerTask(task: WorkerTask): void {
  const { state, columns, control } = task;
  const engine = state.kind === "cross" ? new CrossEngine(state) : new RowEngine(state);
  if (task.publishCrossTabs && engine instanceof CrossEngine) {
    const message: WorkerMessage = { type: "cross", cross: engine.buildSharedCrossTabs() };
    task.port.postMessage(message);
    Atomics.store(control, CROSS_READY, 1);
    Atomics.notify(control, CROSS_READY);
  }
  const res = run(engine, columns, state.weights, state.n, {
    ...task.options,
    inPlace: true,
    coefficients: false,
  });
  const K = columns.length;
  for (let j = 0; j < K; j++) {
    control[CONTROL_HEADER + j] = res.iterations[j] as number;
    control[CONTROL_HEADER + K + j] = res.convergedColumns[j] ? 1 : 0;
  }
}

/** Reports a failure from the worker (worker.ts) and wakes the main thread wherever it waits. */
export function reportWorkerFailure(task: WorkerTask, error: unknown): void {
  const message: WorkerMessage = {
    type: "error",
    message: error instanceof Error ? (error.stack ?? error.message) : String(error),
  };
  task.port.postMessage(message);
  Atomics.store(task.control, STATUS, 2);
}

function trace(message: string): void {
  if (process.env.MOBILITY_THREADS_TRACE === "1") process.stderr.write(`mobility demean: ${message}\n`);
}

function sharedCopy(c: Float64Array): Float64Array {
  const a = float64Array(c.length, true);
  a.set(c);
  return a;
}

export function demeanParallel(
  engine: CrossEngine | RowEngine,
  columns: readonly Float64Array[],
  weights: Float64Array | undefined,
  n: number,
  options: DemeanOptions,
): DemeanResult {
  const started = performance.now();
  resolveSettings(options);
  checkLengths(columns, n);
  const K = columns.length;
  const split = Math.ceil(K / 2);
  // The worker's columns first, so that it can start while the main thread copies its own.
  const theirs = columns.slice(split).map(sharedCopy);
  const Kw = theirs.length;
  const cross = engine instanceof CrossEngine ? engine : undefined;
  // The worker builds the cross-tabs while the main thread computes its columns' right-hand sides.
  const publish = cross !== undefined && !cross.hasCrossTabs();
  const state = cross ? cross.share() : (engine as RowEngine).share();
  const control = new Int32Array(new SharedArrayBuffer(4 * (CONTROL_HEADER + 2 * Kw)));
  const channel = new MessageChannel();
  const runOptions: DemeanOptions = { ...options, inPlace: true, coefficients: false, parallel: false };
  const task: WorkerTask = {
    state,
    columns: theirs,
    options: runOptions,
    publishCrossTabs: publish,
    control,
    port: channel.port2,
  };
  let worker: Worker | undefined;
  let failure: string | undefined;
  const spawned = Date.now();
  try {
    worker = new Worker(WORKER_URL, { workerData: task, transferList: [channel.port2] });
    // Errors are reported through `control` (and handled below); an unhandled 'error' event would throw.
    worker.on("error", () => {});
    worker.unref();
  } catch (e) {
    failure = `could not start a worker: ${e instanceof Error ? e.message : String(e)}`;
  }
  const mine = columns.slice(0, split).map(sharedCopy);
  const prepared = performance.now();
  let crossWait = 0;
  /** Waits on control[index] != 0; false if the worker failed or never started. */
  const waitFor = (index: number): boolean => {
    for (;;) {
      if (Atomics.load(control, index) !== 0) return true;
      const status = Atomics.load(control, STATUS);
      if (status === 2 || (index !== STATUS && status !== 0)) return false;
      if (Atomics.load(control, STARTED) === 0 && Date.now() - spawned > WORKER_START_TIMEOUT_MS)
        return false;
      Atomics.wait(control, index, 0, 100);
    }
  };
  const messages: WorkerMessage[] = [];
  const drain = () => {
    for (let m = receiveMessageOnPort(channel.port1); m; m = receiveMessageOnPort(channel.port1))
      messages.push(m.message as WorkerMessage);
  };
  if (cross && publish && worker) {
    cross.awaitCrossTabs = () => {
      const t0 = performance.now();
      if (waitFor(CROSS_READY)) {
        drain();
        for (const m of messages) if (m.type === "cross") cross.installCrossTabs(m.cross);
      }
      crossWait = performance.now() - t0;
    };
  }
  let mainResult: DemeanResult;
  try {
    mainResult = run(engine, mine, weights, n, runOptions);
  } catch (e) {
    void worker?.terminate();
    channel.port1.close();
    throw e;
  } finally {
    if (cross) cross.awaitCrossTabs = undefined;
  }
  const mainDone = performance.now();
  if (worker) {
    if (!waitFor(STATUS) || Atomics.load(control, STATUS) !== 1) {
      drain();
      const error = messages.find((m) => m.type === "error");
      failure =
        Atomics.load(control, STARTED) === 0
          ? "worker did not start"
          : `worker failed: ${error?.type === "error" ? error.message : "unknown error"}`;
    }
    void worker.terminate();
  }
  channel.port1.close();
  const waited = performance.now();
  const iterations = [...mainResult.iterations];
  const convergedColumns = [...mainResult.convergedColumns];
  let result: Float64Array[];
  if (failure === undefined) {
    for (let j = 0; j < Kw; j++) {
      iterations.push(control[CONTROL_HEADER + j] as number);
      convergedColumns.push(control[CONTROL_HEADER + Kw + j] === 1);
    }
    result = [...mine, ...theirs];
  } else {
    // The worker may still be writing to `theirs`: redo its columns from the inputs, into fresh arrays.
    const redo = run(engine, columns.slice(split), weights, n, { ...runOptions, inPlace: false });
    iterations.push(...redo.iterations);
    convergedColumns.push(...redo.convergedColumns);
    result = [...mine, ...redo.columns];
  }
  trace(
    failure === undefined
      ? `2 threads, columns 0-${split - 1} on the main thread, ${split}-${K - 1} on a worker` +
          `${publish ? " (which built the cross-tabs)" : ""}: setup ${(prepared - started).toFixed(0)} ms, ` +
          `main ${(mainDone - prepared).toFixed(0)} ms (of which waiting for cross-tabs ${crossWait.toFixed(0)}), ` +
          `then waited ${(waited - mainDone).toFixed(0)} ms`
      : `${failure}; demeaned the worker's columns on the main thread`,
  );
  if (options.inPlace) {
    for (let k = 0; k < K; k++) (columns[k] as Float64Array).set(result[k] as Float64Array);
    result = columns.slice();
  }
  return {
    columns: result,
    iterations,
    converged: convergedColumns.every(Boolean),
    convergedColumns,
  };
}
