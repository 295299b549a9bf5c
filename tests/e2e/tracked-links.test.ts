import { parse } from "csv-parse/sync";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type E2E, startE2E, TEAM } from "../support/e2e-harness.ts";
import { approvePost, finishE2E, queuePost } from "../support/e2e-steps.ts";
import {
  editCampaign,
  postbackToken,
  publishTrackedPost,
  webOrigin,
} from "../support/tracking-steps.ts";

const PUBLIC_URL = "https://go.team.example";
const BROWSER =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";

let e2e: E2E;
beforeEach(async () => {
  e2e = await startE2E({ env: { HERALD_PUBLIC_URL: PUBLIC_URL, HERALD_HTTP_PORT: "0" } });
});
afterEach(() => finishE2E(e2e));

const serverOrigin = () => webOrigin(e2e.herald);

/** The all-campaigns line of /report as a member sees it. */
async function reportText(): Promise<string> {
  const handle = await e2e.discord.runCommand({ user: TEAM.member, name: "report", options: {} });
  const reply = await handle.reply({ timeoutMs: 20_000 });
  return (reply.embeds[0] as { description?: string } | undefined)?.description ?? "";
}

/** /report format:csv as a member gets it: the attachment's rows, by column name. */
async function reportCsvRows(): Promise<Record<string, string>[]> {
  const handle = await e2e.discord.runCommand({
    user: TEAM.member,
    name: "report",
    options: { format: "csv" },
  });
  const reply = await handle.reply({ timeoutMs: 20_000 });
  const [file] = reply.attachments;
  expect(file?.filename).toMatch(/^herald-report-7d-\d{4}-\d{2}-\d{2}\.csv$/);
  const bytes = e2e.discord.attachmentBytes(file?.url ?? "");
  if (bytes === undefined) throw new Error("the fake Discord holds no bytes for the CSV");
  return parse(bytes, { bom: true, columns: true }) as Record<string, string>[];
}

function follow(link: string, init: { method?: string; userAgent?: string } = {}) {
  return fetch(`${serverOrigin()}${new URL(link).pathname}`, {
    method: init.method ?? "GET",
    redirect: "manual",
    headers: { "user-agent": init.userAgent ?? BROWSER },
  });
}

