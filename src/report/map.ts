/**
 * Choropleth maps: polygons (src/report/geography.ts) filled by a value per id, as a Vega-Lite geoshape layer in a
 * projection (default Albers USA, d3's geoAlbersUsa with the Alaska and Hawaii insets; Puerto Rico and the island
 * areas fall outside it and are not drawn), rendered by src/report/figure.ts.
 *
 * Scales
 *   quantile (default, as the Opportunity Atlas draws): `classes` classes (default 10, deciles) cut at the
 *     quantiles of the mapped values (R's default quantile, type 7, over the values of the polygons drawn); a value
 *     v is in class i when b_{i-1} < v <= b_i (the first class closed); classes whose breaks coincide are merged.
 *     Each class has one colour of the palette sampled evenly, and a legend entry "low – high".
 *   continuous: a linear colour ramp from the smallest to the largest mapped value, with a gradient legend.
 * Palettes are Vega's colour-blind-safe schemes (ColorBrewer's diverging and sequential ones and the viridis
 * family; no rainbow, spectral or red-green ramps). Polygons without a value are grey and counted in the legend
 * ("No data (n)").
 *
 * Every polygon path carries its id, name and value as its aria-label (Vega's description channel), so a test or a
 * reader can find a county in the SVG and check its fill against the scale.
 */
import type { Feature, MultiLineString } from "geojson";
import * as vega from "vega";
import type { TopLevelSpec } from "vega-lite";
import { dataError, usageError } from "../errors.js";
import { decimalFormatter, figureSpec, formatCount, labelFormatter } from "./figure.js";
import { compareIds, type PolygonLayer, summarise } from "./geography.js";

export const MAP_SCALES = ["quantile", "continuous"] as const;
export type MapScale = (typeof MAP_SCALES)[number];

/** Colour-blind-safe Vega schemes offered for maps. */
export const MAP_PALETTES = [
  "redyellowblue",
  "redblue",
  "blueorange",
  "purpleorange",
  "brownbluegreen",
  "purplegreen",
  "pinkyellowgreen",
  "viridis",
  "cividis",
  "magma",
  "inferno",
  "plasma",
  "blues",
  "greens",
  "purples",
  "oranges",
  "greys",
  "bluegreen",
  "bluepurple",
  "yellowgreenblue",
  "yelloworangered",
  "yelloworangebrown",
] as const;

export const MISSING_COLOUR = "#c8c8c8";

export interface MapData {
  /** Raw ids of the data rows (undefined = missing), matched after the layer's normalisation. */
  ids: readonly (string | undefined)[];
  /** The value of each row (NaN = missing). */
  values: Float64Array;
  /** Where the data came from and what the id column is, for error messages ("data.csv", "fips"). */
  source: string;
  idColumn: string;
  /** What the value is (the column or expression). */
  valueLabel: string;
  /** Line number of row i in the source (default i + 2, a CSV with a header). */
  lineOf?: (row: number) => number;
}

export interface MapOptions {
  title?: string;
  legendTitle?: string;
  /** Extra subtitle lines (the map adds what the polygons and classes are). */
  caption?: string[];
  scale?: MapScale;
  classes?: number;
  palette?: string;
  /** Reverse the palette (high values at the palette's start). */
  reverse?: boolean;
  /** Vega projection type (default albersUsa). */
  projection?: string;
  width?: number;
  height?: number;
}

export interface MapReport {
  rows: number;
  /** Rows whose id is missing. */
  badIds: number;
  /** Rows with a missing (or non-finite) value. */
  missingValues: number;
  /** Polygons drawn with a value. */
  matched: number;
  /** Data ids that match no polygon (normalised, sorted). */
  unmatchedIds: string[];
  /** Polygons (drawn) without a value: no row, or a missing value (sorted ids). */
  polygonsWithoutData: string[];
  /** Polygons the projection cannot place (not drawn), sorted; with data among them separately. */
  notDrawn: string[];
  notDrawnWithData: string[];
  /** Class breaks (quantile scale) and the number of polygons per class. */
  breaks: number[] | null;
  classCounts: number[] | null;
  /** Value range of the mapped polygons. */
  range: [number, number] | null;
  palette: string;
  scale: MapScale;
  layerNotes: string[];
}

/** R's quantile type 7 of sorted values (the default of R and numpy). */
export function quantileType7(sorted: Float64Array, p: number): number {
  const n = sorted.length;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (h - lo) * (b - a);
}

