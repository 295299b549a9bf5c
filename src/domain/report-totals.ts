/**
 * The figures of one report row (design.md section 6), pure: a post, a campaign, a niche or all
 * of them are each the sum of their posts. Herald's own counts (human clicks, conversions) stand
 * beside X's link clicks; revenue is measured where the campaign receives conversion postbacks and
 * estimated from X's clicks × EPC elsewhere, and says which.
 *
 * Unknown is kept apart from zero: a total of a counter no post reported is null (n/a), and a
 * total over some known and some unknown posts sums the known ones.
 */
import { DEFAULT_CURRENCY } from "./currency.ts";
import { engagementRate, engagementsOf, type MetricsSnapshot } from "./metrics.ts";

export interface AnalyticsCampaign {
  id: number;
  name: string;
  niche: string;
  /** Estimated earnings per click: revenue = X's clicks × EPC where no postbacks arrive. */
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
  /** Approved conversions, whatever their currency. */
  conversions: number;
  /** Approved conversions' payouts per currency as stored (null: sent before currencies were kept). */
  payouts: readonly { currency: string | null; amount: number }[];
  /**
   * The post's campaign has received at least one postback (any status, any time): its network
   * reports conversions, so a tracked post without any earned nothing rather than "unknown".
   */
  measured: boolean;
}

export interface PostResult {
  post: AnalyticsPost;
  campaign: AnalyticsCampaign;
  latest: MetricsSnapshot | null;
}

export interface Totals {
  posts: number;
  impressions: number | null;
  /** X's link clicks (url_link_clicks). */
  clicks: number | null;
  engagements: number;
  /** engagements / impressions over posts whose impressions are known; 0 when there are none. */
  engagementRate: number;
  /**
   * In the guild's currency: approved payouts for measured posts, X's link clicks × EPC for the
   * others. `revenueMeasured` and `revenueEstimated` say which kinds it holds (both: partly).
   */
  revenue: number | null;
  revenueMeasured: boolean;
  revenueEstimated: boolean;
  /** Approved payouts sent in other currencies, by code: shown apart, never converted. */
  otherCurrencies: Record<string, number>;
  /** Herald's counted clicks on tracked posts; null when no post in the total is tracked. */
  humanClicks: number | null;
  conversions: number;
  /** conversions / human clicks of measured posts; null without measured human clicks. */
  conversionRate: number | null;
  /** Revenue per click it was earned on: human clicks where measured, X's clicks where estimated. */
  epc: number | null;
  costUsd: number;
  /** (revenue − cost) / cost; null without cost, without revenue, or with revenue not in USD. */
  roi: number | null;
}

/**
 * Return on X spend. X bills in US dollars, so revenue in another currency has no ROI: Herald
 * does not convert with a rate it would have to invent.
 */
export function roiOf(revenue: number | null, costUsd: number, currency: string): number | null {
  if (currency !== "USD" || costUsd <= 0 || revenue === null) return null;
  return (revenue - costUsd) / costUsd;
}

/** Adds a known value to a total that stays null until some post reports the counter. */
function addKnown(total: number | null, value: number | null): number | null {
  if (value === null) return total;
  return (total ?? 0) + value;
}

/** `currency`: the guild's; a payout stored without one is in it. */
export function totalsOf(
  results: readonly PostResult[],
  currency: string = DEFAULT_CURRENCY,
): Totals {
  let impressions: number | null = null;
  let clicks: number | null = null;
  let revenue: number | null = null;
  let engagements = 0;
  let rateEngagements = 0;
  let costUsd = 0;
  let humanClicks: number | null = null;
  let measuredClicks = 0;
  let measuredPosts = 0;
  let revenueClicks = 0;
  let conversions = 0;
  let revenueEstimated = false;
  const otherCurrencies: Record<string, number> = {};
  for (const { latest, campaign, post } of results) {
    costUsd += post.costUsd ?? 0;
    const attribution = post.attribution ?? null;
    if (attribution !== null) humanClicks = addKnown(humanClicks, attribution.humanClicks);
    const measured = attribution?.measured === true ? attribution : null;
    if (measured !== null) {
      measuredPosts += 1;
      measuredClicks += measured.humanClicks;
      revenueClicks += measured.humanClicks;
      conversions += measured.conversions;
      revenue = revenue ?? 0;
      for (const payout of measured.payouts) {
        const code = payout.currency ?? currency;
        if (code === currency) revenue += payout.amount;
        else otherCurrencies[code] = (otherCurrencies[code] ?? 0) + payout.amount;
      }
    }
    if (latest === null) continue;
    const postEngagements = engagementsOf(latest);
    engagements += postEngagements;
    impressions = addKnown(impressions, latest.impressions);
    if (latest.impressions !== null) rateEngagements += postEngagements;
    clicks = addKnown(clicks, latest.urlLinkClicks);
    if (measured === null && latest.urlLinkClicks !== null) {
      revenue = addKnown(revenue, latest.urlLinkClicks * campaign.epc);
      revenueClicks += latest.urlLinkClicks;
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
    revenueMeasured: measuredPosts > 0,
    revenueEstimated,
    otherCurrencies,
    humanClicks,
    conversions,
    conversionRate: measuredClicks === 0 ? null : conversions / measuredClicks,
    epc: revenue === null || revenueClicks === 0 ? null : revenue / revenueClicks,
    costUsd,
    roi: roiOf(revenue, costUsd, currency),
  };
}
