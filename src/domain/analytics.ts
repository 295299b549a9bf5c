/**
 * Campaign analytics (design.md section 6), pure: from each post's latest metrics snapshot and
 * Herald's attribution, the totals, per-campaign, per-niche and per-post rows, and per-day series
 * of a report window. A day is a calendar day in the guild's time zone, and a post counts on the
 * day it was published. What one row adds up is report-totals.ts.
 */
import { DateTime } from "luxon";
import { DEFAULT_CURRENCY } from "./currency.ts";
import { engagementsOf, type MetricsSnapshot } from "./metrics.ts";
import {
  type AnalyticsCampaign,
  type AnalyticsPost,
  type PostResult,
  type Totals,
  totalsOf,
} from "./report-totals.ts";

export type {
  AnalyticsCampaign,
  AnalyticsPost,
  Attribution,
  PostResult,
  Totals,
} from "./report-totals.ts";

export interface DailyPoint {
  /** YYYY-MM-DD in the guild's time zone. */
  date: string;
  campaignId: number;
  posts: number;
  impressions: number | null;
  clicks: number | null;
  engagements: number;
  revenue: number | null;
  conversionRate: number | null;
}

/** One post's row: what it is and its figures. */
export interface PostRow extends PostResult {
  totals: Totals;
}

export interface Analytics {
  totals: Totals;
  byCampaign: { campaign: AnalyticsCampaign; totals: Totals }[];
  byNiche: { niche: string; totals: Totals }[];
  /** Every local date of the window, oldest first, so a series has a point for quiet days. */
  dates: string[];
  /** One point per campaign per date of `dates`, zero-filled. */
  daily: DailyPoint[];
  /** Every post of the window, by campaign, then oldest first (the CSV's rows). */
  byPost: PostRow[];
  /** The best posts by impressions (then engagements), at most `topCount`. */
  top: PostRow[];
}

export interface AnalyticsInput {
  campaigns: readonly AnalyticsCampaign[];
  posts: readonly AnalyticsPost[];
  /** Any number of snapshots per post; only the latest of each post counts. */
  snapshots: readonly MetricsSnapshot[];
  /** Posts published at or after `from` and before `to` count. */
  window: { from: Date; to: Date };
  timeZone: string;
  /** The guild's ISO 4217 code: revenue is in it; other currencies' payouts are kept apart. */
  currency?: string | undefined;
  filter?: { campaignId?: number | undefined; niche?: string | undefined } | undefined;
  topCount?: number | undefined;
}

/** The latest snapshot of each post (by recordedAt). */
export function latestPerPost(snapshots: readonly MetricsSnapshot[]): Map<number, MetricsSnapshot> {
  const latest = new Map<number, MetricsSnapshot>();
  for (const snapshot of snapshots) {
    const seen = latest.get(snapshot.postId);
    if (seen === undefined || snapshot.recordedAt.getTime() > seen.recordedAt.getTime()) {
      latest.set(snapshot.postId, snapshot);
    }
  }
  return latest;
}

export function localDate(instant: Date, timeZone: string): string {
  return DateTime.fromJSDate(instant, { zone: timeZone }).toISODate() ?? "";
}

/** "HH:mm" on the wall clock of `timeZone`. */
export function localTime(instant: Date, timeZone: string): string {
  return DateTime.fromJSDate(instant, { zone: timeZone }).toFormat("HH:mm");
}

/** The local dates from `from`'s day to the day of the instant just before `to`. */
export function datesBetween(window: { from: Date; to: Date }, timeZone: string): string[] {
  return localDays(window, timeZone).map((day) => day.date);
}

interface LocalDay {
  date: string;
  /** The instant the local day starts, in ms (days are 23 to 25 hours long around DST changes). */
  startsAt: number;
}

function localDays(window: { from: Date; to: Date }, timeZone: string): LocalDay[] {
  const days: LocalDay[] = [];
  let day = DateTime.fromJSDate(window.from, { zone: timeZone }).startOf("day");
  const last = DateTime.fromJSDate(new Date(window.to.getTime() - 1), { zone: timeZone });
  while (day <= last) {
    days.push({ date: day.toISODate() ?? "", startsAt: day.toMillis() });
    day = day.plus({ days: 1 });
  }
  return days;
}

