import { describe, expect, it } from "vitest";
import {
  type AnalyticsCampaign,
  type AnalyticsPost,
  analyse,
  datesBetween,
} from "../../src/domain/analytics.ts";
import { type MetricsSnapshot, snapshotOf } from "../../src/domain/metrics.ts";
import { reportWindow } from "../../src/domain/reports.ts";

// A hand-computed fixture. The guild is in Europe/Berlin (UTC+1 in November); "now" is
// 2026-11-20 13:00 Berlin, so the 7-day range starts 2026-11-14 00:00 Berlin = 11-13 23:00Z.
const TIME_ZONE = "Europe/Berlin";
const NOW = new Date("2026-11-20T12:00:00Z");

const desk: AnalyticsCampaign = { id: 1, name: "Desk", niche: "gadgets", epc: 0.5 };
const garden: AnalyticsCampaign = { id: 2, name: "Garden", niche: "home", epc: 1 };
const lamps: AnalyticsCampaign = { id: 3, name: "Lamps", niche: "gadgets", epc: 0.2 };

const post = (
  id: number,
  campaignId: number,
  publishedAt: string,
  costUsd: number | null,
): AnalyticsPost => ({
  id,
  campaignId,
  xPostId: String(1_800_000_000_000_000_000n + BigInt(id)),
  text: `post ${id}`,
  publishedAt: new Date(publishedAt),
  costUsd,
});

const posts = [
  // 00:30 Berlin on 11-14 (still 11-13 in UTC): inside the range, on the 14th.
  post(1, desk.id, "2026-11-13T23:30:00Z", 0.2),
  // 23:30 Berlin on 11-13: outside the range although it is within 7×24 h of now.
  post(2, desk.id, "2026-11-13T22:30:00Z", 0.2),
  post(3, garden.id, "2026-11-19T10:00:00Z", 0.015),
  post(4, lamps.id, "2026-11-20T11:00:00Z", null),
  post(5, garden.id, "2026-11-18T08:00:00Z", 0.2),
];

const counts = (
  impressions: number | null,
  likes: number,
  reposts: number,
  replies: number,
  quotes: number,
  urlLinkClicks: number | null,
) => ({ impressions, likes, reposts, replies, quotes, bookmarks: null, urlLinkClicks });

const snapshots: MetricsSnapshot[] = [
  // Post 1's latest snapshot comes first in the list: recordedAt decides, not the order.
  snapshotOf(1, counts(1000, 30, 10, 5, 5, 40), new Date("2026-11-20T10:00:00Z")),
  snapshotOf(1, counts(100, 1, 0, 0, 0, 2), new Date("2026-11-15T10:00:00Z")),
  snapshotOf(1, counts(400, 9, 1, 0, 0, 8), new Date("2026-11-17T10:00:00Z")),
  snapshotOf(2, counts(9999, 99, 99, 99, 99, 999), new Date("2026-11-20T10:00:00Z")),
  snapshotOf(3, counts(500, 10, 5, 5, 0, 10), new Date("2026-11-20T10:00:00Z")),
  snapshotOf(4, counts(0, 0, 0, 0, 0, 0), new Date("2026-11-20T11:30:00Z")),
  // X left out non-public metrics: impressions and clicks unknown.
  snapshotOf(5, counts(null, 4, 0, 0, 0, null), new Date("2026-11-20T10:00:00Z")),
];

const window = reportWindow("7d", NOW, TIME_ZONE);
const input = {
  campaigns: [desk, garden, lamps],
  posts,
  snapshots,
  window,
  timeZone: TIME_ZONE,
};

