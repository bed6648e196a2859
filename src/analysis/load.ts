/**
 * Reads a spec file: YAML (the `yaml` package, keeping each node's source range) validated with the zod schema
 * of schema.ts. Every error is a usage error that names the file, the line and the key:
 *
 *   analysis.yaml line 12, key models.m1.vcov: expected one of iid, hc0, hc1, hc2, hc3, cluster, found 'hc9'
 */
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { isMap, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import type { z } from "zod";
import { usageError } from "../errors.js";
import { type Spec, SpecSchema, STEP_NAMES } from "./schema.js";

export interface LoadedSpec {
  spec: Spec;
  /** The line of the key at a path of the spec (or of its deepest existing parent), for error messages. */
  lineOf: (path: Path) => number;
  /** The file's text, hashed into the manifest. */
  text: string;
  path: string;
}

export function loadSpecFile(path: string): LoadedSpec {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw usageError(`${path}: cannot read the spec file (${code})`);
  }
  return { ...parseSpec(text, basename(path)), text, path };
}

export type Path = readonly PropertyKey[];

/** The yaml package's limit on alias expansions (its default): an alias bomb is refused, not expanded. */
const MAX_ALIAS_EXPANSIONS = 100;

/** Parses and validates spec text; `file` names it in errors. */
export function parseSpec(text: string, file: string): { spec: Spec; lineOf: (path: Path) => number } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const yamlError = doc.errors[0];
  if (yamlError !== undefined) {
    const line = lineCounter.linePos(yamlError.pos[0]).line;
    const what = yamlError.message.split("\n")[0]?.replace(/ at line \d+, column \d+:?$/, "");
    throw usageError(`${file} line ${line}: YAML syntax: ${what}`);
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_EXPANSIONS });
  } catch (error) {
    // The yaml package refuses documents whose aliases expand without bound ("billion laughs"): a user error.
    const what = error instanceof Error ? error.message : String(error);
    if (!/alias/i.test(what)) throw error;
    throw usageError(
      `${file}: YAML aliases expand too much (a reference to an anchor is used more than ${MAX_ALIAS_EXPANSIONS} times in nested copies, the limit); write the repeated parts out`,
    );
  }
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    throw usageError(`${file}: expected a YAML mapping with keys name, data, models, tables, expect`);
  }
  const lineOf = (path: Path): number => {
    // The deepest node that exists along the path.
    for (let len = path.length; len >= 0; len--) {
      const node = doc.getIn(path.slice(0, len) as unknown[], true) as Node | undefined;
      const range = node?.range;
      if (range) {
        // For a key's value, point at the key's line when the value is a nested block.
        return lineCounter.linePos(keyStart(doc.contents, path.slice(0, len)) ?? range[0]).line;
      }
    }
    return 1;
  };
  const parsed = SpecSchema.safeParse(data);
  if (parsed.success) return { spec: parsed.data, lineOf };
  const issue = mostSpecific(parsed.error.issues);
  // An unknown key is reported at its own line.
  const at = issue.code === "unrecognized_keys" ? [...issue.path, issue.keys[0] as string] : issue.path;
  throw specError(file, lineOf, at, describeIssue(issue, data));
}

/** A usage error located at `path` of the spec. */
export function specError(file: string, lineOf: (path: Path) => number, path: Path, what: string): Error {
  const key = path.length > 0 ? `, key ${formatPath(path)}` : "";
  return usageError(`${file} line ${lineOf(path)}${key}: ${what}`);
}

export function formatPath(path: Path): string {
  return path
    .map((p, i) => (typeof p === "number" ? `[${p}]` : `${i === 0 ? "" : "."}${String(p)}`))
    .join("");
}

/** The offset of the key node of the pair at `path` (so errors point at `vcov:` rather than its value). */
function keyStart(contents: unknown, path: Path): number | undefined {
  let node: unknown = contents;
  let start: number | undefined;
  for (const part of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === part);
      if (pair === undefined) return start;
      start = (pair.key as Node | null)?.range?.[0] ?? start;
      node = pair.value;
    } else if (isSeq(node) && typeof part === "number") {
      const item = node.items[part] as Node | undefined;
      start = item?.range?.[0] ?? start;
      node = item;
    } else {
      return start;
    }
  }
  return start;
}

