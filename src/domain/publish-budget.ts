/**
 * Herald's own per-account posting budget, so it stays under X's limits before X has to refuse
 * (design.md section 4). Defaults are X's documented user limits for POST /2/tweets; a free plan
 * sets them lower. Limits X reports in its headers win (the runner passes them as `blockedUntil`).
 */
export interface PostingBudget {
  per24Hours: number;
  per15Minutes: number;
}

export const DEFAULT_POSTING_BUDGET: PostingBudget = { per24Hours: 100, per15Minutes: 100 };

const DAY_MS = 24 * 60 * 60 * 1000;
const QUARTER_HOUR_MS = 15 * 60 * 1000;

/**
 * The earliest instant the account may publish again: `now` when there is room. `recent` holds
 * the account's publish (and in-flight attempt) instants of the last 24 hours.
 */
export function nextAllowedAt(
  recent: readonly Date[],
  budget: PostingBudget,
  now: Date,
  blockedUntil: Date | null = null,
): Date {
  const times = recent.map((d) => d.getTime()).sort((a, b) => a - b);
  const candidates = [
    now.getTime(),
    blockedUntil?.getTime() ?? 0,
    windowOpensAt(times, budget.per24Hours, DAY_MS, now.getTime()),
    windowOpensAt(times, budget.per15Minutes, QUARTER_HOUR_MS, now.getTime()),
  ];
  return new Date(Math.max(...candidates));
}

/** When a sliding window of `windowMs` holding at most `limit` events has room again. */
function windowOpensAt(
  sortedTimes: number[],
  limit: number,
  windowMs: number,
  now: number,
): number {
  const inWindow = sortedTimes.filter((t) => t > now - windowMs);
  if (inWindow.length < limit) return now;
  // The window frees a place when the oldest event that keeps it full slides out.
  const blocking = inWindow[inWindow.length - limit];
  return blocking === undefined ? now : blocking + windowMs;
}
