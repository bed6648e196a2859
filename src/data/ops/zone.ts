/**
 * Zones: attach to each point (lat/lon) the id of the polygon that contains it, or map a point's existing id
 * (a tract, a block) to a zone id through a crosswalk.
 *
 * Polygons come from GeoJSON (a FeatureCollection, a Feature or a bare geometry collection of features) or
 * TopoJSON (one object of the topology: `layer`, or the only/first one), in longitude/latitude. A bounding-box
 * index (flatbush) proposes candidates; turf's point-in-polygon decides (MultiPolygons and holes handled; a
 * point on a boundary is inside). A point inside two polygons (an overlap) gets the first in file order and is
 * counted; a point inside none, or with a missing coordinate, gets a missing zone and is counted.
 */
import { readFileSync } from "node:fs";
import booleanPointInPolygon from "@turf/boolean-point-in-polygon";
import Flatbush from "flatbush";
import type { Feature, FeatureCollection, MultiPolygon, Polygon, Position } from "geojson";
import { feature as topoFeature } from "topojson-client";
import type { Topology } from "topojson-specification";
import { dataError, usageError } from "../../errors.js";
import { type StringColumn, stringAt, stringColumn, type Table } from "../table.js";

export interface ZoneSet {
  source: string;
  ids: string[];
  features: Feature<Polygon | MultiPolygon>[];
  index: Flatbush;
  /** Features skipped: not polygons, or with no id. */
  skipped: number;
}

export interface ZoneReport {
  points: number;
  matched: number;
  noCoordinates: number;
  /** Points inside no polygon, with up to five examples "row 12 (61.2, -149.9)". */
  outside: number;
  outsideExamples: string[];
  /** Points inside more than one polygon (first in file order kept). */
  overlaps: number;
  overlapExamples: string[];
  /** Points whose latitude is outside [-90, 90] or longitude outside [-180, 180]: not on the Earth. */
  offGlobe: number;
  offGlobeExamples: string[];
}

/** Reads polygons from a GeoJSON or TopoJSON file; `idField` is a property name, or "id" for feature.id. */
export function loadZones(path: string, options: { idField: string; layer?: string }): ZoneSet {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    const why = error instanceof Error && "code" in error ? String(error.code) : "not valid JSON";
    throw dataError(`${path}: cannot read polygons (${why})`);
  }
  const all = toFeatures(json, path, options.layer);
  const ids: string[] = [];
  const features: Feature<Polygon | MultiPolygon>[] = [];
  let skipped = 0;
  for (const f of all) {
    const type = f.geometry?.type;
    if (type !== "Polygon" && type !== "MultiPolygon") {
      skipped++;
      continue;
    }
    const raw = f.properties?.[options.idField] ?? (options.idField === "id" ? f.id : undefined);
    if (raw === undefined || raw === null || raw === "") {
      skipped++;
      continue;
    }
    ids.push(String(raw));
    features.push(f as Feature<Polygon | MultiPolygon>);
  }
  if (features.length === 0) {
    const keys = Object.keys(all[0]?.properties ?? {});
    throw dataError(
      `${path}: no polygon with an id in '${options.idField}'` +
        (keys.length > 0
          ? ` (properties: ${keys.slice(0, 12).join(", ")}, or 'id')`
          : " (try --id-field id)"),
    );
  }
  const index = new Flatbush(features.length);
  for (const f of features) {
    const [x0, y0, x1, y1] = bbox(f.geometry);
    index.add(x0, y0, x1, y1);
  }
  index.finish();
  return { source: path, ids, features, index, skipped };
}

function toFeatures(json: unknown, path: string, layer: string | undefined): Feature[] {
  const obj = json as { type?: string; objects?: Record<string, unknown> };
  if (obj?.type === "Topology") {
    const objects = obj.objects ?? {};
    const names = Object.keys(objects);
    const name = layer ?? names[0];
    if (name === undefined || !(name in objects)) {
      throw usageError(`--layer: no object '${layer}' in ${path} (objects: ${names.join(", ")})`);
    }
    const out = topoFeature(json as Topology, name as string) as Feature | FeatureCollection;
    return out.type === "FeatureCollection" ? out.features : [out];
  }
  if (layer !== undefined) throw usageError(`--layer applies to TopoJSON; ${path} is GeoJSON`);
  if (obj?.type === "FeatureCollection") return (json as FeatureCollection).features;
  if (obj?.type === "Feature") return [json as Feature];
  throw dataError(`${path}: expected a GeoJSON FeatureCollection or a TopoJSON Topology`);
}

