/**
 * Event-study plots: coefficients by relative period with their confidence intervals (error bars), the reference
 * period as a hollow diamond at zero labelled "ref." (only where the path has one: a period the group observes),
 * a zero line, a dashed line between the last pre-period and the event, one colour per series.
 *
 *  - One model: one series per group of treated units (`--by-group`), named by `--group-labels` when given.
 *  - Several models of the same outcome (`--estimator all`, or a spec plot of several models): one series per
 *    model (estimator), offset horizontally so that the bars do not overlap.
 *  - Models of different outcomes: one panel per outcome, each with its own title and y axis.
 * A series' points are joined only across consecutive relative periods: a missing period breaks the line. The
 * legend sits below the plot, clear of the data.
 */
import type { TopLevelSpec } from "vega-lite";
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

const ESTIMATOR_LABELS: Record<string, string> = {
  twfe: "TWFE",
  sunab: "Sun-Abraham",
  cs: "Callaway-Sant'Anna",
  imputation: "Imputation",
};

/** Display name of a group value: `--group-labels` (or the spec's labels) when given. */
export type GroupLabels = Readonly<Record<string, string>>;

/**
 * The path of a model as plot points. Consecutive relative periods share a segment; a gap starts a new one.
 * `series` overrides the series name (otherwise the group label, or the outcome).
 */
export function eventStudyPoints(
  model: ModelResult,
  labels: GroupLabels = {},
  series?: string,
): IntervalPoint[] {
  const es = model.event_study;
  if (es === undefined) throw usageError(`model '${model.name}' is not an event study`);
  const rows = model.coefficients.filter((c) => c.rel_time !== undefined && !Number.isNaN(c.estimate));
  const points: IntervalPoint[] = [];
  const last = new Map<string, { rel: number; segment: number }>();
  for (const c of rows) {
    const group = c.group === undefined ? null : (labels[c.group] ?? c.group);
    const name =
      series === undefined ? (group ?? model.dependent) : group === null ? series : `${series}: ${group}`;
    const rel = c.rel_time as number;
    const previous = last.get(name);
    const segment =
      previous === undefined ? 0 : rel === previous.rel + 1 ? previous.segment : previous.segment + 1;
    last.set(name, { rel, segment });
    points.push({
      x: rel,
      y: c.estimate,
      low: c.conf_low,
      high: c.conf_high,
      series: name,
      reference: c.reference === true,
      segment: String(segment),
    });
  }
  return points;
}

function estimatorLabel(model: ModelResult): string {
  return ESTIMATOR_LABELS[model.event_study?.estimator ?? ""] ?? model.event_study?.estimator ?? "";
}

export function eventStudyPlotOptions(model: ModelResult, level: number): IntervalPlotOptions {
  const es = model.event_study;
  if (es === undefined) throw usageError(`model '${model.name}' is not an event study`);
  const binned = es.bin_endpoints ? "; end points binned" : "";
  const reference =
    es.reference.length > 0
      ? `Reference period ${es.reference.map(formatFull).join(", ")} = 0${binned}`
      : es.estimator === "cs"
        ? "Pre-periods: short differences (varying base period)"
        : "Pre-periods: pre-trend test coefficients";
  return {
    xTitle: `${es.time} relative to ${es.event_time}`,
    yTitle: `Effect on ${model.dependent}`,
    title: `Event study (${estimatorLabel(model)}): ${model.dependent}`,
    caption: [
      `Bars: ${formatFull(Math.round(level * 1000) / 10)}% confidence intervals, ${describeVcov(model.vcov)} SEs`,
      `${reference}; N = ${model.nobs}`,
    ],
    seriesTitle: es.group_by ?? "",
    verticalLine: -0.5,
    zeroLine: true,
    interval: "errorbar",
  };
}

/**
 * The plot of several event-study models: per outcome, one panel whose series are the models (named by `names`,
 * default the estimator, or the model's name when estimators repeat). Overrides apply to every panel.
 */
export function eventStudyModelsSpec(
  models: readonly ModelResult[],
  level: number,
  options: {
    names?: readonly string[];
    labels?: GroupLabels;
    title?: string;
    xTitle?: string;
    yTitle?: string;
  } = {},
): TopLevelSpec {
  if (models.length === 0) throw usageError("no event path to plot");
  const labels = options.labels ?? {};
  const estimators = models.map(estimatorLabel);
  const distinctEstimators = new Set(estimators).size === models.length;
  const nameOf = (m: ModelResult, i: number) =>
    options.names?.[i] ?? (models.length === 1 ? undefined : distinctEstimators ? estimators[i] : m.name);
  const outcomes = [...new Set(models.map((m) => m.dependent))];
  const panels = outcomes.map((outcome) => {
    const inPanel = models.map((m, i) => ({ m, i })).filter(({ m }) => m.dependent === outcome);
    const points = inPanel.flatMap(({ m, i }) => eventStudyPoints(m, labels, nameOf(m, i)));
    const first = (inPanel[0] as { m: ModelResult }).m;
    const base = eventStudyPlotOptions(first, level);
    const several = inPanel.length > 1;
    const names = inPanel.map(({ m, i }) => nameOf(m, i) ?? estimatorLabel(m));
    return intervalPlotSpec(points, {
      ...base,
      ...(several
        ? {
            title: `Event study: ${outcome}`,
            caption: [
              `${names.join(", ")}; bars: ${formatFull(Math.round(level * 1000) / 10)}% confidence intervals`,
              "Estimators offset horizontally; see each model's notes for its reference",
            ],
            seriesTitle: "",
          }
        : {}),
      ...(options.title && outcomes.length === 1 ? { title: options.title } : {}),
      ...(options.xTitle ? { xTitle: options.xTitle } : {}),
      ...(options.yTitle && outcomes.length === 1 ? { yTitle: options.yTitle } : {}),
    });
  });
  if (panels.length === 1) return panels[0] as TopLevelSpec;
  // One panel per outcome: each keeps its own title and y axis.
  const strip = (spec: TopLevelSpec) => {
    const {
      $schema: _schema,
      config: _config,
      background: _bg,
      padding: _padding,
      ...rest
    } = spec as unknown as Record<string, unknown>;
    return rest;
  };
  const first = panels[0] as unknown as Record<string, unknown>;
  return {
    $schema: first.$schema,
    background: first.background,
    padding: first.padding,
    ...(options.title ? { title: { text: options.title, anchor: "start", fontSize: 14 } } : {}),
    vconcat: panels.map(strip),
    config: first.config,
  } as unknown as TopLevelSpec;
}

/** The plot of `models` (one or several) as the file `path` names it: SVG text or PNG bytes. */
export async function renderEventStudyPlot(
  models: ModelResult | readonly ModelResult[],
  path: string,
  level: number,
  warn: (message: string) => void = () => {},
  labels: GroupLabels = {},
): Promise<string | Buffer> {
  const format = plotFormat(path);
  if (format === null) throw usageError(`--plot: expected a file ending in .svg or .png, found '${path}'`);
  const list = Array.isArray(models) ? models : [models as ModelResult];
  const svg = await renderSvg(eventStudyModelsSpec(list, level, { labels }));
  return format === "svg" ? svg : svgToPng(svg, warn);
}

/** Writes the plot of `models` (one or several) to `path` (.svg or .png), atomically (src/io/atomicWrite.ts). */
export async function writeEventStudyPlot(
  models: ModelResult | readonly ModelResult[],
  path: string,
  level: number,
  warn: (message: string) => void = () => {},
  labels: GroupLabels = {},
): Promise<void> {
  await writeFileAtomic(path, await renderEventStudyPlot(models, path, level, warn, labels));
}
