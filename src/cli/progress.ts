/**
 * A progress bar on stderr for file reads that take more than a second: bytes read / file size. Silent when
 * stderr is not a terminal or with --quiet. The reader's callback is cheap: it compares a clock at most every
 * call and redraws at most ~10 times a second (cli-progress throttles drawing on top).
 */
import cliProgress from "cli-progress";
import { setDefaultCsvProgress } from "../data/csv.js";
import { registerCleanup } from "../io/cleanup.js";

export type ProgressCallback = (bytesRead: number, totalBytes: number) => void;

/** A callback for one or more file reads: shows a bar once a read has run for `delayMs`. */
export function progressCallback(
  options: { quiet?: boolean; delayMs?: number; stream?: NodeJS.WriteStream } = {},
): ProgressCallback | undefined {
  const stream = options.stream ?? process.stderr;
  if (options.quiet === true || !stream.isTTY) return undefined;
  const delay = options.delayMs ?? 1000;
  let bar: cliProgress.SingleBar | undefined;
  // The bar hides the cursor and turns line wrapping off; an interrupt (Ctrl-C) while it shows must restore both.
  let releaseTerminal: () => void = () => undefined;
  let started = 0;
  let lastDraw = 0;
  return (bytesRead, totalBytes) => {
    const now = Date.now();
    if (started === 0 || bytesRead === 0) started = now; // a new read begins
    if (bytesRead >= totalBytes) {
      if (bar !== undefined) {
        bar.update(totalBytes);
        bar.stop();
        bar = undefined;
        releaseTerminal();
      }
      started = 0;
      return;
    }
    if (now - lastDraw < 100) return;
    lastDraw = now;
    if (bar === undefined) {
      if (now - started < delay) return;
      bar = new cliProgress.SingleBar(
        {
          stream,
          format: "reading [{bar}] {percentage}% | {mb}/{totalMb} MB | eta {eta}s",
          hideCursor: true,
          clearOnComplete: true,
          fps: 10,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(totalBytes, bytesRead, { mb: mb(bytesRead), totalMb: mb(totalBytes) });
      const shown = bar;
      releaseTerminal = registerCleanup(() => {
        shown.stop();
        // stop() restores what start() changed; say it explicitly too, in case the bar was mid-redraw.
        stream.write("\x1b[?25h\x1b[?7h\n");
      });
      return;
    }
    bar.update(bytesRead, { mb: mb(bytesRead), totalMb: mb(totalBytes) });
  };
}

const mb = (bytes: number): string => (bytes / 1e6).toFixed(0);

/**
 * For commands: every CSV read of this command (the dataset readers included) reports to a bar unless `quiet`.
 * Call once at the start of the command's action with its options.
 */
export function installProgress(opts: object): void {
  setDefaultCsvProgress(progressCallback({ quiet: (opts as { quiet?: unknown }).quiet === true }));
}
