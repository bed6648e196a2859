/**
 * The hardening catalogue (issue 16): every bad or edge input the hostile pass found, and those added since, run
 * through the built CLI (`npm test` builds dist/ first) as a user would, one fresh directory per case. The cases
 * are data (test/hardening/cases.json; the README there describes the fields); this file only runs them and
 * checks, besides each case's own expectations (exit status, message fragment, files afterwards), what must hold
 * for every case:
 *   - no internal error (exit 1) and no stack trace;
 *   - errors are one line: exactly one "mobility: error:" line, and nothing on stdout (no partial output);
 *   - nothing damaged: every file the case set up is byte-identical afterwards unless the case says it changes;
 *   - nothing left behind: no temporary or backup file anywhere in the directory.
 * Every case runs: a case that is not fixed fails (a known gap is not hidden behind a skip).
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";

type Setup =
  | { input: string; as?: string }
  | { fixture: string; as: string }
  | { write: string; text: string }
  | { symlink: string; to: string }
  | { mkdir: string }
  | { gzip: string; of: string }
  | { hex: string; bytes: string }
  | { rows: string; count: number }
  | { chmod: string; mode: string };

/** An argument built from parts (a formula of 5,000 terms): strings, and `repeat` (with `{i}` the 0-based index). */
type Argument = string | { concat: (string | { repeat: string; times: number; sep?: string })[] };

function argument(a: Argument): string {
  if (typeof a === "string") return a;
  return a.concat
    .map((part) =>
      typeof part === "string"
        ? part
        : Array.from({ length: part.times }, (_, i) => part.repeat.replaceAll("{i}", String(i))).join(
            part.sep ?? "",
          ),
    )
    .join("");
}

interface Case {
  id: string;
  class: "wrong-result" | "files" | "crash" | "message" | "exit-code";
  case: string;
  source: "issue" | "added";
  setup?: Setup[];
  run?: Argument[];
  shell?: string;
  exit: number | number[];
  stderr?: string | string[];
  stdout?: string | string[];
  notStdout?: string | string[];
  notStderr?: string | string[];
  files?: {
    exist?: string[];
    absent?: string[];
    changed?: string[];
    symlink?: string[];
    contains?: Record<string, string>;
    mode?: Record<string, string>;
  };
  /** A case checked by a unit test (it needs a terminal or an injected failure): the test file names the id. */
  covered?: string;
}

const ROOT = resolve(import.meta.dirname, "../..");
const BIN = join(ROOT, "bin", "mobility");
const INPUTS = join(ROOT, "test", "hardening", "inputs");
const CASES: Case[] = JSON.parse(readFileSync(join(ROOT, "test", "hardening", "cases.json"), "utf8"));
const TEMPORARY = /(\.tmp(-\d+)?|\.bak)$/;

const base = mkdtempSync(join(tmpdir(), "mobility-catalogue-"));
afterAll(() => rmSync(base, { recursive: true, force: true }));

const list = (v: string | string[] | undefined): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v : [v];
const sha = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

function prepare(dir: string, setup: Setup[]): string[] {
  const created: string[] = [];
  for (const step of setup) {
    if ("input" in step) {
      copyFileSync(join(INPUTS, step.input), join(dir, step.as ?? step.input));
      created.push(step.as ?? step.input);
    } else if ("fixture" in step) {
      mkdirSync(dirname(join(dir, step.as)), { recursive: true });
      copyFileSync(join(ROOT, step.fixture), join(dir, step.as));
      created.push(step.as);
    } else if ("write" in step) {
      mkdirSync(dirname(join(dir, step.write)), { recursive: true });
      writeFileSync(join(dir, step.write), step.text);
      created.push(step.write);
    } else if ("symlink" in step) {
      symlinkSync(step.to, join(dir, step.symlink));
    } else if ("mkdir" in step) {
      mkdirSync(join(dir, step.mkdir), { recursive: true });
    } else if ("gzip" in step) {
      writeFileSync(join(dir, step.gzip), gzipSync(readFileSync(join(INPUTS, step.of))));
      created.push(step.gzip);
    } else if ("hex" in step) {
      writeFileSync(join(dir, step.hex), Buffer.from(step.bytes, "hex"));
      created.push(step.hex);
    } else if ("rows" in step) {
      const lines = ["k,v"];
      for (let i = 0; i < step.count; i++) lines.push(`${i},${i / 2}`);
      writeFileSync(join(dir, step.rows), `${lines.join("\n")}\n`);
      created.push(step.rows);
    } else if ("chmod" in step) {
      chmodSync(join(dir, step.chmod), Number.parseInt(step.mode, 8));
    }
  }
  return created;
}

/** Every regular file under `dir` (relative paths); symbolic links are not followed. */
function walk(dir: string, prefix = ""): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const rel = prefix === "" ? name : `${prefix}/${name}`;
    const stat = lstatSync(path);
    if (stat.isDirectory()) out.push(...walk(path, rel));
    else if (stat.isFile()) out.push(rel);
  }
  return out;
}

