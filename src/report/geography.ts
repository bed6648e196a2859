/**
 * Polygons for maps, in longitude/latitude, each with the id a data row is matched on:
 *
 *   county   us-atlas counties-10m: the Census Bureau's 2017 cartographic county boundaries (3,231 features:
 *            3,142 counties and county equivalents of the 50 states and DC, 78 Puerto Rico municipios, 11 island
 *            areas), id = 5-digit FIPS. 2017 vintage: Miami-Dade 12086 (not Dade 12025), Oglala Lakota 46102 (not
 *            Shannon 46113), Kusilvak 02158 (not Wade Hampton 02270), Bedford city 51515 merged into 51019,
 *            Broomfield 08014 present, Valdez-Cordova 02261 not yet split (2019). The Opportunity Atlas county file
 *            uses the same codes (all 3,219 of its counties match).
 *   state    us-atlas states-10m, id = 2-digit FIPS.
 *   cz       commuting zones: counties dissolved (topojson merge, shared borders removed) by a county -> CZ
 *            crosswalk (e.g. the USDA ERS 1990 file czlma903.csv). The crosswalk's county codes are brought to the
 *            2017 vintage with the Census Bureau's list of county changes (src/data/fips.ts); a county created or
 *            split off later takes the CZ of the county it came from (all parents must agree).
 *   file     any GeoJSON or TopoJSON polygons (--polygons FILE --id-field ID), rings rewound to the winding d3 and
 *            Vega expect (exterior clockwise in longitude/latitude).
 *
 * Matching: county ids are normalised as 5-digit FIPS, state ids as 2-digit FIPS, CZ and other numeric-looking
 * ids compare as numbers ("00100" = "100"), other ids as text.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Geometry, MultiLineString, MultiPolygon, Polygon, Position } from "geojson";
import { feature as topoFeature, merge as topoMerge, mesh as topoMesh } from "topojson-client";
import type { GeometryCollection, GeometryObject, Topology } from "topojson-specification";
import { COUNTY_FIPS_CHANGES, countyFips, stateFips } from "../data/fips.js";
import { loadZones } from "../data/ops/zone.js";
import { dataError } from "../errors.js";

export type MapLevel = "county" | "state" | "cz" | "file";

export interface MapPolygon {
  /** The matching key (normalised id). */
  id: string;
  name: string | null;
  geometry: Polygon | MultiPolygon;
}

export interface PolygonLayer {
  level: MapLevel;
  /** What the polygons are, for captions ("counties, Census 2017 cartographic boundaries (us-atlas)"). */
  description: string;
  polygons: MapPolygon[];
  /** Borders drawn over the polygons (state lines on county and CZ maps), or null. */
  borders: MultiLineString | null;
  /** Normalises a data id to the polygons' key (undefined when it cannot be one). */
  normalise: (raw: string) => string | undefined;
  notes: string[];
}

/** The 2017 vintage of us-atlas, to which crosswalk county codes are brought. */
export const US_ATLAS_VINTAGE = 2017;

function readUsAtlas(file: "counties-10m.json" | "states-10m.json"): Topology {
  const require = createRequire(import.meta.url);
  return JSON.parse(readFileSync(require.resolve(`us-atlas/${file}`), "utf8")) as Topology;
}

type Named = GeometryObject<{ name?: string }> & { id?: string | number };

function objectGeometries(topology: Topology, name: string): Named[] {
  return (topology.objects[name] as GeometryCollection<{ name?: string }>).geometries as Named[];
}

function polygonsOf(topology: Topology, name: string, key: (id: string) => string): MapPolygon[] {
  return objectGeometries(topology, name).map((g) => ({
    id: key(String(g.id)),
    name: (g.properties as { name?: string } | undefined)?.name ?? null,
    geometry: (topoFeature(topology, g) as unknown as { geometry: Polygon | MultiPolygon }).geometry,
  }));
}

function stateBorders(topology: Topology): MultiLineString {
  return topoMesh(topology, topology.objects.states as GeometryCollection, (a, b) => a !== b);
}

function safe<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

/** Numeric-looking ids compare as numbers ("00100" = "100"); others as trimmed text. */
export function numericKey(raw: string): string {
  const t = raw.trim();
  return /^[+-]?\d+(\.0*)?$/.test(t) ? String(Number(t)) : t;
}

export function countyLayer(): PolygonLayer {
  const topology = readUsAtlas("counties-10m.json");
  return {
    level: "county",
    description: "counties (Census 2017 cartographic boundaries, us-atlas)",
    polygons: polygonsOf(topology, "counties", (id) => id),
    borders: stateBorders(topology),
    normalise: (raw) => safe(() => countyFips(raw)),
    notes: [],
  };
}

export function stateLayer(): PolygonLayer {
  const topology = readUsAtlas("states-10m.json");
  return {
    level: "state",
    description: "states (Census 2017 cartographic boundaries, us-atlas)",
    polygons: polygonsOf(topology, "states", (id) => id),
    borders: null,
    normalise: (raw) => safe(() => stateFips(raw)),
    notes: [],
  };
}

/**
 * Commuting zones dissolved from the us-atlas counties by `countyToZone` (county FIPS -> zone id, at
 * `crosswalkVintage`). Counties without a zone are left out and listed in the notes.
 */
