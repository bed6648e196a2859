/**
 * The one atomic writer (src/io/atomicWrite.ts) and the system-error mapping (src/io/systemErrors.ts): written
 * through links to the real target, non-regular targets refused, exclusive temporaries that never follow a planted
 * link, output sets committed together or not at all. Catalogue rows F27 and F28 (test/hardening/cases.json).
 */
import {
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
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

const names = vi.hoisted(() => ({ queue: [] as number[] }));
vi.mock("node:crypto", async (original) => {
  const actual = await original<typeof import("node:crypto")>();
  return {
    ...actual,
    // Tests may queue the bytes of the next random names; otherwise names are random as in production.
    randomBytes: (size: number) => {
      const next = names.queue.shift();
      return next === undefined ? actual.randomBytes(size) : Buffer.alloc(size, next);
    },
  };
});

import { MobilityError } from "../../src/errors.js";
import {
  OutputSet,
  outputTarget,
  writeFailureReason,
  writeFileAtomicSync,
  writeOutputsAtomic,
} from "../../src/io/atomicWrite.js";
import { runCleanupHooks } from "../../src/io/cleanup.js";
import { systemErrorToMobility } from "../../src/io/systemErrors.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "mobility-atomic-"));
});
afterEach(() => {
  names.queue.length = 0;
  runCleanupHooks();
  rmSync(dir, { recursive: true, force: true });
});

function failure(f: () => unknown): MobilityError {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(MobilityError);
    return error as MobilityError;
  }
  throw new Error("expected a failure");
}

