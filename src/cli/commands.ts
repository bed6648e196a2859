/**
 * Every subcommand, registered in the order `mobility --help` lists them. Each command's module (and everything
 * it imports: estimation, readers, plotting) is loaded only when it is needed: for `mobility regress ...` just
 * regress.ts, for `mobility --version` none, for `--help` or an unknown command all of them (help lists them).
 */
import type { Command } from "commander";

type Register = (program: Command) => void;

const COMMANDS: readonly [string, () => Promise<Register>][] = [
  ["regress", async () => (await import("./regress.js")).registerRegress],
  ["predict", async () => (await import("./predict.js")).registerPredict],
  ["eventstudy", async () => (await import("./eventstudy.js")).registerEventStudy],
  ["describe", async () => (await import("./describe.js")).registerDescribe],
  ["ingest", async () => (await import("./ingest.js")).registerIngest],
  ["stack", async () => (await import("./stack.js")).registerStack],
  ["merge", async () => (await import("./merge.js")).registerMerge],
  ["aggregate", async () => (await import("./aggregate.js")).registerAggregate],
  ["zone", async () => (await import("./zone.js")).registerZone],
  ["map", async () => (await import("./map.js")).registerMap],
  ["binscatter", async () => (await import("./binscatter.js")).registerBinscatter],
  ["plot", async () => (await import("./plot.js")).registerPlot],
  ["run", async () => (await import("./run.js")).registerRun],
];

/** The name of the command `argv` runs, or null for global options (--version, --help) and no command. */
function commandOf(argv: readonly string[]): string | null {
  const first = argv[2];
  return first === undefined || first.startsWith("-") ? null : first;
}

/** Registers the commands `argv` needs (all of them for help and for unknown names, so errors can list them). */
export async function registerCommands(
  program: Command,
  argv: readonly string[] = process.argv,
): Promise<void> {
  const name = commandOf(argv);
  const version = argv.length === 3 && (argv[2] === "--version" || argv[2] === "-V");
  if (version) return;
  const only = COMMANDS.find(([n]) => n === name);
  const load = only ? [only] : COMMANDS;
  const registers = await Promise.all(load.map(([, f]) => f()));
  for (const register of registers) register(program);
}
