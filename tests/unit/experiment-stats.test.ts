import { describe, expect, it } from "vitest";
import {
  chiSquareHomogeneity,
  criticalZ,
  goodnessOfFit,
  holmAdjust,
  meanInterval,
  meanLift,
  proportionLift,
  twoMeanZTest,
  twoProportionZTest,
  wilsonInterval,
} from "../../src/domain/experiment-stats.ts";

describe("experiment statistics against textbook examples", () => {
  it("given OpenIntro's mammogram trial, the pooled z-test gives its published Z = -0.17, p = 0.87", () => {
    // OpenIntro Statistics, 4th ed. (Diez, Çetinkaya-Rundel, Barr), section 6.2.3: deaths from
    // breast cancer 500 of 44,925 with mammograms, 505 of 44,910 in the control group. The book
    // rounds its intermediate values (p̂ difference −0.00012, SE 0.00070), so Z agrees to 0.01.
    const { statistic, pValue } = twoProportionZTest(
      { successes: 505, trials: 44_910 },
      { successes: 500, trials: 44_925 },
    );
    expect(statistic).toBeCloseTo(-0.17, 1);
    expect(Math.abs(statistic + 0.17)).toBeLessThan(0.01);
    expect(Math.abs(pValue - 0.87)).toBeLessThan(0.01);
  });

  it("given the aspirin study, z² equals the 2×2 chi-square and the relative risk is Agresti's 1.82 (1.43, 2.30)", () => {
    // Agresti, An Introduction to Categorical Data Analysis, 2nd ed. (2007), Table 2.3 and
    // section 2.3.3: myocardial infarction in 189 of 11,034 on placebo, 104 of 11,037 on aspirin;
    // relative risk 1.82 with 95 % confidence interval (1.43, 2.30).
    const placebo = { successes: 189, trials: 11_034 };
    const aspirin = { successes: 104, trials: 11_037 };
    const z = twoProportionZTest(aspirin, placebo);
    const chi = chiSquareHomogeneity([aspirin, placebo]);
    expect(z.statistic).toBeCloseTo(5.0, 2);
    expect(z.statistic ** 2).toBeCloseTo(chi.statistic, 8);
    expect(z.pValue).toBeCloseTo(chi.pValue, 8);
    expect(z.pValue).toBeLessThan(1e-6);

    const lift = proportionLift(placebo, aspirin, 0.95);
    expect(lift?.lift).toBeCloseTo(0.82, 2);
    expect(lift?.interval.low).toBeCloseTo(0.43, 2);
    // The upper bound is 2.306 unrounded; the book prints 2.30.
    expect(Math.abs((lift?.interval.high ?? 0) - 1.3)).toBeLessThan(0.01);
  });

  it("given Agresti's 2×3 table of party identification by gender, X² = 30.1 on 2 df", () => {
    // Agresti (2007), Table 2.5 and section 2.4.4: females 762 / 327 / 468 and males 484 / 239 /
    // 477 (Democrat / Independent / Republican); X² = 30.1, df = 2, P < 0.001. Each party is a
    // "variant" and its female count the "successes".
    const result = chiSquareHomogeneity([
      { successes: 762, trials: 762 + 484 },
      { successes: 327, trials: 327 + 239 },
      { successes: 468, trials: 468 + 477 },
    ]);
    expect(result.statistic).toBeCloseTo(30.1, 1);
    expect(result.degreesOfFreedom).toBe(2);
    expect(result.pValue).toBeLessThan(0.001);
    expect(result.minExpected).toBeGreaterThan(5);
  });

  it("given Newcombe's four examples, the Wilson intervals match his Table I to four places", () => {
    // Newcombe, "Two-sided confidence intervals for the single proportion", Statistics in
    // Medicine 17 (1998) 857–872, Table I, method 3 (score interval without continuity correction).
    const cases = [
      [81, 263, 0.2553, 0.3662],
      [15, 148, 0.0624, 0.1605],
      [0, 20, 0, 0.1611],
      [1, 29, 0.0061, 0.1718],
    ] as const;
    for (const [successes, trials, low, high] of cases) {
      const interval = wilsonInterval({ successes, trials }, 0.95);
      expect(interval.low).toBeCloseTo(low, 4);
      expect(interval.high).toBeCloseTo(high, 4);
    }
  });

  it("given Wikipedia's Holm–Bonferroni example, H4 and H1 are rejected and the adjusted p match R's p.adjust", () => {
    // en.wikipedia.org/wiki/Holm–Bonferroni_method, "Example": p1 = 0.01, p2 = 0.04, p3 = 0.03,
    // p4 = 0.005 at α = 0.05 rejects H4 and H1 only; R's p.adjust(c(.01,.04,.03,.005), "holm")
    // gives 0.03 0.06 0.06 0.02.
    const adjusted = holmAdjust([0.01, 0.04, 0.03, 0.005]);
    expect(adjusted.map((p) => Number(p.toFixed(10)))).toEqual([0.03, 0.06, 0.06, 0.02]);
    expect(adjusted.map((p) => p < 0.05)).toEqual([true, false, false, true]);
    expect(holmAdjust([0.04, 0.02])).toEqual([0.04, 0.04]);
    expect(holmAdjust([0.6, 0.7])).toEqual([1, 1]);
  });

  it("given Mendel's peas, the goodness-of-fit test gives X² = 0.47 on 3 df against 9:3:3:1", () => {
    // Mendel's dihybrid cross (round-yellow 315, round-green 108, wrinkled-yellow 101,
    // wrinkled-green 32), the standard goodness-of-fit example: X² = 0.47, P ≈ 0.93.
    const result = goodnessOfFit([315, 108, 101, 32], [9, 3, 3, 1]);
    expect(result.statistic).toBeCloseTo(0.47, 2);
    expect(result.pValue).toBeCloseTo(0.925, 2);
  });

  it("given 95 % and 99 %, the critical values are 1.960 and 2.576; other levels are refused", () => {
    expect(criticalZ(0.95)).toBeCloseTo(1.96, 3);
    expect(criticalZ(0.99)).toBeCloseTo(2.576, 3);
    expect(() => criticalZ(95)).toThrow(RangeError);
    expect(() => criticalZ(0)).toThrow(RangeError);
  });
});

