/**
 * An experiment's verdict (design.md section 14), pure: from each variant's counts, its rate with
 * an interval, and once every variant reached the planned sample, the test that names a winner or
 * says none was found. No winner is named before the planned sample, whatever the numbers show:
 * looking every day and stopping at the first "significant" day inflates false winners.
 *
 * Two variants: the pooled two-proportion z-test (or, for EPC, a z-test of mean revenue per click).
 * Three or four: the chi-square test of homogeneity first; only when it finds a difference are the
 * pairs compared, with Holm's correction, and the best variant wins only if it beats every other.
 */
import {
  chiSquareHomogeneity,
  criticalZ,
  goodnessOfFit,
  holmAdjust,
  type Interval,
  meanInterval,
  meanLift,
  meanOf,
  type Proportion,
  proportionLift,
  rateOf,
  type TestResult,
  twoMeanZTest,
  twoProportionZTest,
  type ValueSample,
  wilsonInterval,
} from "./experiment-stats.ts";

/** ctr: human clicks / impressions; conversion: conversions / human clicks; epc: revenue / click. */
export const EXPERIMENT_METRICS = ["ctr", "conversion", "epc"] as const;
export type ExperimentMetric = (typeof EXPERIMENT_METRICS)[number];

/** What one variant's published posts gathered so far. */
export interface VariantCounts {
  label: string;
  posts: number;
  impressions: number;
  humanClicks: number;
  conversions: number;
  /** Approved payouts summed, and summed per click then squared (for EPC's variance). */
  revenue: number;
  revenueSquares: number;
}

export interface ExperimentPlan {
  metric: ExperimentMetric;
  samplePerVariant: number;
  /** 0.95 for 95 %. */
  confidence: number;
}

export interface VariantResult {
  label: string;
  /** Impressions for ctr, human clicks otherwise: what the planned sample counts. */
  trials: number;
  /** The rate (ctr, conversion) or mean revenue per click (epc). */
  value: number;
  interval: Interval;
}

export interface LiftResult {
  over: string;
  lift: number;
  interval: Interval;
}

export interface PairComparison {
  labels: [string, string];
  pValue: number;
  /** Holm-adjusted over every pair. */
  adjustedPValue: number;
}

export type Verdict =
  | { kind: "running" }
  | { kind: "too_few"; reason: string }
  | { kind: "winner"; winner: string }
  | { kind: "no_difference" }
  /** The variants differ, but the best is not told apart from the `leaders` (best first). */
  | { kind: "no_single_winner"; leaders: string[] };

export interface ExperimentReport {
  plan: ExperimentPlan;
  variants: VariantResult[];
  verdict: Verdict;
  /** The deciding test's p-value; null while running or with too few. */
  pValue: number | null;
  /** The best variant over each other one; empty without a test. */
  lifts: LiftResult[];
  /** Every pair, for three or four variants at the planned sample. */
  pairs: PairComparison[];
  /** Variants whose posts got far fewer impressions than their share of the slots plans. */
  sampleRatioWarning: { lagging: string[]; pValue: number } | null;
}

/** Cochran's rule: below 5 expected successes in a cell the normal approximation is not trusted. */
export const MIN_EXPECTED_COUNT = 5;
/**
 * Sample-ratio mismatch: flagged only when the imbalance is both real (p below 0.001, the usual
 * SRM threshold, since a mismatch points at a broken setup rather than chance) and large (a
 * variant below 80 % of its share): impressions of organic posts vary a lot from post to post.
 */
export const SAMPLE_RATIO_P = 0.001;
export const SAMPLE_RATIO_FLOOR = 0.8;

