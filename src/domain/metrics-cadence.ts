/**
 * When a post's metrics are read (design.md section 6). Counters change fast in a post's first
 * day and little after, and X bills each post read at most once per UTC day, so a post is read
 * at every sync while it is young (those reads fall on one or two UTC days), then once as it
 * passes each age in `agesDays` (HERALD_METRICS_AGES, default 3, 7, 14 and 29 days): with the
 * defaults on at most six distinct UTC days over its first 30.
 */
import { utcDay } from "./x-prices.ts";

export interface MetricsCadence {
  /** Read at every sync while younger than this. */
  youngForMs: number;
  /** Then once at each of these ages, in days, ascending. */
  agesDays: readonly number[];
}

const DAY_MS = 24 * 60 * 60 * 1000;

export const DEFAULT_METRICS_AGES_DAYS: readonly number[] = [3, 7, 14, 29];

export const DEFAULT_CADENCE: MetricsCadence = {
  youngForMs: DAY_MS,
  agesDays: DEFAULT_METRICS_AGES_DAYS,
};

/**
 * Whether a post is due for a read at `now`.
 * - Young: at every sync.
 * - Read young earlier today (UTC): on through the rest of that day. X has billed it for the day
 *   already, so those reads are free and the first day's counters end more complete.
 * - Older: once per age passed since its last read (a post never read is read once at once).
 */
export function isReadDue(
  post: { publishedAt: Date; lastSyncedAt: Date | null },
  now: Date,
  cadence: MetricsCadence,
): boolean {
  const age = now.getTime() - post.publishedAt.getTime();
  if (age < cadence.youngForMs) return true;
  if (post.lastSyncedAt === null) return true;
  const lastAge = post.lastSyncedAt.getTime() - post.publishedAt.getTime();
  if (lastAge < cadence.youngForMs && utcDay(post.lastSyncedAt) === utcDay(now)) return true;
  const passed = cadence.agesDays.filter((days) => days * DAY_MS <= age);
  const latestMark = passed.length === 0 ? undefined : Math.max(...passed) * DAY_MS;
  return latestMark !== undefined && lastAge < latestMark;
}
