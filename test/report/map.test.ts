import * as vega from "vega";
import { beforeAll, describe, expect, it } from "vitest";
import { readCsv } from "../../src/data/csv.js";
import { getReader } from "../../src/data/readers/index.js";
import { stringAt, type Table } from "../../src/data/table.js";
import { renderFigureSvg as renderSvg } from "../../src/report/figure.js";
import {
  commutingZoneLayer,
  countyLayer,
  fileLayer,
  type PolygonLayer,
  stateLayer,
} from "../../src/report/geography.js";
import { choroplethSpec, type MapData, MISSING_COLOUR } from "../../src/report/map.js";
import { svgMarks, toHex } from "./svgMarks.js";

let atlas: Table;
let counties: PolygonLayer;
beforeAll(async () => {
  atlas = (await getReader("atlas")("fixtures/atlas_county.csv", {})).table;
  counties = countyLayer();
});

function atlasData(value: string): MapData {
  const fips = atlas.column("fips");
  return {
    ids: Array.from({ length: atlas.nrows }, (_, i) =>
      fips.kind === "string" ? stringAt(fips, i) : undefined,
    ),
    values: atlas.numeric(value).values,
    source: "fixtures/atlas_county.csv",
    idColumn: "fips",
    valueLabel: value,
  };
}

/** R's quantile(type = 7), written out here independently of src/report/map.ts. */
function r7(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  const h = (s.length - 1) * p;
  const j = Math.floor(h);
  return (s[j] as number) + (h - j) * ((s[Math.min(j + 1, s.length - 1)] as number) - (s[j] as number));
}

const scheme = (name: string) => vega.scheme(name) as (t: number) => string;

describe("county choropleth of the Opportunity Atlas (Albers USA, quantile classes)", () => {
  let svg: string;
  let report: ReturnType<typeof choroplethSpec>["report"];
  beforeAll(async () => {
    const out = choroplethSpec(counties, atlasData("kfr_black_male_p25"), { title: "Black men at p25" });
    report = out.report;
    svg = await renderSvg(out.spec);
  }, 30_000);

  it("draws every county of the 50 states and DC, Alaska and Hawaii included, and no territory", () => {
    const paths = svgMarks(svg).filter((m) => m.role === "geoshape" && /^\d{5} /.test(m.label));
    const drawn = paths.filter((m) => m.d !== null && m.d.length > 0);
    expect(drawn.length).toBe(3142); // 3,231 us-atlas features minus 78 Puerto Rico and 11 island-area ones
    expect(drawn.filter((m) => m.label.startsWith("02")).length).toBe(29); // Alaska inset
    expect(drawn.filter((m) => m.label.startsWith("15")).length).toBe(5); // Hawaii inset
    expect(drawn.some((m) => m.label.startsWith("72"))).toBe(false);
    expect(report.notDrawn.length).toBe(89);
  });

  it("fills each county with the palette colour of its decile (breaks = R's type-7 quantiles)", () => {
    const data = atlasData("kfr_black_male_p25");
    const drawnIds = new Set(
      svgMarks(svg)
        .filter((m) => m.d)
        .map((m) => m.label.slice(0, 5)),
    );
    const values: number[] = [];
    const valueById = new Map<string, number>();
    data.ids.forEach((id, i) => {
      const v = data.values[i] as number;
      if (id !== undefined && Number.isFinite(v) && drawnIds.has(id)) {
        values.push(v);
        valueById.set(id, v);
      }
    });
    const breaks = Array.from({ length: 11 }, (_, i) => r7(values, i / 10));
    expect(report.breaks).toEqual(breaks);
    const colours = Array.from({ length: 10 }, (_, i) => toHex(scheme("redyellowblue")(i / 9)));
    const fills = new Map(svgMarks(svg).map((m) => [m.label.slice(0, 5), m.fill]));
    let checked = 0;
    for (const [id, v] of valueById) {
      let cls = 9;
      for (let i = 1; i < 10; i++) {
        if (v <= (breaks[i] as number)) {
          cls = i - 1;
          break;
        }
      }
      expect(fills.get(id), id).toBe(colours[cls]);
      checked++;
    }
    expect(checked).toBe(report.matched);
    // Counties without a value are grey and counted in the legend.
    expect(fills.get("01133")).toBe(MISSING_COLOUR); // Winston County, AL: no estimate for Black men
    expect(svg).toContain(`No data (${report.polygonsWithoutData.length.toLocaleString("en-US")})`);
  });

  it("reports the Atlas's ids against the 2017 county geography", () => {
    // Every Atlas county has a polygon; Kalawao (15005) and the island areas have no Atlas row.
    const pooled = choroplethSpec(counties, atlasData("kfr_pooled_pooled_p25")).report;
    expect(pooled.unmatchedIds).toEqual([]);
    expect(pooled.rows).toBe(3219);
    expect(pooled.notDrawnWithData.filter((id) => id.startsWith("72")).length).toBe(
      pooled.notDrawnWithData.length,
    );
    expect(pooled.polygonsWithoutData).toContain("15005");
  });

  it("has the same spec on every run (the SVG's determinism is checked on the state map below)", () => {
    const again = choroplethSpec(counties, atlasData("kfr_black_male_p25"), {
      title: "Black men at p25",
    }).spec;
    expect(JSON.stringify(again)).toBe(
      JSON.stringify(
        choroplethSpec(counties, atlasData("kfr_black_male_p25"), { title: "Black men at p25" }).spec,
      ),
    );
  });
});

