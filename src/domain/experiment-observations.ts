/**
 * What an experiment's posts gathered, as of any instant (pure): the counts the verdict reads, now
 * and at the end of each day for the chart. Impressions come from each post's latest metrics
 * snapshot before the instant; clicks are Herald's human clicks (one per visitor, post and hour)
 * on tracked posts, and X's link clicks on posts that went out untracked.
 */
import { DateTime } from "luxon";
import type { VariantCounts } from "./experiment-verdict.ts";

export interface ObservedPost {
  postId: number;
  label: string;
  publishedAt: Date;
  /** The post went out with Herald's own link (its clicks are counted by Herald). */
  tracked: boolean;
}

export interface ExperimentObservations {
  posts: ObservedPost[];
  snapshots: {
    postId: number;
    impressions: number | null;
    urlLinkClicks: number | null;
    recordedAt: Date;
  }[];
  /** Human clicks only (bots are never counted). */
  clicks: { postId: number; at: Date; visitorHash: string; hour: string }[];
  /** Approved conversions in the guild's currency. */
  conversions: { postId: number; clickId: string; payout: number; at: Date }[];
}

/** Each variant's counts from what happened up to and including `cutoff`. */
export function countsAt(
  observations: ExperimentObservations,
  labels: readonly string[],
  cutoff: Date,
): VariantCounts[] {
  const until = cutoff.getTime();
  const labelOf = new Map<number, ObservedPost>();
  for (const post of observations.posts) {
    if (post.publishedAt.getTime() <= until) labelOf.set(post.postId, post);
  }
  const counts = new Map(
    labels.map((label) => [
      label,
      {
        label,
        posts: 0,
        impressions: 0,
        humanClicks: 0,
        conversions: 0,
        revenue: 0,
        revenueSquares: 0,
      },
    ]),
  );
  const of = (postId: number) => {
    const post = labelOf.get(postId);
    return post === undefined ? undefined : { post, counts: counts.get(post.label) };
  };
  for (const post of labelOf.values()) {
    const entry = counts.get(post.label);
    if (entry !== undefined) entry.posts += 1;
  }

  const latest = new Map<number, ExperimentObservations["snapshots"][number]>();
  for (const snapshot of observations.snapshots) {
    if (snapshot.recordedAt.getTime() > until) continue;
    const current = latest.get(snapshot.postId);
    if (current === undefined || current.recordedAt < snapshot.recordedAt) {
      latest.set(snapshot.postId, snapshot);
    }
  }
  for (const snapshot of latest.values()) {
    const found = of(snapshot.postId);
    if (found?.counts === undefined) continue;
    found.counts.impressions += snapshot.impressions ?? 0;
    if (!found.post.tracked) found.counts.humanClicks += snapshot.urlLinkClicks ?? 0;
  }

  const visits = new Set<string>();
  for (const click of observations.clicks) {
    if (click.at.getTime() > until) continue;
    const found = of(click.postId);
    if (found?.counts === undefined || !found.post.tracked) continue;
    const visit = `${click.postId}|${click.visitorHash}|${click.hour}`;
    if (visits.has(visit)) continue;
    visits.add(visit);
    found.counts.humanClicks += 1;
  }

  // EPC's variance is over clicks, so a click's payouts are summed before squaring.
  const perClick = new Map<string, { label: string; payout: number }>();
  for (const conversion of observations.conversions) {
    if (conversion.at.getTime() > until) continue;
    const found = of(conversion.postId);
    if (found?.counts === undefined) continue;
    found.counts.conversions += 1;
    found.counts.revenue += conversion.payout;
    const click = perClick.get(conversion.clickId) ?? { label: found.post.label, payout: 0 };
    click.payout += conversion.payout;
    perClick.set(conversion.clickId, click);
  }
  for (const click of perClick.values()) {
    const entry = counts.get(click.label);
    if (entry !== undefined) entry.revenueSquares += click.payout ** 2;
  }
  return [...counts.values()];
}

/** At most this many days on the chart: the latest ones. */
export const MAX_SERIES_DAYS = 60;

/**
 * The end of each local day from the first publish to `now` (the last point is `now` itself), in
 * `timeZone`: the instants the chart shows the experiment at.
 */
export function seriesCutoffs(
  observations: ExperimentObservations,
  timeZone: string,
  now: Date,
): { date: string; cutoff: Date }[] {
  const first = Math.min(...observations.posts.map((post) => post.publishedAt.getTime()));
  if (!Number.isFinite(first) || first > now.getTime()) return [];
  const points: { date: string; cutoff: Date }[] = [];
  let day = DateTime.fromMillis(first, { zone: timeZone }).startOf("day");
  const today = DateTime.fromJSDate(now, { zone: timeZone }).startOf("day");
  while (day <= today) {
    const end = Math.min(day.plus({ days: 1 }).toMillis() - 1, now.getTime());
    points.push({ date: day.toFormat("yyyy-MM-dd"), cutoff: new Date(end) });
    day = day.plus({ days: 1 });
  }
  return points.slice(-MAX_SERIES_DAYS);
}
