/**
 * The covariance registry's resolution rules (src/vcov/registry.ts): names and aliases, the one place where a
 * cluster given means clustered, the variables each type needs, lags, and the derived help text.
 */
import { describe, expect, it } from "vitest";
import { MobilityError } from "../../src/errors.js";
import {
  COVARIANCE_TYPES,
  covarianceNames,
  findCovarianceType,
  groupingVariables,
  resolveCovariance,
  timeVariables,
} from "../../src/vcov/registry.js";

const usage = (f: () => unknown, pattern: RegExp) => {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(MobilityError);
    expect((error as MobilityError).kind).toBe("usage");
    expect((error as Error).message).toMatch(pattern);
    return;
  }
  throw new Error("expected a usage error");
};

describe("covariance registry", () => {
  it("finds every type by name and alias, case-insensitively; names are unique", () => {
    const names = COVARIANCE_TYPES.flatMap((t) => [t.name, ...t.aliases]);
    expect(new Set(names).size).toBe(names.length);
    for (const t of COVARIANCE_TYPES) {
      expect(findCovarianceType(t.name.toUpperCase())).toBe(t);
      for (const a of t.aliases) expect(findCovarianceType(a)).toBe(t);
    }
    expect(findCovarianceType("robust")?.name).toBe("hc1");
    expect(findCovarianceType("hetero")?.name).toBe("hc1");
    expect(findCovarianceType("newey-west")?.name).toBe("nw");
    expect(findCovarianceType("hc9")).toBeUndefined();
    expect(covarianceNames()).toContain("hc1 (= hetero, robust, white)");
  });

  it("defaults to iid, and to clustered when cluster variables are given", () => {
    expect(resolveCovariance({})).toEqual({
      type: "iid",
      cluster: [],
      panel: null,
      lag: null,
      ssc: "fixest",
    });
    expect(resolveCovariance({ cluster: ["state"] }).type).toBe("cluster");
    expect(resolveCovariance({ cluster: ["state", "year"], ssc: "stata" })).toMatchObject({
      type: "cluster",
      cluster: ["state", "year"],
      ssc: "fixest",
    });
  });

  it("checks the variables each type needs", () => {
    usage(() => resolveCovariance({ vcov: "cluster" }), /cluster covariance needs cluster variables/);
    usage(
      () => resolveCovariance({ vcov: "hc1", cluster: ["s"] }),
      /cluster variables were given with the hc1/,
    );
    usage(() => resolveCovariance({ vcov: "nw" }), /nw covariance needs a panel id/);
    usage(() => resolveCovariance({ vcov: "iid", panelId: ["s", "t"] }), /panel id was given with the iid/);
    usage(() => resolveCovariance({ vcov: "hc1", lag: 2 }), /lag was given with the hc1/);
    usage(
      () => resolveCovariance({ vcov: "dk", panelId: ["s", "t"], lag: 0 }),
      /lag: expected an integer >= 1/,
    );
    usage(() => resolveCovariance({ vcov: "hc9" }), /expected one of .* found 'hc9'/);
    usage(() => resolveCovariance({ ssc: "bogus" }), /small-sample convention: expected one of/);
  });

  it("resolves panel ids: unit and time, or time alone", () => {
    const panel = resolveCovariance({ vcov: "NW", panelId: ["state", "year"], lag: 3 });
    expect(panel).toMatchObject({ type: "nw", panel: { unit: "state", time: "year" }, lag: 3 });
    expect(groupingVariables(panel)).toEqual(["state"]);
    expect(timeVariables(panel)).toEqual(["year"]);
    const series = resolveCovariance({ vcov: "nw", panelId: ["year"] });
    expect(series.panel).toEqual({ unit: null, time: "year" });
    expect(groupingVariables(series)).toEqual([]);
    const dk = resolveCovariance({ vcov: "driscoll-kraay", panelId: ["state", "year"] });
    expect(dk.type).toBe("dk");
    expect(timeVariables(dk)).toEqual(["year"]);
  });
});