export function evaluateExperiment(
  plan: ExperimentPlan,
  counts: readonly VariantCounts[],
): ExperimentReport {
  if (counts.length < 2) throw new RangeError("an experiment has at least two variants");
  criticalZ(plan.confidence); // refuses a confidence outside (0, 1)
  const samples = counts.map((variant) => sampleOf(plan.metric, variant));
  const variants = counts.map((variant, index) => {
    const sample = samples[index] as Sample;
    return {
      label: variant.label,
      trials: sample.kind === "proportion" ? sample.p.trials : sample.v.trials,
      value: measuredValue(sample),
      interval: intervalOf(sample, plan.confidence),
    };
  });
  const report = {
    plan,
    variants,
    pValue: null,
    lifts: [],
    pairs: [],
    sampleRatioWarning: sampleRatioWarning(counts),
  };
  if (!variants.every((variant) => variant.trials >= plan.samplePerVariant)) {
    return { ...report, verdict: { kind: "running" } };
  }
  const tooFew = tooFewReason(plan.metric, samples);
  if (tooFew !== null) return { ...report, verdict: { kind: "too_few", reason: tooFew } };
  return { ...report, ...decide(plan, counts, samples) };
}

type Sample =
  | { kind: "proportion"; p: Proportion }
  | { kind: "values"; v: ValueSample; conversions: number };

function sampleOf(metric: ExperimentMetric, counts: VariantCounts): Sample {
  switch (metric) {
    case "ctr":
      // Clicks can come from elsewhere than the post (a shared link): never more than shown.
      return proportion(Math.min(counts.humanClicks, counts.impressions), counts.impressions);
    case "conversion":
      return proportion(Math.min(counts.conversions, counts.humanClicks), counts.humanClicks);
    case "epc":
      return {
        kind: "values",
        v: { trials: counts.humanClicks, sum: counts.revenue, sumOfSquares: counts.revenueSquares },
        conversions: counts.conversions,
      };
  }
}

function proportion(successes: number, trials: number): Sample {
  return { kind: "proportion", p: { successes, trials } };
}

function measuredValue(sample: Sample): number {
  return sample.kind === "proportion" ? rateOf(sample.p) : meanOf(sample.v);
}

function intervalOf(sample: Sample, confidence: number): Interval {
  return sample.kind === "proportion"
    ? wilsonInterval(sample.p, confidence)
    : meanInterval(sample.v, confidence);
}

function tooFewReason(metric: ExperimentMetric, samples: readonly Sample[]): string | null {
  const what = metric === "ctr" ? "clicks" : "conversions";
  const advice = `fewer than ${MIN_EXPECTED_COUNT} expected per variant. Plan a larger sample.`;
  const proportions = samples.flatMap((s) => (s.kind === "proportion" ? [s.p] : []));
  if (proportions.length === samples.length) {
    const { minExpected } = chiSquareHomogeneity(proportions);
    if (minExpected >= MIN_EXPECTED_COUNT) return null;
    // The failures' cells count too: a rate near 100 % is as untrustworthy as one near 0.
    return `Too few ${what} (or too few without one) to compare: ${advice}`;
  }
  // EPC: revenue per click is mostly zeros, so the conversions behind it must suffice.
  const values = samples.flatMap((s) => (s.kind === "values" ? [s] : []));
  const trials = values.reduce((total, s) => total + s.v.trials, 0);
  const pooled = values.reduce((total, s) => total + s.conversions, 0) / trials;
  const minExpected = Math.min(...values.map((s) => s.v.trials * pooled));
  return minExpected >= MIN_EXPECTED_COUNT ? null : `Too few ${what} to compare: ${advice}`;
}

interface Decision {
  verdict: Verdict;
  pValue: number;
  lifts: LiftResult[];
  pairs: PairComparison[];
}

