/**
 * The statistics behind an experiment's verdict (design.md section 14), pure. The distributions
 * come from @stdlib (normal CDF and quantile, chi-square CDF): maintained, typed, and the only
 * small packages that also have the chi-square CDF the 2×k test needs. The tests themselves are
 * written here and checked against textbook examples in tests/unit/experiment-stats.test.ts.
 *
 * Choices:
 * - A rate's interval is Wilson's score interval, not Wald's: Wald's p ± z·√(p(1−p)/n) collapses
 *   to [0, 0] for a variant with no clicks and leaves [0, 1] at small counts, Wilson's does not.
 * - The two-proportion z-test pools the rates (the standard error under "no difference"), so its
 *   z² is exactly Pearson's chi-square of the 2×2 table.
 * - Lift is a ratio of rates minus one, its interval Katz's log interval for a risk ratio.
 */
import chiSquareCdf from "@stdlib/stats-base-dists-chisquare-cdf";
import normalCdf from "@stdlib/stats-base-dists-normal-cdf";
import normalQuantile from "@stdlib/stats-base-dists-normal-quantile";

/** `successes` out of `trials`: clicks out of impressions, conversions out of clicks. */
export interface Proportion {
  successes: number;
  trials: number;
}

/** Per-trial values (revenue per click) summed, and their squares summed, over `trials`. */
export interface ValueSample {
  trials: number;
  sum: number;
  sumOfSquares: number;
}

export interface Interval {
  low: number;
  high: number;
}

export interface TestResult {
  statistic: number;
  pValue: number;
}

export interface ChiSquareResult extends TestResult {
  degreesOfFreedom: number;
  /** The smallest expected cell count: below 5 the chi-square approximation is not trusted. */
  minExpected: number;
}

/** The two-sided critical value: 1.96 for 0.95. */
export function criticalZ(confidence: number): number {
  if (!(confidence > 0 && confidence < 1)) {
    throw new RangeError(`confidence must lie strictly between 0 and 1, got ${confidence}`);
  }
  return normalQuantile(1 - (1 - confidence) / 2, 0, 1);
}

export function rateOf({ successes, trials }: Proportion): number {
  return trials === 0 ? 0 : successes / trials;
}

