/**
 * `mobility binscatter <data> --y <expr> --x <expr>`: a binned scatter plot as R's binsreg computes it (README
 * "Binned scatter plots"; src/estimate/binscatter.ts): the dots (and intervals) as CSV on stdout or `--out`
 * (.csv/.json), the figure with `--plot` (.svg/.png), notes on stderr.
 */
import type { Command } from "commander";
import { MobilityError, usageError } from "../errors.js";
import { writeOutputsAtomic } from "../report/writeAtomic.js";
import { resolveCovariance } from "../vcov/registry.js";
import {
  addDataOptions,
  expressionColumns,
  type FigureDataOptions,
  formulaColumns,
  readFigureData,
} from "./figureData.js";
import { parseNumberOption } from "./options.js";

export interface BinscatterCliOptions extends FigureDataOptions {
  y: string;
  x: string;
  controls?: string;
  absorb?: string;
  weights?: string;
  cluster?: string;
  by?: string;
  bins?: string;
  ci?: boolean;
  cb?: boolean;
  poly?: string;
  level: string;
  vcov?: string;
  nsims: string;
  simsgrid: string;
  seed: string;
  plot?: string;
  out?: string;
  format?: string;
  title?: string;
  xTitle?: string;
  yTitle?: string;
  labels?: string;
}

