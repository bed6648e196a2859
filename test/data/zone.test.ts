/**
 * Zones: point-in-polygon on real shapes (us-atlas county polygons, as a committed GeoJSON subset and as the
 * package's TopoJSON) against the county each HUD LIHTC Alaska project records; holes, MultiPolygons, overlaps
 * and boundaries on small synthetic shapes; crosswalk mapping with its unmatched report.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readCsv } from "../../src/data/csv.js";
import { assignZones, crosswalkTable, loadZones, zoneTable } from "../../src/data/ops/zone.js";
import { type StringColumn, stringAt } from "../../src/data/table.js";

const POINTS = "fixtures/zones/lihtc_ak_points.csv";
const dir = mkdtempSync(join(tmpdir(), "zone-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function agreement(polygons: string, idField: string, layer?: string) {
  const zones = loadZones(polygons, { idField, ...(layer ? { layer } : {}) });
  const points = await readCsv(POINTS, {
    types: { st2010: "string", cnty2010: "string", latitude: "number", longitude: "number" },
  });
  const { table, report } = zoneTable(points, zones, { lat: "latitude", lon: "longitude", name: "county" });
  const zone = table.column("county") as StringColumn;
  let agree = 0;
  let compared = 0;
  for (let i = 0; i < table.nrows; i++) {
    const z = stringAt(zone, i);
    const st = stringAt(table.column("st2010") as StringColumn, i);
    const cn = stringAt(table.column("cnty2010") as StringColumn, i);
    if (z === undefined || st === undefined || cn === undefined) continue;
    compared++;
    if (z === st.padStart(2, "0") + cn.padStart(3, "0")) agree++;
  }
  return { report, agree, compared, zones };
}

describe("zone: point in polygon on real county shapes", () => {
  it("puts every Alaska LIHTC project in the county HUD records (GeoJSON subset)", async () => {
    const { report, agree, compared, zones } = await agreement("fixtures/zones/ak_counties.geojson", "GEOID");
    expect(zones.ids).toHaveLength(29);
    expect(report).toMatchObject({ points: 90, matched: 68, noCoordinates: 22, outside: 0, overlaps: 0 });
    expect({ agree, compared }).toEqual({ agree: 68, compared: 68 });
  });

  it("gives the same answer from the us-atlas TopoJSON (all 3,231 counties, feature ids)", async () => {
    const { report, agree, compared, zones } = await agreement(
      "node_modules/us-atlas/counties-10m.json",
      "id",
      "counties",
    );
    expect(zones.ids.length).toBe(3231);
    expect(report).toMatchObject({ matched: 68, outside: 0, overlaps: 0 });
    expect({ agree, compared }).toEqual({ agree: 68, compared: 68 });
  });
});

describe("zone: geometry cases", () => {
  const square = (x0: number, y0: number, x1: number, y1: number) => [
    [x0, y0],
    [x1, y0],
    [x1, y1],
    [x0, y1],
    [x0, y0],
  ];
  const file = join(dir, "shapes.geojson");
  writeFileSync(
    file,
    JSON.stringify({
      type: "FeatureCollection",
      features: [
        // A with a hole in the middle; B a MultiPolygon of two squares; C overlaps A's right edge.
        {
          type: "Feature",
          properties: { z: "A" },
          geometry: { type: "Polygon", coordinates: [square(0, 0, 10, 10), square(4, 4, 6, 6)] },
        },
        {
          type: "Feature",
          properties: { z: "B" },
          geometry: { type: "MultiPolygon", coordinates: [[square(20, 0, 30, 10)], [square(40, 0, 50, 10)]] },
        },
        {
          type: "Feature",
          properties: { z: "C" },
          geometry: { type: "Polygon", coordinates: [square(8, 0, 15, 10)] },
        },
        { type: "Feature", properties: { z: "P" }, geometry: { type: "Point", coordinates: [1, 1] } },
      ],
    }),
  );

  it("handles holes, MultiPolygons, overlaps (first wins), boundaries and points outside", () => {
    const zones = loadZones(file, { idField: "z" });
    expect(zones.skipped).toBe(1);
    //               inside A, hole, B part 2, A∩C, outside, A's edge, missing
    const lon = Float64Array.from([1, 5, 45, 9, 100, 0, Number.NaN]);
    const lat = Float64Array.from([1, 5, 5, 5, 5, 5, 1]);
    const { ids, report } = assignZones(lat, lon, zones);
    expect(ids).toEqual(["A", undefined, "B", "A", undefined, "A", undefined]);
    expect(report).toMatchObject({ points: 7, matched: 4, noCoordinates: 1, outside: 2, overlaps: 1 });
    expect(report.overlapExamples[0]).toBe("row 4 in A and C");
  });

  it("names the properties when the id field is wrong", () => {
    expect(() => loadZones(file, { idField: "GEOID" })).toThrow(/no polygon with an id in 'GEOID'.*z/);
  });
});

describe("zone: crosswalk", () => {
  it("maps ids to zones and reports the unmatched", async () => {
    const points = join(dir, "points.csv");
    const walk = join(dir, "walk.csv");
    writeFileSync(points, "id,tract\n1,02020002303\n2,02020002400\n3,\n4,02999999999\n");
    writeFileSync(walk, "tract,zone\n02020002303,north\n02020002400,south\n02020002400,east\n");
    const { table, report } = crosswalkTable(
      await readCsv(points, { types: { tract: "string" } }),
      await readCsv(walk, { types: { tract: "string", zone: "string" } }),
      { from: "tract", to: "zone", name: "zone" },
    );
    const zone = table.column("zone") as StringColumn;
    expect([0, 1, 2, 3].map((i) => stringAt(zone, i))).toEqual(["north", "south", undefined, undefined]);
    expect(report).toMatchObject({ points: 4, matched: 2, missingId: 1, unmatched: 1, ambiguous: 1 });
    expect(report.unmatchedExamples).toEqual(["row 4: '02999999999'"]);
  });
});
