/**
 * Interrupts (src/io/cleanup.ts): what a Ctrl-C must undo, checked without a terminal or a real signal by running
 * the registered hooks as the signal handler does. Catalogue rows F25 and F26 (test/hardening/cases.json).
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { progressCallback } from "../../src/cli/progress.js";
import { OutputSet } from "../../src/io/atomicWrite.js";
import { pendingCleanups, registerCleanup, runCleanupHooks } from "../../src/io/cleanup.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "mobility-cleanup-"));
});
afterEach(() => {
  runCleanupHooks();
  rmSync(dir, { recursive: true, force: true });
});

/** A stream that says it is a terminal and records what is written to it. */
function fakeTerminal(): NodeJS.WriteStream & { text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  }) as unknown as NodeJS.WriteStream & { text: () => string };
  Object.assign(stream, {
    isTTY: true,
    columns: 80,
    rows: 24,
    cursorTo: (_x: number, _y?: number, cb?: () => void) => {
      cb?.();
      return true;
    },
    clearLine: (_d: number, cb?: () => void) => {
      cb?.();
      return true;
    },
    moveCursor: (_x: number, _y: number, cb?: () => void) => {
      cb?.();
      return true;
    },
    clearScreenDown: (cb?: () => void) => {
      cb?.();
      return true;
    },
    getWindowSize: () => [80, 24],
    text: () => chunks.join(""),
  });
  return stream;
}

describe("cleanup on interrupt", () => {
  it("F25: Ctrl-C while the progress bar shows restores the cursor and line wrapping (cli-progress hid and disabled them)", () => {
    const stream = fakeTerminal();
    const progress = progressCallback({ stream, delayMs: 0 });
    expect(progress).toBeDefined();
    progress?.(0, 1000);
    progress?.(10, 1000);
    const shown = stream.text();
    expect(shown).toContain("\x1b[?25l"); // cursor hidden
    expect(shown).toContain("\x1b[?7l"); // line wrap off
    expect(pendingCleanups()).toBeGreaterThan(0);
    runCleanupHooks(); // what the SIGINT handler does before the process ends by the signal
    const after = stream.text().slice(shown.length);
    expect(after).toContain("\x1b[?25h");
    expect(after).toContain("\x1b[?7h");
  });

  it("F25: a bar that finishes normally leaves nothing to undo", () => {
    const stream = fakeTerminal();
    const progress = progressCallback({ stream, delayMs: 0 });
    progress?.(0, 1000);
    progress?.(10, 1000);
    progress?.(1000, 1000);
    expect(pendingCleanups()).toBe(0);
    expect(stream.text()).toContain("\x1b[?25h");
  });

  it("F26: an interrupt while outputs are staged removes every temporary file and the directories the set made", () => {
    const set = new OutputSet();
    set.ensureDirectory(join(dir, "out", "tables"));
    set.stage(join(dir, "out", "tables", "t1.txt"), "one\n");
    set.stage(join(dir, "out", "models.json"), "{}\n");
    expect(readdirSync(join(dir, "out")).length).toBeGreaterThan(0);
    runCleanupHooks();
    expect(existsSync(join(dir, "out"))).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("hooks run newest first and a failing hook does not stop the others", () => {
    const order: string[] = [];
    registerCleanup(() => order.push("first"));
    registerCleanup(() => {
      throw new Error("already gone");
    });
    registerCleanup(() => order.push("third"));
    runCleanupHooks();
    expect(order).toEqual(["third", "first"]);
    expect(pendingCleanups()).toBe(0);
  });

  it("a released hook does not run", () => {
    let ran = false;
    const release = registerCleanup(() => {
      ran = true;
    });
    release();
    runCleanupHooks();
    expect(ran).toBe(false);
  });
});
