import { embedLength } from "discord.js";
import { describe, expect, it } from "vitest";
import { reportMessage } from "../../src/bot/render/report-message.ts";
import { type AnalyticsPost, analyse } from "../../src/domain/analytics.ts";
import { snapshotOf } from "../../src/domain/metrics.ts";
import { type ListedPost, type Report, reportWindow } from "../../src/domain/reports.ts";

const NOW = new Date("2026-11-20T12:00:00Z");
const TIME_ZONE = "Europe/Berlin";
const window = reportWindow("30d", NOW, TIME_ZONE);

/** Twelve campaigns with long names, each post measured with payouts in four currencies. */
function crowdedReport(): Report {
  const campaigns = Array.from({ length: 12 }, (_, i) => ({
    id: i + 1,
    name: `Hiking boots and trail gear for long weekends, campaign ${i + 1}`,
    niche: `outdoor niche ${i % 4}`,
    epc: 0.35,
  }));
  const posts: AnalyticsPost[] = campaigns.map((campaign) => ({
    id: 100 + campaign.id,
    campaignId: campaign.id,
    xPostId: String(1_900_000_000_000_000_000n + BigInt(campaign.id)),
    text: "Trail notes",
    publishedAt: new Date("2026-11-18T09:00:00Z"),
    costUsd: 0.2,
    attribution: {
      humanClicks: 12_345,
      conversions: 1_234,
      payouts: [
        { currency: "USD", amount: 123_456.78 },
        { currency: "GBP", amount: 98_765.43 },
        { currency: "EUR", amount: 87_654.32 },
        { currency: "JPY", amount: 7_654_321 },
      ],
      measured: true,
    },
  }));
  const snapshots = posts.map((post) =>
    snapshotOf(
      post.id,
      {
        impressions: 1_234_567,
        likes: 12_345,
        reposts: 1_234,
        replies: 123,
        quotes: 12,
        bookmarks: 1,
        urlLinkClicks: 23_456,
      },
      NOW,
    ),
  );
  const listed = (status: ListedPost["status"]): ListedPost[] =>
    Array.from({ length: 8 }, (_, i) => ({
      id: 500 + i,
      campaignId: 1,
      status,
      text: "Trail notes",
      scheduledAt: new Date("2026-11-19T09:00:00Z"),
      lastError:
        "X refused the post: the text looks like one already posted by this account. ".repeat(3),
    }));
  return {
    period: "30d",
    window,
    timeZone: TIME_ZONE,
    currency: "USD",
    scope: { campaign: null, niche: null },
    analytics: analyse({ campaigns, posts, snapshots, window, timeZone: TIME_ZONE }),
    failed: listed("failed"),
    missed: listed("missed"),
    queued: listed("approved"),
    handles: new Map(),
    xSpend: { postingUsd: 2.4, readingUsd: 0.123 },
  };
}

describe("the report message", () => {
  it("given many campaigns with every figure and long lists, stays within Discord's 6,000 characters and keeps the all-campaigns line whole", async () => {
    const report = crowdedReport();
    const embed = (await reportMessage(report)).embeds[0];
    if (embed === undefined) throw new Error("no embed");
    expect(embedLength(embed.data)).toBeLessThanOrEqual(6_000);
    expect(embed.data.description).toMatch(
      /148,140 human clicks · 14,808 conversions · .* · revenue \$1,481,481\.36 \(measured\) · also 91,851,852\.00 JPY, 1,185,185\.16 GBP, 1,051,851\.84 EUR not converted/,
    );
    for (const field of embed.data.fields ?? [])
      expect(field.value.length).toBeLessThanOrEqual(1024);
  });
});