/** Class breaks b_0 < ... < b_k at the quantiles i/k of the values (coinciding breaks merged). */
export function quantileBreaks(values: Float64Array, classes: number): number[] {
  const sorted = Float64Array.from(values).sort();
  const breaks: number[] = [];
  for (let i = 0; i <= classes; i++) {
    const b = quantileType7(sorted, i / classes);
    if (breaks.length === 0 || b > (breaks[breaks.length - 1] as number)) breaks.push(b);
  }
  if (breaks.length === 1) breaks.push(breaks[0] as number);
  return breaks;
}

/** The class (0-based) of a value: b_{i} < v <= b_{i+1}, the first class closed on the left. */
export function classOf(value: number, breaks: readonly number[]): number {
  const k = breaks.length - 1;
  for (let i = 1; i < k; i++) if (value <= (breaks[i] as number)) return i - 1;
  return k - 1;
}

function hex(colour: string): string {
  const m = /^rgb\((\d+),\s*(\d+),\s*(\d+)\)$/.exec(colour);
  if (m) {
    return `#${[m[1], m[2], m[3]].map((c) => Number(c).toString(16).padStart(2, "0")).join("")}`;
  }
  if (/^#[0-9a-f]{6}$/i.test(colour)) return colour.toLowerCase();
  throw new Error(`internal: colour ${colour}`);
}

/** `k` colours of a Vega scheme, sampled evenly from one end to the other (hex). */
export function paletteColours(palette: string, k: number, reverse = false): string[] {
  const scheme = vega.scheme(palette) as ((t: number) => string) | undefined;
  if (typeof scheme !== "function") throw usageError(`--palette: no colour scheme '${palette}'`);
  return Array.from({ length: k }, (_, i) => {
    const t = k === 1 ? 0.5 : i / (k - 1);
    return hex(scheme(reverse ? 1 - t : t));
  });
}

export function checkPalette(palette: string): void {
  if (!(MAP_PALETTES as readonly string[]).includes(palette)) {
    throw usageError(
      `--palette: expected one of the colour-blind-safe schemes ${MAP_PALETTES.join(", ")}, found '${palette}'`,
    );
  }
}

/** Whether the projection can place any vertex of the geometry. */
function drawable(
  projection: (p: [number, number]) => [number, number] | null,
  geometry: Feature["geometry"],
): boolean {
  const rings =
    geometry.type === "Polygon"
      ? geometry.coordinates
      : geometry.type === "MultiPolygon"
        ? geometry.coordinates.flat()
        : [];
  for (const ring of rings) {
    for (const p of ring) if (projection([p[0] as number, p[1] as number]) !== null) return true;
  }
  return false;
}

/** The Vega-Lite spec of a choropleth and what matched. Deterministic: the same input gives the same spec. */
export function choroplethSpec(
  layer: PolygonLayer,
  data: MapData,
  options: MapOptions = {},
): { spec: TopLevelSpec; report: MapReport } {
  const scale = options.scale ?? "quantile";
  const palette = options.palette ?? (scale === "quantile" ? "redyellowblue" : "viridis");
  checkPalette(palette);
  const classes = options.classes ?? 10;
  if (!Number.isInteger(classes) || classes < 2 || classes > 12) {
    throw usageError(`--classes: expected a whole number from 2 to 12, found ${classes}`);
  }
  const projectionType = options.projection ?? "albersUsa";
  const makeProjection = (vega.projection as unknown as (type: string) => unknown)(projectionType) as
    | (() => (p: [number, number]) => [number, number] | null)
    | undefined;
  if (typeof makeProjection !== "function")
    throw usageError(`--projection: no projection '${projectionType}'`);
  const project = makeProjection();
  const lineOf = data.lineOf ?? ((i: number) => i + 2);

  // One value per id.
  const valueById = new Map<string, { value: number; row: number }>();
  let badIds = 0;
  let missingValues = 0;
  for (let i = 0; i < data.ids.length; i++) {
    const raw = data.ids[i];
    // An id the layer cannot normalise (state "99") is kept as written: it will match no polygon and be listed.
    const id = raw === undefined || raw.trim() === "" ? undefined : (layer.normalise(raw) ?? raw.trim());
    if (id === undefined) {
      badIds++;
      continue;
    }
    const value = data.values[i] as number;
    const previous = valueById.get(id);
    if (previous !== undefined) {
      if (Object.is(previous.value, value) || (Number.isNaN(previous.value) && Number.isNaN(value))) continue;
      throw dataError(
        `${data.source} line ${lineOf(i)}, column ${data.idColumn}: id ${id} appears again (first on line ${lineOf(previous.row)}) with another value; a map needs one value per polygon`,
      );
    }
    if (!Number.isFinite(value)) missingValues++;
    valueById.set(id, { value, row: i });
  }

  const polygonIds = new Set(layer.polygons.map((p) => p.id));
  const unmatchedIds = [...valueById.keys()].filter((id) => !polygonIds.has(id)).sort(compareIds);
  const notDrawn: string[] = [];
  const mapped: { index: number; value: number }[] = [];
  const withoutData: string[] = [];
  const drawn = layer.polygons.map((p, index) => {
    const ok = drawable(project, p.geometry);
    const v = valueById.get(p.id)?.value;
    if (!ok) notDrawn.push(p.id);
    else if (v === undefined || !Number.isFinite(v)) withoutData.push(p.id);
    else mapped.push({ index, value: v });
    return ok;
  });
  if (mapped.length === 0) {
    throw dataError(
      `${data.source}: no value of ${data.valueLabel} matches a polygon to draw (ids in column ${data.idColumn} look like ${summarise([...valueById.keys()].slice(0, 3))}; the map's ids look like ${summarise(layer.polygons.slice(0, 3).map((p) => p.id))})`,
    );
  }
  const values = Float64Array.from(mapped, (m) => m.value);
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const format = labelFormatter([lo, hi], 3);
  const missingLabel = `No data (${formatCount(withoutData.length)})`;

  let breaks: number[] | null = null;
  let classCounts: number[] | null = null;
  let labels: string[] = [];
  let colours: string[] = [];
  const classIndex = new Map<number, number>();
  if (scale === "quantile") {
    breaks = quantileBreaks(values, classes);
    const k = breaks.length - 1;
    const f = decimalFormatter(breaks);
    labels = Array.from(
      { length: k },
      (_, i) => `${f(breaks?.[i] as number)} – ${f(breaks?.[i + 1] as number)}`,
    );
    colours = paletteColours(palette, k, options.reverse);
    classCounts = new Array(k).fill(0);
    for (const m of mapped) {
      const c = classOf(m.value, breaks);
      classIndex.set(m.index, c);
      classCounts[c] = (classCounts[c] as number) + 1;
    }
  }

  const features = layer.polygons.flatMap((p, index) => {
    if (!drawn[index]) return [];
    const entry = valueById.get(p.id);
    const value = entry !== undefined && Number.isFinite(entry.value) ? entry.value : null;
    const cls = classIndex.get(index);
    const name = p.name ? ` ${p.name}` : "";
    return [
      {
        type: "Feature",
        properties: {
          id: p.id,
          value,
          class: value === null ? missingLabel : scale === "quantile" ? labels[cls as number] : null,
          description: `${p.id}${name}: ${value === null ? "no data" : String(value)}`,
        },
        geometry: p.geometry,
      },
    ];
  });

  const legendTitle = options.legendTitle ?? data.valueLabel;
  const stroke = layer.level === "county" ? 0.15 : layer.level === "state" ? 0.6 : 0.3;
  // biome-ignore lint/suspicious/noExplicitAny: Vega-Lite layer specs are loosely typed unions.
  const layers: any[] = [];
  const geoshape = { type: "geoshape", stroke: "#ffffff", strokeWidth: stroke };
  const description = { field: "properties.description", type: "nominal" };
  if (scale === "quantile") {
    layers.push({
      mark: geoshape,
      encoding: {
        color: {
          field: "properties.class",
          type: "nominal",
          title: legendTitle,
          scale: { domain: [...labels, missingLabel], range: [...colours, MISSING_COLOUR] },
          legend: { symbolType: "square", orient: "right" },
        },
        description,
      },
    });
  } else {
    layers.push({
      transform: [{ filter: "datum.properties.value !== null" }],
      mark: geoshape,
      encoding: {
        color: {
          field: "properties.value",
          type: "quantitative",
          title: legendTitle,
          scale: {
            scheme: { name: palette, ...(options.reverse ? { extent: [1, 0] } : {}) },
            domain: [lo, hi],
            nice: false,
          },
          legend: { orient: "right", gradientLength: 220, format: "~r" },
        },
        description,
      },
    });
    if (withoutData.length > 0) {
      layers.push({
        transform: [{ filter: "datum.properties.value === null" }],
        mark: geoshape,
        encoding: {
          fill: {
            field: "properties.class",
            type: "nominal",
            title: null,
            scale: { domain: [missingLabel], range: [MISSING_COLOUR] },
            legend: { symbolType: "square", orient: "right" },
          },
          description,
        },
      });
    }
  }
  if (layer.borders !== null) {
    layers.push({
      data: { values: [{ type: "Feature", properties: {}, geometry: layer.borders as MultiLineString }] },
      mark: { type: "geoshape", filled: false, stroke: "#ffffff", strokeWidth: 0.9 },
    });
  }
  const k = (breaks?.length ?? 1) - 1;
  const quantiles = { 4: "quartiles", 5: "quintiles", 10: "deciles" }[k] ?? `${k} quantile classes`;
  const scaleNote =
    scale === "quantile"
      ? `Colours: ${quantiles} over the ${formatCount(mapped.length)} ${layerNoun(layer)} with data`
      : `Colours: linear from ${format(lo)} to ${format(hi)} (${formatCount(mapped.length)} ${layerNoun(layer)} with data)`;
  const spec = figureSpec(
    {
      ...(options.title ? { title: options.title } : {}),
      caption: [
        ...(options.caption ?? []),
        `${scaleNote}; grey: no data (${formatCount(withoutData.length)})`,
      ],
      ...(options.width ? { width: options.width } : {}),
      ...(options.height ? { height: options.height } : {}),
    },
    { width: 640, height: 400, legend: "right" },
    layers,
    {
      data: { values: features },
      projection: { type: projectionType },
    },
  );
  // The frame's config sets axis/legend styling; maps keep it and drop the view's outline.
  (spec as unknown as { config: { view: Record<string, unknown> } }).config.view = { stroke: null };
  return {
    spec,
    report: {
      rows: data.ids.length,
      badIds,
      missingValues,
      matched: mapped.length,
      unmatchedIds,
      polygonsWithoutData: withoutData.sort(compareIds),
      notDrawn: notDrawn.sort(compareIds),
      notDrawnWithData: notDrawn.filter((id) => Number.isFinite(valueById.get(id)?.value ?? Number.NaN)),
      breaks,
      classCounts,
      range: [lo, hi],
      palette,
      scale,
      layerNotes: layer.notes,
    },
  };
}

function layerNoun(layer: PolygonLayer): string {
  return { county: "counties", state: "states", cz: "commuting zones", file: "polygons" }[layer.level];
}

/** The note on stderr: what matched, the ids that matched no polygon and the polygons without data. */
export function formatMapReport(report: MapReport, layer: PolygonLayer, data: MapData): string {
  const noun = layerNoun(layer);
  const lines = [
    `map: ${report.rows} rows of ${data.source}; ${report.matched} ${noun} drawn with a value of ${data.valueLabel}`,
  ];
  if (report.badIds > 0) lines.push(`  ${report.badIds} rows have no usable id in column ${data.idColumn}`);
  if (report.missingValues > 0) lines.push(`  ${report.missingValues} ids have a missing value (drawn grey)`);
  lines.push(
    report.unmatchedIds.length === 0
      ? "  every id matches a polygon"
      : `  ${report.unmatchedIds.length} ids match no polygon: ${summarise(report.unmatchedIds)}`,
  );
  lines.push(
    `  ${report.polygonsWithoutData.length} ${noun} have no data (drawn grey)${report.polygonsWithoutData.length > 0 ? `: ${summarise(report.polygonsWithoutData)}` : ""}`,
  );
  if (report.notDrawn.length > 0) {
    lines.push(
      `  ${report.notDrawn.length} polygons lie outside the projection and are not drawn (${report.notDrawnWithData.length} of them with data): ${summarise(report.notDrawn)}`,
    );
  }
  for (const note of report.layerNotes) lines.push(`  ${note}`);
  if (report.breaks) {
    const f = labelFormatter(report.breaks, 2);
    lines.push(
      `  classes (upper bound: count): ${report.breaks
        .slice(1)
        .map((b, i) => `${f(b)}: ${report.classCounts?.[i]}`)
        .join(", ")}`,
    );
  }
  return `${lines.join("\n")}\n`;
}
