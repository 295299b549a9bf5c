import { parse } from "csv-parse/sync";
import type { APIEmbed } from "discord.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CHART_WIDTH } from "../../src/bot/render/report-chart.ts";
import { reportCsv, reportCsvMessage } from "../../src/bot/render/report-csv.ts";
import { CHART_FILE, reportMessage } from "../../src/bot/render/report-message.ts";
import { PrismaCampaignRepository } from "../../src/db/campaign-repository.ts";
import { PrismaMetricsRepository } from "../../src/db/metrics-repository.ts";
import { PrismaSettingsRepository } from "../../src/db/settings-repository.ts";
import { PrismaXAccountRepository } from "../../src/db/x-account-repository.ts";
import { isDomainError } from "../../src/domain/errors.ts";
import { ReportService } from "../../src/domain/reports.ts";
import { SecretBox } from "../../src/domain/secrets.ts";
import { FixedClock } from "../support/fixed-clock.ts";
import { inspectPng } from "../support/png-check.ts";
import { GUILD, SECRET_KEY } from "../support/publishing-harness.ts";
import { ReportFixture } from "../support/report-fixture.ts";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";

const NOW = new Date("2026-11-20T12:00:00Z");
let db: TestDatabase;
let clock: FixedClock;
let reports: ReportService;
let ids: Record<string, number>;

beforeEach(async () => {
  db = createTestDatabase();
  clock = new FixedClock(NOW);
  const settings = new PrismaSettingsRepository(db.prisma);
  await settings.update(
    GUILD,
    { timezone: "Europe/Berlin" },
    { actor: "test", action: "settings.updated" },
  );
  reports = new ReportService({
    campaigns: new PrismaCampaignRepository(db.prisma),
    accounts: new PrismaXAccountRepository(db.prisma, new SecretBox({ current: SECRET_KEY })),
    settings,
    store: new PrismaMetricsRepository(db.prisma),
    clock,
  });
  const f = new ReportFixture(db.prisma, GUILD);
  const desk = await f.campaign("Desk Gadgets", "gadgets", 0.5);
  const garden = await f.campaign("Garden Tools", "home", 1);
  const d1 = await f.post(desk, "published", new Date("2026-11-18T09:00:00Z"), { costUsd: 0.2 });
  await f.metrics(d1, { impressions: 100, urlLinkClicks: 1 }, new Date("2026-11-18T12:00:00Z"));
  await f.metrics(
    d1,
    { impressions: 1200, likes: 40, reposts: 5, replies: 3, quotes: 2, urlLinkClicks: 30 },
    new Date("2026-11-20T11:00:00Z"),
  );
  const g1 = await f.post(garden, "published", new Date("2026-11-19T15:00:00Z"), {
    costUsd: 0.015,
  });
  // X gave no non-public metrics for this post: its clicks are unknown.
  await f.metrics(g1, { impressions: 800, likes: 16 }, new Date("2026-11-20T11:00:00Z"));
  const failed = await f.post(desk, "failed", new Date("2026-11-19T08:00:00Z"), {
    lastError: "Tweet text is too long.",
  });
  const missed = await f.post(garden, "missed", new Date("2026-11-17T08:00:00Z"));
  const queued = await f.post(desk, "approved", new Date("2026-11-21T08:00:00Z"));
  await f.post(desk, "pending_approval", new Date("2026-11-22T08:00:00Z"));
  ids = { desk, garden, d1, g1, failed, missed, queued };
});

afterEach(() => db.close());

async function refusal(request: Parameters<ReportService["report"]>[1]): Promise<string> {
  try {
    await reports.report(GUILD, request);
  } catch (error) {
    if (isDomainError(error)) return error.message;
    throw error;
  }
  throw new Error("the report was not refused");
}

function fieldsOf(embed: APIEmbed): Record<string, string> {
  return Object.fromEntries((embed.fields ?? []).map((f) => [f.name, f.value]));
}