type Issue = z.core.$ZodIssue;

/**
 * Unions (a step is one of filter/derive/...) report one issue list per alternative. Choose the alternative that
 * got furthest: the one whose object keys matched (no unrecognised key at its root), then the deepest issue.
 */
function mostSpecific(issues: readonly Issue[]): Issue {
  // An unknown key explains a missing one ("fro:" for "from:"), so report it first.
  const first = (issues.find((i) => i.code === "unrecognized_keys") ?? issues[0]) as Issue;
  if (first.code !== "invalid_union" || first.errors.length === 0) return first;
  const scored = first.errors.map((branch) => {
    const rootUnknown = branch.some((i) => i.code === "unrecognized_keys" && i.path.length === 0);
    const depth = Math.max(0, ...branch.map((i) => i.path.length));
    return { branch, score: (rootUnknown ? 0 : 1000) + depth };
  });
  scored.sort((a, b) => b.score - a.score);
  const best = scored[0];
  if (best === undefined || best.score < 1000) {
    // No alternative fits: say what the alternatives are.
    const keys = first.errors
      .map((branch) => branch.find((i) => i.code === "unrecognized_keys" && i.path.length === 0))
      .filter((i) => i !== undefined);
    const allUnknown = keys.length === first.errors.length;
    if (allUnknown) {
      const given = keys[0]?.code === "unrecognized_keys" ? keys[0].keys : [];
      const what = first.path.includes("steps")
        ? `unknown step ${given.map((k) => `'${k}'`).join(", ")} (steps: ${STEP_NAMES.join(", ")})`
        : `unknown key ${given.map((k) => `'${k}'`).join(", ")}`;
      return { ...first, code: "custom", message: what } as Issue;
    }
    return first;
  }
  const inner = mostSpecific(best.branch);
  return { ...inner, path: [...first.path, ...inner.path] } as Issue;
}

function valueAt(data: unknown, path: Path): unknown {
  let node = data;
  for (const part of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<PropertyKey, unknown>)[part];
  }
  return node;
}

function show(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "string") return `'${value}'`;
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return String(value);
}

function describeIssue(issue: Issue, data: unknown): string {
  const found = valueAt(data, issue.path);
  switch (issue.code) {
    case "invalid_value":
      return `expected one of ${issue.values.map(String).join(", ")}, found ${show(found)}`;
    case "unrecognized_keys": {
      const expected = knownKeys(issue.path);
      return `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `'${k}'`).join(", ")}${expected ? ` (expected ${expected})` : ""}`;
    }
    case "invalid_type":
      if (found === undefined) return `missing (expected ${article(issue.expected)})`;
      return `expected ${article(issue.expected)}, found ${show(found)}`;
    case "too_small":
      if (issue.origin === "array") return `expected at least ${issue.minimum} item(s)`;
      if (issue.origin === "string") return "expected a non-empty text";
      return `expected a number ${issue.inclusive ? ">=" : ">"} ${issue.minimum}, found ${show(found)}`;
    case "too_big":
      return `expected a number ${issue.inclusive ? "<=" : "<"} ${issue.maximum}, found ${show(found)}`;
    case "invalid_format":
      return `${issue.message}, found ${show(found)}`;
    case "invalid_union":
      return `${issue.message}, found ${show(found)}`;
    case "custom":
      return issue.message;
    default:
      return `${issue.message}${found !== undefined ? `, found ${show(found)}` : ""}`;
  }
}

function article(type: string): string {
  if (type === "object") return "a mapping";
  if (type === "array") return "a list";
  if (type === "string") return "a text";
  return `a ${type}`;
}

/** The keys an object at `path` may have, for "unknown key" messages (top level and one level below). */
function knownKeys(path: Path): string | undefined {
  const shape = (SpecSchema.shape as Record<string, unknown>) ?? {};
  if (path.length === 0) return Object.keys(shape).join(", ");
  return undefined;
}
