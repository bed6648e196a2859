/**
 * Work to undo when the process is interrupted or exits early: temporary output files to remove, a terminal to
 * restore (the progress bar hides the cursor and turns line wrapping off). One registry for the whole process, so
 * that every module that leaves something behind while it works registers an undo step, and one set of signal
 * handlers runs them all.
 *
 * On SIGINT, SIGTERM and SIGHUP the hooks run (synchronously, newest first) and the signal is raised again with
 * the default action restored, so the process ends as an interrupted Unix tool does (exit status 128 + signal
 * number as the shell reports it). On `exit` (process.exit, e.g. after a closed standard output) the hooks run
 * too. Hooks must be synchronous and must not throw; a throwing hook is ignored so the others still run.
 */

type Hook = () => void;

const hooks = new Set<Hook>();
const SIGNALS: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
let installed = false;

function runAll(): void {
  for (const hook of [...hooks].reverse()) {
    hooks.delete(hook);
    try {
      hook();
    } catch {
      // An undo step that fails (a temporary file already gone) must not stop the others.
    }
  }
}

function onSignal(signal: NodeJS.Signals): void {
  runAll();
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  // With our listener gone the default action applies: the process ends by the signal.
  process.kill(process.pid, signal);
}

function install(): void {
  if (installed) return;
  installed = true;
  for (const signal of SIGNALS) process.on(signal, onSignal);
  process.on("exit", runAll);
}

/** Registers `hook` to run if the process is interrupted or exits before `release` is called. */
export function registerCleanup(hook: Hook): () => void {
  install();
  hooks.add(hook);
  return () => {
    hooks.delete(hook);
  };
}

/** Runs every pending hook now (what an interrupt does; exported for tests). */
export function runCleanupHooks(): void {
  runAll();
}

/** Number of pending hooks (for tests: nothing should be pending after a command). */
export function pendingCleanups(): number {
  return hooks.size;
}