function runCase(c: Case, dir: string): Promise<{ status: number; stdout: string; stderr: string }> {
  const command = c.shell
    ? ["bash", ["-c", c.shell.replaceAll("mobility", `"${process.execPath}" "${BIN}"`)]]
    : [process.execPath, [BIN, ...(c.run ?? []).map(argument)]];
  return new Promise((done, fail) => {
    const child = spawn(command[0] as string, command[1] as string[], {
      cwd: dir,
      env: { ...process.env, MOBILITY_DEBUG: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", fail);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      done({ status: code ?? 128 + (signal === "SIGKILL" ? 9 : 0), stdout, stderr });
    });
  });
}

describe("hardening catalogue (issue 16; test/hardening/cases.json)", () => {
  it("has at least 120 cases with unique ids, every one with an expected exit status", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(120);
    expect(new Set(CASES.map((c) => c.id)).size).toBe(CASES.length);
    for (const c of CASES) expect(c.exit, c.id).toBeDefined();
  });

  it("uses only the exit statuses the README's table lists", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const table = readme.slice(readme.indexOf("## Exit codes"));
    const documented = new Set(
      [...table.matchAll(/^\| ([\d, ]+) \|/gm)].flatMap((m) => (m[1] as string).split(",").map(Number)),
    );
    const used = new Set(CASES.flatMap((c) => [c.exit].flat()));
    for (const c of CASES) {
      for (const status of [c.exit].flat())
        expect(documented.has(status), `${c.id}: exit ${status}`).toBe(true);
    }
    // Every documented status but the internal error (which no case may produce) is exercised by some case.
    for (const status of documented)
      if (status !== 1) expect(used.has(status), `exit ${status} untested`).toBe(true);
  });

  for (const c of CASES) {
    const title = `${c.id} [${c.class}] ${c.case}`;
    if (c.covered !== undefined) {
      it(`${title} (unit test ${c.covered})`, () => {
        expect(readFileSync(join(ROOT, c.covered as string), "utf8")).toContain(c.id);
      });
      continue;
    }
    it.concurrent(title, async () => {
      const dir = mkdtempSync(join(base, `${c.id}-`));
      const created = prepare(dir, c.setup ?? []);
      const before = new Map(created.map((f) => [f, sha(join(dir, f))]));
      const result = await runCase(c, dir);
      const where = `${c.id}: status ${result.status}\n--- stderr\n${result.stderr}--- stdout\n${result.stdout.slice(0, 2000)}`;

      // What must hold for every case.
      expect([c.exit].flat(), where).toContain(result.status);
      expect(result.stderr, where).not.toMatch(/internal error/);
      expect(result.stderr, where).not.toMatch(/^\s+at .+[:(]\d+/m);
      const errorLines = result.stderr.split("\n").filter((l) => l.startsWith("mobility: error:"));
      if ([2, 3, 4, 5, 6].includes(result.status)) {
        expect(errorLines.length, where).toBe(1);
        if (result.status !== 6 && !c.shell) expect(result.stdout, where).toBe("");
      } else {
        expect(errorLines.length, where).toBe(0);
      }
      for (const [file, hash] of before) {
        if (c.files?.changed?.includes(file)) continue;
        expect(
          existsSync(join(dir, file)) ? sha(join(dir, file)) : "removed",
          `${where}\n${file} damaged`,
        ).toBe(hash);
      }
      const leftovers = walk(dir).filter((f) => TEMPORARY.test(f));
      expect(leftovers, `${where}\nleft behind`).toEqual([]);

      // The case's own expectations.
      for (const s of list(c.stderr)) expect(result.stderr, where).toContain(s);
      for (const s of list(c.stdout)) expect(result.stdout, where).toContain(s);
      for (const s of list(c.notStdout)) expect(result.stdout, where).not.toContain(s);
      for (const s of list(c.notStderr)) expect(result.stderr, where).not.toContain(s);
      for (const f of c.files?.exist ?? [])
        expect(existsSync(join(dir, f)), `${where}\n${f} missing`).toBe(true);
      for (const f of c.files?.absent ?? []) {
        expect(existsSync(join(dir, f)) || isLink(join(dir, f)), `${where}\n${f} present`).toBe(false);
      }
      for (const f of c.files?.symlink ?? [])
        expect(isLink(join(dir, f)), `${where}\n${f} not a link`).toBe(true);
      for (const [f, text] of Object.entries(c.files?.contains ?? {})) {
        expect(readFileSync(join(dir, f), "utf8"), `${where}\n${f}`).toContain(text);
      }
      for (const [f, mode] of Object.entries(c.files?.mode ?? {})) {
        expect((statSync(join(dir, f)).mode & 0o7777).toString(8), `${where}\n${f} mode`).toBe(mode);
      }
    });
  }
});

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink() && readlinkSync(path) !== "";
  } catch {
    return false;
  }
}
