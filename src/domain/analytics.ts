/**
 * Campaign analytics (design.md section 6), pure: from each post's latest metrics snapshot, the
 * totals, per-campaign and per-niche rows, and per-day series of a report window. A day is a
 * calendar day in the guild's time zone, and a post counts on the day it was published.
 *
 * Unknown is kept apart from zero: a total of a counter no post reported is null (n/a), and a
 * total over some known and some unknown posts sums the known ones.
 */
import { DateTime } from "luxon";
import { engagementRate, engagementsOf, type MetricsSnapshot } from "./metrics.ts";

export interface AnalyticsCampaign {
  id: number;
  name: string;
  niche: string;
  /** Estimated earnings per click: revenue = clicks × EPC until conversion postbacks exist. */
  epc: number;
}

export interface AnalyticsPost {
  id: number;
  campaignId: number;
  xPostId: string | null;
  text: string;
  publishedAt: Date;
  /** What X billed for the publish, in US dollars; null when not recorded. */
  costUsd: number | null;
  /** Herald's own measurement of a tracked post (design.md section 13); null when not tracked. */
  attribution?: Attribution | null | undefined;
}

/** Clicks and conversions Herald counted for one tracked post. */
export interface Attribution {
  /** One per visitor, post and hour; bots never count. */
  humanClicks: number;
  /** Approved conversions. */
  conversions: number;
  /** Payouts of approved conversions, in the guild's currency (other currencies left out). */
  revenue: number;
}

export interface Totals {
  posts: number;
  impressions: number | null;
  clicks: number | null;
  engagements: number;
  /** engagements / impressions over posts whose impressions are known; 0 when there are none. */
  engagementRate: number;
  /**
   * Measured (approved conversions' payouts) for tracked posts, X's link clicks × EPC for the
   * others; `revenueEstimated` says whether any of it is the estimate.
   */
  revenue: number | null;
  revenueEstimated: boolean;
  /** Herald's counted clicks on tracked posts; null when no post in the total is tracked. */
  humanClicks: number | null;
  conversions: number;
  /** conversions / human clicks; null without human clicks. */
  conversionRate: number | null;
  costUsd: number;
  /** (revenue − cost) / cost; null without cost or without known clicks. */
  roi: number | null;
}

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

export interface PostResult {
  post: AnalyticsPost;
  campaign: AnalyticsCampaign;
  latest: MetricsSnapshot | null;
}

export interface Analytics {
  totals: Totals;
  byCampaign: { campaign: AnalyticsCampaign; totals: Totals }[];
  byNiche: { niche: string; totals: Totals }[];
  /** Every local date of the window, oldest first, so a series has a point for quiet days. */
  dates: string[];
  /** One point per campaign per date of `dates`, zero-filled. */
  daily: DailyPoint[];
  /** The best posts by impressions (then engagements), at most `topCount`. */
  top: PostResult[];
}

export interface AnalyticsInput {
  campaigns: readonly AnalyticsCampaign[];
  posts: readonly AnalyticsPost[];
  /** Any number of snapshots per post; only the latest of each post counts. */
  snapshots: readonly MetricsSnapshot[];
  /** Posts published at or after `from` and before `to` count. */
  window: { from: Date; to: Date };
  timeZone: string;
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

/** Adds a known value to a total that stays null until some post reports the counter. */
function addKnown(total: number | null, value: number | null): number | null {
  if (value === null) return total;
  return (total ?? 0) + value;
}

function totalsOf(results: readonly PostResult[]): Totals {
  let impressions: number | null = null;
  let clicks: number | null = null;
  let revenue: number | null = null;
  let engagements = 0;
  let rateEngagements = 0;
  let costUsd = 0;
  let humanClicks: number | null = null;
  let conversions = 0;
  let revenueEstimated = false;
  for (const { latest, campaign, post } of results) {
    costUsd += post.costUsd ?? 0;
    const attribution = post.attribution ?? null;
    if (attribution !== null) {
      humanClicks = addKnown(humanClicks, attribution.humanClicks);
      conversions += attribution.conversions;
      revenue = addKnown(revenue, attribution.revenue);
    }
    if (latest === null) continue;
    const postEngagements = engagementsOf(latest);
    engagements += postEngagements;
    impressions = addKnown(impressions, latest.impressions);
    if (latest.impressions !== null) rateEngagements += postEngagements;
    clicks = addKnown(clicks, latest.urlLinkClicks);
    if (attribution === null && latest.urlLinkClicks !== null) {
      revenue = addKnown(revenue, latest.urlLinkClicks * campaign.epc);
      revenueEstimated = true;
    }
  }
  return {
    posts: results.length,
    impressions,
    clicks,
    engagements,
    engagementRate: engagementRate(rateEngagements, impressions),
    revenue,
    revenueEstimated,
    humanClicks,
    conversions,
    conversionRate: humanClicks === null || humanClicks === 0 ? null : conversions / humanClicks,
    costUsd,
    roi: costUsd > 0 && revenue !== null ? (revenue - costUsd) / costUsd : null,
  };
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
      const totals = totalsOf(resultsByDay.get(dayKey(campaign.id, date)) ?? []);
      daily.push({
        date,
        campaignId: campaign.id,
        posts: totals.posts,
        impressions: totals.impressions,
        clicks: totals.clicks,
        engagements: totals.engagements,
        revenue: totals.revenue,
        conversionRate: totals.conversionRate,
      });
    }
  }

  const resultsByCampaign = groupBy(results, (r) => r.campaign.id);
  const niches = [...new Set(campaigns.map((c) => c.niche))].sort();
  return {
    totals: totalsOf(results),
    byCampaign: campaigns.map((campaign) => ({
      campaign,
      totals: totalsOf(resultsByCampaign.get(campaign.id) ?? []),
    })),
    byNiche: niches.map((niche) => ({
      niche,
      totals: totalsOf(results.filter((r) => r.campaign.niche === niche)),
    })),
    dates,
    daily,
    top: [...results].sort(byImpact).slice(0, input.topCount ?? 3),
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