export function commutingZoneLayer(
  countyToZone: ReadonlyMap<string, string>,
  crosswalkVintage: number,
  source: string,
): PolygonLayer {
  const topology = readUsAtlas("counties-10m.json");
  const notes: string[] = [];
  // Bring the crosswalk to the 2017 vintage, change by change in time order: a recoded county keeps its zone, the
  // parts of a split county take its zone, and a county created from parents in one zone takes that zone.
  const zoneOf = new Map<string, string>(countyToZone);
  const inherited: string[] = [];
  for (const change of COUNTY_FIPS_CHANGES) {
    if (change.year <= crosswalkVintage || change.year > US_ATLAS_VINTAGE) continue;
    let zone: string | undefined;
    let children: string[];
    if (change.kind === "created") {
      const zones = new Set((change.partsTo ?? []).map((p) => zoneOf.get(p)));
      zone = zones.size === 1 ? [...zones][0] : undefined;
      children = [change.to];
    } else {
      zone = zoneOf.get(change.from);
      children = [change.to, ...(change.partsTo ?? [])];
    }
    if (zone === undefined) continue;
    for (const child of children) {
      if (zoneOf.has(child)) continue;
      zoneOf.set(child, zone);
      inherited.push(`${child} -> ${zone} (${change.kind} ${change.year})`);
    }
  }
  if (inherited.length > 0) {
    notes.push(
      `county codes brought from ${crosswalkVintage} to the map's ${US_ATLAS_VINTAGE} codes: ${inherited.join(", ")}`,
    );
  }
  const byZone = new Map<string, Named[]>();
  const unzoned: string[] = [];
  for (const g of objectGeometries(topology, "counties")) {
    const zone = zoneOf.get(String(g.id));
    if (zone === undefined) {
      unzoned.push(String(g.id));
      continue;
    }
    const key = numericKey(zone);
    const list = byZone.get(key);
    if (list) list.push(g);
    else byZone.set(key, [g]);
  }
  unzoned.sort(compareIds);
  if (unzoned.length > 0) {
    notes.push(
      `${unzoned.length} map counties have no commuting zone in ${source} and are not drawn: ${summarise(unzoned)}`,
    );
  }
  const ids = [...byZone.keys()].sort((a, b) => compareIds(a, b));
  const polygons = ids.map((id) => ({
    id,
    name: null,
    geometry: topoMerge(topology, byZone.get(id) as never) as MultiPolygon,
  }));
  return {
    level: "cz",
    description: `commuting zones (counties of the Census 2017 boundaries dissolved by ${source})`,
    polygons,
    borders: stateBorders(topology),
    normalise: (raw) => (raw.trim() === "" ? undefined : numericKey(raw)),
    notes,
  };
}

/** Polygons from a GeoJSON or TopoJSON file, ids from `idField` ("id" = the feature id). */
export function fileLayer(path: string, idField: string, layer?: string): PolygonLayer {
  const zones = loadZones(path, { idField, ...(layer ? { layer } : {}) });
  const notes: string[] = [];
  if (zones.skipped > 0) notes.push(`${zones.skipped} features of ${path} are not polygons or have no id`);
  const seen = new Set<string>();
  const polygons: MapPolygon[] = [];
  zones.features.forEach((f, i) => {
    const id = numericKey(zones.ids[i] as string);
    if (seen.has(id)) throw dataError(`${path}: id '${zones.ids[i]}' (${idField}) is used by two polygons`);
    seen.add(id);
    const name = f.properties?.name ?? f.properties?.NAME ?? null;
    polygons.push({ id, name: name === null ? null : String(name), geometry: rewind(f.geometry) });
  });
  return {
    level: "file",
    description: `polygons of ${path.split(/[\\/]/).pop()}`,
    polygons,
    borders: null,
    normalise: (raw) => (raw.trim() === "" ? undefined : numericKey(raw)),
    notes,
  };
}

/** Ids in a stable order: numerically when both are numbers, else as text. */
export function compareIds(a: string, b: string): number {
  const x = Number(a);
  const y = Number(b);
  if (Number.isFinite(x) && Number.isFinite(y) && x !== y) return x - y;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** "a, b, c" for up to `limit` items, then "... (n more)". */
export function summarise(items: readonly string[], limit = 30): string {
  if (items.length <= limit) return items.join(", ");
  return `${items.slice(0, limit).join(", ")}, ... (${items.length - limit} more)`;
}

/**
 * Rings in d3's winding (spherical polygons: the exterior clockwise, holes counter-clockwise, seen with longitude
 * to the right and latitude up). GeoJSON files following RFC 7946 wind the other way, which d3 reads as the
 * complement of the polygon (the whole globe filled). Decided by the planar signed area in longitude/latitude.
 */
export function rewind(geometry: Polygon | MultiPolygon): Polygon | MultiPolygon {
  const ring = (r: Position[], exterior: boolean): Position[] => {
    let area = 0;
    for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
      const a = r[j] as Position;
      const b = r[i] as Position;
      area += ((b[0] as number) - (a[0] as number)) * ((b[1] as number) + (a[1] as number));
    }
    // area > 0 <=> clockwise (with y up)
    const clockwise = area > 0;
    return clockwise === exterior ? r : [...r].reverse();
  };
  const polygon = (rings: Position[][]) => rings.map((r, i) => ring(r, i === 0));
  return geometry.type === "Polygon"
    ? { type: "Polygon", coordinates: polygon(geometry.coordinates) }
    : { type: "MultiPolygon", coordinates: geometry.coordinates.map(polygon) };
}

/** The first vertex of a geometry (to test whether a projection can place it). */
export function firstVertex(geometry: Geometry): Position | undefined {
  if (geometry.type === "Polygon") return geometry.coordinates[0]?.[0];
  if (geometry.type === "MultiPolygon") return geometry.coordinates[0]?.[0]?.[0];
  return undefined;
}
