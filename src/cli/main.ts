/**
 * Entry point of the `mobility` command. Each command lives in its own module under `cli/` and registers itself
 * in `commands.ts`; this file only turns errors into one line on stderr and an exit code.
 */
import { Command, CommanderError } from "commander";
import { EXIT_CODES, MobilityError } from "../errors.js";
import { guardStandardStreams } from "../io/standardStreams.js";
import { systemErrorToMobility } from "../io/systemErrors.js";
import { VERSION } from "../version.js";
import { registerCommands } from "./commands.js";
import { relaunchWithHugePages } from "./hugePages.js";

/** C0 control characters and DEL. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/g;

/** commander's message ("error: unknown option '--x'\n(Did you mean --y?)\n") as our one line. */
function commanderLine(text: string): string {
  const body = text
    .replace(/^error:\s*/, "")
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .join(" ");
  return `mobility: error: ${body} (run with --help for usage)\n`;
}

/**
 * Messages are one printable line on stderr whatever they quote (a library's multi-line message, a cell with a
 * line break, bytes of a binary file read as text).
 */
function oneLine(message: string): string {
  return message
    .replace(/\s*[\r\n]+\s*/g, " ")
    .replace(CONTROL_CHARACTERS, "?")
    .trim();
}

async function main(argv: string[]): Promise<number> {
  guardStandardStreams();
  const program = new Command("mobility")
    .description("Econometrics for school spending and economic mobility research")
    .version(VERSION)
    .exitOverride()
    .configureOutput({
      writeErr: (text) => process.stderr.write(text),
      outputError: (text, write) => write(commanderLine(text)),
    });
  try {
    await registerCommands(program, argv);
    await program.parseAsync(argv);
    return 0;
  } catch (caught) {
    if (caught instanceof CommanderError) {
      // commander has already printed its message; help and version are successes.
      return caught.exitCode === 0 ? 0 : EXIT_CODES.usage;
    }
    // An operating-system error (a directory given as input, a full disk) is the user's situation, not a bug.
    const error = systemErrorToMobility(caught) ?? caught;
    if (error instanceof MobilityError) {
      process.stderr.write(`mobility: error: ${oneLine(error.message)}\n`);
      return EXIT_CODES[error.kind];
    }
    // Anything else is our bug: still one line, but say so.
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(
      `mobility: internal error: ${oneLine(message)} (please report this with the command you ran)\n`,
    );
    if (process.env.MOBILITY_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    return 1;
  }
}

// A large input file: the same command in a process with huge pages (see hugePages.ts), else here.
process.exitCode = (await relaunchWithHugePages(process.argv)) ?? (await main(process.argv));
