/**
 * `mobility map <data> --fips <col> --value <expr>`: a choropleth of counties, states, commuting zones or any
 * polygons (README "Maps"; src/report/map.ts). The note on stderr lists the ids that match no polygon and the
 * polygons without data; `--report FILE.json` writes the full lists.
 */
import type { Command } from "commander";
import { readCsv } from "../data/csv.js";
import { countyFips, updateCountyFips } from "../data/fips.js";
import { stringAt, type Table } from "../data/table.js";
import { usageError } from "../errors.js";
import { evaluateNumeric } from "../formula/evaluate.js";
import { parseExpression } from "../formula/parser.js";
import { writeOutputsAtomic } from "../report/writeAtomic.js";
import { addDataOptions, expressionColumns, type FigureDataOptions, readFigureData } from "./figureData.js";

export interface MapCliOptions extends FigureDataOptions {
  fips?: string;
  id?: string;
  value: string;
  level: string;
  crosswalk?: string;
  crosswalkFrom: string;
  crosswalkTo: string;
  crosswalkVintage: string;
  polygons?: string;
  idField?: string;
  layer?: string;
  idVintage?: string;
  scale: string;
  classes: string;
  palette?: string;
  reverse?: boolean;
  projection?: string;
  title?: string;
  legendTitle?: string;
  caption?: string[];
  width?: string;
  height?: string;
  out: string;
  report?: string;
}

export function registerMap(program: Command): void {
  const command = program
    .command("map")
    .description("choropleth map of counties, states, commuting zones or any polygons (SVG or PNG)")
    .argument("<data>", "CSV file with one row per id")
    .option(
      "--fips <column>",
      "column of county (5-digit) or state (2-digit) FIPS codes, or commuting-zone ids",
    )
    .option("--id <column>", "the id column (same as --fips; for --polygons files)")
    .requiredOption(
      "--value <expr>",
      'the value to map: a column or an expression, e.g. "kfr_black_male_p25"',
    )
    .option("--level <level>", "county, state or cz (commuting zones); ignored with --polygons", "county")
    .option("--crosswalk <file>", "--level cz: CSV mapping counties to commuting zones (e.g. czlma903.csv)")
    .option("--crosswalk-from <column>", "crosswalk: the county FIPS column", "County FIPS Code")
    .option("--crosswalk-to <column>", "crosswalk: the commuting-zone column", "CZ90")
    .option("--crosswalk-vintage <year>", "crosswalk: the year of its county codes", "1990")
    .option("--polygons <file>", "GeoJSON or TopoJSON polygons instead of the built-in US geography")
    .option("--id-field <name>", "--polygons: property holding the id ('id' = the feature id)")
    .option("--layer <name>", "--polygons TopoJSON: the object to use (default: the first)")
    .option("--id-vintage <year>", "county ids of this year: brought to the map's 2017 codes first")
    .option(
      "--scale <scale>",
      "quantile (classes at quantiles, as the Opportunity Atlas) or continuous",
      "quantile",
    )
    .option("--classes <n>", "number of quantile classes", "10")
    .option("--palette <name>", "colour-blind-safe scheme (default redyellowblue; continuous: viridis)")
    .option("--reverse", "reverse the palette")
    .option("--projection <type>", "map projection (default albersUsa, with Alaska and Hawaii insets)")
    .option("--title <text>", "title")
    .option("--legend-title <text>", "legend title (default: the value)")
    .option("--caption <line...>", "subtitle lines")
    .option("--width <px>", "map width (default 640)")
    .option("--height <px>", "map height (default 400)")
    .requiredOption("--out <file>", "the map: .svg or .png")
    .option("--report <file>", "write what matched (all unmatched ids, polygons without data) as JSON");
  addDataOptions(command).action(async (data: string, opts: MapCliOptions) => {
    const { choroplethSpec, formatMapReport } = await import("../report/map.js");
    const { figureFormat, renderFigure } = await import("../report/figure.js");
    figureFormat(opts.out, "--out");
    const layer = await loadLayer(opts);
    const idColumn = opts.id ?? opts.fips;
    if (idColumn === undefined) throw usageError("map: give the id column with --fips <column> (or --id)");
    const table = await readFigureData(
      data,
      [
        [opts.id ? "--id" : "--fips", [idColumn]],
        ["--value", expressionColumns(opts.value, "--value")],
      ],
      opts,
      [idColumn],
    );
    const mapData = {
      ids: idsOf(table, idColumn, opts),
      values: valuesOf(table, opts.value),
      source: data,
      idColumn,
      valueLabel: opts.value,
    };
    const { spec, report } = choroplethSpec(layer, mapData, {
      ...(opts.title ? { title: opts.title } : {}),
      ...(opts.legendTitle ? { legendTitle: opts.legendTitle } : {}),
      ...(opts.caption ? { caption: opts.caption } : {}),
      scale: oneOf("--scale", opts.scale, ["quantile", "continuous"] as const),
      classes: Number(opts.classes),
      ...(opts.palette ? { palette: opts.palette } : {}),
      ...(opts.reverse ? { reverse: true } : {}),
      ...(opts.projection ? { projection: opts.projection } : {}),
      ...(opts.width ? { width: positive("--width", opts.width) } : {}),
      ...(opts.height ? { height: positive("--height", opts.height) } : {}),
    });
    process.stderr.write(formatMapReport(report, layer, mapData));
    // The map and its report are one set of outputs: both are written, or neither (src/io/atomicWrite.ts).
    const figure = await renderFigure(spec, figureFormat(opts.out, "--out"), (m) =>
      process.stderr.write(`mobility: ${m}\n`),
    );
    writeOutputsAtomic([
      [opts.out, figure],
      ...(opts.report ? [[opts.report, `${JSON.stringify(report, null, 2)}\n`] as [string, string]] : []),
    ]);
  });
}

