/**
 * `mobility zone <points.csv> --polygons zones.geojson --id-field GEOID`: adds each point's polygon id
 * (point-in-polygon), or with `--crosswalk FILE --from col --to col` maps an id column to a zone through a
 * crosswalk; a report on stderr counts what matched. See src/data/ops/zone.ts.
 */
import type { Command } from "commander";
import { readCsv } from "../data/csv.js";
import { readTableHeader } from "../data/csvHeader.js";
import { usageError } from "../errors.js";
import { writeTableOutput } from "./ingest.js";
import { parseTypesOption } from "./options.js";
import { installProgress } from "./progress.js";

export function registerZone(program: Command): void {
  program
    .command("zone")
    .description("attach to each point the polygon (zone) containing it, or map ids to zones by a crosswalk")
    .argument("<points>", "CSV file of points (or of ids, with --crosswalk)")
    .option("--polygons <file>", "GeoJSON or TopoJSON polygons (longitude/latitude)")
    .option("--layer <name>", "TopoJSON: the object to use (default: the first)")
    .option("--id-field <name>", "polygon property holding the zone id ('id' = the feature id)")
    .option("--lat <column>", "latitude column", "lat")
    .option("--lon <column>", "longitude column", "lon")
    .option("--crosswalk <file>", "CSV mapping ids to zones, instead of polygons")
    .option("--from <column>", "crosswalk: the id column (in both files)")
    .option("--to <column>", "crosswalk: the zone column")
    .option("--name <column>", "name of the added column", "zone")
    .option("--types <list>", "force column types of the points file, e.g. tract:string")
    .option("--out <file>", "write here (atomically) instead of stdout")
    .option("--format <format>", "csv or json", "csv")
    .option("--quiet", "no progress bar")
    .action(async (file: string, opts: Record<string, string | boolean | undefined>) => {
      installProgress(opts);
      // Loaded when the command runs (the spatial libraries are not needed by the other commands).
      const { crosswalkTable, formatCrosswalkReport, formatZoneReport, loadZones, zoneTable } = await import(
        "../data/ops/zone.js"
      );
      const name = String(opts.name);
      const output = {
        ...(typeof opts.out === "string" ? { out: opts.out } : {}),
        ...(typeof opts.format === "string" ? { format: opts.format } : {}),
      };
      if (typeof opts.crosswalk === "string") {
        if (opts.polygons !== undefined) throw usageError("zone: give --polygons or --crosswalk, not both");
        if (typeof opts.from !== "string" || typeof opts.to !== "string")
          throw usageError("zone: --crosswalk needs --from <id column> and --to <zone column>");
        const ids = { [opts.from]: "string" as const };
        const points = await readCsv(file, { types: { ...ids, ...types(opts) } });
        const crosswalk = await readCsv(opts.crosswalk, { types: { ...ids, [opts.to]: "string" } });
        const { table, report } = crosswalkTable(points, crosswalk, { from: opts.from, to: opts.to, name });
        process.stderr.write(formatCrosswalkReport(report, opts.crosswalk));
        writeTableOutput(table, output);
        return;
      }
      if (typeof opts.polygons !== "string")
        throw usageError("zone: give --polygons FILE or --crosswalk FILE");
      if (typeof opts.idField !== "string") throw usageError("zone: --polygons needs --id-field <property>");
      const zones = loadZones(opts.polygons, {
        idField: opts.idField,
        ...(typeof opts.layer === "string" ? { layer: opts.layer } : {}),
      });
      const lat = String(opts.lat);
      const lon = String(opts.lon);
      // Name a missing coordinate column as such (the read below forces their types, which would blame --types).
      const header = await readTableHeader(file);
      for (const [flag, column] of [
        ["--lat", lat],
        ["--lon", lon],
      ] as const) {
        if (!header.includes(column))
          throw usageError(
            `${file}: no ${flag === "--lat" ? "latitude" : "longitude"} column '${column}' (${flag}); columns: ${header.join(", ")}`,
          );
      }
      const points = await readCsv(file, {
        types: { [lat]: "number", [lon]: "number", ...types(opts) },
      });
      const { table, report } = zoneTable(points, zones, { lat, lon, name });
      process.stderr.write(formatZoneReport(report, zones));
      writeTableOutput(table, output);
    });
}

function types(opts: Record<string, string | boolean | undefined>): Record<string, "string" | "number"> {
  return parseTypesOption(typeof opts.types === "string" ? opts.types : undefined) ?? {};
}
