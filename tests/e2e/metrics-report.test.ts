import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CHART_WIDTH } from "../../src/bot/render/report-chart.ts";
import { type E2E, startE2E, TEAM, TEAM_X } from "../support/e2e-harness.ts";
import {
  approvePost,
  connectTeamAccount,
  createCampaign,
  embedField,
  finishE2E,
  queuePost,
  setUpTeam,
} from "../support/e2e-steps.ts";
import type { ApiMessage } from "../support/fake-discord/server.ts";
import { inspectPng } from "../support/png-check.ts";

let e2e: E2E;
beforeEach(async () => {
  e2e = await startE2E();
});
afterEach(() => finishE2E(e2e));

/** The manager queues a post for now and the approver approves it; resolves with its X id. */
async function publishOnePost(): Promise<{ postId: number; xPostId: string }> {
  const published = new Promise<string>((resolve) =>
    e2e.herald.runner.once("post.published", ({ xPostId }) => resolve(xPostId)),
  );
  const { reply, postId } = await queuePost(e2e, {
    text: "Warm light for late desk sessions",
    at: "now",
  });
  if (postId === null) throw new Error(`not queued: ${reply}`);
  await approvePost(e2e, postId);
  return { postId, xPostId: await published };
}

async function report(options: Record<string, string> = {}): Promise<ApiMessage> {
  const handle = await e2e.discord.runCommand({ user: TEAM.member, name: "report", options });
  const reply = await handle.reply({ timeoutMs: 20_000 });
  expect(handle.ephemeral).toBe(true);
  return reply;
}

function description(message: ApiMessage): string {
  return (message.embeds[0] as { description?: string } | undefined)?.description ?? "";
}

describe("metrics and /report, end to end", () => {
  it("given a published post whose numbers change on X, the sync stores them and /report shows them with a chart PNG", async () => {
    await setUpTeam(e2e);
    await connectTeamAccount(e2e);
    await createCampaign(e2e, { link: "https://shop.example.com/lamps?ref=team", epc: 0.5 });
    const { postId, xPostId } = await publishOnePost();

    e2e.fakeX.setMetrics(xPostId, {
      impression_count: 1500,
      like_count: 45,
      retweet_count: 5,
      reply_count: 3,
      quote_count: 2,
      url_link_clicks: 60,
    });
    expect(await e2e.herald.syncMetrics()).toEqual({
      requests: 1,
      recorded: 1,
      deferred: 0,
      notDue: 0,
    });

    const first = await report();
    expect(description(first)).toContain(
      "1 post · 1,500 impressions · 60 X link clicks · 3.67% engagement · revenue $30.00",
    );
    expect(embedField(first, "Desk Lamps (home office)")).toContain(
      "1,500 impressions · 60 X link clicks",
    );
    expect(embedField(first, "Top posts")).toContain(
      `[#${postId} Desk Lamps](https://x.com/${TEAM_X.username}/status/${xPostId})`,
    );
    expect(embedField(first, "Failed (0)")).toBe("None");
    const [attachment] = first.attachments;
    expect(attachment?.filename).toBe("report.png");
    const bytes = e2e.discord.attachmentBytes(attachment?.url ?? "");
    if (bytes === undefined) throw new Error("the fake Discord holds no bytes for the chart");
    const png = inspectPng(bytes);
    expect(png.width).toBe(CHART_WIDTH);
    expect(png.height).toBeGreaterThan(400);
    expect(png.drawnShare).toBeGreaterThan(0.02);
    expect(png.colours).toBeGreaterThan(20);

    // X's numbers keep moving; the next sync adds a snapshot and the report follows the latest.
    e2e.fakeX.setMetrics(xPostId, { impression_count: 2400, url_link_clicks: 90 });
    await e2e.herald.syncMetrics();
    const second = await report({ campaign: "Desk Lamps", range: "30d" });
    expect(description(second)).toContain("1 post · 2,400 impressions · 90 X link clicks");
    expect(await e2e.herald.prisma.postMetrics.count({ where: { postId } })).toBe(2);

    // The daily report job's run, as its clock tick calls it: the report channel gets the last
    // 24 hours with the chart, once for the day.
    expect(await e2e.herald.dailyReport.run(new Date())).toBe("sent");
    const daily = await e2e.discord.waitForChannelMessage(
      TEAM.channels.reports,
      (message) => message.attachments.length > 0,
    );
    expect((daily.embeds[0] as { title?: string }).title).toBe("Report for the last 24 h");
    expect(description(daily)).toContain("1 post · 2,400 impressions · 90 X link clicks");
    expect(daily.attachments.map((a) => a.filename)).toEqual(["report.png"]);
    expect(await e2e.herald.dailyReport.run(new Date())).toBe("already_sent");
  });

  it("given a connected account, a published post with a link and two syncs, /report's X spend for posting and reading adds up to the fake X's bill", async () => {
    await setUpTeam(e2e);
    await connectTeamAccount(e2e);
    await createCampaign(e2e, { link: "https://shop.example.com/lamps?ref=team", epc: 0.5 });
    const { xPostId } = await publishOnePost();
    e2e.fakeX.setMetrics(xPostId, { impression_count: 1000, url_link_clicks: 40 });
    await e2e.herald.syncMetrics();
    await e2e.herald.syncMetrics();

    const text = description(await report());
    const spend = /X spend: posting \$([\d.]+), reading \$([\d.]+)/.exec(text);
    if (spend === null) throw new Error(`no X spend in: ${text}`);
    const [posting, reading] = [Number(spend[1]), Number(spend[2])];
    const bill = e2e.fakeX.bill;
    // The post with a URL; the user lookup of /x connect and one post read (X bills it once a day).
    expect(posting).toBeCloseTo(
      bill.total((e) => e.kind === "create_with_url"),
      9,
    );
    expect(reading).toBeCloseTo(
      bill.total((e) => e.kind === "user_read" || e.kind === "post_read"),
      9,
    );
    expect(posting + reading).toBeCloseTo(bill.total(), 9);
    expect([posting, reading]).toEqual([0.2, 0.015]);
    // ROI counts both: (40 clicks × $0.50 − $0.215) / $0.215.
    expect(text).toContain(
      `ROI ${(((20 - 0.215) / 0.215) * 100).toLocaleString("en-US", { maximumFractionDigits: 2 })}%`,
    );
  });

  it("offers the team's niches as the member types, and answers an unknown campaign or niche privately with the valid choices", async () => {
    await setUpTeam(e2e);
    await createCampaign(e2e);
    await createCampaign(e2e, { name: "Garden Chairs", niche: "garden" });
    const niches = await e2e.discord.autocomplete({
      user: TEAM.member,
      name: "report",
      options: { niche: "o" },
      focused: "niche",
    });
    expect(niches.choices).toEqual([{ name: "home office", value: "home office" }]);

    expect((await report({ campaign: "Garden Hoses" })).content).toBe(
      'There is no campaign "Garden Hoses". Campaigns: Desk Lamps, Garden Chairs.',
    );
    expect((await report({ niche: "pets" })).content).toBe(
      'No campaign has the niche "pets". Niches: garden, home office.',
    );
  });

  it("given no posts published yet, the report says so and still carries its chart", async () => {
    await setUpTeam(e2e);
    await createCampaign(e2e);
    const reply = await report({ range: "7d" });
    expect(description(reply)).toBe("No posts published in the last 7 days.");
    expect(reply.attachments.map((a) => a.filename)).toEqual(["report.png"]);
  });
});