function bbox(geometry: Polygon | MultiPolygon): [number, number, number, number] {
  let x0 = Number.POSITIVE_INFINITY;
  let y0 = Number.POSITIVE_INFINITY;
  let x1 = Number.NEGATIVE_INFINITY;
  let y1 = Number.NEGATIVE_INFINITY;
  const rings: Position[][] =
    geometry.type === "Polygon" ? geometry.coordinates : geometry.coordinates.flat();
  for (const ring of rings) {
    for (const p of ring) {
      const x = p[0] as number;
      const y = p[1] as number;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  return [x0, y0, x1, y1];
}

/** The zone id of each point (undefined where none), and what happened. */
export function assignZones(
  lat: Float64Array,
  lon: Float64Array,
  zones: ZoneSet,
): { ids: (string | undefined)[]; report: ZoneReport } {
  const n = lat.length;
  const ids: (string | undefined)[] = new Array(n);
  const report: ZoneReport = {
    points: n,
    matched: 0,
    noCoordinates: 0,
    outside: 0,
    outsideExamples: [],
    overlaps: 0,
    overlapExamples: [],
    offGlobe: 0,
    offGlobeExamples: [],
  };
  for (let i = 0; i < n; i++) {
    const y = lat[i] as number;
    const x = lon[i] as number;
    ids[i] = undefined;
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      report.noCoordinates++;
      continue;
    }
    if (Math.abs(y) > 90 || Math.abs(x) > 180) {
      // Usually latitude and longitude swapped (-149.9 is Anchorage's longitude): counted apart, never matched.
      report.offGlobe++;
      if (report.offGlobeExamples.length < 5) report.offGlobeExamples.push(`row ${i + 1} (${y}, ${x})`);
      continue;
    }
    const candidates = zones.index.search(x, y, x, y).sort((a, b) => a - b);
    const hits: number[] = [];
    for (const c of candidates) {
      if (booleanPointInPolygon([x, y], zones.features[c] as Feature<Polygon | MultiPolygon>)) hits.push(c);
    }
    const first = hits[0];
    if (first === undefined) {
      report.outside++;
      if (report.outsideExamples.length < 5) report.outsideExamples.push(`row ${i + 1} (${y}, ${x})`);
      continue;
    }
    ids[i] = zones.ids[first];
    report.matched++;
    if (hits.length > 1) {
      report.overlaps++;
      if (report.overlapExamples.length < 5) {
        report.overlapExamples.push(`row ${i + 1} in ${hits.map((h) => zones.ids[h]).join(" and ")}`);
      }
    }
  }
  return { ids, report };
}

/** Adds column `name` with each row's zone, from the table's lat/lon columns. */
export function zoneTable(
  table: Table,
  zones: ZoneSet,
  options: { lat: string; lon: string; name: string },
): { table: Table; report: ZoneReport } {
  const lat = table.numeric(options.lat).values;
  const lon = table.numeric(options.lon).values;
  const { ids, report } = assignZones(lat, lon, zones);
  return { table: table.withColumns([stringColumn(options.name, ids)]), report };
}

export interface CrosswalkReport {
  points: number;
  matched: number;
  missingId: number;
  /** Ids absent from the crosswalk, with up to five examples. */
  unmatched: number;
  unmatchedExamples: string[];
  /** Crosswalk ids listed with more than one zone (the first listed is used). */
  ambiguous: number;
}

/** Maps `table[from]` to a zone through `crosswalk[from] -> crosswalk[to]`, as column `name`. */
export function crosswalkTable(
  table: Table,
  crosswalk: Table,
  options: { from: string; to: string; name: string },
): { table: Table; report: CrosswalkReport } {
  const key = asText(crosswalk, options.from);
  const zone = asText(crosswalk, options.to);
  const map = new Map<string, string | undefined>();
  let ambiguous = 0;
  for (let i = 0; i < crosswalk.nrows; i++) {
    const k = stringAt(key, i);
    if (k === undefined) continue;
    const z = stringAt(zone, i);
    if (map.has(k)) {
      if (map.get(k) !== z) ambiguous++;
      continue;
    }
    map.set(k, z);
  }
  const ids = asText(table, options.from);
  const out: (string | undefined)[] = new Array(table.nrows);
  const report: CrosswalkReport = {
    points: table.nrows,
    matched: 0,
    missingId: 0,
    unmatched: 0,
    unmatchedExamples: [],
    ambiguous,
  };
  for (let i = 0; i < table.nrows; i++) {
    const id = stringAt(ids, i);
    out[i] = undefined;
    if (id === undefined) {
      report.missingId++;
      continue;
    }
    if (!map.has(id)) {
      report.unmatched++;
      if (report.unmatchedExamples.length < 5) report.unmatchedExamples.push(`row ${i + 1}: '${id}'`);
      continue;
    }
    out[i] = map.get(id);
    if (out[i] !== undefined) report.matched++;
  }
  return { table: table.withColumns([stringColumn(options.name, out)]), report };
}

function asText(table: Table, name: string): StringColumn {
  const column = table.column(name);
  if (column.kind === "string") return column;
  const values = Array.from(column.values, (v) => (Number.isNaN(v) ? undefined : String(v)));
  return stringColumn(name, values);
}

export function formatZoneReport(report: ZoneReport, zones: ZoneSet): string {
  const lines = [
    `zone: ${report.points} points, ${zones.ids.length} polygons from ${zones.source}` +
      (zones.skipped > 0 ? ` (${zones.skipped} features skipped: not polygons or no id)` : ""),
    `  matched            ${report.matched}`,
    `  no coordinates     ${report.noCoordinates}`,
    `  in no polygon      ${report.outside}${examples(report.outsideExamples)}`,
    `  in 2+ polygons     ${report.overlaps}${examples(report.overlapExamples)} (first in file order kept)`,
  ];
  if (report.offGlobe > 0) {
    lines.push(
      `  off the globe      ${report.offGlobe}${examples(report.offGlobeExamples)}: latitude outside [-90, 90] or longitude outside [-180, 180]; are --lat and --lon swapped?`,
    );
  }
  return `${lines.join("\n")}\n`;
}

export function formatCrosswalkReport(report: CrosswalkReport, source: string): string {
  const lines = [
    `zone: ${report.points} rows mapped through ${source}`,
    `  matched            ${report.matched}`,
    `  missing id         ${report.missingId}`,
    `  id not in crosswalk ${report.unmatched}${examples(report.unmatchedExamples)}`,
  ];
  if (report.ambiguous > 0) {
    lines.push(`  crosswalk ids with 2+ zones: ${report.ambiguous} (first listed used)`);
  }
  return `${lines.join("\n")}\n`;
}

function examples(list: readonly string[]): string {
  return list.length > 0 ? `  e.g. ${list.join("; ")}` : "";
}