describe("analyse", () => {
  it("given several snapshots per post, counts only each post's latest and only posts published in the guild's 7 local days", () => {
    const { totals } = analyse(input);
    expect(totals).toEqual({
      posts: 4,
      impressions: 1500,
      clicks: 50,
      engagements: 74,
      // Post 5's engagements are left out of the rate: its impressions are unknown.
      engagementRate: 70 / 1500,
      revenue: 40 * 0.5 + 10 * 1 + 0 * 0.2,
      revenueMeasured: false,
      revenueEstimated: true,
      otherCurrencies: {},
      humanClicks: null,
      conversions: 0,
      conversionRate: null,
      // Estimated revenue over the X clicks it was estimated from (post 5's are unknown).
      epc: 30 / 50,
      costUsd: expect.closeTo(0.415, 9),
      roi: expect.closeTo((30 - 0.415) / 0.415, 9),
    });
  });

  it("given a campaign whose post had zero impressions, its engagement rate is 0, not NaN, and without cost its ROI is unknown", () => {
    const lampsRow = analyse(input).byCampaign.find((row) => row.campaign.id === lamps.id);
    expect(lampsRow?.totals).toEqual({
      posts: 1,
      impressions: 0,
      clicks: 0,
      engagements: 0,
      engagementRate: 0,
      revenue: 0,
      revenueMeasured: false,
      revenueEstimated: true,
      otherCurrencies: {},
      humanClicks: null,
      conversions: 0,
      conversionRate: null,
      epc: null,
      costUsd: 0,
      roi: null,
    });
  });

  it("gives one row per campaign and per niche, with unknown counters summed over the known posts only", () => {
    const result = analyse(input);
    expect(result.byCampaign.map((row) => [row.campaign.name, row.totals])).toEqual([
      [
        "Desk",
        {
          posts: 1,
          impressions: 1000,
          clicks: 40,
          engagements: 50,
          engagementRate: 0.05,
          revenue: 20,
          revenueMeasured: false,
          revenueEstimated: true,
          otherCurrencies: {},
          humanClicks: null,
          conversions: 0,
          conversionRate: null,
          epc: 0.5,
          costUsd: 0.2,
          roi: 99,
        },
      ],
      [
        "Garden",
        {
          posts: 2,
          impressions: 500,
          clicks: 10,
          engagements: 24,
          engagementRate: 0.04,
          revenue: 10,
          revenueMeasured: false,
          revenueEstimated: true,
          otherCurrencies: {},
          humanClicks: null,
          conversions: 0,
          conversionRate: null,
          epc: 1,
          costUsd: expect.closeTo(0.215, 9),
          roi: expect.closeTo((10 - 0.215) / 0.215, 9),
        },
      ],
      ["Lamps", expect.objectContaining({ posts: 1, impressions: 0 })],
    ]);
    expect(
      result.byNiche.map((row) => [row.niche, row.totals.posts, row.totals.impressions]),
    ).toEqual([
      ["gadgets", 2, 1000],
      ["home", 2, 500],
    ]);
  });

  it("given the niche filter, keeps only that niche's campaigns; given the campaign filter, only that campaign", () => {
    const gadgets = analyse({ ...input, filter: { niche: "gadgets" } });
    expect(gadgets.byCampaign.map((row) => row.campaign.name)).toEqual(["Desk", "Lamps"]);
    expect(gadgets.totals).toMatchObject({
      posts: 2,
      impressions: 1000,
      clicks: 40,
      engagementRate: 0.05,
      revenue: 20,
    });

    const onlyGarden = analyse({ ...input, filter: { campaignId: garden.id } });
    expect(onlyGarden.byCampaign.map((row) => row.campaign.name)).toEqual(["Garden"]);
    expect(onlyGarden.totals).toMatchObject({ posts: 2, impressions: 500, clicks: 10 });
    expect(onlyGarden.top.map((r) => r.post.id)).toEqual([3, 5]);
  });

  it("puts each post on its publish day in the guild's time zone, with a zero point for every quiet day", () => {
    const result = analyse(input);
    expect(result.dates).toEqual([
      "2026-11-14",
      "2026-11-15",
      "2026-11-16",
      "2026-11-17",
      "2026-11-18",
      "2026-11-19",
      "2026-11-20",
    ]);
    const series = (campaignId: number) =>
      result.daily
        .filter((p) => p.campaignId === campaignId && p.posts > 0)
        .map((p) => [p.date, p.impressions, p.clicks, p.engagements]);
    expect(series(desk.id)).toEqual([["2026-11-14", 1000, 40, 50]]);
    expect(series(garden.id)).toEqual([
      ["2026-11-18", null, null, 4],
      ["2026-11-19", 500, 10, 20],
    ]);
    expect(result.daily).toHaveLength(3 * 7);
    expect(result.daily.find((p) => p.campaignId === desk.id && p.date === "2026-11-15")).toEqual({
      date: "2026-11-15",
      campaignId: desk.id,
      posts: 0,
      impressions: null,
      clicks: null,
      engagements: 0,
      revenue: null,
      conversionRate: null,
    });
  });

  it("ranks the top three posts by impressions and leaves out posts whose impressions are unknown", () => {
    expect(analyse(input).top.map((r) => [r.post.id, r.latest?.impressions])).toEqual([
      [1, 1000],
      [3, 500],
      [4, 0],
    ]);
  });

  it("given no snapshot for a post, counts the post and its cost but reports its counters as unknown", () => {
    const result = analyse({ ...input, snapshots: [], filter: { campaignId: desk.id } });
    expect(result.totals).toMatchObject({
      posts: 1,
      impressions: null,
      clicks: null,
      revenue: null,
      engagementRate: 0,
      costUsd: 0.2,
      roi: null,
    });
  });
});