function decide(
  plan: ExperimentPlan,
  counts: readonly VariantCounts[],
  samples: readonly Sample[],
): Decision {
  const alpha = 1 - plan.confidence;
  const values = samples.map(measuredValue);
  const best = values.indexOf(Math.max(...values));
  const labels = counts.map((variant) => variant.label);
  const lifts = samples.flatMap((sample, index) => {
    if (index === best) return [];
    const lift = liftOf(samples[best] as Sample, sample, plan.confidence);
    return lift === null ? [] : [{ over: labels[index] as string, ...lift }];
  });

  if (samples.length === 2) {
    const [a, b] = samples as [Sample, Sample];
    const { pValue } = testPair(a, b);
    const verdict: Verdict =
      pValue < alpha
        ? { kind: "winner", winner: labels[best] as string }
        : { kind: "no_difference" };
    return { verdict, pValue, lifts, pairs: [] };
  }

  const pairs = comparePairs(labels, samples);
  const omnibus = omnibusP(samples, pairs);
  if (omnibus >= alpha)
    return { verdict: { kind: "no_difference" }, pValue: omnibus, lifts, pairs };
  const bestLabel = labels[best] as string;
  const tiedWithBest = pairs
    .filter((pair) => pair.labels.includes(bestLabel) && pair.adjustedPValue >= alpha)
    .map((pair) => (pair.labels[0] === bestLabel ? pair.labels[1] : pair.labels[0]));
  const verdict: Verdict =
    tiedWithBest.length === 0
      ? { kind: "winner", winner: bestLabel }
      : { kind: "no_single_winner", leaders: [bestLabel, ...tiedWithBest] };
  return { verdict, pValue: omnibus, lifts, pairs };
}

/** Chi-square for rates; for EPC, Holm's own global test (the smallest adjusted p). */
function omnibusP(samples: readonly Sample[], pairs: readonly PairComparison[]): number {
  const proportions = samples.flatMap((s) => (s.kind === "proportion" ? [s.p] : []));
  if (proportions.length === samples.length) return chiSquareHomogeneity(proportions).pValue;
  return Math.min(...pairs.map((pair) => pair.adjustedPValue));
}

function comparePairs(labels: readonly string[], samples: readonly Sample[]): PairComparison[] {
  const raw: { labels: [string, string]; pValue: number }[] = [];
  for (let i = 0; i < samples.length; i += 1) {
    for (let j = i + 1; j < samples.length; j += 1) {
      raw.push({
        labels: [labels[i] as string, labels[j] as string],
        pValue: testPair(samples[i] as Sample, samples[j] as Sample).pValue,
      });
    }
  }
  const adjusted = holmAdjust(raw.map((pair) => pair.pValue));
  return raw.map((pair, index) => ({ ...pair, adjustedPValue: adjusted[index] as number }));
}

function testPair(a: Sample, b: Sample): TestResult {
  if (a.kind === "proportion" && b.kind === "proportion") return twoProportionZTest(a.p, b.p);
  if (a.kind === "values" && b.kind === "values") return twoMeanZTest(a.v, b.v);
  throw new Error("variants of one experiment are measured alike");
}

function liftOf(better: Sample, other: Sample, confidence: number) {
  if (better.kind === "proportion" && other.kind === "proportion") {
    return proportionLift(better.p, other.p, confidence);
  }
  if (better.kind === "values" && other.kind === "values") {
    return meanLift(better.v, other.v, confidence);
  }
  return null;
}

/**
 * The rotation gives each variant an equal share of slots, so each should get about its share of
 * impressions per published post; compared by posts published, a variant one post behind in the
 * rotation is not flagged.
 */
function sampleRatioWarning(
  counts: readonly VariantCounts[],
): ExperimentReport["sampleRatioWarning"] {
  const impressions = counts.map((variant) => variant.impressions);
  const posts = counts.map((variant) => variant.posts);
  const { pValue } = goodnessOfFit(impressions, posts);
  if (pValue >= SAMPLE_RATIO_P) return null;
  const total = impressions.reduce((sum, value) => sum + value, 0);
  const totalPosts = posts.reduce((sum, value) => sum + value, 0);
  const lagging = counts
    .filter(
      (variant) =>
        variant.posts > 0 &&
        variant.impressions < SAMPLE_RATIO_FLOOR * ((total * variant.posts) / totalPosts),
    )
    .map((variant) => variant.label);
  return lagging.length === 0 ? null : { lagging, pValue };
}
