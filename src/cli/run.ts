/**
 * `mobility run <spec.yaml> [--out DIR] [--check]`: execute a declarative analysis (see src/analysis/ and the README's
 * "Spec files"). Outputs go to DIR (default: `output/` next to the spec) with a manifest. With --check the
 * spec's expected values are compared with the run's: any drift prints a readable diff and exits with code 6;
 * --check writes no files unless --out is given.
 */
import type { Command } from "commander";
import { MobilityError } from "../errors.js";

interface RunCommandOptions {
  out?: string;
  check?: boolean;
}

export function registerRun(program: Command): void {
  program
    .command("run")
    .description(
      "run a spec file: data steps, models, tables, lists, expected values; outputs with a manifest",
    )
    .argument("<spec>", "the spec file (YAML)")
    .option("--out <dir>", "output directory (default: output/ next to the spec)")
    .option("--check", "compare the spec's expected values; exit 6 with a diff if any drifted")
    .action(async (spec: string, opts: RunCommandOptions) => {
      const check = opts.check === true;
      // Loaded when the command runs: the spec runner pulls in the plotting stack (vega, resvg), which would
      // otherwise add to the start-up of every mobility command.
      const { runSpec } = await import("../analysis/run.js");
      const { formatCheckReport } = await import("../analysis/check.js");
      const result = await runSpec(spec, {
        ...(opts.out !== undefined ? { out: opts.out } : {}),
        write: !check || opts.out !== undefined,
      });
      if (!check || opts.out !== undefined) {
        process.stderr.write(`run: ${result.files.size} files written to ${result.outDir}\n`);
      }
      if (!check && result.check.failed > 0) {
        // The spec's expectations are evaluated on every run: a drift must not pass silently without --check.
        process.stderr.write(
          `mobility: warning: ${result.check.failed} of ${result.check.lines.length} expected values of the spec's expect: block drifted (run with --check for the diff and exit status 6)\n`,
        );
      }
      if (check) {
        if (result.check.lines.length === 0) {
          throw new MobilityError("usage", `${spec}: --check, but the spec has no expect: block`);
        }
        const report = formatCheckReport(result.check);
        if (result.check.failed > 0) {
          process.stdout.write(report);
          throw new MobilityError(
            "check",
            `check failed: ${result.check.failed} of ${result.check.lines.length} expected values drifted (diff above)`,
          );
        }
        process.stdout.write(report);
      }
    });
}