/** Wilson's score interval; [0, 1] when there are no trials: nothing is known yet. */
export function wilsonInterval({ successes, trials }: Proportion, confidence: number): Interval {
  if (trials === 0) return { low: 0, high: 1 };
  const z = criticalZ(confidence);
  const p = successes / trials;
  const z2n = (z * z) / trials;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = (z * Math.sqrt((p * (1 - p)) / trials + z2n / (4 * trials))) / (1 + z2n);
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/**
 * Pooled two-proportion z-test, two-sided; z > 0 when `b`'s rate is higher. When every trial
 * failed (or every one succeeded) nothing tells the variants apart: z = 0, p = 1.
 */
export function twoProportionZTest(a: Proportion, b: Proportion): TestResult {
  const pooled = (a.successes + b.successes) / (a.trials + b.trials);
  const standardError = Math.sqrt(pooled * (1 - pooled) * (1 / a.trials + 1 / b.trials));
  if (!(standardError > 0)) return { statistic: 0, pValue: 1 };
  return zResult((rateOf(b) - rateOf(a)) / standardError);
}

/**
 * Pearson's chi-square test of homogeneity for a 2×k table (successes and failures per variant):
 * do the k rates differ? Cells whose expected count is 0 (no successes anywhere) add nothing.
 */
export function chiSquareHomogeneity(samples: readonly Proportion[]): ChiSquareResult {
  if (samples.length < 2) throw new RangeError("a chi-square test needs at least two samples");
  const trials = sum(samples.map((sample) => sample.trials));
  const pooled = sum(samples.map((sample) => sample.successes)) / trials;
  let statistic = 0;
  let minExpected = Number.POSITIVE_INFINITY;
  for (const sample of samples) {
    const cells: [number, number][] = [
      [sample.successes, sample.trials * pooled],
      [sample.trials - sample.successes, sample.trials * (1 - pooled)],
    ];
    for (const [observed, expected] of cells) {
      minExpected = Math.min(minExpected, expected);
      if (expected > 0) statistic += (observed - expected) ** 2 / expected;
    }
  }
  const degreesOfFreedom = samples.length - 1;
  return {
    statistic,
    degreesOfFreedom,
    pValue: 1 - chiSquareCdf(statistic, degreesOfFreedom),
    minExpected,
  };
}

/**
 * Holm's step-down adjustment (Holm 1979), in the input's order: the i-th smallest of m p-values
 * is multiplied by m − i + 1, kept at least as large as the one before it, capped at 1. Rejecting
 * where the adjusted p is below α keeps the chance of any false rejection at α.
 */
export function holmAdjust(pValues: readonly number[]): number[] {
  const order = pValues.map((p, index) => ({ p, index })).sort((x, y) => x.p - y.p);
  const adjusted = new Array<number>(pValues.length);
  let running = 0;
  order.forEach(({ p, index }, rank) => {
    running = Math.max(running, Math.min(1, (pValues.length - rank) * p));
    adjusted[index] = running;
  });
  return adjusted;
}

/**
 * How much higher `better`'s rate is than `other`'s (0.5 = 50 % more), with Katz's log interval
 * for the ratio. Null when `other` has no successes (any lift is infinite) or `better` has none.
 */
export function proportionLift(
  better: Proportion,
  other: Proportion,
  confidence: number,
): { lift: number; interval: Interval } | null {
  if (better.successes === 0 || other.successes === 0) return null;
  const ratio = rateOf(better) / rateOf(other);
  const logError = Math.sqrt(
    (1 - rateOf(better)) / better.successes + (1 - rateOf(other)) / other.successes,
  );
  return ratioLift(ratio, logError, confidence);
}

/**
 * Trials per variant for a two-sided pooled z-test at `confidence` to detect `baseRate` rising to
 * baseRate × (1 + relativeLift) with probability `power` (Fleiss, Levin and Paik, Statistical
 * Methods for Rates and Proportions, 3rd ed., formula 4.14, without continuity correction).
 */
export function sampleSizePerVariant(
  baseRate: number,
  relativeLift: number,
  confidence: number,
  power: number,
): number {
  const other = baseRate * (1 + relativeLift);
  if (!(baseRate > 0 && other < 1 && relativeLift !== 0 && power > 0 && power < 1)) {
    throw new RangeError("sample size needs 0 < rate < 1, a non-zero lift and 0 < power < 1");
  }
  const mean = (baseRate + other) / 2;
  const root =
    criticalZ(confidence) * Math.sqrt(2 * mean * (1 - mean)) +
    normalQuantile(power, 0, 1) * Math.sqrt(baseRate * (1 - baseRate) + other * (1 - other));
  return Math.ceil((root / (other - baseRate)) ** 2);
}

export function meanOf({ trials, sum: total }: ValueSample): number {
  return trials === 0 ? 0 : total / trials;
}

/** The sample variance (n − 1 in the denominator); 0 below two trials. */
export function varianceOf(sample: ValueSample): number {
  if (sample.trials < 2) return 0;
  const mean = meanOf(sample);
  return Math.max(0, (sample.sumOfSquares - sample.trials * mean * mean) / (sample.trials - 1));
}

/** The normal interval for a mean (large samples: EPC is judged on 100 clicks or more). */
export function meanInterval(sample: ValueSample, confidence: number): Interval {
  const mean = meanOf(sample);
  if (sample.trials === 0) return { low: 0, high: 0 };
  const half = criticalZ(confidence) * Math.sqrt(varianceOf(sample) / sample.trials);
  return { low: Math.max(0, mean - half), high: mean + half };
}

/** Two-sample z-test of means with unpooled variances (Welch's, large samples), two-sided. */
export function twoMeanZTest(a: ValueSample, b: ValueSample): TestResult {
  const standardError = Math.sqrt(varianceOf(a) / a.trials + varianceOf(b) / b.trials);
  if (!(standardError > 0)) return { statistic: 0, pValue: 1 };
  return zResult((meanOf(b) - meanOf(a)) / standardError);
}

/** Lift of `better`'s mean over `other`'s, delta-method interval on the log of the ratio. */
export function meanLift(
  better: ValueSample,
  other: ValueSample,
  confidence: number,
): { lift: number; interval: Interval } | null {
  const betterMean = meanOf(better);
  const otherMean = meanOf(other);
  if (betterMean <= 0 || otherMean <= 0) return null;
  const logError = Math.sqrt(
    varianceOf(better) / (better.trials * betterMean ** 2) +
      varianceOf(other) / (other.trials * otherMean ** 2),
  );
  return ratioLift(betterMean / otherMean, logError, confidence);
}

/**
 * Chi-square goodness of fit of observed counts against the shares `weights` plan for (equal
 * weights: equal shares). Entries with no weight take no part.
 */
export function goodnessOfFit(observed: readonly number[], weights: readonly number[]): TestResult {
  const cells = observed
    .map((count, index) => ({ count, weight: weights[index] ?? 0 }))
    .filter((cell) => cell.weight > 0);
  const total = sum(cells.map((cell) => cell.count));
  const totalWeight = sum(cells.map((cell) => cell.weight));
  if (cells.length < 2 || total === 0) return { statistic: 0, pValue: 1 };
  const statistic = sum(
    cells.map(({ count, weight }) => {
      const expected = (total * weight) / totalWeight;
      return (count - expected) ** 2 / expected;
    }),
  );
  return { statistic, pValue: 1 - chiSquareCdf(statistic, cells.length - 1) };
}

function ratioLift(
  ratio: number,
  logError: number,
  confidence: number,
): { lift: number; interval: Interval } {
  const half = criticalZ(confidence) * logError;
  return {
    lift: ratio - 1,
    interval: {
      low: Math.exp(Math.log(ratio) - half) - 1,
      high: Math.exp(Math.log(ratio) + half) - 1,
    },
  };
}

function zResult(statistic: number): TestResult {
  // From the lower tail: 1 − Φ(|z|) loses every digit below 1e-16 to rounding.
  return { statistic, pValue: Math.min(1, 2 * normalCdf(-Math.abs(statistic), 0, 1)) };
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
