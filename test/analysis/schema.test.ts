import { describe, expect, it } from "vitest";
import { parseSpec } from "../../src/analysis/load.js";
import { MobilityError } from "../../src/errors.js";

const base = `name: t
data:
  sources:
    d: { file: data.csv }
models:
  m1:
    data: d
    formula: y ~ x
`;

function errorOf(text: string): MobilityError {
  try {
    parseSpec(text, "analysis.yaml");
  } catch (error) {
    expect(error).toBeInstanceOf(MobilityError);
    return error as MobilityError;
  }
  throw new Error("expected an error");
}

describe("spec schema errors name the file, line and key (hand-written specs)", () => {
  it("accepts a minimal spec and fills defaults", () => {
    const { spec } = parseSpec(base, "analysis.yaml");
    expect(spec.models.m1?.level).toBe(0.95);
    expect(spec.data.sources.d?.reader).toBe("csv");
  });

  it("a bad enum value: line of the key, the allowed values and what was found", () => {
    const e = errorOf(`${base}    vcov: hc9\n`);
    expect(e.kind).toBe("usage");
    expect(e.message).toBe(
      "analysis.yaml line 9, key models.m1.vcov: expected one of iid, hc0, hc1, hc2, hc3, cluster, cr2, cr3, nw, dk (or an alias), found 'hc9'",
    );
  });

  it("an unknown key", () => {
    const e = errorOf(`${base}    clustre: state\n`);
    expect(e.message).toBe("analysis.yaml line 9, key models.m1.clustre: unknown key 'clustre'");
  });

  it("an unknown step names the step and lists the steps", () => {
    const text = `${base}  tables:\n`.replace(
      "models:",
      "  tables:\n    t:\n      from: d\n      steps:\n        - filter: x > 1\n        - smooth: x\nmodels:",
    );
    const e = errorOf(text.replace(/ {2}tables:\n$/, ""));
    expect(e.message).toMatch(
      /^analysis\.yaml line 10, key data\.tables\.t\.steps\[1\]: unknown step 'smooth'/,
    );
    expect(e.message).toContain(
      "filter, derive, panel, aggregate, longer, wider, distinct, merge, select, drop, rename",
    );
  });

  it("an error inside a step points at the nested key", () => {
    const text = base.replace(
      "models:",
      "  tables:\n    t:\n      from: d\n      steps:\n        - merge: { with: d, on: fips, expect: '2:1' }\nmodels:",
    );
    expect(errorOf(text).message).toBe(
      "analysis.yaml line 9, key data.tables.t.steps[0].merge.expect: expected one of 1:1, m:1, 1:m, m:m, found '2:1'",
    );
  });

  it("a missing required key points at its parent", () => {
    const e = errorOf(base.replace("    formula: y ~ x\n", ""));
    expect(e.message).toBe("analysis.yaml line 6, key models.m1.formula: missing (expected a text)");
  });

  it("a wrong type", () => {
    const e = errorOf(base.replace("formula: y ~ x", "formula: y ~ x\n    level: high"));
    expect(e.message).toBe("analysis.yaml line 9, key models.m1.level: expected a number, found 'high'");
  });

  it("YAML syntax errors carry the line", () => {
    const e = errorOf("name: t\ndata:\n  sources: [\n");
    expect(e.kind).toBe("usage");
    expect(e.message).toMatch(/^analysis\.yaml line \d+: YAML syntax: /);
  });
});