describe("map scales, levels and polygon files", () => {
  it("continuous: the fill is the scheme at (v - min) / (max - min)", async () => {
    // A few counties (rendering 3,000 is slow): the scale runs over the values drawn.
    const some = ["01001", "06037", "17031", "02020", "15003", "48201", "36061", "26163"];
    const layer = { ...counties, polygons: counties.polygons.filter((p) => some.includes(p.id)) };
    const { spec, report } = choroplethSpec(layer, atlasData("kfr_pooled_pooled_p25"), {
      scale: "continuous",
    });
    const svg = await renderSvg(spec);
    const [lo, hi] = report.range as [number, number];
    const marks = new Map(svgMarks(svg).map((m) => [m.label.slice(0, 5), m]));
    const data = atlasData("kfr_pooled_pooled_p25");
    for (const id of some) {
      const v = data.values[data.ids.indexOf(id)] as number;
      const expected = toHex(scheme("viridis")((v - lo) / (hi - lo)));
      const found = toHex(marks.get(id)?.fill ?? "");
      // Vega interpolates the ramp in RGB and rounds: allow one unit per channel.
      for (let c = 1; c < 7; c += 2) {
        expect(
          Math.abs(
            Number.parseInt(found.slice(c, c + 2), 16) - Number.parseInt(expected.slice(c, c + 2), 16),
          ),
          id,
        ).toBeLessThanOrEqual(1);
      }
    }
  }, 30_000);

  it("states: 2-digit FIPS, one value each", async () => {
    const layer = stateLayer();
    const ids = ["01", "02", "06", "15", "48", "11", "99"];
    const { spec, report } = choroplethSpec(
      layer,
      {
        ids,
        values: Float64Array.from([1, 2, 3, 4, 5, Number.NaN, 7]),
        source: "states.csv",
        idColumn: "state",
        valueLabel: "v",
      },
      { classes: 3 },
    );
    expect(report.unmatchedIds).toEqual(["99"]);
    expect(report.matched).toBe(5);
    expect(report.polygonsWithoutData.length).toBe(51 - 5);
    const svg = await renderSvg(spec);
    const fills = new Map(svgMarks(svg).map((m) => [m.label.slice(0, 2), m.fill]));
    expect(fills.get("11")).toBe(MISSING_COLOUR);
    // classes at the type-7 terciles of 1..5: (1, 2.333], (2.333, 3.667], (3.667, 5]
    const colours = [0, 0.5, 1].map((t) => toHex(scheme("redyellowblue")(t)));
    expect(["01", "02", "06", "15", "48"].map((s) => fills.get(s))).toEqual([
      colours[0],
      colours[0],
      colours[1],
      colours[2],
      colours[2],
    ]);
  });

  it("commuting zones: counties dissolved by the 1990 crosswalk, codes brought to 2017", async () => {
    const cw = await readCsv("fixtures/maps/czlma903_county_cz.csv", {
      types: { "County FIPS Code": "string", CZ90: "string" },
    });
    const from = cw.column("County FIPS Code");
    const to = cw.column("CZ90");
    const map = new Map<string, string>();
    for (let i = 0; i < cw.nrows; i++) {
      if (from.kind === "string" && to.kind === "string")
        map.set(stringAt(from, i) as string, stringAt(to, i) as string);
    }
    const layer = commutingZoneLayer(map, 1990, "czlma903");
    expect(layer.polygons.length).toBe(741);
    // Miami-Dade (12086, Dade 12025 in 1990) is in Miami's zone 7000, so that zone is not left with a hole.
    expect(layer.notes.join("\n")).toContain("12086 -> 07000");
    expect(layer.notes.join("\n")).toMatch(/91 map counties have no commuting zone .*: 02068, 08014, 60010/);
  });

  it("polygons from a GeoJSON file (RFC 7946 winding rewound for d3)", async () => {
    const layer = fileLayer("fixtures/zones/ak_counties.geojson", "GEOID");
    const ids = layer.polygons.map((p) => p.id);
    const { spec, report } = choroplethSpec(
      layer,
      {
        ids,
        values: Float64Array.from(ids, (_, i) => i),
        source: "x.csv",
        idColumn: "GEOID",
        valueLabel: "i",
      },
      { projection: "mercator", classes: 4 },
    );
    expect(report.matched).toBe(ids.length);
    const svg = await renderSvg(spec);
    const marks = svgMarks(svg).filter((m) => m.role === "geoshape");
    expect(marks.length).toBe(ids.length);
    // A polygon read with the wrong winding would cover the globe: every path stays inside the plot.
    for (const m of marks) {
      for (const n of (m.d ?? "").match(/-?\d+(\.\d+)?/g) ?? [])
        expect(Math.abs(Number(n))).toBeLessThan(1000);
    }
  });

  it("refuses two different values for one id, naming the line", () => {
    expect(() =>
      choroplethSpec(counties, {
        ids: ["01001", "1001"],
        values: Float64Array.from([1, 2]),
        source: "d.csv",
        idColumn: "fips",
        valueLabel: "v",
      }),
    ).toThrow("d.csv line 3, column fips: id 01001 appears again (first on line 2)");
  });
});