describe("atomic output", () => {
  it("F27: a link planted at the temporary name is not followed: the writer takes another name, the victim is untouched", () => {
    const victim = join(dir, "victim.txt");
    writeFileSync(victim, "precious\n");
    // The first name the writer will draw: ".<target>.<16 hex digits>.tmp".
    const planted = join(dir, `.out.txt.${"aa".repeat(8)}.tmp`);
    symlinkSync(victim, planted);
    names.queue.push(0xaa, 0xbb);
    writeFileAtomicSync(join(dir, "out.txt"), "new\n");
    expect(readFileSync(victim, "utf8")).toBe("precious\n");
    expect(readlinkSync(planted)).toBe(victim);
    expect(readFileSync(join(dir, "out.txt"), "utf8")).toBe("new\n");
    expect(readdirSync(dir).sort()).toEqual([".out.txt.aaaaaaaaaaaaaaaa.tmp", "out.txt", "victim.txt"]);
  });

  it("F28: a rename that fails while committing a set puts the old files back and removes the new ones", () => {
    const a = join(dir, "a.txt");
    const b = join(dir, "b.txt");
    const c = join(dir, "c.txt");
    writeFileSync(a, "old a\n");
    writeFileSync(b, "old b\n");
    const set = new OutputSet();
    set.stage(a, "new a\n");
    set.stage(c, "new c\n");
    set.stage(b, "new b\n");
    // b.txt turns into a non-empty directory after staging: its rename, the last, fails.
    unlinkSync(b);
    mkdirSync(b);
    writeFileSync(join(b, "keep"), "x");
    const error = failure(() => set.commit());
    expect(error.kind).toBe("io");
    expect(error.message).toMatch(/^cannot write .*b\.txt: /);
    expect(readFileSync(a, "utf8")).toBe("old a\n");
    expect(existsSync(c)).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(["a.txt", "b.txt"]);
  });

  it("a set is written entirely: every file has its new contents, no temporary or backup is left", () => {
    writeFileSync(join(dir, "a.txt"), "old\n");
    writeOutputsAtomic([
      [join(dir, "a.txt"), "new a\n"],
      [join(dir, "b.bin"), Buffer.from([0, 1, 2, 255])],
      [join(dir, "c.csv"), (emit) => ["x\n", "1\n", "2\n"].forEach(emit)],
    ]);
    expect(readFileSync(join(dir, "a.txt"), "utf8")).toBe("new a\n");
    expect([...readFileSync(join(dir, "b.bin"))]).toEqual([0, 1, 2, 255]);
    expect(readFileSync(join(dir, "c.csv"), "utf8")).toBe("x\n1\n2\n");
    expect(readdirSync(dir).sort()).toEqual(["a.txt", "b.bin", "c.csv"]);
  });

  it("a failure while staging (a producer that throws) leaves the old files and nothing else", () => {
    writeFileSync(join(dir, "a.txt"), "old\n");
    expect(() =>
      writeOutputsAtomic([
        [join(dir, "a.txt"), "new\n"],
        [
          join(dir, "b.txt"),
          () => {
            throw new Error("disk full");
          },
        ],
      ]),
    ).toThrow(/cannot write .*b\.txt: disk full/);
    expect(readFileSync(join(dir, "a.txt"), "utf8")).toBe("old\n");
    expect(readdirSync(dir)).toEqual(["a.txt"]);
  });

  it("writes through a symbolic link (and a chain of them) to the file at its end; the links stay links", () => {
    writeFileSync(join(dir, "real.txt"), "old\n");
    symlinkSync("real.txt", join(dir, "one"));
    symlinkSync(join(dir, "one"), join(dir, "two"));
    writeFileAtomicSync(join(dir, "two"), "new\n");
    expect(readFileSync(join(dir, "real.txt"), "utf8")).toBe("new\n");
    expect(lstatSync(join(dir, "one")).isSymbolicLink()).toBe(true);
    expect(lstatSync(join(dir, "two")).isSymbolicLink()).toBe(true);
    expect(outputTarget(join(dir, "two")).target).toBe(join(dir, "real.txt"));
  });

  it("refuses a device, a directory and a named pipe, and names what it is", () => {
    expect(failure(() => writeFileAtomicSync("/dev/null", "x")).message).toMatch(/it is a device/);
    mkdirSync(join(dir, "d"));
    expect(failure(() => writeFileAtomicSync(join(dir, "d"), "x")).message).toMatch(/it is a directory/);
    expect(statSync("/dev/null").isCharacterDevice()).toBe(true);
  });

  it("keeps an existing file's permission bits", () => {
    const path = join(dir, "t.txt");
    writeFileSync(path, "old\n", { mode: 0o640 });
    writeFileAtomicSync(path, "new\n");
    expect(statSync(path).mode & 0o777).toBe(0o640);
  });

  it("two outputs of one set naming the same file are a usage error", () => {
    symlinkSync("t.csv", join(dir, "alias.csv"));
    const set = new OutputSet();
    set.stage(join(dir, "t.csv"), "a\n");
    const error = failure(() => set.stage(join(dir, "alias.csv"), "b\n"));
    expect(error.kind).toBe("usage");
    expect(error.message).toMatch(/are the same file/);
    set.abort();
    expect(readdirSync(dir)).toEqual(["alias.csv"]);
  });

  it("names the reason of common write failures", () => {
    const err = (code: string) => Object.assign(new Error(code), { code });
    expect(writeFailureReason(err("ENOSPC"))).toBe("no space left on device");
    expect(writeFailureReason(err("EROFS"))).toBe("read-only file system");
  });
});

describe("system errors as one-line user errors", () => {
  const sys = (code: string, syscall: string, path?: string) =>
    Object.assign(new Error(`${code}: ${syscall}`), { code, syscall, ...(path ? { path } : {}) });

  it("a failed read is a data error (exit 3) naming the path", () => {
    const e = systemErrorToMobility(sys("EISDIR", "read", "data"));
    expect(e?.kind).toBe("data");
    expect(e?.message).toBe("data: is a directory, not a data file");
    expect(systemErrorToMobility(sys("ESPIPE", "read"))?.message).toMatch(/cannot seek/);
  });

  it("a failed write is an io error (exit 5)", () => {
    const e = systemErrorToMobility(sys("ENOSPC", "write"));
    expect(e?.kind).toBe("io");
    expect(e?.message).toBe("cannot write output: no space left on device");
  });

  it("anything else is not a system error", () => {
    expect(systemErrorToMobility(new Error("Matrix is not symmetric"))).toBeNull();
    expect(systemErrorToMobility(new RangeError("Maximum call stack size exceeded"))).toBeNull();
  });
});