describe("tracked links, end to end", () => {
  it("given a tracked post on X, following its link lands on the affiliate URL with UTM tags and a click id; bots and HEAD are stored but not counted", async () => {
    const { postId, link } = await publishTrackedPost(e2e);
    expect(new URL(link).pathname).toMatch(/^\/r\/[0-9A-Za-z]{8,}$/);

    const response = await follow(link);
    expect(response.status).toBe(302);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    const location = new URL(response.headers.get("location") ?? "");
    expect(location.origin + location.pathname).toBe("https://shop.example.com/lamps");
    expect(location.searchParams.get("ref")).toBe("team");
    expect(location.searchParams.get("utm_source")).toBe("x");
    expect(location.searchParams.get("subid")).toMatch(/^[0-9A-Za-z]{20}$/);

    await follow(link, { userAgent: "Twitterbot/1.0" });
    await follow(link, { method: "HEAD" });
    await follow(link); // the same visitor again in the same hour
    await e2e.herald.web?.flushClicks();

    const clicks = await e2e.herald.prisma.click.findMany({
      where: { postId },
      orderBy: { id: "asc" },
    });
    expect(clicks.map((click) => click.bot)).toEqual([false, true, true, false]);
    expect(clicks[0]?.clickId).toBe(location.searchParams.get("subid"));
    expect(
      new Set(clicks.filter((c) => !c.bot).map((c) => `${c.visitorHash} ${c.hour}`)).size,
    ).toBe(1);
    expect(JSON.stringify(clicks)).not.toContain("127.0.0.1");
  });

  it("given codes that are unknown, malformed, hostile or far too long, answers 404 (414 past the length limit), never redirects and stores nothing", async () => {
    await publishTrackedPost(e2e);
    const origin = serverOrigin();
    for (const path of [
      "/r/AAAAAAAAAA",
      "/r/abc",
      "/r/..%2F..%2Fetc%2Fpasswd",
      "/r/%0d%0aLocation:%20https://evil.example",
      `/r/${"a".repeat(10_000)}`,
    ]) {
      const response = await fetch(`${origin}${path}`, { redirect: "manual" });
      // A path past the router's limit is refused as 414 URI Too Long before any routing.
      expect([path.slice(0, 40), response.status === 414 ? 404 : response.status]).toEqual([
        path.slice(0, 40),
        404,
      ]);
      expect(response.headers.get("location")).toBeNull();
    }
    await e2e.herald.web?.flushClicks();
    expect(await e2e.herald.prisma.click.count()).toBe(0);
    expect((await fetch(`${origin}/healthz`)).status).toBe(200);
  });

  it("given a click, its postback stores one conversion; the same postback again changes nothing; rejected updates it; a bad token, a malformed payout and an unknown click id change nothing", async () => {
    const { postId, link } = await publishTrackedPost(e2e);
    const clickId = new URL((await follow(link)).headers.get("location") ?? "").searchParams.get(
      "subid",
    );
    const token = await postbackToken(e2e, {});
    const postback = (query: string, path = token) =>
      fetch(`${serverOrigin()}/postback/${path}?${query}`);
    const conversions = () => e2e.herald.prisma.conversion.findMany({ where: { postId } });

    const first = await postback(`click_id=${clickId}&payout=12.50&txid=T-1`);
    expect([first.status, await first.text()]).toEqual([200, "stored\n"]);
    expect((await conversions()).map((c) => [c.payout, c.status])).toEqual([[12.5, "approved"]]);
    const reported = await reportText();
    expect(reported).toMatch(/1 human click · 1 conversion · .*revenue \$12\.50 \(measured\)/);
    expect(await reportCsvRows()).toEqual([
      expect.objectContaining({
        post_id: String(postId),
        campaign: "Desk Lamps",
        text: expect.stringContaining("Warm light for late desk sessions"),
        human_clicks: "1",
        conversions: "1",
        conversion_rate: "1",
        revenue: "12.5",
        revenue_basis: "measured",
        currency: "USD",
      }),
    ]);

    const again = await postback(`click_id=${clickId}&payout=12.50&txid=T-1`);
    expect([again.status, await again.text()]).toEqual([200, "repeat\n"]);
    expect(await conversions()).toHaveLength(1);
    expect(await reportText()).toBe(reported);

    const rejected = await fetch(`${serverOrigin()}/postback/${token}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `click_id=${clickId}&payout=12.50&txid=T-1&status=rejected`,
    });
    expect([rejected.status, await rejected.text()]).toEqual([200, "updated\n"]);
    expect((await conversions()).map((c) => c.status)).toEqual(["rejected"]);
    expect(await reportText()).toMatch(/0 conversions · .*revenue \$0\.00 \(measured\)/);

    expect((await postback(`click_id=${clickId}&payout=1&txid=T-2`, "wrong-token")).status).toBe(
      403,
    );
    expect((await postback(`click_id=${clickId}&payout=-3&txid=T-2`)).status).toBe(400);
    expect((await postback(`click_id=${clickId}&payout=abc&txid=T-2`)).status).toBe(400);
    expect((await postback(`click_id=${clickId}&status=paid&txid=T-2`)).status).toBe(400);
    expect((await postback(`click_id=${clickId}&txid=${"x".repeat(2000)}`)).status).toBe(400);
    expect((await postback("click_id=NoSuchClick0000000000&payout=1&txid=T-3")).status).toBe(404);
    const huge = await fetch(`${serverOrigin()}/postback/${token}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `click_id=${clickId}&txid=${"y".repeat(1_000_000)}`,
    });
    expect(huge.status).toBe(413);
    expect((await fetch(`${serverOrigin()}/postback/${token}`, { method: "DELETE" })).status).toBe(
      404,
    );
    expect(await e2e.herald.prisma.conversion.count()).toBe(1);

    // Rotating the token makes the old URL stop working at once.
    const rotated = await postbackToken(e2e, { rotate: true });
    expect(rotated).not.toBe(token);
    expect((await postback(`click_id=${clickId}&txid=T-4`)).status).toBe(403);
    expect((await postback(`click_id=${clickId}&txid=T-4`, rotated)).status).toBe(200);
  });

  it("given /settings set currency:eur, postbacks without a currency count in euros, one in GBP is shown apart and not converted, and an unknown code is refused", async () => {
    const { link } = await publishTrackedPost(e2e);
    const settings = async (options: Record<string, string>) => {
      const handle = await e2e.discord.runCommand({
        user: TEAM.admin,
        name: "settings",
        subcommand: Object.keys(options).length === 0 ? "show" : "set",
        options,
      });
      return (await handle.reply()).content;
    };
    expect(await settings({ currency: "abc" })).toContain("is not an ISO 4217 currency code");
    expect(await settings({ currency: "eur" })).toContain("Currency: EUR");
    expect(await settings({})).toContain("Currency: EUR");

    const clickId = (await follow(link)).headers.get("location")?.match(/subid=(\w+)/)?.[1];
    const token = await postbackToken(e2e, {});
    for (const query of [`payout=20&txid=E-1`, `payout=12&txid=G-1&currency=gbp`]) {
      const answer = await fetch(
        `${serverOrigin()}/postback/${token}?click_id=${clickId}&${query}`,
      );
      expect(answer.status).toBe(200);
    }
    const stored = await e2e.herald.prisma.conversion.findMany({ orderBy: { txid: "asc" } });
    expect(stored.map((c) => [c.txid, c.payout, c.currency])).toEqual([
      ["E-1", 20, "EUR"],
      ["G-1", 12, "GBP"],
    ]);
    const line = await reportText();
    expect(line).toContain("2 conversions");
    expect(line).toContain("revenue €20.00 (measured) · also 12.00 GBP not converted");
    expect(line).toContain("ROI n/a");
  });

  it("given /campaign edit click_param:aff_sub, the click id goes in aff_sub; given tracking:false, X receives the affiliate URL itself", async () => {
    const { link } = await publishTrackedPost(e2e, { click_param: "aff_sub" });
    const location = new URL((await follow(link)).headers.get("location") ?? "");
    expect(location.searchParams.get("aff_sub")).toMatch(/^[0-9A-Za-z]{20}$/);
    expect(location.searchParams.has("subid")).toBe(false);

    expect(await editCampaign(e2e, { click_param: "sub id!" })).toContain(
      "is not a click-id parameter",
    );
    expect(await editCampaign(e2e, { tracking: false })).toContain("Tracking: off");
    const published = new Promise<void>((resolve) =>
      e2e.herald.runner.once("post.published", () => resolve()),
    );
    const { postId } = await queuePost(e2e, { text: "Second lamp, straight link", at: "now" });
    if (postId === null) throw new Error("not queued");
    await approvePost(e2e, postId);
    await published;
    const text = e2e.fakeX.posts.at(-1)?.text ?? "";
    expect(text).toContain("https://shop.example.com/lamps?ref=team");
    expect(text).not.toContain("go.team.example");
  });
});
