/**
 * The event-study plot: coefficients by relative period with their confidence intervals (error bars), the
 * reference period as a hollow diamond at zero labelled "ref.", a zero line, a dashed line between the last
 * pre-period and the event, one colour per group of treated units; axis titles from the column names.
 */
import { usageError } from "../errors.js";
import type { ModelResult } from "../model/result.js";
import { formatFull } from "./numberFormat.js";
import {
  type IntervalPlotOptions,
  type IntervalPoint,
  intervalPlotSpec,
  plotFormat,
  renderSvg,
  svgToPng,
} from "./plot.js";
import { describeVcov } from "./table.js";
import { writeFileAtomic } from "./writeAtomic.js";

export function eventStudyPoints(model: ModelResult): IntervalPoint[] {
  const es = model.event_study;
  if (es === undefined) throw usageError(`model '${model.name}' is not an event study`);
  return model.coefficients
    .filter((c) => c.rel_time !== undefined)
    .map((c) => ({
      x: c.rel_time as number,
      y: c.estimate,
      low: c.conf_low,
      high: c.conf_high,
      series: c.group ?? model.dependent,
      reference: c.reference === true,
    }));
}

export function eventStudyPlotOptions(model: ModelResult, level: number): IntervalPlotOptions {
  const es = model.event_study;
  if (es === undefined) throw usageError(`model '${model.name}' is not an event study`);
  const estimator = es.estimator === "sunab" ? "Sun-Abraham" : "TWFE";
  const binned = es.bin_endpoints ? "; end points binned" : "";
  return {
    xTitle: `${es.time} relative to ${es.event_time}`,
    yTitle: `Effect on ${model.dependent}`,
    title: `Event study (${estimator}): ${model.dependent}`,
    caption: [
      `Bars: ${formatFull(Math.round(level * 1000) / 10)}% confidence intervals, ${describeVcov(model.vcov)} SEs`,
      `Reference period ${es.reference.map(formatFull).join(", ")} = 0${binned}; N = ${model.nobs}`,
    ],
    seriesTitle: es.group_by ?? "",
    verticalLine: -0.5,
    zeroLine: true,
    interval: "errorbar",
  };
}

/** The plot of `model` as the file `path` names it: SVG text or PNG bytes. */
export async function renderEventStudyPlot(
  model: ModelResult,
  path: string,
  level: number,
  warn: (message: string) => void = () => {},
): Promise<string | Buffer> {
  const format = plotFormat(path);
  if (format === null) throw usageError(`--plot: expected a file ending in .svg or .png, found '${path}'`);
  const svg = await renderSvg(intervalPlotSpec(eventStudyPoints(model), eventStudyPlotOptions(model, level)));
  return format === "svg" ? svg : svgToPng(svg, warn);
}

/** Writes the plot of `model` to `path` (.svg or .png), atomically. */
export async function writeEventStudyPlot(
  model: ModelResult,
  path: string,
  level: number,
  warn: (message: string) => void = () => {},
): Promise<void> {
  await writeFileAtomic(path, await renderEventStudyPlot(model, path, level, warn));
}
