import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MobilityError } from "../../src/errors.js";
import { writeFileAtomic } from "../../src/report/writeAtomic.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "mobility-write-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function ioFailure(promise: Promise<unknown>): Promise<MobilityError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MobilityError);
  expect((error as MobilityError).kind).toBe("io");
  return error as MobilityError;
}

describe("writeFileAtomic", () => {
  it("writes and replaces a file, leaving no temporary file", async () => {
    const path = join(dir, "table.txt");
    await writeFileAtomic(path, "first\n");
    expect(readFileSync(path, "utf8")).toBe("first\n");
    await writeFileAtomic(path, "R² ≠ 1\n");
    expect(readFileSync(path, "utf8")).toBe("R² ≠ 1\n");
    expect(readdirSync(dir)).toEqual(["table.txt"]);
  });

  it("fails with an io error naming the path when the directory does not exist", async () => {
    const path = join(dir, "missing", "table.txt");
    const error = await ioFailure(writeFileAtomic(path, "x"));
    expect(error.message).toBe(`cannot write ${path}: no such directory`);
  });

  it("leaves the target and the directory untouched when the rename fails", async () => {
    const path = join(dir, "occupied");
    mkdirSync(path);
    writeFileSync(join(path, "keep.txt"), "kept");
    const error = await ioFailure(writeFileAtomic(path, "x"));
    expect(error.message).toMatch(new RegExp(`^cannot write ${path}: `));
    expect(readdirSync(dir)).toEqual(["occupied"]);
    expect(readFileSync(join(path, "keep.txt"), "utf8")).toBe("kept");
  });
});
