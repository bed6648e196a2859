import { describe, expect, it } from "vitest";
import { parseCsvText } from "../../src/data/csv.js";
import { buildModelFrame } from "../../src/estimate/frame.js";
import { estimateOls } from "../../src/estimate/ols.js";
import { fitLevels, predict } from "../../src/estimate/predict.js";
import { parseFormula } from "../../src/formula/parser.js";

// y = 1 + 2x + 3*(g == "b") + small noise; a factor, a transformation and an i() interaction.
const TRAIN = `x,g,y
1,a,3.1
2,b,7.9
3,a,7.1
4,b,12.2
5,a,10.8
6,b,15.9
7,a,15.2
8,b,20.1
`;

describe("predict: fitted values and intervals for new rows (R predict.lm conventions)", () => {
  it("on the training rows, fit = y - residual and the intervals follow se_fit and sigma", async () => {
    const table = await parseCsvText(TRAIN, "train.csv");
    const formula = parseFormula("y ~ log(x) + g + i(g, x)");
    const frame = buildModelFrame(table, formula);
    const result = estimateOls(frame, { vcov: { type: "iid", convention: "fixest" }, level: 0.95 });
    const p = predict(result, formula, fitLevels(formula, table, frame.rows), table, 0.95);
    // Fitted values by hand from the coefficients, matched by name.
    const b = Object.fromEntries(result.coefficients.map((c) => [c.term, c.estimate]));
    for (let i = 0; i < table.nrows; i++) {
      const x = i + 1;
      const isB = i % 2 === 1;
      const fit =
        (b["(Intercept)"] ?? 0) +
        (b["log(x)"] ?? 0) * Math.log(x) +
        (isB ? (b.gb ?? 0) : 0) +
        (isB ? (b["g::b:x"] ?? 0) : (b["g::a:x"] ?? 0)) * x;
      expect(p.fit[i]).toBeCloseTo(fit, 12);
      const half = (p.conf_high[i] as number) - (p.fit[i] as number);
      const halfPred = (p.pred_high[i] as number) - (p.fit[i] as number);
      // Same t quantile for both: half-widths scale as se_fit and sqrt(se_fit^2 + sigma^2).
      const se = p.se_fit[i] as number;
      expect(halfPred / half).toBeCloseTo(Math.sqrt(se * se + result.sigma ** 2) / se, 10);
    }
  });

  it("new rows: an unseen level or a missing regressor gives NaN, the others are predicted", async () => {
    const table = await parseCsvText(TRAIN, "train.csv");
    const formula = parseFormula("y ~ x + g");
    const frame = buildModelFrame(table, formula);
    const result = estimateOls(frame, { vcov: { type: "hc1", convention: "fixest" }, level: 0.95 });
    const fresh = await parseCsvText("x,g,y\n10,b,\n10,c,\n,a,\n0,a,\n", "new.csv");
    const p = predict(result, formula, fitLevels(formula, table, frame.rows), fresh, 0.9);
    const b = result.coefficients.map((c) => c.estimate);
    expect(p.fit[0]).toBeCloseTo((b[0] as number) + 10 * (b[1] as number) + (b[2] as number), 12);
    expect(p.fit[1]).toBeNaN();
    expect(p.fit[2]).toBeNaN();
    expect(p.fit[3]).toBeCloseTo(b[0] as number, 12);
    // At x = 0 in the reference group the design is the intercept alone: se_fit = its standard error.
    expect(p.se_fit[3]).toBeCloseTo(result.coefficients[0]?.std_error as number, 12);
    expect(p.unseenLevels).toBe(1);
    expect(p.missing).toBe(1);
  });

  it("predict() without fixed-effect estimates refuses a fixed-effects model (predictModel takes them)", async () => {
    const table = await parseCsvText(TRAIN, "train.csv");
    const formula = parseFormula("y ~ x | g");
    const frame = buildModelFrame(table, formula);
    const result = estimateOls(frame, { vcov: { type: "iid", convention: "fixest" }, level: 0.95 });
    expect(() => predict(result, formula, fitLevels(formula, table, frame.rows), table, 0.95)).toThrow(
      /has fixed effects; predict it with its estimated fixed effects/,
    );
  });
});
