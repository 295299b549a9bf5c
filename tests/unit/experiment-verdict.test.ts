import { describe, expect, it } from "vitest";
import {
  type ExperimentPlan,
  evaluateExperiment,
  type VariantCounts,
} from "../../src/domain/experiment-verdict.ts";

const ctrPlan: ExperimentPlan = { metric: "ctr", samplePerVariant: 1000, confidence: 0.95 };

function variant(
  label: string,
  impressions: number,
  humanClicks: number,
  more: Partial<VariantCounts> = {},
): VariantCounts {
  return {
    label,
    posts: 4,
    impressions,
    humanClicks,
    conversions: 0,
    revenue: 0,
    revenueSquares: 0,
    ...more,
  };
}

describe("experiment verdict", () => {
  it("given a variant short of the planned sample, it is running: rates and intervals, no p-value, no winner", () => {
    const report = evaluateExperiment(ctrPlan, [variant("A", 1200, 120), variant("B", 900, 9)]);
    expect(report.verdict).toEqual({ kind: "running" });
    expect(report.pValue).toBeNull();
    expect(report.lifts).toEqual([]);
    expect(report.variants.map((v) => [v.label, v.trials, v.value])).toEqual([
      ["A", 1200, 0.1],
      ["B", 900, 0.01],
    ]);
    expect(report.variants[1]?.interval.low).toBeGreaterThan(0);
  });

  it("given B's CTR clearly above A's at the planned sample, B wins with a positive lift interval", () => {
    const report = evaluateExperiment(ctrPlan, [variant("A", 1000, 40), variant("B", 1000, 80)]);
    expect(report.verdict).toEqual({ kind: "winner", winner: "B" });
    expect(report.pValue).toBeLessThan(0.001);
    expect(report.lifts).toHaveLength(1);
    expect(report.lifts[0]?.over).toBe("A");
    expect(report.lifts[0]?.lift).toBeCloseTo(1, 10);
    expect(report.lifts[0]?.interval.low).toBeGreaterThan(0);
  });

  it("given equal rates at the planned sample, no difference is found: p = 1 and a lift interval around 0", () => {
    const report = evaluateExperiment(ctrPlan, [variant("A", 1000, 50), variant("B", 1000, 50)]);
    expect(report.verdict).toEqual({ kind: "no_difference" });
    expect(report.pValue).toBeCloseTo(1, 10);
    expect(report.lifts[0]?.lift).toBeCloseTo(0, 10);
    expect(report.lifts[0]?.interval.low).toBeLessThan(0);
    expect(report.lifts[0]?.interval.high).toBeGreaterThan(0);
  });

  it("given a variant with 0 clicks against one with 30, the other wins and no lift over zero is claimed", () => {
    const report = evaluateExperiment(ctrPlan, [variant("A", 1000, 0), variant("B", 1000, 30)]);
    expect(report.verdict).toEqual({ kind: "winner", winner: "B" });
    expect(report.lifts).toEqual([]);
    expect(report.variants[0]?.interval.low).toBe(0);
  });

  it("given tiny samples (a planned sample of 50 impressions and 1-2 clicks), the verdict is too few", () => {
    const plan = { ...ctrPlan, samplePerVariant: 50 };
    const report = evaluateExperiment(plan, [variant("A", 50, 1), variant("B", 55, 2)]);
    expect(report.verdict.kind).toBe("too_few");
    expect(report.pValue).toBeNull();
    const none = evaluateExperiment(plan, [variant("A", 60, 0), variant("B", 60, 0)]);
    expect(none.verdict.kind).toBe("too_few");
  });

  it("given three variants where C beats both others, the chi-square and Holm's pairs name C", () => {
    const report = evaluateExperiment(ctrPlan, [
      variant("A", 2000, 100),
      variant("B", 2000, 100),
      variant("C", 2000, 170),
    ]);
    expect(report.verdict).toEqual({ kind: "winner", winner: "C" });
    expect(report.pairs.map((pair) => pair.labels)).toEqual([
      ["A", "B"],
      ["A", "C"],
      ["B", "C"],
    ]);
    for (const pair of report.pairs) {
      expect(pair.adjustedPValue).toBeGreaterThanOrEqual(pair.pValue);
    }
    expect(report.lifts.map((lift) => lift.over)).toEqual(["A", "B"]);
  });

  it("given three variants where B and C both beat A but not each other, there is no single winner", () => {
    const report = evaluateExperiment(ctrPlan, [
      variant("A", 2000, 100),
      variant("B", 2000, 160),
      variant("C", 2000, 165),
    ]);
    expect(report.verdict).toEqual({ kind: "no_single_winner", leaders: ["C", "B"] });
    expect(report.pValue).toBeLessThan(0.05);
  });

  it("given four variants with close rates, the chi-square finds no difference and no pair decides", () => {
    const report = evaluateExperiment(ctrPlan, [
      variant("A", 1500, 60),
      variant("B", 1500, 66),
      variant("C", 1500, 58),
      variant("D", 1500, 70),
    ]);
    expect(report.verdict).toEqual({ kind: "no_difference" });
    expect(report.pValue).toBeGreaterThan(0.05);
    expect(report.pairs).toHaveLength(6);
  });

  it("given the conversion metric, trials are human clicks and successes conversions", () => {
    const plan: ExperimentPlan = { metric: "conversion", samplePerVariant: 100, confidence: 0.95 };
    const report = evaluateExperiment(plan, [
      variant("A", 5000, 400, { conversions: 20 }),
      variant("B", 5000, 400, { conversions: 48 }),
    ]);
    expect(report.variants.map((v) => [v.trials, v.value])).toEqual([
      [400, 0.05],
      [400, 0.12],
    ]);
    expect(report.verdict).toEqual({ kind: "winner", winner: "B" });
  });

  it("given EPC, revenue per click is compared as a mean, and too few conversions stop the verdict", () => {
    const plan: ExperimentPlan = { metric: "epc", samplePerVariant: 100, confidence: 0.95 };
    // A: 10 of 400 clicks earned 5 each; B: 40 of 400 earned 5 each.
    const a = variant("A", 5000, 400, { conversions: 10, revenue: 50, revenueSquares: 250 });
    const b = variant("B", 5000, 400, { conversions: 40, revenue: 200, revenueSquares: 1000 });
    const report = evaluateExperiment(plan, [a, b]);
    expect(report.variants.map((v) => v.value)).toEqual([0.125, 0.5]);
    expect(report.verdict).toEqual({ kind: "winner", winner: "B" });
    expect(report.lifts[0]?.lift).toBeCloseTo(3, 10);

    const few = evaluateExperiment(plan, [
      variant("A", 5000, 100, { conversions: 1, revenue: 5, revenueSquares: 25 }),
      variant("B", 5000, 100, { conversions: 3, revenue: 15, revenueSquares: 75 }),
    ]);
    expect(few.verdict.kind).toBe("too_few");
  });

  it("given a variant whose posts got far fewer impressions than its share, the sample-ratio check warns", () => {
    const report = evaluateExperiment(ctrPlan, [variant("A", 5000, 250), variant("B", 2000, 100)]);
    expect(report.sampleRatioWarning?.lagging).toEqual(["B"]);
    expect(report.sampleRatioWarning?.pValue).toBeLessThan(0.001);
  });

  it("given a variant one post behind in the rotation, the sample-ratio check does not warn", () => {
    const report = evaluateExperiment(ctrPlan, [
      variant("A", 3000, 90, { posts: 3 }),
      variant("B", 2050, 60, { posts: 2 }),
      variant("C", 0, 0, { posts: 0 }),
    ]);
    expect(report.sampleRatioWarning).toBeNull();
  });

  it("given a confidence given as a percentage, the plan is refused", () => {
    expect(() =>
      evaluateExperiment({ ...ctrPlan, confidence: 95 }, [variant("A", 1, 0), variant("B", 1, 0)]),
    ).toThrow(RangeError);
  });
});
