/**
 * A ClickHouse connection over its HTTP interface (fetch; no client library), written against ClickHouse 18.16.
 * Queries return JSONCompact (with the server's bytes_read statistics); scratch tables are Memory tables named
 * with a per-connection prefix and dropped on close. Doubles are uploaded as an exact integer mantissa and a power
 * of two (18.16's text parser is not correctly rounded; its printing is).
 *
 * Connection string: http://[user[:password]@]host:port[/database][?setting=value&...]
 */
import { randomBytes } from "node:crypto";
import { usageError } from "../../errors.js";
import type {
  ConnectionStatistics,
  QueryResult,
  ResultColumn,
  SourceColumn,
  SqlConnection,
  UploadColumn,
} from "../sql/connection.js";
import { binaryParts } from "../sql/dialect.js";
import { clickhouseDialect } from "../sql/dialectClickhouse.js";
import { sqlError } from "../sql/errors.js";

export interface ClickhouseOptions {
  /** http://host:port[/database] */
  url: string;
  /** Settings sent with every query (max_memory_usage, max_execution_time, ...). */
  settings?: Record<string, string>;
}

const NUMBER_TYPE = /^(Nullable\()?(U?Int(8|16|32|64)|Float(32|64)|Decimal)/;

export class ClickhouseConnection implements SqlConnection {
  readonly dialect = clickhouseDialect;
  readonly statistics: ConnectionStatistics = { queries: 0, bytesRead: 0 };
  private readonly base: URL;
  private readonly headers: Record<string, string>;
  private readonly database: string;
  private readonly prefix = `mob_${randomBytes(4).toString("hex")}_`;
  private readonly created: string[] = [];
  private scratch = 0;

  constructor(options: ClickhouseOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw usageError(`--connection: expected http://host:port[/database], found '${options.url}'`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:")
      throw usageError(
        `--connection: ClickHouse is reached over HTTP (http://host:8123), found '${options.url}'`,
      );
    this.database = decodeURIComponent(url.pathname.replace(/^\//, "")) || "default";
    this.headers = {};
    if (url.username) {
      this.headers["X-ClickHouse-User"] = decodeURIComponent(url.username);
      this.headers["X-ClickHouse-Key"] = decodeURIComponent(url.password);
    }
    const base = new URL(`${url.protocol}//${url.host}/`);
    base.searchParams.set("database", this.database);
    base.searchParams.set("output_format_json_quote_denormals", "1");
    base.searchParams.set("output_format_json_quote_64bit_integers", "1");
    // Partial aggregates are finalised on the shards and merged by our own outer GROUP BY (dialectClickhouse.ts).
    base.searchParams.set("distributed_group_by_no_merge", "1");
    // A Gram matrix of k columns refers to each column k times: allow the expanded query.
    base.searchParams.set("max_expanded_ast_elements", "100000000");
    base.searchParams.set("max_ast_elements", "10000000");
    base.searchParams.set("max_query_size", "100000000");
    for (const [k, v] of url.searchParams) base.searchParams.set(k, v);
    for (const [k, v] of Object.entries(options.settings ?? {})) base.searchParams.set(k, v);
    this.base = base;
  }

  private async post(sql: string, body?: string): Promise<string> {
    this.statistics.queries++;
    const url = new URL(this.base);
    let payload = sql;
    if (body !== undefined) {
      url.searchParams.set("query", sql);
      payload = body;
    }
    let response: Response;
    try {
      response = await fetch(url, { method: "POST", body: payload, headers: this.headers });
    } catch (error) {
      throw sqlError(
        "clickhouse",
        sql,
        new Error(`cannot reach ${this.base.host}: ${(error as Error).message}`),
      );
    }
    const text = await response.text();
    if (!response.ok) throw sqlError("clickhouse", sql, new Error(text.trim()));
    return text;
  }

  async exec(sql: string): Promise<void> {
    await this.post(sql);
  }

  async query(sql: string): Promise<QueryResult> {
    const text = await this.post(`${sql} FORMAT JSONCompact`);
    const json = JSON.parse(text) as {
      meta: { name: string; type: string }[];
      data: unknown[][];
      rows: number;
      statistics?: { bytes_read?: number };
    };
    if (this.statistics.bytesRead !== null) this.statistics.bytesRead += json.statistics?.bytes_read ?? 0;
    const columns: ResultColumn[] = json.meta.map((m, j) => {
      if (NUMBER_TYPE.test(m.type)) {
        const out = new Float64Array(json.rows);
        for (let i = 0; i < json.rows; i++) out[i] = parseNumber((json.data[i] as unknown[])[j]);
        return { name: m.name, kind: "number", values: out };
      }
      return {
        name: m.name,
        kind: "text",
        values: json.data.map((row) => {
          const v = row[j];
          return v === null || v === undefined ? null : String(v);
        }),
      };
    });
    return { columns, rowCount: json.rows };
  }

  /**
   * The result as TabSeparated text, parsed as it arrives into blocks of 65,536 rows (a cross-tabulation of 10M
   * cells would be a JSON document of hundreds of MB). Every column must be numeric; \\N (NULL) and nan read as NaN.
   */
  async stream(
    sql: string,
    onChunk: (columns: readonly ArrayLike<number>[], rows: number) => void,
  ): Promise<void> {
    this.statistics.queries++;
    const url = new URL(this.base);
    let response: Response;
    try {
      response = await fetch(url, {
        method: "POST",
        body: `${sql} FORMAT TabSeparated`,
        headers: this.headers,
      });
    } catch (error) {
      throw sqlError(
        "clickhouse",
        sql,
        new Error(`cannot reach ${this.base.host}: ${(error as Error).message}`),
      );
    }
    if (!response.ok || response.body === null)
      throw sqlError("clickhouse", sql, new Error((await response.text()).trim()));
    const BLOCK = 65_536;
    let columns: Float64Array[] | null = null;
    let rows = 0;
    const flush = () => {
      if (columns !== null && rows > 0) onChunk(columns, rows);
      rows = 0;
    };
    const line = (text: string) => {
      const fields = text.split("\t");
      if (columns === null) columns = fields.map(() => new Float64Array(BLOCK));
      for (let j = 0; j < fields.length; j++)
        (columns[j] as Float64Array)[rows] = parseNumber(fields[j] === "\\N" ? null : fields[j]);
      rows++;
      if (rows === BLOCK) flush();
    };
    const decoder = new TextDecoder();
    let rest = "";
    for await (const bytes of response.body as unknown as AsyncIterable<Uint8Array>) {
      const text = rest + decoder.decode(bytes, { stream: true });
      let from = 0;
      for (let at = text.indexOf("\n", from); at >= 0; at = text.indexOf("\n", from)) {
        line(text.slice(from, at));
        from = at + 1;
      }
      rest = text.slice(from);
    }
    rest += decoder.decode();
    if (rest.length > 0) line(rest);
    flush();
  }

  async describe(relation: string): Promise<SourceColumn[]> {
    // LIMIT 0 returns the meta with no rows: the kinds come from the types there.
    const text = await this.post(`SELECT * FROM ${relation} LIMIT 0 FORMAT JSONCompact`);
    const meta = (JSON.parse(text) as { meta: { name: string; type: string }[] }).meta;
    return meta.map((m) => ({
      name: m.name,
      type: m.type,
      kind: NUMBER_TYPE.test(m.type)
        ? "number"
        : /^(Nullable\()?(String|FixedString|LowCardinality\(String)/.test(m.type)
          ? "text"
          : "other",
    }));
  }

  async upload(name: string, columns: readonly UploadColumn[]): Promise<string> {
    const q = this.dialect.quote;
    const definition = columns.flatMap((c) =>
      c.integer ? [`${q(c.name)} UInt32`] : [`${q(`${c.name}_m`)} Int64`, `${q(`${c.name}_e`)} Int16`],
    );
    await this.exec(this.dialect.dropTable(name));
    await this.exec(`CREATE TABLE ${name} (${definition.join(", ")}) ENGINE = Memory`);
    const n = columns[0]?.values.length ?? 0;
    const lines: string[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const fields: string[] = [];
      for (const c of columns) {
        const v = c.values[i] as number;
        if (c.integer) fields.push(String(v));
        else {
          if (!Number.isFinite(v)) throw new Error(`internal: non-finite value uploaded to ${name}`);
          const { mantissa, exponent } = binaryParts(v);
          fields.push(String(mantissa), String(exponent));
        }
      }
      lines[i] = fields.join("\t");
    }
    if (n > 0) await this.insertTsv(name, `${lines.join("\n")}\n`);
    // Read back as doubles: mantissa times a power of two is exact.
    const select = columns.map((c) =>
      c.integer ? q(c.name) : `toFloat64(${q(`${c.name}_m`)}) * pow(2, ${q(`${c.name}_e`)}) AS ${q(c.name)}`,
    );
    return `(SELECT ${select.join(", ")} FROM ${name})`;
  }

  /** INSERT INTO table FORMAT TabSeparated with this body. */
  async insertTsv(table: string, body: string): Promise<void> {
    await this.post(`INSERT INTO ${table} FORMAT TabSeparated`, body);
  }

  scratchName(base: string): string {
    this.scratch++;
    const name = `${this.prefix}${base}_${this.scratch}`;
    this.created.push(name);
    return name;
  }

  async close(): Promise<void> {
    for (const name of this.created) {
      try {
        await this.exec(this.dialect.dropTable(name));
      } catch {
        // a scratch table that was never created, or a server already gone: nothing to clean
      }
    }
  }
}

function parseNumber(v: unknown): number {
  if (v === null || v === undefined) return Number.NaN;
  if (typeof v === "number") return v;
  const s = String(v);
  if (s === "inf" || s === "+inf") return Number.POSITIVE_INFINITY;
  if (s === "-inf") return Number.NEGATIVE_INFINITY;
  if (s === "nan" || s === "-nan") return Number.NaN;
  return Number(s);
}
