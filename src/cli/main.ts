/**
 * Entry point of the `mobility` command. Each command lives in its own module under `cli/` and registers itself
 * in `commands.ts`; this file only turns errors into one line on stderr and an exit code.
 */
import { Command, CommanderError } from "commander";
import { EXIT_CODES, MobilityError } from "../errors.js";
import { VERSION } from "../version.js";
import { registerCommands } from "./commands.js";

async function main(argv: string[]): Promise<number> {
  const program = new Command("mobility")
    .description("Econometrics for school spending and economic mobility research")
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) })
    .showHelpAfterError("(run with --help for usage)");
  try {
    await registerCommands(program, argv);
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander has already printed its message; help and version are successes.
      return error.exitCode === 0 ? 0 : EXIT_CODES.usage;
    }
    if (error instanceof MobilityError) {
      process.stderr.write(`mobility: error: ${error.message}\n`);
      return EXIT_CODES[error.kind];
    }
    // Anything else is our bug: still one line, but say so.
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(
      `mobility: internal error: ${message} (please report this with the command you ran)\n`,
    );
    if (process.env.MOBILITY_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv);