describe("experiment statistics at the edges", () => {
  it("given no clicks anywhere (or every trial a click), the z-test finds nothing: z = 0, p = 1", () => {
    expect(
      twoProportionZTest({ successes: 0, trials: 500 }, { successes: 0, trials: 700 }),
    ).toEqual({ statistic: 0, pValue: 1 });
    expect(
      twoProportionZTest({ successes: 50, trials: 50 }, { successes: 70, trials: 70 }),
    ).toEqual({ statistic: 0, pValue: 1 });
  });

  it("given equal rates, z is 0 and p is 1", () => {
    const result = twoProportionZTest(
      { successes: 30, trials: 1000 },
      { successes: 60, trials: 2000 },
    );
    expect(result.statistic).toBeCloseTo(0, 12);
    expect(result.pValue).toBeCloseTo(1, 12);
  });

  it("given a variant with 0 clicks, its interval is [0, high] above 0 and its lift is not a number", () => {
    const none = { successes: 0, trials: 1000 };
    const interval = wilsonInterval(none, 0.95);
    expect(interval.low).toBe(0);
    expect(interval.high).toBeGreaterThan(0.003);
    expect(interval.high).toBeLessThan(0.004);
    expect(proportionLift({ successes: 20, trials: 1000 }, none, 0.95)).toBeNull();
    expect(wilsonInterval({ successes: 0, trials: 0 }, 0.95)).toEqual({ low: 0, high: 1 });
  });

  it("given a 2×2 table with no successes, the chi-square's smallest expected count is 0", () => {
    const result = chiSquareHomogeneity([
      { successes: 0, trials: 100 },
      { successes: 0, trials: 100 },
    ]);
    expect(result).toMatchObject({ statistic: 0, minExpected: 0, pValue: 1 });
  });

  it("given revenue per click as 0/1 values, the mean test is the unpooled two-proportion z-test", () => {
    // 30 of 1000 and 60 of 1000 clicks earned 1: mean = rate, variance = n/(n−1)·p(1−p).
    const a = { trials: 1000, sum: 30, sumOfSquares: 30 };
    const b = { trials: 1000, sum: 60, sumOfSquares: 60 };
    const unpooled = (0.06 - 0.03) / Math.sqrt(((0.03 * 0.97 + 0.06 * 0.94) / 1000) * (1000 / 999));
    expect(twoMeanZTest(a, b).statistic).toBeCloseTo(unpooled, 10);
    expect(meanLift(b, a, 0.95)?.lift).toBeCloseTo(1, 10);
    const interval = meanInterval(a, 0.95);
    expect(interval.low).toBeGreaterThan(0.019);
    expect(interval.high).toBeLessThan(0.041);
    expect(meanLift(b, { trials: 100, sum: 0, sumOfSquares: 0 }, 0.95)).toBeNull();
  });
});
