/**
 * Loading a Table into ClickHouse exactly: one local MergeTree table per shard (rows dealt out in turn, so that
 * every group spans the shards) and a Distributed table over them on every server. Numbers travel as an integer
 * mantissa and a power of two (ClickHouse 18.16 parses decimal text to the nearest double only approximately), so
 * the database holds the very doubles the memory engine reads; missing values become NULL.
 */
import type { Table } from "../../data/table.js";
import { binaryParts } from "../sql/dialect.js";
import { ClickhouseConnection } from "./connection.js";

function escapeTsv(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n").replace(/\r/g, "\\r");
}

/** Loads `table` as `name` (Distributed over `${name}_local` on each server of the cluster `cluster`). */
export async function loadShardedTable(
  urls: readonly string[],
  cluster: string,
  name: string,
  table: Table,
): Promise<void> {
  const columns = table.names.map((n) => table.column(n));
  const q = (s: string) => `\`${s.replace(/`/g, "\\`")}\``;
  const localDefinition = columns
    .map((c) => `${q(c.name)} ${c.kind === "number" ? "Nullable(Float64)" : "Nullable(String)"}`)
    .join(", ");
  const stagingDefinition = columns
    .map((c) =>
      c.kind === "number"
        ? `${q(`${c.name}__m`)} Nullable(Int64), ${q(`${c.name}__e`)} Nullable(Int16)`
        : `${q(c.name)} Nullable(String)`,
    )
    .join(", ");
  const fromStaging = columns
    .map((c) =>
      c.kind === "number"
        ? `toFloat64(${q(`${c.name}__m`)}) * pow(2, ${q(`${c.name}__e`)}) AS ${q(c.name)}`
        : q(c.name),
    )
    .join(", ");
  const shards = urls.length;
  for (const [s, url] of urls.entries()) {
    const conn = new ClickhouseConnection({ url });
    await conn.exec(`DROP TABLE IF EXISTS ${q(name)}`);
    await conn.exec(`DROP TABLE IF EXISTS ${q(`${name}_local`)}`);
    await conn.exec(`DROP TABLE IF EXISTS ${q(`${name}_staging`)}`);
    await conn.exec(
      `CREATE TABLE ${q(`${name}_local`)} (${localDefinition}) ENGINE = MergeTree ORDER BY tuple()`,
    );
    await conn.exec(`CREATE TABLE ${q(`${name}_staging`)} (${stagingDefinition}) ENGINE = Memory`);
    const lines: string[] = [];
    for (let i = s; i < table.nrows; i += shards) {
      const fields: string[] = [];
      for (const c of columns) {
        if (c.kind === "number") {
          const v = c.values[i] as number;
          if (Number.isNaN(v)) fields.push("\\N", "\\N");
          else {
            const { mantissa, exponent } = binaryParts(v);
            fields.push(String(mantissa), String(exponent));
          }
        } else {
          const code = c.codes[i] as number;
          fields.push(code < 0 ? "\\N" : escapeTsv(c.levels[code] as string));
        }
      }
      lines.push(fields.join("\t"));
    }
    await conn.insertTsv(q(`${name}_staging`), lines.length > 0 ? `${lines.join("\n")}\n` : "");
    await conn.exec(`INSERT INTO ${q(`${name}_local`)} SELECT ${fromStaging} FROM ${q(`${name}_staging`)}`);
    await conn.exec(`DROP TABLE ${q(`${name}_staging`)}`);
    await conn.exec(
      `CREATE TABLE ${q(name)} AS ${q(`${name}_local`)} ENGINE = Distributed(${cluster}, default, ${q(`${name}_local`)})`,
    );
  }
}
