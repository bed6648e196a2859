/**
 * A ClickHouse cluster of `clickhouse-server` processes on the loopback interface, for tests and benchmarks: each
 * server gets its own config files, data directory and free ports in a temporary directory, and every server
 * knows the cluster `mobility` (one shard per server) in its remote_servers section, so a Distributed table on any
 * of them spans all. Written for the Debian package clickhouse-server 18.16 (it runs as root when the caller is
 * root). Nothing outside 127.0.0.1 is configured or contacted.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface LocalCluster {
  /** HTTP URLs of the servers, shard order. */
  readonly urls: readonly string[];
  /** The cluster name in remote_servers. */
  readonly name: string;
  readonly directory: string;
  stop(): Promise<void>;
}

/** The clickhouse-server binary, or null when it is not installed. */
export function clickhouseServerBinary(): string | null {
  for (const candidate of [
    "clickhouse-server",
    "/usr/sbin/clickhouse-server",
    "/usr/bin/clickhouse-server",
  ]) {
    const probe = spawnSync("sh", ["-c", `command -v ${candidate}`], { encoding: "utf8" });
    if (probe.status === 0 && probe.stdout.trim() !== "") return probe.stdout.trim();
  }
  return null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function config(
  dir: string,
  ports: { http: number; tcp: number; interserver: number },
  shards: string,
): string {
  return `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>${join(dir, "server.log")}</log><errorlog>${join(dir, "error.log")}</errorlog><size>10M</size><count>1</count></logger>
  <http_port>${ports.http}</http_port>
  <tcp_port>${ports.tcp}</tcp_port>
  <interserver_http_port>${ports.interserver}</interserver_http_port>
  <listen_host>127.0.0.1</listen_host>
  <path>${join(dir, "data")}/</path>
  <tmp_path>${join(dir, "tmp")}/</tmp_path>
  <user_files_path>${join(dir, "user_files")}/</user_files_path>
  <format_schema_path>${join(dir, "format_schemas")}/</format_schema_path>
  <users_config>${join(dir, "users.xml")}</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>268435456</mark_cache_size>
  <uncompressed_cache_size>268435456</uncompressed_cache_size>
  <max_concurrent_queries>50</max_concurrent_queries>
  <remote_servers><mobility>${shards}</mobility></remote_servers>
</yandex>
`;
}

function users(memoryBytes: number): string {
  return `<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>${memoryBytes}</max_memory_usage><max_threads>2</max_threads></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
`;
}

/**
 * Starts `shards` servers and waits until each answers /ping (at most `timeoutMs`). `memoryBytes`: each server's
 * per-query memory limit.
 */
export async function startLocalCluster(
  shards = 2,
  options: { timeoutMs?: number; memoryBytes?: number } = {},
): Promise<LocalCluster> {
  const binary = clickhouseServerBinary();
  if (binary === null) throw new Error("clickhouse-server is not installed");
  const directory = mkdtempSync(join(tmpdir(), "mobility-clickhouse-"));
  const ports: { http: number; tcp: number; interserver: number }[] = [];
  for (let s = 0; s < shards; s++)
    ports.push({ http: await freePort(), tcp: await freePort(), interserver: await freePort() });
  const shardXml = ports
    .map((p) => `<shard><replica><host>127.0.0.1</host><port>${p.tcp}</port></replica></shard>`)
    .join("");
  const processes: ChildProcess[] = [];
  const urls: string[] = [];
  for (let s = 0; s < shards; s++) {
    const dir = join(directory, `shard${s + 1}`);
    for (const sub of ["data", "tmp", "user_files", "format_schemas"])
      mkdirSync(join(dir, sub), { recursive: true });
    writeFileSync(join(dir, "config.xml"), config(dir, ports[s] as (typeof ports)[number], shardXml));
    writeFileSync(join(dir, "users.xml"), users(options.memoryBytes ?? 4_000_000_000));
    const child = spawn(binary, [`--config-file=${join(dir, "config.xml")}`], {
      cwd: dir,
      stdio: "ignore",
      detached: false,
    });
    processes.push(child);
    urls.push(`http://127.0.0.1:${(ports[s] as (typeof ports)[number]).http}`);
  }
  const stop = async () => {
    for (const child of processes) if (child.exitCode === null) child.kill("SIGTERM");
    await Promise.all(
      processes.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            const timer = setTimeout(() => {
              child.kill("SIGKILL");
              resolve();
            }, 5000);
            child.once("exit", () => {
              clearTimeout(timer);
              resolve();
            });
          }),
      ),
    );
    rmSync(directory, { recursive: true, force: true });
  };
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (const url of urls) {
    for (;;) {
      try {
        const response = await fetch(`${url}/ping`);
        if (response.ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`clickhouse-server at ${url} did not start (logs in ${directory})`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return { urls, name: "mobility", directory, stop };
}
