/**
 * The package as a user installs it (issue: installable as a package): `npm pack` the project, install the tarball
 * into an empty project offline, then run the installed `mobility` command and import the library entry with its
 * types. Needs the build that `npm test` runs first.
 *
 * Offline: the npm cache that `npm ci` filled holds the dependencies' tarballs but not the registry's metadata that
 * `npm install <tarball>` resolves versions with, so the empty project gets a lockfile naming the tarball and, for
 * the dependencies, the production entries of this project's own lockfile (the versions a user's `npm install`
 * resolves today); `npm ci --offline` then installs everything from the tarball and the cache, with integrity
 * checks, and no build step runs on the user's side.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "..", "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
/** Size budget of the unpacked package, without its dependencies (README, "Install"). */
const UNPACKED_BUDGET_BYTES = 5_000_000;

function run(command: string, args: string[], cwd: string) {
  const r = spawnSync(command, args, {
    cwd,
    encoding: "utf8",
    maxBuffer: 1 << 26,
    env: { ...process.env, CI: "true" },
  });
  if (r.status !== 0)
    throw new Error(`${command} ${args.join(" ")} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

interface LockEntry {
  dev?: boolean;
  [key: string]: unknown;
}

/** package.json and package-lock.json of an empty project that depends on the tarball alone. */
function writeConsumerProject(dir: string, tarball: string): void {
  const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as Record<string, unknown>;
  const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as {
    packages: Record<string, LockEntry>;
  };
  const spec = `file:${tarball}`;
  const integrity = `sha512-${createHash("sha512")
    .update(readFileSync(join(dir, tarball)))
    .digest("base64")}`;
  const packages: Record<string, unknown> = {
    "": { name: "consumer", dependencies: { mobility: spec } },
    "node_modules/mobility": {
      version: manifest.version,
      resolved: spec,
      integrity,
      license: manifest.license,
      dependencies: manifest.dependencies,
      bin: manifest.bin,
      engines: manifest.engines,
    },
  };
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === "" || entry.dev === true) continue;
    packages[path] = entry;
  }
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name: "consumer", private: true, type: "module", dependencies: { mobility: spec } }),
  );
  writeFileSync(
    join(dir, "package-lock.json"),
    JSON.stringify({ name: "consumer", lockfileVersion: 3, requires: true, packages }),
  );
}

function directorySize(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? directorySize(path) : statSync(path).size;
  }
  return total;
}

describe("installed from the packed tarball", () => {
  let dir = "";
  let installed = "";

  beforeAll(() => {
    if (!existsSync(join(root, "dist", "src", "index.js")))
      throw new Error("dist/ is missing: run `npm run build` (npm test does) before this test");
    dir = mkdtempSync(join(tmpdir(), "mobility-package-"));
    // dist/ is already built by `npm test`; --ignore-scripts skips prepack's second build.
    const tarball = run(
      npm,
      ["pack", "--ignore-scripts", "--pack-destination", dir, "--silent"],
      root,
    ).trim();
    writeConsumerProject(dir, tarball);
    run(npm, ["ci", "--offline", "--no-audit", "--no-fund", "--silent"], dir);
    installed = join(dir, "node_modules", "mobility");
  }, 240_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it("ships only what runs, within the size budget", () => {
    const files = readdirSync(installed).sort();
    expect(files).toEqual(["LICENSE", "README.md", "bin", "dist", "package.json"]);
    expect(readdirSync(join(installed, "dist"))).toEqual(["src"]);
    expect(directorySize(installed)).toBeLessThan(UNPACKED_BUDGET_BYTES);
  });

  it("npx mobility --version and a regression print what the checkout prints", () => {
    expect(run("npx", ["--offline", "mobility", "--version"], dir).trim()).toBe(pkg.version);
    const fixture = join(root, "fixtures", "fe", "grunfeld.csv");
    const args = ["regress", fixture, "inv ~ value + capital | firm", "--cluster", "firm"];
    const fromPackage = run("npx", ["--offline", "mobility", ...args], dir);
    const fromCheckout = run(process.execPath, [join(root, "bin", "mobility"), ...args], root);
    expect(fromPackage).toBe(fromCheckout);
    // The short footer names the standard errors: "Standard errors in parentheses, clustered (firm)."
    expect(fromPackage).toMatch(/clustered \(firm\)/i);
  });

  it("imports the library entry from an ES module and type-checks a TypeScript use of it", () => {
    const script = `
import { parseFormula, readModelData, runRegressions, renderOutput, VERSION } from "mobility";
const request = { formulas: [parseFormula("inv ~ value + capital | firm")], covariance: { cluster: ["firm"] }, level: 0.95 };
const { table } = await readModelData(${JSON.stringify(join(root, "fixtures", "fe", "grunfeld.csv"))}, request);
const run = runRegressions(table, request);
process.stdout.write(JSON.stringify({ version: VERSION, b: run.models[0].result.coefficients[0].estimate }));
`;
    writeFileSync(join(dir, "use.mjs"), script);
    const out = JSON.parse(run(process.execPath, ["use.mjs"], dir)) as { version: string; b: number };
    expect(out.version).toBe(pkg.version);
    // Grunfeld, inv ~ value + capital | firm: fixest's coefficient on value (test/golden/feols.json grunfeld_firm_iid: 0.11012380412071847).
    expect(Math.abs(out.b - 0.11012380412071847) / 0.11012380412071847).toBeLessThan(1e-10);
    writeFileSync(
      join(dir, "use.ts"),
      `import { type ModelResult, type RegressionRequest, parseFormula, resolveCovariance } from "mobility";
const request: RegressionRequest = { formulas: [parseFormula("y ~ x")], covariance: { vcov: "hc1" }, level: 0.95 };
const covariance = resolveCovariance(request.covariance);
const type: string = covariance.type;
export const first = (m: ModelResult): number | undefined => m.coefficients[0]?.std_error;
export { type };
`,
    );
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          module: "NodeNext",
          moduleResolution: "NodeNext",
          target: "ES2022",
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: [],
        },
        files: ["use.ts"],
      }),
    );
    run(
      process.execPath,
      [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"],
      dir,
    );
  }, 120_000);
});
