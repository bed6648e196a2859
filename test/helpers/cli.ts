import { spawnSync } from "node:child_process";

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI (`npm test` builds dist/ before vitest runs) as a user would. */
export function runCli(args: string[], input?: string): CliResult {
  // Outputs of tens of megabytes (merges of real files) must not hit spawnSync's 1 MiB default buffer.
  const result = spawnSync(process.execPath, ["bin/mobility", ...args], {
    encoding: "utf8",
    input,
    maxBuffer: 256 * 1024 * 1024,
  });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}