function oneOf<T extends string>(option: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw usageError(`${option}: expected one of ${allowed.join(", ")}, found '${value}'`);
}

function positive(option: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 100 || n > 4000)
    throw usageError(`${option}: expected pixels from 100 to 4000, found '${value}'`);
  return n;
}

async function loadLayer(opts: MapCliOptions) {
  const geography = await import("../report/geography.js");
  if (opts.polygons) {
    if (!opts.idField)
      throw usageError("map: --polygons needs --id-field <property> ('id' for the feature id)");
    return geography.fileLayer(opts.polygons, opts.idField, opts.layer);
  }
  const level = oneOf("--level", opts.level, ["county", "state", "cz"] as const);
  if (level === "county") return geography.countyLayer();
  if (level === "state") return geography.stateLayer();
  if (!opts.crosswalk) {
    throw usageError(
      "map --level cz: give the county-to-zone crosswalk with --crosswalk FILE (e.g. czlma903.csv)",
    );
  }
  const vintage = Number(opts.crosswalkVintage);
  if (!Number.isInteger(vintage) || vintage < 1970 || vintage > 2100) {
    throw usageError(`--crosswalk-vintage: expected a year, found '${opts.crosswalkVintage}'`);
  }
  const crosswalk = await readCsv(opts.crosswalk, {
    types: { [opts.crosswalkFrom]: "string", [opts.crosswalkTo]: "string" },
  });
  for (const [option, name] of [
    ["--crosswalk-from", opts.crosswalkFrom],
    ["--crosswalk-to", opts.crosswalkTo],
  ] as const) {
    if (!crosswalk.has(name)) throw usageError(`${option}: no column '${name}' in ${opts.crosswalk}`);
  }
  const from = crosswalk.column(opts.crosswalkFrom);
  const to = crosswalk.column(opts.crosswalkTo);
  const map = new Map<string, string>();
  for (let i = 0; i < crosswalk.nrows; i++) {
    const county = from.kind === "string" ? stringAt(from, i) : String(from.values[i]);
    const zone = to.kind === "string" ? stringAt(to, i) : String(to.values[i]);
    if (county === undefined || zone === undefined || zone === "NaN") continue;
    try {
      map.set(countyFips(county), zone);
    } catch {
      throw usageError(
        `${opts.crosswalk} line ${i + 2}, column ${opts.crosswalkFrom}: '${county}' is not a county FIPS code`,
      );
    }
  }
  return geography.commutingZoneLayer(map, vintage, opts.crosswalk.split(/[\\/]/).pop() as string);
}

function idsOf(table: Table, column: string, opts: MapCliOptions): (string | undefined)[] {
  const c = table.column(column);
  const vintage = opts.idVintage === undefined ? null : Number(opts.idVintage);
  if (vintage !== null && (!Number.isInteger(vintage) || vintage < 1970 || vintage > 2017)) {
    throw usageError(`--id-vintage: expected a year up to 2017, found '${opts.idVintage}'`);
  }
  return Array.from({ length: table.nrows }, (_, i) => {
    const raw =
      c.kind === "string"
        ? stringAt(c, i)
        : Number.isNaN(c.values[i] as number)
          ? undefined
          : String(c.values[i]);
    if (raw === undefined || vintage === null) return raw;
    try {
      return updateCountyFips(raw, vintage, 2017);
    } catch {
      return raw;
    }
  });
}

function valuesOf(table: Table, expression: string): Float64Array {
  try {
    return evaluateNumeric(parseExpression(expression), table, expression).hi;
  } catch (error) {
    throw usageError(`--value: ${(error as Error).message}`);
  }
}