export function registerBinscatter(program: Command): void {
  const command = program
    .command("binscatter")
    .description(
      "binned scatter plot as binsreg computes it: dots, CIs, uniform band, polynomial fit; dots as CSV/JSON",
    )
    .argument("<data>", "CSV file")
    .requiredOption("--y <expr>", 'outcome: a column or an expression, e.g. "kfr_pooled_pooled_p25"')
    .requiredOption("--x <expr>", 'variable binned: a column or an expression, e.g. "log(ppe)"')
    .option(
      "--controls <rhs>",
      'controls, formula syntax, e.g. "local_share + log(enroll)"; dots at their means',
    )
    .option("--absorb <fe>", 'fixed effects, formula syntax, e.g. "state"; dots at their mean')
    .option("--weights <column>", "analytic weights")
    .option("--cluster <column>", "cluster-robust standard errors")
    .option("--by <column>", "one series per group (bins chosen per group)")
    .option(
      "--bins <J>",
      "number of quantile-spaced bins (default: IMSE-optimal, binsregselect's direct plug-in)",
    )
    .option("--ci", "pointwise confidence intervals (binsreg's ci: the (1,1) spline at the dots' x)")
    .option("--cb", "uniform confidence band (binsreg's cb)")
    .option("--poly <degree>", "global polynomial fit of this degree, drawn as a line")
    .option("--level <p>", "confidence level", "0.95")
    .option(
      "--vcov <type>",
      "hc1 (default, binsreg's HC1), hc0, hc2, hc3 or iid; --cluster implies clustered",
    )
    .option("--nsims <n>", "simulation draws for the band's critical value", "2000")
    .option("--simsgrid <n>", "points per bin for the band's supremum", "50")
    .option("--seed <n>", "seed of the band's simulation", "1")
    .option("--plot <file>", "write the figure (.svg or .png)")
    .option("--out <file>", "write the dots here (.csv, or .json for everything) instead of stdout")
    .option("--format <format>", "csv or json (default: from --out, else csv)")
    .option("--title <text>", "figure title")
    .option("--x-title <text>", "x axis title (default: --x)")
    .option("--y-title <text>", "y axis title (default: --y)")
    .option("--labels <list>", "display names of the --by groups, e.g. black=Black,white=White");
  addDataOptions(command).action(async (data: string, opts: BinscatterCliOptions) => {
    const format = opts.format ?? (opts.out?.toLowerCase().endsWith(".json") ? "json" : "csv");
    if (format !== "csv" && format !== "json")
      throw usageError(`--format: expected csv or json, found '${format}'`);
    const { figureFormat } = await import("../report/figure.js");
    if (opts.plot) figureFormat(opts.plot, "--plot");
    // binsreg's default is heteroskedasticity-robust; clustered when clusters are given.
    const vcov = resolveCovariance({
      vcov: opts.vcov ?? (opts.cluster ? "cluster" : "hc1"),
      cluster: opts.cluster ? [opts.cluster] : [],
    }).type;
    const table = await readFigureData(
      data,
      [
        ["--y", expressionColumns(opts.y, "--y")],
        ["--x", expressionColumns(opts.x, "--x")],
        ["--controls", opts.controls ? formulaColumns(opts.controls, "--controls", "terms") : []],
        ["--absorb", opts.absorb ? formulaColumns(opts.absorb, "--absorb", "fixed") : []],
        ["--weights", opts.weights ? [opts.weights] : []],
        ["--cluster", opts.cluster ? [opts.cluster] : []],
        ["--by", opts.by ? [opts.by] : []],
      ],
      opts,
      [...(opts.cluster ? [opts.cluster] : []), ...(opts.by ? [opts.by] : [])],
    );
    const { binscatter } = await import("../estimate/binscatter.js");
    const result = binscatter(table, {
      y: opts.y,
      x: opts.x,
      ...(opts.controls ? { controls: opts.controls } : {}),
      ...(opts.absorb ? { absorb: opts.absorb } : {}),
      ...(opts.weights ? { weights: opts.weights } : {}),
      ...(opts.cluster ? { cluster: opts.cluster } : {}),
      ...(opts.by ? { by: opts.by } : {}),
      ...(opts.bins !== undefined ? { bins: wholeNumber("--bins", opts.bins, 2) } : {}),
      ...(opts.ci ? { ci: true } : {}),
      ...(opts.cb ? { cb: true } : {}),
      ...(opts.poly !== undefined ? { polyreg: wholeNumber("--poly", opts.poly, 0) } : {}),
      level: parseNumberOption("--level", opts.level, 0, 1),
      ...(vcov !== "cluster" ? { vcov } : {}),
      nsims: wholeNumber("--nsims", opts.nsims, 100),
      simsgrid: wholeNumber("--simsgrid", opts.simsgrid, 1),
      seed: wholeNumber("--seed", opts.seed, 0),
    });
    for (const note of result.notes) process.stderr.write(`binscatter: ${note}\n`);
    for (const g of result.groups) {
      const where = g.group === null ? "" : ` (${result.by} = ${g.group})`;
      if (g.selection) {
        process.stderr.write(
          `binscatter${where}: ${g.nbins} bins, IMSE-optimal (${g.selection.method === "dpi" ? "direct plug-in" : "rule of thumb"}; rule of thumb ${g.selection.rotRegularised})\n`,
        );
      }
      for (const note of g.notes) process.stderr.write(`binscatter${where}: ${note}\n`);
    }
    const { binscatterCsv, binscatterJson, binscatterPlotSpec } = await import("../report/binscatterPlot.js");
    // The plot and the dots table are one set of outputs: both are written, or neither (src/io/atomicWrite.ts).
    const outputs: [string, string | Buffer][] = [];
    if (opts.plot) {
      const { figureFormat, renderFigure } = await import("../report/figure.js");
      const spec = binscatterPlotSpec(result, {
        ...(opts.title ? { title: opts.title } : {}),
        ...(opts.xTitle ? { xTitle: opts.xTitle } : {}),
        ...(opts.yTitle ? { yTitle: opts.yTitle } : {}),
        ...(opts.labels ? { labels: parseLabels(opts.labels) } : {}),
      });
      outputs.push([
        opts.plot,
        await renderFigure(spec, figureFormat(opts.plot, "--plot"), (m) =>
          process.stderr.write(`mobility: ${m}\n`),
        ),
      ]);
    }
    const text = format === "json" ? binscatterJson(result) : binscatterCsv(result);
    if (opts.out) outputs.push([opts.out, text]);
    writeOutputsAtomic(outputs);
    if (!opts.out) process.stdout.write(text);
  });
}

function wholeNumber(option: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    throw usageError(`${option}: expected a whole number of at least ${min}, found '${value}'`);
  }
  return n;
}

/** "a=A,b=B" -> { a: "A", b: "B" }. */
export function parseLabels(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of text.split(",")) {
    const eq = item.indexOf("=");
    if (eq <= 0) throw new MobilityError("usage", `--labels: expected value=label pairs, found '${item}'`);
    out[item.slice(0, eq).trim()] = item.slice(eq + 1).trim();
  }
  return out;
}
