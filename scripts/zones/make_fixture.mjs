// Regenerates fixtures/zones/ from the real files:
//   ak_counties.geojson       Alaska's 29 county-equivalents from us-atlas counties-10m.json (TopoJSON -> GeoJSON,
//                             ids = 5-digit county FIPS in properties.GEOID, name in properties.name)
//   lihtc_ak_points.csv       the HUD LIHTC Alaska rows (all 90), with their coordinates and recorded 2010 county
// Usage: node scripts/zones/make_fixture.mjs [path/to/hud_lihtcpub_AK_subset.csv]
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import Papa from "papaparse";
import { feature } from "topojson-client";

const require = createRequire(import.meta.url);
const topo = JSON.parse(readFileSync(require.resolve("us-atlas/counties-10m.json"), "utf8"));
const all = feature(topo, "counties");
const round = (c) => (typeof c[0] === "number" ? c.map((v) => Math.round(v * 1e6) / 1e6) : c.map(round));
const ak = {
  type: "FeatureCollection",
  features: all.features
    .filter((f) => String(f.id).startsWith("02"))
    .map((f) => ({
      type: "Feature",
      properties: { GEOID: String(f.id), name: f.properties.name },
      geometry: { type: f.geometry.type, coordinates: round(f.geometry.coordinates) },
    })),
};
writeFileSync("fixtures/zones/ak_counties.geojson", `${JSON.stringify(ak)}\n`);

const src = process.argv[2] ?? "../shared/data/lihtc/hud_lihtcpub_AK_subset.csv"; // run from the repository root
const { data } = Papa.parse(readFileSync(src, "utf8"), { header: true, skipEmptyLines: true });
const keep = ["hud_id", "project", "proj_cty", "latitude", "longitude", "st2010", "cnty2010", "fips2010"];
writeFileSync(
  "fixtures/zones/lihtc_ak_points.csv",
  `${Papa.unparse(
    data.map((r) => keep.map((k) => r[k])),
    { newline: "\n" },
  ).replace(/^/, `${keep.join(",")}\n`)}\n`,
);
console.log(`wrote ${ak.features.length} counties and ${data.length} projects`);