describe("report windows", () => {
  it("given a 7d range across the spring change in Berlin, starts at local midnight six days back (a 23-hour day inside)", () => {
    const now = new Date("2026-03-31T10:00:00Z");
    const { from, to } = reportWindow("7d", now, TIME_ZONE);
    // 2026-03-25 00:00 CET = 03-24 23:00Z; the clocks go forward on 03-29.
    expect(from.toISOString()).toBe("2026-03-24T23:00:00.000Z");
    expect(to).toEqual(now);
    expect(datesBetween({ from, to }, TIME_ZONE)).toEqual([
      "2026-03-25",
      "2026-03-26",
      "2026-03-27",
      "2026-03-28",
      "2026-03-29",
      "2026-03-30",
      "2026-03-31",
    ]);
  });

  it("given 24h, covers exactly the 24 hours before now", () => {
    const { from, to } = reportWindow("24h", NOW, TIME_ZONE);
    expect(to.getTime() - from.getTime()).toBe(24 * 60 * 60 * 1000);
  });
});

const tracking = (
  humanClicks: number,
  conversions: number,
  payouts: { currency: string | null; amount: number }[],
  measured = true,
) => ({ humanClicks, conversions, payouts, measured });

/** The fixture with Desk's post tracked as given. */
function withDeskTracked(attribution: ReturnType<typeof tracking>) {
  return input.posts.map((p) => (p.campaignId === desk.id ? { ...p, attribution } : p));
}

describe("analyse with Herald's own attribution", () => {
  it("given a tracked post with conversions beside an untracked one, revenue is measured for the first and estimated for the second, and the conversion rate is over human clicks", () => {
    const result = analyse({
      ...input,
      posts: withDeskTracked(tracking(8, 2, [{ currency: "USD", amount: 25 }])),
    });
    const deskRow = result.byCampaign.find((row) => row.campaign.id === desk.id)?.totals;
    expect(deskRow).toMatchObject({
      clicks: 40,
      humanClicks: 8,
      conversions: 2,
      conversionRate: 0.25,
      revenue: 25,
      revenueMeasured: true,
      revenueEstimated: false,
      epc: 25 / 8,
      roi: expect.closeTo((25 - 0.2) / 0.2, 9),
    });
    // Desk's 25 measured plus Garden's 10 × 1 estimated from X's clicks: partly estimated, and
    // EPC over the clicks each part was earned on (8 human, 10 + 0 from X).
    expect(result.totals).toMatchObject({
      revenue: 35,
      revenueMeasured: true,
      revenueEstimated: true,
      conversions: 2,
      epc: 35 / 18,
    });
    const deskDay = result.daily.find((p) => p.campaignId === desk.id && p.posts > 0);
    expect(deskDay?.conversionRate).toBe(0.25);
  });

  it("given a tracked post whose campaign has never received a postback, shows its human clicks but estimates revenue from X's clicks × EPC, with no conversion rate", () => {
    const result = analyse({ ...input, posts: withDeskTracked(tracking(8, 0, [], false)) });
    expect(result.byCampaign.find((row) => row.campaign.id === desk.id)?.totals).toMatchObject({
      humanClicks: 8,
      conversions: 0,
      conversionRate: null,
      revenue: 40 * 0.5,
      revenueMeasured: false,
      revenueEstimated: true,
    });
  });

  it("given a measured post that earned nothing, its revenue is a measured 0, not an estimate", () => {
    const result = analyse({ ...input, posts: withDeskTracked(tracking(8, 0, [])) });
    expect(result.byCampaign.find((row) => row.campaign.id === desk.id)?.totals).toMatchObject({
      revenue: 0,
      revenueMeasured: true,
      revenueEstimated: false,
      conversionRate: 0,
      epc: 0,
    });
  });

  it("given payouts in the guild's currency, in another and stored without one, counts the guild's and the unmarked in revenue and keeps the other apart, unconverted", () => {
    const payouts = [
      { currency: "EUR", amount: 20 },
      { currency: null, amount: 5 },
      { currency: "GBP", amount: 12 },
    ];
    const result = analyse({
      ...input,
      currency: "EUR",
      posts: withDeskTracked(tracking(10, 3, payouts)),
      filter: { campaignId: desk.id },
    });
    expect(result.totals).toMatchObject({
      conversions: 3,
      revenue: 25,
      otherCurrencies: { GBP: 12 },
      epc: 2.5,
      // X bills in US dollars: without converting there is no ROI for euro revenue.
      roi: null,
    });
    expect(analyse({ ...input, currency: "USD", filter: { campaignId: desk.id } }).totals.roi).toBe(
      99,
    );
  });

  it("gives a row per post, by campaign and then publish time, each with its own figures", () => {
    const result = analyse({
      ...input,
      posts: withDeskTracked(tracking(8, 2, [{ currency: "USD", amount: 25 }])),
    });
    expect(result.byPost.map((row) => [row.post.id, row.totals.posts, row.totals.revenue])).toEqual(
      [
        [1, 1, 25],
        [5, 1, null],
        [3, 1, 10],
        [4, 1, 0],
      ],
    );
    expect(result.top[0]?.totals).toMatchObject({ humanClicks: 8, conversions: 2, clicks: 40 });
  });
});
