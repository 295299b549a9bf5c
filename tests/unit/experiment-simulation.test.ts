import { describe, expect, it } from "vitest";
import { sampleSizePerVariant } from "../../src/domain/experiment-stats.ts";
import {
  type ExperimentPlan,
  evaluateExperiment,
  type VariantCounts,
} from "../../src/domain/experiment-verdict.ts";
import { binomial, seededRandom, uniformInt } from "../support/seeded-random.ts";

/**
 * Simulated experiments: variants take turns publishing posts whose impressions vary from post to
 * post, each impression clicked with the variant's true CTR, until every variant reached the
 * planned sample (where queueing stops); then the verdict. 200 seeded runs per scenario.
 */
const RUNS = 200;
const BASE_CTR = 0.02;

/** The winner's label, or the verdict's kind when none is named. */
function simulate(seed: number, ctrs: readonly number[], plan: ExperimentPlan): string {
  const random = seededRandom(seed);
  const counts: VariantCounts[] = ctrs.map((_, index) => ({
    label: String.fromCharCode(65 + index),
    posts: 0,
    impressions: 0,
    humanClicks: 0,
    conversions: 0,
    revenue: 0,
    revenueSquares: 0,
  }));
  while (counts.some((variant) => variant.impressions < plan.samplePerVariant)) {
    counts.forEach((variant, index) => {
      const impressions = uniformInt(random, 150, 650);
      variant.posts += 1;
      variant.impressions += impressions;
      variant.humanClicks += binomial(random, impressions, ctrs[index] as number);
    });
  }
  const { verdict } = evaluateExperiment(plan, counts);
  return verdict.kind === "winner" ? verdict.winner : verdict.kind;
}

function outcomes(ctrs: readonly number[], plan: ExperimentPlan): Map<string, number> {
  const tally = new Map<string, number>();
  for (let seed = 1; seed <= RUNS; seed += 1) {
    const label = simulate(seed, ctrs, plan);
    tally.set(label, (tally.get(label) ?? 0) + 1);
  }
  return tally;
}

describe("simulated experiments at the planned sample", () => {
  // The sample that gives a 1.5× lift on a 2 % CTR an 80 % chance at 95 % confidence.
  const planned = sampleSizePerVariant(BASE_CTR, 0.5, 0.95, 0.8);
  const plan: ExperimentPlan = { metric: "ctr", samplePerVariant: planned, confidence: 0.95 };

  it("given B truly at 1.5× A's CTR, B is declared the winner in most of 200 runs and A never", () => {
    const tally = outcomes([BASE_CTR, BASE_CTR * 1.5], plan);
    const share = (tally.get("B") ?? 0) / RUNS;
    console.info(
      `B (1.5× A's ${BASE_CTR * 100} % CTR) declared winner in ${(share * 100).toFixed(1)} % of ` +
        `${RUNS} runs at ${planned} impressions per variant`,
      Object.fromEntries(tally),
    );
    expect(planned).toBeGreaterThan(3000);
    expect(share).toBeGreaterThan(0.7);
    expect(tally.get("A") ?? 0).toBe(0);
  });

  it("given A and B equal, a winner is declared in 2 %–9 % of 200 runs (about the 5 % the test allows)", () => {
    const tally = outcomes([BASE_CTR, BASE_CTR], plan);
    const winners = (tally.get("A") ?? 0) + (tally.get("B") ?? 0);
    const share = winners / RUNS;
    console.info(
      `false winners with A = B: ${(share * 100).toFixed(1)} % of ${RUNS} runs`,
      Object.fromEntries(tally),
    );
    expect(share).toBeGreaterThanOrEqual(0.02);
    expect(share).toBeLessThanOrEqual(0.09);
  });

  it("given the default 1,000 impressions and a 2 % CTR, a 1.5× lift is usually missed: the plan decides", () => {
    const small: ExperimentPlan = { ...plan, samplePerVariant: 1000 };
    const share = (outcomes([BASE_CTR, BASE_CTR * 1.5], small).get("B") ?? 0) / RUNS;
    console.info(
      `at 1,000 impressions per variant B wins in ${(share * 100).toFixed(1)} % of runs`,
    );
    expect(share).toBeLessThan(0.5);
  });
});