describe("reports from the database", () => {
  it("given two campaigns' posts, totals the latest snapshots and lists failed, missed and the next 24 h's queue", async () => {
    const report = await reports.report(GUILD, {});
    expect(report.analytics.totals).toMatchObject({
      posts: 2,
      impressions: 2000,
      clicks: 30,
      engagements: 66,
      engagementRate: 66 / 2000,
      revenue: 15,
    });
    expect(report.failed.map((p) => p.id)).toEqual([ids.failed]);
    expect(report.missed.map((p) => p.id)).toEqual([ids.missed]);
    expect(report.queued.map((p) => p.id)).toEqual([ids.queued]);
    expect(report.analytics.top.map((r) => r.post.id)).toEqual([ids.d1, ids.g1]);
  });

  it("renders an embed with totals, a row per campaign, n/a for unknown clicks, top post links, and a chart PNG that is not blank", async () => {
    const message = await reportMessage(await reports.report(GUILD, { range: "7d" }));
    const embed = message.embeds[0]?.toJSON();
    if (embed === undefined) throw new Error("no embed");
    expect(embed.title).toBe("Report for the last 7 days");
    expect(embed.description).toContain(
      "2 posts · 2,000 impressions · 30 X link clicks · 3.3% engagement",
    );
    const fields = fieldsOf(embed);
    expect(fields["Desk Gadgets (gadgets)"]).toContain("1,200 impressions · 30 X link clicks");
    expect(fields["Garden Tools (home)"]).toContain("800 impressions · n/a X link clicks");
    expect(fields["Garden Tools (home)"]).toContain("revenue n/a");
    expect(fields["By niche"]).toContain(
      "**gadgets**: 1 post · 1,200 impressions · 30 X link clicks",
    );
    expect(fields["By niche"]).toContain("**home**: 1 post · 800 impressions · n/a X link clicks");
    expect(fields["Top posts"]).toContain(`[#${ids.d1} Desk Gadgets](https://x.com/i/web/status/`);
    expect(fields["Failed (1)"]).toContain("Tweet text is too long.");
    expect(fields["Missed (1)"]).toContain(`#${ids.missed} Garden Tools`);
    expect(fields["Queued for the next 24 h (1)"]).toContain(`#${ids.queued} Desk Gadgets`);
    expect(embed.image?.url).toBe(`attachment://${CHART_FILE}`);

    const file = message.files[0];
    expect(file?.name).toBe(CHART_FILE);
    const png = inspectPng(file?.attachment as Buffer);
    expect(png.width).toBe(CHART_WIDTH);
    expect(png.height).toBeGreaterThan(400);
    expect(png.height).toBeLessThan(2000);
    // Not blank: a good share of pixels differ from the card's background, in many colours.
    expect(png.background).toBe("43,45,49");
    expect(png.drawnShare).toBeGreaterThan(0.02);
    expect(png.colours).toBeGreaterThan(20);
  });

  it("given a campaign or niche filter, reports only that campaign or niche", async () => {
    const desk = await reports.report(GUILD, { campaign: "desk gadgets" });
    expect(desk.analytics.byCampaign.map((r) => r.campaign.name)).toEqual(["Desk Gadgets"]);
    expect(desk.analytics.totals).toMatchObject({ posts: 1, impressions: 1200 });
    expect(desk.missed).toEqual([]);
    const home = await reports.report(GUILD, { niche: "Home" });
    expect(home.analytics.byCampaign.map((r) => r.campaign.name)).toEqual(["Garden Tools"]);
    expect(home.failed).toEqual([]);
  });

  it("given an archived campaign, keeps it in the totals and by name; a new campaign of that name takes the name", async () => {
    const campaigns = new PrismaCampaignRepository(db.prisma);
    await campaigns.changeStatus(ids.desk as number, "active", "archived", {
      actor: "test",
      action: "campaign.archived",
    });
    const all = await reports.report(GUILD, {});
    expect(all.analytics.totals).toMatchObject({ posts: 2, impressions: 2000 });
    const archived = await reports.report(GUILD, { campaign: "DESK gadgets" });
    expect(archived.analytics.totals).toMatchObject({ posts: 1, impressions: 1200 });

    const f = new ReportFixture(db.prisma, GUILD);
    const reborn = await f.campaign("Desk Gadgets", "gadgets", 0.5);
    expect((await reports.report(GUILD, {})).analytics.totals).toMatchObject({
      posts: 2,
      impressions: 2000,
    });
    const byName = await reports.report(GUILD, { campaign: "desk gadgets" });
    expect(byName.analytics.byCampaign.map((row) => row.campaign.id)).toEqual([reborn]);
  });

  it("given an unknown campaign, an unknown niche or an invalid range, refuses with the valid choices", async () => {
    expect(await refusal({ campaign: "Pet Toys" })).toBe(
      'There is no campaign "Pet Toys". Campaigns: Desk Gadgets, Garden Tools.',
    );
    expect(await refusal({ niche: "pets" })).toBe(
      'No campaign has the niche "pets". Niches: gadgets, home.',
    );
    expect(await refusal({ range: "5d" })).toBe(
      '"5d" is not a report range. Choose one of: 7d, 30d, 90d.',
    );
  });

  it("given no posts published in the range, says so", async () => {
    clock.set("2027-01-20T12:00:00Z");
    const message = await reportMessage(await reports.report(GUILD, {}));
    expect(message.embeds[0]?.toJSON().description).toBe("No posts published in the last 7 days.");
    expect(message.files).toHaveLength(1);
  });

  it("given a snapshot older than the post's latest recorded after it, the report keeps the newer numbers", async () => {
    await new ReportFixture(db.prisma, GUILD).metrics(
      ids.d1 ?? 0,
      { impressions: 5, urlLinkClicks: 0 },
      new Date("2026-11-19T00:00:00Z"),
    );
    const report = await reports.report(GUILD, { campaign: "Desk Gadgets" });
    expect(report.analytics.totals).toMatchObject({ impressions: 1200, clicks: 30 });
    expect(await db.prisma.postMetrics.count({ where: { postId: ids.d1 ?? 0 } })).toBe(3);
  });

  it("given a guild in EUR, a campaign that receives postbacks and one that does not, measures the first (other currencies apart, no ROI) and estimates the second, with human clicks beside X's", async () => {
    const f = new ReportFixture(db.prisma, GUILD);
    await new PrismaSettingsRepository(db.prisma).update(
      GUILD,
      { currency: "EUR" },
      { actor: "test", action: "settings.updated" },
    );
    const [d1, g1] = [ids.d1 ?? 0, ids.g1 ?? 0];
    await f.track(d1);
    await f.track(g1);
    const hour = "2026-11-18T10";
    await f.click(d1, "ClickD1A1", { visitor: "a", hour });
    await f.click(d1, "ClickD1A2", { visitor: "a", hour }); // the same visitor within the hour
    await f.click(d1, "ClickD1B1", { visitor: "b", hour });
    await f.click(d1, "ClickD1Bot", { visitor: "c", hour, bot: true });
    await f.click(g1, "ClickG1A1", { visitor: "a", hour });
    await f.conversion(d1, "ClickD1A1", { txid: "T1", payout: 20, currency: "EUR" });
    await f.conversion(d1, "ClickD1B1", { txid: "T2", payout: 12, currency: "GBP" });
    await f.conversion(d1, "ClickD1A2", { txid: "T3", payout: 5, status: "rejected" });
    await f.conversion(d1, "ClickD1A2", { txid: "T4", payout: 3, status: "pending" });

    const report = await reports.report(GUILD, {});
    expect(report.currency).toBe("EUR");
    const row = (name: string) =>
      report.analytics.byCampaign.find((r) => r.campaign.name === name)?.totals;
    expect(row("Desk Gadgets")).toMatchObject({
      clicks: 30,
      humanClicks: 2,
      conversions: 2,
      conversionRate: 1,
      revenue: 20,
      revenueMeasured: true,
      revenueEstimated: false,
      otherCurrencies: { GBP: 12 },
      epc: 10,
      roi: null,
    });
    expect(row("Garden Tools")).toMatchObject({
      humanClicks: 1,
      conversions: 0,
      conversionRate: null,
      revenueMeasured: false,
    });

    const embed = (await reportMessage(report)).embeds[0]?.toJSON();
    if (embed === undefined) throw new Error("no embed");
    const fields = fieldsOf(embed);
    expect(fields["Desk Gadgets (gadgets)"]).toContain(
      "30 X link clicks · 2 human clicks · 2 conversions · conversion rate 100%",
    );
    expect(fields["Desk Gadgets (gadgets)"]).toContain(
      "revenue €20.00 (measured) · also 12.00 GBP not converted · EPC €10.00",
    );
    expect(fields["Garden Tools (home)"]).toContain("n/a X link clicks · 1 human click · ");
    expect(fields["Garden Tools (home)"]).not.toContain("conversion");
    expect(fields["Top posts"]).toContain("2 human clicks · 2 conversions");
    expect(embed.footer?.text).toContain("revenue in EUR, X spend in USD");

    await reports.rebuildDaily(GUILD);
    const daily = await db.prisma.campaignDaily.findFirst({ where: { campaignId: ids.desk ?? 0 } });
    expect(daily).toMatchObject({ revenue: 20, conversionRate: 1 });
  });

  it("given format csv, every post of the range is one row with the message's figures, formula cells escaped, unknown figures empty", async () => {
    await db.prisma.post.update({
      where: { id: ids.d1 ?? 0 },
      data: { text: '=HYPERLINK("https://evil.example","Desk lamp deal")' },
    });
    const f = new ReportFixture(db.prisma, GUILD);
    await f.track(ids.d1 ?? 0);
    await f.click(ids.d1 ?? 0, "ClickD1A1", { visitor: "a", hour: "2026-11-18T10" });
    await f.conversion(ids.d1 ?? 0, "ClickD1A1", { txid: "T1", payout: 4.5 });
    const report = await reports.report(GUILD, { range: "30d" });
    const message = reportCsvMessage(report);
    expect(message.content).toBe(
      "Report for the last 30 days: 2 posts, one row each; revenue in USD, X cost in USD.",
    );
    expect(message.files[0]?.name).toBe("herald-report-30d-2026-11-20.csv");
    const rows = parse(reportCsv(report), { bom: true, columns: true }) as Record<string, string>[];
    expect(rows.map((row) => [row.post_id, row.campaign, row.niche])).toEqual([
      [String(ids.d1), "Desk Gadgets", "gadgets"],
      [String(ids.g1), "Garden Tools", "home"],
    ]);
    expect(rows[0]).toMatchObject({
      published_at: "2026-11-18T09:00:00.000Z",
      local_date: "2026-11-18",
      text: `'=HYPERLINK("https://evil.example","Desk lamp deal")`,
      impressions: "1200",
      x_link_clicks: "30",
      human_clicks: "1",
      conversions: "1",
      conversion_rate: "1",
      revenue: "4.5",
      revenue_basis: "measured",
      currency: "USD",
      epc: "4.5",
      x_cost_usd: "0.2",
      roi: "21.5",
    });
    // X reported no clicks for Garden's post: no estimate, empty cells rather than 0.
    expect(rows[1]).toMatchObject({
      x_link_clicks: "",
      human_clicks: "",
      conversions: "",
      revenue: "",
      revenue_basis: "",
      roi: "",
    });
  });

  it("rebuilds CampaignDaily from the latest snapshots, the same rows however often it runs", async () => {
    await reports.rebuildDaily(GUILD);
    await reports.rebuildDaily(GUILD);
    const rows = await db.prisma.campaignDaily.findMany({ orderBy: { date: "asc" } });
    expect(
      rows.map((r) => [
        r.campaignId,
        r.date,
        r.posts,
        r.impressions,
        r.clicks,
        r.engagements,
        r.revenue,
      ]),
    ).toEqual([
      [ids.desk, "2026-11-18", 1, 1200, 30, 50, 15],
      [ids.garden, "2026-11-19", 1, 800, 0, 16, 0],
    ]);
  });
});