/**
 * The local date of an instant inside the days, by binary search over their start instants:
 * a report over 10,000 posts would spend most of its time building a zoned DateTime per post.
 */
function dayOf(days: readonly LocalDay[], at: number): string {
  let low = 0;
  let high = days.length - 1;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if ((days[middle]?.startsAt ?? Number.POSITIVE_INFINITY) <= at) low = middle;
    else high = middle - 1;
  }
  return days[low]?.date ?? "";
}

function byImpact(a: PostResult, b: PostResult): number {
  const impressions = (b.latest?.impressions ?? -1) - (a.latest?.impressions ?? -1);
  if (impressions !== 0) return impressions;
  const engagements =
    (b.latest === null ? -1 : engagementsOf(b.latest)) -
    (a.latest === null ? -1 : engagementsOf(a.latest));
  return engagements !== 0 ? engagements : a.post.id - b.post.id;
}

export function analyse(input: AnalyticsInput): Analytics {
  const { filter } = input;
  const campaigns = input.campaigns.filter(
    (c) =>
      (filter?.campaignId === undefined || c.id === filter.campaignId) &&
      (filter?.niche === undefined || c.niche === filter.niche),
  );
  const campaignById = new Map(campaigns.map((c) => [c.id, c]));
  const latest = latestPerPost(input.snapshots);
  const from = input.window.from.getTime();
  const to = input.window.to.getTime();
  const currency = input.currency ?? DEFAULT_CURRENCY;
  const totals = (of: readonly PostResult[]) => totalsOf(of, currency);
  const results: PostResult[] = [];
  for (const post of input.posts) {
    const campaign = campaignById.get(post.campaignId);
    const at = post.publishedAt.getTime();
    if (campaign === undefined || at < from || at >= to) continue;
    results.push({ post, campaign, latest: latest.get(post.id) ?? null });
  }

  const days = localDays(input.window, input.timeZone);
  const dates = days.map((day) => day.date);
  const daily: DailyPoint[] = [];
  const resultsByDay = groupBy(results, (r) =>
    dayKey(r.campaign.id, dayOf(days, r.post.publishedAt.getTime())),
  );
  for (const campaign of campaigns) {
    for (const date of dates) {
      const day = totals(resultsByDay.get(dayKey(campaign.id, date)) ?? []);
      daily.push({
        date,
        campaignId: campaign.id,
        posts: day.posts,
        impressions: day.impressions,
        clicks: day.clicks,
        engagements: day.engagements,
        revenue: day.revenue,
        conversionRate: day.conversionRate,
      });
    }
  }

  const resultsByCampaign = groupBy(results, (r) => r.campaign.id);
  const niches = [...new Set(campaigns.map((c) => c.niche))].sort();
  const rows = results.map((result) => ({ ...result, totals: totals([result]) }));
  const order = new Map(campaigns.map((c, i) => [c.id, i]));
  return {
    totals: totals(results),
    byCampaign: campaigns.map((campaign) => ({
      campaign,
      totals: totals(resultsByCampaign.get(campaign.id) ?? []),
    })),
    byNiche: niches.map((niche) => ({
      niche,
      totals: totals(results.filter((r) => r.campaign.niche === niche)),
    })),
    dates,
    daily,
    byPost: [...rows].sort(
      (a, b) =>
        (order.get(a.campaign.id) ?? 0) - (order.get(b.campaign.id) ?? 0) ||
        a.post.publishedAt.getTime() - b.post.publishedAt.getTime() ||
        a.post.id - b.post.id,
    ),
    top: [...rows].sort(byImpact).slice(0, input.topCount ?? 3),
  };
}

function dayKey(campaignId: number, date: string): string {
  return `${campaignId} ${date}`;
}

function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group === undefined) groups.set(k, [item]);
    else group.push(item);
  }
  return groups;
}
